""".ci/run calls the README's test command, word for word, and keeps perf tests out of it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Test", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    line = block.group(1).strip()
    return line.rsplit(" && ", 1)[1]  # after venv + install: the pytest call


def test_ci_runs_the_readme_test_command() -> None:
    command = _readme_test_command()
    assert command.startswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert any(line == command or line.startswith(command + " ||") for line in ci), command


def test_perf_tests_are_left_out_by_default_and_run_apart_by_ci() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "not perf" in options["addopts"]
    assert any(marker.startswith("perf:") for marker in options["markers"])
    assert ".venv/bin/python -m pytest -m perf" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
