"""連携通話履歴 table model: one page of link jobs at a time from a HistorySource, sorted by any column."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from biztel_desk.store.history import DEFAULT_SORT, HistoryFilter, HistoryRow, HistorySource, Sort

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str  # a HistoryRow field (the sort key)
    visible: bool  # SPEC §13 default: ○ visible / × hidden


# SPEC §13, in that order, then state, matched record and error.
COLUMNS: tuple[Column, ...] = (
    Column("unique_id", False),
    Column("request_id", False),
    Column("from_number", True),
    Column("to_number", True),
    Column("started_at", True),
    Column("ended_at", True),
    Column("from_agent_id", False),
    Column("to_agent_id", False),
    Column("from_extension", True),
    Column("to_extension", True),
    Column("processed_at", True),
    Column("retry_count", True),
    Column("next_retry_at", True),
    Column("task_id", True),
    Column("state", True),
    Column("record_id", True),
    Column("error_message", True),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
DEFAULT_VISIBLE = tuple(column.key for column in COLUMNS if column.visible)
TASK_COLUMN = COLUMN_KEYS.index("task_id")
_STATE_COLORS = {"failed": "#b00020", "retrying": "#9a6700", "held": "#6a737d", "linked": "#1a7f37"}


class HistoryModel(QAbstractTableModel):
    """Holds only the current page; a filter change resets to the first page."""

    def __init__(self, source: HistorySource, page_size: int = 50, time_zone: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.source = source
        self.page_size = max(page_size, 1)
        self.zone = _zone(time_zone)
        self._filter: HistoryFilter | None = None
        self._sort: Sort = DEFAULT_SORT
        self._rows: list[HistoryRow] = []
        self._total = 0
        self._offset = 0

    # --- paging and filtering ----------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def offset(self) -> int:
        return self._offset

    def set_filter(self, history_filter: HistoryFilter | None) -> None:
        self._filter = history_filter
        self._offset = 0
        self.refresh()

    def refresh(self) -> None:
        """Re-read the current page (LIMIT-bounded: cheap enough for the GUI thread on a local database)."""
        self.beginResetModel()
        if self._filter is None:
            self._total, self._rows = 0, []
        else:
            self._total = self.source.count(self._filter)
            if self._offset >= self._total:
                self._offset = max((self._total - 1) // self.page_size * self.page_size, 0)
            self._rows = self.source.page(self._filter, self._offset, self.page_size, self._sort)
        self.endResetModel()

    def has_previous(self) -> bool:
        return self._offset > 0

    def has_next(self) -> bool:
        return self._offset + self.page_size < self._total

    def previous_page(self) -> None:
        if self.has_previous():
            self._offset = max(self._offset - self.page_size, 0)
            self.refresh()

    def next_page(self) -> None:
        if self.has_next():
            self._offset += self.page_size
            self.refresh()

    def row_at(self, row: int) -> HistoryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- QAbstractTableModel -----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(self._offset + section + 1) if 0 <= section < len(self._rows) else None
        return self.column_title(COLUMN_KEYS[section]) if 0 <= section < len(COLUMNS) else None

    def column_title(self, key: str) -> str:
        titles = {
            "unique_id": self.tr("ユニークID"),
            "request_id": self.tr("リクエストID"),
            "from_number": self.tr("発信電話番号"),
            "to_number": self.tr("着信電話番号"),
            "started_at": self.tr("通話開始日時"),
            "ended_at": self.tr("通話終了日時"),
            "from_agent_id": self.tr("発信エージェントID"),
            "to_agent_id": self.tr("着信エージェントID"),
            "from_extension": self.tr("発信内線番号"),
            "to_extension": self.tr("着信内線番号"),
            "processed_at": self.tr("処理終了日時"),
            "retry_count": self.tr("リトライ回数"),
            "next_retry_at": self.tr("リトライ予定"),
            "task_id": self.tr("通話履歴"),
            "state": self.tr("状態"),
            "record_id": self.tr("紐付け先"),
            "error_message": self.tr("エラー"),
        }
        return titles.get(key, key)

    def state_title(self, state: str) -> str:
        titles = {
            "pending": self.tr("未処理"),
            "held": self.tr("保留中"),
            "sending": self.tr("送信中"),
            "linked": self.tr("連携済み"),
            "retrying": self.tr("リトライ待ち"),
            "failed": self.tr("失敗"),
            "skipped": self.tr("スキップ"),
        }
        return titles.get(state, state)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        key = COLUMN_KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "error_message" and row.error_message:
                return f"{row.error_code}: {row.error_message}" if row.error_code else row.error_message
            if key == "task_id" and row.task_id:
                return self.tr("Salesforceで活動履歴 {id} を開く").format(id=row.task_id)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "state" and row.state in _STATE_COLORS:
                return QBrush(QColor(_STATE_COLORS[row.state]))
            if key == "task_id" and row.task_id:
                return QBrush(QColor("#0b62c4"))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "retry_count":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: HistoryRow, key: str) -> str:
        if key == "task_id":
            return self.tr("開く") if row.task_id else ""
        if key == "state":
            return self.state_title(row.state)
        if key == "record_id":
            if not row.record_id:
                return ""
            return f"{row.record_object} {row.record_id}" if row.record_object else row.record_id
        value = getattr(row, key)
        if isinstance(value, dt.datetime):
            return value.astimezone(self.zone).strftime("%Y/%m/%d %H:%M:%S")
        if value is None:
            return ""
        return str(value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (COLUMN_KEYS[column], order == Qt.SortOrder.DescendingOrder)
        self._offset = 0
        self.refresh()


def _zone(name: str) -> dt.tzinfo:
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    local = dt.datetime.now().astimezone().tzinfo
    return local if local is not None else dt.UTC
