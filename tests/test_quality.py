"""Static checks run by the test command: ruff, mypy, the import-linter layer contracts, QtWidgets only in ui/."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    located = shutil.which(name)
    if located is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return located


def _run(*command: str) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"


def test_ruff() -> None:
    _run(_tool("ruff"), "check", "biztel_desk", "tests", "tools", "bench", "main.py")


def test_mypy() -> None:
    _run(_tool("mypy"))


def test_import_layers() -> None:
    _run(_tool("lint-imports"))


def test_only_ui_imports_qtwidgets() -> None:
    offenders = []
    for path in (ROOT / "biztel_desk").rglob("*.py"):
        relative = path.relative_to(ROOT / "biztel_desk")
        if relative.parts[0] in {"ui"} or relative.name == "app.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.startswith(("PySide6.QtWidgets", "PySide6.QtGui")) for name in names):
                offenders.append(str(relative))
    assert offenders == []
