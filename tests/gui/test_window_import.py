"""The window's ファイル → 通話履歴を取り込む and dropped files: the import dialog, then the history shows the calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.window import boxes_fixture, window_fixture  # noqa: F401  (fixtures)
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from biztel_desk.store.models import Call
from biztel_desk.ui.main_window import MainWindow

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_menu_import_adds_calls_and_refreshes(qtbot: QtBot, window: MainWindow, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    window.refresh()
    dialog = window.open_import_dialog([str(DATA / "freepbx_cdr.csv")])
    with qtbot.waitSignal(dialog.import_finished, timeout=20000):
        assert dialog.start_import()
    with window.context.database.read() as session:
        assert (session.scalar(select(func.count()).select_from(Call)) or 0) > 0
    dialog.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_dropping_a_file_opens_the_import_dialog(qtbot: QtBot, window: MainWindow) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(DATA / "freepbx_cdr.csv"))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    dialogs = [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "ImportDialog" and w.isVisible()]
    assert dialogs
    for dialog in dialogs:
        dialog.close()
