"""``biztel-desk db check``'s keyword search lines: which index the history's keyword (連携通話履歴の絞り込み) uses —
0021's (day, text) GIN index, 0008's text index, or the LIKE fallback with what to run — and whether the planner
takes it (EXPLAIN), on a real PostgreSQL server (BIZTEL_TEST_POSTGRES_URL) and on SQLite."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.postgres_server import database_without_extension_rights, fresh_database
from sqlalchemy import insert

from biztel_desk.app import build_parser
from biztel_desk.cli import db_cmd, run
from biztel_desk.secrets import SecretStore
from biztel_desk.services.db_admin import CheckReport
from biztel_desk.store.admin import KeywordPlan
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call

DAY_INDEX, TEXT_INDEX = "ix_calls_search_day_trgm", "ix_calls_search_trgm"
DAY_INDEXES = (DAY_INDEX, "ix_calls_search_head_day_trgm")  # 0021's and 0022's, both led by the call's day


def check(*where: str, lang: str = "ja") -> tuple[dict[str, Any], str]:
    """db check as JSON and as text."""
    outputs = []
    for extra in (["--json"], []):
        args = build_parser().parse_args([*where, "--lang", lang, "db", "check", *extra])
        out = io.StringIO()
        assert run(args, stdout=out, secrets=SecretStore()) == 0, out.getvalue()
        outputs.append(out.getvalue())
    return json.loads(outputs[0])["keyword_plan"], outputs[1]


def upgrade(url: str) -> None:
    args = build_parser().parse_args(["--db-url", url, "db", "upgrade"])
    assert run(args, stdout=io.StringIO(), secrets=SecretStore()) == 0


def add_calls(database: Database, count: int) -> None:
    """``count`` calls over 60 days up to now, then ANALYZE (as autovacuum would have)."""
    now = dt.datetime.now(dt.UTC)
    rows = [{"unique_id": f"u{i:06d}", "direction": "inbound", "from_number": f"090-{i % 10000:04d}-{i % 7919:04d}",
             "to_number": "03-1234-5678", "to_agent_id": f"agent{i % 40:02d}",
             "started_at": now - dt.timedelta(minutes=i * 86400 * 60 // count), "ended_at": None}
            for i in range(count)]
    with database.begin() as session:
        session.execute(insert(Call), rows)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE calls")


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database("dbcheckkw") as url:
        yield url


def test_postgresql_day_index_present_and_planned(pg_url: str) -> None:
    database = Database.open(url=pg_url)  # migrated: 0021's (day, text) index
    try:
        # A small table: the planner reads it in full, and would take the index with table scans priced out.
        plan, out = check("--db-url", pg_url)
        # With 0022's (day, head) index beside 0021's, the planner may take either for one day's calls: both are
        # GIN indexes led by the day, and each is rechecked against the whole searched text.
        assert plan["planned"] in ("", *DAY_INDEXES) and plan["usable"] in DAY_INDEXES
        assert (plan["index"], plan["missing"], plan["party_counts"]) == (DAY_INDEX, [], True)
        assert f"キーワード検索: GIN 索引 {DAY_INDEX}(通話の日+検索文字列、pg_trgm + btree_gin)" in out
        assert "  件数: 担当者・内線ごとの日別件数 (0022) から数えます。\n" in out
        assert any(f"通話が増えると {name} を使います" in out or f"キーワード検索で {name} を使います" in out
                   for name in DAY_INDEXES)
        add_calls(database, 20_000)
        plan, out = check("--db-url", pg_url, lang="en")
        assert (plan["index"], plan["calls"]) == (DAY_INDEX, 20_000)
        assert plan["planned"] in DAY_INDEXES and plan["usable"] in DAY_INDEXES
        assert f"  Plan: a keyword over one day uses {plan['planned']}." in out
        assert "  Count: from the per-day counts of agents and extensions (0022).\n" in out
    finally:
        database.close()


def test_postgresql_without_party_counts_says_db_upgrade_makes_them(pg_url: str) -> None:
    """A database whose migration 0022 found no (day, text) index (btree_gin came later): a keyword's count reads
    every matching call; db check says so and what to run, and db upgrade makes the party counts."""
    migration = importlib.import_module("biztel_desk.store.migrations.versions.0022_history_party_counts")
    database = Database.open(url=pg_url)
    try:
        add_calls(database, 2_000)
        with database.engine.begin() as connection:
            for statement in migration.POSTGRESQL_DOWN:
                connection.exec_driver_sql(statement)
    finally:
        database.close()
    plan, out = check("--db-url", pg_url)
    assert (plan["index"], plan["party_counts"]) == (DAY_INDEX, False)
    assert "  件数: 一致する通話を一件ずつ数えます。biztel-desk db upgrade を実行すると担当者・内線ごとの日別件数 (0022)" \
        " を作り、よく使う語の件数が速くなります。\n" in out
    upgrade(pg_url)
    plan, out = check("--db-url", pg_url, lang="en")
    assert (plan["index"], plan["party_counts"]) == (DAY_INDEX, True)
    assert "  Count: from the per-day counts of agents and extensions (0022).\n" in out


def test_postgresql_dropped_index_says_db_upgrade_and_upgrade_brings_it_back(pg_url: str) -> None:
    database = Database.open(url=pg_url)
    try:
        add_calls(database, 2_000)
        with database.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP INDEX {DAY_INDEX}")
    finally:
        database.close()
    plan, out = check("--db-url", pg_url)
    assert (plan["index"], plan["planned"], plan["usable"], plan["missing"]) == ("", "", "", [])
    assert "キーワード検索: 索引なし(LIKE で全件を検索します)。\n  biztel-desk db upgrade を実行すると索引を作ります。\n" in out
    upgrade(pg_url)
    plan, _ = check("--db-url", pg_url)
    assert plan["index"] == DAY_INDEX and plan["usable"] in DAY_INDEXES


def test_postgresql_without_extension_rights_like_then_text_index_then_day_index() -> None:
    """A role that may not CREATE EXTENSION: the LIKE fallback and what the administrator must run; after each
    extension the administrator creates, db upgrade makes the next index and db check says so."""
    with database_without_extension_rights("dbchecknoext") as (url, as_administrator):
        Database.open(url=url).close()  # migrated, without pg_trgm
        plan, out = check("--db-url", url)
        assert (plan["index"], plan["planned"], plan["usable"], plan["missing"]) == ("", "", "", ["pg_trgm", "btree_gin"])
        assert "  管理者が CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gin; を実行した後、biztel-desk db upgrade を" \
            "実行してください。" in out
        _, out = check("--db-url", url, lang="en")
        assert "Keyword search: no index (a LIKE scan over every call).\n  Have an administrator run CREATE EXTENSION" \
            " pg_trgm; CREATE EXTENSION btree_gin; then run biztel-desk db upgrade." in out
        with as_administrator.connect() as connection:
            connection.exec_driver_sql("CREATE EXTENSION pg_trgm")
        upgrade(url)
        plan, out = check("--db-url", url)
        assert (plan["index"], plan["usable"], plan["missing"]) == (TEXT_INDEX, TEXT_INDEX, ["btree_gin"])
        assert f"キーワード検索: GIN 索引 {TEXT_INDEX}(検索文字列のみ、pg_trgm)" in out
        assert "管理者が CREATE EXTENSION btree_gin; を実行した後、biztel-desk db upgrade を実行すると、期間用の索引" \
            f" {DAY_INDEX} を作ります。" in out
        with as_administrator.connect() as connection:
            connection.exec_driver_sql("CREATE EXTENSION btree_gin")
        upgrade(url)
        plan, out = check("--db-url", url)
        assert (plan["index"], plan["missing"]) == (DAY_INDEX, []) and plan["usable"] in DAY_INDEXES
        assert "CREATE EXTENSION" not in out


@pytest.mark.sqlite_only("SQLite's FTS5 keyword table")
def test_sqlite_fts5_line(tmp_path: Path) -> None:
    Database.open(directory=tmp_path).close()
    plan, out = check("--data-dir", str(tmp_path))
    assert (plan["index"], plan["planned"], plan["usable"], plan["missing"]) == ("call_search", "call_search",
                                                                                 "call_search", [])
    assert "キーワード検索: SQLite FTS5 トライグラム索引 call_search\n  実行計画: キーワード検索で call_search を使います。\n" in out


def test_an_index_the_planner_cannot_use_is_said() -> None:
    """The case a healthy database never shows (the query's expression no longer matching the index)."""
    report = CheckReport("postgresql+psycopg://u:***@h/db", "PostgreSQL", "15", "0021", "0021", "current", {},
                         "pg_trgm", keyword_plan=KeywordPlan(DAY_INDEX, "", "", (), 5))
    for lang, words in (("ja", f"実行計画: {DAY_INDEX} が使われていません。ANALYZE calls; を実行しても変わらなければ"),
                        ("en", f"Plan: {DAY_INDEX} is not used. If it stays so after ANALYZE calls;")):
        assert any(words in line for line in db_cmd._keyword_lines(report, lang))
