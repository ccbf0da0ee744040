"""連携通話履歴 table model: one page of link jobs at a time, queried as jobs (ui/tasks.py), sorted by any column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from biztel_desk.domain.jobs import state_label
from biztel_desk.domain.vocabulary import state_text
from biztel_desk.services import history
from biztel_desk.services.history import (
    COLUMN_KEYS,
    COLUMNS,
    DEFAULT_SORT,
    DEFAULT_VISIBLE,
    JOB_STATES,
    HistoryFilter,
    HistoryRow,
    HistorySource,
    Sort,
    cell_text,
    column_titles,
    cursor_of,
    keyset_supported,
    linked_to_details,
    zone_of,
)
from biztel_desk.ui.tasks import Jobs

Index = QModelIndex | QPersistentModelIndex
TASK_COLUMN = COLUMN_KEYS.index("task_id")
RECORD_COLUMN = COLUMN_KEYS.index("record_id")
ERROR_COLUMN = COLUMN_KEYS.index("error_message")
_STATE_COLORS = {"failed": "#b00020", "retrying": "#9a6700", "held": "#6a737d", "linked": "#1a7f37",
                 "updated": "#1a7f37", "update_pending": "#9a6700", "excluded": "#6a737d"}
__all__ = ["COLUMN_KEYS", "DEFAULT_VISIBLE", "ERROR_COLUMN", "RECORD_COLUMN", "TASK_COLUMN", "HistoryModel"]
# A page query returns its rows, or (offset, rows) when it decides the offset itself (an anchored refresh).
PageQuery = Callable[[HistoryFilter, Sort], "list[HistoryRow] | tuple[int, list[HistoryRow]]"]


class HistoryModel(QAbstractTableModel):
    """Holds only the current page. Every query is a job of the model (``jobs``): the page under the key "page",
    the count under "count". A newer request cancels the one of its key still running, so a result the admin
    typed past is never shown."""

    page_loaded = Signal()
    count_loaded = Signal()
    estimate_loaded = Signal()  # an estimate of the total arrived before the exact count (see estimate)
    busy_changed = Signal()
    query_failed = Signal(str)

    def __init__(
        self,
        source: HistorySource,
        page_size: int = 50,
        time_zone: str = "",
        parent: Any = None,
        lang: str = "ja",
        url: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.page_size = max(page_size, 1)
        self.zone = zone_of(time_zone)
        self.lang = lang
        self.url = url
        self.jobs = Jobs(self)
        self._filter: HistoryFilter | None = None
        self._sort: Sort = DEFAULT_SORT
        self._rows: list[HistoryRow] = []
        self._texts: list[list[str]] = []  # the cells' display texts, made on the worker thread with the rows
        self._total: int | None = 0
        self._estimate: int | None = None  # 約…件 while the exact count of a large filter runs
        self._offset = 0
        self._closed = False
        self.loading = False
        self.counting = False

    # --- state ---------------------------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total or 0

    @property
    def total_known(self) -> bool:
        return self._total is not None

    @property
    def estimate(self) -> int | None:
        """The database's estimate of the total while the exact count runs (None: none, or the count is known)."""
        return self._estimate if self._total is None else None

    @property
    def offset(self) -> int:
        return self._offset

    @property
    def sort_order(self) -> Sort:
        return self._sort

    @property
    def history_filter(self) -> HistoryFilter | None:
        return self._filter

    def page_count(self) -> int:
        return max((self.total + self.page_size - 1) // self.page_size, 1)

    def current_page(self) -> int:
        """0-based."""
        return self._offset // self.page_size

    def has_previous(self) -> bool:
        return self._offset > 0

    def has_next(self) -> bool:
        if self._total is None:
            return len(self._rows) == self.page_size
        return self._offset + self.page_size < self._total

    def row_at(self, row: int) -> HistoryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def configure(self, page_size: int, time_zone: str, url: Callable[[str], str | None] | None) -> None:
        """System settings may have changed (page size, time zone) or the account (Task URLs)."""
        self.page_size = max(page_size, 1)
        self.zone = zone_of(time_zone)
        self.url = url

    # --- requests ------------------------------------------------------------------------------------------------

    def set_filter(self, history_filter: HistoryFilter | None) -> None:
        """A new filter: first page and a new count (the count is kept while only the page changes)."""
        self._filter = history_filter
        self._request_count()
        self._request_offset(0)

    def refresh(self, anchor: tuple[int, int] | None = None) -> None:
        """Re-read the current page and the count (after 今すぐ再試行, or new calls).

        ``anchor`` = (row, job id): that job stays on that row of the page. Rows that arrived before it (new calls
        at the top of the newest-first order) move the page's offset by as many rows instead of pushing the row
        down under the admin's mouse; a job that left the filter (or moved more than a page) anchors nothing."""
        self._request_count()
        if anchor is None or self._filter is None:
            self._request_offset(self._offset)
            return
        row, job_id = anchor
        total, source, size, offset = self._total, self.source, self.page_size, self._offset

        def anchored(f: HistoryFilter, s: Sort) -> tuple[int, list[HistoryRow]]:
            window = history.read_page(source, f, offset, 2 * size, s, total=total)
            where = next((i for i, found in enumerate(window) if found.job_id == job_id), None)
            if where is None or where == row:
                return offset, window[:size]
            start = max(offset + where - row, 0)
            rows = window[start - offset:start - offset + size]
            if len(rows) < size and len(window) == 2 * size:  # the page reaches past the window: read it whole
                rows = history.read_page(source, f, start, size, s, total=total)
            return start, rows

        self._submit_page(offset, anchored)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        sort = (COLUMN_KEYS[column], order == Qt.SortOrder.DescendingOrder)
        if sort == self._sort and self._filter is not None and (self._rows or self.loading):
            return
        self._sort = sort
        self._request_offset(0)

    def first_page(self) -> None:
        self._request_offset(0)

    def previous_page(self) -> None:
        if not self.has_previous():
            return
        if self._rows and keyset_supported(self._sort):
            cursor = cursor_of(self._rows[0], self._sort)
            source, size = self.source, self.page_size
            self._submit_page(
                max(self._offset - self.page_size, 0),
                lambda f, s: history.read_page_after(source, f, cursor, size, s, backwards=True),
            )
        else:
            self._request_offset(max(self._offset - self.page_size, 0))

    def next_page(self) -> None:
        if not self.has_next():
            return
        if self._rows and keyset_supported(self._sort):
            cursor = cursor_of(self._rows[-1], self._sort)
            source, size = self.source, self.page_size
            self._submit_page(
                self._offset + self.page_size, lambda f, s: history.read_page_after(source, f, cursor, size, s)
            )
        else:
            self._request_offset(self._offset + self.page_size)

    def last_page(self) -> None:
        if self._total is not None:
            self.go_to_page(self.page_count() - 1)

    def go_to_page(self, page: int) -> None:
        """Jump to a page (0-based): OFFSET over the index from the nearer end (see SqlHistorySource.page)."""
        page = min(max(page, 0), self.page_count() - 1)
        self._request_offset(page * self.page_size)

    def shutdown(self) -> None:
        """Drop every pending result and wait for running queries (before the database is closed)."""
        self._closed = True
        self.jobs.shutdown()

    def _request_offset(self, offset: int) -> None:
        total, source, size = self._total, self.source, self.page_size
        self._submit_page(offset, lambda f, s: history.read_page(source, f, offset, size, s, total=total))

    def _submit_page(self, offset: int, query: PageQuery) -> None:
        if self._closed:
            return
        history_filter, sort = self._filter, self._sort
        if history_filter is None:
            self.jobs.cancel("page")
            self._show_page(offset, [], [])
            return
        self._set_busy(loading=True)
        self.jobs.run("page", self._load_page(offset, history_filter, sort, query), on_error=self._on_page_failed)

    async def _load_page(self, offset: int, history_filter: HistoryFilter, sort: Sort, query: PageQuery) -> None:
        zone, lang = self.zone, self.lang
        states = {state: self.state_title(state) for state in JOB_STATES}
        task_label = self.tr("開く")

        def read() -> tuple[int, list[HistoryRow], list[list[str]]]:
            found = query(history_filter, sort)
            start, rows = found if isinstance(found, tuple) else (offset, found)
            # Formatting 50 × 17 cells costs milliseconds of Python: do it there, not in data() on the GUI thread.
            return start, rows, [_row_texts(row, zone, lang, states, task_label) for row in rows]

        start, rows, texts = await self.jobs.to_thread(read)
        self._show_page(start, rows, texts)

    def _show_page(self, offset: int, rows: list[HistoryRow], texts: list[list[str]]) -> None:
        self.beginResetModel()
        self._rows, self._texts = rows, texts
        self._offset = offset
        self.endResetModel()
        self._set_busy(loading=False)
        self.page_loaded.emit()

    def _on_page_failed(self, error: BaseException) -> None:
        self._set_busy(loading=False)
        self.query_failed.emit(_problem_text(error, self.lang))

    def _request_count(self) -> None:
        if self._closed:
            return
        history_filter = self._filter
        self._total = None
        self._estimate = None
        if history_filter is None:
            self.jobs.cancel("count")
            self._show_count(0)
            return
        self._set_busy(counting=True)
        self.jobs.run("count", self._count(history_filter), on_error=self._on_count_failed)

    async def _count(self, history_filter: HistoryFilter) -> None:
        # Counting 10,000,000 rows exactly takes about a second on PostgreSQL: its estimate comes first.
        estimate = await self.jobs.to_thread(history.estimate_total, self.source, history_filter)
        if estimate is not None and self._total is None:
            self._estimate = estimate
            self.estimate_loaded.emit()
        total = await self.jobs.to_thread(history.count_total, self.source, history_filter)
        self._show_count(total)

    def _show_count(self, total: int) -> None:
        self._total = total
        self._set_busy(counting=False)
        self.count_loaded.emit()
        if self._offset and self._offset >= self.total:  # rows went away (retention): show the new last page
            self.go_to_page(self.page_count() - 1)

    def _on_count_failed(self, error: BaseException) -> None:
        self._total = 0
        self._set_busy(counting=False)
        self.query_failed.emit(_problem_text(error, self.lang))

    def _set_busy(self, *, loading: bool | None = None, counting: bool | None = None) -> None:
        if loading is not None:
            self.loading = loading
        if counting is not None:
            self.counting = counting
        self.busy_changed.emit()

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
        """The column's title from services.history's one list of columns (the CSV and the CLI use the same)."""
        return column_titles([key], self.lang)[0] if key in COLUMN_KEYS else key

    def state_title(self, state: str) -> str:
        """A state's word from the one vocabulary (domain.vocabulary.JOB_STATES), as the CSV and the CLI say it."""
        return state_label(state, self.lang)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        key = COLUMN_KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "error_message" and (row.error_code or row.error_message):
                return self._texts[index.row()][index.column()]
            if key == "record_id" and (row.record_id or row.match_reason):
                # The column is narrow (the text is elided): the tooltip has all of it, the record's Id, and why.
                return linked_to_details(row, self.lang)
            if key == "task_id" and row.task_id:
                return self.tr("Salesforceで活動 {id} を開く").format(id=row.task_id)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "state" and row.state in _STATE_COLORS:
                return QBrush(QColor(_STATE_COLORS[row.state]))
            if key == "error_message" and row.error_code:
                return QBrush(QColor(_STATE_COLORS["failed"]))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "retry_count":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def display_text(self, row: HistoryRow, key: str) -> str:
        if key == "task_id":
            return self.tr("開く") if row.task_id else ""
        if key == "state":
            return self.state_title(row.state)
        return cell_text(row, key, self.zone, self.lang)


def _row_texts(row: HistoryRow, zone: Any, lang: str, states: dict[str, str], task_label: str) -> list[str]:
    texts = []
    for key in COLUMN_KEYS:
        if key == "task_id":
            texts.append(task_label if row.task_id else "")
        elif key == "state" and row.state == "excluded" and row.error_code:  # 対象外(番号未チェック)
            texts.append(state_text(row.state, lang, row.error_code))
        elif key == "state":
            texts.append(states.get(row.state, row.state))
        else:
            texts.append(cell_text(row, key, zone, lang))
    return texts


def _problem_text(error: BaseException, lang: str) -> str:
    text = getattr(error, "text", None)
    return str(text(lang)) if callable(text) else str(error)
