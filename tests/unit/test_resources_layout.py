"""The top-level resources/ (issue #12, names and layout): one accessor, mapped into the installed package.

The wheel itself is built, installed and run by .ci/run ("wheel": tools/check_installed_resources.py).
"""

from __future__ import annotations

import importlib.util
import shutil
import tomllib
from pathlib import Path

import biztel_desk
from biztel_desk import resources_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_checkout_reads_the_top_level_resources() -> None:
    assert resources_path() == ROOT / "resources"
    assert len(list(resources_path("icons").glob("biztel-desk-*.png"))) == 9
    assert resources_path("translations", "biztel_desk_en.qm").is_file()
    assert resources_path("translations", "biztel_desk_en.ts").is_file()


def test_no_resource_files_inside_the_package_folder() -> None:
    # A file under biztel_desk/resources/ is never read from a checkout and would be missing from the wheel.
    stray = ROOT / "biztel_desk" / "resources"
    assert not stray.exists(), f"move {sorted(p.name for p in stray.rglob('*'))} to resources/ (resources/README.md)"


def test_every_resource_folder_ships_in_the_wheel_and_the_bundle() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["biztel_desk.resources"]
    spec = (ROOT / "packaging" / "biztel-desk.spec").read_text(encoding="utf-8")
    folders = sorted(p.name for p in resources_path().iterdir() if p.is_dir())
    assert {"icons", "translations"} <= set(folders)
    for folder in folders:
        assert any(pattern.startswith(f"{folder}/") for pattern in package_data), f"{folder}/ not in package-data"
        assert f'resources_path("{folder}")' in spec, f"{folder}/ not bundled by packaging/biztel-desk.spec"


def _load_package_copy(tmp_path: Path) -> object:
    """biztel_desk/__init__.py as a copy at tmp_path/biztel_desk (an installed layout), imported under another name."""
    (tmp_path / "biztel_desk").mkdir()
    init = tmp_path / "biztel_desk" / "__init__.py"
    shutil.copy(biztel_desk.__file__, init)
    spec = importlib.util.spec_from_file_location("biztel_desk_copy", init)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_installed_package_reads_its_own_copy_and_a_checkout_its_top_level_folder(tmp_path: Path) -> None:
    copy = _load_package_copy(tmp_path)
    (tmp_path / "resources" / "icons").mkdir(parents=True)  # e.g. site-packages/resources of some other package
    (tmp_path / "biztel_desk" / "resources" / "icons").mkdir(parents=True)  # what a wheel / PyInstaller holds
    assert copy.resources_path("icons") == tmp_path / "biztel_desk" / "resources" / "icons"  # type: ignore[attr-defined]
    (tmp_path / "pyproject.toml").write_text("[project]\n", encoding="utf-8")  # now a source checkout
    assert copy.resources_path("icons") == tmp_path / "resources" / "icons"  # type: ignore[attr-defined]
