"""``biztel-desk db check | upgrade | copy`` and the refusal of a schema newer than the app, on SQLite and on a real
PostgreSQL server (BIZTEL_TEST_POSTGRES_URL)."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.daycounts import day_count_mismatches
from helpers.postgres_server import fresh_database
from sqlalchemy import func, select, text

from biztel_desk.app import build_parser
from biztel_desk.cli import run
from biztel_desk.secrets import SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store.db import Database, SchemaTooNew, current_revision, head_revisions, migrate, sqlite_url
from biztel_desk.store.history import HistoryFilter, SqlHistorySource
from biztel_desk.store.models import Call, LinkJob, LinkLease, LinkSetting, SystemValue

HEAD = next(iter(head_revisions()))
FUTURE = "0099_from_a_newer_app"


def cli(data_dir: Path | None, *argv: str, lang: str = "ja", db_url: str | None = None,
        capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str, str]:
    where = ["--db-url", db_url] if db_url else ["--data-dir", str(data_dir)]
    args = build_parser().parse_args([*where, "--lang", lang, *argv])
    out = io.StringIO()
    code = run(args, stdout=out, secrets=SecretStore())
    err = capsys.readouterr().err if capsys is not None else ""
    return code, out.getvalue(), err


@pytest.fixture
def filled(context: AppContext, make_setting) -> AppContext:  # type: ignore[no-untyped-def]
    """A setting with 300 calls and jobs, a system value, and the lease of a desktop named DESK-A."""
    make_setting()
    context.config.save_system({"page_size": 80})
    start = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
        calls = [Call(unique_id=f"u{i:04d}", request_id=f"r{i:04d}", direction="inbound",
                      from_number=f"090-2222-{i:04d}", to_number="03-1234-5678", customer_e164=f"+81902222{i:04d}",
                      to_agent_id=f"agent{i % 3}", started_at=start + dt.timedelta(minutes=i),
                      ended_at=start + dt.timedelta(minutes=i, seconds=40)) for i in range(300)]
        session.add_all(calls)
        session.flush()
        session.add_all(LinkJob(call_id=call.id, setting_id=setting_id, state="linked" if i % 4 else "failed",
                                task_id=f"00T{i:015d}" if i % 4 else None) for i, call in enumerate(calls))
        session.add(LinkLease(setting_id=setting_id, owner="DESK-A:4242:f00d",
                              expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)))
    return context


def make_future(database_url: str) -> None:
    database = Database.open(url=database_url)
    with database.begin() as session:
        session.execute(text("UPDATE alembic_version SET version_num = :future"), {"future": FUTURE})
    database.close()


# --- SQLite --------------------------------------------------------------------------------------------------------


@pytest.mark.sqlite_only("db check / copy of the data folder's SQLite file; the PostgreSQL cases are below")
def test_check_reports_server_schema_search_desktops_and_lease_owners(filled: AppContext) -> None:
    code, out, _ = cli(filled.data_dir, "db", "check", "--json")
    report = json.loads(out)
    assert code == 0
    assert (report["kind"], report["schema"], report["revision"], report["head"]) == ("SQLite", "current", HEAD, HEAD)
    assert report["keyword_search"] == "fts5"
    assert [(lease["setting"], lease["owner"], lease["expired"]) for lease in report["leases"]] == \
        [("本社", "DESK-A:4242:f00d", False)]
    assert [desktop["host"] for desktop in report["desktops"]] == ["DESK-A"]
    code, out, _ = cli(filled.data_dir, "db", "check")
    assert code == 0
    assert f"スキーマ: {HEAD} (アプリの最新: {HEAD}) — 最新です" in out
    assert "本社  DESK-A:4242:f00d" in out and "SQLite FTS5" in out


def test_upgrade_reports_from_and_to(tmp_path: Path) -> None:
    database = Database(sqlite_url(tmp_path))
    migrate(database.engine, "0005_link_job_attempts")
    database.close()
    code, out, _ = cli(tmp_path, "db", "check", "--json")
    report = json.loads(out)
    assert code == 0 and (report["schema"], report["revision"], report["leases"]) == ("older", "0005_link_job_attempts", [])
    code, out, _ = cli(tmp_path, "db", "upgrade", lang="en")
    assert code == 0 and f"Upgraded the schema: 0005_link_job_attempts → {HEAD}" in out
    code, out, _ = cli(tmp_path, "db", "upgrade")
    assert code == 0 and f"スキーマは最新です: {HEAD}" in out


def test_check_of_a_missing_database_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(tmp_path / "none", "db", "check", capsys=capsys)
    assert code == 2 and "データベースを開けません" in err
    assert not (tmp_path / "none").exists()


@pytest.mark.sqlite_only("db check / copy of the data folder's SQLite file; the PostgreSQL cases are below")
def test_a_schema_newer_than_the_app_is_refused_with_both_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_future(sqlite_url(tmp_path))
    for lang, words in (("ja", "BIZTEL Desk を最新版に更新してから起動してください。"), ("en", "Update BIZTEL Desk")):
        code, _, err = cli(tmp_path, "status", lang=lang, capsys=capsys)
        assert code == 1 and FUTURE in err and HEAD in err and words in err
    code, _, err = cli(tmp_path, "db", "upgrade", capsys=capsys)
    assert code == 1 and FUTURE in err
    code, out, _ = cli(tmp_path, "db", "check", "--json")
    assert code == 1 and json.loads(out)["schema"] == "newer"
    with pytest.raises(SchemaTooNew):
        Database.open(directory=tmp_path)
    # Nothing was migrated or changed.
    database = Database(sqlite_url(tmp_path))
    assert current_revision(database.engine) == FUTURE
    database.close()


def counts(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (Call, LinkJob, LinkSetting, SystemValue, LinkLease)}


@pytest.mark.sqlite_only("db check / copy of the data folder's SQLite file; the PostgreSQL cases are below")
def test_copy_sqlite_to_sqlite(filled: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = sqlite_url(tmp_path / "copy")
    (tmp_path / "copy").mkdir()
    code, out, _ = cli(filled.data_dir, "db", "copy", "--to", target, "--batch", "64", capsys=capsys)
    assert code == 0, out
    assert "calls: 300 → 300" in out and "link_jobs: 300 → 300" in out
    copied = Database.open(url=target)
    try:
        assert counts(copied) == {**counts(filled.database), "link_leases": 0}  # who links now is not data
        assert day_count_mismatches(copied) == {}  # the history's per-day counts (0018): recounted, not doubled
        # The FTS5 keyword index of the target was filled by its triggers as the calls arrived.
        found = SqlHistorySource(copied).page(HistoryFilter("本社", keyword="+81 90-2222-0123"), 0, 10)
        assert [row.unique_id for row in found] == ["u0123"]
    finally:
        copied.close()
    code, _, err = cli(filled.data_dir, "db", "copy", "--to", target, capsys=capsys)
    assert code == 1 and "--replace" in err
    code, out, _ = cli(filled.data_dir, "db", "copy", "--to", target, "--replace", capsys=capsys)
    assert code == 0 and "calls: 300 → 300" in out
    copied = Database.open(url=target)
    try:
        assert day_count_mismatches(copied) == {}
    finally:
        copied.close()
    code, _, err = cli(filled.data_dir, "db", "copy", "--to", sqlite_url(filled.data_dir), lang="en", capsys=capsys)
    assert code == 1 and "same database" in err


# --- PostgreSQL ----------------------------------------------------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database("dbadmin") as url:
        yield url


@pytest.mark.sqlite_only("db check / copy of the data folder's SQLite file; the PostgreSQL cases are below")
def test_copy_sqlite_to_postgresql_then_check_and_use_it(
    filled: AppContext, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(filled.data_dir, "db", "copy", "--to", pg_url, lang="en", capsys=capsys)
    assert code == 0, out
    assert "Every row count matches" in out and "secrets" in out
    source_counts = counts(filled.database)
    target = Database.open(url=pg_url)
    try:
        assert counts(target) == {**source_counts, "link_leases": 0}
        assert day_count_mismatches(target) == {}
        history = SqlHistorySource(target)
        assert history.keyword_index == "pg_trgm"
        lite = SqlHistorySource(filled.database)
        for keyword in ("090 2222 0123", "agent1", ""):
            history_filter = HistoryFilter("本社", keyword=keyword)
            assert [row.job_id for row in history.page(history_filter, 0, 500)] == \
                [row.job_id for row in lite.page(history_filter, 0, 500)]
        # The id sequences were moved past the copied rows: the app inserts new rows as usual.
        with target.begin() as session:
            session.add(Call(unique_id="after-copy", direction="inbound", started_at=dt.datetime.now(dt.UTC),
                             ended_at=None))
        with target.read() as session:
            assert session.scalar(select(Call.id).where(Call.unique_id == "after-copy")) == 301
        # While this desktop holds a connection, db check lists it under its host name; the app's sessions run
        # without JIT (compiling cost up to 1 s per history query on 10,000,000 calls).
        with target.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
            code, out, _ = cli(None, "db", "check", "--json", db_url=pg_url)
        report = json.loads(out)
        assert code == 0 and report["kind"] == "PostgreSQL" and report["schema"] == "current"
        assert "pg_trgm" in report["extensions"] and report["keyword_search"] == "pg_trgm"
        assert socket.gethostname()[:51] in [desktop["host"] for desktop in report["desktops"]]
        assert report["leases"] == []
    finally:
        target.close()
    code, _, err = cli(filled.data_dir, "db", "copy", "--to", pg_url, capsys=capsys)
    assert code == 1 and "コピー先のデータベースにはデータがあります" in err


def test_postgresql_upgrade_from_empty_and_refusal_of_a_newer_schema(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(None, "db", "upgrade", "--json", db_url=pg_url)
    report = json.loads(out)
    assert code == 0 and (report["from_revision"], report["to_revision"]) == (None, HEAD)
    assert report["keyword_search"] == "pg_trgm"
    make_future(pg_url)
    code, _, err = cli(None, "status", db_url=pg_url, lang="en", capsys=capsys)
    assert code == 1 and FUTURE in err and HEAD in err and "Update BIZTEL Desk" in err
    with pytest.raises(SchemaTooNew):
        Database.open(url=pg_url)
