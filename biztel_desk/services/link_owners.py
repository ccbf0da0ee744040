"""Which desktop is linking each setting right now (the window's 「この設定は DESK-A が連携中」).

Read from the link leases (``engine.lease.list_owners``): a lease whose heartbeat is current, held by another
process than this one — another desktop (its host name), or another process on this PC (a headless sync).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from biztel_desk.engine.lease import host_name, list_owners
from biztel_desk.services.faults import database_known
from biztel_desk.store.db import Database

__all__ = ["Database", "LinkOwner", "other_owners", "read_other_owners"]


@dataclass(frozen=True)
class LinkOwner:
    setting: str
    host: str
    pid: int | None
    this_host: bool  # another process on this PC (e.g. biztel-desk sync), not another desktop
    heartbeat_age_s: float | None  # seconds since its last heartbeat, by the database's clock


def other_owners(database: Database) -> dict[str, LinkOwner]:
    """Setting name → the live owner of its lease, for every setting linked by another process than this one."""
    me, pid = host_name(), os.getpid()
    owners = {}
    for info in list_owners(database):
        if info.expired or (info.host == me and info.pid == pid):
            continue
        owners[info.setting] = LinkOwner(info.setting, info.host, info.pid, info.host == me, info.heartbeat_age_s)
    return owners


def read_other_owners(database: Database) -> dict[str, LinkOwner]:
    """``other_owners`` for the window: a database that refuses (busy, gone) is a ``DatabaseRefused``."""
    with database_known():
        return other_owners(database)
