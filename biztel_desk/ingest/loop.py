"""A background loop on a daemon thread: start once, stop by an event, join — shared by the call sources."""

from __future__ import annotations

import threading


class BackgroundLoop:
    """Runs ``_run`` on a daemon thread named ``thread_name`` until ``_stop`` is set.

    Subclasses call ``_init_loop()`` in their ``__init__``, implement ``_run`` (which waits on ``self._stop``), and
    end with ``_stop_loop(timeout)`` in their own ``stop`` (adding what they close after the thread).
    """

    thread_name = "background-loop"

    def _init_loop(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def _stop_loop(self, timeout: float | None) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        raise NotImplementedError
