"""連携通話履歴's decisions without Qt (services.history_view): colours, tooltips, columns, filters, ranges, paging."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from sqlalchemy import select

from biztel_desk.domain.matching import Reason
from biztel_desk.services.context import AppContext
from biztel_desk.services.history import (
    COLUMN_KEYS,
    DEFAULT_SORT,
    DEFAULT_VISIBLE,
    HistoryFilter,
    HistoryRow,
    SqlHistorySource,
    read_page,
)
from biztel_desk.services.history_view import (
    ADDED_LATER,
    CUSTOM_RANGE,
    FilterBar,
    Paging,
    anchor_row,
    anchored_page,
    cell_color,
    cell_tooltip,
    choose_columns,
    chosen_columns,
    filter_for,
    page_cells,
    range_days,
    saved_columns,
    shown_columns,
)
from biztel_desk.store.models import Call, LinkJob, LinkSetting

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _row(**values: object) -> HistoryRow:
    fields: dict[str, object] = {
        "job_id": 1, "unique_id": "u1", "request_id": "r1", "from_number": "0312345678", "to_number": "0120000000",
        "started_at": dt.datetime(2024, 4, 1, tzinfo=dt.UTC), "ended_at": None, "from_agent_id": "",
        "to_agent_id": "", "from_extension": "", "to_extension": "", "processed_at": None, "retry_count": 0,
        "next_retry_at": None, "task_id": None, "state": "linked", "record_id": None, "record_object": None,
        "error_code": "", "error_message": "",
    }
    fields.update(values)
    return HistoryRow(**fields)  # type: ignore[arg-type]


def test_state_colours_say_failed_waiting_done_and_set_aside() -> None:
    assert cell_color(_row(state="failed"), "state") == "#b00020"
    assert cell_color(_row(state="retrying"), "state") == "#9a6700"
    assert cell_color(_row(state="linked"), "state") == "#1a7f37"
    assert cell_color(_row(state="excluded"), "state") == "#6a737d"
    assert cell_color(_row(state="pending"), "state") is None  # the table's own colour
    assert cell_color(_row(state="failed"), "from_number") is None
    # An error with a code is red whatever the state; a message without a code (a note) keeps the table's colour.
    assert cell_color(_row(state="retrying", error_code="UNABLE_TO_LOCK_ROW"), "error_message") == "#b00020"
    assert cell_color(_row(error_message="note"), "error_message") is None


def test_tooltips_show_the_whole_error_and_why_the_record_was_chosen() -> None:
    failed = _row(state="failed", error_code="INVALID_FIELD", error_message="No such column")
    assert cell_tooltip(failed, "error_message", "the cell's text") == "the cell's text"
    assert cell_tooltip(_row(), "error_message", "") is None
    reason = Reason("single", {"object": "Account", "id": "0012v000032fR15AAE", "field": "Phone"}).to_json()
    linked = _row(record_id="0012v000032fR15AAE", record_object="Account", record_name="山田 花子", match_reason=reason)
    lines = cell_tooltip(linked, "record_id", "山田 花子", "ja").splitlines()  # type: ignore[union-attr]
    assert lines[0] == "山田 花子"
    assert "Account 0012v000032fR15AAE" in lines
    assert len(lines) == 3 and "Phone" in lines[2]  # and why: the match on the Phone field
    assert cell_tooltip(_row(), "record_id", "") is None
    assert cell_tooltip(_row(task_id="00T000000000001AAA"), "task_id", "開く") is None  # the tab's: an action


def test_page_cells_carry_text_tooltip_colour_and_alignment() -> None:
    failed = _row(state="failed", error_code="INVALID_FIELD", error_message="No such column", retry_count=2)
    linked = _row(job_id=2, task_id="00T000000000001AAA", record_id="0012v000032fR15AAE", record_object="Account")
    cells = page_cells([failed, linked], TOKYO, "ja", ("開く", "open {id}"))
    assert len(cells) == 2 and all(len(row) == len(COLUMN_KEYS) for row in cells)
    state, task, error, retries = (COLUMN_KEYS.index(key) for key in ("state", "task_id", "error_message", "retry_count"))
    assert (cells[0][state].text, cells[0][state].color) == ("失敗", "#b00020")
    assert cells[0][error].tooltip == cells[0][error].text and "INVALID_FIELD" in cells[0][error].text
    assert cells[0][retries].text == "2" and cells[0][retries].number and not cells[0][state].number
    assert cells[0][task].text == "" and cells[0][task].tooltip is None  # no Task: no button
    assert (cells[1][task].text, cells[1][task].tooltip) == ("開く", "open 00T000000000001AAA")
    assert cells[1][COLUMN_KEYS.index("started_at")].text == "2024/04/01 09:00:00"  # in the displayed zone


def test_shown_columns_keep_the_table_order_and_never_hide_everything() -> None:
    assert shown_columns(["state", "from_number", "unique_id"][::-1]) == ["state", "unique_id", "from_number"]
    assert shown_columns([]) == list(DEFAULT_VISIBLE)


def test_saved_columns_add_default_columns_the_admin_was_never_offered() -> None:
    assert saved_columns(None, None) == list(DEFAULT_VISIBLE)  # nothing saved yet
    assert saved_columns("state", None) == list(DEFAULT_VISIBLE)  # not a list: a damaged preference
    # Saved before the seen keys were kept: every column but ADDED_LATER was offered, those visible ones are added.
    assert saved_columns(["state", "unique_id"], None) == ["state", *sorted(ADDED_LATER, key=COLUMN_KEYS.index),
                                                           "unique_id"]
    # Saved with every key seen: exactly the choice, in the table's order.
    assert saved_columns(["unique_id", "state"], list(COLUMN_KEYS)) == ["state", "unique_id"]
    # A default column added after the choice (not seen) shows up; one the admin saw and unticked does not.
    seen = [key for key in COLUMN_KEYS if key != "outcome"]
    assert saved_columns(["state"], seen) == ["state", "outcome"]


def test_the_column_choice_is_saved_with_the_columns_offered(context: AppContext) -> None:
    config = context.config
    assert chosen_columns(config) == list(DEFAULT_VISIBLE)  # nothing chosen yet
    assert choose_columns(config, ["unique_id", "state"]) == ["state", "unique_id"]  # the table's order
    assert config.preference("history_columns") == ["state", "unique_id"]  # keys, as older versions read them
    assert config.preference("history_columns_seen") == list(COLUMN_KEYS)
    assert chosen_columns(config) == ["state", "unique_id"]  # every column was offered: no default added
    assert choose_columns(config, []) == list(DEFAULT_VISIBLE) == chosen_columns(config)  # never an empty table


def test_range_days_are_the_quick_ranges_of_the_displayed_zone() -> None:
    # 2024-03-01 00:30 in Tokyo is still February in UTC: 今日 and 先月 are Tokyo's.
    now = dt.datetime(2024, 2, 29, 15, 30, tzinfo=dt.UTC)
    assert range_days("", TOKYO, now) is None  # すべての期間
    assert range_days("today", TOKYO, now) == (dt.date(2024, 3, 1), dt.date(2024, 3, 1))
    assert range_days("last_7_days", TOKYO, now) == (dt.date(2024, 2, 24), dt.date(2024, 3, 1))
    assert range_days("last_month", TOKYO, now) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert range_days("today", dt.UTC, now) == (dt.date(2024, 2, 29), dt.date(2024, 2, 29))
    with pytest.raises(ValueError):
        range_days("next_week", TOKYO, now)


def test_paging_with_a_known_count() -> None:
    middle = Paging(offset=50, size=50, shown=50, total=120)
    assert (middle.first, middle.last, middle.page_count, middle.current_page) == (51, 100, 3, 1)
    assert middle.has_previous and middle.has_next and middle.has_last
    last = Paging(offset=100, size=50, shown=20, total=120)
    assert (last.first, last.last) == (101, 120)
    assert not last.has_next and not last.has_last
    assert middle.page_offset(-1) == 0 and middle.page_offset(2) == 100 and middle.page_offset(9) == 100
    empty = Paging(offset=0, size=50, shown=0, total=0)
    assert (empty.first, empty.last, empty.page_count) == (0, 0, 1)
    assert not empty.has_previous and not empty.has_next and not empty.beyond_end


def test_paging_while_the_count_runs_and_after_rows_went_away() -> None:
    counting = Paging(offset=0, size=50, shown=50, total=None)
    assert counting.has_next and not counting.has_last  # a full page: maybe more; » needs the count
    assert not Paging(offset=0, size=50, shown=49, total=None).has_next
    assert counting.page_count == 1 and not counting.beyond_end
    # The page line's total: the count, the estimate while it runs (PostgreSQL, millions of rows), else "…".
    assert Paging(0, 50, 50, 1234567).total_text("約{count:,}") == "1,234,567"
    assert Paging(0, 50, 50, None, estimate=1200000).total_text("約{count:,}") == "約1,200,000"
    assert counting.total_text("約{count:,}") == "…"
    assert Paging(offset=100, size=50, shown=0, total=80).beyond_end  # retention deleted the rows of this page
    assert not Paging(offset=50, size=50, shown=30, total=80).beyond_end


def test_filter_for_the_controls_in_the_displayed_zone() -> None:
    days = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    picked = filter_for("本社", "0312345678", days, TOKYO, state="linked")
    assert (picked.setting_name, picked.keyword, picked.state, picked.states) == ("本社", "0312345678", "linked", ())
    assert picked.started_from == dt.datetime(2024, 2, 29, 15, tzinfo=dt.UTC)  # Tokyo's midnight
    assert picked.started_before == dt.datetime(2024, 3, 31, 15, tzinfo=dt.UTC)  # the last day included
    # 失敗/要対応 replaces the state picked in 状態; open days are no bound.
    attention = filter_for("本社", "", (None, None), TOKYO, state="linked", attention=True)
    assert attention.state == "" and attention.state_set() == ("failed", "retrying")
    assert attention.started_from is None and attention.started_before is None


def test_the_filter_controls_follow_the_one_the_admin_changed() -> None:
    now = dt.datetime(2024, 2, 29, 15, 30, tzinfo=dt.UTC)  # 2024-03-01 in Tokyo
    march, april = dt.date(2024, 3, 1), dt.date(2024, 4, 1)
    bar = FilterBar(keyword="0312", state="", attention=True, from_day=march, to_day=april)
    # A state picked by hand replaces 失敗/要対応; 失敗/要対応 ticked replaces the state (unticked: leaves it).
    assert bar.edited("state", TOKYO) == FilterBar("0312", "", False, from_day=march, to_day=april)
    picked = FilterBar(state="failed", attention=True)
    assert picked.edited("attention", TOKYO, now) == FilterBar(state="", attention=True)
    assert FilterBar(state="failed").edited("attention", TOKYO, now) == FilterBar(state="failed")
    # A quick range puts its days of the displayed zone in, ticked; すべての期間 unticks both and keeps the dates.
    today = bar.edited("range", TOKYO, now)  # the range field still "" here: every day
    assert (today.from_on, today.to_on, today.from_day, today.to_day) == (False, False, march, april)
    week = FilterBar(range="last_7_days", from_day=april).edited("range", TOKYO, now)
    assert (week.from_on, week.from_day, week.to_on, week.to_day) == (True, dt.date(2024, 2, 24), True, march)
    assert FilterBar(range=CUSTOM_RANGE).edited("range", TOKYO, now) == FilterBar(range=CUSTOM_RANGE)
    # A day ticked or typed is 期間を指定; none ticked is every day.
    assert week.edited("from_day", TOKYO, now).range == CUSTOM_RANGE
    assert FilterBar(range=CUSTOM_RANGE, to_on=True).edited("to_on", TOKYO, now).range == CUSTOM_RANGE
    assert FilterBar(range=CUSTOM_RANGE).edited("from_on", TOKYO, now).range == ""
    # この番号の通話: that number, any state, any day (the dates stay for the next time they are ticked).
    calls = week.calls_of("0901111").edited("keyword", TOKYO, now)
    assert calls == FilterBar("0901111", from_day=dt.date(2024, 2, 24), to_day=march)
    # The filter: only the ticked days bound it, in the displayed zone; 失敗/要対応 replaces the state.
    only_from = FilterBar(state="linked", from_on=True, from_day=march, to_day=april).history_filter("本社", TOKYO)
    assert only_from == filter_for("本社", "", (march, None), TOKYO, state="linked")
    assert bar.history_filter("本社", TOKYO) == filter_for("本社", "0312", (None, None), TOKYO, attention=True)


def test_the_row_a_refresh_keeps_in_place() -> None:
    assert anchor_row([2, 5], current=5, hovered=7, top=3) == 5  # the current row of the selection
    assert anchor_row([2, 5], current=4, hovered=7, top=3) == 2  # else the first selected
    assert anchor_row([], current=4, hovered=7, top=3) == 7  # nothing selected: the row under the mouse
    assert anchor_row([], current=-1, hovered=-1, top=3) == 3  # else the top row of a scrolled page
    assert anchor_row([], current=-1, hovered=-1, top=-1) == -1  # the page's top in view: none


def _insert(context: AppContext, count: int, first_hour: int) -> None:
    """``count`` calls an hour apart from ``first_hour`` on 2025-01-01, each with a linked job of 本社."""
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
        for hour in range(first_hour, first_hour + count):
            began = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=hour)
            call = Call(unique_id=f"u{hour:03d}", request_id=f"r{hour:03d}", direction="inbound",
                        from_number=f"0901111{hour:04d}", to_number="0312345678", started_at=began)
            session.add(call)
            session.flush()
            session.add(LinkJob(call_id=call.id, setting_id=setting_id, state="linked"))


def test_anchored_page_keeps_the_row_in_place_when_calls_arrive(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert(context, 30, 0)
    source, everything = SqlHistorySource(context.database), HistoryFilter("本社")
    page = read_page(source, everything, 10, 10, DEFAULT_SORT)  # the second page, newest first
    anchor = (4, page[4].job_id)
    paging = Paging(offset=10, size=10, shown=10, total=30)
    assert anchored_page(source, everything, DEFAULT_SORT, paging, anchor) == (10, page)  # nothing new
    _insert(context, 3, 100)  # three newer calls: on top of the newest-first order
    offset, rows = anchored_page(source, everything, DEFAULT_SORT, paging, anchor)
    assert offset == 13 and rows == page  # the page moved by the new rows: the anchored job is still row 4
    # A job that left the filter anchors nothing: the page at the same offset.
    gone = anchored_page(source, everything, DEFAULT_SORT, paging, (4, -1))
    assert gone == (10, read_page(source, everything, 10, 10, DEFAULT_SORT))
    # The anchored job far down the window read first (two pages): the page reaching past it is read whole.
    window = read_page(source, everything, 0, 20, DEFAULT_SORT)
    offset, rows = anchored_page(source, everything, DEFAULT_SORT, Paging(0, 10, 10, 33), (0, window[15].job_id))
    assert offset == 15 and rows == read_page(source, everything, 15, 10, DEFAULT_SORT) and len(rows) == 10
    # Near the end the page is just shorter.
    tail = read_page(source, everything, 20, 13, DEFAULT_SORT)
    offset, rows = anchored_page(source, everything, DEFAULT_SORT, Paging(20, 10, 10, 33), (0, tail[9].job_id))
    assert offset == 29 and rows == tail[9:] and len(rows) == 4
