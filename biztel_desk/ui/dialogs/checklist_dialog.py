"""The Salesforce-side checklist (SPEC §13b): what the admin creates in Salesforce, ticked from the last 設定確認."""

from __future__ import annotations

import asyncio
import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services import verification
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
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import ERROR_COLOR, HINT_COLOR, OK_COLOR

# Columns of the Activity field table (the seed's table plus the tick).
COL_STATE, COL_LABEL, COL_TYPE, COL_NAME, COL_API = range(5)


class ChecklistDialog(QDialog):
    """Static resource, custom label, the eleven Activity fields and the formula to copy, each ✓ / ✗ / 未確認."""

    verified = Signal(object)  # VerificationReport of 設定確認を実行 (shown when it is of the setting chosen)
    verify_failed = Signal(str)  # why it could not run, in the UI language

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
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "録音の再生リンクを活動履歴に表示するため、Salesforceの「設定」で次の項目を作成してください。"
            "各項目の状態は最後に実行した設定確認の結果です。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("連携設定:")))
        self.setting_combo = QComboBox()
        self.setting_combo.setMinimumWidth(200)
        top.addWidget(self.setting_combo)
        self.verified_label = QLabel()
        self.verified_label.setStyleSheet(f"color: {HINT_COLOR};")
        top.addWidget(self.verified_label, 1)
        self.verify_button = QPushButton(self.tr("設定確認を実行"))
        self.verify_button.setToolTip(self.tr("Salesforceに接続して、この一覧の状態を更新します(書き込みは行いません)"))
        self.verify_button.clicked.connect(self._on_verify_button_clicked)
        top.addWidget(self.verify_button)
        layout.addLayout(top)

        resource = QGroupBox(self.tr("1. 静的リソース(設定 → カスタムコード → 静的リソース)"))
        form = QFormLayout(resource)
        self.resource_state = self._state_label()
        form.addRow(self.tr("状態:"), self.resource_state)
        form.addRow(self.tr("名前:"), self._copyable(STATIC_RESOURCE))
        form.addRow(self.tr("ファイル:"), QLabel(self.tr("録音再生ボタンに使う画像ファイル(お客様にてご用意ください)")))
        layout.addWidget(resource)

        label = QGroupBox(self.tr("2. カスタム表示ラベル(設定 → ユーザインターフェース → カスタム表示ラベル)"))
        form = QFormLayout(label)
        self.label_state = self._state_label()
        form.addRow(self.tr("状態:"), self.label_state)
        form.addRow(self.tr("簡単な説明:"), QLabel(CUSTOM_LABEL_DESCRIPTION))
        form.addRow(self.tr("名前:"), self._copyable(CUSTOM_LABEL))
        value = QLabel(self.tr("{value}(静的リソース speaker の「ファイルを表示」で開いたURLのパス)").format(
            value=CUSTOM_LABEL_VALUE))
        value.setWordWrap(True)
        form.addRow(self.tr("値:"), value)
        layout.addWidget(label)

        fields = QGroupBox(self.tr("3. 活動のカスタム項目(オブジェクトマネージャ → 活動 → 項目とリレーション)"))
        fields_layout = QVBoxLayout(fields)
        self.fields_table = QTableWidget(len(ACTIVITY_FIELDS), 5)
        self.fields_table.setHorizontalHeaderLabels(
            [self.tr("状態"), self.tr("項目の表示ラベル"), self.tr("データ型"), self.tr("項目名"), self.tr("API参照名")])
        self.fields_table.verticalHeader().setVisible(False)
        self.fields_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.fields_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_API, QHeaderView.ResizeMode.Stretch)
        lang = self.context.lang
        for row, spec in enumerate(ACTIVITY_FIELDS):
            texts = {COL_LABEL: pick(lang, spec.label, spec.label_en),
                     COL_TYPE: pick(lang, spec.type_ja, spec.type_en),
                     COL_NAME: spec.field_name, COL_API: spec.api_name}
            for column, text in texts.items():
                self.fields_table.setItem(row, column, QTableWidgetItem(text))
            self.fields_table.setItem(row, COL_STATE, QTableWidgetItem())
        self.fields_table.resizeRowsToContents()
        # Show all eleven rows without a scroll bar: the admin ticks them off one by one.
        self.fields_table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.fields_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fields_layout.addWidget(self.fields_table)
        layout.addWidget(fields, 1)

        formula = QGroupBox(self.tr("4. 音声再生(WavUrlImg__c)の数式"))
        formula_layout = QHBoxLayout(formula)
        self.formula_edit = QLineEdit(WAV_FORMULA)
        self.formula_edit.setReadOnly(True)
        self.formula_edit.setCursorPosition(0)
        formula_layout.addWidget(self.formula_edit, 1)
        self.copy_formula_button = QPushButton(self.tr("コピー"))
        self.copy_formula_button.setToolTip(self.tr("数式をクリップボードにコピーします"))
        self.copy_formula_button.clicked.connect(self._on_copy_formula_button_clicked)
        formula_layout.addWidget(self.copy_formula_button)
        layout.addWidget(formula)

        buttons = QDialogButtonBox()
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("閉じる"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _state_label() -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    @staticmethod
    def _copyable(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setStyleSheet("font-family: monospace;")
        return label

    # --- state --------------------------------------------------------------------------------------------------

    def setting_name(self) -> str:
        return self.setting_combo.currentText()

    def _stored_report(self) -> VerificationReport | None:
        name = self.setting_name()
        return verification.load_last_report(self.context.config, name) if name else None

    def state_of(self, key: str) -> bool | None:
        """True ✓, False ✗, None 未確認 (never verified, or the check could not run)."""
        return self.report.checked.get(key) if self.report is not None else None

    def _state(self, key: str) -> tuple[str, str, str]:
        """(mark, colour, tooltip) of one checklist item."""
        state = self.state_of(key)
        if state is True:
            return "✓ " + self.tr("OK"), OK_COLOR, ""
        if state is False:
            assert self.report is not None
            reasons = [p.text(self.context.lang) for p in self.report.problems if p.target == key]
            return "✗ " + self.tr("要対応"), ERROR_COLOR, "\n".join(reasons)
        return "－ " + self.tr("未確認"), HINT_COLOR, self.tr("設定確認を実行すると状態が表示されます")

    def show_report(self, report: VerificationReport | None) -> None:
        """Tick every item from ``report`` (None: nothing verified yet)."""
        self.report = report
        if report is None:
            self.verified_label.setText(self.tr("まだ設定確認を実行していません"))
        else:
            self.verified_label.setText(self.tr("最終確認: {time}").format(time=_local_time(report.verified_at)))
        for label, key in ((self.resource_state, RESOURCE_KEY), (self.label_state, LABEL_KEY)):
            text, color, tip = self._state(key)
            label.setText(text)
            label.setStyleSheet(f"color: {color}; font-weight: bold;")
            label.setToolTip(tip)
        for row, spec in enumerate(ACTIVITY_FIELDS):
            text, color, tip = self._state(field_key(spec.api_name))
            item = self.fields_table.item(row, COL_STATE)
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
        self.verified.emit(report)

    def _on_verify_failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        reason = error.text(self.context.lang) if isinstance(error, KnownError) else str(error)
        self.verified_label.setText(reason)
        self.verify_failed.emit(reason)


def _local_time(iso: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
