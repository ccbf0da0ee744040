"""オブジェクト table model: the objects of one setting being edited, with their problems per cell."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from biztel_desk.domain.config import LinkObjectConfig
from biztel_desk.ui.setting_tables import Index, RowsModel

FIELDS = ("api_name", "tab_name", "tab_code", "priority")


class ObjectsModel(RowsModel):
    """Rows are LinkObjectConfig in priority order; edits are kept here until the tab saves them."""

    COLUMNS = FIELDS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._editable = True
        self._unchecked: set[str] | None = None  # checkable rows (the wizard): the API names left out, lower case

    # --- data in and out -------------------------------------------------------------------------------------

    def set_objects(self, objects: list[LinkObjectConfig] | tuple[LinkObjectConfig, ...]) -> None:
        self.set_rows(objects)

    def objects(self) -> list[LinkObjectConfig]:
        return list(self._rows)

    def set_checkable(self, checkable: bool) -> None:
        """Rows get a checkbox in the API参照名 column (all checked): the wizard offers objects to choose from."""
        self._unchecked = set() if checkable else None

    def is_checked(self, row: int) -> bool:
        return self._unchecked is None or self._rows[row].api_name.lower() not in self._unchecked

    def set_checked(self, row: int, checked: bool) -> None:
        if self._unchecked is None or not 0 <= row < len(self._rows):
            return
        (self._unchecked.discard if checked else self._unchecked.add)(self._rows[row].api_name.lower())
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [Qt.ItemDataRole.CheckStateRole])
        self.edited.emit()

    def checked_objects(self) -> list[LinkObjectConfig]:
        return [obj for row, obj in enumerate(self._rows) if self.is_checked(row)]

    def headers(self) -> tuple[str, ...]:
        return (self.tr("API参照名"), self.tr("タブ名"), self.tr("タブコード"), self.tr("優先順位"))

    # --- editing -----------------------------------------------------------------------------------------------

    def append(self, item: LinkObjectConfig | None = None) -> int:
        """Add a row (by default an empty one with the next free priority); returns its row number."""
        priority = max((o.priority for o in self._rows), default=0) + 1
        return super().append(item or LinkObjectConfig("", "", "", priority))

    def move(self, row: int, delta: int) -> int:
        """Move a row up (-1) or down (+1) and renumber priorities 1..n in row order; returns the new row."""
        target = row + delta
        if not (0 <= row < len(self._rows) and 0 <= target < len(self._rows)):
            return row
        destination = target + 1 if delta > 0 else target
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._rows.insert(target, self._rows.pop(row))
        self.endMoveRows()
        self._rows = [replace(obj, priority=index + 1) for index, obj in enumerate(self._rows)]
        self._problems = {}
        self._refresh()
        self.edited.emit()
        return target

    def fill_from_describe(self, row: int, tab_name: str, tab_code: str) -> None:
        """Seam for auto-fill from Salesforce describe (a later issue): set a row's label and key prefix."""
        if 0 <= row < len(self._rows):
            self._rows[row] = replace(self._rows[row], tab_name=tab_name, tab_code=tab_code)
            self.dataChanged.emit(self.index(row, 1), self.index(row, 2))
            self.edited.emit()

    # --- QAbstractTableModel -----------------------------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        if self._unchecked is not None and index.column() == 0:
            flags = (flags | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        field_name = FIELDS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return getattr(self._rows[index.row()], field_name)
        if role == Qt.ItemDataRole.CheckStateRole and self._unchecked is not None and index.column() == 0:
            return Qt.CheckState.Checked if self.is_checked(index.row()) else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and field_name in ("tab_code", "priority"):
            return int(Qt.AlignmentFlag.AlignCenter)
        return self._problem_data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and self._unchecked is not None and index.column() == 0:
            self.set_checked(index.row(), Qt.CheckState(value) == Qt.CheckState.Checked)
            return True
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self._editable:
            return False
        field_name = FIELDS[index.column()]
        if field_name == "priority":
            try:
                value = int(value)
            except (TypeError, ValueError):
                return False
        else:
            value = str(value)
        row = index.row()
        if getattr(self._rows[row], field_name) == value:
            return True
        self._rows[row] = replace(self._rows[row], **{field_name: value})
        self._problems.pop((row, field_name), None)
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True
