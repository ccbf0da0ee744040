"""What runs while the window or ``biztel-desk sync`` runs: the link worker, the call sources and housekeeping.

One ``LinkRuntime`` per open profile, shared by the window (the composition root builds it, the window's
WorkerController drives its worker) and ``biztel-desk sync``. It owns:

- the ``LinkWorker`` thread (the engine's own thread; the window starts, pauses and stops it through signals);
- the call sources (``services.ingest_sources.IngestSources``: the watched folder and the HTTP endpoint), started
  on the runtime's own thread so that importing the ingest modules (≈ 80 ms) never delays the window, and each
  call they add wakes the worker;
- housekeeping (``services.housekeeping.Housekeeper``: the retention purge at start-up and daily).

- with ``beacon`` (``biztel-desk sync``): the process's heartbeat row (``engine.lease.ServiceBeacon``) with the
  worker's state, which the window on this PC shows as the service's state; the window's 開始 / 休止 / 停止
  arrive through it as commands (``run`` resumes the worker, ``pause`` pauses it, ``stop`` sets
  ``stop_requested``: the sync process ends as after SIGTERM). Each setting's 録音連携ステータス is re-read by the
  worker at every round, so 有効 / 一時停止 / 無効 set in the window take effect within a second or so.

``stop()`` ends them in the order the database needs: the sources first (no call may arrive once the database
closes), then the worker (stopped and joined: the batch in flight is finished and recorded), then housekeeping.
The owner closes the database after ``stop()`` returns.

The worker's types are re-exported here so that ``ui/`` and ``cli/`` reach the engine only through services.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from biztel_desk.engine.lease import SERVICE, SYNC, ServiceBeacon
from biztel_desk.engine.worker import LinkWorker, RunSummary, WorkerCounters, WorkerState, WorkerStatus
from biztel_desk.services.context import AppContext
from biztel_desk.services.housekeeping import Housekeeper
from biztel_desk.store.retention import PurgeResult

if TYPE_CHECKING:
    from biztel_desk.engine.linker import EngineOptions
    from biztel_desk.services.ingest_sources import IngestSources, IngestStatus

__all__ = [
    "SERVICE",
    "SYNC",
    "LinkRuntime",
    "LinkWorker",
    "RunSummary",
    "RuntimeStatus",
    "WorkerCounters",
    "WorkerState",
    "WorkerStatus",
    "engine_options",
    "is_login_failure",
]

log = logging.getLogger(__name__)
SOURCES_START_TIMEOUT_S = 30.0  # starting the sources takes milliseconds; a wait this long means a stuck start


def engine_options(*, timeout_s: float, use_index: bool, batch_size: int,
                   server_write_limit_s: float | None = None) -> EngineOptions:
    """The link engine's options for ``biztel-desk sync`` (the window uses the defaults).

    Imported when called: the engine's module loads the Salesforce client, which the window's start must not wait for.
    """
    from biztel_desk.engine.linker import EngineOptions

    options = EngineOptions(timeout_s=timeout_s, use_index=use_index, batch_size=batch_size)
    if server_write_limit_s is not None:
        options = replace(options, server_write_limit_s=server_write_limit_s)
    return options


def is_login_failure(error: BaseException) -> bool:
    """Whether a step's error is Salesforce refusing the login (the account must sign in again), not a fault."""
    from biztel_desk.salesforce.errors import AuthError

    return isinstance(error, AuthError)


@dataclass(frozen=True)
class RuntimeStatus:
    """The runtime at one moment, as plain data (safe to hand to any thread)."""

    worker: WorkerStatus
    worker_running: bool
    sources: IngestStatus | None  # None: this runtime runs no sources, or they have not started (yet) or stopped
    last_purge: PurgeResult | None
    stopped: bool


class LinkRuntime:
    """The link worker, the call sources and housekeeping of one profile; see the module docstring.

    ``run_sources=False``: no watched folder and no HTTP endpoint (the demo profile, ``sync --once``).
    """

    def __init__(
        self,
        context: AppContext,
        *,
        settings: Sequence[str] | None = None,
        options: EngineOptions | None = None,
        poll_interval_s: float = 1.0,
        run_sources: bool = True,
        housekeeping_interval_s: float | None = None,
        beacon: str | None = None,
    ) -> None:
        self.context = context
        self.beacon_kind = beacon  # SERVICE / SYNC: keep a heartbeat row for the window (see the module docstring)
        self.beacon: ServiceBeacon | None = None
        self.stop_requested = threading.Event()  # the window's 停止 (a ``stop`` command): the owner ends the process
        self.run_sources = run_sources
        self.worker = LinkWorker(context.database, context.secrets, settings=settings, options=options,
                                 lang=context.lang, poll_interval_s=poll_interval_s)
        self.housekeeper = (Housekeeper(context.database) if housekeeping_interval_s is None
                            else Housekeeper(context.database, interval_s=housekeeping_interval_s))
        self._lock = threading.Lock()
        self._sources: IngestSources | None = None
        self._starting: threading.Thread | None = None
        self._started = False
        self._stopped = False

    # --- control ------------------------------------------------------------------------------------------------

    def start(self, *, worker: bool = True) -> None:
        """Start housekeeping and (``run_sources``) the call sources on the runtime's own thread; with ``worker``
        also the worker (the window leaves that to its WorkerController, which starts it once the window shows)."""
        with self._lock:
            if self._started or self._stopped:
                raise RuntimeError("a LinkRuntime starts once")
            self._started = True
            if self.beacon_kind is not None:
                self._start_beacon(self.beacon_kind)
            self.housekeeper.start()
            if self.run_sources:
                self._starting = threading.Thread(target=self._start_sources, name="ingest-start", daemon=True)
                self._starting.start()
        if worker:
            self.worker.start()

    def wake(self) -> None:
        """New calls were stored (an import, a source): the worker looks at the jobs now, not at its next poll.

        Thread-safe: ``LinkWorker.wake`` only sets an event.
        """
        self.worker.wake()

    def stop(self, worker_timeout: float = 10.0) -> bool:
        """Sources, then the worker (joined, at most ``worker_timeout`` s), then housekeeping; idempotent.

        Call before the database closes. True when the worker thread ended in time (else the journal resolves
        its batch at the next start).
        """
        with self._lock:
            first = not self._stopped
            self._stopped = True
            starting = self._starting
        if starting is not None:
            starting.join(SOURCES_START_TIMEOUT_S)  # a start under way finishes, then stops like running sources
        with self._lock:
            sources, self._sources = self._sources, None
        if sources is not None:
            sources.stop()  # a file being imported is finished first
        ended = self.worker.stop(worker_timeout)
        if first:
            self.housekeeper.stop()
            if self.beacon is not None:
                self.worker.remove_observer(self._on_worker_status)
                self.beacon.stop()
        return ended

    # --- the heartbeat and the window's commands ----------------------------------------------------------------

    def _start_beacon(self, kind: str) -> None:
        data_dir = str(self.context.data_dir) if self.context.data_dir is not None else ""
        self.beacon = ServiceBeacon(self.context.database, kind, self._on_command, data_dir=data_dir)
        status = self.worker.status
        self.beacon.update(status.state.value, status.message)
        self.worker.add_observer(self._on_worker_status)
        self.beacon.start()

    def _on_worker_status(self, status: WorkerStatus) -> None:
        if self.beacon is not None:
            self.beacon.update(status.state.value, status.message)

    def _on_command(self, command: str) -> None:
        """The beacon's thread: a command the window wrote into the heartbeat row."""
        if command == "run":
            self.worker.start()  # resumes a paused worker; starts one that ended
        elif command == "pause":
            self.worker.pause()
        elif command == "stop":
            self.stop_requested.set()
        elif command == "send_now":
            self.worker.send_now()  # 今すぐ再試行 in the window: the window told the admin already if it cannot

    # --- the call sources ---------------------------------------------------------------------------------------

    @property
    def sources(self) -> IngestSources | None:
        """The running call sources (restart them after a configuration change: 通話の取り込み元…), or None.

        Waits for a start under way (milliseconds), so a caller never sees "not started yet" for sources
        that are about to run.
        """
        self.wait_for_sources()
        with self._lock:
            return self._sources

    def wait_for_sources(self, timeout: float = SOURCES_START_TIMEOUT_S) -> IngestStatus | None:
        """Wait until the sources have started; their status, or None when this runtime runs none."""
        starting = self._starting
        if starting is not None and starting is not threading.current_thread():
            starting.join(timeout)
        with self._lock:
            sources = self._sources
        return sources.status() if sources is not None else None

    def _start_sources(self) -> None:
        # Imported here, on this thread: the ingest modules must not delay the window's start.
        from biztel_desk.services.ingest_sources import IngestSources

        # ``self.wake`` looked up at each call, not bound now: whoever replaces the worker's wake sees every call.
        sources = IngestSources(self.context.database, self.context.secrets,
                                on_imported=lambda _count: self.wake(), lang=self.context.lang)
        with self._lock:
            if self._stopped:
                return  # stopped before the sources were built: never start them on a closing database
            sources.start()
            self._sources = sources

    # --- state --------------------------------------------------------------------------------------------------

    def status(self) -> RuntimeStatus:
        with self._lock:
            sources = self._sources
            stopped = self._stopped
        return RuntimeStatus(
            worker=self.worker.status,
            worker_running=self.worker.running,
            sources=sources.status() if sources is not None else None,
            last_purge=self.housekeeper.last_result,
            stopped=stopped,
        )
