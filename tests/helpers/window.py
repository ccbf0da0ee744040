"""Helpers for the main-window tests: answering message boxes, opening a window, clicking list rows.

Test modules import ``boxes_fixture`` and ``window_fixture``; pytest knows them as ``boxes`` and ``window``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from biztel_desk.domain.call import CallRecord
from biztel_desk.secrets import SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.db import Database
from biztel_desk.store.models import LinkJob
from biztel_desk.ui.main_window import MainWindow

Button = QMessageBox.StandardButton


@dataclass
class Boxes:
    """Message boxes the code under test opened; ``answers`` are popped in order by QMessageBox.question."""

    answers: list[Button] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    shown: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) of information/warning/critical

    def answer(self, *buttons: Button) -> None:
        self.answers.extend(buttons)


@pytest.fixture(name="boxes")
def boxes_fixture(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Boxes:
    # qapp: message boxes need the application; without it a test that ran first in its process (pytest-xdist,
    # or alone) saw the crash handler skip its box.
    recorded = Boxes()

    def question(_parent: QWidget | None, _title: str, text: str, *_args: object, **_kwargs: object) -> Button:
        recorded.questions.append(text)
        assert recorded.answers, f"unexpected question: {text}"
        return recorded.answers.pop(0)

    def record(kind: str):  # type: ignore[no-untyped-def]
        def show(_parent: QWidget | None, _title: str, text: str, *_args: object, **_kwargs: object) -> Button:
            recorded.shown.append((kind, text))
            return Button.Ok

        return show

    monkeypatch.setattr(QMessageBox, "question", question)
    for kind in ("information", "warning", "critical", "about"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return recorded


def open_window(qtbot: QtBot, context: AppContext) -> MainWindow:
    window = MainWindow(context)  # closed by close_window: its close may ask about unsaved edits
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture(name="window")
def window_fixture(qtbot: QtBot, context: AppContext, boxes: Boxes) -> Iterator[MainWindow]:
    main = open_window(qtbot, context)
    yield main
    close_window(main)


def close_window(window: MainWindow) -> None:
    """Close without a question: unsaved edits of a test are dropped."""
    for tab in (window.basic_tab, window.objects_tab, window.targets_tab):
        tab.revert()
    window.close()
    window.deleteLater()
    # Delete now, not at interpreter exit: PySide can crash finalizing widgets that outlive the QApplication.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def reopen_context(data_dir: Path, secrets: SecretStore) -> AppContext:
    """A fresh context on the same database, as after restarting the app."""
    return AppContext(database=Database.open(directory=data_dir), secrets=secrets, lang="ja", data_dir=data_dir)


def click_setting(qtbot: QtBot, window: MainWindow, name: str) -> None:
    items = window.setting_list.findItems(name, Qt.MatchFlag.MatchExactly)
    assert items, f"{name} is not in the list"
    rect = window.setting_list.visualItemRect(items[0])
    qtbot.mouseClick(window.setting_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def list_names(window: MainWindow) -> list[str]:
    return [window.setting_list.item(row).text() for row in range(window.setting_list.count())]


def answer_close_question(button: str, remember: bool = False) -> None:
    """Click ``button`` (``quit`` / ``tray`` / ``cancel``) of the window's close question once it is open (it runs
    its own event loop), ticking 次回から確認しない first when ``remember``."""
    from PySide6.QtCore import QTimer

    from biztel_desk.ui.dialogs.close_dialog import CloseDialog

    def click() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, CloseDialog) and w.isVisible()),
                      None)
        if dialog is None:
            QTimer.singleShot(20, click)
            return
        dialog.remember.setChecked(remember)
        getattr(dialog, f"{button}_button").click()

    QTimer.singleShot(0, click)


def deliver_calls(window: MainWindow, context: AppContext, records: list[CallRecord]) -> None:
    """Calls arriving while the window links: stored as an import does, then the window's worker woken."""
    with context.database.begin() as session:
        store_calls.add_calls(session, records)
    assert window.worker_controller is not None
    window.worker_controller.wake()


def jobs_in_state(context: AppContext, state: str) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(LinkJob).where(LinkJob.state == state)) or 0)
