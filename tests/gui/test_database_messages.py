"""Database faults in the window: at start-up and in any action a clear message (what is wrong, what to do), not a
traceback or a crash dialog; a zero-length database file is refused, not opened as a new profile."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

import pytest
from helpers.window import Boxes, boxes_fixture  # noqa: F401 (fixtures)
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from biztel_desk import app
from biztel_desk.domain.config import AccountConfig
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store.db import DB_FILENAME, Database
from biztel_desk.ui.crash import crash_log_path, install_crash_handler

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _args(data_dir: Path) -> argparse.Namespace:
    return argparse.Namespace(data_dir=str(data_dir), db_url=None, lang="ja", demo=False, setup_wizard=False,
                              command=None)


def _snapshot(qtbot: QtBot, kind: QMessageBox.Icon, text: str, name: str) -> None:
    """The box as the user sees it (the fixture records the call instead of opening it)."""
    box = QMessageBox(kind, "BIZTEL Desk", text)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    box.grab().save(f"/tmp/h2_{name}.png")


def test_an_empty_database_file_is_refused_at_start_up(qtbot: QtBot, tmp_path: Path, boxes: Boxes,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(app.STARTUP_PROBE, "1")  # a window that does open (the defect) closes itself at once
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / DB_FILENAME).write_bytes(b"")
    assert app.run_gui(_args(data_dir)) == 2
    [(kind, text)] = boxes.shown
    assert kind == "critical"
    assert text.startswith("BIZTEL Desk を起動できません。\n\nデータベースファイルが空(0バイト)です")
    assert str(data_dir / DB_FILENAME) in text and "バックアップから復元" in text
    assert (data_dir / DB_FILENAME).stat().st_size == 0  # no new, empty profile was made of it
    _snapshot(qtbot, QMessageBox.Icon.Critical, text, "startup_empty_database")


def test_a_damaged_database_is_explained_at_start_up(qtbot: QtBot, tmp_path: Path, boxes: Boxes,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(app.STARTUP_PROBE, "1")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / DB_FILENAME).write_bytes(b"not a database" * 1000)
    assert app.run_gui(_args(data_dir)) == 2
    [(kind, text)] = boxes.shown
    assert kind == "critical" and "データベースファイルが壊れています" in text and "Traceback" not in text
    _snapshot(qtbot, QMessageBox.Icon.Critical, text, "startup_damaged_database")


def _impatient(database: Database) -> None:
    """This connection gives up on a lock at once instead of after 10 s (the fault is the same, the test faster)."""
    event.listen(database.engine, "connect", lambda connection, _record: connection.execute("PRAGMA busy_timeout=0"))


def test_a_locked_database_in_any_action_is_a_message_not_a_crash(qtbot: QtBot, data_dir: Path, boxes: Boxes) -> None:
    import sqlite3

    database = Database.open(directory=data_dir)
    _impatient(database)
    context = AppContext(database=database, secrets=SecretStore(MemoryBackend()), lang="ja", data_dir=data_dir)
    hook = install_crash_handler(data_dir, "ja", database.location)
    lock = sqlite3.connect(data_dir / DB_FILENAME, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        # An action of the window (保存 in the account dialog) while another program holds the write lock.
        with pytest.raises(Exception) as caught:
            context.config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
        hook(type(caught.value), caught.value, caught.value.__traceback__)

        # The same from a background thread (a page query, an import): shown on the GUI thread.
        def background() -> None:
            context.config.save_account(AccountConfig(name="other", username="admin@example.com"))

        thread = threading.Thread(target=background, name="test-action")
        thread.start()
        thread.join(10)
        qtbot.waitUntil(lambda: len(boxes.shown) == 2, timeout=5000)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        database.close()
    assert [kind for kind, _ in boxes.shown] == ["warning", "warning"]
    text = boxes.shown[0][1]
    assert text.startswith("データベースが別のプログラムにロックされています") and "もう一度お試しください。" in text
    assert not crash_log_path(data_dir).exists()  # a known failure, not a bug
    _snapshot(qtbot, QMessageBox.Icon.Warning, text, "action_locked_database")


def test_a_bug_in_a_thread_reaches_crash_log_and_the_log(qtbot: QtBot, data_dir: Path, boxes: Boxes) -> None:
    from biztel_desk import applog

    log = applog.configure(data_dir)
    install_crash_handler(data_dir, "ja")

    def broken() -> None:
        raise RuntimeError("a bug in a worker thread, password=hunter2")

    thread = threading.Thread(target=broken, name="broken-thread")
    thread.start()
    thread.join(10)
    qtbot.waitUntil(lambda: len(boxes.shown) == 1, timeout=5000)
    assert boxes.shown[0][0] == "critical" and str(crash_log_path(data_dir)) in boxes.shown[0][1]
    report = crash_log_path(data_dir).read_text(encoding="utf-8")
    assert "a bug in a worker thread" in report and "hunter2" not in report
    assert log is not None
    logged = log.read_text(encoding="utf-8")
    assert "RuntimeError: a bug in a worker thread" in logged and "hunter2" not in logged
