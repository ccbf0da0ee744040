"""連携対象 tab (SPEC §7, seed 手順6): the company numbers whose calls are linked; 編集 → check → 保存."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from biztel_desk.domain.config import LinkTargetConfig, validate_target_number
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.services.context import AppContext
from biztel_desk.ui.models.targets_model import TargetsModel


class TargetsTab(QWidget):
    """Read-only until 編集; then numbers can be checked, added, removed and marked default outbound."""

    changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setting_name: str | None = None
        self._editing = False

        self.model = TargetsModel(parent=self)
        self.view = QTableView(self)
        self.view.setObjectName("targetsView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setDefaultSectionSize(28)

        intro = QLabel(
            self.tr("チェックを付けた電話番号の通話だけがSalesforceに連携されます。変更するには「編集」をクリックしてください。"),
            self,
        )
        intro.setWordWrap(True)
        self.edit_button = QPushButton(self.tr("編集"), self)
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setPlaceholderText(self.tr("電話番号(例: 03-1234-5678)"))
        self.add_button = QPushButton(self.tr("追加"), self)
        self.delete_button = QPushButton(self.tr("削除"), self)
        self.save_button = QPushButton(self.tr("保存"), self)
        self.cancel_button = QPushButton(self.tr("キャンセル"), self)
        self.save_button.setDefault(True)

        self.warning_label = QLabel(self.tr("電話番号設定が不足しています"), self)
        self.warning_label.setObjectName("warning")
        self.warning_label.setStyleSheet("color: #9a6700; font-weight: bold;")
        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b00020;")
        self.problems_label.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status")

        top = QHBoxLayout()
        top.addWidget(intro, 1)
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)

        add_row = QHBoxLayout()
        add_row.addWidget(self.number_edit, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.delete_button)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(add_row)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.warning_label)
        layout.addLayout(bottom)

        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.number_edit.returnPressed.connect(self._on_add_button_clicked)
        self.number_edit.textEdited.connect(self._on_number_edit_text_edited)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.model.edited.connect(self._on_model_edited)
        self.load(None)

    # --- the agreed tab interface ----------------------------------------------------------------------------

    def load(self, setting_name: str | None) -> None:
        """Show the saved numbers of ``setting_name`` in read-only mode; None empties and disables the tab."""
        setting = self.context.config.get_setting(setting_name) if setting_name else None
        self.setting_name = setting.name if setting else None
        self.model.region = self.context.config.system().default_region
        self.model.set_targets(setting.targets if setting else ())
        self.number_edit.clear()
        self.status_label.clear()
        self._show_problems([])
        self._set_editing(False)
        self.setEnabled(setting is not None)

    def is_editing(self) -> bool:
        return self._editing

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_edit_button_clicked(self) -> None:
        self.status_label.clear()
        self._set_editing(True)
        self.number_edit.setFocus()

    def _on_add_button_clicked(self) -> None:
        if not self._editing:
            return
        text = self.number_edit.text()
        e164, problem = validate_target_number(text, self.model.region)
        if problem is None:
            existing = {self.model.e164_of(row) for row in range(self.model.rowCount())}
            if e164 in existing:
                problem = Problem("phone_duplicate", "number", {"value": text.strip()})
        if problem is not None:
            self._show_problems([problem])
            self.number_edit.setFocus()
            self.number_edit.selectAll()
            return
        row = self.model.append(LinkTargetConfig(text.strip(), enabled=True))
        self.view.selectRow(row)
        self.number_edit.clear()
        self._show_problems([])

    def _on_number_edit_text_edited(self, _text: str) -> None:
        self._show_problems([])

    def _on_delete_button_clicked(self) -> None:
        index = self.view.currentIndex()
        if self._editing and index.isValid():
            self.model.remove(index.row())

    def _on_save_button_clicked(self) -> None:
        if self.setting_name is None:
            return
        try:
            saved = self.context.config.save_targets(self.setting_name, self.model.targets())
        except ProblemsError as error:
            self._show_problems(error.problems)
            return
        self.model.set_targets(saved)
        self._show_problems([])
        self._set_editing(False)
        self.status_label.setText(self.tr("保存しました。"))
        self.changed.emit()

    def _on_cancel_button_clicked(self) -> None:
        self.load(self.setting_name)

    def _on_model_edited(self) -> None:
        self._update_warning()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _set_editing(self, editing: bool) -> None:
        self._editing = editing
        self.model.set_editable(editing)
        self.edit_button.setEnabled(not editing)
        for widget in (self.number_edit, self.add_button, self.delete_button, self.save_button, self.cancel_button):
            widget.setVisible(editing)
        self._update_warning()

    def _update_warning(self) -> None:
        self.warning_label.setVisible(self.setting_name is not None and self.model.checked_count() == 0)

    def _show_problems(self, problems: list[Problem]) -> None:
        lines = []
        for problem in problems:
            text = problem.text(self.context.lang)
            row = _row_of(problem.path)
            lines.append(self.tr("{row}行目: {message}").format(row=row + 1, message=text) if row is not None else text)
        self.problems_label.setText("\n".join(lines))
        self.problems_label.setVisible(bool(lines))


def _row_of(path: str) -> int | None:
    if path.startswith("targets[") and "]" in path:
        try:
            return int(path[len("targets[") : path.index("]")])
        except ValueError:
            return None
    return None
