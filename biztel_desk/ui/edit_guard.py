"""The window's unsaved-edits guard over the tabs with their own 保存 (基本情報, オブジェクト, 連携対象).

Leaving one with edits — another tab, another setting, 新規, closing — asks 保存 / 破棄 / キャンセル, one question per
tab with edits; 設定確認 with edits asks 保存して確認 / 保存せずに確認 / キャンセル. The オブジェクト tab's 保存 compares
new tab codes with the org's key prefixes in a job first: the action that asked goes on when that save succeeds
(``ObjectsTab.saved_later``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from biztel_desk.ui.boxes import named
from biztel_desk.ui.widgets import ask

if TYPE_CHECKING:
    from biztel_desk.ui.main_window import MainWindow


class EditGuard(QObject):
    """Asks before the window's setting tabs lose their edits; 設定確認 goes through ``verify``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main = window
        self.tabs = window.tabs
        self.edit_tabs: list[QWidget] = [window.basic_tab, window.objects_tab, window.targets_tab]  # in tab order
        self.leaving = False  # a switch is in progress: 基本情報's 保存 must not move the selection itself
        self.verify_edits_box: QMessageBox | None = None  # 設定確認's question about unsaved edits, while open
        self._shown_tab: QWidget | None = self.tabs.currentWidget()
        self._tab_guarding = False
        self._pending_leave: Callable[[], object] | None = None  # runs when a 保存 that finishes later succeeds
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        window.objects_tab.saved_later.connect(self._on_objects_tab_saved_later)
        window.basic_tab.verify_requested.connect(self.verify)

    def _tab_title(self, tab: QWidget) -> str:
        return self.tabs.tabText(self.tabs.indexOf(tab))

    def confirm_leave(self, then: Callable[[], object] | None = None, tabs: list[QWidget] | None = None, *,
                      leaving_setting: bool = True) -> bool:
        """True when ``tabs`` (default: every tab with its own 保存) may be left: each is clean, or the user saved or
        discarded its edits. False keeps the user where they were: キャンセル, a refused 保存 (the tab is shown with
        its problems), or a 保存 still comparing tab codes with the org — ``then`` (the action that asked) runs once
        that save succeeds. ``leaving_setting`` False (only another tab of the same setting is wanted): a new or
        renamed setting saved from 基本情報 is selected as after its own 保存."""
        basic = self.main.basic_tab
        for tab in self.edit_tabs if tabs is None else tabs:
            if not tab.is_dirty():  # type: ignore[attr-defined]
                continue
            if tab is basic:
                name = basic.setting_name() or basic.name_edit.text() or self.tr("新しい連携設定")
            else:
                name = self.main.selected_setting() or ""
            answer = ask(
                self.main,
                self.tr("未保存の変更"),
                self.tr("「{0}」の{1}に保存されていない変更があります。保存しますか?").format(name, self._tab_title(tab)),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Discard:
                tab.revert()  # type: ignore[attr-defined]
                continue
            if answer != QMessageBox.StandardButton.Save:
                return False
            self.leaving = leaving_setting
            try:
                saved = self._save_tab(tab, then)
            finally:
                self.leaving = False
            if not saved:
                return False
        return True

    def _save_tab(self, tab: QWidget, then: Callable[[], object] | None) -> bool:
        """Save a tab for the guard or 設定確認. False shows the tab: its 保存 was refused (with its problems), or the
        objects tab compares new tab codes with the org first — ``then`` runs once that save succeeds."""
        saved = tab.save()  # type: ignore[attr-defined]
        if saved is None:
            self._pending_leave = then  # see _on_objects_tab_saved_later (nothing runs when it is refused)
        if not saved:
            self.show_tab(tab)
        return bool(saved)

    @Slot(bool)
    def _on_objects_tab_saved_later(self, saved: bool) -> None:
        then, self._pending_leave = self._pending_leave, None
        if saved and then is not None:
            QTimer.singleShot(0, self, then)  # after the save's job has ended

    def show_tab(self, tab: QWidget) -> None:
        """Show a tab from the guard itself (asks nothing)."""
        self._tab_guarding = True
        try:
            self.tabs.setCurrentWidget(tab)
        finally:
            self._tab_guarding = False
        self._shown_tab = self.tabs.currentWidget()

    @Slot(int)
    def _on_tabs_current_changed(self, _index: int) -> None:
        """Leaving オブジェクト / 連携対象 / 基本情報 with unsaved edits asks first; キャンセル stays on the tab."""
        previous, current = self._shown_tab, self.tabs.currentWidget()
        if (self._tab_guarding or previous is current or previous not in self.edit_tabs
                or not previous.is_dirty()):  # type: ignore[union-attr]
            self._shown_tab = current
            return
        self.show_tab(previous)  # stay while asking
        if self.confirm_leave(lambda: self.show_tab(current), [previous], leaving_setting=False):
            self.show_tab(current)

    @Slot(str)
    def verify(self, name: str, ask_first: bool = True) -> None:
        """設定確認 checks the saved setting: edits not saved yet are saved first (保存して確認; 基本情報 last, as a
        rename reloads every tab), left out (保存せずに確認), or nothing runs (キャンセル). It runs in the runner's
        thread pool; it shows a busy dialog, then one popup (SPEC §11)."""
        dirty = [tab for tab in self.edit_tabs if tab.is_dirty()]  # type: ignore[attr-defined]
        if dirty:
            choice = self._ask_verify_edits(name, dirty) if ask_first else True
            if choice is None:
                return
            if choice and not all(
                self._save_tab(tab, lambda: self.verify(self.main.selected_setting() or name, ask_first=False))
                for tab in sorted(dirty, key=lambda tab: tab is self.main.basic_tab)
            ):
                return
            name = self.main.selected_setting() or name  # 基本情報 may have renamed the setting
        self.main.verify_runner.run(name)

    def _ask_verify_edits(self, name: str, dirty: list[QWidget]) -> bool | None:
        """保存して確認 (True) / 保存せずに確認 (False) / キャンセル (None)."""
        titles = self.tr("、").join(self._tab_title(tab) for tab in dirty)
        text = self.tr("「{0}」の{1}に保存されていない変更があります。").format(name, titles)
        box = named(QMessageBox(QMessageBox.Icon.Question, self.tr("設定確認"), text, parent=self.main), "verifyEditsBox")
        box.setInformativeText(self.tr("設定確認は保存済みの設定をSalesforceで確認します。変更を保存してから確認しますか?"))
        answers = {named(box.addButton(text, role), object_name): answer for object_name, text, role, answer in (
            ("saveAndVerify", self.tr("保存して確認"), QMessageBox.ButtonRole.AcceptRole, True),
            ("verifyWithoutSaving", self.tr("保存せずに確認"), QMessageBox.ButtonRole.ActionRole, False),
            ("cancelVerify", self.tr("キャンセル"), QMessageBox.ButtonRole.RejectRole, None),
        )}
        save, _unsaved, cancel = answers
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        self.verify_edits_box = box
        try:
            box.exec()
            return answers.get(box.clickedButton())
        finally:
            self.verify_edits_box = None
            box.deleteLater()
