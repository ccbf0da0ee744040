"""Who links each setting: re-read from the link leases every few seconds on a pool thread (never the GUI's)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot
from sqlalchemy.exc import SQLAlchemyError

from biztel_desk.services.link_owners import LinkOwner, other_owners
from biztel_desk.store.db import Database

log = logging.getLogger(__name__)

REFRESH_MS = 5000  # the owner's heartbeat is every 5 s; a takeover shows within one more read


class _Relay(QObject):
    """Carries the result to the GUI thread. No parent, and the running read keeps a reference to it: emitting
    stays safe even when the watcher was deleted meanwhile (Qt drops the queued delivery)."""

    read = Signal(object)  # dict[str, LinkOwner] | None (None: the read failed, keep what is shown)


class LeaseWatcher(QObject):
    """``owners``: setting name → the other process/desktop linking it now; ``changed`` when that changes."""

    changed = Signal()

    def __init__(self, database: Database, parent: QObject | None = None, interval_ms: int = REFRESH_MS) -> None:
        super().__init__(parent)
        self.database = database
        self.owners: dict[str, LinkOwner] = {}
        self.relay = _Relay()
        self.relay.read.connect(self._on_relay_read)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self._timer.start()
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._busy:
            return
        self._busy = True
        relay, database = self.relay, self.database

        def run() -> None:
            try:
                owners: dict[str, LinkOwner] | None = other_owners(database)
            except SQLAlchemyError:  # database busy or gone: the next read tries again
                log.warning("could not read the link leases", exc_info=True)
                owners = None
            relay.read.emit(owners)

        self.pool.start(run)

    def shutdown(self) -> None:
        """Stop reading and wait for a read in progress (before the database is closed)."""
        self._timer.stop()
        self.pool.clear()
        self.pool.waitForDone()

    @Slot(object)
    def _on_relay_read(self, owners: dict[str, LinkOwner] | None) -> None:
        self._busy = False
        if owners is not None and owners != self.owners:
            self.owners = owners
            self.changed.emit()
