"""history_party_day_counts (migration 0022, PostgreSQL): a keyword's count from the party counts equals the plain
exact count after every kind of write, and falls back to it where it cannot answer. Run with ``--db postgresql``
(the conftest's day-count check also compares the party counts with the jobs after every test)."""

from __future__ import annotations

import datetime as dt
import importlib
import random
import threading

import pytest
from alembic import command
from helpers.concurrency import run_at_once
from helpers.daycounts import party_count_mismatches
from helpers.history_rows import save_settings
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from biztel_desk.domain.call import CallRecord
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.config import ConfigService
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.db import Database, alembic_config, current_revision, migrate
from biztel_desk.store.history import (
    PG_PARTY,
    PG_SEARCH_BODY,
    PG_SEARCH_HEAD,
    HistoryFilter,
    SqlHistorySource,
    compact_day_counts,
    party_counts,
    rebuild_day_counts,
    retry_now,
)
from biztel_desk.store.models import Call, LinkJob, LinkSetting
from biztel_desk.store.retention import purge

postgresql_only = pytest.mark.skipif("config.getoption('--db') != 'postgresql'", reason="migration 0022 is PostgreSQL's")

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
JST = dt.timezone(dt.timedelta(hours=9))
AGENTS = ["agent01", "agent07", "Agent 07", "AGENT17", "", "taro yamada", "agent070"]
EXTENSIONS = ["201", "207", "2070", "", "17", "ext 7"]
KEYWORDS = ["agent07", "AGENT07", "gent0", "07", "7", "207", "taro", "yamada", "agent 07", "a", "u00", "0312", "zzz",
            "%", "_"]


def _record(rng: random.Random, unique_id: str, started: dt.datetime) -> CallRecord:
    inbound = rng.random() < 0.6
    agent, extension = rng.choice(AGENTS), rng.choice(EXTENSIONS)
    did = "0312345678"
    caller = f"090{rng.randrange(10**8):08d}"
    return CallRecord(unique_id=unique_id, from_number=caller if inbound else did, to_number=did if inbound else caller,
                      presented_company_number=did, started_at=started, direction="inbound" if inbound else "outbound",
                      from_agent_id="" if inbound else agent, to_agent_id=agent if inbound else rng.choice(AGENTS),
                      from_extension="" if inbound else extension, to_extension=extension).finish()


def _import(context: AppContext, records: list[CallRecord]) -> None:
    with context.database.begin() as session:
        store_calls.add_calls(session, records)


def _filters(rng: random.Random) -> list[HistoryFilter]:
    ranges = [(None, None), (NOW - dt.timedelta(days=40), NOW + dt.timedelta(days=1)),
              (NOW.astimezone(JST).replace(hour=0, minute=0, second=0) - dt.timedelta(days=9), NOW),
              (NOW - dt.timedelta(days=3, hours=5), NOW - dt.timedelta(days=2, hours=20)),  # inside two partial days
              (NOW - dt.timedelta(days=12), None), (None, NOW - dt.timedelta(days=4, hours=3))]
    filters = []
    for keyword in KEYWORDS:
        lower, upper = rng.choice(ranges)
        state = rng.choice(["", "", "pending", "linked"])
        states = rng.choice([(), (), ("failed", "retrying")])
        filters.append(HistoryFilter("本社", keyword=keyword, started_from=lower, started_before=upper, state=state,
                                     states=states))
    return filters


def _assert_fast_equals_slow(source: SqlHistorySource, rng: random.Random) -> None:
    assert party_count_mismatches(source.database) == {}
    for history_filter in _filters(rng):
        with source.database.read() as session:
            slow = int(session.scalar(source._where(select(func.count()).select_from(LinkJob), history_filter)) or 0)
        assert source.count(history_filter) == slow, history_filter
        if source._by_party_counts(history_filter):  # page jumps: the same per-day counts, grouped by day
            days = source._party_day_counts(history_filter)
            assert sum(n for _day, n in days) == slow
            assert sum(span.rows for span in source.keyword_spans(history_filter)) == slow


@postgresql_only
def test_the_party_count_equals_the_plain_count_after_every_kind_of_write(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")
    make_setting("支店", status="paused")
    source = SqlHistorySource(context.database)
    assert source.party_counts
    rng = random.Random(22)
    calls = [_record(rng, f"u{i:04d}", NOW - dt.timedelta(days=rng.randrange(30), minutes=rng.randrange(1440)))
             for i in range(500)]
    _import(context, calls[:300])
    _assert_fast_equals_slow(source, rng)
    for step in range(6):
        with context.database.read() as session:
            ids = list(session.scalars(select(LinkJob.id).order_by(LinkJob.id)))
            call_ids = list(session.scalars(select(Call.id).order_by(Call.id)))
        with context.database.begin() as session:  # the engine's outcomes, a retry, a job moved to another day
            for state in ("linked", "failed", "retrying", "sending"):
                chosen = rng.sample(ids, 25)
                session.execute(update(LinkJob).where(LinkJob.id.in_(chosen)).values(state=state))
            job = session.get(LinkJob, rng.choice(ids))
            assert job is not None and job.call_started_at is not None
            job.call_started_at = job.call_started_at - dt.timedelta(days=2)
        retry_now(context.database, rng.sample(ids, 30))
        with context.database.begin() as session:  # a later leg changes the agents and extensions of calls
            for call_id in rng.sample(call_ids, 20):
                session.execute(update(Call).where(Call.id == call_id).values(
                    from_agent_id=rng.choice(AGENTS), to_agent_id=rng.choice(AGENTS),
                    to_extension=rng.choice(EXTENSIONS)))
            # and the same call's job changes in the same transaction
            session.execute(update(LinkJob).where(LinkJob.call_id == call_ids[step]).values(state="update_pending"))
        with context.database.begin() as session:  # a call deleted alone: its jobs go by ON DELETE CASCADE
            session.execute(delete(Call).where(Call.id == rng.choice(call_ids)))
        with context.database.begin() as session:  # jobs deleted, then their calls (what retention does)
            gone = rng.sample(call_ids[50:], 5)
            session.execute(delete(LinkJob).where(LinkJob.call_id.in_(gone)))
            session.execute(delete(Call).where(Call.id.in_(gone)))
        _import(context, calls[300 + step * 30:330 + step * 30])
        if step % 2:
            compact_day_counts(context.database)
        _assert_fast_equals_slow(source, rng)
    context.config.save_system({"retention_days": 20})
    with context.database.begin() as session:
        session.execute(update(LinkJob).values(state="linked").where(LinkJob.state.in_(("pending", "held"))))
    assert purge(context.database, pause_s=0).jobs > 0
    _assert_fast_equals_slow(source, rng)
    context.config.delete_setting("支店")  # a setting deleted with its jobs
    compact_day_counts(context.database)
    _assert_fast_equals_slow(source, rng)
    with context.database.engine.begin() as connection:  # a recount (db copy, the bench's bulk load) agrees
        rebuild_day_counts(connection)
    _assert_fast_equals_slow(source, rng)


@postgresql_only
def test_what_the_party_counts_answer_and_what_they_leave(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")
    day = dt.datetime(2025, 5, 10, 3, tzinfo=dt.UTC)
    records = [
        # 'agent07' in the head (the unique id) and in the party: one job, counted once
        CallRecord(unique_id="agent07-1", from_number="09011112222", to_number="0312345678",
                   presented_company_number="0312345678", started_at=day, direction="inbound",
                   to_agent_id="agent07", to_extension="207").finish(),
        CallRecord(unique_id="x2", from_number="09011113333", to_number="0312345678",
                   presented_company_number="0312345678", started_at=day, direction="inbound",
                   to_agent_id="Agent 07", to_extension="ext 7").finish(),
    ]
    _import(context, records)
    source = SqlHistorySource(context.database)
    year = {"started_from": dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "started_before": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}
    assert source._by_party_counts(HistoryFilter("本社", keyword="agent07", **year))
    assert source.count(HistoryFilter("本社", keyword="agent07", **year)) == 1
    assert source.count(HistoryFilter("本社", keyword="AGENT07", **year)) == 1  # case-insensitive, as ILIKE
    assert source.count(HistoryFilter("本社", keyword="gent", **year)) == 2
    # A keyword with a space may span two fields: the plain query counts it ('agent 07' is one agent's id).
    spaced = HistoryFilter("本社", keyword="Agent 07", **year)
    assert not source._by_party_counts(spaced)
    assert source.count(spaced) == 1
    assert source.count(HistoryFilter("本社", keyword="207 ", **year)) == 1  # trimmed: no space left
    assert source.count(HistoryFilter("本社", keyword="07  ext", **year)) == 1  # across agent 07 and ext 7 (two spaces: an empty extension)


@postgresql_only
def test_the_searched_text_is_the_head_then_the_party() -> None:
    migration = importlib.import_module("biztel_desk.store.migrations.versions.0022_history_party_counts")
    day_index = importlib.import_module("biztel_desk.store.migrations.versions.0021_pg_history_search")
    assert migration.HEAD == PG_SEARCH_HEAD
    assert migration.party("c") == PG_PARTY.replace("from_", "c.from_").replace("to_", "c.to_")
    assert PG_SEARCH_BODY == day_index.BODY  # 0021's index still serves pages: the same expression


@postgresql_only
def test_the_migration_back_fills_and_goes_down(empty_db_url: str) -> None:
    database = Database(empty_db_url)
    try:
        migrate(database.engine, "0021_pg_history_search")
        save_settings(ConfigService(database, SecretStore(MemoryBackend())))
        rng = random.Random(3)
        with database.begin() as session:
            store_calls.add_calls(session, [_record(rng, f"m{i}", NOW - dt.timedelta(hours=5 * i)) for i in range(80)])
        with database.engine.connect() as connection:
            assert not party_counts(connection)
        migrate(database.engine)
        with database.engine.connect() as connection:
            assert party_counts(connection)
        assert party_count_mismatches(database) == {}
        source = SqlHistorySource(database)
        _assert_fast_equals_slow(source, rng)
        settings = alembic_config(empty_db_url)
        with database.engine.begin() as connection:
            settings.attributes["connection"] = connection
            command.downgrade(settings, "0021_pg_history_search")
        assert current_revision(database.engine) == "0021_pg_history_search"
        with database.engine.connect() as connection:
            assert not party_counts(connection)
            assert connection.exec_driver_sql("SELECT count(*) FROM pg_trigger WHERE starts_with(tgname::text, 'history_party')").scalar() == 0
        assert SqlHistorySource(database).party_counts is False
        _assert_fast_equals_slow(SqlHistorySource(database), rng)  # the plain path again
        migrate(database.engine)  # and up again: back-filled from the jobs as they are now
        assert SqlHistorySource(database).party_counts
        _assert_fast_equals_slow(SqlHistorySource(database), rng)
    finally:
        database.close()


@postgresql_only
def test_concurrent_writers_keep_the_party_counts_exact(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    """An import, the engine's outcomes, later legs changing calls' agents, retention deletes and compaction at once,
    each in its own connection: no count is lost or doubled, and no writer fails (no deadlock)."""
    make_setting(status="enabled")
    rng = random.Random(5)
    days = [NOW - dt.timedelta(days=d, hours=h) for d in range(3) for h in (1, 13)]
    _import(context, [_record(rng, f"c{i:04d}", days[i % len(days)]) for i in range(400)])
    def job_ids(state: str) -> list[int]:
        with context.database.read() as session:
            return list(session.scalars(select(LinkJob.id).where(LinkJob.state == state).order_by(LinkJob.id)))

    def importer() -> None:
        local = random.Random(1)
        for batch in range(12):
            _import(context, [_record(local, f"n{batch:02d}{i:03d}", days[(batch + i) % len(days)]) for i in range(20)])

    def lock_calls(session: Session, ids: list[int]) -> None:  # as the engine does before it writes outcomes
        session.execute(select(Call.id).where(Call.id.in_(select(LinkJob.call_id).where(LinkJob.id.in_(ids))))
                        .order_by(Call.id).with_for_update())

    def outcomes() -> None:
        for _ in range(12):
            pending = job_ids("pending")
            with context.database.begin() as session:
                lock_calls(session, pending[:30])
                session.execute(update(LinkJob).where(LinkJob.id.in_(pending[:15])).values(state="sending"))
                session.execute(update(LinkJob).where(LinkJob.id.in_(pending[15:30])).values(state="failed"))
            with context.database.begin() as session:
                lock_calls(session, pending[:10])
                session.execute(update(LinkJob).where(LinkJob.id.in_(pending[:10])).values(state="linked"))
            retry_now(context.database, job_ids("failed")[:20])

    def legs() -> None:  # later legs: a call's agent changes, then its jobs (as store.calls writes them)
        local = random.Random(2)
        for _ in range(12):
            with context.database.read() as session:
                chosen = list(session.scalars(select(Call.id).order_by(Call.id).limit(60)))
            with context.database.begin() as session:
                changed = sorted(local.sample(chosen, 10))
                for call_id in changed:
                    session.execute(update(Call).where(Call.id == call_id).values(to_agent_id=local.choice(AGENTS)))
                session.execute(update(LinkJob).where(LinkJob.call_id.in_(changed)).values(attempts=1))

    def deleter() -> None:  # retention: old calls (not the ones getting legs), their jobs first, then the calls
        for _ in range(12):
            with context.database.begin() as session:
                linked = list(session.scalars(select(LinkJob.call_id).where(LinkJob.state == "linked",
                                                                            LinkJob.call_id > 60).limit(8)))
                session.execute(delete(LinkJob).where(LinkJob.call_id.in_(linked)))
                session.execute(delete(Call).where(Call.id.in_(linked)))

    def compactor() -> None:
        for _ in range(12):
            compact_day_counts(context.database)

    assert run_at_once([importer, outcomes, legs, deleter, compactor], 180) == []
    assert party_count_mismatches(context.database) == {}
    _assert_fast_equals_slow(SqlHistorySource(context.database), rng)


@postgresql_only
def test_a_job_and_its_calls_party_changed_at_once_are_counted_once(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    """Two transactions at once, one changing a job (or adding one), the other its call's agent: the second to
    come waits for the first, so neither counts the job under the old agent after the other moved it."""
    make_setting(status="enabled")
    rng = random.Random(9)
    _import(context, [_record(rng, "w1", NOW - dt.timedelta(hours=2))])
    make_setting("支店")
    engine = context.database.engine
    with context.database.read() as session:
        call_id = session.scalar(select(Call.id))
        setting_ids = dict(session.execute(select(LinkSetting.name, LinkSetting.id)).all())

    def change_agent(agent: str, done: threading.Event) -> None:
        with engine.begin() as connection:
            connection.execute(update(Call).where(Call.id == call_id).values(to_agent_id=agent, from_agent_id=agent))
        done.set()

    # A job's state changed first (not committed yet): the call's change waits for it.
    with engine.connect() as job_change:
        job_change.begin()
        job_change.execute(update(LinkJob).where(LinkJob.call_id == call_id).values(state="linked"))
        done = threading.Event()
        thread = threading.Thread(target=change_agent, args=("agent98", done))
        thread.start()
        assert not done.wait(1.5)  # waiting on the job's row
        job_change.commit()
    thread.join(30)
    assert done.is_set()
    assert party_count_mismatches(context.database) == {}
    # The call's agent changed first (not committed yet): a job added for it meanwhile waits for it.
    with engine.connect() as agent_change:
        agent_change.begin()
        agent_change.execute(update(Call).where(Call.id == call_id).values(to_agent_id="agent97"))
        added = threading.Event()

        def add_job() -> None:
            with engine.begin() as connection:
                connection.execute(insert(LinkJob.__table__).values(
                    call_id=call_id, setting_id=setting_ids["支店"], state="held", match_reason="", error_code="",
                    error_message="", retry_count=0, attempts=0, created_at=NOW, updated_at=NOW))
            added.set()

        thread = threading.Thread(target=add_job)
        thread.start()
        assert not added.wait(1.5)  # waiting on the call's row
        agent_change.commit()
    thread.join(30)
    assert added.is_set()
    assert party_count_mismatches(context.database) == {}
    source = SqlHistorySource(context.database)
    for keyword in ("agent97", "agent98"):
        history_filter = HistoryFilter("支店", keyword=keyword, started_from=NOW - dt.timedelta(days=1),
                                       started_before=NOW + dt.timedelta(days=1))
        with context.database.read() as session:
            slow = int(session.scalar(source._where(select(func.count()).select_from(LinkJob), history_filter)) or 0)
        assert source.count(history_filter) == slow
