"""crash.log without Qt (applog.write_crash): the traceback scrubbed under a heading; stderr when the disk refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from biztel_desk import __version__
from biztel_desk.applog import crash_log_path, write_crash


def _raised() -> ValueError:
    try:
        raise ValueError("token=abc123secret failed")
    except ValueError as error:
        return error


def test_a_crash_is_appended_with_its_heading_and_scrubbed(tmp_path: Path) -> None:
    path = crash_log_path(tmp_path)
    error = _raised()
    assert write_crash(path, ValueError, error, error.__traceback__, "thread worker") == str(path)
    assert write_crash(path, ValueError, error, error.__traceback__) == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.count(f"BIZTEL Desk {__version__}") == 2 and "(thread worker) ===" in text
    assert "ValueError" in text and "_raised" in text
    assert "abc123secret" not in text


def test_a_disk_that_refuses_gets_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    error = _raised()
    where = write_crash(crash_log_path(tmp_path), ValueError, error, error.__traceback__)
    assert where.startswith("(stderr: ")
    assert "ValueError" in capsys.readouterr().err
