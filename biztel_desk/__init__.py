"""BIZTEL Desk: links PBX call history and call recordings to Salesforce."""

from pathlib import Path

__version__ = "0.1.0"

_PACKAGE = Path(__file__).resolve().parent


def resources_path(*parts: str) -> Path:
    """A file or folder of the app's resources (``icons/``, ``images/``, ``translations/``): the one way to find them.

    The repository keeps them in the top-level ``resources/`` (resources/README.md says why): a source checkout or
    an editable install (``pip install -e .``) reads that folder. A wheel and the PyInstaller build carry them inside
    the package as ``biztel_desk/resources/`` (setup.py's package-dir mapping, packaging/biztel-desk.spec's datas).
    """
    checkout = _PACKAGE.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "resources").is_dir():
        return checkout.joinpath("resources", *parts)
    return _PACKAGE.joinpath("resources", *parts)
