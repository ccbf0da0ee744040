"""連携通話履歴 as the tab shows it, without Qt: which columns (and how the choice is kept), each cell's text, colour
and tooltip, how the filter controls follow each other, where a page is and which row a refresh keeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from biztel_desk.services.config import ConfigService
from biztel_desk.services.history import (
    ATTENTION_STATES,
    COLUMN_KEYS,
    DEFAULT_VISIBLE,
    HistoryFilter,
    HistoryRow,
    HistorySource,
    Sort,
    cell_text,
    day_bounds,
    linked_to_details,
    quick_range,
    read_page,
)

# 状態's colour per state (SPEC §13): red what failed, amber what waits to be sent again, green what reached
# Salesforce, grey what is set aside; the other states keep the table's colour. An error with a code is red too.
STATE_COLORS = {
    "failed": "#b00020",
    "retrying": "#9a6700",
    "held": "#6a737d",
    "linked": "#1a7f37",
    "updated": "#1a7f37",
    "update_pending": "#9a6700",
    "excluded": "#6a737d",
}
PREFERENCE_KEY = "history_columns"  # the visible columns' keys (not positions: the order may change)
# Every column key the admin was offered when choosing (saved with the choice): a column added later that is
# visible by default shows up even for an admin who chose columns before it existed (saved_columns).
SEEN_KEY = "history_columns_seen"
# Columns added after admins could save a choice of columns, before the choice recorded which ones it had seen.
ADDED_LATER = frozenset({"outcome", "direction"})
# The widest a column starts, in full-width characters (the rest is elided, whole in the tooltip): 紐付け先 and
# エラー, so that the columns after them (end time, extensions…) are the ones to scroll to.
MAX_CHARS = {"record_id": 16, "error_message": 18}
CUSTOM_RANGE = "custom"  # 期間を指定: the days as ticked and typed


def cell_color(row: HistoryRow, key: str) -> str | None:
    """The text colour of a cell (``#rrggbb``), None for the table's own."""
    if key == "state":
        return STATE_COLORS.get(row.state)
    if key == "error_message" and row.error_code:
        return STATE_COLORS["failed"]
    return None


def cell_tooltip(row: HistoryRow, key: str, text: str, lang: str = "ja") -> str | None:
    """The tooltip of an エラー or 紐付け先 cell (narrow columns, elided text): all of it, for 紐付け先 with the
    record's Id and why it was chosen. None elsewhere (通話履歴's tooltip is the tab's: it names an action)."""
    if key == "error_message" and (row.error_code or row.error_message):
        return text
    if key == "record_id" and (row.record_id or row.match_reason):
        return linked_to_details(row, lang)
    return None


@dataclass(frozen=True)
class Cell:
    """One cell as the table shows it: its text, tooltip, text colour (``#rrggbb``; None: the table's own) and
    whether it is a number (right-aligned)."""

    text: str
    tooltip: str | None = None
    color: str | None = None
    number: bool = False


def page_cells(rows: Sequence[HistoryRow], zone: dt.tzinfo, lang: str, task: tuple[str, str]) -> list[list[Cell]]:
    """The cells of a page, per row every column (COLUMN_KEYS). 通話履歴 is a button: ``task`` = (its text, its
    tooltip with {id}: the tab's words for an action), where there is a Task. Made on the job thread with the
    rows: 50 × 19 cells cost milliseconds of Python, not to be spent in data() on the GUI thread."""
    pages = []
    for row in rows:
        cells = []
        for key in COLUMN_KEYS:
            if key == "task_id":
                cells.append(Cell(task[0], task[1].format(id=row.task_id)) if row.task_id else Cell(""))
                continue
            text = cell_text(row, key, zone, lang)
            cells.append(Cell(text, cell_tooltip(row, key, text, lang), cell_color(row, key), key == "retry_count"))
        pages.append(cells)
    return pages


def shown_columns(keys: Iterable[str]) -> list[str]:
    """``keys`` in the table's order; none at all is the default choice (an empty table looks broken)."""
    chosen = set(keys)
    return [key for key in COLUMN_KEYS if key in chosen] or list(DEFAULT_VISIBLE)


def saved_columns(saved: object, seen: object) -> list[str]:
    """The columns to show from the saved preferences: the admin's choice (``saved``, keys) plus the columns
    visible by default that were added after it was made (not in ``seen``, the keys the admin was offered;
    a choice saved before ``seen`` existed saw every column but ADDED_LATER). Nothing saved: the default."""
    if not isinstance(saved, list):
        return list(DEFAULT_VISIBLE)
    if not isinstance(seen, list):
        seen = [key for key in COLUMN_KEYS if key not in ADDED_LATER]
    return shown_columns([*saved, *(key for key in DEFAULT_VISIBLE if key not in seen)])


def chosen_columns(config: ConfigService) -> list[str]:
    """The columns the tab shows: the admin's saved choice (saved_columns), else the default."""
    return saved_columns(config.preference(PREFERENCE_KEY, None), config.preference(SEEN_KEY, None))


def choose_columns(config: ConfigService, keys: Iterable[str]) -> list[str]:
    """Save the admin's choice (in the table's order, never none) with every key offered now; returns it."""
    chosen = shown_columns(keys)
    config.set_preference(PREFERENCE_KEY, chosen)
    config.set_preference(SEEN_KEY, list(COLUMN_KEYS))
    return chosen


def range_days(name: str, zone: dt.tzinfo, now: dt.datetime | None = None) -> tuple[dt.date, dt.date] | None:
    """The first and last day a quick range (QUICK_RANGES) puts in the date fields; None for "" (every day)."""
    return quick_range(name, zone, now) if name else None


@dataclass(frozen=True)
class Paging:
    """Where a page of ``shown`` rows at ``offset`` stands among ``total`` rows (None: still being counted)."""

    offset: int
    size: int
    shown: int
    total: int | None
    estimate: int | None = None  # the database's estimate of ``total`` while it is being counted

    def total_text(self, approximate: str) -> str:
        """The total as the page line says it: the count, else ``approximate`` ("約{count:,}") with the estimate,
        else … (still counting)."""
        if self.total is not None:
            return f"{self.total:,}"
        return "…" if self.estimate is None else approximate.format(count=self.estimate)

    @property
    def first(self) -> int:
        """The 1-based number of the page's first row (0: an empty page)."""
        return self.offset + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return self.offset + self.shown

    @property
    def page_count(self) -> int:
        return max(((self.total or 0) + self.size - 1) // self.size, 1)

    @property
    def current_page(self) -> int:
        """0-based."""
        return self.offset // self.size

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        """A next page: by the count, or while it is unknown, when this page is full."""
        if self.total is None:
            return self.shown == self.size
        return self.offset + self.size < self.total

    @property
    def has_last(self) -> bool:
        """»: only with the count (the last page's offset comes from it)."""
        return self.total is not None and self.has_next

    def page_offset(self, page: int) -> int:
        """The offset of ``page`` (0-based), kept within the pages there are."""
        return min(max(page, 0), self.page_count - 1) * self.size

    @property
    def beyond_end(self) -> bool:
        """The page starts past the counted rows (rows went away, e.g. retention): the last page is the one."""
        return self.total is not None and 0 < self.offset >= self.total


def anchored_page(
    source: HistorySource, history_filter: HistoryFilter, sort: Sort, paging: Paging, anchor: tuple[int, int]
) -> tuple[int, list[HistoryRow]]:
    """The page a refresh shows, as (offset, rows): ``anchor`` = (row, job id) stays on that row of the page.

    Rows that arrived before it (new calls at the top of the newest-first order) move the page's offset by as many
    rows instead of pushing the row down under the admin's mouse; a job that left the filter (or moved more than
    a page) anchors nothing: the page at the same offset."""
    row, job_id = anchor
    offset, size, total = paging.offset, paging.size, paging.total
    window = read_page(source, history_filter, offset, 2 * size, sort, total=total)
    where = next((i for i, found in enumerate(window) if found.job_id == job_id), None)
    if where is None or where == row:
        return offset, window[:size]
    start = max(offset + where - row, 0)
    rows = window[start - offset:start - offset + size]
    if len(rows) < size and len(window) == 2 * size:  # the page reaches past the window: read it whole
        rows = read_page(source, history_filter, start, size, sort, total=total)
    return start, rows


def anchor_row(selected: Sequence[int], current: int, hovered: int, top: int) -> int:
    """The row a refresh keeps in place: the ``current`` row when selected, else the first selected row, else the
    row under the mouse (``hovered``), else ``top``, the top row in view when the page is scrolled down (-1: the
    page's top is in view, new calls may appear there). -1 is no row."""
    if selected:
        return current if current in selected else min(selected)
    return hovered if hovered >= 0 else top


@dataclass(frozen=True)
class FilterBar:
    """What the tab's filter controls show: the keyword, 状態, 失敗/要対応, the quick range and the two days, each
    ticked or not (an unticked day keeps its date: ticking it again brings it back)."""

    keyword: str = ""
    state: str = ""
    attention: bool = False
    range: str = ""
    from_on: bool = False
    from_day: dt.date | None = None
    to_on: bool = False
    to_day: dt.date | None = None

    def edited(self, key: str, zone: dt.tzinfo, now: dt.datetime | None = None) -> FilterBar:
        """The controls after the admin changed ``key`` (its new value already here), the others following it: a
        state picked by hand replaces 失敗/要対応 and 失敗/要対応 the state; a quick range puts its days in, ticked
        ("" unticks both, 期間を指定 leaves them); a day ticked or typed makes the range 期間を指定 (none ticked:
        every day)."""
        if key == "state":
            return replace(self, attention=False)
        if key == "attention":
            return replace(self, state="") if self.attention else self
        if key == "range" and self.range != CUSTOM_RANGE:
            days = range_days(self.range, zone, now)
            if days is None:
                return replace(self, from_on=False, to_on=False)
            return replace(self, from_on=True, from_day=days[0], to_on=True, to_day=days[1])
        if key in ("from_on", "from_day", "to_on", "to_day"):
            return replace(self, range=CUSTOM_RANGE if self.from_on or self.to_on else "")
        return self

    def calls_of(self, number: str) -> FilterBar:
        """この番号の通話: every call with that number, whatever its state and date."""
        return replace(self, keyword=number, state="", attention=False, range="", from_on=False, to_on=False)

    def history_filter(self, setting_name: str, zone: dt.tzinfo) -> HistoryFilter:
        days = (self.from_day if self.from_on else None, self.to_day if self.to_on else None)
        return filter_for(setting_name, self.keyword, days, zone, self.state, self.attention)


def filter_for(
    setting_name: str,
    keyword: str,
    days: tuple[dt.date | None, dt.date | None],
    zone: dt.tzinfo,
    state: str = "",
    attention: bool = False,
) -> HistoryFilter:
    """The filter of the tab's controls: ``days`` (first, last; inclusive, None = open) in the displayed zone;
    失敗/要対応 (``attention``) shows its states in place of the one picked in 状態."""
    started_from, started_before = day_bounds(*days, zone)
    return HistoryFilter(
        setting_name=setting_name,
        keyword=keyword,
        started_from=started_from,
        started_before=started_before,
        state="" if attention else state,
        states=tuple(ATTENTION_STATES) if attention else (),
    )
