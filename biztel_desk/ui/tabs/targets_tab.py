"""連携対象 tab (SPEC §7, seed 手順6): the company numbers whose calls are linked; 編集 → check → 保存."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QInputDialog, QLabel, QTableWidgetItem, QWidget

from biztel_desk.domain.config import LinkSettingConfig, LinkTargetConfig
from biztel_desk.services import relink
from biztel_desk.services.context import AppContext
from biztel_desk.services.history import TIME_FORMAT, zone_of
from biztel_desk.services.relink import UnknownNumber
from biztel_desk.services.setting_tables import alias_row, relink_candidates, unknown_actions
from biztel_desk.ui.boxes import STRETCH, hbox, named, vbox
from biztel_desk.ui.dialogs.relink_dialog import RelinkDialog
from biztel_desk.ui.models.targets_model import TargetsModel
from biztel_desk.ui.setting_tables import SettingTable, rows_view
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import button, line_edit, read_only_table, text_label

Mode = QHeaderView.ResizeMode
Trigger = QAbstractItemView.EditTrigger


class TargetsTab(SettingTable):
    """Read-only until 編集; then numbers can be checked, added, removed and marked default outbound."""

    unknown_loaded = Signal()  # the 未登録の番号 list is filled (it is computed in the background)
    relink_checked = Signal(int)  # past calls a change made linkable were counted (the dialog opens when > 0)
    LIST = "targets"
    model: TargetsModel

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, TargetsModel(), parent)
        # Only the エイリアス column is ever editable (and only in edit mode: the model's flags decide).
        self.view = rows_view(self.model, self, "targetsView",
                              Trigger.DoubleClicked | Trigger.EditKeyPressed | Trigger.SelectedClicked)
        self.relink_dialog: RelinkDialog | None = None
        self.jobs = Jobs(self)  # 未登録の番号 ("unknown": a newer list wins) and the relink count ("relink")

        # 未登録の番号: company sides of stored calls that no number and no alias of this setting names.
        self.unknown_view = read_only_table([self.tr("番号(交換機の表記)"), self.tr("通話数"), self.tr("最後の通話")])
        self.unknown_view.setParent(self)  # right after the numbers in the tab order
        self.unknown_view.setObjectName("unknownView")
        self.unknown_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.unknown_view.horizontalHeader().setSectionResizeMode(0, Mode.Stretch)
        self.unknown_view.horizontalHeader().setSectionResizeMode(2, Mode.ResizeToContents)
        self.unknown_view.setMaximumHeight(160)
        self.unknown_add_button = button(self.tr("追加"), self._on_unknown_add_clicked, name="unknownAdd", parent=self)
        self.unknown_alias_button = button(self.tr("エイリアスにする"), self._on_unknown_alias_clicked, name="unknownAlias",
                                           parent=self)

        intro = text_label(
            self.tr("チェックを付けた電話番号の通話だけがSalesforceに連携されます。変更するには「編集」をクリックしてください。")
        )
        self.edit_button = button(self.tr("編集"), self._on_edit_button_clicked, parent=self)
        self.number_edit = line_edit(placeholder=self.tr("電話番号(例: 03-1234-5678)"), name="numberEdit", parent=self)
        self.add_button = button(self.tr("追加"), self._on_add_button_clicked, parent=self)
        self.delete_button = button(self.tr("削除"), lambda: self.model.remove(self._current_row()), parent=self)
        self.alias_hint = text_label(
            self.tr("エイリアス(交換機が書く別の表記: 0100、gsm0、s など)は、セルをダブルクリックしてカンマ区切りで入力します。"),
            name="aliasHint",
        )
        self.alias_hint.setStyleSheet("color: #6a737d;")
        self.warning_label = named(QLabel(self.tr("電話番号設定が不足しています"), self), "warning")
        self.warning_label.setStyleSheet("color: #9a6700; font-weight: bold;")

        top = hbox((intro, 1))
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.unknown_box = QWidget(self)
        vbox(
            text_label(self.tr("未登録の番号"), bold=True),
            text_label(self.tr("取り込んだ通話のうち、どの電話番号・エイリアスにも一致しない会社側の番号です(連携されず、"
                               "連携通話履歴に「対象外」として残ります)。番号として追加するか、上の表で選んだ番号のエイリアスにしてください。")),
            self.unknown_view,
            hbox(STRETCH, self.unknown_add_button, self.unknown_alias_button),
            parent=self.unknown_box,
        ).setContentsMargins(0, 8, 0, 0)
        vbox(top, (self.view, 1), hbox((self.number_edit, 1), self.add_button, self.delete_button), self.alias_hint,
             self.problems_label, self.warning_label, self._bottom_row(), self.unknown_box, parent=self)

        self.number_edit.returnPressed.connect(self._on_add_button_clicked)
        self.number_edit.textEdited.connect(lambda _text: self._show_problems([]))
        self.model.edited.connect(self._update_warning)
        self.unknown_view.itemSelectionChanged.connect(self._update_unknown_buttons)
        self.load(None)

    # --- the agreed tab interface ----------------------------------------------------------------------------

    def _loaded(self, setting: LinkSettingConfig | None) -> None:
        self.model.region = self.context.config.system().default_region
        self.load_unknown()
        self.number_edit.clear()
        self._set_editing(False)

    def save(self) -> bool:
        """保存 (as the button): True when saved, False when refused (the problems are shown, the edits stay)."""
        return self._save(self.model.targets())

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_edit_button_clicked(self) -> None:
        self.status_label.clear()
        self._set_editing(True)
        self.number_edit.setFocus()

    def _on_add_button_clicked(self) -> None:
        if not self._editing:
            return
        text = self.number_edit.text()
        _e164, problem = self.model.check_new(text)
        if problem is not None:
            self._show_problems([problem])
            self.number_edit.setFocus()
            self.number_edit.selectAll()
            return
        self.view.selectRow(self.model.append(LinkTargetConfig(text.strip(), enabled=True)))
        self.number_edit.clear()
        self._show_problems([])

    def _save(self, targets: list[LinkTargetConfig]) -> bool:
        before = self._saved
        saved = self._store(lambda name: self.context.config.save_targets(name, targets), self._show_problems)
        if saved is None:
            return False
        self._set_editing(False)
        self.load_unknown()
        self.changed.emit()
        self.offer_relink(before, saved)
        return True

    # --- 未登録の番号 and linking past calls --------------------------------------------------------------------

    def load_unknown(self) -> None:
        """List (in the background) the company numbers of stored calls no number or alias of this setting names."""
        if not self.setting_name:
            self.jobs.cancel("unknown")
            self._show_unknown([])
            return
        self.jobs.run("unknown", self._load_unknown(self.setting_name), on_error=self._on_unknown_failed)

    async def _load_unknown(self, setting: str) -> None:
        # 未登録の番号 groups every stored call (about a second per 300,000): never on the GUI thread.
        self._show_unknown(await asyncio.to_thread(relink.unknown_numbers_of, self.context.database, setting))

    def _on_unknown_failed(self, _error: BaseException) -> None:
        # The database went away (the profile closed under the query): the list stays empty, nothing else depends
        # on it — and nothing here may read the database again (_show_unknown reads the time zone).
        self.unknown_view.setRowCount(0)
        self.unknown_box.setVisible(False)

    def _show_unknown(self, unknown: list[UnknownNumber]) -> None:
        zone = zone_of(self.context.config.system().time_zone)
        self.unknown_view.setRowCount(len(unknown))
        for at, number in enumerate(unknown):
            shown = number.number or self.tr("(番号なし)")
            item = QTableWidgetItem(shown)
            item.setData(Qt.ItemDataRole.UserRole, number.number)
            self.unknown_view.setItem(at, 0, item)
            count = QTableWidgetItem(str(number.calls))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.unknown_view.setItem(at, 1, count)
            last = number.last_started_at.astimezone(zone).strftime(TIME_FORMAT) if number.last_started_at else ""
            self.unknown_view.setItem(at, 2, QTableWidgetItem(last))
        self.unknown_box.setVisible(bool(unknown))
        self._update_unknown_buttons()
        self.unknown_loaded.emit()

    def _selected_unknown(self) -> str | None:
        rows = self.unknown_view.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.unknown_view.item(rows[0].row(), 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _update_unknown_buttons(self) -> None:
        offered = unknown_actions(self._selected_unknown(), self.model.region, self.model.rowCount())
        self.unknown_add_button.setEnabled(offered.add)
        self.unknown_add_button.setToolTip(
            self.tr("電話番号として登録できない表記です。エイリアスにしてください。") if offered.alias_only else ""
        )
        self.unknown_alias_button.setEnabled(offered.alias)

    def _on_unknown_add_clicked(self) -> None:
        number = self._selected_unknown()
        if not number:
            return
        if self._editing:
            self.model.append(LinkTargetConfig(number, enabled=True))
        else:
            self._save([*self.model.targets(), LinkTargetConfig(number, enabled=True)])

    def _on_unknown_alias_clicked(self) -> None:
        alias = self._selected_unknown()
        if not alias or self.model.rowCount() == 0:
            return
        at = alias_row(self._current_row(), self.model.rowCount())
        if at is None:
            numbers = [target.number for target in self.model.targets()]
            choice, ok = QInputDialog.getItem(
                self, self.tr("エイリアスにする"),
                self.tr("「{0}」をどの番号のエイリアスにしますか?").format(alias), numbers, 0, False,
            )
            if not ok:
                return
            at = numbers.index(choice)
        if self._editing:
            self.model.add_alias(at, alias)
            return
        targets = self.model.targets()
        targets[at] = replace(targets[at], aliases=(*targets[at].aliases, alias))
        self._save(targets)

    def offer_relink(self, before: list[LinkTargetConfig], after: list[LinkTargetConfig]) -> None:
        """A number ticked, an alias added or a 既定の発信番号 set: ask whether to link its past calls."""
        changed = relink_candidates(before, after, self.model.region)
        if not changed or self.setting_name is None:
            return
        setting = self.setting_name
        self.jobs.run("relink", self._count_relinkable(setting, changed),
                      on_error=lambda _error: self._on_relink_counted(setting, {}))  # nothing to offer

    async def _count_relinkable(self, setting: str, numbers: list[str]) -> None:
        # How many past calls each changed number would link: reads every call in the retention period.
        counts = await asyncio.to_thread(relink.relinkable_counts, self.context.database, setting, numbers)
        self._on_relink_counted(setting, counts)

    def _on_relink_counted(self, setting: str, counts: dict[str, int]) -> None:
        total = sum(counts.values())
        if total and setting == self.setting_name:
            self.relink_dialog = RelinkDialog(self.context, setting, counts, self)
            self.relink_dialog.accepted.connect(self._on_relinked)
            self.relink_dialog.open()
        self.relink_checked.emit(total)

    def _on_relinked(self) -> None:
        if self.relink_dialog is not None:
            self.status_label.setText(
                self.tr("過去の通話 {0}件を連携待ちにしました。").format(self.relink_dialog.outcome_jobs)
            )
        self.changed.emit()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _set_editing(self, editing: bool) -> None:
        super()._set_editing(editing)
        self.edit_button.setEnabled(not editing)
        for widget in (self.number_edit, self.add_button, self.delete_button, self.save_button, self.cancel_button,
                       self.alias_hint):
            widget.setVisible(editing)
        self._update_warning()

    def _update_warning(self) -> None:
        self.warning_label.setVisible(self.setting_name is not None and self.model.checked_count() == 0)
