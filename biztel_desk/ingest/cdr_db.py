"""The PBX's CDR database as a live call source (issue #15): FreePBX/Issabel ``asteriskcdrdb.cdr`` on MariaDB/MySQL,
Asterisk's ``cdr`` table (cdr_adaptive_odbc, cdr_pgsql) on PostgreSQL.

The table is polled every few seconds over a read-only connection, one short statement at a time (autocommit: no
transaction is ever held open on the PBX's database, and it never sees a write from us).

Where to read from (the position) is kept in OUR database, in the same transaction as the legs it covers
(``ingest_positions``), so a crash never skips nor repeats a leg:

- ``id`` mode — the table has an integer ``id`` column (an auto-increment some admins add): rows with
  ``id > last_id - ID_OVERLAP`` are read (the overlap catches rows whose insert committed after a higher id's).
- ``time`` mode — the published column sets (no id): a row is written when its leg ends, so rows are read by
  their end (``end``, or ``calldate`` + ``duration``) from ``watermark - overlap_s``, where ``watermark`` is the
  latest end already imported. Rows written late (out of order, CDR batch mode) within the overlap are still
  read. ``sequence`` is not a position: Asterisk restarts it at every start; it only makes the leg id.

Rows read twice (the overlap) are the same legs (``uniqueid#sequence``): call_legs skips them, so the overlap
never repeats a leg. Legs are grouped into calls by their ``linkedid`` (store.calls.add_calls, issue #9), with the
system setting call_settle_s as their settle window.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, NoSuchTableError, SQLAlchemyError

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick
from biztel_desk.ingest.files import table_records
from biztel_desk.ingest.loop import BackgroundLoop
from biztel_desk.secrets import SecretStore, SecretStoreError
from biztel_desk.store import repos
from biztel_desk.store.calls import add_calls
from biztel_desk.store.db import Database, dialect_insert
from biztel_desk.store.models import IngestPosition, utcnow

log = logging.getLogger(__name__)

POSITIONS: sa.Table = IngestPosition.__table__  # type: ignore[assignment]

PREFERENCE_KEY = "ingest.cdr_db"
SECRET_KEY = "ingest:cdr-db"  # the database user's password (OS keyring, never our database)
SOURCE = "cdr_db"  # ingest_positions.source
SCHEMAS = ("auto", "freepbx", "asterisk")
ID_OVERLAP = 200  # id mode: rows re-read below the last id (inserts that committed out of id order)
PAGE_ROWS = 5000  # rows per statement (and per transaction in our database)
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_S = 30
BACKOFF_MAX_S = 60.0
# Columns each schema needs: what makes a leg (issue #9) and what orders the rows.
REQUIRED = {
    "freepbx": ("calldate", "src", "dst", "uniqueid", "duration"),
    "asterisk": ("start", "end", "src", "dst", "uniqueid"),
}
_DRIVERS = {"mysql": "mysql+pymysql", "mariadb": "mysql+pymysql", "postgresql": "postgresql+psycopg",
            "postgres": "postgresql+psycopg"}


# --- configuration -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CdrDbConfig:
    """The admin's CDR database: off until a URL is given. The password is in the keyring (SECRET_KEY)."""

    enabled: bool = False
    url: str = ""  # mysql://user@host:3306/asteriskcdrdb or postgresql://user@host/asterisk (no password)
    table: str = "cdr"  # or schema.table
    schema: str = "auto"  # freepbx | asterisk | auto (by the table's columns)
    time_zone: str = ""  # the zone the PBX writes its times in; empty: the system setting time_zone
    start: str = ""  # the first run: "now" or "days:N" (the admin is asked); empty: not chosen yet
    interval_s: float = 2.0
    overlap_s: int = 300  # time mode: how late (after a later leg) a row may still be written
    max_call_s: int = 4 * 3600  # time mode: the longest leg (its row's start is this far before its end)


def load_config(database: Database) -> CdrDbConfig:
    with database.read() as session:
        return config_in(session)


def config_in(session: Any) -> CdrDbConfig:
    """``load_config`` in a transaction of the caller's (the settings file's import)."""
    stored = repos.get_preference(session, PREFERENCE_KEY, {}) or {}
    return CdrDbConfig(**{k: v for k, v in stored.items() if k in CdrDbConfig.__dataclass_fields__})


def save_config(database: Database, config: CdrDbConfig) -> None:
    with database.begin() as session:
        repos.set_preference(session, PREFERENCE_KEY, asdict(config))


def get_password(store: SecretStore) -> str | None:
    return store.get(SECRET_KEY)


def set_password(store: SecretStore, password: str) -> None:
    store.set(SECRET_KEY, password)


def parse_start(text: str) -> str | None:
    """``now``, ``N`` or ``Nd`` (days back) → the stored form ("now", "days:N"); None when not understood."""
    value = text.strip().lower()
    if value in ("now", "今から"):
        return "now"
    value = value.removeprefix("days:").removesuffix("d")
    if value.isdigit() and 1 <= int(value) <= 3650:
        return f"days:{int(value)}"
    return None


def start_text(start: str, lang: str = "ja") -> str:
    if start.startswith("days:"):
        days = start.removeprefix("days:")
        return pick(lang, f"過去{days}日", f"the last {days} days")
    if start == "now":
        return pick(lang, "今から", "from now")
    return pick(lang, "未選択", "not chosen")


# --- faults ----------------------------------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    "bad_url": (
        "CDRデータベースのURLが正しくありません: {detail}。例: mysql://freepbxuser@192.0.2.10:3306/asteriskcdrdb、"
        "postgresql://asterisk@192.0.2.10:5432/asterisk。",
        "The CDR database URL is not valid: {detail}. E.g. mysql://freepbxuser@192.0.2.10:3306/asteriskcdrdb or "
        "postgresql://asterisk@192.0.2.10:5432/asterisk.",
    ),
    "password_in_url": (
        "URLにパスワードを含めないでください。パスワードは biztel-desk ingest set-secret cdr-db "
        "(または取り込み元の画面の「パスワード」)でOSのキーリングに保存します。",
        "Do not put the password in the URL. Store it in the OS keyring with biztel-desk ingest set-secret cdr-db "
        "(or the password field of the CDR database section in the call sources dialog).",
    ),
    "no_driver": (
        "{kind} のドライバーがインストールされていません。pip install 'biztel-desk[{extra}]' でインストールしてください。",
        "The {kind} driver is not installed. Install it with pip install 'biztel-desk[{extra}]'.",
    ),
    "unreachable": (
        "CDRデータベース {where} に接続できません({detail})。サーバーが起動しているか、ホスト名・ポート・"
        "ファイアウォールを確認してください。再試行します。",
        "Cannot connect to the CDR database {where} ({detail}). Check that the server runs, and the host, port "
        "and firewall. Retrying.",
    ),
    "auth": (
        "CDRデータベース {where} にログインできません。ユーザー名とパスワードを確認し、パスワードを "
        "biztel-desk ingest set-secret cdr-db で保存し直してください({detail})。再試行します。",
        "Cannot log in to the CDR database {where}. Check the user and the password, and store the password again "
        "with biztel-desk ingest set-secret cdr-db ({detail}). Retrying.",
    ),
    "no_database": (
        "データベース {where} がありません。URLのデータベース名(FreePBX: asteriskcdrdb)を確認してください。",
        "The database {where} does not exist. Check the database name in the URL (FreePBX: asteriskcdrdb).",
    ),
    "no_table": (
        "テーブル {table} が {where} にありません(名前が変わったか、権限がありません)。テーブル名を確認し、"
        "読み取りの権限(GRANT SELECT)を与えてください。再試行します。",
        "The table {table} is not in {where} (renamed, or no permission). Check the table name and grant read "
        "access (GRANT SELECT). Retrying.",
    ),
    "columns": (
        "テーブル {table} に必要な列がありません: {columns}。形式(freepbx / asterisk)を確認してください。",
        "The table {table} lacks the columns {columns}. Check the schema (freepbx / asterisk).",
    ),
    "lost": (
        "CDRデータベース {where} との接続が切れました({detail})。再接続して、保存した位置から続けます。",
        "The connection to the CDR database {where} was lost ({detail}). Reconnecting; reading resumes from the "
        "stored position.",
    ),
    "failed": (
        "CDRデータベース {where} を読めません({detail})。再試行します。",
        "Cannot read the CDR database {where} ({detail}). Retrying.",
    ),
    "store": (
        "読み取った通話を保存できません({detail})。同じ位置から再試行します。",
        "The calls read could not be stored ({detail}). Retrying from the same position.",
    ),
    "keyring": (
        "OSのキーリングからCDRデータベースのパスワードを読めません({detail})。",
        "Cannot read the CDR database password from the OS keyring ({detail}).",
    ),
}
RETRIED = frozenset({"unreachable", "auth", "no_database", "no_table", "columns", "lost", "failed", "store", "keyring"})


class CdrDbError(KnownError):
    """A fault of the CDR database source: ``code`` (MESSAGES), shown in the source's state in ja/en."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str = "ja") -> str:
        ja, en = MESSAGES[self.code]
        return pick(lang, ja, en).format(**self.params)


def _short(text: str, limit: int = 160) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- the connection ----------------------------------------------------------------------------------------------


def parse_url(text: str) -> URL:
    """The configured URL with its driver (PyMySQL, psycopg); CdrDbError for a bad one or one with a password."""
    try:
        url = make_url(text.strip())
    except ArgumentError as error:
        raise CdrDbError("bad_url", detail=_short(str(error))) from None
    backend = url.drivername.split("+", 1)[0]
    if backend not in _DRIVERS:
        raise CdrDbError("bad_url", detail=f"{backend}: mysql:// / postgresql://")
    if url.password:
        raise CdrDbError("password_in_url")
    if not url.host or not url.database:
        raise CdrDbError("bad_url", detail="host / database")
    return url.set(drivername=_DRIVERS[backend])


def describe(url: URL, table: str = "") -> str:
    """Where, for messages and the state: user@host:port/database[.table] (never a password)."""
    port = f":{url.port}" if url.port else ""
    user = f"{url.username}@" if url.username else ""
    return f"{user}{url.host}{port}/{url.database}" + (f" {table}" if table else "")


def _kind(url: URL) -> str:
    return "mysql" if url.drivername.startswith("mysql") else "postgresql"


def create_engine(url: URL, password: str | None) -> Engine:
    """A read-only engine: every session refuses writes, statements are short (autocommit) and time out."""
    kind = _kind(url)
    if password:
        url = url.set(password=password)
    if kind == "mysql":
        connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S, "read_timeout": STATEMENT_TIMEOUT_S,
                                        "write_timeout": STATEMENT_TIMEOUT_S}
    else:
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_S,
                        "options": f"-c default_transaction_read_only=on -c statement_timeout={STATEMENT_TIMEOUT_S}s"}
    try:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True, pool_size=1,
                                  max_overflow=0, connect_args=connect_args)
    except (NoSuchModuleError, ModuleNotFoundError, ImportError):
        extra = "mysql" if kind == "mysql" else "postgres"
        raise CdrDbError("no_driver", kind="MariaDB/MySQL" if kind == "mysql" else "PostgreSQL", extra=extra) from None
    if kind == "mysql":

        @sa.event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION TRANSACTION READ ONLY")

    return engine


def classify(error: BaseException, url: URL, table: str) -> CdrDbError:
    """What a driver's error means for the admin (a database down, a wrong password, a missing table…)."""
    if isinstance(error, CdrDbError):
        return error
    where = describe(url)
    if isinstance(error, NoSuchTableError):
        return CdrDbError("no_table", table=table, where=where)
    original = getattr(error, "orig", None) or error
    detail = _short(str(original)) or type(original).__name__
    code = None
    args = getattr(original, "args", ())
    if args and isinstance(args[0], int):  # PyMySQL: (errno, message)
        code = args[0]
    sqlstate = getattr(original, "sqlstate", None) or ""
    text = str(original).lower()
    if code in (1045, 1044, 1698) or sqlstate in ("28P01", "28000") or "password authentication failed" in text \
            or "no password supplied" in text:
        return CdrDbError("auth", where=where, detail=detail)
    if code == 1049 or sqlstate == "3D000" or ("database" in text and "does not exist" in text):
        return CdrDbError("no_database", where=where)
    if code in (1146, 1142) or sqlstate in ("42P01", "42501"):
        return CdrDbError("no_table", table=table, where=where)
    if code in (2003, 2005) or "connection refused" in text or "could not translate host" in text \
            or "timeout expired" in text or "failed to resolve" in text or "connection failed" in text:
        return CdrDbError("unreachable", where=where, detail=detail)
    if code in (2006, 2013, 2014, 2055, 1927) or "server closed the connection" in text \
            or "terminating connection" in text or "consuming input failed" in text or "connection is lost" in text \
            or "connection already closed" in text or (isinstance(error, DBAPIError) and error.connection_invalidated):
        return CdrDbError("lost", where=where, detail=detail)
    return CdrDbError("failed", where=where, detail=detail)


@dataclass(frozen=True)
class TableInfo:
    """What 接続テスト shows: the table's columns, its schema and key, how many rows, the newest call."""

    where: str
    table: str
    columns: tuple[str, ...]
    schema: str  # freepbx | asterisk
    key: str  # id | time
    rows: int
    newest: dt.datetime | None

    def text(self, lang: str = "ja") -> str:
        newest = f"{self.newest:%Y-%m-%d %H:%M:%S}" if self.newest is not None else pick(lang, "なし", "none")
        key = pick(lang, "id 列", "the id column") if self.key == "id" else pick(
            lang, "終了時刻と重なり", "end time with an overlap")
        return pick(lang,
                    f"{self.where} のテーブル {self.table} に接続しました(読み取り専用)。\n形式: {self.schema}、"
                    f"位置: {key}\n行数: {self.rows:,}\n最新の通話: {newest}\n列: {', '.join(self.columns)}",
                    f"Connected to table {self.table} of {self.where} (read-only).\nSchema: {self.schema}, "
                    f"position: {key}\nRows: {self.rows:,}\nNewest call: {newest}\nColumns: {', '.join(self.columns)}")


def _split_table(name: str) -> tuple[str | None, str]:
    schema, _, table = name.strip().rpartition(".")
    return (schema or None), table


class CdrTable:
    """The PBX's CDR table, read through one read-only engine; every method is one or two short statements."""

    def __init__(self, config: CdrDbConfig, password: str | None) -> None:
        self.config = config
        self.url = parse_url(config.url)
        self.where = describe(self.url)
        self.table_name = config.table.strip() or "cdr"
        self.engine = create_engine(self.url, password)
        self._table: sa.Table | None = None
        self.schema = ""
        self.key = ""

    def close(self) -> None:
        self.engine.dispose()

    def fault(self, error: BaseException) -> CdrDbError:
        self._table = None  # a renamed or altered table is read again at the next attempt
        return classify(error, self.url, self.table_name)

    def reflect(self, connection: Connection) -> sa.Table:
        if self._table is not None:
            return self._table
        schema, name = _split_table(self.table_name)
        table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=connection)
        names = {column.name.lower() for column in table.columns}
        chosen = self.config.schema if self.config.schema in ("freepbx", "asterisk") else (
            "freepbx" if "calldate" in names else "asterisk")
        missing = [column for column in REQUIRED[chosen] if column not in names]
        if missing:
            raise CdrDbError("columns", table=self.table_name, columns=", ".join(missing))
        id_column = table.columns.get("id")
        self.key = "id" if id_column is not None and isinstance(id_column.type, sa.Integer) else "time"
        self.schema = chosen
        self._table = table
        return table

    def _column(self, table: sa.Table, name: str) -> Any:
        for column in table.columns:
            if column.name.lower() == name:
                return column
        raise KeyError(name)

    def start_column(self, table: sa.Table) -> Any:
        return self._column(table, "calldate" if self.schema == "freepbx" else "start")

    def end_expression(self, table: sa.Table) -> Any:
        """A row's end: Asterisk's ``end``, FreePBX's ``calldate`` + ``duration`` seconds."""
        if self.schema == "asterisk":
            return self._column(table, "end")
        calldate, duration = self._column(table, "calldate"), self._column(table, "duration")
        if _kind(self.url) == "mysql":
            return sa.func.timestampadd(sa.literal_column("SECOND"), duration, calldate)
        return calldate + duration * sa.text("interval '1 second'")

    def info(self) -> TableInfo:
        try:
            with self.engine.connect() as connection:
                table = self.reflect(connection)
                rows = connection.scalar(select(sa.func.count()).select_from(table)) or 0
                newest = connection.scalar(select(sa.func.max(self.start_column(table))))
        except (SQLAlchemyError, OSError) as error:
            raise self.fault(error) from None
        return TableInfo(self.where, self.table_name, tuple(column.name for column in table.columns), self.schema,
                         self.key, int(rows), newest)

    def newest_start(self) -> Any:
        try:
            with self.engine.connect() as connection:
                table = self.reflect(connection)
                return connection.scalar(select(sa.func.max(self.start_column(table))))
        except (SQLAlchemyError, OSError) as error:
            raise self.fault(error) from None

    def newest_end(self, newest_start: Any) -> Any:
        """The latest end among the rows that started from ``max_call_s`` before the newest start (an index range)."""
        try:
            with self.engine.connect() as connection:
                table = self.reflect(connection)
                low = newest_start - dt.timedelta(seconds=self.config.max_call_s)
                return connection.scalar(select(sa.func.max(self.end_expression(table)))
                                         .where(self.start_column(table) >= low))
        except (SQLAlchemyError, OSError) as error:
            raise self.fault(error) from None

    def page(self, position: Position, cursor: Any = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The rows after ``position`` (with the overlap), oldest first, at most ``limit``; each with ``_end`` (and
        ``_id`` in id mode) for the next position. ``cursor``: the next page of the same poll (the last page's last
        end, ties included, or its last id)."""
        try:
            with self.engine.connect() as connection:
                table = self.reflect(connection)
                if self.key == "id":
                    id_column = self._column(table, "id")
                    low_id = cursor if cursor is not None else max(position.floor_id, position.last_id - ID_OVERLAP)
                    query = (select(table, id_column.label("_id"), self.end_expression(table).label("_end"))
                             .where(id_column > low_id).order_by(id_column).limit(limit or PAGE_ROWS))
                else:
                    end = self.end_expression(table).label("_end")
                    low = cursor if cursor is not None else position.low(self.config)
                    query = select(table, end)
                    if low is not None:
                        query = query.where(end >= low,
                                            self.start_column(table) >= low - dt.timedelta(seconds=self.config.max_call_s))
                    query = query.order_by(end).limit(limit or PAGE_ROWS)
                return [dict(row._mapping) for row in connection.execute(query)]
        except (SQLAlchemyError, OSError) as error:
            raise self.fault(error) from None


# --- the position (in our database) --------------------------------------------------------------------------


def _to_json_time(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else ""


def _from_json_time(text: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


@dataclass
class Position:
    """How far the source has read: ``watermark`` (the latest end imported) and ``floor`` (nothing ending before
    it is read: the first run's choice) in the PBX's own time values, or ``last_id``; ``target`` names the table
    it belongs to (another table starts afresh)."""

    target: str
    watermark: dt.datetime | None = None
    floor: dt.datetime | None = None
    last_id: int = 0
    floor_id: int = 0  # id mode, 今から: the rows up to this id are history

    def low(self, config: CdrDbConfig) -> dt.datetime | None:
        candidates = [value for value in (self.floor,) if value is not None]
        if self.watermark is not None:
            candidates.append(self.watermark - dt.timedelta(seconds=config.overlap_s))
        return max(candidates) if candidates else None

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "watermark": _to_json_time(self.watermark), "floor": _to_json_time(self.floor),
                "last_id": self.last_id, "floor_id": self.floor_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Position:
        return cls(str(data.get("target", "")), _from_json_time(str(data.get("watermark") or "")),
                   _from_json_time(str(data.get("floor") or "")), int(data.get("last_id") or 0),
                   int(data.get("floor_id") or 0))


def target_of(config: CdrDbConfig) -> str:
    try:
        where = describe(parse_url(config.url))
    except CdrDbError:
        where = config.url
    return f"{where} {config.table.strip() or 'cdr'}"


def load_position(database: Database, config: CdrDbConfig) -> Position | None:
    """The stored position of this table, or None before its first run (or after the table was changed)."""
    with database.read() as session:
        return position_in(session, config)


def position_in(session: Any, config: CdrDbConfig) -> Position | None:
    """``load_position`` in a transaction of the caller's (the settings file's import)."""
    stored = session.get(IngestPosition, SOURCE)
    data = dict(stored.position) if stored is not None else None
    if data is None:
        return None
    position = Position.from_json(data)
    return position if position.target == target_of(config) else None


def _save_position(session: Any, position: Position) -> None:
    values = {"source": SOURCE, "position": position.to_json(), "updated_at": utcnow()}
    statement = dialect_insert(session, POSITIONS)
    session.execute(statement.on_conflict_do_update(index_elements=["source"],
                                                    set_={"position": values["position"], "updated_at": values["updated_at"]}),
                    [values])


def _text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.tzinfo is not None else f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _quick_leg_key(row: dict[str, Any]) -> str | None:
    """The leg id of a raw row when it is simply ``uniqueid#sequence`` (files._LegIds), else None."""
    uniqueid = row.get("uniqueid")
    sequence = row.get("sequence")
    if uniqueid is None or sequence is None:
        for name, value in row.items():
            lowered = name.lower()
            if lowered == "uniqueid":
                uniqueid = value
            elif lowered == "sequence":
                sequence = value
    uniqueid_text, sequence_text = _text_value(uniqueid).strip(), _text_value(sequence).strip()
    return f"{uniqueid_text}#{sequence_text}" if uniqueid_text and sequence_text else None


# --- polling -------------------------------------------------------------------------------------------------------


@dataclass
class PollResult:
    read: int = 0  # rows read (with the overlap)
    legs: int = 0  # new legs stored
    calls: int = 0  # new calls
    rejected: int = 0
    pages: int = 0


class CdrDbReader:
    """Reads new rows into our database, page by page; each page's legs and the position commit together."""

    def __init__(self, database: Database, config: CdrDbConfig, password: str | None) -> None:
        self.database = database
        self.config = config
        self.table = CdrTable(config, password)
        self.position: Position | None = None
        self._seen: dict[str, Any] = {}  # legs read in the overlap already stored → their end (or id)

    def close(self) -> None:
        self.table.close()

    def _first_position(self) -> Position:
        target = target_of(self.config)
        newest = self.table.newest_start()
        if self.table.key == "id":
            if self.config.start == "now" and newest is not None:
                # Every row so far is history: start after the highest id.
                try:
                    with self.table.engine.connect() as connection:
                        table = self.table.reflect(connection)
                        last = connection.scalar(select(sa.func.max(self.table._column(table, "id")))) or 0
                except (SQLAlchemyError, OSError) as error:
                    raise self.table.fault(error) from None
                return Position(target, last_id=int(last), floor_id=int(last))
            if self.config.start.startswith("days:") and newest is not None:
                floor = newest - dt.timedelta(days=int(self.config.start.removeprefix("days:")))
                return Position(target, floor=floor)
            return Position(target)
        if newest is None:
            return Position(target)
        if self.config.start.startswith("days:"):
            return Position(target, floor=newest - dt.timedelta(days=int(self.config.start.removeprefix("days:"))))
        newest_end = self.table.newest_end(newest)
        # 今から: the rows there are now are history; what ends after the latest of them is read.
        return Position(target, floor=(newest_end or newest) + dt.timedelta(microseconds=1))

    def poll(self) -> PollResult:
        """Read every row there is now. Raises CdrDbError (the PBX's database) — the position stays where the
        last committed page left it."""
        result = PollResult()
        if self.position is None:
            self.position = load_position(self.database, self.config)
        if self.position is None:
            position = self._first_position()
            with self.database.begin() as session:
                _save_position(session, position)
            self.position = position
        cursor = None
        while True:
            rows = self.table.page(self.position, cursor)
            result.pages += 1
            result.read += len(rows)
            last = rows[-1].get("_id" if self.table.key == "id" else "_end") if rows else None
            self._store(rows, result)
            if len(rows) < PAGE_ROWS or last is None or last == cursor:
                return result  # all read (more than a page of legs ending in the same second: at the next poll)
            cursor = last

    def _store(self, rows: list[dict[str, Any]], result: PollResult) -> bool:
        """Store the page's new legs and the position after it in one transaction; True when the position moved."""
        assert self.position is not None
        position = Position(**{**self.position.__dict__})
        fresh: list[dict[str, str]] = []
        id_mode = self.table.key == "id"
        for row in rows:
            row_id, end = row.pop("_id", None), row.pop("_end", None)
            if id_mode and row_id is not None:
                position.last_id = max(position.last_id, int(row_id))  # also past a row before the floor
            if position.floor is not None and end is not None and end < position.floor:
                continue  # ended before the first run's start (過去N日, 今から)
            if not id_mode and end is not None:
                position.watermark = end if position.watermark is None else max(position.watermark, end)
            quick = _quick_leg_key(row)
            if quick is not None and quick in self._seen:
                continue  # read again in the overlap, stored already: not parsed again
            fresh.append({name.lower(): _text_value(value) for name, value in row.items()})
        moved = position.to_json() != self.position.to_json()
        if not fresh:
            if moved:
                with self.database.begin() as session:
                    _save_position(session, position)
                self.position = position
            return moved
        records, rejected, region = table_records(self.database, fresh, self.table.schema,
                                                  time_zone=self.config.time_zone or None)
        result.rejected += len(rejected)
        for refused in rejected:
            log.warning("CDR database: a row was refused: %s", refused.text("en"))
        new = [record for record in records if record.leg_key not in self._seen]
        with self.database.read() as session:
            settle_s = repos.load_system(session).call_settle_s
        with self.database.begin() as session:
            added = add_calls(session, new, region, settle_s=settle_s) if new else None
            _save_position(session, position)
        if added is not None:
            result.calls += added.inserted
            result.legs += len(new) - added.known
        mark = position.last_id if id_mode else position.watermark  # at least the row's own: pruned no earlier
        for record in records:
            self._seen[record.leg_key] = mark
        self._prune(position)
        self.position = position
        return moved

    def _prune(self, position: Position) -> None:
        """Forget legs that the next page can no longer return (below the overlap)."""
        if len(self._seen) < 2 * PAGE_ROWS:
            return
        if self.table.key == "id":
            low_id = position.last_id - ID_OVERLAP
            self._seen = {key: mark for key, mark in self._seen.items() if mark is None or int(mark) > low_id}
        else:
            low = position.low(self.config)
            if low is not None:
                self._seen = {key: mark for key, mark in self._seen.items() if mark is None or mark >= low}


@dataclass
class _Health:
    problem: tuple[str, str] | None = None
    code: str = ""
    last_poll: dt.datetime | None = None
    totals: PollResult = field(default_factory=PollResult)


class CdrDbPoller(BackgroundLoop):
    """Polls the table in a background thread until stop(); faults are kept in ``problem`` (ja, en) and retried
    with a growing back-off (2 s … 60 s). ``on_imported(n)`` runs on this thread after ``n`` new calls."""

    thread_name = "cdr-db"

    def __init__(
        self,
        database: Database,
        secrets: SecretStore,
        config: CdrDbConfig,
        on_imported: Callable[[int], None] | None = None,
    ) -> None:
        self.database = database
        self.secrets = secrets
        self.config = config
        self.on_imported = on_imported
        self.location = target_of(config)
        self._init_loop()
        self._health = _Health()
        self._reader: CdrDbReader | None = None

    @property
    def problem(self) -> tuple[str, str] | None:
        return self._health.problem

    @property
    def problem_code(self) -> str:
        return self._health.code

    @property
    def totals(self) -> PollResult:
        return self._health.totals

    def stop(self, timeout: float | None = 15.0) -> None:
        """Stop after the page in flight (its legs and position commit together, or not at all)."""
        self._stop_loop(timeout)
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def poll_once(self) -> PollResult:
        """One poll in the calling thread (raises CdrDbError)."""
        if self._reader is None:
            try:
                password = get_password(self.secrets)
            except SecretStoreError as error:
                raise CdrDbError("keyring", detail=error.text("en")) from None
            self._reader = CdrDbReader(self.database, self.config, password)
        try:
            return self._reader.poll()
        except CdrDbError:
            self._reader.close()  # a fresh connection (and a fresh look at the table) at the next attempt
            self._reader = None
            raise
        except SQLAlchemyError as error:  # our own database: the page was rolled back, the position with it
            self._reader.close()
            self._reader = None
            raise CdrDbError("store", detail=_short(str(getattr(error, "orig", None) or error))) from None

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            delay = self.config.interval_s
            try:
                result = self.poll_once()
            except CdrDbError as error:
                failures += 1
                delay = min(BACKOFF_MAX_S, self.config.interval_s * 2 ** min(failures, 6))
                if self._health.code != error.code:
                    log.warning("CDR database: %s", error.text("en"))
                self._health.problem = (error.text("ja"), error.text("en"))
                self._health.code = error.code
            except Exception:  # noqa: BLE001 - a bug must be logged and retried, never end the source silently
                log.exception("CDR database: the poll failed")
                failures += 1
                delay = min(BACKOFF_MAX_S, self.config.interval_s * 2 ** min(failures, 6))
                self._health.problem = ("CDRデータベースの読み取りで予期しないエラーが起きました(ログを確認してください)。"
                                        "再試行します。", "An unexpected error occurred reading the CDR database "
                                        "(see the log). Retrying.")
                self._health.code = "bug"
            else:
                if failures:
                    log.info("CDR database: reading again")
                failures = 0
                self._health.problem = None
                self._health.code = ""
                self._health.last_poll = utcnow()
                totals = self._health.totals
                totals.read += result.read
                totals.legs += result.legs
                totals.calls += result.calls
                totals.rejected += result.rejected
                if (result.calls or result.legs) and self.on_imported is not None:
                    try:
                        self.on_imported(result.calls)
                    except Exception:  # noqa: BLE001 - the calls are stored; a listener's bug must not stop the source
                        log.exception("CDR database: the on_imported listener failed")
            self._stop.wait(delay)


def check_connection(config: CdrDbConfig, secrets: SecretStore, password: str | None = None) -> TableInfo:
    """接続テスト: connect read-only and describe the table (raises CdrDbError). ``password``: one typed but not
    saved yet; else the keyring's."""
    if password is None:
        try:
            password = get_password(secrets)
        except SecretStoreError as error:
            raise CdrDbError("keyring", detail=error.text("en")) from None
    table = CdrTable(config, password)
    try:
        return table.info()
    finally:
        table.close()
