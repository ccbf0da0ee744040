"""Per-setting leases in the database: only one engine at a time steps a link setting (SPEC §1, §10).

Why: several engines may share one database — the window's worker and a headless ``biztel-desk sync`` on one
SQLite file, or several desktops on one PostgreSQL. Jobs in ``sending`` are resolved as abandoned by the next
step; without a lease that step may belong to another live engine whose HTTP call is still in flight, and the
call would be written twice. With it, an engine steps a setting only while it owns the setting's lease:

- acquire (and renew) at the start of every step: one conditional UPDATE — taken when it is ours, expired or
  owned by a dead process on this host — or one INSERT when there is no row yet, in one transaction;
- re-checked (and renewed) in the very transaction that marks a batch ``sending`` or resolves ``sending`` jobs,
  so an engine that lost it never claims anything;
- released (deleted) when the engine closes cleanly.

``owner`` is ``hostname:pid:random``. A lease of a process on this host that no longer exists (a SIGKILLed
sync) is taken at once; a lease of another host is taken only when it expired (``ttl_s``, longer than any
send with its timeouts). Leases use the wall clock, never an engine's injected test clock: they are about
real processes.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from biztel_desk.store.db import Database
from biztel_desk.store.models import LinkLease

DEFAULT_TTL_S = 120.0


def _wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def parse_owner(owner: str) -> tuple[str, int | None]:
    """(hostname, pid) of an owner string; pid None when it cannot be read."""
    host, _, rest = owner.rpartition(":")
    host, _, pid = host.rpartition(":")
    try:
        return host, int(pid)
    except ValueError:
        return host, None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (when in doubt: alive)."""
    if pid <= 0:
        return True
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: existence check only (on POSIX; on Windows os.kill would terminate it)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # PermissionError: it exists, under another user
    return True


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # ERROR_ACCESS_DENIED: it exists, under another user
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _count(result: Any) -> int:
    """Rows an UPDATE/INSERT touched (CursorResult.rowcount; the ORM types it as a plain Result)."""
    return int(getattr(result, "rowcount", 0) or 0)


class LeaseLost(Exception):
    """The engine no longer owns the setting's lease: it must not claim or resolve anything."""


class Leases:
    """The leases one engine holds (one owner string per engine instance)."""

    def __init__(self, database: Database, *, ttl_s: float = DEFAULT_TTL_S, owner: str | None = None,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.database = database
        self.ttl_s = ttl_s
        self.owner = owner or new_owner()
        self.clock = clock or _wall_clock
        self._host = socket.gethostname()

    def acquire(self, setting_id: int) -> str | None:
        """Take or renew the lease of a setting. None when taken; else the owner holding it."""
        now = self.clock()
        expires = now + dt.timedelta(seconds=self.ttl_s)
        with self.database.begin() as session:
            taken = _count(session.execute(
                update(LinkLease)
                .where(LinkLease.setting_id == setting_id,
                       (LinkLease.owner == self.owner) | (LinkLease.expires_at < now))
                .values(owner=self.owner, expires_at=expires)
                .execution_options(synchronize_session=False)
            ))
            if taken:
                return None
            holder = session.scalar(select(LinkLease.owner).where(LinkLease.setting_id == setting_id))
            if holder is None:
                return None if self._insert(session, setting_id, expires) else self._holder(session, setting_id)
            host, pid = parse_owner(holder)
            if host != self._host or pid is None or pid_alive(pid):
                return holder
            # Its process is gone (a killed sync on this machine): take over at once, if nobody else just did.
            taken = _count(session.execute(
                update(LinkLease)
                .where(LinkLease.setting_id == setting_id, LinkLease.owner == holder)
                .values(owner=self.owner, expires_at=expires)
                .execution_options(synchronize_session=False)
            ))
            return None if taken else self._holder(session, setting_id)

    def hold(self, session: Session, setting_id: int) -> None:
        """Inside a write transaction: renew the lease, or raise LeaseLost when it is no longer ours.

        The UPDATE locks the lease row until the transaction ends (PostgreSQL; SQLite locks the whole database
        with BEGIN IMMEDIATE), so no other engine can take the lease between this check and the commit.
        """
        now = self.clock()
        renewed = _count(session.execute(
            update(LinkLease)
            .where(LinkLease.setting_id == setting_id, LinkLease.owner == self.owner)
            .values(expires_at=now + dt.timedelta(seconds=self.ttl_s))
            .execution_options(synchronize_session=False)
        ))
        if not renewed:
            raise LeaseLost(setting_id)

    def release_all(self) -> None:
        """Give back every lease of this owner (a clean stop): another engine may take over at once."""
        with self.database.begin() as session:
            session.execute(delete(LinkLease).where(LinkLease.owner == self.owner))

    def _insert(self, session: Session, setting_id: int, expires: dt.datetime) -> bool:
        values = {"setting_id": setting_id, "owner": self.owner, "expires_at": expires}
        # INSERT … ON CONFLICT DO NOTHING: two engines inserting at once, one wins, neither fails.
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        return bool(_count(session.execute(insert(LinkLease).values(**values).on_conflict_do_nothing())))

    @staticmethod
    def _holder(session: Session, setting_id: int) -> str:
        return session.scalar(select(LinkLease.owner).where(LinkLease.setting_id == setting_id)) or "?"
