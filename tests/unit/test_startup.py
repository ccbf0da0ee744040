"""Start-up shortcuts (issue #6 item 5): the window's own argument parsing, alembic only when needed, the probe."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from biztel_desk.app import gui_args
from biztel_desk.store.db import alembic_config, head_revisions

ROOT = Path(__file__).resolve().parents[2]


def test_head_revisions_read_from_the_scripts_match_alembic() -> None:
    assert head_revisions() == set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


@pytest.mark.parametrize("argv", [[], ["--lang", "en"], ["--data-dir", "/tmp/x", "--db-url", "sqlite://", "--demo"]])
def test_window_options_skip_the_command_parser(argv: list[str]) -> None:
    args = gui_args(argv)
    assert args is not None and args.command is None
    assert args.demo == ("--demo" in argv)


@pytest.mark.parametrize("argv", [["sync", "--once"], ["--lang", "en", "status"], ["--help"], ["--version"],
                                  ["--lang", "xx"], ["--data-dir"], ["--no-such-option"]])
def test_commands_help_and_bad_options_go_to_the_full_parser(argv: list[str]) -> None:
    assert gui_args(argv) is None


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_database_at_head_opens_without_importing_alembic(tmp_path: Path) -> None:
    code = ("import sys; from pathlib import Path; from biztel_desk.store.db import Database; "
            f"Database.open(directory=Path({str(tmp_path)!r})).close(); print('alembic' in sys.modules)")
    first, second = _python(code), _python(code)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stdout.strip() == "True"  # a fresh database is migrated
    assert second.stdout.strip() == "False"


def test_the_startup_probe_reports_the_shown_window_and_quits(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BIZTEL_DESK_STARTUP_PROBE="1",
               BIZTEL_DESK_LAUNCHED_AT=repr(time.time()))
    done = subprocess.run([sys.executable, "-m", "biztel_desk", "--data-dir", str(tmp_path), "--lang", "en"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("startup-ms ")]
    assert len(lines) == 1 and 0 < int(lines[0].split()[1]) < 60_000, done.stderr


def test_the_window_and_its_link_runtime_load_neither_the_salesforce_client_nor_the_call_sources() -> None:
    # The worker loads the Salesforce client at its first step, and the runtime imports the call sources (≈ 80 ms)
    # on its own thread: neither may be on the window's start-up path (bench/startup.py).
    watched = ("simple_salesforce", "requests", "biztel_desk.engine.linker", "biztel_desk.ingest.folder",
               "biztel_desk.ingest.http", "biztel_desk.services.ingest_sources")
    code = ("import sys; import biztel_desk.app, biztel_desk.cli, biztel_desk.ui.main_window, "
            f"biztel_desk.services.link_runtime; print([m for m in {watched!r} if m in sys.modules])")
    done = _python(code, dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
