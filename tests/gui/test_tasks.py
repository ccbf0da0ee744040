"""The one task runner (ui/tasks.py): jobs on the qasync loop, newer wins, known errors vs bugs, owner gone."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest
from PySide6.QtWidgets import QWidget

from biztel_desk.domain.errors import KnownError
from biztel_desk.ui.tasks import Jobs, posted


class _Refused(KnownError):
    def text(self, lang: str = "ja") -> str:
        return "拒否されました" if lang == "ja" else "Refused"


@pytest.fixture
def owner(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_a_job_awaits_a_thread_and_finishes_on_the_gui_thread(qtbot, owner: QWidget) -> None:
    jobs = Jobs(owner)
    seen: list[tuple[str, bool]] = []

    async def job() -> None:
        name = await asyncio.to_thread(lambda: threading.current_thread().name)
        seen.append((name, threading.current_thread() is threading.main_thread()))

    jobs.run("one", job())
    qtbot.waitUntil(lambda: bool(seen))
    worker_thread, on_gui_thread = seen[0]
    assert worker_thread != threading.main_thread().name
    assert on_gui_thread
    assert not jobs.running("one")


def test_a_newer_job_of_the_same_key_drops_the_older_result(qtbot, owner: QWidget) -> None:
    jobs = Jobs(owner)
    release = threading.Event()
    shown: list[str] = []

    async def job(label: str, wait: bool) -> None:
        await asyncio.to_thread(release.wait if wait else (lambda: None))
        shown.append(label)

    first = jobs.run("page", job("old", True))
    jobs.run("page", job("new", False))
    qtbot.waitUntil(lambda: shown == ["new"])
    release.set()
    qtbot.waitUntil(lambda: first.done())
    assert first.cancelled()
    assert shown == ["new"]


def test_a_known_error_goes_to_on_error_and_a_bug_to_the_crash_path(qtbot, owner: QWidget,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = Jobs(owner)
    messages: list[str] = []
    bugs: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, tb: bugs.append(error))

    async def refused() -> None:
        await asyncio.to_thread(lambda: None)
        raise _Refused()

    async def bug() -> None:
        await asyncio.to_thread(lambda: None)
        raise ZeroDivisionError("a bug")

    jobs.run("a", refused(), on_error=lambda error: messages.append(error.text("en")))
    jobs.run("b", bug(), on_error=lambda error: messages.append("wrong path"))
    qtbot.waitUntil(lambda: bool(messages) and bool(bugs))
    assert messages == ["Refused"]
    assert [type(error) for error in bugs] == [ZeroDivisionError]


def test_jobs_end_with_their_owner(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = QWidget()
    jobs = Jobs(widget)
    release = threading.Event()
    shown: list[str] = []

    async def job() -> None:
        await asyncio.to_thread(release.wait)
        shown.append("late")

    task = jobs.run("x", job())
    widget.deleteLater()
    qtbot.waitUntil(lambda: task.done())
    release.set()
    assert task.cancelled() and shown == []


def test_a_known_error_that_arrives_after_the_owner_went_is_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The job failed (its database went away) just before its widget was deleted: on_error is not called on a
    deleted widget, and it is not a bug either."""
    widget = QWidget()
    jobs = Jobs(widget)
    told: list[BaseException] = []

    async def refused() -> None:
        raise _Refused()

    task = jobs.run("x", refused(), on_error=told.append)
    # The job's step runs first and fails (its done callback is then queued); the owner goes in between.
    asyncio.get_event_loop().call_soon(jobs.cancel_all)  # what the owner's destroyed signal does
    qtbot.waitUntil(task.done)
    qtbot.wait(50)
    assert not task.cancelled() and isinstance(task.exception(), _Refused)
    assert told == []


def test_a_posted_callback_runs_on_the_gui_thread_and_not_once_its_owner_is_gone(qtbot, owner: QWidget) -> None:
    import gc

    held = {"owner": QWidget()}
    seen: list[tuple[int, bool]] = []
    step = threading.Event()

    def record(widget: QWidget, value: int) -> None:
        seen.append((value, threading.current_thread() is threading.main_thread()))

    def work(report) -> None:  # type: ignore[no-untyped-def]  # on the worker thread
        report(1)
        step.wait(10)
        report(2)

    async def job(report) -> None:  # type: ignore[no-untyped-def]
        await asyncio.to_thread(work, report)

    async def start() -> None:  # posted() needs the running loop, as in a job
        await job(posted(held["owner"], record))

    task = Jobs(owner).run("progress", start())
    qtbot.waitUntil(lambda: seen == [(1, True)])
    del held["owner"]  # the thread holds it only weakly: the widget goes here, on the GUI thread
    gc.collect()
    step.set()
    qtbot.waitUntil(task.done)
    qtbot.wait(50)  # the second call was posted; it finds its owner gone and does nothing
    assert seen == [(1, True)]
