"""The one crash path (ui/crash.py): every door (a job, a plain thread, the asyncio loop, Qt's messages) writes
crash.log and the app log and shows one dialog on the GUI thread; a known failure is a message, never a crash."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import qCritical, qWarning
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from biztel_desk import applog
from biztel_desk.domain.errors import KnownError
from biztel_desk.ui.crash import crash_log_path, install_crash_handler
from biztel_desk.ui.tasks import Jobs, install_event_loop


@dataclass
class Shown:
    """The boxes the crash path opened: (kind, text, name of the thread that opened it)."""

    boxes: list[tuple[str, str, str]] = field(default_factory=list)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> Shown:
    recorded = Shown()

    def record(kind: str):  # type: ignore[no-untyped-def]
        def show(_parent: QWidget | None, _title: str, text: str, *_args: object, **_kwargs: object) -> object:
            recorded.boxes.append((kind, text, threading.current_thread().name))
            return QMessageBox.StandardButton.Ok

        return show

    for kind in ("warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return recorded


@pytest.fixture
def owner(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _crashed(data_dir: Path, shown: Shown, needle: str) -> None:
    """crash.log and the app log have the traceback (scrubbed); one critical box, opened on the GUI thread."""
    [(kind, text, thread)] = shown.boxes
    assert kind == "critical" and str(crash_log_path(data_dir)) in text
    assert thread == threading.main_thread().name
    report = crash_log_path(data_dir).read_text(encoding="utf-8")
    assert needle in report and "hunter2" not in report
    logged = applog.log_path(data_dir).read_text(encoding="utf-8")
    assert needle in logged and "hunter2" not in logged


def test_a_bug_in_a_background_job_reaches_crash_log_and_the_dialog_on_the_gui_thread(
        qtbot: QtBot, data_dir: Path, shown: Shown, owner: QWidget) -> None:
    applog.configure(data_dir)
    install_crash_handler(data_dir, "en")
    seen: list[str] = []

    def service_call() -> None:  # runs on a job thread
        seen.append(threading.current_thread().name)
        raise ZeroDivisionError("a bug in a service call, password=hunter2")

    async def job() -> None:
        await asyncio.to_thread(service_call)

    Jobs(owner).run("broken", job(), on_error=lambda error: pytest.fail(f"not a known error: {error}"))
    qtbot.waitUntil(lambda: len(shown.boxes) == 1, timeout=5000)
    assert seen and seen[0] != threading.main_thread().name
    _crashed(data_dir, shown, "ZeroDivisionError: a bug in a service call")


def test_a_bug_in_a_plain_thread_reaches_crash_log_and_the_dialog_on_the_gui_thread(
        qtbot: QtBot, data_dir: Path, shown: Shown) -> None:
    applog.configure(data_dir)
    install_crash_handler(data_dir, "en")

    def broken() -> None:
        raise RuntimeError("a bug in the link worker, password=hunter2")

    thread = threading.Thread(target=broken, name="link-worker")
    thread.start()
    thread.join(10)
    qtbot.waitUntil(lambda: len(shown.boxes) == 1, timeout=5000)
    _crashed(data_dir, shown, "RuntimeError: a bug in the link worker")
    assert "thread link-worker" in crash_log_path(data_dir).read_text(encoding="utf-8")


def test_sys_excepthook_called_off_the_gui_thread_still_opens_the_dialog_on_it(
        qtbot: QtBot, data_dir: Path, shown: Shown) -> None:
    """A pool thread that hands its error to sys.excepthook (the old connection-check bug) never opens a box."""
    import sys

    applog.configure(data_dir)
    install_crash_handler(data_dir, "en")

    def pool_thread() -> None:
        try:
            raise ValueError("a bug in a pool thread, password=hunter2")
        except ValueError as error:
            sys.excepthook(type(error), error, error.__traceback__)

    thread = threading.Thread(target=pool_thread, name="pool-thread")
    thread.start()
    thread.join(10)
    qtbot.waitUntil(lambda: len(shown.boxes) == 1, timeout=5000)
    _crashed(data_dir, shown, "ValueError: a bug in a pool thread")


def test_an_exception_in_an_event_loop_callback_goes_through_the_asyncio_handler(
        qtbot: QtBot, data_dir: Path, shown: Shown) -> None:
    applog.configure(data_dir)
    install_crash_handler(data_dir, "en")
    loop = install_event_loop()

    def callback() -> None:
        raise LookupError("a bug in a loop callback, password=hunter2")

    loop.call_soon(callback)
    qtbot.waitUntil(lambda: len(shown.boxes) == 1, timeout=5000)
    _crashed(data_dir, shown, "LookupError: a bug in a loop callback")


@pytest.mark.no_qt_log  # pytest-qt would fail the test on the very messages it sends
def test_qt_warnings_go_to_the_app_log_and_critical_messages_through_the_crash_path(
        qtbot: QtBot, data_dir: Path, shown: Shown) -> None:
    applog.configure(data_dir)
    install_crash_handler(data_dir, "en")
    qWarning("a Qt warning for the log")
    assert "WARNING" in applog.log_path(data_dir).read_text(encoding="utf-8")
    assert "a Qt warning for the log" in applog.log_path(data_dir).read_text(encoding="utf-8")
    assert not shown.boxes and not crash_log_path(data_dir).exists()
    qCritical("a Qt critical message, password=hunter2")
    qtbot.waitUntil(lambda: len(shown.boxes) == 1, timeout=5000)
    _crashed(data_dir, shown, "Qt critical: a Qt critical message")


class _Offline(KnownError):
    def text(self, lang: str = "ja") -> str:
        return "ネットワークに接続できません。" if lang == "ja" else "No network: check the connection and try again."


def test_a_known_error_that_escapes_is_a_message_not_a_crash(
        qtbot: QtBot, data_dir: Path, shown: Shown, owner: QWidget) -> None:
    applog.configure(data_dir)
    install_crash_handler(data_dir, "en")

    async def job() -> None:
        await asyncio.to_thread(lambda: None)
        raise _Offline()

    Jobs(owner).run("offline", job())  # no on_error: it reaches the crash path, which knows it
    qtbot.waitUntil(lambda: len(shown.boxes) == 1, timeout=5000)
    assert shown.boxes == [("warning", "No network: check the connection and try again.",
                            threading.main_thread().name)]
    assert not crash_log_path(data_dir).exists()


@pytest.mark.sqlite_only("the fault is a table dropped through sqlite3")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_link_worker_crash_reaches_crash_log_and_names_a_log_that_exists(
        qtbot: QtBot, data_dir: Path, shown: Shown, context) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from biztel_desk.engine.worker import LinkWorker, WorkerState
    from biztel_desk.store.db import DB_FILENAME

    log = applog.configure(data_dir)
    install_crash_handler(data_dir, "en", context.database.location)
    damage = sqlite3.connect(data_dir / DB_FILENAME, timeout=30, isolation_level=None)
    damage.execute("DROP TABLE link_settings")  # not a fault the worker waits out: a bug-like stop
    damage.close()
    worker = LinkWorker(context.database, context.secrets, poll_interval_s=0.05, lang="en")
    worker.start()
    qtbot.waitUntil(lambda: len(shown.boxes) == 1, timeout=10000)
    worker.stop(10)
    [(kind, text, thread)] = shown.boxes
    assert kind == "critical" and thread == threading.main_thread().name
    report = crash_log_path(data_dir).read_text(encoding="utf-8")
    assert "(thread link-worker)" in report and "link_settings" in report
    status = worker.status
    assert status.state == WorkerState.ERROR
    assert log is not None and log.exists() and str(log) in status.message  # "see the log" names a real file


def test_a_bug_raised_in_a_qt_pool_thread_opens_the_dialog_on_the_gui_thread(
        qtbot: QtBot, data_dir: Path, shown: Shown) -> None:
    """What a QRunnable that re-raises does (the connection check's task until it is a job): PySide hands the
    exception to sys.excepthook on the pool thread; the box still opens on the GUI thread."""
    from PySide6.QtCore import QRunnable, QThreadPool

    applog.configure(data_dir)
    install_crash_handler(data_dir, "en")

    class Broken(QRunnable):
        def run(self) -> None:
            raise ArithmeticError("a bug in a pool task, password=hunter2")

    pool = QThreadPool()
    pool.start(Broken())
    qtbot.waitUntil(lambda: len(shown.boxes) == 1, timeout=5000)
    pool.waitForDone(5000)
    _crashed(data_dir, shown, "ArithmeticError: a bug in a pool task")
