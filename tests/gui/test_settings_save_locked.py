"""A locked database on a settings save (基本情報 / 連携対象オブジェクト / 連携対象) is a message in the tab, as in the
history tab: nothing is saved, the edits stay, no crash dialog and no crash.log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from _window_helpers import (  # noqa: F401 (fixtures)
    Boxes,
    boxes_fixture,
    click_setting,
    window_fixture,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from biztel_desk.services.context import AppContext
from biztel_desk.store.db import DB_FILENAME
from biztel_desk.ui.crash import crash_log_path, install_crash_handler
from biztel_desk.ui.main_window import MainWindow

pytestmark = [pytest.mark.qt_log_ignore("propagateSizeHints"),
              pytest.mark.sqlite_only("the lock is SQLite's write lock (BEGIN IMMEDIATE through sqlite3)")]
LOCKED = "データベースが別のプログラムにロックされています"


@pytest.fixture
def locked(context: AppContext, data_dir: Path) -> Iterator[sqlite3.Connection]:
    """Another program holds the write lock; the app's connections give up at once instead of after 10 s."""
    install_crash_handler(data_dir, "ja", context.database.location)
    engine = context.database.engine
    event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA busy_timeout=0"))
    engine.dispose()
    lock = sqlite3.connect(data_dir / DB_FILENAME, timeout=30, isolation_level=None)
    yield lock
    if lock.in_transaction:
        lock.execute("ROLLBACK")
    lock.close()


def _no_crash(data_dir: Path, boxes: Boxes) -> None:
    assert boxes.shown == [] and not crash_log_path(data_dir).exists()


def test_a_locked_database_on_saving_basic_settings_is_a_message(
        qtbot: QtBot, window: MainWindow, context: AppContext, data_dir: Path, boxes: Boxes,
        locked: sqlite3.Connection, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(memo="前のメモ")
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab
    tab.form.memo_edit.setPlainText("新しいメモ")
    locked.execute("BEGIN IMMEDIATE")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.summary_label.isVisible() and tab.summary_label.text().startswith(LOCKED)
    assert tab.is_dirty() and tab.form.memo_edit.toPlainText() == "新しいメモ"  # the edits stay for the next try
    locked.execute("ROLLBACK")
    assert context.config.get_setting("本社").memo == "前のメモ"  # type: ignore[union-attr]
    _no_crash(data_dir, boxes)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)  # the lock is gone: saved
    assert context.config.get_setting("本社").memo == "新しいメモ"  # type: ignore[union-attr]


def test_a_locked_database_on_saving_objects_and_targets_is_a_message(
        qtbot: QtBot, window: MainWindow, context: AppContext, data_dir: Path, boxes: Boxes,
        locked: sqlite3.Connection, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    window.refresh()
    click_setting(qtbot, window, "本社")
    locked.execute("BEGIN IMMEDIATE")
    objects = window.objects_tab
    objects.load("本社")
    objects.save_button.setEnabled(True)
    qtbot.mouseClick(objects.save_button, Qt.MouseButton.LeftButton)
    assert objects.status_label.text().startswith(LOCKED)

    targets = window.targets_tab
    targets.load("本社")
    qtbot.mouseClick(targets.edit_button, Qt.MouseButton.LeftButton)
    targets.number_edit.setText("06-1234-5678")
    qtbot.mouseClick(targets.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(targets.save_button, Qt.MouseButton.LeftButton)
    assert targets.status_label.text().startswith(LOCKED)
    assert targets.is_editing()  # still editing: nothing was saved, the new number is still there
    locked.execute("ROLLBACK")
    assert [t.number for t in context.config.get_setting("本社").targets] == ["03-1234-5678"]  # type: ignore[union-attr]
    _no_crash(data_dir, boxes)


def test_a_locked_database_on_a_status_change_is_a_message(
        qtbot: QtBot, window: MainWindow, context: AppContext, data_dir: Path, boxes: Boxes,
        locked: sqlite3.Connection, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(api_consent=True, status="paused")
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab
    locked.execute("BEGIN IMMEDIATE")
    qtbot.mouseClick(tab.status_buttons["enabled"], Qt.MouseButton.LeftButton)  # type: ignore[index]
    assert tab.status_error.isVisible() and tab.status_error.text().startswith(LOCKED)
    assert tab.status_buttons["paused"].isChecked()  # type: ignore[index]  # the status stays as it was
    locked.execute("ROLLBACK")
    assert context.config.get_setting("本社").status == "paused"  # type: ignore[union-attr]
    _no_crash(data_dir, boxes)
    qtbot.mouseClick(tab.status_buttons["enabled"], Qt.MouseButton.LeftButton)  # type: ignore[index]
    assert not tab.status_error.isVisible() and context.config.get_setting("本社").status == "enabled"  # type: ignore[union-attr]
