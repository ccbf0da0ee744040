"""The history on a real PostgreSQL server answers exactly like SQLite: keywords in any number format (pg_trgm
index, or the LIKE scan without it), filters, counts, jump and keyset pages; and the plans use the indexes."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.history_rows import add_jobs, save_settings
from helpers.postgres_server import database_without_extension_rights, fresh_database
from sqlalchemy import delete, select

from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.config import ConfigService
from biztel_desk.store.db import Database, sqlite_url
from biztel_desk.store.history import (
    DAY_TRIGRAM_INDEX,
    DEFAULT_SORT,
    HEAD_TRIGRAM_INDEX,
    TRIGRAM_INDEX,
    HistoryFilter,
    SqlHistorySource,
    cursor_of,
    ensure_day_trigram_index,
    ensure_trigram_index,
    keyword_body,
)
from biztel_desk.store.models import Call, LinkJob, LinkSetting

ROWS = 3000
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
# The same customer written the ways PBX exports write it; every format of the keyword must find all three.
FORMATS = ["090-1111-2222", "09011112222", "+81 90 1111 2222"]


def fill(database: Database) -> None:
    save_settings(ConfigService(database, SecretStore(MemoryBackend())), "本社", "支店")
    rng = random.Random(7)
    with database.begin() as session:
        calls = []
        for i in range(ROWS):
            began = START + dt.timedelta(minutes=11 * (i // 2))  # two calls share each start: ties need the id
            number = FORMATS[i // 100 % 3] if i % 100 in (1, 50) else f"090-{rng.randrange(10000):04d}-{i % 10000:04d}"
            calls.append(Call(
                unique_id=f"u{i:06d}", request_id=f"r{i:06d}", direction="inbound", from_number=number,
                to_number="0312345678", customer_e164="+81" + number.replace("-", "").replace(" ", "")[-10:],
                company_e164="+81312345678", to_agent_id=f"agent{i % 7}", to_extension=str(200 + i % 9),
                started_at=began, ended_at=began + dt.timedelta(seconds=rng.randrange(30, 600)),
            ))
        session.add_all(calls)
        session.flush()
        add_jobs(session, calls)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with fresh_database("history") as url:
        yield url


@pytest.fixture(scope="module")
def pair(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlHistorySource, SqlHistorySource]]:
    """The same rows in SQLite and in PostgreSQL (fresh database, migrated by the app)."""
    lite = Database.open(url=sqlite_url(tmp_path_factory.mktemp("lite")))
    postgres = Database.open(url=pg_url)
    fill(lite)
    fill(postgres)
    yield SqlHistorySource(lite), SqlHistorySource(postgres)
    lite.close()
    postgres.close()


FILTERS = [
    HistoryFilter("本社"),
    HistoryFilter("本社", started_from=START + dt.timedelta(days=3), started_before=START + dt.timedelta(days=9)),
    HistoryFilter("本社", state="failed"),
    HistoryFilter("本社", state="linked", started_from=START + dt.timedelta(days=2), started_before=START + dt.timedelta(days=5)),
    HistoryFilter("本社", keyword="agent3"),
    HistoryFilter("本社", keyword="AGENT3", started_from=START + dt.timedelta(days=5), started_before=START + dt.timedelta(days=9)),
    HistoryFilter("本社", keyword="20"),  # shorter than a trigram
    HistoryFilter("本社", keyword="u0012"),
    HistoryFilter("支店", keyword="50%"),  # LIKE wildcards are searched as themselves: nothing matches
    *[HistoryFilter(setting, keyword=typed) for setting in ("本社", "支店")
      for typed in ("+81 90-1111-2222", "09011112222", "090(1111)2222", "０９０－１１１１－２２２２", "1111-22")],
]


def ids(rows: list) -> list[int]:  # type: ignore[type-arg]
    return [row.job_id for row in rows]


@pytest.mark.parametrize("history_filter", FILTERS, ids=lambda f: f"{f.setting_name}-{f.keyword or '-'}-{f.state or '-'}")
def test_postgresql_answers_like_sqlite(pair: tuple[SqlHistorySource, SqlHistorySource], history_filter: HistoryFilter) -> None:
    lite, postgres = pair
    assert postgres.keyword_index == "pg_trgm"
    total = lite.count(history_filter)
    assert postgres.count(history_filter) == total
    if history_filter.keyword in ("+81 90-1111-2222", "09011112222", "090(1111)2222"):
        assert total == 30  # the three stored formats, ten calls each, in either setting
    size = 40
    for sort in (DEFAULT_SORT, ("from_number", False), ("state", True), ("processed_at", False)):
        for offset in sorted({0, size, total // 2, max(total - size, 0)}):
            expected = ids(lite.page(history_filter, offset, size, sort, total=total))
            assert ids(postgres.page(history_filter, offset, size, sort, total=total)) == expected, (sort, offset)
    first = postgres.page(history_filter, 0, size)
    if len(first) == size:
        following = ids(postgres.page_after(history_filter, cursor_of(first[-1], DEFAULT_SORT), size))
        assert following == ids(lite.page(history_filter, size, size))
        back = postgres.page_after(history_filter, cursor_of(postgres.page(history_filter, size, size)[0], DEFAULT_SORT),
                                   size, backwards=True)
        assert ids(back) == ids(first)
    assert [row.job_id for chunk in postgres.iter_rows(history_filter, chunk=500) for row in chunk] == \
        [row.job_id for chunk in lite.iter_rows(history_filter, chunk=500) for row in chunk]


def plan(source: SqlHistorySource, history_filter: HistoryFilter, what: str, *also_off: str) -> str:
    """EXPLAIN of the count or first-page query, with sequential scans and nested loops priced out: the tables are
    small, and the question is whether the planner *can* answer from the indexes (on 10,000,000 calls it does
    unasked: docs/benchmarks.md)."""
    query = source._where(select(LinkJob.id).select_from(LinkJob), history_filter)
    if what == "page":
        query = source._ids_query(history_filter, DEFAULT_SORT).limit(50)
    engine = source.database.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE calls")  # as autovacuum would have
        connection.exec_driver_sql("VACUUM ANALYZE link_jobs")
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_nestloop = off")
        for setting in also_off:
            connection.exec_driver_sql(f"SET {setting} = off")
        compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
        return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}"))


def test_postgresql_plans_use_the_history_indexes(pair: tuple[SqlHistorySource, SqlHistorySource]) -> None:
    _lite, postgres = pair
    month = {"started_from": START + dt.timedelta(days=3), "started_before": START + dt.timedelta(days=4)}
    # (Plain index scans priced out too: on 3,000 calls of look-alike digits a filtered walk of the primary key
    # looks cheaper than the trigram bitmap.)
    # (0019's (day, text) index holds the same trigram entries: the planner may take either for no range.)
    keyword_plan = plan(postgres, HistoryFilter("本社", keyword="+81 90-1111-2222"), "count", "enable_indexscan")
    assert TRIGRAM_INDEX in keyword_plan or DAY_TRIGRAM_INDEX in keyword_plan
    assert "ix_link_jobs_history " in plan(postgres, HistoryFilter("本社", **month), "count") + " "
    assert "ix_link_jobs_history_state" in plan(postgres, HistoryFilter("本社", state="failed", **month), "count")
    assert "ix_link_jobs_history" in plan(postgres, HistoryFilter("本社", **month), "page")


def test_without_pg_trgm_the_keyword_is_a_like_scan_then_db_upgrade_indexes_it(
    pair: tuple[SqlHistorySource, SqlHistorySource], caplog: pytest.LogCaptureFixture
) -> None:
    """A role that may not CREATE EXTENSION: the migration still succeeds and says what to do; the search
    scans and finds the same rows; once an administrator created pg_trgm, ensure_trigram_index adds the index."""
    lite, _postgres = pair
    # Its own schema, no CREATE on the database: tables yes, extensions no (as on a managed server).
    with database_without_extension_rights("notrgm") as (user_url, in_database):
        with caplog.at_level(logging.WARNING):
            restricted = Database.open(url=user_url)
        assert "CREATE EXTENSION pg_trgm" in caplog.text and "biztel-desk db upgrade" in caplog.text
        try:
            fill(restricted)
            source = SqlHistorySource(restricted)
            assert source.keyword_index == "like"
            for typed in ("+81 90-1111-2222", "agent3", "20"):
                history_filter = HistoryFilter("本社", keyword=typed)
                assert ids(source.page(history_filter, 0, 100)) == ids(lite.page(history_filter, 0, 100))
                assert source.count(history_filter) == lite.count(history_filter)
            state, reason = ensure_trigram_index(restricted.engine)
            assert state == "like" and "permission denied" in reason
            with in_database.connect() as connection:
                connection.exec_driver_sql("CREATE EXTENSION pg_trgm")  # what the administrator does
            assert ensure_trigram_index(restricted.engine) == ("pg_trgm", "")
            indexed = SqlHistorySource(restricted)
            assert indexed.keyword_index == "pg_trgm"
            history_filter = HistoryFilter("本社", keyword="090(1111)2222")
            assert ids(indexed.page(history_filter, 0, 100)) == ids(lite.page(history_filter, 0, 100))
            # Migration 0019's (day, text) index needs btree_gin too: without it the search keeps 0008's index.
            made, reason = ensure_day_trigram_index(restricted.engine)
            assert not made and "permission denied" in reason
            assert not indexed.day_keyword_index
            ranged = HistoryFilter("本社", keyword="agent3", started_from=START + dt.timedelta(days=2),
                                   started_before=START + dt.timedelta(days=6))
            assert indexed.count(ranged) == lite.count(ranged)
            assert ids(indexed.page(ranged, 60, 40, total=lite.count(ranged))) == ids(lite.page(ranged, 60, 40))
            with in_database.connect() as connection:
                connection.exec_driver_sql("CREATE EXTENSION btree_gin")  # what the administrator does
            assert ensure_day_trigram_index(restricted.engine) == (True, "")
            with_days = SqlHistorySource(restricted)
            assert with_days.day_keyword_index
            assert with_days.party_counts  # migration 0022's, made now that 0021's index exists
            assert with_days.count(replace(ranged, started_from=START)) == lite.count(replace(ranged, started_from=START))
            with_days.near_offset = 0
            assert with_days.count(ranged) == lite.count(ranged)
            assert ids(with_days.page(ranged, 60, 40, total=lite.count(ranged))) == ids(lite.page(ranged, 60, 40))
        finally:
            restricted.close()


def test_sqlite_keeps_its_fts5_search(tmp_path: Path) -> None:
    """Migration 0008 is a no-op on SQLite: the FTS5 trigram table of 0004 still answers the keyword."""
    database = Database.open(directory=tmp_path)
    try:
        assert SqlHistorySource(database).keyword_index == "fts5"
        with database.engine.connect() as connection:
            names = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert "call_search" in names and TRIGRAM_INDEX not in names
    finally:
        database.close()


# Keyword filters whose page jumps go through the keyword's per-day counts (PostgreSQL with migration 0019):
# ranges with edges inside UTC days (a JST day starts at 15:00 UTC), a state, a number, no range at all.
KEYWORD_JUMPS = [
    HistoryFilter("本社", keyword="agent3"),
    HistoryFilter("本社", keyword="AGENT3", started_from=START + dt.timedelta(days=2, hours=15),
                  started_before=START + dt.timedelta(days=9, hours=15)),
    HistoryFilter("本社", keyword="agent", state="linked", started_from=START + dt.timedelta(days=1, hours=7),
                  started_before=START + dt.timedelta(days=10, minutes=3)),
    HistoryFilter("支店", keyword="+81 90-1111-2222", started_from=START + dt.timedelta(hours=1)),
    HistoryFilter("本社", keyword="u0", started_before=START + dt.timedelta(days=7, hours=15)),
    HistoryFilter("本社", keyword="agent3", started_from=START + dt.timedelta(days=4, hours=1),
                  started_before=START + dt.timedelta(days=4, hours=9)),  # inside one day
    HistoryFilter("本社", keyword="agent3", started_from=START + dt.timedelta(days=40)),  # nothing
]


@pytest.mark.parametrize("history_filter", KEYWORD_JUMPS, ids=lambda f: f"{f.keyword}-{f.state or '-'}-{f.started_from}")
def test_keyword_page_jumps_by_day_equal_plain_offsets(pair: tuple[SqlHistorySource, SqlHistorySource],
                                                       history_filter: HistoryFilter) -> None:
    """Every page of a keyword's results, both orders, jumped to through the per-day counts (near_offset 0),
    equals SQLite's plain OFFSET page; the count is the same; pages past the end are empty."""
    lite, postgres = pair
    assert postgres.day_keyword_index
    postgres.near_offset = 0
    try:
        total = lite.count(history_filter)
        assert postgres.count(history_filter) == total
        size = 23
        for descending in (True, False):
            sort = ("started_at", descending)
            for offset in [*range(0, total + size, 17), total + 5 * size]:
                expected = ids(lite.page(history_filter, offset, size, sort))
                assert ids(postgres.page(history_filter, offset, size, sort, total=total)) == expected, (sort, offset)
                assert ids(postgres.page(history_filter, offset, size, sort)) == expected, (sort, offset)
    finally:
        postgres.near_offset = 1000


def _naive_ids(database: Database, history_filter: HistoryFilter, offset: int, limit: int) -> list[int]:
    """The page by the plainest query: a join, ILIKE over the searched text, ORDER BY, OFFSET."""
    pattern = f"%{history_filter.keyword}%"
    query = (select(LinkJob.id).join(Call, LinkJob.call_id == Call.id).join(LinkSetting)
             .where(LinkSetting.name == history_filter.setting_name, keyword_body().ilike(pattern))
             .order_by(LinkJob.call_started_at.desc(), LinkJob.id.desc()).offset(offset).limit(limit))
    if history_filter.started_from is not None:
        query = query.where(LinkJob.call_started_at >= history_filter.started_from)
    with database.read() as session:
        return list(session.scalars(query))


def test_a_job_written_after_the_count_moves_the_next_jump(pg_url: str) -> None:
    """The per-day counts of a keyword are kept from the count for page jumps only while no job was added,
    removed or changed state: a job added (or moved) since is in the next jump's page as a fresh query has it,
    even when the caller still shows the old total."""
    with fresh_database("histkw") as url:
        database = Database.open(url=url)
        try:
            fill(database)
            source = SqlHistorySource(database)
            source.near_offset = 0
            history_filter = HistoryFilter("本社", keyword="agent3", started_from=START + dt.timedelta(days=1))
            total = source.count(history_filter)
            assert ids(source.page(history_filter, 100, 30, total=total)) == _naive_ids(database, history_filter, 100, 30)
            with database.begin() as session:  # a new matching call at the newest end shifts every page by one
                setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
                call = Call(unique_id="late-1", request_id="late-1", direction="inbound", from_number="09099990000",
                            to_number="0312345678", to_agent_id="agent3", to_extension="201",
                            started_at=START + dt.timedelta(days=30))
                session.add(call)
                session.flush()
                session.add(LinkJob(call_id=call.id, setting_id=setting_id, state="pending"))
            assert ids(source.page(history_filter, 100, 30, total=total)) == _naive_ids(database, history_filter, 100, 30)
            newest = _naive_ids(database, history_filter, 0, 3)
            with database.begin() as session:  # two jobs removed (retention, a deleted call) shift them back
                session.execute(delete(LinkJob).where(LinkJob.id.in_(newest[1:])))
            assert ids(source.page(history_filter, 100, 30, total=total + 1)) == \
                _naive_ids(database, history_filter, 100, 30)
            assert source.count(history_filter) == total - 1
        finally:
            database.close()


def test_a_keyword_within_a_range_uses_the_day_index(pair: tuple[SqlHistorySource, SqlHistorySource]) -> None:
    _lite, postgres = pair
    ranged = HistoryFilter("本社", keyword="agent3", started_from=START + dt.timedelta(days=3),
                           started_before=START + dt.timedelta(days=4))
    found = plan(postgres, ranged, "count", "enable_indexscan")
    # (0022's (day, head) index starts with the day too: on 3,000 calls the planner may walk it for the range's
    # days and filter the text; at 10,000,000 it takes 0021's, days and trigrams together: docs/benchmarks.md.)
    assert DAY_TRIGRAM_INDEX in found or HEAD_TRIGRAM_INDEX in found, found


def test_db_upgrade_says_what_to_run_when_btree_gin_is_refused() -> None:
    """The report of `db upgrade` when 0019's index could not be made: what to run, in Japanese and English."""
    import io

    from biztel_desk.cli import db_cmd
    from biztel_desk.services.db_admin import UpgradeReport

    report = UpgradeReport("postgresql+psycopg://u:***@h/db", "0021_pg_history_search", "0021_pg_history_search",
                           "pg_trgm", "", "permission denied to create extension \"btree_gin\"")
    for lang, words in (("ja", "管理者が CREATE EXTENSION btree_gin; を実行した後、biztel-desk db upgrade を実行してください。"),
                        ("en", "Have an administrator run CREATE EXTENSION btree_gin; then run biztel-desk db upgrade.")):
        out = io.StringIO()
        assert db_cmd._upgrade(report, lang, out, as_json=False) == 0
        assert words in out.getvalue() and "permission denied" in out.getvalue()
    plain = UpgradeReport("postgresql+psycopg://u:***@h/db", "0021_pg_history_search", "0021_pg_history_search", "pg_trgm")
    out = io.StringIO()
    db_cmd._upgrade(plain, "en", out, as_json=False)
    assert "btree_gin" not in out.getvalue()
