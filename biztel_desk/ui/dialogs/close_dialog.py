"""Closing the window while it links (no background service installed): stop and quit, stay in the tray, or cancel.

The choice is remembered only when the admin ticks 「次回から確認しない」 (preference ``close_action``); 終了 in the
tray menu always quits.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

PREFERENCE_KEY = "close_action"


class CloseAction(StrEnum):
    QUIT = "quit"  # 連携を止めて終了
    TRAY = "tray"  # トレイに常駐して連携を続ける


class Preferences(Protocol):
    def preference(self, key: str, default: object = None) -> object: ...
    def set_preference(self, key: str, value: object) -> None: ...


def remembered(config: Preferences) -> CloseAction | None:
    value = config.preference(PREFERENCE_KEY)
    try:
        return CloseAction(value) if value else None
    except ValueError:
        return None


class CloseDialog(QMessageBox):
    """The question itself; ``choice()`` after ``exec()``: a CloseAction, or None for キャンセル."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("BIZTEL Desk を閉じる"))
        self.setText(self.tr("ウィンドウを閉じると通話の連携も止まります。"))
        self.setInformativeText(self.tr(
            "トレイに常駐すると、ウィンドウを閉じても連携を続けます(タスクトレイのアイコンから開けます)。"
            "PCの起動時から常に連携するには、システム設定 → バックグラウンド連携 でサービスとして登録してください。"))
        # The choices, declared: a button's text and role, and what it answers (None: キャンセル).
        choices = ((self.tr("連携を止めて終了"), QMessageBox.ButtonRole.DestructiveRole, CloseAction.QUIT),
                   (self.tr("トレイに常駐して連携を続ける"), QMessageBox.ButtonRole.AcceptRole, CloseAction.TRAY),
                   (self.tr("キャンセル"), QMessageBox.ButtonRole.RejectRole, None))
        self._answers = {self.addButton(text, role): answer for text, role, answer in choices}
        self.quit_button, self.tray_button, self.cancel_button = self._answers
        self.setDefaultButton(self.tray_button)
        self.setEscapeButton(self.cancel_button)
        self.remember = QCheckBox(self.tr("次回から確認しない(この選択を記憶する)"))
        self.setCheckBox(self.remember)

    def choice(self) -> CloseAction | None:
        return self._answers.get(self.clickedButton())


def ask_close_action(parent: QWidget, config: Preferences) -> CloseAction | None:
    """The remembered choice, else the question (remembering the answer only when the box is ticked)."""
    known = remembered(config)
    if known is not None:
        return known
    dialog = CloseDialog(parent)
    dialog.exec()
    choice = dialog.choice()
    if choice is not None and dialog.remember.isChecked():
        config.set_preference(PREFERENCE_KEY, choice.value)
    return choice
