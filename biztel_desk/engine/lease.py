"""Per-setting leases in the database: only one engine at a time steps a link setting (SPEC §1, §10).

Why: several engines may share one database — the window's worker and a headless ``biztel-desk sync`` on one
SQLite file, or several desktops on one PostgreSQL. Jobs in ``sending`` are resolved as abandoned by the next
step; without a lease that step may belong to another live engine whose HTTP call is still in flight, and the
call would be written twice. With it, an engine steps a setting only while it owns the setting's lease.

The lease row (``link_leases``) holds the owner (``hostname:pid:random``), a fencing token (incremented at each
takeover), and times stamped with the DATABASE's clock (``clock_timestamp()`` on PostgreSQL, SQLite's own
clock): when it was taken, the last heartbeat, and when it expires (``ttl_s``, 15 s). No decision depends on a
desktop's wall clock, so neither skew between PCs nor a clock jump hands a live owner's lease to another.

- **Heartbeat.** A thread renews every held lease every ``ttl_s / 3`` — independent of how long a send takes
  (a step may send for minutes). The engine writes to Salesforce only while its lease is *valid*: the last
  successful heartbeat started less than ``ttl_s`` ago on this process's monotonic clock, and none failed.
- **PostgreSQL: a session-level advisory lock** (``pg_try_advisory_lock``) on a dedicated connection is the
  ownership itself. The server releases it when the owner's connection dies (a SIGKILL, a pulled cable, a
  ``pg_terminate_backend``), so another desktop takes over at its next try — within seconds. The heartbeat runs
  on that connection: its success proves the lock is still held.
- **SQLite (one machine): the row.** A lease of a process on this host that no longer exists is taken at once;
  of a live process on this host, never. A lease of another host (an injected ``BIZTEL_DESK_HOSTNAME``) is taken
  when its heartbeat has not moved for ``ttl_s`` as measured by the taker's monotonic clock — not when its
  ``expires_at`` passed: SQLite's clock is each process's own, and a clock jump makes rows look expired; it
  cannot make a live owner stop beating.
- **Fencing.** Claiming a batch, resolving ``sending`` jobs and recording a send's results happen in
  transactions that first check (and renew) ``owner`` + ``token`` on the row (``hold``): an engine that lost the
  lease never writes to the database, and it checks its lease before every write request to Salesforce.
- **In-flight sends of a previous owner.** An owner that lost its lease may still be inside one HTTP request.
  After taking a lease over from an owner that did not release it, the new owner sends new work at once but
  resolves the jobs left in ``sending`` only after the old owner's last request has surely ended
  (``may_resolve``): ``ttl_s + max_send_s`` later on PostgreSQL, ``max_send_s`` on SQLite, at once when the old
  owner's process is known to be gone (this host).
- **Release.** A clean stop deletes the rows and releases the locks: another engine may take over at once.

``list_owners`` reads every lease (owner, host, pid, token, times, the database's clock) for the window and
``biztel-desk db check``.

**Service heartbeats.** A long-running ``biztel-desk sync`` also keeps one ``service_heartbeats`` row
(``ServiceBeacon``): its kind (``service`` when the OS service started it, else ``sync``), host, pid, its worker's
state and message, renewed every ``ttl_s / 3`` and at each state change. Leases exist only for the settings being
stepped; this row says that the process runs at all, so the window of the same PC can be its console
(``list_services``), and it carries the window's ``command`` (run / pause / stop), read every second.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from biztel_desk.store.db import Database
from biztel_desk.store.models import LinkLease, LinkSetting, ServiceHeartbeat

log = logging.getLogger(__name__)

DEFAULT_TTL_S = 15.0
DEFAULT_MAX_SEND_S = 90.0  # the longest one write request may take: its timeouts plus one re-login
HOSTNAME_ENV = "BIZTEL_DESK_HOSTNAME"  # this desktop's name in leases (default: the OS host name)
ADVISORY_CLASS = 0x4254  # first key of pg_try_advisory_lock(int, int); the second is the setting id


def host_name() -> str:
    return os.environ.get(HOSTNAME_ENV) or socket.gethostname()


def new_owner() -> str:
    return f"{host_name()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


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


def db_now(session: Session | Connection) -> dt.datetime:
    """The database's clock (UTC): what every lease time is stamped and compared with."""
    dialect = session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name
    if dialect == "postgresql":
        value = session.execute(text("SELECT clock_timestamp()")).scalar_one()
        return value.astimezone(dt.UTC)
    if dialect == "sqlite":
        raw = session.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
        return dt.datetime.strptime(raw, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.UTC)
    value = session.execute(text("SELECT UTC_TIMESTAMP(6)")).scalar_one()  # MariaDB / MySQL
    return value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class LeaseInfo:
    """One setting's lease as the database has it (for the window and ``biztel-desk db check``)."""

    setting_id: int
    setting: str
    owner: str  # hostname:pid:random of the engine holding it
    host: str
    pid: int | None
    token: int  # the fencing token: +1 at each takeover
    acquired_at: dt.datetime | None  # all times: the database's clock, UTC
    heartbeat_at: dt.datetime | None
    expires_at: dt.datetime
    db_now: dt.datetime  # the database's clock when this was read

    @property
    def expired(self) -> bool:
        """The owner stopped renewing (it may still be taken over only as described in the module doc)."""
        return self.expires_at < self.db_now

    @property
    def heartbeat_age_s(self) -> float | None:
        return None if self.heartbeat_at is None else (self.db_now - self.heartbeat_at).total_seconds()


def list_owners(database: Database) -> list[LeaseInfo]:
    """Every setting's lease, by setting name: who links it, since when, its last heartbeat (database clock)."""
    with database.read() as session:
        now = db_now(session)
        rows = session.execute(
            select(LinkLease, LinkSetting.name).join(LinkSetting, LinkSetting.id == LinkLease.setting_id)
            .order_by(LinkSetting.name)
        ).all()
    infos = []
    for lease, name in rows:
        host, pid = parse_owner(lease.owner)
        infos.append(LeaseInfo(lease.setting_id, name, lease.owner, host, pid, lease.token, lease.acquired_at,
                               lease.heartbeat_at, lease.expires_at, now))
    return infos


class LeaseLost(Exception):
    """The engine no longer owns the setting's lease: it must not claim, send, resolve or record anything."""


@dataclass
class _Held:
    token: int
    valid_until: float  # time.monotonic(): no write to Salesforce after this without a newer heartbeat
    resolve_after: float  # time.monotonic(): a previous owner's request may be in flight until then
    lost: bool = False


class Leases:
    """The leases one engine holds (one owner string per engine instance), and their heartbeat thread."""

    def __init__(self, database: Database, *, ttl_s: float = DEFAULT_TTL_S, owner: str | None = None,
                 max_send_s: float = DEFAULT_MAX_SEND_S, heartbeat: bool = True) -> None:
        self.database = database
        self.ttl_s = ttl_s
        self.max_send_s = max_send_s
        self.owner = owner or new_owner()
        self._host = host_name()
        self._postgres = database.engine.dialect.name == "postgresql"
        self._held: dict[int, _Held] = {}
        self._seen: dict[int, tuple[tuple[Any, ...], float]] = {}  # SQLite: another host's row, first seen when
        self._lock = threading.RLock()  # the held map and the PostgreSQL lock connection
        self._connection: Connection | None = None  # PostgreSQL: holds the advisory locks
        self._heartbeat = heartbeat
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- taking -------------------------------------------------------------------------------------------

    def acquire(self, setting_id: int) -> str | None:
        """Take or renew the lease of a setting. None when ours; else the owner holding it ("?" if unknown)."""
        started = time.monotonic()
        if self._postgres and not self._advisory_lock(setting_id):
            with self._lock:
                self._drop(setting_id)
            return self._holder(setting_id)
        with self.database.begin() as session:
            now = db_now(session)
            expires = now + dt.timedelta(seconds=self.ttl_s)
            row = session.scalar(select(LinkLease).where(LinkLease.setting_id == setting_id).with_for_update())
            quarantine = 0.0
            if row is None:
                values = {"setting_id": setting_id, "owner": self.owner, "token": 1, "acquired_at": now,
                          "heartbeat_at": now, "expires_at": expires}
                insert = postgresql.insert if self._postgres else sqlite.insert
                if not _count(session.execute(insert(LinkLease).values(**values).on_conflict_do_nothing())):
                    return self._holder(setting_id)
                token = 1
            elif row.owner == self.owner:
                row.heartbeat_at, row.expires_at = now, expires
                token = row.token
            else:
                quarantine_or_none = self._may_take(row, now, started)
                if quarantine_or_none is None:
                    return row.owner
                quarantine = quarantine_or_none
                log.info("lease of setting %s taken over from %s (token %s)", setting_id, row.owner, row.token + 1)
                row.owner, row.token = self.owner, row.token + 1
                row.acquired_at, row.heartbeat_at, row.expires_at = now, now, expires
                token = row.token
        with self._lock:
            previous = self._held.get(setting_id)
            resolve_after = started + quarantine
            if previous is not None and previous.token == token:
                resolve_after = max(resolve_after, previous.resolve_after)
            self._held[setting_id] = _Held(token, started + self.ttl_s, resolve_after)
            self._seen.pop(setting_id, None)
        self._start_heartbeat()
        return None

    def _may_take(self, row: LinkLease, now: dt.datetime, started: float) -> float | None:
        """Another owner's row: None to keep away, else the seconds its ``sending`` jobs stay untouched."""
        host, pid = parse_owner(row.owner)
        local_and_dead = host == self._host and pid is not None and pid != os.getpid() and not pid_alive(pid)
        if self._postgres:
            # We hold the advisory lock: the owner's connection is gone (dead, cut off, or released uncleanly).
            return 0.0 if local_and_dead else self.ttl_s + self.max_send_s
        if host == self._host and pid is not None:
            return 0.0 if local_and_dead else None  # a live process on this machine is never robbed
        key = (row.owner, row.token, row.heartbeat_at, row.expires_at)
        with self._lock:
            seen = self._seen.get(row.setting_id)
            if seen is None or seen[0] != key:
                self._seen[row.setting_id] = (key, started)
                seen = (key, started)
        if started - seen[1] >= self.ttl_s:  # no heartbeat for a TTL, on our own monotonic clock
            return self.max_send_s
        return None

    def _holder(self, setting_id: int) -> str:
        with self.database.read() as session:
            return session.scalar(select(LinkLease.owner).where(LinkLease.setting_id == setting_id)) or "?"

    # --- PostgreSQL advisory locks ----------------------------------------------------------------------------

    def _advisory_lock(self, setting_id: int) -> bool:
        """Whether our lock connection holds the setting's advisory lock now (taking it when free)."""
        key = {"k": ADVISORY_CLASS, "s": setting_id}
        with self._lock:
            for attempt in (1, 2):  # a connection the server dropped since the last heartbeat: once more, anew
                try:
                    connection = self._lock_connection()
                    # Asked of the server every time, never assumed: the connection may have died since the last
                    # heartbeat, and another desktop may hold the lock (and the row) already.
                    return bool(connection.execute(text(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                        " AND pid = pg_backend_pid() AND classid = :k AND objid = :s AND objsubid = 2)"
                    ), key).scalar()) or bool(connection.execute(text("SELECT pg_try_advisory_lock(:k, :s)"),
                                                                 key).scalar())
                except SQLAlchemyError:
                    log.warning("the lease connection failed (attempt %s)", attempt, exc_info=True)
                    self._close_connection()
            return False

    def _lock_connection(self) -> Connection:
        if self._connection is None or self._connection.closed or self._connection.invalidated:
            self._close_connection()
            self._connection = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    def _close_connection(self) -> None:
        """Give the connection up (its advisory locks go with it); every lease is then lost."""
        connection, self._connection = self._connection, None
        for held in self._held.values():
            held.lost = True
        if connection is not None:
            try:
                connection.invalidate()  # never back to the pool: a pooled connection would keep the locks
                connection.close()
            except SQLAlchemyError:
                pass

    # --- holding ------------------------------------------------------------------------------------------

    def hold(self, session: Session, setting_id: int) -> None:
        """Inside a write transaction: check the fencing token and renew the row, or raise LeaseLost.

        The UPDATE locks the lease row until the transaction ends (PostgreSQL; SQLite locks the whole database
        with BEGIN IMMEDIATE), so no other engine can take the lease between this check and the commit.
        """
        with self._lock:
            held = self._held.get(setting_id)
            if held is None or held.lost:
                raise LeaseLost(setting_id)
            token = held.token
        now = db_now(session)
        renewed = _count(session.execute(
            update(LinkLease)
            .where(LinkLease.setting_id == setting_id, LinkLease.owner == self.owner, LinkLease.token == token)
            .values(heartbeat_at=now, expires_at=now + dt.timedelta(seconds=self.ttl_s))
            .execution_options(synchronize_session=False)
        ))
        if not renewed:
            self._lose(setting_id)
            raise LeaseLost(setting_id)

    def check(self, setting_id: int) -> None:
        """Before a write to Salesforce: raise LeaseLost unless the lease is ours and a heartbeat is recent."""
        with self._lock:
            held = self._held.get(setting_id)
            if held is None or held.lost or time.monotonic() >= held.valid_until:
                raise LeaseLost(setting_id)

    def may_resolve(self, setting_id: int) -> bool:
        """Whether jobs left in ``sending`` may be looked up now (no previous owner can still be sending them)."""
        with self._lock:
            held = self._held.get(setting_id)
            return held is not None and time.monotonic() >= held.resolve_after

    def _lose(self, setting_id: int) -> None:
        with self._lock:
            held = self._held.get(setting_id)
            if held is not None:
                held.lost = True

    def _drop(self, setting_id: int) -> None:
        self._held.pop(setting_id, None)

    # --- the heartbeat ----------------------------------------------------------------------------------------

    def _start_heartbeat(self) -> None:
        if not self._heartbeat or (self._thread is not None and self._thread.is_alive()):
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat_forever, name="lease-heartbeat", daemon=True)
        self._thread.start()

    def _beat_forever(self) -> None:
        while not self._stop.wait(self.ttl_s / 3):
            self.beat()

    def beat(self) -> None:
        """Renew every held lease once (the heartbeat thread calls this every ttl_s / 3)."""
        with self._lock:
            held = {sid: h.token for sid, h in self._held.items() if not h.lost}
        for setting_id, token in held.items():
            started = time.monotonic()
            try:
                renewed = self._renew(setting_id, token)
            except SQLAlchemyError:
                log.warning("lease heartbeat failed: the lease of setting %s is given up", setting_id, exc_info=True)
                with self._lock:
                    if self._postgres:
                        self._close_connection()
                    self._lose(setting_id)
                continue
            with self._lock:
                current = self._held.get(setting_id)
                if current is None or current.token != token:
                    continue
                if renewed:
                    current.valid_until = max(current.valid_until, started + self.ttl_s)
                else:
                    current.lost = True

    def _renew(self, setting_id: int, token: int) -> bool:
        statement = (
            update(LinkLease)
            .where(LinkLease.setting_id == setting_id, LinkLease.owner == self.owner, LinkLease.token == token)
            .execution_options(synchronize_session=False)
        )
        if self._postgres:
            # On the connection holding the advisory lock: a success proves the lock is still ours.
            with self._lock:
                if self._connection is None:
                    return False
                now = db_now(self._connection)
                result = self._connection.execute(
                    statement.values(heartbeat_at=now, expires_at=now + dt.timedelta(seconds=self.ttl_s)))
                return bool(_count(result))
        with self.database.begin() as session:
            now = db_now(session)
            return bool(_count(session.execute(
                statement.values(heartbeat_at=now, expires_at=now + dt.timedelta(seconds=self.ttl_s)))))

    # --- giving back ----------------------------------------------------------------------------------------

    def release_all(self) -> None:
        """Give back every lease of this owner (a clean stop): another engine may take over at once."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)
        try:
            with self.database.begin() as session:
                session.execute(delete(LinkLease).where(LinkLease.owner == self.owner))
        finally:
            with self._lock:
                self._held.clear()
                if self._connection is not None:
                    try:
                        self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
                    except SQLAlchemyError:
                        pass
                    self._close_connection()


# --- service heartbeats -----------------------------------------------------------------------------------------

SERVICE, SYNC = "service", "sync"  # ServiceHeartbeat.kind: started by the OS service, or by hand
COMMANDS = ("run", "pause", "stop", "send_now")  # what the window may ask of a running sync
BEACON_POLL_S = 1.0  # a command is picked up within this


@dataclass(frozen=True)
class ServiceInfo:
    """One running ``biztel-desk sync`` as its heartbeat row has it (times: the database's clock, UTC)."""

    owner: str
    kind: str  # SERVICE | SYNC
    host: str
    pid: int
    data_dir: str
    state: str  # the worker's state (engine.worker.WorkerState values)
    message: str
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    expires_at: dt.datetime
    command: str | None  # asked by a window, not picked up yet
    db_now: dt.datetime

    @property
    def expired(self) -> bool:
        """The process stopped beating (ended, killed, or cut off from the database)."""
        return self.expires_at < self.db_now

    @property
    def heartbeat_age_s(self) -> float:
        return (self.db_now - self.heartbeat_at).total_seconds()


def list_services(database: Database) -> list[ServiceInfo]:
    """Every ``biztel-desk sync`` heartbeat row, live or expired, oldest first."""
    with database.read() as session:
        now = db_now(session)
        rows = session.scalars(select(ServiceHeartbeat).order_by(ServiceHeartbeat.started_at)).all()
        return [ServiceInfo(r.owner, r.kind, r.host, r.pid, r.data_dir, r.state, r.message, r.started_at,
                            r.heartbeat_at, r.expires_at, r.command, now) for r in rows]


def send_command(database: Database, owner: str, command: str) -> bool:
    """Ask the running sync ``owner`` to ``run`` / ``pause`` / ``stop``; False when its row is gone."""
    if command not in COMMANDS:
        raise ValueError(command)
    with database.begin() as session:
        return bool(_count(session.execute(
            update(ServiceHeartbeat).where(ServiceHeartbeat.owner == owner).values(command=command)
            .execution_options(synchronize_session=False))))


class ServiceBeacon:
    """The heartbeat row of one running ``biztel-desk sync``; see the module docstring.

    ``update(state, message)`` (any thread) records the worker's state; the beacon's thread writes it at once (at
    most every ``poll_s``) and renews the row every ``ttl_s / 3``; it reads the row's ``command`` every ``poll_s``
    and hands it to ``on_command`` (on the beacon's thread) after clearing it. ``stop()`` deletes the row.
    A database that refuses a beat (a lock) is tried again at the next one.
    """

    def __init__(self, database: Database, kind: str, on_command: Callable[[str], None], *, data_dir: str = "",
                 ttl_s: float = DEFAULT_TTL_S, poll_s: float = BEACON_POLL_S) -> None:
        self.database = database
        self.kind = kind
        self.on_command = on_command
        self.data_dir = data_dir
        self.ttl_s = ttl_s
        self.poll_s = poll_s
        self.owner = new_owner()
        self._lock = threading.Lock()
        self._state, self._message = "stopped", ""
        self._dirty = True
        self._written_at = 0.0  # time.monotonic() of the last write; 0: the row is not there yet
        self._stop = threading.Event()
        self._changed = threading.Event()
        self._thread: threading.Thread | None = None

    def update(self, state: str, message: str) -> None:
        with self._lock:
            if (state, message) == (self._state, self._message):
                return
            self._state, self._message, self._dirty = state, message[:2000], True
        self._changed.set()

    def start(self) -> None:
        self._beat()  # the row exists before start() returns: a window opened next sees the service
        self._thread = threading.Thread(target=self._run, name="service-beacon", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._changed.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)
        try:
            with self.database.begin() as session:
                session.execute(delete(ServiceHeartbeat).where(ServiceHeartbeat.owner == self.owner))
        except SQLAlchemyError:
            log.warning("could not remove the service heartbeat (it expires by itself)", exc_info=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._changed.wait(self.poll_s)
            self._changed.clear()
            if self._stop.is_set():
                break
            try:
                self._beat()
                command = self._take_command()
            except SQLAlchemyError:
                log.warning("service heartbeat failed; trying again", exc_info=True)
                continue
            if command is not None:
                log.info("command from the window: %s", command)
                self.on_command(command)

    def _beat(self) -> None:
        with self._lock:
            due = self._dirty or time.monotonic() - self._written_at >= self.ttl_s / 3
            state, message = self._state, self._message
            self._dirty = False
        if not due:
            return
        try:
            with self.database.begin() as session:
                now = db_now(session)
                values = {"state": state, "message": message, "heartbeat_at": now,
                          "expires_at": now + dt.timedelta(seconds=self.ttl_s)}
                updated = _count(session.execute(update(ServiceHeartbeat).where(ServiceHeartbeat.owner == self.owner)
                                                 .values(**values).execution_options(synchronize_session=False)))
                if not updated:
                    self._forget_dead(session)
                    session.add(ServiceHeartbeat(owner=self.owner, kind=self.kind, host=host_name(), pid=os.getpid(),
                                                 data_dir=self.data_dir, started_at=now, command=None, **values))
        except SQLAlchemyError:
            with self._lock:
                self._dirty = True
            raise
        self._written_at = time.monotonic()

    def _forget_dead(self, session: Session) -> None:
        """Rows of processes of this host that are gone (a crash, a kill): nobody else removes them."""
        me = host_name()
        for row in session.scalars(select(ServiceHeartbeat).where(ServiceHeartbeat.host == me)).all():
            if row.pid != os.getpid() and not pid_alive(row.pid):
                session.delete(row)

    def _take_command(self) -> str | None:
        with self.database.read() as session:
            command = session.scalar(select(ServiceHeartbeat.command).where(ServiceHeartbeat.owner == self.owner))
        if not command:
            return None
        with self.database.begin() as session:
            session.execute(update(ServiceHeartbeat)
                            .where(ServiceHeartbeat.owner == self.owner, ServiceHeartbeat.command == command)
                            .values(command=None).execution_options(synchronize_session=False))
        return command if command in COMMANDS else None
