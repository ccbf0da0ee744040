"""What the オブジェクト and 連携対象 tabs share: the rows of one setting in a table model (``RowsModel``), its view
(``rows_view``), and the tab around it (``SettingTable``): 保存 / キャンセル, the status line, and the problems of a
refused 保存 listed under the table (and on their cells)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QWidget

from biztel_desk.domain.messages import Problem
from biztel_desk.services.context import AppContext
from biztel_desk.services.setting_tables import row_of
from biztel_desk.ui.crash import save_or_say
from biztel_desk.ui.widgets import row

Index = QModelIndex | QPersistentModelIndex
ERROR_BACKGROUND = QColor("#fde2e1")


class RowsModel(QAbstractTableModel):
    """One setting's rows (its objects or its numbers) being edited, kept here until the tab saves them, numbered
    from 1 in the vertical header. ``COLUMNS`` name the columns (a problem's ``field_name`` names its cell)."""

    edited = Signal()
    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._problems: dict[tuple[int, str], str] = {}
        self._editable = False

    def headers(self) -> tuple[str, ...]:
        """The column titles (translated)."""
        raise NotImplementedError

    def set_rows(self, rows: list[Any] | tuple[Any, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._problems = {}
        self.endResetModel()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._refresh()  # the flags changed: let the view repaint the cells

    def set_problems(self, problems: dict[tuple[int, str], str]) -> None:
        """Messages per (row, column name); the cells are highlighted and carry the message as tooltip."""
        self._problems = dict(problems)
        self._refresh()

    def problem(self, row: int, column: str) -> str | None:
        return self._problems.get((row, column))

    def append(self, item: Any) -> int:
        """Add a row at the end; returns its row number."""
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(item)
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        self._problems = {}
        self.edited.emit()

    def _refresh(self, first: int = 0, last: int = -1, roles: list[int] | None = None) -> None:
        """Every row's cells of the columns first..last (-1: the last column) changed."""
        if self._rows:
            last = last if last >= 0 else len(self.COLUMNS) - 1
            self.dataChanged.emit(self.index(0, first), self.index(len(self._rows) - 1, last), roles or [])

    def _problem_data(self, index: Index, role: int) -> Any:
        """A problem cell's tooltip (the message) and red background; None for the other roles and cells."""
        found = self._problems.get((index.row(), self.COLUMNS[index.column()]))
        if found is not None and role == Qt.ItemDataRole.ToolTipRole:
            return found
        if found is not None and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(ERROR_BACKGROUND)
        return None

    # --- QAbstractTableModel -----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if 0 <= section < len(self._rows) else None
        headers = self.headers()
        return headers[section] if 0 <= section < len(headers) else None


def rows_view(model: RowsModel, parent: QWidget, name: str, triggers: QAbstractItemView.EditTrigger,
              modes: tuple[QHeaderView.ResizeMode, ...]) -> QTableView:
    """A setting's table: one whole row selected at a time, edited in place on ``triggers``, ``modes`` per column."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(triggers)
    view.setAlternatingRowColors(True)
    for column, mode in enumerate(modes):
        view.horizontalHeader().setSectionResizeMode(column, mode)
    view.verticalHeader().setDefaultSectionSize(28)
    return view


class SettingTable(QWidget):
    """A tab that edits one setting's rows in ``model``: ``load`` shows a saved setting (None empties and disables
    the tab), 保存 goes through the config service, キャンセル (``revert``) shows the saved rows again."""

    changed = Signal()
    LIST = ""  # the name of the rows in a problem's path: "objects" for objects[2].tab_code

    def __init__(self, context: AppContext, model: RowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setting_name: str | None = None
        self.model = model
        model.setParent(self)
        self._saved: list[Any] = []  # the rows as saved
        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b00020;")
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_label.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status")

    def load(self, setting_name: str | None) -> None:
        raise NotImplementedError

    def save(self) -> bool | None:
        raise NotImplementedError

    def revert(self) -> None:
        """Drop unsaved edits: back to the rows as saved."""
        self.load(self.setting_name)

    def _bottom_row(self) -> QHBoxLayout:
        """The status line, 保存 and キャンセル; a subclass calls it after making its own widgets, so that the
        buttons come last in the tab order."""
        self.save_button = QPushButton(self.tr("保存"), self)
        self.cancel_button = QPushButton(self.tr("キャンセル"), self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        return row((self.status_label, 1), self.save_button, self.cancel_button)

    def _store(self, save: Callable[[str], list[Any]], refused: Callable[[list[Problem]], object]) -> list[Any] | None:
        """保存 through ``save`` (the config service's, given the setting's name): the rows saved, now shown; or None
        after ``refused`` showed the problems, or the status line a known failure (a locked database)."""
        if self.setting_name is None:
            return None
        name = self.setting_name
        saved = save_or_say(lambda: save(name), refused, self.status_label.setText, self.context.lang,
                            self.context.database.location)
        if saved is None:
            return None
        self.model.set_rows(saved)
        self._saved = list(saved)
        self._show_problems([])
        self.status_label.setText(self.tr("保存しました。"))
        return saved

    def _show_problems(self, problems: list[Problem]) -> None:
        lang = self.context.lang
        self._show_found([(row_of(problem.path, self.LIST), problem.field_name, problem.text(lang)) for problem in problems])

    def _show_found(self, found: list[tuple[int | None, str, str]]) -> None:
        """Under the table one line per (row or None, column name, text) found — "3行目: …" for a row's — and a
        row's text also on its cell."""
        cells = {(at, name): text for at, name, text in found if at is not None}
        lines = [text if at is None else self.tr("{row}行目: {message}").format(row=at + 1, message=text)
                 for at, _name, text in found]
        self.model.set_problems(cells)
        self.problems_label.setText("\n".join(lines))
        self.problems_label.setVisible(bool(lines))

    def _on_save_button_clicked(self) -> None:
        self.save()

    def _on_cancel_button_clicked(self) -> None:
        self.revert()
