"""Demo mode: the real window on a throw-away profile, a dev org in-process and simulated calls, linked live."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers.window import Boxes, boxes_fixture  # noqa: F401 (fixtures)
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from simple_salesforce import Salesforce

from biztel_desk import app
from biztel_desk.devorg.transport import loopback_session
from biztel_desk.engine.worker import WorkerState
from biztel_desk.services.demo import DEMO_SETTING, TEMP_PREFIX, DemoProfile

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note when a dialog is shown
LINKED_WITHIN_MS = 10_000


def _org_client(profile: DemoProfile) -> Salesforce:
    c = profile.org.credentials
    return Salesforce(username=c["username"], password=c["password"], security_token=c["security_token"],
                      session=loopback_session(profile.org.url, timeout=10), version="59.0")


def _linked_tasks(sf: Salesforce, unique_ids: list[str]) -> list[dict[str, object]]:
    if not unique_ids:
        return []
    quoted = ", ".join(f"'{u}'" for u in unique_ids)
    return list(sf.query_all(f"SELECT Id, CallObject, WhoId, WhatId FROM Task WHERE CallObject IN ({quoted})")["records"])


@pytest.fixture
def demo(qtbot: QtBot, boxes: Boxes) -> Iterator[app.GuiSession]:
    before = set(threading.enumerate())
    started = time.monotonic()
    session = app.build_demo(lang="ja")
    session.started_at = started  # type: ignore[attr-defined]
    session.threads_before = before  # type: ignore[attr-defined]
    qtbot.addWidget(session.window)
    session.window.show()
    qtbot.waitExposed(session.window)
    yield session
    session.window.close()
    session.close()


def test_demo_links_simulated_calls_within_seconds_and_shows_them(qtbot: QtBot, demo: app.GuiSession) -> None:
    window, profile = demo.window, demo.profile
    assert profile is not None
    assert demo.banner is not None and demo.banner.isVisible()
    assert "デモモード" in demo.banner.text_label.text()
    assert window.selected_setting() == DEMO_SETTING
    assert window.tabs.currentWidget() is window.history_tab
    assert profile.simulator.unique_ids, "the first calls are written at start"
    sf = _org_client(profile)
    try:
        # Linked Tasks in the dev org and rows in 連携通話履歴, within 10 s of starting the demo.
        budget = LINKED_WITHIN_MS - round((time.monotonic() - demo.started_at) * 1000)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: len(_linked_tasks(sf, list(profile.simulator.unique_ids))) >= 3, timeout=budget)
        model = window.history_tab.model
        budget = LINKED_WITHIN_MS - round((time.monotonic() - demo.started_at) * 1000)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: any(model.row_at(r) and model.row_at(r).state == "linked"  # type: ignore[union-attr]
                                    for r in range(model.rowCount())), timeout=max(budget, 1))
        tasks = _linked_tasks(sf, list(profile.simulator.unique_ids))
        assert {t["CallObject"] for t in tasks} <= set(profile.simulator.unique_ids)
        # 通話履歴 opens the Task on the dev org's own record page (loopback account → the dev org URL).
        row = next(r for r in range(model.rowCount()) if model.row_at(r).state == "linked")  # type: ignore[union-attr]
        url = window.history_tab.task_url(row)
        assert url is not None and url.startswith(f"{profile.org.url}/lightning/r/Task/")
        page = requests.get(url, timeout=10)
        assert page.status_code == 200
        # The simulator keeps going: a new call arrives every 2-4 s and is linked too.
        count = len(profile.simulator.unique_ids)
        qtbot.waitUntil(lambda: len(profile.simulator.unique_ids) > count, timeout=6000)
        assert demo.worker.status.state == WorkerState.RUNNING
    finally:
        sf.session.close()


def test_closing_the_demo_window_stops_everything_and_removes_the_profile(qtbot: QtBot, demo: app.GuiSession) -> None:
    profile = demo.profile
    assert profile is not None and profile.temp_dir is not None
    temp_dir = profile.temp_dir
    assert temp_dir.is_dir() and temp_dir.name.startswith(TEMP_PREFIX)
    qtbot.waitUntil(lambda: demo.worker.status.counters.linked > 0, timeout=LINKED_WITHIN_MS)
    demo.window.close()
    assert not demo.window.isVisible()
    assert not temp_dir.exists()
    assert not profile.simulator.running and not demo.worker.running
    # The dev org's server and its connection threads, the simulator, the worker and housekeeping are gone. (The
    # window's job pool, ui/tasks.py, belongs to the application, not to the profile: its idle threads may stay.)
    qtbot.waitUntil(lambda: not {thread for thread in set(threading.enumerate()) - demo.threads_before  # type: ignore[attr-defined]
                                 if not thread.name.startswith("ui-job")}, timeout=5000)


def test_connect_button_ends_the_demo_and_relaunches_on_the_real_profile(
    qtbot: QtBot, demo: app.GuiSession, boxes: Boxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[list[str]] = []
    monkeypatch.setattr(app, "relaunch", lambda arguments, real=None: launched.append(list(arguments)) or True)
    profile = demo.profile
    assert profile is not None
    boxes.answer(QMessageBox.StandardButton.Cancel)
    demo.banner.connect_button.click()  # type: ignore[union-attr]
    assert launched == [] and demo.window.isVisible()  # cancelled: the demo goes on
    boxes.answer(QMessageBox.StandardButton.Ok)
    demo.banner.connect_button.click()  # type: ignore[union-attr]
    assert "デモを終了" in boxes.questions[-1]
    assert launched == [["--lang", "ja", "--setup-wizard"]]
    qtbot.waitUntil(lambda: not demo.window.isVisible(), timeout=5000)
    assert profile.temp_dir is not None and not profile.temp_dir.exists()


def test_setup_wizard_menu_in_demo_mode_offers_the_real_connection(
    demo: app.GuiSession, boxes: Boxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[list[str]] = []
    monkeypatch.setattr(app, "relaunch", lambda arguments, real=None: launched.append(list(arguments)) or True)
    boxes.answer(QMessageBox.StandardButton.Cancel)
    demo.window.setup_wizard_action.trigger()
    assert "デモを終了" in boxes.questions[-1]  # no wizard on the throw-away profile: the way to the real one
    assert launched == [] and demo.window.isVisible()


def test_demo_subprocess_quits_after_n_seconds_cleanly(tmp_path: Path) -> None:
    """``python -m biztel_desk --demo`` offscreen with BIZTEL_DESK_QUIT_AFTER_S: exit 0, no temp dir left."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    home = tmp_path / "home"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BIZTEL_DESK_QUIT_AFTER_S="6", TMPDIR=str(tmp),
               BIZTEL_DESK_HOME=str(home))
    done = subprocess.run([sys.executable, "-m", "biztel_desk", "--demo", "--lang", "en"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp.iterdir() if p.name.startswith(TEMP_PREFIX)] == []
    assert not home.exists(), "the demo never touches the real data dir"


def test_relaunch_hands_the_real_profile_to_the_new_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new process gets the real profile in its environment (never the database URL on its command line)."""
    out = tmp_path / "seen.txt"
    program = tmp_path / "fake-python"
    program.write_text(f"#!/bin/sh\necho \"$BIZTEL_DESK_HOME|$BIZTEL_DESK_DB_URL|$*\" > '{out}'\n", encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(program))
    url = "postgresql+psycopg://biztel:pw@db/biztel"
    assert app.relaunch(["--lang", "ja", "--setup-wizard"], {"BIZTEL_DESK_HOME": "/srv/desk", "BIZTEL_DESK_DB_URL": url})
    deadline = time.monotonic() + 10
    while not (out.exists() and out.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    home, db_url, arguments = out.read_text().strip().split("|")
    assert (home, db_url) == ("/srv/desk", url)
    assert arguments == "-m biztel_desk --lang ja --setup-wizard" and "pw" not in arguments
