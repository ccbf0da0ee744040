"""Database operations for the admin (``biztel-desk db``): check, upgrade, and copy to another database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.store import admin
from biztel_desk.store.db import (
    Database,
    DatabaseUnavailable,
    current_revision,
    data_dir,
    head_revisions,
    known_revisions,
    migrate,
    redacted,
    refuse_newer_schema,
    sqlite_url,
)
from biztel_desk.store.history import (
    ensure_day_trigram_index,
    ensure_trigram_index,
    keyword_index,
    rebuild_day_counts,
)
from biztel_desk.store.models import Base

# Runtime state, not data: who steps a setting now. A copy starts with no owner (the engines take leases anew).
# link_leases: who links now is runtime state; history_day_counts: derived from link_jobs (migration 0018), the
# target's triggers count the jobs as they arrive and the copy recounts them at the end.
NOT_COPIED = frozenset({"link_leases", "history_day_counts"})


def database_url(data_directory: str | Path | None, db_url: str | None) -> str:
    """The URL the app would open: --db-url, else the SQLite file in the data dir."""
    return db_url or sqlite_url(data_dir(data_directory))


@dataclass(frozen=True)
class CheckReport:
    url: str  # password hidden
    kind: str
    version: str
    revision: str | None
    head: str
    schema: str  # "current" | "older" (db upgrade brings it to head) | "newer" (update the app) | "empty"
    extensions: dict[str, str]
    keyword_search: str  # "fts5" | "pg_trgm" | "like"
    desktops: list[admin.Desktop] = field(default_factory=list)
    leases: list[admin.LeaseOwner] = field(default_factory=list)
    keyword_plan: admin.KeywordPlan | None = None  # the keyword index and the planner's use of it (no schema: None)

    def as_json(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {key: plain(item) for key, item in value.items()}
            if isinstance(value, list):
                return [plain(item) for item in value]
            return value

        return {key: plain(value) for key, value in asdict(self).items()}


def _head() -> str:
    return ", ".join(sorted(head_revisions())) or "?"


@contextmanager
def _unmigrated(url: str, create: bool) -> Iterator[Database]:
    """The database as it is (no migration), closed after; a failure to reach it is DatabaseUnavailable."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not create and not path.exists():
            raise DatabaseUnavailable(f"{path}: there is no database here (yet)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(f"{path.parent}: {error.strerror or error}") from None
    try:
        database = Database(url)
    except ImportError as error:
        raise DatabaseUnavailable(
            f"{redacted(url)}: the database driver is not installed ({error.name or error}); "
            "for PostgreSQL install the postgres extra: pip install 'biztel-desk[postgres]'"
        ) from None
    except (SQLAlchemyError, ValueError) as error:
        raise DatabaseUnavailable(f"{redacted(url)}: {error}") from None
    try:
        yield database
    except (SQLAlchemyError, OSError) as error:
        raise DatabaseUnavailable(f"{redacted(url)}: {getattr(error, 'orig', None) or error}") from None
    finally:
        database.close()


def check(url: str) -> CheckReport:
    """What the database is and who uses it; never changes it (works on an older or a newer schema too)."""
    with _unmigrated(url, create=False) as database:
        revision = current_revision(database.engine)
        head = _head()
        if revision is None:
            schema = "empty"
        elif revision not in known_revisions():
            schema = "newer"
        else:
            schema = "current" if revision in head_revisions() else "older"
        with database.engine.connect() as connection:
            kind, version = admin.server_version(connection)
            extensions = admin.extensions(connection)
            has_tables = schema in ("current", "older")
            search = keyword_index(connection) if has_tables else ""
            plan = admin.keyword_plan(connection) if has_tables else None
            # (A schema older than 0006_link_leases has no lease table yet.)
            leases = admin.lease_owners(connection) if has_tables and inspect(connection).has_table("link_leases") else []
            if connection.dialect.name == "postgresql" or leases:
                desktops = admin.connected_desktops(connection)
            else:
                desktops = []
        return CheckReport(redacted(url), kind, version, revision, head, schema, extensions, search, desktops, leases,
                           plan)


@dataclass(frozen=True)
class UpgradeReport:
    url: str
    from_revision: str | None
    to_revision: str | None
    keyword_search: str
    keyword_reason: str = ""  # why pg_trgm could not be used (the server's words)
    day_index_reason: str = ""  # PostgreSQL: why the (day, text) keyword index of 0019 could not be made (btree_gin)


def upgrade(url: str) -> UpgradeReport:
    """Run the migrations to head (refusing a schema newer than the app); on PostgreSQL also create the
    pg_trgm keyword index if the extension can be had now."""
    with _unmigrated(url, create=True) as database:
        refuse_newer_schema(database.engine, url)
        before = current_revision(database.engine)
        migrate(database.engine)
        after = current_revision(database.engine)
        search, reason = ensure_trigram_index(database.engine)
        day_reason = ensure_day_trigram_index(database.engine)[1] if search == "pg_trgm" else ""
        return UpgradeReport(redacted(url), before, after, search, reason, day_reason)


@dataclass(frozen=True)
class TableCopy:
    table: str
    source_rows: int
    target_rows: int


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    tables: list[TableCopy]
    not_copied: tuple[str, ...] = tuple(sorted(NOT_COPIED))


def copied_tables() -> list[Table]:
    """Every table of the models, parents before children (foreign keys), less the runtime state."""
    return [table for table in Base.metadata.sorted_tables if table.name not in NOT_COPIED]


def _same_database(first: str, second: str) -> bool:
    a, b = make_url(first), make_url(second)
    if a.get_backend_name() == b.get_backend_name() == "sqlite":
        return bool(a.database and b.database and Path(a.database).resolve() == Path(b.database).resolve())
    return a.render_as_string(hide_password=True) == b.render_as_string(hide_password=True)


def copy_database(
    source_url: str,
    target_url: str,
    *,
    replace: bool = False,
    batch: int = 5000,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every row of the source database into the target (any SQLAlchemy URL, e.g. PostgreSQL).

    The target's schema is made by the migrations (so it is at the app's head and stamped); the source is read
    in one transaction (a consistent snapshot) and written in one, in batches, parents before children; the
    row counts of both are compared at the end. Secrets are not in the database (they live in the OS keyring),
    so none is copied. A target holding any row is refused unless ``replace``, which deletes its rows first.
    """
    if _same_database(source_url, target_url):
        raise ProblemsError([Problem("db_same_database", "", {"value": redacted(target_url)})])
    source = Database.open(url=source_url)
    try:
        target = Database.open(url=target_url)
        try:
            return _copy(source, target, replace, batch, progress)
        except SQLAlchemyError as error:  # e.g. the server went away mid-copy: the target kept nothing of it
            raise DatabaseUnavailable(f"{redacted(target_url)}: {getattr(error, 'orig', None) or error}") from None
        finally:
            target.close()
    finally:
        source.close()


def _copy(
    source: Database, target: Database, replace: bool, batch: int, progress: Callable[[str, int], None] | None
) -> CopyReport:
    tables = copied_tables()
    counts: list[TableCopy] = []
    with source.engine.connect() as reader, target.engine.begin() as writer:
        # The reader's first query begins its transaction: every table is read from one snapshot.
        occupied = [table.name for table in tables
                    if writer.scalar(select(func.count()).select_from(select(1).select_from(table).limit(1).subquery()))]
        if occupied and not replace:
            raise ProblemsError([Problem("db_target_not_empty", "", {"tables": ", ".join(occupied)})])
        for table in reversed(Base.metadata.sorted_tables):
            writer.execute(delete(table))
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)
            result = reader.execution_options(yield_per=batch).execute(select(table).order_by(*order))
            written = 0
            for rows in result.partitions(batch):
                writer.execute(insert(table), [row._asdict() for row in rows])
                written += len(rows)
                if progress is not None:
                    progress(table.name, written)
            source_rows = int(reader.scalar(select(func.count()).select_from(table)) or 0)
            target_rows = int(writer.scalar(select(func.count()).select_from(table)) or 0)
            counts.append(TableCopy(table.name, source_rows, target_rows))
        mismatched = [f"{c.table} {c.source_rows}→{c.target_rows}" for c in counts if c.source_rows != c.target_rows]
        if mismatched:  # raised inside the write transaction: the target keeps nothing of this copy
            raise ProblemsError([Problem("db_copy_mismatch", "", {"detail": ", ".join(mismatched)})])
        # The history's per-day counts: whatever the deletes and inserts above left, recounted from the jobs.
        rebuild_day_counts(writer)
        if target.engine.dialect.name == "postgresql":
            # Rows came with their ids: move each id sequence past them, or the next insert would collide.
            for table in tables:
                if "id" in table.columns and table.columns["id"].primary_key:
                    writer.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), coalesce(max(id), 1),"
                        f" max(id) IS NOT NULL) FROM {table.name}"
                    )
        reader.rollback()
    return CopyReport(redacted(source.url), redacted(target.url), counts)
