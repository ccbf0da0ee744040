"""連携通話履歴 at scale: 1,000,000 calls + jobs in SQLite, then page, jump, sort, count and GUI-stall figures.

Run: ``/work/venv/bin/python bench/history_bench.py [--calls 1000000] [--keep DIR] [--no-gui]``. The calls
span one year, one every ~31 s, from 20,000 customers to two company numbers; 80 % are linked, the rest
pending, retrying, failed or skipped. Prints milliseconds per operation (median and max of repeats).
``--keep DIR`` reuses (or leaves) the database in DIR, so a second run skips the ~2 minutes of generation.

PostgreSQL: ``--db-url postgresql+psycopg://user@host:port/db --calls 10000000 --no-gui``. An empty database is
migrated and filled with ``COPY`` (the calls then span one year at any count: 10,000,000 is ~27,000 a day); a
database that already holds the bench's calls is reused as it is, so generate once and rerun.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.config import ConfigService
from biztel_desk.store.db import Database, redacted
from biztel_desk.store.history import DEFAULT_SORT, HistoryFilter, SqlHistorySource, cursor_of, rebuild_day_counts
from biztel_desk.store.models import Call

SETTING = "本社"
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
STATES = ["linked"] * 16 + ["pending", "retrying", "failed", "skipped"]


def generate(database: Database, calls: int, seed: int = 11) -> None:
    """Rows straight through the DBAPI in big transactions: the triggers of migration 0004 still run."""
    config = ConfigService(database, SecretStore(MemoryBackend()))
    config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
    config.save_basic(
        LinkSettingConfig(name=SETTING, account="devorg", fallback_record_id="0012v000032fR15AAE", api_consent=True,
                          targets=(LinkTargetConfig("03-1234-5678"),))
    )
    rng = random.Random(seed)
    customers = [f"090{rng.randrange(10**8):08d}" for _ in range(20000)]
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        setting_id = cursor.execute("SELECT id FROM link_settings WHERE name = ?", (SETTING,)).fetchone()[0]
        batch = 50000
        for first in range(0, calls, batch):
            call_rows: list[tuple[Any, ...]] = []
            job_rows: list[tuple[Any, ...]] = []
            for i in range(first, min(first + batch, calls)):
                began = START + dt.timedelta(seconds=i * 31)
                # The text SQLAlchemy's SQLite DateTime stores (with microseconds), so bound comparisons match.
                stamp = began.strftime("%Y-%m-%d %H:%M:%S.%f")
                ended = (began + dt.timedelta(seconds=rng.randrange(20, 900))).strftime("%Y-%m-%d %H:%M:%S.%f")
                customer = customers[rng.randrange(len(customers))]
                inbound = rng.random() < 0.7
                extension = str(200 + rng.randrange(50))
                agent = f"agent{rng.randrange(40):02d}"
                call_rows.append((
                    i + 1, f"{1735689600 + i * 31}.{i}", f"req-{i:08d}", "https://s0000.u.biztel.jp:8000",
                    "inbound" if inbound else "outbound",
                    customer if inbound else "0312345678", "0312345678" if inbound else customer,
                    "+81" + customer[1:], "+81312345678",
                    "" if inbound else agent, agent if inbound else "", "" if inbound else extension,
                    extension if inbound else "", stamp, ended, 60, "bench", stamp,
                ))
                state = rng.choice(STATES)
                linked = state == "linked"
                job_rows.append((
                    i + 1, i + 1, setting_id, state, 1 if state == "retrying" else 0,
                    stamp if state in ("linked", "failed", "skipped") else None,
                    f"00T{i:015d}" if linked else None, f"003{i % 5000:015d}" if linked else None,
                    "Contact" if linked else None,
                    "INVALID_CROSS_REFERENCE_KEY" if state == "failed" else "",
                    "invalid cross reference id" if state == "failed" else "", stamp, stamp, stamp,
                ))
            cursor.execute("BEGIN")
            cursor.executemany(
                "INSERT INTO calls (id, unique_id, request_id, recording_server_url, direction, from_number, to_number,"
                " customer_e164, company_e164, from_agent_id, to_agent_id, from_extension, to_extension, started_at,"
                " ended_at, duration_s, source, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                call_rows,
            )
            cursor.executemany(
                "INSERT INTO link_jobs (id, call_id, setting_id, state, retry_count, processed_at, task_id, record_id,"
                " record_object, error_code, error_message, match_reason, created_at, updated_at, call_started_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,'',?,?,?)",
                job_rows,
            )
            cursor.execute("COMMIT")
            print(f"\r  generated {min(first + batch, calls):,} calls", end="", file=sys.stderr, flush=True)
        cursor.execute("ANALYZE")
        print(file=sys.stderr)
    finally:
        raw.close()


def generate_postgresql(database: Database, calls: int, seed: int = 11) -> None:
    """The same shape of data as generate(), loaded with COPY: secondary indexes are dropped first and rebuilt
    after (as pg_restore does), and foreign-key and trigger checks are off during the load (we give
    call_started_at ourselves). Needs a role that may set session_replication_role (a superuser)."""
    config = ConfigService(database, SecretStore(MemoryBackend()))
    config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
    config.save_basic(
        LinkSettingConfig(name=SETTING, account="devorg", fallback_record_id="0012v000032fR15AAE", api_consent=True,
                          targets=(LinkTargetConfig("03-1234-5678"),))
    )
    rng = random.Random(seed)
    customers = [f"090{rng.randrange(10**8):08d}" for _ in range(20000)]
    step_us = 365 * 86400 * 1_000_000 // calls  # one year, whatever the count
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT id FROM link_settings WHERE name = %s", (SETTING,))
        setting_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('calls', 'link_jobs')"
            " AND indexname LIKE 'ix_%'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET session_replication_role = replica")
        raw.commit()
        began = time.perf_counter()
        batch = 100_000
        for first in range(0, calls, batch):
            call_lines: list[str] = []
            job_lines: list[str] = []
            for i in range(first, min(first + batch, calls)):
                started = START + dt.timedelta(microseconds=i * step_us)
                stamp = started.isoformat()
                ended = (started + dt.timedelta(seconds=rng.randrange(20, 900))).isoformat()
                customer = customers[rng.randrange(len(customers))]
                inbound = rng.random() < 0.7
                extension = str(200 + rng.randrange(50))
                agent = f"agent{rng.randrange(40):02d}"
                call_lines.append("\t".join((
                    str(i + 1), f"{1735689600 + i * 31}.{i}", f"req-{i:08d}", "https://s0000.u.biztel.jp:8000",
                    "inbound" if inbound else "outbound",
                    customer if inbound else "0312345678", "0312345678" if inbound else customer,
                    "+81" + customer[1:], "+81312345678",
                    "" if inbound else agent, agent if inbound else "", "" if inbound else extension,
                    extension if inbound else "", stamp, ended, "60", "bench", stamp,
                )))
                state = rng.choice(STATES)
                linked = state == "linked"
                job_lines.append("\t".join((
                    str(i + 1), str(i + 1), str(setting_id), state, "1" if state == "retrying" else "0",
                    stamp if state in ("linked", "failed", "skipped") else "\\N",
                    f"00T{i:015d}" if linked else "\\N", f"003{i % 5000:015d}" if linked else "\\N",
                    "Contact" if linked else "\\N",
                    "INVALID_CROSS_REFERENCE_KEY" if state == "failed" else "",
                    "invalid cross reference id" if state == "failed" else "", "", stamp, stamp, stamp,
                )))
            with cursor.copy(
                "COPY calls (id, unique_id, request_id, recording_server_url, direction, from_number, to_number,"
                " customer_e164, company_e164, from_agent_id, to_agent_id, from_extension, to_extension, started_at,"
                " ended_at, duration_s, source, imported_at) FROM STDIN"
            ) as copy:
                copy.write("\n".join(call_lines) + "\n")
            with cursor.copy(
                "COPY link_jobs (id, call_id, setting_id, state, retry_count, processed_at, task_id, record_id,"
                " record_object, error_code, error_message, match_reason, created_at, updated_at, call_started_at)"
                " FROM STDIN"
            ) as copy:
                copy.write("\n".join(job_lines) + "\n")
            raw.commit()
            print(f"\r  copied {min(first + batch, calls):,} calls + jobs", end="", file=sys.stderr, flush=True)
        print(f"\n  COPY took {time.perf_counter() - began:.1f} s", file=sys.stderr)
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            began = time.perf_counter()
            cursor.execute(definition)
            raw.commit()
            print(f"  {name} rebuilt in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        for table in ("calls", "link_jobs"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.commit()
    finally:
        raw.close()
    began = time.perf_counter()  # the COPY ran without triggers: the per-day counts are recounted as 0018 does
    with database.engine.begin() as connection:
        rows = rebuild_day_counts(connection)
    print(f"  history_day_counts recounted ({rows:,} rows) in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    # VACUUM (not in a transaction): the visibility map lets counts walk the index only, as after autovacuum.
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        began = time.perf_counter()
        connection.exec_driver_sql("VACUUM (ANALYZE) calls")
        connection.exec_driver_sql("VACUUM (ANALYZE) link_jobs")
        print(f"  VACUUM ANALYZE took {time.perf_counter() - began:.1f} s", file=sys.stderr)


def timed(function: Callable[[], Any], repeat: int = 5) -> tuple[float, float, Any]:
    durations = []
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        durations.append((time.perf_counter() - began) * 1000)
    return statistics.median(durations), max(durations), result


def report(label: str, figures: tuple[float, float, Any], note: str = "") -> None:
    median, worst, _ = figures
    print(f"{label:<58} {median:9.1f} {worst:9.1f}  {note}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" on {os.cpu_count()} cores"


def store_figures(database: Database, page_size: int) -> HistoryFilter:
    source = SqlHistorySource(database)
    rng = random.Random(5)
    with database.read() as session:
        total_calls = int(session.scalar(select(func.count()).select_from(Call)) or 0)
        sample = session.scalar(  # a call 70 % of the way through (700,001 of the usual million)
            select(Call.from_number).where(Call.id >= total_calls * 7 // 10 + 1, Call.direction == "inbound")
            .order_by(Call.id).limit(1)
        )
    assert sample is not None
    typed = f"+81 {sample[1:3]}-{sample[3:7]}-{sample[7:]}"  # 09012345678 typed as +81 90-1234-5678
    month = HistoryFilter(SETTING, started_from=dt.datetime(2025, 9, 1, tzinfo=dt.UTC),
                          started_before=dt.datetime(2025, 10, 1, tzinfo=dt.UTC))
    year = HistoryFilter(SETTING, started_from=START, started_before=START + dt.timedelta(days=400))
    keyword = HistoryFilter(SETTING, keyword=typed, started_from=START, started_before=START + dt.timedelta(days=400))
    print(f"{total_calls:,} calls; keyword {typed!r} (stored as {sample}); load average {_load()}")
    print(f"{'operation':<58} {'median ms':>9} {'max ms':>9}  result")

    count = timed(lambda: source.count(keyword))
    report("count: whole year + number keyword", count, f"{count[2]:,} rows")
    report("first page: whole year + number keyword", timed(lambda: source.page(keyword, 0, page_size)))
    month_total = timed(lambda: source.count(month))
    report("count: one month (September)", month_total, f"{month_total[2]:,} rows")
    report("first page: one month", timed(lambda: source.page(month, 0, page_size)))
    agent = HistoryFilter(SETTING, keyword="agent07", started_from=month.started_from,
                          started_before=month.started_before)
    agent_count = timed(lambda: source.count(agent))
    report("count: one month + keyword 'agent07'", agent_count, f"{agent_count[2]:,} rows")
    report("first page: one month + keyword 'agent07'", timed(lambda: source.page(agent, 0, page_size)))
    agent_rows = int(agent_count[2])
    report("middle page: one month + keyword 'agent07'",
           timed(lambda: source.page(agent, agent_rows // 2, page_size, total=agent_rows)))
    if source.day_keyword_index:  # PostgreSQL with migration 0019: the keyword's per-day counts
        report("last page: one month + keyword 'agent07'",
               timed(lambda: source.page(agent, agent_rows - agent_rows % page_size, page_size, total=agent_rows)))
        report("middle page: one month + 'agent07', no count before it",
               timed(lambda: source.page(agent, agent_rows // 2, page_size)))
        agent_jumps = [rng.randrange(agent_rows // page_size) * page_size for _ in range(20)]
        source.count(agent)
        durations = []
        for offset in agent_jumps:
            began = time.perf_counter()
            source.page(agent, offset, page_size, total=agent_rows)
            durations.append((time.perf_counter() - began) * 1000)
        print(f"{'20 random page jumps: one month + keyword agent07':<58} {statistics.median(durations):9.1f}"
              f" {max(durations):9.1f}")
        agent_cursor = cursor_of(source.page(agent, agent_rows // 2, page_size, total=agent_rows)[-1], DEFAULT_SORT)
        report("next page by keyset: one month + keyword 'agent07'",
               timed(lambda: source.page_after(agent, agent_cursor, page_size)))
        jst = dt.timezone(dt.timedelta(hours=9))
        agent_jst = replace(agent, started_from=dt.datetime(2025, 9, 1, tzinfo=jst),
                            started_before=dt.datetime(2025, 10, 1, tzinfo=jst))
        jst_count = timed(lambda: source.count(agent_jst))
        report("count: one month in JST + keyword 'agent07'", jst_count, f"{jst_count[2]:,} rows")
        report("middle page: one month in JST + keyword 'agent07'",
               timed(lambda: source.page(agent_jst, int(jst_count[2]) // 2, page_size, total=int(jst_count[2]))))
        agent_year = replace(agent, started_from=START, started_before=START + dt.timedelta(days=400))
        report("first page: whole year + keyword 'agent07'", timed(lambda: source.page(agent_year, 0, page_size)))
        year_count = timed(lambda: source.count(agent_year), repeat=3)
        report("count: whole year + keyword 'agent07'", year_count, f"{year_count[2]:,} rows")
        report("middle page: whole year + keyword 'agent07'",
               timed(lambda: source.page(agent_year, int(year_count[2]) // 2, page_size, total=int(year_count[2]))))
    jst = dt.timezone(dt.timedelta(hours=9))  # a month as the window asks for it in Japan: 15:00 UTC edges
    jst_month = HistoryFilter(SETTING, started_from=dt.datetime(2025, 9, 1, tzinfo=jst),
                              started_before=dt.datetime(2025, 10, 1, tzinfo=jst))
    jst_total = timed(lambda: source.count(jst_month))
    report("count: one month in JST (partial UTC days at both edges)", jst_total, f"{jst_total[2]:,} rows")
    jst_rows = int(jst_total[2])
    report("middle page: one month in JST", timed(lambda: source.page(jst_month, jst_rows // 2, page_size, total=jst_rows)))
    jst_failed = replace(jst_month, state="failed")
    jst_failed_total = timed(lambda: source.count(jst_failed))
    report("count: one month in JST, state 失敗", jst_failed_total, f"{jst_failed_total[2]:,} rows")
    report("middle page: one month in JST, state 失敗",
           timed(lambda: source.page(jst_failed, int(jst_failed_total[2]) // 2, page_size, total=int(jst_failed_total[2]))))
    failed = HistoryFilter(SETTING, state="failed", started_from=year.started_from, started_before=year.started_before)
    failed_count = timed(lambda: source.count(failed))
    report("count: whole year, state 失敗", failed_count, f"{failed_count[2]:,} rows")

    total = timed(lambda: source.count(year))
    report("count: whole year (every row)", total, f"{total[2]:,} rows")
    if source.estimate(year) is not None:  # PostgreSQL: what the tab shows (約…件) while the count runs
        estimate = timed(lambda: source.estimate(year))
        report("estimate: whole year (every row)", estimate, f"約{estimate[2]:,} rows")
        estimate = timed(lambda: source.estimate(month))
        report("estimate: one month (September)", estimate, f"約{estimate[2]:,} rows")
    rows = int(total[2])
    last = (rows - 1) // page_size * page_size
    report("page 1 of the whole year", timed(lambda: source.page(year, 0, page_size, total=rows)))
    report("middle page of the whole year", timed(lambda: source.page(year, rows // 2, page_size, total=rows)))
    report("last page of the whole year", timed(lambda: source.page(year, last, page_size, total=rows)))
    jumps = [rng.randrange(rows // page_size) * page_size for _ in range(20)]
    durations = []
    for offset in jumps:
        began = time.perf_counter()
        source.page(year, offset, page_size, total=rows)
        durations.append((time.perf_counter() - began) * 1000)
    print(f"{'20 random page jumps of the whole year':<58} {statistics.median(durations):9.1f} {max(durations):9.1f}")
    durations = []
    for offset in jumps:
        began = time.perf_counter()
        source.page(year, offset, page_size, ("started_at", False), total=rows)
        durations.append((time.perf_counter() - began) * 1000)
    print(f"{'20 random page jumps, oldest first':<58} {statistics.median(durations):9.1f} {max(durations):9.1f}")
    middle = source.page(year, rows // 2, page_size, total=rows)
    report("next page by keyset from the middle",
           timed(lambda: source.page_after(year, cursor_of(middle[-1], ("started_at", True)), page_size)))
    report("previous page by keyset from the middle",
           timed(lambda: source.page_after(year, cursor_of(middle[0], ("started_at", True)), page_size, backwards=True)))
    for key in ("from_number", "state", "processed_at"):
        report(f"sort by {key}: whole year + number keyword, page 1",
               timed(lambda key=key: source.page(keyword, 0, page_size, (key, False))))
        report(f"sort by {key}: one month, page 1",
               timed(lambda key=key: source.page(month, 0, page_size, (key, False)), repeat=3))
        report(f"sort by {key}: one month, last page",
               timed(lambda key=key: source.page(month, int(month_total[2]) - page_size, page_size, (key, False),
                                                 total=int(month_total[2])), repeat=3))
    print(f"load average at the end: {_load()}")
    return keyword


def gui_figures(database: Database, history_filter: HistoryFilter, page_size: int) -> None:
    """The tab on an offscreen screen: the longest gap between 5 ms timer ticks while it filters and pages."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QDate, QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from biztel_desk.services.context import AppContext
    from biztel_desk.ui.tabs.history_tab import HistoryTab

    app = QApplication.instance() or QApplication(sys.argv)
    context = AppContext(database=database, secrets=SecretStore(MemoryBackend()), lang="ja")
    context.config.save_system({"page_size": page_size, "time_zone": "UTC"})
    tab = HistoryTab(context)
    tab.resize(1400, 800)
    tab.show()
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    ticker = QTimer()
    ticker.setInterval(5)
    ticker.timeout.connect(tick)
    ticker.start()

    def settle(what: Callable[[], None], label: str) -> None:
        seen = len(gaps)
        began = time.perf_counter()
        what()
        deadline = time.perf_counter() + 30
        while (tab.model.loading or tab.model.counting) and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.001)
        stall = max(gaps[seen:], default=0)
        print(f"{'GUI: ' + label:<58} {(time.perf_counter() - began) * 1000:9.1f} {stall:9d}  (result shown; longest stall)")

    settle(lambda: tab.load(SETTING), "load the setting (every row)")
    settle(lambda: tab.quick_range("this_month"), "quick range 今月")
    settle(lambda: (tab.from_date.setDate(QDate(2025, 1, 1)), tab.to_date.setDate(QDate(2026, 1, 31))),
           "date range: whole year")
    settle(lambda: (tab.keyword_edit.setText(history_filter.keyword), tab.apply_keyword_now()),
           "keyword (a number in another format)")
    settle(lambda: (tab.keyword_edit.setText(""), tab.apply_keyword_now()), "clear the keyword")
    settle(tab.model.last_page, "last page")
    settle(lambda: tab.model.go_to_page(tab.model.paging().page_count // 2), "jump to the middle page")
    settle(tab.model.next_page, "next page")
    settle(tab.model.previous_page, "previous page")
    settle(lambda: tab.view.sortByColumn(3, tab.view.horizontalHeader().sortIndicatorOrder()), "sort by 着信電話番号")
    settle(tab.model.first_page, "first page")
    ticker.stop()
    longest = max(gaps[1:]) if len(gaps) > 1 else 0
    print(f"{'GUI thread: longest gap between 5 ms ticks':<58} {longest:9.1f}  ({len(gaps)} ticks)")
    tab.model.shutdown()
    tab.deleteLater()
    app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--keep", metavar="DIR", help="reuse or keep the database in DIR")
    parser.add_argument("--db-url", metavar="URL", help="PostgreSQL instead of SQLite: filled with COPY when empty")
    parser.add_argument("--no-gui", action="store_true", help="skip the GUI-thread measurement")
    parser.add_argument("--gui-only", action="store_true", help="only the GUI-thread measurement")
    args = parser.parse_args()
    if args.db_url:
        database = Database.open(url=args.db_url)
        with database.read() as session:
            fresh = not session.scalar(select(func.count()).select_from(select(Call.id).limit(1).subquery()))
        where: object = redacted(args.db_url)
    else:
        directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="history-bench-"))
        directory.mkdir(parents=True, exist_ok=True)
        fresh = not any(directory.iterdir())
        database = Database.open(directory=directory)
        where = directory
    try:
        if fresh:
            began = time.perf_counter()
            (generate_postgresql if args.db_url else generate)(database, args.calls)
            print(f"generated {args.calls:,} calls + jobs in {time.perf_counter() - began:.1f} s ({where})")
        history_filter = HistoryFilter(SETTING, keyword="+81 90-2025-2708")
        if not args.gui_only:
            history_filter = store_figures(database, args.page_size)
        if not args.no_gui:
            gui_figures(database, history_filter, args.page_size)
    finally:
        database.close()


if __name__ == "__main__":
    main()
