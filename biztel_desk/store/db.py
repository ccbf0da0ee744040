"""The local database: where it lives, the engine (SQLite in WAL mode or PostgreSQL), migrations at start-up."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
DB_FILENAME = "biztel-desk.sqlite3"
WRITE_OPTION = "biztel_write"  # execution option of Database.begin() sessions (see make_engine)


class DatabaseUnavailable(Exception):
    """The database cannot be opened or migrated; the message says which and why (no secret in it)."""


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir, else BIZTEL_DESK_HOME, else the OS per-user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("BIZTEL_DESK_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("BIZTEL Desk", "BIZTEL Desk", roaming=False))


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / DB_FILENAME}"


def redacted(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL must not leak either
        return "<invalid database URL>"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the GUI read while the worker writes; NORMAL sync is safe with WAL and much faster.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so reads in a write
        # transaction are consistent and SERIALIZABLE-like behaviour holds.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # Write transactions take the write lock up front (BEGIN IMMEDIATE): a deferred one that read first
            # cannot upgrade once another connection (the link worker) committed, and SQLite fails it at once
            # with "database is locked" instead of waiting busy_timeout.
            connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "BEGIN")

        return engine
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql") and "application_name" not in url:
        # Which desktop and process a server connection belongs to (pg_stat_activity, `biztel-desk db check`).
        connect_args["application_name"] = application_name()
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def application_name() -> str:
    """``biztel-desk HOST:PID``: HOST as in the link leases (BIZTEL_DESK_HOSTNAME, else the OS host name)."""
    import socket

    host = os.environ.get("BIZTEL_DESK_HOSTNAME") or socket.gethostname()
    return f"biztel-desk {host}:{os.getpid()}"[:63]


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # alembic is imported only when a migration may be needed (start-up time)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return str(row[0]) if row else None


_REVISION_LINE = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:['"]([^'"]*)['"]|None)""", re.MULTILINE)


def head_revisions() -> set[str]:
    """The heads of the bundled migrations, read from the scripts' text (importing alembic costs ~0.3 s at start-up).

    Only plain ``revision = "…"`` / ``down_revision = "…"|None`` assignments are understood; anything else
    (tuples for merges) yields an empty set, and the caller then lets alembic decide.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = dict((m.group(1), m.group(2)) for m in _REVISION_LINE.finditer(script.read_text(encoding="utf-8")))
        if "revision" not in found or not found["revision"] or "down_revision" not in found:
            return set()
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    return revisions - parents


def at_head(engine: Engine) -> bool:
    """True when the database is already at the single head of the bundled migrations (no alembic needed)."""
    heads = head_revisions()
    return len(heads) == 1 and current_revision(engine) in heads


class Database:
    """The engine and the session factory: one session per user action or worker step."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self._write_factory = sessionmaker(self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None, directory: Path | None = None) -> Database:
        """Open (creating the data dir) and migrate; raises DatabaseUnavailable with a clear reason."""
        if url is None:
            directory = directory or data_dir()
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseUnavailable(f"{directory}: {error.strerror or error}") from None
            url = sqlite_url(directory)
        try:
            database = cls(url)
        except ImportError as error:  # e.g. postgresql:// without the psycopg driver installed
            raise DatabaseUnavailable(
                f"{redacted(url)}: the database driver is not installed ({error.name or error}); "
                "for PostgreSQL install the postgres extra: pip install 'biztel-desk[postgres]'"
            ) from None
        except (SQLAlchemyError, ValueError) as error:  # an unknown scheme or a malformed URL
            raise DatabaseUnavailable(f"{redacted(url)}: {error}") from None
        try:
            if not at_head(database.engine):
                migrate(database.engine)
        except (OperationalError, SQLAlchemyError, OSError) as error:
            database.engine.dispose()
            reason = getattr(error, "orig", None) or error
            raise DatabaseUnavailable(f"{redacted(url)}: {reason}") from None
        return database

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in a transaction: committed when the block ends, rolled back on an exception."""
        with self._write_factory.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.session_factory() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
