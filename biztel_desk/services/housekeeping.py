"""Background housekeeping: the retention purge at start-up and then once a day, off the GUI thread."""

from __future__ import annotations

import logging
import threading

from biztel_desk.store.db import Database
from biztel_desk.store.retention import PurgeResult, purge

log = logging.getLogger(__name__)
DAY_S = 24 * 60 * 60


class Housekeeper:
    """Runs ``purge`` now and every ``interval_s``; ``stop()`` interrupts it between chunks."""

    def __init__(self, database: Database, interval_s: float = DAY_S) -> None:
        self.database = database
        self.interval_s = interval_s
        self.last_result: PurgeResult | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last_result = purge(self.database, should_stop=self._stop.is_set)
                if self.last_result.calls:
                    log.info("retention purge removed %d calls older than %s", self.last_result.calls, self.last_result.cutoff)
            except Exception:  # a failed purge must not end housekeeping; the next day tries again
                log.exception("retention purge failed")
            self._stop.wait(self.interval_s)
