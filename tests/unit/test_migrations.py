"""Alembic migrations: a fresh database reaches head, an old one upgrades keeping its data, models match."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from biztel_desk.store.db import Database, alembic_config, current_revision, migrate
from biztel_desk.store.history import (
    DAY_TRIGRAM_INDEX,
    HEAD_TRIGRAM_INDEX,
    PARTIES_TABLE,
    PARTY_COUNTS_TABLE,
    TRIGRAM_INDEX,
)
from biztel_desk.store.models import Base


def head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def test_fresh_database_is_at_head_and_matches_models(empty_db_url: str, request: pytest.FixtureRequest) -> None:
    database = Database.open(url=empty_db_url)
    try:
        assert database.engine.dialect.name == request.config.getoption("--db")  # the switch really switched
        assert current_revision(database.engine) == head()
        with database.engine.connect() as connection:
            # The keyword indexes of the history are raw SQL, not models: SQLite's FTS5 tables (migration 0004) and
            # PostgreSQL's trigram expression indexes (0008, and 0021's (day, text) index that replaces it); so are
            # 0022's party counts with their (day, head) index.
            def include(name: object, kind: str, _parent: object) -> bool:
                raw_tables = (PARTIES_TABLE, PARTY_COUNTS_TABLE)
                return not ((kind == "table" and (str(name).startswith("call_search") or str(name) in raw_tables))
                            or (kind == "index" and str(name) in (TRIGRAM_INDEX, DAY_TRIGRAM_INDEX, HEAD_TRIGRAM_INDEX)))

            context = MigrationContext.configure(connection, opts={"include_name": include})
            assert compare_metadata(context, Base.metadata) == []
            if database.engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        database.close()


def test_upgrade_from_the_first_migration_keeps_data(empty_db_url: str) -> None:
    """0001 → head on SQLite, and with --db postgresql on the real PostgreSQL server."""
    database = Database(empty_db_url)
    migrate(database.engine, "0001")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO accounts (name, auth_method, username, login_host, api_version, consumer_key, created_at, updated_at)"
                " VALUES ('devorg', 'password', 'a@example.com', 'login', '59.0', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    database.close()
    reopened = Database.open(url=empty_db_url)
    try:
        assert current_revision(reopened.engine) == head()
        with reopened.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT username FROM accounts").scalar() == "a@example.com"
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM calls").scalar() == 0
    finally:
        reopened.close()


@pytest.mark.sqlite_only("the SQLite file's directory")
def test_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    from biztel_desk.store.db import DatabaseUnavailable

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseUnavailable) as caught:
        Database.open(directory=blocker / "sub")
    assert str(blocker) in str(caught.value)


def test_unusable_database_urls_are_clear_errors() -> None:
    from biztel_desk.store.db import DatabaseUnavailable

    for url, fragment in [
        ("foo://x", "foo"),
        ("not a url", "Could not parse"),
        ("sqlite:////nonexistent-dir/sub/x.db", "unable to open"),
    ]:
        with pytest.raises(DatabaseUnavailable) as caught:
            Database.open(url=url)
        assert fragment in str(caught.value)
