"""history_day_counts (migration 0018): exact after every kind of write, back-filled by the migration, and the
history's counts and page jumps read from them equal plain COUNT(*) / OFFSET queries (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from helpers.concurrency import run_at_once
from helpers.daycounts import day_count_mismatches
from helpers.history_rows import save_settings
from sqlalchemy import delete, func, insert, select, update

from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import LinkTargetConfig
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services import relink
from biztel_desk.services.config import ConfigService
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.db import Database, migrate
from biztel_desk.store.history import HistoryFilter, SqlHistorySource, compact_day_counts, retry_now
from biztel_desk.store.models import Call, HistoryDayCount, LinkJob, LinkSetting
from biztel_desk.store.retention import purge

NOW = dt.datetime.now(dt.UTC)


def _record(unique_id: str, started: dt.datetime, did: str = "0312345678") -> CallRecord:
    return CallRecord(unique_id=unique_id, from_number="09011112222", to_number=did, presented_company_number=did,
                      started_at=started, direction="inbound").finish()


def _import(context: AppContext, records: list[CallRecord]) -> None:
    with context.database.begin() as session:
        store_calls.add_calls(session, records)


def _exact(database: Database) -> None:
    assert day_count_mismatches(database) == {}


def _kept_total(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.coalesce(func.sum(HistoryDayCount.n), 0))) or 0)


def test_every_kind_of_write_keeps_the_day_counts_exact(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")
    make_setting("支店", status="paused", targets=(LinkTargetConfig("06-6123-4567"),))
    # An import over 20 days, some calls across UTC midnight (JST morning), both settings get a job per call.
    records = [_record(f"u{i:04d}", NOW - dt.timedelta(days=i % 20, hours=i % 24, minutes=i)) for i in range(400)]
    _import(context, records[:250])
    _exact(context.database)
    _import(context, records)  # a re-import of some: nothing new for them
    _exact(context.database)
    assert _kept_total(context.database) == 800
    with context.database.read() as session:
        ids = list(session.scalars(select(LinkJob.id).order_by(LinkJob.id)))
    # The engine's outcomes (one UPDATE per batch, as linker._record writes them), then a retry and a failure.
    with context.database.begin() as session:
        session.execute(update(LinkJob).where(LinkJob.id.in_(ids[:300])).values(state="linked", task_id="00T000000000001AAA"))
        session.execute(update(LinkJob).where(LinkJob.id.in_(ids[300:350])).values(state="failed"))
        session.execute(update(LinkJob).where(LinkJob.id.in_(ids[350:380])).values(state="retrying"))
        session.execute(update(LinkJob).where(LinkJob.id.in_(ids[380:390])).values(attempts=3))  # no state change
    _exact(context.database)
    assert retry_now(context.database, ids[290:360]) > 0  # 今すぐ再試行: failed/retrying → pending/update_pending
    _exact(context.database)
    # ORM writes (a session flush, row by row) of state, and a job moved to another setting and day.
    with context.database.begin() as session:
        job = session.get(LinkJob, ids[0])
        assert job is not None
        job.state = "update_pending"
        other = session.get(LinkJob, ids[1])
        assert other is not None
        other.call_started_at = other.call_started_at - dt.timedelta(days=3)  # type: ignore[operator]
    _exact(context.database)
    # Relink: excluded calls (a number not linked yet) become pending when their number is added.
    _import(context, [_record(f"x{i}", NOW - dt.timedelta(days=i), did="0311112222") for i in range(30)])
    _exact(context.database)
    context.config.save_targets("本社", [LinkTargetConfig("03-1234-5678"), LinkTargetConfig("03-1111-2222")])
    assert relink.relink(context.database, "本社").jobs == 30
    _exact(context.database)
    # Retention: calls older than 10 days go, with their finished jobs (the ON DELETE CASCADE of calls too).
    context.config.save_system({"retention_days": 10})
    with context.database.begin() as session:
        session.execute(update(LinkJob).values(state="linked").where(LinkJob.state.in_(("pending", "held"))))
    result = purge(context.database, pause_s=0)
    assert result.jobs > 0
    _exact(context.database)
    with context.database.begin() as session:  # a call deleted alone: its jobs go by cascade
        session.execute(delete(Call).where(Call.unique_id == "u0001"))
    _exact(context.database)
    context.config.delete_setting("支店")  # a setting deleted with its jobs
    _exact(context.database)
    with context.database.read() as session:
        jobs = int(session.scalar(select(func.count()).select_from(LinkJob)) or 0)
    assert _kept_total(context.database) == jobs


def test_the_migration_back_fills_the_counts(empty_db_url: str) -> None:
    database = Database(empty_db_url)
    try:
        migrate(database.engine, "0014_call_legs")
        save_settings(ConfigService(database, SecretStore(MemoryBackend())))
        with database.begin() as session:
            setting_id = session.scalar(select(LinkSetting.id))
            for i in range(120):
                started = dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(hours=7 * i)
                call = Call(unique_id=f"m{i}", request_id="", direction="inbound", from_number="0901111222",
                            to_number="0312345678", started_at=started)
                session.add(call)
                session.flush()
                # Core, with the columns of that revision (the model has columns of later ones).
                session.execute(insert(LinkJob.__table__).values(
                    call_id=call.id, setting_id=setting_id, state=("linked", "failed", "pending")[i % 3], match_reason="",
                    error_code="", error_message="", retry_count=0, attempts=0, created_at=started, updated_at=started))
        migrate(database.engine)
        _exact(database)
        assert _kept_total(database) == 120
    finally:
        database.close()


START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
JST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture
def source(context: AppContext, make_setting) -> SqlHistorySource:  # type: ignore[no-untyped-def]
    """3,000 jobs over 30 days (uneven: busy days and empty ones), two settings, five states."""
    make_setting()
    make_setting("支店")
    rng = random.Random(7)
    with context.database.begin() as session:
        ids = dict(session.execute(select(LinkSetting.name, LinkSetting.id)).all())
        calls = []
        for i in range(3000):
            day = rng.choice([0, 1, 1, 2, 5, 5, 5, 9, 12, 13, 20, 29])
            began = START + dt.timedelta(days=day, seconds=rng.randrange(86400))
            if i % 250 == 0:
                began = START + dt.timedelta(days=day)  # exactly at UTC midnight
            calls.append(Call(unique_id=f"s{i:05d}", request_id="", direction="inbound", from_number="09011112222",
                              to_number="0312345678", started_at=began))
        session.add_all(calls)
        session.flush()
        states = ["linked", "linked", "failed", "retrying", "pending"]
        session.add_all(LinkJob(call_id=call.id, setting_id=ids["本社" if i % 6 else "支店"], state=states[i % 5])
                        for i, call in enumerate(calls))
    return SqlHistorySource(context.database)


def _jst(day: int, hour: int = 0) -> dt.datetime:
    return (dt.datetime(2025, 1, 1, tzinfo=JST) + dt.timedelta(days=day, hours=hour)).astimezone(dt.UTC)


RANGES = [
    (None, None),
    (START, START + dt.timedelta(days=30)),  # whole UTC days
    (_jst(0), _jst(14)),  # 今月-like JST days: partial UTC days at both edges
    (_jst(5), None),
    (None, _jst(13, 7)),
    (START + dt.timedelta(days=5, hours=3), START + dt.timedelta(days=5, hours=20)),  # inside one day
    (START + dt.timedelta(days=4, hours=22), START + dt.timedelta(days=6, hours=1)),  # two partial days, no whole one
    (START + dt.timedelta(days=3), START + dt.timedelta(days=4)),  # a day without calls
    (START + dt.timedelta(days=9), START + dt.timedelta(days=9)),  # empty range
    (START + dt.timedelta(days=10), START + dt.timedelta(days=2)),  # reversed range
]


@pytest.mark.parametrize("state", ["", "failed"])
@pytest.mark.parametrize(("lower", "upper"), RANGES)
def test_counts_and_page_jumps_equal_plain_queries(source: SqlHistorySource, lower: dt.datetime | None,
                                                   upper: dt.datetime | None, state: str) -> None:
    source.near_offset = 0  # every jump past page 1 through the per-day counts (a first-pages shortcut otherwise)
    history_filter = HistoryFilter("本社", started_from=lower, started_before=upper, state=state)
    with source.database.read() as session:
        expected_count = session.scalar(source._where(select(func.count()).select_from(LinkJob), history_filter))
    assert source.count(history_filter) == expected_count
    rng = random.Random(1)
    size = 37
    for descending in (True, False):
        sort = ("started_at", descending)
        with source.database.read() as session:
            expected = list(session.scalars(source._ids_query(history_filter, sort)))
        offsets = {0, max(len(expected) - size, 0), len(expected) // 2, len(expected), len(expected) + 5}
        offsets |= {rng.randrange(len(expected) + 1) for _ in range(12)}
        for offset in sorted(offsets):
            page = [row.job_id for row in source.page(history_filter, offset, size, sort)]
            assert page == expected[offset:offset + size], (offset, sort)


def test_unknown_setting_counts_nothing(source: SqlHistorySource) -> None:
    assert source.count(HistoryFilter("どこにもない", started_from=START, started_before=_jst(40))) == 0
    assert source.page(HistoryFilter("どこにもない"), 0, 10) == []


def test_a_keyword_still_counts_the_matching_rows(source: SqlHistorySource) -> None:
    history_filter = HistoryFilter("本社", keyword="s0001", started_from=_jst(0), started_before=_jst(40))
    assert source.count(history_filter) == len([i for i in range(10, 20) if i % 6])  # s00010…s00019 of 本社


def test_concurrent_writers_keep_the_day_counts_exact(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    """Four writers at once on the same days and states (an import, the engine's outcomes, retries, retention
    deletes), each in its own connection and transactions of several statements: no count is lost or doubled,
    and no writer fails (PostgreSQL: the statement triggers lock the counts in key order)."""
    make_setting(status="enabled")
    days = [NOW - dt.timedelta(days=d, hours=h) for d in range(3) for h in (1, 13)]
    _import(context, [_record(f"c{i:04d}", days[i % len(days)]) for i in range(600)])
    def job_ids(state: str) -> list[int]:
        with context.database.read() as session:
            return list(session.scalars(select(LinkJob.id).where(LinkJob.state == state).order_by(LinkJob.id)))

    def importer() -> None:
        for batch in range(15):
            _import(context, [_record(f"n{batch:02d}{i:03d}", days[(batch + i) % len(days)]) for i in range(20)])

    def outcomes() -> None:
        for _ in range(15):
            pending = job_ids("pending")
            with context.database.begin() as session:
                session.execute(update(LinkJob).where(LinkJob.id.in_(pending[:15])).values(state="sending"))
                session.execute(update(LinkJob).where(LinkJob.id.in_(pending[15:30])).values(state="failed"))
            with context.database.begin() as session:
                session.execute(update(LinkJob).where(LinkJob.id.in_(pending[:10])).values(state="linked"))
                session.execute(update(LinkJob).where(LinkJob.id.in_(pending[10:15])).values(state="retrying"))

    def retries() -> None:
        for _ in range(15):
            retry_now(context.database, job_ids("failed")[:20] + job_ids("retrying")[:20])

    def deleter() -> None:
        for _ in range(15):
            with context.database.begin() as session:
                linked = list(session.scalars(select(LinkJob.call_id).where(LinkJob.state == "linked").limit(10)))
                session.execute(delete(LinkJob).where(LinkJob.call_id.in_(linked)))
                session.execute(delete(Call).where(Call.id.in_(linked)))

    def compactor() -> None:
        for _ in range(15):
            compact_day_counts(context.database)

    assert run_at_once([importer, outcomes, retries, deleter, compactor], 120) == []
    _exact(context.database)
    with context.database.read() as session:
        assert int(session.scalar(select(func.count()).select_from(LinkJob)) or 0) == _kept_total(context.database)
    compact_day_counts(context.database)
    _exact(context.database)
    with context.database.read() as session:  # one row per key now, none at 0
        key = (HistoryDayCount.setting_id, HistoryDayCount.day, HistoryDayCount.state)
        assert session.scalar(select(func.count()).select_from(HistoryDayCount).where(HistoryDayCount.n == 0)) == 0
        assert max(session.scalars(select(func.count()).select_from(HistoryDayCount).group_by(*key))) == 1


@pytest.mark.parametrize("states", [("failed", "retrying"), ("retrying", "failed", "linked"), ("failed",)])
@pytest.mark.parametrize(("lower", "upper"), RANGES[:7])
def test_a_set_of_states_counts_and_jumps_like_a_naive_filter(source: SqlHistorySource, lower: dt.datetime | None,
                                                               upper: dt.datetime | None,
                                                               states: tuple[str, ...]) -> None:
    """失敗/要対応 is a set of states: its count (summed over the states' day counts) and its page jumps equal a
    plain Python filter of every job."""
    source.near_offset = 0  # every jump through the per-day counts
    history_filter = HistoryFilter("本社", started_from=lower, started_before=upper, states=states)
    with source.database.read() as session:
        everything = session.execute(
            select(LinkJob.id, LinkJob.state, LinkJob.call_started_at, LinkSetting.name)
            .join(LinkSetting, LinkJob.setting_id == LinkSetting.id)).all()

    def inside(started: dt.datetime) -> bool:
        started = started.replace(tzinfo=dt.UTC) if started.tzinfo is None else started
        return (lower is None or started >= lower) and (upper is None or started < upper)

    naive = [(started, job_id) for job_id, state, started, name in everything
             if name == "本社" and state in states and inside(started)]
    assert source.count(history_filter) == len(naive)
    size = 41
    for descending in (True, False):
        expected = [job_id for _started, job_id in sorted(naive, reverse=descending)]
        for offset in sorted({0, size, len(expected) // 2, max(len(expected) - size, 0), len(expected)}):
            page = [row.job_id for row in source.page(history_filter, offset, size, ("started_at", descending))]
            assert page == expected[offset:offset + size], (offset, descending)
            assert all(row.state in states for row in source.page(history_filter, offset, size))


def test_one_state_and_the_same_state_as_a_set_are_one_filter(source: SqlHistorySource) -> None:
    one = HistoryFilter("本社", state="failed")
    assert one.state_set() == HistoryFilter("本社", states=("failed",)).state_set() == ("failed",)
    assert source.count(one) == source.count(HistoryFilter("本社", states=("failed",)))
    assert HistoryFilter("本社").state_set() == ()
