"""What the database says about itself (``biztel-desk db check``): server, extensions, desktops, lease owners."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

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
