"""Which desktop is linking each setting right now (the window's 「この設定は DESK-A が連携中」), and the background
service of this PC that the window is the console of.

Read from the link leases (``engine.lease.list_owners``): a lease whose heartbeat is current, held by another
process than this one — another desktop (its host name), or another process on this PC (a headless sync, or the
background service that ``biztel-desk service install`` registers).

The service (``biztel-desk sync --service``) keeps a heartbeat row with its worker's state
(``engine.lease.ServiceBeacon``): ``LinkView.service`` is that of this PC while it beats. The window then starts no
worker of its own, shows the service's state, and its 開始 / 休止 / 停止 write commands the service picks up
within a second (``command_service``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from biztel_desk.engine.lease import SERVICE, host_name, list_owners, list_services, send_command
from biztel_desk.services.faults import database_known
from biztel_desk.store.db import Database

__all__ = ["Database", "LinkOwner", "LinkView", "ServiceState", "command_service", "other_owners",
           "read_link_view", "read_other_owners"]


@dataclass(frozen=True)
class LinkOwner:
    setting: str
    host: str
    pid: int | None
    this_host: bool  # another process on this PC (e.g. biztel-desk sync), not another desktop
    heartbeat_age_s: float | None  # seconds since its last heartbeat, by the database's clock
    service: bool = False  # the background service of this PC


@dataclass(frozen=True)
class ServiceState:
    """The background service of this PC while its heartbeat is current."""

    owner: str  # whom ``command_service`` addresses
    pid: int
    state: str  # engine.worker.WorkerState values: running / paused / waiting_for_limit / error / stopped
    message: str  # its worker's last message (the error, when state is error)
    heartbeat_age_s: float
    command: str | None  # asked, not picked up yet


@dataclass(frozen=True)
class LinkView:
    owners: dict[str, LinkOwner]
    service: ServiceState | None


def other_owners(database: Database) -> dict[str, LinkOwner]:
    """Setting name → the live owner of its lease, for every setting linked by another process than this one."""
    return _owners(database, set())


def _owners(database: Database, services: set[tuple[str, int]]) -> dict[str, LinkOwner]:
    me, pid = host_name(), os.getpid()
    owners = {}
    for info in list_owners(database):
        if info.expired or (info.host == me and info.pid == pid):
            continue
        owners[info.setting] = LinkOwner(info.setting, info.host, info.pid, info.host == me, info.heartbeat_age_s,
                                         (info.host, info.pid or -1) in services)
    return owners


def link_view(database: Database) -> LinkView:
    """The other owners of the leases, and this PC's background service (the newest live one) if it runs."""
    me, pid = host_name(), os.getpid()
    live = [s for s in list_services(database) if not s.expired and s.kind == SERVICE and s.host == me and s.pid != pid]
    service = None
    if live:
        info = live[-1]
        service = ServiceState(info.owner, info.pid, info.state, info.message, info.heartbeat_age_s, info.command)
    return LinkView(_owners(database, {(me, s.pid) for s in live}), service)


def read_other_owners(database: Database) -> dict[str, LinkOwner]:
    """``other_owners`` for the window: a database that refuses (busy, gone) is a ``DatabaseRefused``."""
    with database_known():
        return other_owners(database)


def read_link_view(database: Database) -> LinkView:
    """``link_view`` for the window: a database that refuses (busy, gone) is a ``DatabaseRefused``."""
    with database_known():
        return link_view(database)


def command_service(database: Database, owner: str, command: str) -> bool:
    """開始 (``run``) / 休止 (``pause``) / 停止 (``stop``) / 今すぐ再試行 (``send_now``) for the service
    ``owner``; False when it is gone."""
    with database_known():
        return send_command(database, owner, command)



def send_now_refusal(service: ServiceState) -> str | None:
    """今すぐ再試行 while the service links: why its worker would not send at once, as ``LinkWorker.send_now``
    answers (``"paused"``, ``"limit"``), or None — then the window asks it (``command_service(…, "send_now")``)."""
    return {"paused": "paused", "waiting_for_limit": "limit"}.get(service.state)
