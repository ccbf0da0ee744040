"""オブジェクト table model: the objects of one setting being edited, with their problems per cell."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from biztel_desk.domain.config import LinkObjectConfig

Index = QModelIndex | QPersistentModelIndex
FIELDS = ("api_name", "tab_name", "tab_code", "priority")
ERROR_BACKGROUND = QColor("#fde2e1")


class ObjectsModel(QAbstractTableModel):
    """Rows are LinkObjectConfig in priority order; edits are kept here until the tab saves them."""

    edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._objects: list[LinkObjectConfig] = []
        self._problems: dict[tuple[int, str], str] = {}
        self._editable = True
        self._unchecked: set[str] | None = None  # checkable rows (the wizard): the API names left out, lower case

    # --- data in and out -------------------------------------------------------------------------------------

    def set_objects(self, objects: list[LinkObjectConfig] | tuple[LinkObjectConfig, ...]) -> None:
        self.beginResetModel()
        self._objects = list(objects)
        self._problems = {}
        self.endResetModel()

    def objects(self) -> list[LinkObjectConfig]:
        return list(self._objects)

    def set_editable(self, editable: bool) -> None:
        self._editable = editable

    def set_checkable(self, checkable: bool) -> None:
        """Rows get a checkbox in the API参照名 column (all checked): the wizard offers objects to choose from."""
        self._unchecked = set() if checkable else None

    def is_checked(self, row: int) -> bool:
        return self._unchecked is None or self._objects[row].api_name.lower() not in self._unchecked

    def set_checked(self, row: int, checked: bool) -> None:
        if self._unchecked is None or not 0 <= row < len(self._objects):
            return
        (self._unchecked.discard if checked else self._unchecked.add)(self._objects[row].api_name.lower())
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [Qt.ItemDataRole.CheckStateRole])
        self.edited.emit()

    def checked_objects(self) -> list[LinkObjectConfig]:
        return [obj for row, obj in enumerate(self._objects) if self.is_checked(row)]

    def set_problems(self, problems: dict[tuple[int, str], str]) -> None:
        """Messages per (row, field); the cells are highlighted and carry the message as tooltip."""
        self._problems = dict(problems)
        if self._objects:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._objects) - 1, len(FIELDS) - 1))

    def problem(self, row: int, field_name: str) -> str | None:
        return self._problems.get((row, field_name))

    # --- editing -----------------------------------------------------------------------------------------------

    def append(self, obj: LinkObjectConfig | None = None) -> int:
        """Add a row (by default an empty one with the next free priority); returns its row number."""
        if obj is None:
            priority = max((o.priority for o in self._objects), default=0) + 1
            obj = LinkObjectConfig("", "", "", priority)
        row = len(self._objects)
        self.beginInsertRows(QModelIndex(), row, row)
        self._objects.append(obj)
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self._objects):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._objects[row]
        self.endRemoveRows()
        self._problems = {}
        self.edited.emit()

    def move(self, row: int, delta: int) -> int:
        """Move a row up (-1) or down (+1) and renumber priorities 1..n in row order; returns the new row."""
        target = row + delta
        if not (0 <= row < len(self._objects) and 0 <= target < len(self._objects)):
            return row
        destination = target + 1 if delta > 0 else target
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._objects.insert(target, self._objects.pop(row))
        self.endMoveRows()
        self.renumber()
        return target

    def renumber(self) -> None:
        self._objects = [replace(obj, priority=index + 1) for index, obj in enumerate(self._objects)]
        self._problems = {}
        if self._objects:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._objects) - 1, len(FIELDS) - 1))
        self.edited.emit()

    def fill_from_describe(self, row: int, tab_name: str, tab_code: str) -> None:
        """Seam for auto-fill from Salesforce describe (a later issue): set a row's label and key prefix."""
        if 0 <= row < len(self._objects):
            self._objects[row] = replace(self._objects[row], tab_name=tab_name, tab_code=tab_code)
            self.dataChanged.emit(self.index(row, 1), self.index(row, 2))
            self.edited.emit()

    # --- QAbstractTableModel -----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._objects)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIELDS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if 0 <= section < len(self._objects) else None
        headers = (self.tr("API参照名"), self.tr("タブ名"), self.tr("タブコード"), self.tr("優先順位"))
        return headers[section] if 0 <= section < len(headers) else None

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
        if not index.isValid() or not 0 <= index.row() < len(self._objects):
            return None
        obj = self._objects[index.row()]
        field_name = FIELDS[index.column()]
        value = getattr(obj, field_name)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return value
        if role == Qt.ItemDataRole.CheckStateRole and self._unchecked is not None and index.column() == 0:
            return Qt.CheckState.Checked if self.is_checked(index.row()) else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._problems.get((index.row(), field_name))
        if role == Qt.ItemDataRole.BackgroundRole and (index.row(), field_name) in self._problems:
            return QBrush(ERROR_BACKGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole and field_name in ("tab_code", "priority"):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

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
        if getattr(self._objects[row], field_name) == value:
            return True
        self._objects[row] = replace(self._objects[row], **{field_name: value})
        self._problems.pop((row, field_name), None)
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True
