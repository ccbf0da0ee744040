"""Who links each setting: re-read from the link leases every few seconds in a job (ui/tasks.py), never on the
GUI thread."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from biztel_desk.services.link_owners import Database, LinkOwner, read_other_owners
from biztel_desk.ui.tasks import Jobs

log = logging.getLogger(__name__)

REFRESH_MS = 5000  # the owner's heartbeat is every 5 s; a takeover shows within one more read


class LeaseWatcher(QObject):
    """``owners``: setting name → the other process/desktop linking it now; ``changed`` when that changes."""

    changed = Signal()

    def __init__(self, database: Database, parent: QObject | None = None, interval_ms: int = REFRESH_MS) -> None:
        super().__init__(parent)
        self.database = database
        self.owners: dict[str, LinkOwner] = {}
        self.jobs = Jobs(self)
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self._timer.start()
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._closed or self.jobs.running("read"):  # one read at a time: the next tick tries again
            return
        self.jobs.run("read", self._read(), on_error=self._on_read_failed)

    def shutdown(self) -> None:
        """Stop reading and wait for a read in progress (before the database is closed)."""
        self._closed = True
        self._timer.stop()
        self.jobs.shutdown()

    async def _read(self) -> None:
        owners = await self.jobs.to_thread(read_other_owners, self.database)
        if owners != self.owners:
            self.owners = owners
            self.changed.emit()

    def _on_read_failed(self, error: BaseException) -> None:
        # The database is busy or gone: keep what is shown, the next read tries again.
        log.warning("could not read the link leases: %s", error)
