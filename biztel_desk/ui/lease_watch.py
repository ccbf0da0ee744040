"""Who links each setting, and the background service of this PC: re-read from the link leases and the service's
heartbeat every few seconds in a job (ui/tasks.py), never on the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from biztel_desk.services.link_owners import Database, LinkOwner, ServiceState, command_service, read_link_view
from biztel_desk.ui.tasks import Watch

log = logging.getLogger(__name__)

REFRESH_MS = 2000  # the owners' heartbeats are every 5 s; the service's state changes show within this


class LeaseWatcher(Watch):
    """``owners``: setting name → the other process/desktop linking it now; ``changed`` when that changes.

    ``service``: this PC's background service while it runs (None otherwise); ``service_changed`` after the first
    read (``loaded``), whether it succeeded or not, and whenever the service's state, message or presence changes.
    """

    changed = Signal()
    service_changed = Signal()

    def __init__(self, database: Database, parent: QObject | None = None, interval_ms: int = REFRESH_MS) -> None:
        super().__init__(parent, interval_ms)
        self.database = database
        self.owners: dict[str, LinkOwner] = {}
        self.service: ServiceState | None = None
        self.loaded = False  # the first read is done (or failed)

    @Slot()
    def refresh(self) -> None:
        if self._closed or self.jobs.running("read"):  # one read at a time: the next tick tries again
            return
        self.jobs.run("read", self._read(), on_error=self._on_read_failed)

    def command(self, command: str, on_error: Callable[[BaseException], None]) -> None:
        """開始 / 休止 / 停止 / 今すぐ再試行 for the service (``run`` / ``pause`` / ``stop`` / ``send_now``), then
        read again at once."""
        service = self.service
        if service is None or self._closed:
            return
        self.jobs.run("command", self._command(service.owner, command), on_error=on_error)

    async def _command(self, owner: str, command: str) -> None:
        await self.jobs.to_thread(command_service, self.database, owner, command)
        self.refresh()

    async def _read(self) -> None:
        view = await self.jobs.to_thread(read_link_view, self.database)
        if view.owners != self.owners:
            self.owners = view.owners
            self.changed.emit()
        first, self.loaded = not self.loaded, True
        before, self.service = self.service, view.service
        if first or before is not None or view.service is not None:  # its heartbeat's age moves at each read
            self.service_changed.emit()

    def _on_read_failed(self, error: BaseException) -> None:
        # The database is busy or gone: keep what is shown, the next read tries again.
        log.warning("could not read the link leases: %s", error)
        if not self.loaded:
            self.loaded = True
            self.service_changed.emit()
