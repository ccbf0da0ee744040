"""Shared fixtures: a temp data dir with a migrated database, an in-memory keyring, an app context.

The database is a SQLite file in the data dir, or with ``pytest --db postgresql`` a fresh database on the
PostgreSQL server named by ``BIZTEL_TEST_POSTGRES_URL`` (see ``dbswitch``). Tests that only make sense on
SQLite carry ``@pytest.mark.sqlite_only("why")`` and are skipped on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dbswitch import DB_URL_ENV, SERVER_ENV, PostgresServer  # noqa: E402

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig  # noqa: E402
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=("sqlite", "postgresql"), default="sqlite",
                     help=f"the database the tests use: SQLite files (default) or PostgreSQL (the server {SERVER_ENV} names)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): a test about SQLite itself; skipped with --db postgresql")
    if config.getoption("--db") == "postgresql" and not os.environ.get(SERVER_ENV):
        raise pytest.UsageError(f'--db postgresql needs {SERVER_ENV} (start a server: eval "$(tools/pg_server.sh start)")')


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--db") != "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "SQLite only"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[PostgresServer | None]:
    if request.config.getoption("--db") != "postgresql":
        yield None
        return
    server = PostgresServer(os.environ[SERVER_ENV])
    yield server
    server.close()


@pytest.fixture(autouse=True)
def db_url(postgres_server: PostgresServer | None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str | None]:
    """The test's database URL (None: the SQLite file of the data dir), exported as BIZTEL_DESK_DB_URL."""
    if postgres_server is None:
        monkeypatch.delenv(DB_URL_ENV, raising=False)  # a developer's own setting must not reach the tests
        yield None
        return
    url = postgres_server.fresh()
    monkeypatch.setenv(DB_URL_ENV, url)
    yield url
    postgres_server.drop(url)


@pytest.fixture
def empty_db_url(postgres_server: PostgresServer | None, tmp_path: Path) -> Iterator[str]:
    """A database without any table (for migration tests): a new SQLite file, or a new PostgreSQL database."""
    if postgres_server is None:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = postgres_server.fresh(migrated=False)
    yield url
    postgres_server.drop(url)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    return directory


@pytest.fixture
def database(data_dir: Path, db_url: str | None) -> Iterator[Database]:
    db = Database.open(url=db_url, directory=data_dir)
    yield db
    db.close()


@pytest.fixture
def secrets() -> SecretStore:
    return SecretStore(MemoryBackend())


@pytest.fixture
def context(database: Database, secrets: SecretStore, data_dir: Path) -> Iterator[AppContext]:
    ctx = AppContext(database=database, secrets=secrets, lang="ja", data_dir=data_dir)
    yield ctx


@pytest.fixture
def make_setting(context: AppContext):  # type: ignore[no-untyped-def]
    """Factory: an account plus a valid link setting (default objects, one target) in the database."""

    def make(name: str = "本社", account: str = "devorg", **changes: object) -> LinkSettingConfig:
        if context.config.get_account(account) is None:
            context.config.save_account(AccountConfig(name=account, username="admin@example.com"))
        setting = LinkSettingConfig(
            name=name,
            account=account,
            fallback_record_id="0012v000032fR15AAE",
            api_consent=True,
            targets=(LinkTargetConfig("03-1234-5678"),),
        )
        from dataclasses import replace

        setting = replace(setting, **changes)  # type: ignore[arg-type]
        return context.config.save_basic(setting)

    return make


@pytest.fixture(autouse=True)
def _restore_excepthooks() -> Iterator[None]:
    """A test that opens the window installs the crash handler (sys and threading hooks): later tests get theirs back."""
    import sys
    import threading

    saved = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = saved
