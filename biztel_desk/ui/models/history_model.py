"""連携通話履歴 table model: one page of link jobs at a time, queried as jobs (ui/tasks.py), sorted by any column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from biztel_desk.domain.errors import error_text
from biztel_desk.services import history
from biztel_desk.services.history import (
    COLUMN_KEYS,
    DEFAULT_SORT,
    DEFAULT_VISIBLE,
    HistoryFilter,
    HistoryRow,
    HistorySource,
    Sort,
    column_titles,
    cursor_of,
    keyset_supported,
    zone_of,
)
from biztel_desk.services.history_view import Cell, Paging, anchored_page, page_cells
from biztel_desk.ui.tasks import Jobs

Index = QModelIndex | QPersistentModelIndex
TASK_COLUMN = COLUMN_KEYS.index("task_id")
__all__ = ["COLUMN_KEYS", "DEFAULT_VISIBLE", "TASK_COLUMN", "HistoryModel"]
# A page query returns its rows, or (offset, rows) when it decides the offset itself (an anchored refresh).
PageQuery = Callable[[HistoryFilter, Sort], "list[HistoryRow] | tuple[int, list[HistoryRow]]"]


class HistoryModel(QAbstractTableModel):
    """Holds only the current page. Every query is a job of the model (``jobs``): the page under the key "page",
    the count under "count". A newer request cancels the one of its key still running, so a result the admin
    typed past is never shown."""

    page_loaded = Signal()
    estimate_loaded = Signal()  # an estimate of the total arrived before the exact count (see estimate)
    busy_changed = Signal()  # loading or counting began or ended (the count arrived with its end)
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
        self.configure(page_size, time_zone, url)
        self.lang = lang
        self.jobs = Jobs(self)
        self.history_filter: HistoryFilter | None = None  # None: no setting, no rows (set_filter)
        self.sort_order: Sort = DEFAULT_SORT  # the view's header sets it (sort)
        self.rows: list[HistoryRow] = []  # the page shown
        self._cells: list[list[Cell]] = []  # what data() shows, made on the job thread with the rows (page_cells)
        self._total: int | None = 0
        self._estimate: int | None = None  # 約…件 while the exact count of a large filter runs
        self.offset = 0  # of the page shown (the rows the queries return decide it: _show_page)
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

    def paging(self) -> Paging:
        """Where the current page stands (its rows, the pages, which way the admin can go)."""
        return Paging(self.offset, self.page_size, len(self.rows), self._total, self.estimate)

    def row_at(self, row: int) -> HistoryRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def configure(self, page_size: int, time_zone: str, url: Callable[[str], str | None] | None) -> None:
        """Page size and time zone from the system settings, Task URLs from the account (either may change)."""
        self.page_size = max(page_size, 1)
        self.zone = zone_of(time_zone)
        self.url = url

    # --- requests ------------------------------------------------------------------------------------------------

    def set_filter(self, history_filter: HistoryFilter | None) -> None:
        """A new filter: first page and a new count (the count is kept while only the page changes)."""
        self.history_filter = history_filter
        self._request_count()
        self._request_offset(0)

    def refresh(self, anchor: tuple[int, int] | None = None) -> None:
        """Re-read the current page and the count (after 今すぐ再試行, or new calls).

        ``anchor`` = (row, job id): that job stays on that row of the page. Rows that arrived before it (new calls
        at the top of the newest-first order) move the page's offset by as many rows instead of pushing the row
        down under the admin's mouse; a job that left the filter (or moved more than a page) anchors nothing."""
        self._request_count()
        if anchor is None or self.history_filter is None:
            self._request_offset(self.offset)
            return
        paging, source = self.paging(), self.source
        self._submit_page(paging.offset, lambda f, s: anchored_page(source, f, s, paging, anchor))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMN_KEYS):
            return
        sort = (COLUMN_KEYS[column], order == Qt.SortOrder.DescendingOrder)
        if sort == self.sort_order and self.history_filter is not None and (self.rows or self.loading):
            return
        self.sort_order = sort
        self._request_offset(0)

    def first_page(self) -> None:
        self._request_offset(0)

    def previous_page(self) -> None:
        if self.paging().has_previous:
            self._step(backwards=True)

    def next_page(self) -> None:
        if self.paging().has_next:
            self._step(backwards=False)

    def _step(self, *, backwards: bool) -> None:
        """The page before or after this one: by keyset from its first or last row when the sort allows it."""
        offset = max(self.offset - self.page_size, 0) if backwards else self.offset + self.page_size
        if not (self.rows and keyset_supported(self.sort_order)):
            self._request_offset(offset)
            return
        cursor = cursor_of(self.rows[0 if backwards else -1], self.sort_order)
        source, size = self.source, self.page_size
        self._submit_page(offset, lambda f, s: history.read_page_after(source, f, cursor, size, s, backwards=backwards))

    def last_page(self) -> None:
        if self._total is not None:
            self.go_to_page(self.paging().page_count - 1)

    def go_to_page(self, page: int) -> None:
        """Jump to a page (0-based): OFFSET over the index from the nearer end (see SqlHistorySource.page)."""
        self._request_offset(self.paging().page_offset(page))

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
        history_filter, sort = self.history_filter, self.sort_order
        if history_filter is None:
            self.jobs.cancel("page")
            self._show_page(offset, [], [])
            return
        self._set_busy(loading=True)
        self.jobs.run("page", self._load_page(offset, history_filter, sort, query), on_error=self._on_page_failed)

    async def _load_page(self, offset: int, history_filter: HistoryFilter, sort: Sort, query: PageQuery) -> None:
        zone, lang = self.zone, self.lang
        # 通話履歴 is a button (TaskButtonDelegate) saying 開く, not the Task's Id.
        task = (self.tr("開く"), self.tr("Salesforceで活動 {id} を開く"))

        def read() -> tuple[int, list[HistoryRow], list[list[Cell]]]:
            found = query(history_filter, sort)
            start, rows = found if isinstance(found, tuple) else (offset, found)
            return start, rows, page_cells(rows, zone, lang, task)

        start, rows, cells = await self.jobs.to_thread(read)
        self._show_page(start, rows, cells)

    def _show_page(self, offset: int, rows: list[HistoryRow], cells: list[list[Cell]]) -> None:
        self.beginResetModel()
        self.rows, self._cells = rows, cells
        self.offset = offset
        self.endResetModel()
        self._set_busy(loading=False)
        self.page_loaded.emit()

    def _on_page_failed(self, error: BaseException) -> None:
        self._set_busy(loading=False)
        self.query_failed.emit(error_text(error, self.lang))

    def _request_count(self) -> None:
        if self._closed:
            return
        history_filter = self.history_filter
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
        if self.paging().beyond_end:  # rows went away (retention): show the new last page
            self.go_to_page(self.paging().page_count - 1)

    def _on_count_failed(self, error: BaseException) -> None:
        self._total = 0
        self._set_busy(counting=False)
        self.query_failed.emit(error_text(error, self.lang))

    def _set_busy(self, *, loading: bool | None = None, counting: bool | None = None) -> None:
        if loading is not None:
            self.loading = loading
        if counting is not None:
            self.counting = counting
        self.busy_changed.emit()

    # --- QAbstractTableModel -----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMN_KEYS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(self.offset + section + 1) if 0 <= section < len(self.rows) else None
        return self.column_title(COLUMN_KEYS[section]) if 0 <= section < len(COLUMN_KEYS) else None

    def column_title(self, key: str) -> str:
        """The column's title from services.history's one list of columns (the CSV and the CLI use the same)."""
        return column_titles([key], self.lang)[0] if key in COLUMN_KEYS else key

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        cell = self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tooltip
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(cell.color)) if cell.color else None
        if role == Qt.ItemDataRole.TextAlignmentRole and cell.number:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
