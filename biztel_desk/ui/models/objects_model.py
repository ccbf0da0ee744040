"""オブジェクト table model: the objects of one setting being edited, with their problems per cell."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QHeaderView

from biztel_desk.domain.config import LinkObjectConfig
from biztel_desk.ui.setting_tables import Column, RowsModel

_FIT = QHeaderView.ResizeMode.ResizeToContents


class ObjectsModel(RowsModel):
    """Rows are LinkObjectConfig in priority order; edits are kept here until the tab saves them. Every cell is
    edited in place, the priority with a spin box (1–99)."""

    COLUMNS = (Column("api_name"), Column("tab_name"), Column("tab_code", center=True, mode=_FIT),
               Column("priority", parse=int, spin=(1, 99), center=True, mode=_FIT))

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent, editable=True)

    def set_objects(self, objects: list[LinkObjectConfig] | tuple[LinkObjectConfig, ...]) -> None:
        self.set_rows(objects)

    def objects(self) -> list[LinkObjectConfig]:
        return self.rows()

    def checked_objects(self) -> list[LinkObjectConfig]:
        return [obj for row, obj in enumerate(self._rows) if self.is_checked(row)]

    def headers(self) -> tuple[str, ...]:
        return (self.tr("API参照名"), self.tr("タブ名"), self.tr("タブコード"), self.tr("優先順位"))

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
        """Auto-fill from Salesforce describe (the wizard): set a row's label and key prefix."""
        if 0 <= row < len(self._rows):
            self._rows[row] = replace(self._rows[row], tab_name=tab_name, tab_code=tab_code)
            self.dataChanged.emit(self.index(row, 1), self.index(row, 2))
            self.edited.emit()
