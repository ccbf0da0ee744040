"""Closing the window: the question (stop and quit / stay in the tray / cancel), remembered only when ticked; the tray."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.window import answer_close_question
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QWidget

from biztel_desk.ui.dialogs import close_dialog
from biztel_desk.ui.dialogs.close_dialog import CloseAction, ask_close_action
from biztel_desk.ui.tray import AppTray, TrayState

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note when a dialog is shown


def test_the_choice_is_remembered_only_when_ticked(qtbot, context: Any) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    answer_close_question("tray", remember=False)
    assert ask_close_action(parent, context.config) is CloseAction.TRAY
    assert context.config.preference(close_dialog.PREFERENCE_KEY) is None
    answer_close_question("cancel", remember=True)
    assert ask_close_action(parent, context.config) is None
    assert context.config.preference(close_dialog.PREFERENCE_KEY) is None  # キャンセル is never remembered
    answer_close_question("quit", remember=True)
    assert ask_close_action(parent, context.config) is CloseAction.QUIT
    assert close_dialog.remembered(context.config) is CloseAction.QUIT
    assert ask_close_action(parent, context.config) is CloseAction.QUIT  # asked no more: no dialog opened


def test_the_tray_shows_the_state_and_its_menu_acts(qtbot) -> None:  # type: ignore[no-untyped-def]
    tray = AppTray(QIcon())
    tray.set_state(TrayState.ATTENTION, "本社: Salesforce に再ログインが必要です")
    assert "要対応" in tray.tooltip() and "再ログイン" in tray.tooltip()
    assert tray.pause_action.text() == "休止"
    tray.set_state(TrayState.PAUSED)
    assert tray.pause_action.text() == "再開" and tray.pause_action.isEnabled()
    tray.set_state(TrayState.STOPPED)
    assert not tray.pause_action.isEnabled()
    with qtbot.waitSignal(tray.quit_requested):
        tray.quit_action.trigger()
    with qtbot.waitSignal(tray.open_requested):
        tray.open_action.trigger()
    colors = {state: tray_icon_corner(state) for state in TrayState}
    assert len(set(colors.values())) == len(TrayState)  # each state its own colour


def tray_icon_corner(state: TrayState) -> str:
    from biztel_desk.ui.tray import badged

    image = badged(QIcon(), state).pixmap(32, 32).toImage()
    return image.pixelColor(26, 26).name()
