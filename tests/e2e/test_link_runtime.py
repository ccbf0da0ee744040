"""LinkRuntime (services/link_runtime.py): the worker, the call sources and housekeeping the window and `sync` share.

Real parts: SQLite in a temp data dir, the session's dev org over HTTP (simple-salesforce), the HTTP endpoint on
127.0.0.1 and a watched folder in a temp dir.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from conftest import COMPANY, LinkEnv
from helpers.wait import wait_for
from sqlalchemy import func, select
from test_ingest_sources import configure, free_port, port_is_free, post

from biztel_desk.services.context import AppContext
from biztel_desk.services.ingest_sources import SourceState
from biztel_desk.services.link_runtime import LinkRuntime, WorkerState
from biztel_desk.store.models import Call

SOURCE_THREADS = ("watched-folder", "http-ingest")


def _calls(context: AppContext) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Call)) or 0)


class Wakes:
    """Counts the worker's wake-ups, then wakes it for real (the worker's own ``wake`` runs every time)."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self.threads: list[str] = []
        self.event = threading.Event()

    def __call__(self) -> None:
        self.threads.append(threading.current_thread().name)
        self.event.set()
        self._wake()


def _recent_call(unique_id: str, customer: str) -> dict[str, object]:
    # Long ended (a recent call waits a while for its recording); a finished job's call is purged only at the next
    # day's housekeeping, an unfinished one never.
    started = dt.datetime(2024, 5, 1, 1, 0, tzinfo=dt.UTC)
    return {"unique_id": unique_id, "from_number": customer, "to_number": COMPANY,
            "started_at": started.isoformat(timespec="seconds"), "duration_s": 42}


def test_runtime_starts_an_import_wakes_the_worker_and_stop_ends_sources_before_the_database_closes(
    context: AppContext, link_env: Callable[..., LinkEnv], tmp_path: Path
) -> None:
    env = link_env()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    port = free_port()
    configure(context, inbox, port)
    # A live source's call waits call_settle_s (default 30 s) for more legs of it; this call has one.
    context.config.save_system({"call_settle_s": 0})
    runtime = LinkRuntime(context)
    wakes = Wakes(runtime.worker.wake)
    runtime.worker.wake = wakes  # type: ignore[method-assign]
    runtime.start()
    try:
        status = runtime.wait_for_sources()
        assert status is not None
        assert (status.folder.state, status.http.state) == (SourceState.RUNNING, SourceState.RUNNING)
        assert runtime.sources is not None and runtime.sources.status() == status
        wait_for(lambda: runtime.worker.status.state == WorkerState.RUNNING, 15.0)
        wait_for(lambda: runtime.status().last_purge is not None, 15.0)  # housekeeping purged at start-up
        before = len(wakes.threads)

        # An import on the HTTP endpoint wakes the worker on the endpoint's thread; the call is linked at once.
        unique_id = f"runtime-{uuid.uuid4().hex[:12]}"
        answer = post(status.http.location, context, _recent_call(unique_id, "090-5555-0101"))
        assert answer.status_code == 200, answer.text
        assert wakes.event.wait(10)
        assert len(wakes.threads) > before and wakes.threads[-1] != threading.current_thread().name
        wait_for(lambda: env.job(unique_id).state == "linked", 15.0)
        tasks = env.tasks(unique_id)
        assert len(tasks) == 1 and tasks[0]["WhatId"] == env.fallback_id  # an unknown number: the fallback record

        whole = runtime.status()
        assert whole.worker_running and not whole.stopped
        assert whole.sources is not None and whole.sources.http.state is SourceState.RUNNING
    finally:
        ended = runtime.stop()

    # Stopped in order, and all of it before the database closes: nothing listens or watches any more, the
    # worker's thread is joined, and the database (still open) is untouched by a late call.
    assert ended and not runtime.worker.running
    assert runtime.worker.status.state == WorkerState.STOPPED
    assert not any(t.name in SOURCE_THREADS for t in threading.enumerate())
    assert port_is_free(port)
    assert runtime.sources is None
    assert not runtime.housekeeper._thread.is_alive()
    calls = _calls(context)
    with pytest.raises(requests.ConnectionError):
        post(status.http.location, context, _recent_call("after-stop", "090-5555-0102"))
    shutil.copy(Path(__file__).resolve().parent.parent / "data" / "biztel_history.csv", inbox / "late.csv")
    time.sleep(0.3)  # the folder was polled every 0.05 s: a running watcher would have taken the file by now
    assert (inbox / "late.csv").exists() and _calls(context) == calls
    assert runtime.stop() and runtime.status().stopped  # a second stop (the window's close, then the session's) is harmless


def test_a_runtime_without_sources_runs_no_folder_and_no_endpoint(context: AppContext, tmp_path: Path) -> None:
    """The demo profile and `sync --once`: only the worker (and housekeeping)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    port = free_port()
    configure(context, inbox, port)
    runtime = LinkRuntime(context, run_sources=False)
    runtime.start(worker=False)  # as the window does: its WorkerController starts the worker
    try:
        assert runtime.wait_for_sources() is None and runtime.sources is None
        assert not runtime.worker.running
        assert port_is_free(port)
        assert not any(t.name in SOURCE_THREADS for t in threading.enumerate())
    finally:
        assert runtime.stop()
    with pytest.raises(RuntimeError):
        runtime.start()  # a runtime runs once: the window's restart of its worker goes through the controller
