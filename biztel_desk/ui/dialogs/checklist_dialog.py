"""The Salesforce-side checklist (SPEC §13b): what the admin creates in Salesforce, ticked from the last 設定確認."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QWidget,
)

from biztel_desk.domain.errors import error_text
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services import verification
from biztel_desk.services.checklist_view import item_state, local_time
from biztel_desk.services.context import AppContext
from biztel_desk.services.verification import (
    ACTIVITY_FIELDS,
    CUSTOM_LABEL,
    CUSTOM_LABEL_DESCRIPTION,
    CUSTOM_LABEL_VALUE,
    LABEL_KEY,
    RESOURCE_KEY,
    STATIC_RESOURCE,
    WAV_FORMULA,
    VerificationReport,
    field_key,
)
from biztel_desk.ui.boxes import hbox, vbox
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import (
    HINT_COLOR,
    MARKS,
    button,
    combo,
    line_edit,
    read_only_table,
    text_label,
)

# Columns of the Activity field table (the seed's table plus the tick).
COL_STATE, COL_LABEL, COL_TYPE, COL_NAME, COL_API = range(5)


class ChecklistDialog(QDialog):
    """Static resource, custom label, the eleven Activity fields and the formula to copy, each ✓ / ✗ / 未確認."""

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, setting_name: str | None = None,
                 report: VerificationReport | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.report: VerificationReport | None = None
        self.jobs = Jobs(self)
        self.setWindowTitle(self.tr("Salesforce側の設定チェックリスト"))
        self.setObjectName("checklistDialog")
        self._build()
        names = [summary.name for summary in context.config.list_settings()]
        self.setting_combo.addItems(names)
        if setting_name and setting_name in names:
            self.setting_combo.setCurrentText(setting_name)
        self.setting_combo.currentTextChanged.connect(self._on_setting_combo_current_text_changed)
        self.show_report(report if report is not None else self._stored_report())
        self.resize(880, self.sizeHint().height())

    # --- layout -------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        intro = text_label(self.tr(
            "録音の再生リンクを活動履歴に表示するため、Salesforceの「設定」で次の項目を作成してください。"
            "各項目の状態は最後に実行した設定確認の結果です。"))
        self.setting_combo = combo(min_width=200)
        self.verified_label = QLabel()
        self.verified_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.verify_button = button(self.tr("設定確認を実行"), self._on_verify_button_clicked, tooltip=self.tr(
            "Salesforceに接続して、この一覧の状態を更新します(書き込みは行いません)"))
        top = hbox(QLabel(self.tr("連携設定:")), self.setting_combo, (self.verified_label, 1), self.verify_button)

        self.resource_state = QLabel()
        resource = _group(self.tr("1. 静的リソース(設定 → カスタムコード → 静的リソース)"), [
            (self.tr("状態:"), self.resource_state),
            (self.tr("名前:"), _copyable(STATIC_RESOURCE)),
            (self.tr("ファイル:"), QLabel(self.tr("録音再生ボタンに使う画像ファイル(お客様にてご用意ください)")))])
        self.label_state = QLabel()
        label = _group(self.tr("2. カスタム表示ラベル(設定 → ユーザインターフェース → カスタム表示ラベル)"), [
            (self.tr("状態:"), self.label_state),
            (self.tr("簡単な説明:"), QLabel(CUSTOM_LABEL_DESCRIPTION)),
            (self.tr("名前:"), _copyable(CUSTOM_LABEL)),
            (self.tr("値:"), text_label(self.tr("{value}(静的リソース speaker の「ファイルを表示」で開いたURLのパス)")
                                        .format(value=CUSTOM_LABEL_VALUE)))])

        fields = QGroupBox(self.tr("3. 活動のカスタム項目(オブジェクトマネージャ → 活動 → 項目とリレーション)"))
        self.fields_table = read_only_table([self.tr("状態"), self.tr("項目の表示ラベル"), self.tr("データ型"),
                                             self.tr("項目名"), self.tr("API参照名")], len(ACTIVITY_FIELDS))
        header = self.fields_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_API, QHeaderView.ResizeMode.Stretch)
        lang = self.context.lang
        for index, spec in enumerate(ACTIVITY_FIELDS):
            texts = {COL_STATE: "", COL_LABEL: pick(lang, spec.label, spec.label_en),
                     COL_TYPE: pick(lang, spec.type_ja, spec.type_en), COL_NAME: spec.field_name,
                     COL_API: spec.api_name}
            for column_index, text in texts.items():
                self.fields_table.setItem(index, column_index, QTableWidgetItem(text))
        self.fields_table.resizeRowsToContents()
        # Show all eleven rows without a scroll bar: the admin ticks them off one by one.
        self.fields_table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.fields_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        vbox(self.fields_table, parent=fields)

        formula = QGroupBox(self.tr("4. 音声再生(WavUrlImg__c)の数式"))
        self.formula_edit = line_edit(WAV_FORMULA, read_only=True)
        self.formula_edit.setCursorPosition(0)
        self.copy_formula_button = button(self.tr("コピー"), self._on_copy_formula_button_clicked,
                                          tooltip=self.tr("数式をクリップボードにコピーします"))
        hbox((self.formula_edit, 1), self.copy_formula_button, parent=formula)

        buttons = QDialogButtonBox()
        buttons.addButton(QDialogButtonBox.StandardButton.Close).setText(self.tr("閉じる"))
        buttons.rejected.connect(self.reject)
        vbox(intro, top, resource, label, (fields, 1), formula, buttons, parent=self)

    # --- state --------------------------------------------------------------------------------------------------

    def setting_name(self) -> str:
        return self.setting_combo.currentText()

    def _stored_report(self) -> VerificationReport | None:
        name = self.setting_name()
        return verification.load_last_report(self.context.config, name) if name else None

    def _state(self, key: str) -> tuple[str, str, str]:
        """(mark and word, colour, tooltip) of one checklist item."""
        kind, reasons = item_state(self.report, key, self.context.lang)
        text, tip = {"ok": (self.tr("OK"), ""), "error": (self.tr("要対応"), reasons),
                     "unchecked": (self.tr("未確認"), self.tr("設定確認を実行すると状態が表示されます"))}[kind]
        mark, color = MARKS[kind]
        return f"{mark} {text}", color, tip

    def show_report(self, report: VerificationReport | None) -> None:
        """Tick every item from ``report`` (None: nothing verified yet)."""
        self.report = report
        if report is None:
            self.verified_label.setText(self.tr("まだ設定確認を実行していません"))
        else:
            self.verified_label.setText(self.tr("最終確認: {time}").format(time=local_time(report.verified_at)))
        for label, key in ((self.resource_state, RESOURCE_KEY), (self.label_state, LABEL_KEY)):
            text, color, tip = self._state(key)
            label.setText(text)
            label.setStyleSheet(f"color: {color}; font-weight: bold;")
            label.setToolTip(tip)
        for index, spec in enumerate(ACTIVITY_FIELDS):
            text, color, tip = self._state(field_key(spec.api_name))
            item = self.fields_table.item(index, COL_STATE)
            assert item is not None  # every row's state cell was made in _build
            item.setText(text)
            item.setForeground(QColor(color))
            item.setToolTip(tip)
            font = item.font()
            font.setBold(True)
            item.setFont(font)

    # --- slots --------------------------------------------------------------------------------------------------

    def _on_setting_combo_current_text_changed(self, _name: str) -> None:
        self.show_report(self._stored_report())

    def _on_copy_formula_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(WAV_FORMULA)
        self.copy_formula_button.setText(self.tr("コピーしました"))

    def _on_verify_button_clicked(self) -> None:
        name = self.setting_name()
        if not name or self.jobs.running("verify"):
            return
        self.verify_button.setEnabled(False)
        self.verified_label.setText(self.tr("確認しています…"))
        self.jobs.run("verify", self._verify(name), on_error=self._on_verify_failed)

    async def _verify(self, name: str) -> None:
        report = await asyncio.to_thread(verification.verify_setting, self.context, name)
        self.verify_button.setEnabled(True)
        if report.setting == self.setting_name():
            self.show_report(report)

    def _on_verify_failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        reason = error_text(error, self.context.lang)
        self.verified_label.setText(reason)


def _group(title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
    """One numbered item of the checklist: a titled box of label: value rows."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    for text, field in rows:
        form.addRow(text, field)
    return box


def _copyable(text: str) -> QLabel:
    """A name the admin types into Salesforce: monospace and selectable."""
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet("font-family: monospace;")
    return label

