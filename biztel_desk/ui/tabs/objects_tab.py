"""オブジェクト tab (SPEC §6, seed 手順5): the objects searched for the caller, their tab codes and priority."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from biztel_desk.domain.config import LinkObjectConfig, LinkSettingConfig, validate_objects
from biztel_desk.domain.errors import KnownError
from biztel_desk.services import verification
from biztel_desk.services.context import AppContext
from biztel_desk.services.setting_tables import objects_buttons
from biztel_desk.services.verification import VerifyProblem
from biztel_desk.ui.boxes import STRETCH, hbox, vbox
from biztel_desk.ui.models.objects_model import ObjectsModel
from biztel_desk.ui.setting_tables import SettingTable, rows_view
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import button, text_label

Trigger = QAbstractItemView.EditTrigger


def objects_view(model: ObjectsModel, parent: QWidget) -> QTableView:
    """The objects table (the tab's and the wizard's): cells edited in place, priority with a spin box."""
    return rows_view(model, parent, "objectsView", Trigger.DoubleClicked | Trigger.EditKeyPressed | Trigger.AnyKeyPressed)


class ObjectsTab(SettingTable):
    """Add / edit / delete objects, order them, 保存 validates everything through the config service.

    A new or changed tab code is compared with the org's key prefix before it is saved (設定確認's check, one
    describeGlobal in a job): a mismatch saves nothing; an org that cannot be reached saves and says so.
    """

    saved_later = Signal(bool)  # a 保存 that waited for the key-prefix check ended: True when it saved
    LIST = "objects"
    model: ObjectsModel

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, ObjectsModel(), parent)
        self._checking = False  # a 保存 compares the tab codes with the org's key prefixes
        self.jobs = Jobs(self)  # "save": the key-prefix check, then the save
        self.view = objects_view(self.model, self)
        self.add_button = button(self.tr("追加"), self._on_add_button_clicked, parent=self)
        self.edit_button = button(self.tr("編集"), self._on_edit_button_clicked, parent=self)
        self.delete_button = button(self.tr("削除"), lambda: self.model.remove(self._current_row()), parent=self)
        self.up_button = button(self.tr("上へ"), lambda: self._move(-1), parent=self)
        self.down_button = button(self.tr("下へ"), lambda: self._move(+1), parent=self)
        intro = text_label(self.tr(
            "着信・発信の相手の電話番号を検索するSalesforceのオブジェクトです。優先順位の小さいものから検索し、"
            "タブコードにはレコードIDの先頭3文字(例: 取引先 001、取引先責任者 003、リード 00Q)を入力します。"
            "セルをダブルクリックすると編集できます。"
        ))
        self.lead_note = text_label(self.tr(
            "注意: 連携に使うSalesforceアカウントがリード(Lead)にアクセスできない場合は、必ずLeadの行を削除してください。"
        ), name="leadNote")
        side = vbox(self.add_button, self.edit_button, self.delete_button, 16, self.up_button, self.down_button, STRETCH)
        vbox(intro, (hbox((self.view, 1), side), 1), self.problems_label, self.lead_note, self._bottom_row(), parent=self)
        self.model.edited.connect(self._on_model_edited)
        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.load(None)

    # --- the agreed tab interface ----------------------------------------------------------------------------

    def _loaded(self, setting: LinkSettingConfig | None) -> None:
        self.jobs.cancel("save")
        self._set_checking(False)
        self._set_editing(setting is not None)
        self._update_buttons()

    def is_saving(self) -> bool:
        """The key-prefix check of a 保存 is running (saved_later follows)."""
        return self.jobs.running("save")

    def save(self) -> bool | None:
        """保存: True when saved, False when refused (the problems are shown), None while the new tab codes are
        compared with the org's key prefixes in the background (``saved_later`` then says whether it saved)."""
        if self.setting_name is None:
            return False
        if self.is_saving():
            return None  # the 保存 under way answers
        self.view.setFocus()  # commits an open cell editor first
        cleaned, problems = validate_objects(self.model.objects())
        if problems:
            self._refused(problems)
            return False
        if not verification.changed_tab_codes(self._saved, cleaned):
            return self._save_objects(cleaned)  # reordered or re-prioritised: nothing new to compare
        self._set_checking(True)
        self.jobs.run("save", self._check_then_save(self.setting_name, cleaned), on_error=self._on_save_failed)
        return None

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_add_button_clicked(self) -> None:
        index = self.model.index(self.model.append(), 0)
        self.view.setCurrentIndex(index)
        self.view.edit(index)

    def _on_edit_button_clicked(self) -> None:
        if self._current_row() >= 0:
            self.view.edit(self.view.currentIndex())

    async def _check_then_save(self, setting: str, objects: list[LinkObjectConfig]) -> None:
        note = ""
        try:
            mismatches = await self.jobs.to_thread(verification.check_tab_codes, self.context, setting, objects)
        except KnownError as error:
            # Offline, a refused login, no account: the codes are saved as typed; 設定確認 checks them later.
            mismatches = {}
            note = self.tr("タブコードをSalesforceのキープレフィックスと照合できませんでした({0})。"
                           "接続できるようになったら「設定確認」で確認してください。").format(error.text(self.context.lang).rstrip("。."))
        finally:
            self._set_checking(False)
        if mismatches:
            self._show_mismatches(mismatches)
            self.status_label.setText(self.tr("保存できませんでした。タブコードを修正してください。"))
            self.saved_later.emit(False)
            return
        self.saved_later.emit(self._save_objects(objects, note))

    def _on_save_failed(self, error: BaseException) -> None:
        """A known failure that is not the check's (the database): nothing was saved, the edits stay."""
        self._set_checking(False)
        self.status_label.setText(error.text(self.context.lang) if isinstance(error, KnownError) else str(error))
        self.saved_later.emit(False)

    def _save_objects(self, objects: list[LinkObjectConfig], note: str = "") -> bool:
        if self._store(lambda name: self.context.config.save_objects(name, objects), self._refused) is None:
            return False
        self._update_buttons()
        self.status_label.setText(self.status_label.text() + note)
        self.changed.emit()
        return True

    def _refused(self, problems: list[Any]) -> None:
        self._show_problems(problems)
        self.status_label.setText(self.tr("保存できませんでした。赤い項目を確認してください。"))

    def _on_model_edited(self) -> None:
        self.status_label.clear()
        self._update_buttons()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _move(self, delta: int) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        moved = self.model.move(index.row(), delta)
        self.view.setCurrentIndex(self.model.index(moved, index.column()))
        self._update_buttons()

    def _set_checking(self, checking: bool) -> None:
        """While the key prefixes are compared: the table and the buttons wait (the edits being saved stay put)."""
        self._checking = checking
        self.view.setEnabled(not checking)
        if checking:
            self.status_label.setText(self.tr("タブコードをSalesforceのキープレフィックスと照合しています…"))
        self._update_buttons()

    def _show_mismatches(self, mismatches: dict[int, VerifyProblem]) -> None:
        """The key-prefix check's findings, on the tab-code cells and under the table."""
        lang = self.context.lang
        self._show_found([(at, "tab_code", found.text(lang)) for at, found in sorted(mismatches.items())])

    def _update_buttons(self, *_current_and_previous: object) -> None:
        enabled = objects_buttons(self._current_row(), self.model.rowCount(), self.is_dirty(), self._checking)
        for key, on in enabled.by_button().items():
            getattr(self, f"{key}_button").setEnabled(on)
