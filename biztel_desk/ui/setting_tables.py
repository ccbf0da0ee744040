"""What the オブジェクト and 連携対象 tabs share: the rows of one setting in a table model declared by its columns
(``Column``, ``RowsModel``), its view (``rows_view``), and the tab around it (``SettingTable``): loading a setting's
rows, 保存 / キャンセル, the status line, and the problems of a refused 保存 listed under the table (and on their cells)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from biztel_desk.domain.config import LinkSettingConfig
from biztel_desk.domain.messages import Problem
from biztel_desk.services.context import AppContext
from biztel_desk.services.setting_tables import row_of
from biztel_desk.ui.boxes import hbox, named
from biztel_desk.ui.crash import save_or_say
from biztel_desk.ui.widgets import button, text_label

Index = QModelIndex | QPersistentModelIndex
ERROR_BACKGROUND = QColor("#fde2e1")
Role = Qt.ItemDataRole


@dataclass(frozen=True)
class Column:
    """One column of a setting's table. ``key`` is the row's attribute it shows and the ``field_name`` of the
    problems about its cells; ``edit`` is how the admin changes it while the model is editable: "text" (in place;
    ``parse`` turns what was typed into the value, refusing it with ValueError/TypeError), "check" (a checkbox;
    ``only_one``: ticking one row clears the others) or "" (never); ``spin``: typed in a spin box of that range."""

    key: str
    edit: str = "text"
    parse: Callable[[Any], Any] = str
    only_one: bool = False
    spin: tuple[int, int] | None = None
    center: bool = False
    mode: QHeaderView.ResizeMode = QHeaderView.ResizeMode.Stretch


class RowsModel(QAbstractTableModel):
    """One setting's rows (its objects or its numbers) being edited, kept here until the tab saves them, numbered
    from 1 in the vertical header; what each column shows and how it is edited is its ``Column`` (``COLUMNS``).

    ``set_checkable`` gives each row a checkbox in the first column, the row's choice (the wizard offers objects to
    choose from); it follows the first column's value (case-insensitive), not the row's place."""

    edited = Signal()
    COLUMNS: tuple[Column, ...] = ()

    def __init__(self, parent: Any = None, *, editable: bool = False) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._problems: dict[tuple[int, str], str] = {}
        self._editable = editable
        self._unchecked: set[str] | None = None  # checkable rows: the first-column values left out, lower case

    def headers(self) -> tuple[str, ...]:
        """The column titles (translated)."""
        raise NotImplementedError

    def text(self, item: Any, key: str) -> Any:
        """What a cell shows and edits: the row's attribute, unless the model says otherwise."""
        return getattr(item, key)

    def tip(self, item: Any, key: str) -> str | None:
        """A cell's tooltip when it shows no problem."""
        return None

    def rows(self) -> list[Any]:
        return list(self._rows)

    def set_rows(self, rows: list[Any] | tuple[Any, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._problems = {}
        self.endResetModel()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._refresh()  # the flags changed: let the view repaint the cells

    def set_problems(self, problems: dict[tuple[int, str], str]) -> None:
        """Messages per (row, column key); the cells are highlighted and carry the message as tooltip."""
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

    def set_checkable(self, checkable: bool) -> None:
        """Rows get a checkbox in the first column (all checked)."""
        self._unchecked = set() if checkable else None

    def is_checked(self, row: int) -> bool:
        return self._unchecked is None or self._choice(row) not in self._unchecked

    def set_checked(self, row: int, checked: bool) -> None:
        if self._unchecked is None or not 0 <= row < len(self._rows):
            return
        (self._unchecked.discard if checked else self._unchecked.add)(self._choice(row))
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [Role.CheckStateRole])
        self.edited.emit()

    def _choice(self, row: int) -> str:
        return str(getattr(self._rows[row], self.COLUMNS[0].key)).lower()

    def _refresh(self, first: int = 0, last: int = -1) -> None:
        """Every row's cells of the columns first..last (-1: the last column) changed."""
        if self._rows:
            last = last if last >= 0 else len(self.COLUMNS) - 1
            self.dataChanged.emit(self.index(0, first), self.index(len(self._rows) - 1, last))

    def _row_check(self, index: Index) -> bool:
        return self._unchecked is not None and index.column() == 0

    # --- QAbstractTableModel -----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical or role != Role.DisplayRole:
            return super().headerData(section, orientation, role)  # rows are numbered from 1
        headers = self.headers()
        return headers[section] if 0 <= section < len(headers) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        edit = self.COLUMNS[index.column()].edit
        if self._editable and edit:
            flags |= Qt.ItemFlag.ItemIsUserCheckable if edit == "check" else Qt.ItemFlag.ItemIsEditable
        if self._row_check(index):
            flags = (flags | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, column = self._rows[index.row()], self.COLUMNS[index.column()]
        if role == Role.CheckStateRole and (column.edit == "check" or self._row_check(index)):
            checked = getattr(item, column.key) if column.edit == "check" else self.is_checked(index.row())
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role in (Role.DisplayRole, Role.EditRole) and column.edit != "check":
            return self.text(item, column.key)
        if role == Role.TextAlignmentRole and column.center:
            return int(Qt.AlignmentFlag.AlignCenter)
        problem = self._problems.get((index.row(), column.key))
        if role == Role.ToolTipRole:
            return problem if problem is not None else self.tip(item, column.key)
        if role == Role.BackgroundRole and problem is not None:
            return QBrush(ERROR_BACKGROUND)
        return None

    def setData(self, index: Index, value: Any, role: int = Role.EditRole) -> bool:
        if not index.isValid():
            return False
        if role == Role.CheckStateRole and self._row_check(index):
            self.set_checked(index.row(), _ticked(value))
            return True
        column = self.COLUMNS[index.column()]
        if not self._editable or not column.edit or role != (Role.CheckStateRole if column.edit == "check" else Role.EditRole):
            return False
        try:
            value = (_ticked if column.edit == "check" else column.parse)(value)
        except (TypeError, ValueError):
            return False
        at, key = index.row(), column.key
        if getattr(self._rows[at], key) == value:
            return True
        if column.only_one and value:  # e.g. one default outbound number per setting: ticking one clears the others
            self._rows = [replace(item, **{key: False}) if getattr(item, key) else item for item in self._rows]
            self._refresh(index.column(), index.column())
        self._rows[at] = replace(self._rows[at], **{key: value})
        self._problems.pop((at, key), None)
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True


def _ticked(value: Any) -> bool:
    return value if isinstance(value, bool) else Qt.CheckState(value) == Qt.CheckState.Checked


class _CellEditors(QStyledItemDelegate):
    """A column with ``spin`` is edited with a spin box of its range; the others with the default editor."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:  # type: ignore[override]
        model = index.model()
        spin = model.COLUMNS[index.column()].spin if isinstance(model, RowsModel) else None
        if spin is None:
            return super().createEditor(parent, option, index)
        editor = QSpinBox(parent)
        editor.setRange(*spin)
        editor.setFrame(False)
        return editor


def rows_view(model: RowsModel, parent: QWidget, name: str, triggers: QAbstractItemView.EditTrigger,
              modes: tuple[QHeaderView.ResizeMode, ...] | None = None) -> QTableView:
    """A setting's table: one whole row selected at a time, edited in place on ``triggers``, sized per column by
    ``modes`` (default: the columns' own)."""
    view = named(QTableView(parent), name)
    view.setModel(model)
    view.setItemDelegate(_CellEditors(view))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(triggers)
    view.setAlternatingRowColors(True)
    for column, mode in enumerate(modes or tuple(spec.mode for spec in model.COLUMNS)):
        view.horizontalHeader().setSectionResizeMode(column, mode)
    view.verticalHeader().setDefaultSectionSize(28)
    return view


class SettingTable(QWidget):
    """A tab that edits one setting's rows (its attribute ``LIST``) in ``model``: ``load`` shows a saved setting
    (None empties and disables the tab), 保存 goes through the config service, キャンセル (``revert``) shows the
    saved rows again."""

    changed = Signal()
    view: QTableView  # the rows' table, made by the tab
    LIST = ""  # the setting's rows, also their name in a problem's path: "objects" for objects[2].tab_code

    def __init__(self, context: AppContext, model: RowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setting_name: str | None = None
        self.model = model
        model.setParent(self)
        self._saved: list[Any] = []  # the rows as saved
        self._editing = False  # the rows can be changed (オブジェクト: while a setting is shown; 連携対象: after 編集)
        self.problems_label = text_label(name="problems", selectable=True)
        self.problems_label.setParent(self)
        self.problems_label.setStyleSheet("color: #b00020;")
        self.problems_label.hide()
        self.status_label = named(QLabel(self), "status")

    def load(self, setting_name: str | None) -> None:
        """Show the rows of ``setting_name`` as saved; None empties and disables the tab."""
        setting = self.context.config.get_setting(setting_name) if setting_name else None
        self.setting_name = setting.name if setting else None
        rows = getattr(setting, self.LIST) if setting else ()
        self.model.set_rows(rows)
        self._saved = list(rows)
        self._show_problems([])
        self.status_label.clear()
        self._loaded(setting)
        self.setEnabled(setting is not None)

    def _loaded(self, setting: LinkSettingConfig | None) -> None:
        """What the tab itself resets when ``load`` showed ``setting``."""

    def save(self) -> bool | None:
        raise NotImplementedError

    def is_editing(self) -> bool:
        return self._editing

    def is_dirty(self) -> bool:
        """Edits not saved: the rows (their values, ticks and order) differ from the saved ones."""
        return self._editing and self.model.rows() != self._saved

    def _set_editing(self, editing: bool) -> None:
        self._editing = editing
        self.model.set_editable(editing)

    def _current_row(self) -> int:
        """The row chosen in the table (``view``), -1 for none."""
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def revert(self) -> None:
        """Drop unsaved edits: back to the rows as saved."""
        self.load(self.setting_name)

    def _bottom_row(self) -> QHBoxLayout:
        """The status line, 保存 and キャンセル; a subclass calls it after making its own widgets, so that the
        buttons come last in the tab order."""
        self.save_button = button(self.tr("保存"), self.save, parent=self)
        self.cancel_button = button(self.tr("キャンセル"), self.revert, parent=self)
        self.save_button.setDefault(True)
        return hbox((self.status_label, 1), self.save_button, self.cancel_button)

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
        """Under the table one line per (row or None, column key, text) found — "3行目: …" for a row's — and a
        row's text also on its cell."""
        cells = {(at, name): text for at, name, text in found if at is not None}
        lines = [text if at is None else self.tr("{row}行目: {message}").format(row=at + 1, message=text)
                 for at, _name, text in found]
        self.model.set_problems(cells)
        self.problems_label.setText("\n".join(lines))
        self.problems_label.setVisible(bool(lines))
