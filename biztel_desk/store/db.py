"""The local database: where it lives, the engine (SQLite in WAL mode or PostgreSQL), migrations at start-up."""

from __future__ import annotations

import enum
import os
import re
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Table, create_engine, event, inspect
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
DB_FILENAME = "biztel-desk.sqlite3"
WRITE_OPTION = "biztel_write"  # execution option of Database.begin() sessions (see make_engine)


class DatabaseFault(enum.StrEnum):
    """What is wrong with the database, as far as the user can act on it."""

    LOCKED = "locked"  # another connection held the write lock longer than busy_timeout
    FULL = "full"  # the disk (or the file's size limit) is full
    IO = "io"  # a read or write of the file failed
    SERVER = "server"  # a database server (PostgreSQL) cannot be reached or dropped the connection
    CORRUPT = "corrupt"  # a damaged page, or not a SQLite file at all
    READONLY = "readonly"  # the file or its folder cannot be written
    EMPTY = "empty"  # a zero-length database file: refused, never silently turned into a new profile


# Faults that usually pass by themselves (or once the user frees space): retried with back-off, never fatal.
TRANSIENT_FAULTS = frozenset({DatabaseFault.LOCKED, DatabaseFault.FULL, DatabaseFault.IO, DatabaseFault.SERVER})

_FAULT_MESSAGES: dict[DatabaseFault, tuple[str, str]] = {
    DatabaseFault.LOCKED: (
        "データベースが別のプログラムにロックされています(10秒以上)。同じデータフォルダを使う別の BIZTEL Desk"
        "(ウィンドウまたは biztel-desk sync)やバックアップソフトを終了してから、もう一度お試しください。",
        "The database is locked by another program (for over 10 s). Close any other BIZTEL Desk (window or "
        "biztel-desk sync) or backup tool using the same data folder, then try again.",
    ),
    DatabaseFault.FULL: (
        "ディスクの空き容量が不足しているため、データベースに書き込めません{where}。空き容量を確保してから、もう一度お試しください。",
        "The database cannot be written because the disk is full{where}. Free some space, then try again.",
    ),
    DatabaseFault.IO: (
        "データベースファイルの読み書きに失敗しました(ディスクI/Oエラー){where}。ディスクの状態と空き容量を確認してください。",
        "Reading or writing the database file failed (disk I/O error){where}. Check the disk and its free space.",
    ),
    DatabaseFault.SERVER: (
        "データベースサーバに接続できません{where}。サーバが動いているか、ネットワークと --db-url を確認してください。",
        "The database server cannot be reached{where}. Check that it is running, the network and --db-url.",
    ),
    DatabaseFault.CORRUPT: (
        "データベースファイルが壊れています{where}。アプリを終了し、バックアップから復元してください。"
        "バックアップがない場合は、このファイルを別の場所へ移動すると新しい空のデータベースで起動します(履歴と設定は失われます)。",
        "The database file is damaged{where}. Quit the app and restore it from a backup. Without a backup, move the "
        "file elsewhere to start with a new, empty database (history and settings are lost).",
    ),
    DatabaseFault.READONLY: (
        "データベースファイルに書き込めません(読み取り専用){where}。ファイルとデータフォルダの書き込み権限を確認してください。",
        "The database file cannot be written (read-only){where}. Check the write permissions of the file and the data folder.",
    ),
    DatabaseFault.EMPTY: (
        "データベースファイルが空(0バイト)です{where}。ファイルが壊れたか切り詰められた可能性があります。新しいプロファイルとして"
        "扱うことはしません。バックアップから復元してください。新しく始める場合は、このファイルを削除するか別の場所へ移動してから起動してください。",
        "The database file is empty (0 bytes){where}: it was damaged or truncated. It is not treated as a new "
        "profile. Restore it from a backup; to start afresh, delete or move the file, then start again.",
    ),
}

# SQLite result codes (primary, the low byte of extended codes) → fault.
_SQLITE_CODES: dict[int, DatabaseFault] = {
    5: DatabaseFault.LOCKED,  # SQLITE_BUSY
    6: DatabaseFault.LOCKED,  # SQLITE_LOCKED
    8: DatabaseFault.READONLY,  # SQLITE_READONLY
    10: DatabaseFault.IO,  # SQLITE_IOERR
    11: DatabaseFault.CORRUPT,  # SQLITE_CORRUPT
    13: DatabaseFault.FULL,  # SQLITE_FULL
    14: DatabaseFault.IO,  # SQLITE_CANTOPEN
    26: DatabaseFault.CORRUPT,  # SQLITE_NOTADB
}


def database_fault(error: BaseException, location: str = "") -> DatabaseFault | None:
    """The fault behind a database error (SQLAlchemy's or the driver's), None for anything else (a bug).

    ``location`` (the SQLite file) tells a full disk from another I/O error: SQLite reports a disk too full for
    its -shm/-wal files as a disk I/O error.
    """
    fault = _fault(error)
    if fault == DatabaseFault.IO and location and _disk_full(Path(location)):
        return DatabaseFault.FULL
    return fault


def _disk_full(path: Path) -> bool:
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < 256 * 1024
    except OSError:
        return False


def _fault(error: BaseException) -> DatabaseFault | None:
    original = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) in _SQLITE_CODES:
            return _SQLITE_CODES[code & 0xFF]
        text = str(original).lower()
        for needle, fault in (("locked", DatabaseFault.LOCKED), ("malformed", DatabaseFault.CORRUPT),
                              ("not a database", DatabaseFault.CORRUPT), ("full", DatabaseFault.FULL),
                              ("readonly", DatabaseFault.READONLY), ("i/o", DatabaseFault.IO)):
            if needle in text:
                return fault
        return None
    if isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated):
        return DatabaseFault.SERVER  # a server database: connection refused, dropped, timed out
    return None


def fault_text(fault: DatabaseFault, lang: str = "ja", where: str = "") -> str:
    """What is wrong and what to do, in Japanese or English; ``where`` names the file or server when known."""
    ja, en = _FAULT_MESSAGES[fault]
    return pick(lang, ja.format(where=f"({where})" if where else ""), en.format(where=f" ({where})" if where else ""))


class DatabaseUnavailable(KnownError):
    """The database cannot be opened or migrated; the message says which and why (no secret in it).

    ``fault`` is set when the reason is one the user can act on; ``text(lang)`` then says what to do.
    """

    def __init__(self, detail: str, fault: DatabaseFault | None = None, where: str = "") -> None:
        super().__init__(detail)
        self.fault = fault
        self.where = where

    def text(self, lang: str = "ja") -> str:
        if self.fault is not None:
            return fault_text(self.fault, lang, self.where)
        return pick(lang, f"データベースを開けません: {self}\nデータフォルダ(--data-dir)または --db-url を確認してください。",
                    f"Cannot open the database: {self}\nCheck the data folder (--data-dir) or --db-url.")


class SchemaTooNew(DatabaseUnavailable):
    """The database's schema revision is unknown to this app: a newer BIZTEL Desk upgraded it (update the app)."""

    def __init__(self, url: str, database_revision: str, app_revision: str) -> None:
        super().__init__(f"{redacted(url)}: schema {database_revision} is newer than this app's {app_revision}")
        self.database_revision = database_revision
        self.app_revision = app_revision


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


def _postgresql_session(dbapi_connection: Any, _record: Any) -> None:
    # JIT off: the history's index-driven queries over millions of rows are costed above jit_above_cost, and
    # compiling them took up to 1 s of a 2 s count on 10,000,000 calls for nothing (docs/benchmarks.md). A SET
    # rather than a startup option, which connection poolers such as PgBouncer refuse.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.autocommit = autocommit


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
    if url.startswith("postgresql"):
        connect_args: dict[str, Any] = {}
        if "application_name" not in url:
            # Which desktop and process a server connection belongs to (pg_stat_activity, `biztel-desk db check`).
            connect_args["application_name"] = application_name()
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        event.listen(engine, "connect", _postgresql_session, insert=True)
        return engine
    return create_engine(url, pool_pre_ping=True)


def application_name() -> str:
    """``biztel-desk HOST:PID``: HOST as in the link leases (BIZTEL_DESK_HOSTNAME, else the OS host name)."""
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


def known_revisions() -> set[str]:
    """Every revision the bundled migration scripts define (a database at another one is newer than the app)."""
    found: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for match in _REVISION_LINE.finditer(script.read_text(encoding="utf-8")):
            if match.group(1) == "revision" and match.group(2):
                found.add(match.group(2))
    return found


def refuse_newer_schema(engine: Engine, url: str) -> None:
    """Raise SchemaTooNew when the database is at a revision none of the app's migration scripts knows."""
    revision = current_revision(engine)
    known = known_revisions()
    if revision is not None and known and revision not in known:  # (no scripts readable: let alembic decide)
        heads = head_revisions()
        raise SchemaTooNew(url, revision, ", ".join(sorted(heads)) or "?")


def at_head(engine: Engine) -> bool:
    """True when the database is already at the single head of the bundled migrations (no alembic needed)."""
    heads = head_revisions()
    return len(heads) == 1 and current_revision(engine) in heads


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for a server database or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    try:
        name = make_url(url).database
    except Exception:  # noqa: BLE001 - a malformed URL fails with its own message when the engine is made
        return None
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def prepare_sqlite_file(path: Path) -> None:
    """Refuse a zero-length database file; create a new one readable by this user only; tighten an old one.

    SQLite treats an empty file as a new database, so a truncated file would silently become an empty profile:
    it is refused instead (DatabaseFault.EMPTY). A new file is made 0600 under a temporary name with its first
    page written, then renamed, so no crash can leave a zero-length file behind; SQLite gives the -wal and -shm
    files the database file's permissions.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError as error:
        raise DatabaseUnavailable(f"{path}: {error.strerror or error}", DatabaseFault.IO, str(path)) from None
    if size == 0:
        raise DatabaseUnavailable(f"{path}: the database file is empty (0 bytes)", DatabaseFault.EMPTY, str(path))
    if size is not None:
        _private(path)
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(descriptor)
        connection = sqlite3.connect(temporary)
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # writes the header page: the file is never empty
        finally:
            connection.close()
        os.replace(temporary, path)
    except (OSError, sqlite3.Error) as error:
        temporary.unlink(missing_ok=True)
        fault = database_fault(error, str(path)) if isinstance(error, sqlite3.Error) else (
            DatabaseFault.FULL if getattr(error, "errno", None) == 28 else None)  # ENOSPC
        reason = f"unable to open database file: {error.strerror}" if isinstance(error, OSError) else error
        raise DatabaseUnavailable(f"{path}: {reason}", fault, str(path)) from None


def _private(path: Path) -> None:
    """The database and its -wal/-shm files: read and write for this user only (POSIX; Windows uses ACLs)."""
    if os.name != "posix":
        return
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except OSError:  # absent, or owned by someone else: SQLite reports what matters when it opens it
            continue


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
        where = redacted(url)
        sqlite_file = _sqlite_file(url)
        if sqlite_file is not None:
            where = str(sqlite_file)
            prepare_sqlite_file(sqlite_file)
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
            refuse_newer_schema(database.engine, url)
            if not at_head(database.engine):
                migrate(database.engine)
        except SchemaTooNew:
            database.engine.dispose()
            raise
        except (OperationalError, SQLAlchemyError, OSError) as error:
            database.engine.dispose()
            reason = getattr(error, "orig", None) or error
            fault = database_fault(error, where if sqlite_file is not None else "")
            raise DatabaseUnavailable(f"{redacted(url)}: {reason}", fault, where) from None
        if sqlite_file is not None:
            _private(sqlite_file)  # the -wal/-shm the migration check created, on a file made before 0600 was the rule
        return database

    @property
    def location(self) -> str:
        """Where the data lives, for messages: the SQLite file, or the server URL without its password."""
        sqlite_file = _sqlite_file(self.url)
        return str(sqlite_file) if sqlite_file is not None else redacted(self.url)

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


def dialect_insert(session: Session, table: Table) -> Any:
    """INSERT for the session's dialect, so callers can add ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite_dialect.insert(table)
    if name == "postgresql":
        return postgresql_dialect.insert(table)
    raise NotImplementedError(f"{table.name} cannot be stored in a {name} database")
