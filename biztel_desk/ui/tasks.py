"""The one way the window runs background work: ``async`` jobs on the qasync event loop (docs/architecture.md).

A job is a coroutine that ``await``s ``asyncio.to_thread(service_call, ...)`` and then touches widgets: the code
after an ``await`` runs on the GUI thread again. ``Jobs`` keeps the jobs of one widget by key: starting a job
cancels the one of the same key still running (a newer request wins, so a stale result is never shown), and
every job is cancelled when the widget goes away. A cancelled job stops at its ``await``; the thread under it
finishes on its own and its result is dropped. ``Jobs.to_thread`` is ``asyncio.to_thread`` that ``Jobs.shutdown``
(cancel, then wait) and ``Jobs.wait`` can wait for: a job whose call uses the database awaits it, so that the
database is closed only after the call returned.

A thread that reports progress as it goes calls a ``posted`` callback: each call runs on the GUI thread.

Failures take one of two paths. A ``KnownError`` (or what ``on_error`` accepts) goes to the job's ``on_error``,
which shows it as a message. Anything else is a bug: it goes to ``sys.excepthook``, the one crash path
(``ui/crash.py``), on the GUI thread.

    class HistoryTab(QWidget):
        def __init__(self) -> None:
            self.jobs = Jobs(self)

        def refresh(self) -> None:
            self.jobs.run("page", self._load_page(), on_error=self._show_problem)

        async def _load_page(self) -> None:
            page = await asyncio.to_thread(history.query_page, self.database, self.filter)
            self.model.set_page(page)  # back on the GUI thread
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import logging
import sys
import weakref
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from biztel_desk.domain.errors import KnownError

log = logging.getLogger(__name__)

OnError = Callable[[BaseException], None]
T = TypeVar("T")
W = TypeVar("W", bound=QObject)
_loop: asyncio.AbstractEventLoop | None = None
_executor: ThreadPoolExecutor | None = None
JOB_THREADS = 8  # network and database calls of the window at once; more wait their turn


def install_event_loop(app: QCoreApplication | None = None) -> asyncio.AbstractEventLoop:
    """The qasync event loop of this QApplication, created once and set as asyncio's current loop.

    Built with ``already_running=True``: Qt's own loop (``app.exec()``, or a test's ``qtbot`` waits) drives it,
    so the app keeps ``app.exec()`` and tests need nothing but this call (the ``qasync_loop`` fixture).
    The loop's exception handler sends what escaped a callback to the crash path.
    """
    global _loop, _executor
    import qasync

    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_event_loop needs a QApplication")
    if _loop is not None and not _loop.is_closed() and getattr(_loop, "_biztel_app", None) is app:
        asyncio.set_event_loop(_loop)
        asyncio.events._set_running_loop(_loop)  # a test may have cleared it
        return _loop
    loop = qasync.QEventLoop(app, already_running=True)
    loop._biztel_app = app
    # Plain Python threads rather than qasync's QThreads: a QThread still running when Qt tears down aborts the
    # process ("QThread: Destroyed while thread is still running"); a Python thread just finishes its call.
    _executor = ThreadPoolExecutor(max_workers=JOB_THREADS, thread_name_prefix="ui-job")
    loop.set_default_executor(_executor)
    loop.set_exception_handler(_on_loop_exception)
    asyncio.set_event_loop(loop)
    _loop = loop
    return loop


def _on_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's exception handler: an exception nobody awaited is a bug, reported like any other."""
    error = context.get("exception")
    if isinstance(error, BaseException) and not isinstance(error, asyncio.CancelledError):
        report_bug(error)
    else:
        log.error("event loop: %s", context.get("message", context))


def report_bug(error: BaseException) -> None:
    """Send a bug to the one crash path (``sys.excepthook``: ui/crash.py installs it; by default it prints)."""
    sys.excepthook(type(error), error, error.__traceback__)


def posted(owner: W, slot: Callable[..., None]) -> Callable[..., None]:
    """A callback for a worker thread (progress, a URL to show): each call runs ``slot(owner, *args)`` on the GUI
    thread, in a job (it needs the running loop), and not once ``owner`` is gone. The thread holds ``owner`` only
    weakly: through a strong reference it could drop the widget's last one, and Qt would delete it on that thread
    (a crash)."""
    loop = asyncio.get_running_loop()
    alive = weakref.ref(owner)

    def on_gui_thread(*args: Any) -> None:
        if (target := alive()) is not None:
            slot(target, *args)

    return lambda *args: loop.call_soon_threadsafe(on_gui_thread, *args)


class Jobs:
    """The background jobs of one widget (or dialog), by key; see the module docstring."""

    def __init__(self, owner: QObject) -> None:
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._calls: set[concurrent.futures.Future[Any]] = set()
        self._closed = False
        # Not a bound method: the owner's ``destroyed`` fires while Python still holds this object.
        owner.destroyed.connect(lambda *_: self.cancel_all())

    def run(self, key: str, job: Coroutine[Any, Any, Any], *, on_error: OnError | None = None,
            known: tuple[type[BaseException], ...] = (KnownError,)) -> asyncio.Task[Any]:
        """Start ``job`` under ``key``, cancelling the job of that key still running.

        ``on_error`` receives the job's exception when it is one of ``known`` (``KnownError`` by default); any
        other exception is a bug and goes to the crash path.
        """
        install_event_loop()
        self.cancel(key)
        if self._closed:
            job.close()
            raise RuntimeError("the owner of these jobs is gone")
        task = asyncio.ensure_future(job)
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._on_done(key, done, on_error, known))
        return task

    def running(self, key: str | None = None) -> bool:
        """Whether the job ``key`` (or any job) is still running."""
        if key is None:
            return any(not task.done() for task in self._tasks.values())
        task = self._tasks.get(key)
        return task is not None and not task.done()

    def cancel(self, key: str) -> None:
        task = self._tasks.pop(key, None)
        if task is not None and not task.done():
            task.cancel()

    def cancel_all(self) -> None:
        self._closed = True
        for key in list(self._tasks):
            self.cancel(key)

    async def to_thread(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``asyncio.to_thread`` whose thread ``shutdown`` waits for: for calls that use a resource the owner's
        shutdown closes afterwards (the database)."""
        install_event_loop()
        assert _executor is not None
        context = contextvars.copy_context()
        future = _executor.submit(functools.partial(context.run, call, *args, **kwargs))
        self._calls.add(future)
        future.add_done_callback(self._calls.discard)
        return await asyncio.wrap_future(future)

    def shutdown(self, timeout: float = 30) -> bool:
        """Cancel every job and wait (at most ``timeout`` s) for the threads of its ``to_thread`` calls to return;
        no job starts afterwards. True when none is left running."""
        self.cancel_all()
        return self.wait(timeout)

    def wait(self, timeout: float = 30) -> bool:
        """Wait (at most ``timeout`` s) for the threads of the ``to_thread`` calls under way, cancelling nothing:
        their jobs go on at the next turn of the event loop. True when none is left running."""
        calls = list(self._calls)
        if not calls:
            return True
        _done, running = concurrent.futures.wait(calls, timeout)
        return not running

    def _on_done(self, key: str, task: asyncio.Task[Any], on_error: OnError | None,
                 known: tuple[type[BaseException], ...]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        if on_error is not None and isinstance(error, known):
            if not self._closed:  # the owner is gone (its widgets too): a known failure has nobody to tell
                on_error(error)
            return
        report_bug(error)


class Watch(QObject):
    """Something the window re-reads in a job every ``interval_ms`` and on ``refresh()`` (the link owners, what
    needs the admin): the timer, the jobs and the shutdown before the database is closed, written once."""

    def __init__(self, parent: QObject | None, interval_ms: int) -> None:
        super().__init__(parent)
        self.jobs = Jobs(self)
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Start a read (a subclass's job) unless shut down."""
        raise NotImplementedError

    def shutdown(self) -> None:
        """Stop reading and wait for a read in progress (before the database is closed)."""
        self._closed = True
        self._timer.stop()
        self.jobs.shutdown()
