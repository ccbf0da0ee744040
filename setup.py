"""The one packaging rule pyproject.toml cannot say: the top-level ``resources/`` is the package ``biztel_desk.resources``.

Everything else (metadata, dependencies, package data) is in pyproject.toml. The design card keeps the icons, images
and translations in ``resources/`` at the repository root (resources/README.md); a wheel installs them as
``biztel_desk/resources/`` so that ``biztel_desk.resources_path()`` finds them next to the code. pyproject's
``packages.find`` cannot add a package that lives outside its folder, hence this file.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["biztel_desk*"], exclude=["biztel_desk.resources*"]),
              "biztel_desk.resources"],
    package_dir={"biztel_desk.resources": "resources"},
)
