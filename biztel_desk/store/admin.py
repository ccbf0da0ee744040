"""What the database says about itself (``biztel-desk db check``): server, extensions, desktops, lease owners."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, select

from biztel_desk.store.history import (
    DAY_TRIGRAM_INDEX,
    HEAD_TRIGRAM_INDEX,
    PG_CALL_DAY,
    PG_SEARCH_BODY,
    TRIGRAM_INDEX,
    party_counts,
)
from biztel_desk.store.models import LinkLease, LinkSetting, utcnow

APPLICATION_PREFIX = "biztel-desk "  # store.db.application_name: PostgreSQL connections are "biztel-desk HOST:PID"


@dataclass(frozen=True)
class Desktop:
    """One desktop (host) using the database now: its connections on PostgreSQL, its leases on SQLite."""

    host: str
    connections: int
    since: dt.datetime | None
    last_activity: dt.datetime | None
    address: str = ""


@dataclass(frozen=True)
class LeaseOwner:
    """Who steps a link setting now (the ``link_leases`` row); ``expired`` by the database's clock."""

    setting: str
    owner: str
    expires_at: dt.datetime
    expired: bool

    @property
    def host(self) -> str:
        return self.owner.split(":", 1)[0]


def server_version(connection: Connection) -> tuple[str, str]:
    """(kind, version): ``("PostgreSQL", "15.4 …")`` or ``("SQLite", "3.40.1")``."""
    name = connection.dialect.name
    if name == "postgresql":
        return "PostgreSQL", str(connection.exec_driver_sql("SHOW server_version").scalar())
    if name == "sqlite":
        return "SQLite", str(connection.exec_driver_sql("SELECT sqlite_version()").scalar())
    return name, str(connection.dialect.server_version_info or "")


def extensions(connection: Connection) -> dict[str, str]:
    """PostgreSQL: installed extensions and versions, plus ``pg_trgm`` as ``available`` when it could be created."""
    if connection.dialect.name != "postgresql":
        return {}
    found = {str(name): str(version) for name, version in connection.exec_driver_sql(
        "SELECT extname, extversion FROM pg_extension ORDER BY extname")}
    if "pg_trgm" not in found and connection.exec_driver_sql(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first():
        found["pg_trgm"] = "available"
    return found


def database_now(connection: Connection) -> dt.datetime:
    if connection.dialect.name == "postgresql":
        value = connection.exec_driver_sql("SELECT now()").scalar()
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC)
    return utcnow()


def lease_owners(connection: Connection) -> list[LeaseOwner]:
    """Every lease row with its setting's name. The one place reading ``link_leases`` for reports (keep small:
    the lease table's shape may change with the engine)."""
    now = database_now(connection)
    query = (select(LinkSetting.name, LinkLease.owner, LinkLease.expires_at)
             .join(LinkSetting, LinkSetting.id == LinkLease.setting_id).order_by(LinkSetting.name))
    return [LeaseOwner(str(name), str(owner), expires, expires <= now)
            for name, owner, expires in connection.execute(query)]


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return min((t for t in (a, b) if t is not None), default=None)


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return max((t for t in (a, b) if t is not None), default=None)


def connected_desktops(connection: Connection) -> list[Desktop]:
    """PostgreSQL: the app's sessions in pg_stat_activity by host; SQLite: the hosts holding a live lease."""
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT application_name, count(*), min(backend_start), max(state_change),"
            " coalesce(host(min(client_addr)), 'local') FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name LIKE %(prefix)s"
            " AND pid <> pg_backend_pid() GROUP BY application_name ORDER BY application_name",
            {"prefix": APPLICATION_PREFIX + "%"},
        )
        by_host: dict[str, Desktop] = {}
        for name, count, since, last, address in rows:
            host = str(name).removeprefix(APPLICATION_PREFIX).rpartition(":")[0] or str(name)
            seen = by_host.get(host)
            if seen is None:
                by_host[host] = Desktop(host, int(count), since, last, str(address))
            else:  # several processes (window, sync) of one desktop: one line
                by_host[host] = Desktop(host, seen.connections + int(count), _earliest(seen.since, since),
                                        _latest(seen.last_activity, last), seen.address)
        return [by_host[host] for host in sorted(by_host)]
    hosts: dict[str, int] = {}
    for lease in lease_owners(connection):
        if not lease.expired:
            hosts[lease.host] = hosts.get(lease.host, 0) + 1
    return [Desktop(host, count, None, None) for host, count in sorted(hosts.items())]


# --- how the history keyword search runs (``db check``) -------------------------------------------------------------

FTS_TABLE = "call_search"  # SQLite: migration 0004's FTS5 trigram table
PLAN_KEYWORD = "0901"  # a representative keyword (part of a phone number) for the EXPLAIN of db check
_PLAN_INDEX = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:using|on) (\S+)")


@dataclass(frozen=True)
class KeywordPlan:
    """How the history keyword (絞り込み) search runs on this database, and whether the planner uses its index.

    ``index`` is the keyword index present: ``ix_calls_search_day_trgm`` (migration 0021: day + text),
    ``ix_calls_search_trgm`` (0008: text), ``call_search`` (SQLite FTS5), or ``""`` (none: a LIKE scan).
    ``planned`` is the index the planner chose for a keyword over one day as the history spells it (``""``: it
    reads the table); ``usable`` the index it chose with table and plain index scans priced out (``""``: it cannot
    use one). ``missing`` the extensions the keyword indexes need that are not installed (PostgreSQL).
    ``party_counts``: migration 0022's per-day counts of the agents and extensions are there, so a keyword's count
    reads them instead of every matching call (PostgreSQL).
    """

    index: str
    planned: str
    usable: str
    missing: tuple[str, ...] = ()
    calls: int = -1  # the planner's estimate of the calls rows (-1: not analysed yet)
    party_counts: bool = False


def _indexes_in(plan: list[str]) -> list[str]:
    return [match.group(1) for line in plan for match in _PLAN_INDEX.finditer(line)]


def keyword_plan(connection: Connection) -> KeywordPlan:
    """The keyword index present and the planner's use of it, by EXPLAIN (the query is not run); changes nothing.

    The query is the history's for a keyword over one day (store.history.SqlHistorySource._keyword_condition):
    the same indexed expressions, the day list only where the (day, text) index exists.
    """
    if connection.dialect.name == "sqlite":
        if not inspect(connection).has_table(FTS_TABLE):
            return KeywordPlan("", "", "")
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH '\"{PLAN_KEYWORD}\"'")
        used = FTS_TABLE if any("VIRTUAL TABLE" in str(row[-1]) for row in rows) else ""
        return KeywordPlan(FTS_TABLE, used, used)
    if connection.dialect.name != "postgresql":
        return KeywordPlan("", "", "")
    installed = {str(name) for (name,) in connection.exec_driver_sql(
        "SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'btree_gin')")}
    missing = tuple(name for name in ("pg_trgm", "btree_gin") if name not in installed)
    present = {str(name) for (name,) in connection.exec_driver_sql(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'calls' AND indexname IN (%(day)s, %(text)s)",
        {"day": DAY_TRIGRAM_INDEX, "text": TRIGRAM_INDEX})}
    index = next((name for name in (DAY_TRIGRAM_INDEX, TRIGRAM_INDEX) if name in present), "")
    calls = connection.exec_driver_sql(
        "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('calls')").scalar()
    day = database_now(connection).date().isoformat()
    # Our own constants only: safe to inline (%% is the driver's escape of %).
    where = f"({PG_SEARCH_BODY}) ILIKE '%%{PLAN_KEYWORD}%%'"
    if index == DAY_TRIGRAM_INDEX:
        where += f" AND {PG_CALL_DAY} = ANY('{{{day}}}'::date[])"
    query = f"EXPLAIN SELECT calls.id FROM calls WHERE {where}"
    planned = _indexes_in([str(row[0]) for row in connection.exec_driver_sql(query)])
    savepoint = connection.begin_nested()  # rolled back: SET LOCAL ends with it
    try:
        # Priced out, not forbidden: the plan the planner takes on a table too big to read in full.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
        usable = _indexes_in([str(row[0]) for row in connection.exec_driver_sql(query)])
    finally:
        savepoint.rollback()
    keyword = {DAY_TRIGRAM_INDEX, TRIGRAM_INDEX, HEAD_TRIGRAM_INDEX}
    return KeywordPlan(
        index,
        next((name for name in planned if name in keyword), ""),
        next((name for name in usable if name in keyword), ""),
        missing,
        int(calls if calls is not None else -1),
        party_counts(connection),
    )
