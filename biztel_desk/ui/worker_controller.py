"""The window's bridge to the LinkWorker thread: a queued ``status_changed`` signal and start / pause / stop."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal, Slot

from biztel_desk.services.link_runtime import LinkWorker, WorkerState, WorkerStatus
from biztel_desk.services.window_view import WorkerCommands, reached, worker_commands

log = logging.getLogger(__name__)

# A worker that ended by itself (a damaged database, a bug) is started again after these waits, the last repeated:
# the window is its own service manager. Transient faults (a lock, the network) never end it.
RESTART_DELAYS_S = (30.0, 120.0, 600.0)


class WorkerController(QObject):
    """Owns a ``LinkWorker`` for the window; widgets only ever see its statuses on the GUI thread.

    The worker calls its observers on its own thread. The observer here keeps only the latest status and posts
    one event to the GUI thread while none is pending, so a fast drain never floods the event queue: the GUI
    thread picks up the newest snapshot and emits ``status_changed`` with it.

    ``commands`` (開始 / 休止 / 停止 accepted) come from the reported state and from a request that the
    worker has not confirmed yet (休止 and 停止 take effect after the batch in flight), never from guesses
    (``services.window_view.worker_commands``).
    """

    status_changed = Signal(object)  # WorkerStatus, emitted on the GUI thread
    # Emitted by the worker thread, delivered queued on the GUI thread; carries nothing (the latest status waits in
    # the controller, see _observe).
    _arrived = Signal()

    def __init__(self, worker: LinkWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._lock = threading.Lock()
        self._latest: WorkerStatus | None = None  # waiting for the GUI thread; guarded by _lock
        self._posted = False  # an event is on its way; guarded by _lock
        self._closed = False  # guarded by _lock: after shutdown the worker thread posts nothing
        self._status = worker.status
        self._requested: WorkerState | None = None  # RUNNING / PAUSED / STOPPED asked for, not yet reported
        # An internal error ends the thread right after its ERROR status: look again once it had time to end.
        self._recheck_timer = QTimer(self)
        self._recheck_timer.setSingleShot(True)
        self._recheck_timer.setInterval(300)
        self._recheck_timer.timeout.connect(self._on_recheck_timer_timeout)
        self.restart_delays_s: tuple[float, ...] = RESTART_DELAYS_S
        self._restarts = 0  # automatic restarts since the user last pressed 開始
        self._restart_timer = QTimer(self)
        self._restart_timer.setSingleShot(True)
        self._restart_timer.timeout.connect(self._on_restart_timer_timeout)
        self._arrived.connect(self._take_latest, Qt.ConnectionType.QueuedConnection)
        worker.add_observer(self._observe)

    # --- state ------------------------------------------------------------------------------------------------

    @property
    def status(self) -> WorkerStatus:
        """The latest status delivered to the GUI thread."""
        return self._status

    @property
    def alive(self) -> bool:
        return self.worker.running

    @property
    def requested(self) -> WorkerState | None:
        """The state asked for with start / pause / stop that the worker has not reported yet."""
        return self._requested

    @property
    def commands(self) -> WorkerCommands:
        """Which of 開始 / 休止 / 停止 the worker accepts now (none after ``shutdown``)."""
        if self._closed:
            return WorkerCommands(start=False, pause=False, stop=False)
        return worker_commands(self._status.state, self._requested, alive=self.alive,
                               restart_pending=self.restart_pending)

    @property
    def restart_pending(self) -> bool:
        """The worker ended by itself and starts again when the restart timer fires."""
        return self._restart_timer.isActive()

    # --- commands (GUI thread) --------------------------------------------------------------------------------

    def start(self) -> bool:
        """開始: start the thread, or resume it when paused (or retry at once after an error)."""
        if not self.commands.start:
            return False
        self._restart_timer.stop()
        self._restarts = 0
        self._requested = WorkerState.RUNNING
        self.worker.start()
        self._announce()
        return True

    def pause(self) -> bool:
        """休止: the batch in flight finishes, then nothing is sent until 開始."""
        if not self.commands.pause:
            return False
        self._requested = WorkerState.PAUSED
        self.worker.pause()
        self._announce()
        return True

    def stop(self) -> bool:
        """停止 without waiting: the thread finishes its batch and ends; STOPPED arrives as a status."""
        if not self.commands.stop:
            return False
        if self.restart_pending:
            self._restart_timer.stop()
            self._status = dataclasses.replace(self._status, state=WorkerState.STOPPED)
            self._announce()
            return True
        self._requested = WorkerState.STOPPED
        self.worker.stop(0)
        self._announce()
        return True

    def wake(self) -> None:
        """New calls were imported: look at the jobs now instead of at the next poll."""
        if self.alive:
            self.worker.wake()

    def send_now(self) -> str | None:
        """今すぐ再試行: the worker looks at the jobs at once, even inside a fault's back-off; None when it does,
        else why it cannot ("stopped", "paused" by the admin, "limit": the API usage guard)."""
        if not self.alive:
            return "stopped"
        return self.worker.send_now()

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Window close: stop the worker and wait at most ``timeout`` s, processing events (no user input) meanwhile.

        The batch in flight finishes and is recorded; if the wait runs out, whatever it leaves in ``sending`` is
        resolved from the journal at the next start. True when the thread ended in time.
        """
        if self.alive:
            self._requested = WorkerState.STOPPED
            self._announce()
            deadline = time.monotonic() + timeout
            while not self.worker.stop(0.02) and time.monotonic() < deadline:
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents, 30)
            self._take_latest()  # show the final status before the observer goes
        ended = not self.alive
        with self._lock:
            self._closed = True
            self._latest = None
        self.worker.remove_observer(self._observe)
        self._recheck_timer.stop()
        self._restart_timer.stop()
        if not ended:
            log.warning("link worker still busy %.0f s after the window closed; the journal resolves its batch", timeout)
        return ended

    # --- delivery ---------------------------------------------------------------------------------------------

    def _observe(self, status: WorkerStatus) -> None:
        """Worker thread: keep the newest snapshot; send one wake-up to the GUI thread while none is pending."""
        with self._lock:
            if self._closed:
                return
            self._latest = status
            if self._posted:
                return
            self._posted = True
            self._arrived.emit()  # queued: only posts an event, whatever the lock holds

    @Slot()
    def _take_latest(self) -> None:
        with self._lock:
            status, self._latest, self._posted = self._latest, None, False
            closed = self._closed
        if status is not None and not closed:
            self._deliver(status)

    def _deliver(self, status: WorkerStatus) -> None:
        self._status = status
        if status.state == WorkerState.STOPPED and self.worker.running:
            self.worker.stop(1.0)  # STOPPED is the thread's last word: reap it so 開始 starts a new one
        if reached(self._requested, status.state, alive=self.alive):
            self._requested = None
        if status.state == WorkerState.ERROR:
            self._recheck_timer.start()
        self.status_changed.emit(status)

    def _announce(self) -> None:
        """A request changed what the buttons allow: tell the window with the current status."""
        self.status_changed.emit(self._status)

    @Slot()
    def _on_recheck_timer_timeout(self) -> None:
        if not self.alive and not self._closed:
            self._requested = None
            if self.worker.failure is not None and not self._restart_timer.isActive():
                self._schedule_restart()
            self._announce()

    def _schedule_restart(self) -> None:
        delay = self.restart_delays_s[min(self._restarts, len(self.restart_delays_s) - 1)]
        self._restarts += 1
        log.warning("link worker ended by itself; starting it again in %.0f s", delay)
        self._restart_timer.start(round(delay * 1000))
        note = self.tr("{seconds}秒後に自動で再開します。").format(seconds=round(delay))
        self._status = dataclasses.replace(self._status, message=f"{self._status.message} {note}")

    @Slot()
    def _on_restart_timer_timeout(self) -> None:
        if self._closed or self.alive or self._requested is not None:
            return
        self._requested = WorkerState.RUNNING
        self.worker.start()
        self._announce()
