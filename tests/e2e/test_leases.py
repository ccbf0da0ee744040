"""Exactly once across engines sharing one database: the per-setting lease (SPEC §1, §10), over real HTTP."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from conftest import LinkEnv
from dbswitch import open_database
from sqlalchemy import select
from test_link_engine import new_number, only_task, wait_for

from biztel_desk.devorg.server import DevOrg
from biztel_desk.engine.linker import LinkEngine, StepResult
from biztel_desk.engine.worker import LinkWorker, WorkerState
from biztel_desk.store.models import LinkJob, LinkLease, LinkSetting


def hold_first_write(monkeypatch: pytest.MonkeyPatch, org: DevOrg) -> tuple[threading.Event, threading.Event]:
    """The dev org keeps the first write request waiting (server side) until ``release`` is set."""
    entered, release = threading.Event(), threading.Event()
    original = org.dispatch
    held = threading.Lock()

    def dispatch(method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Any:
        if method in {"POST", "PATCH"} and "/composite" in raw_path and held.acquire(blocking=False):
            entered.set()
            release.wait(30)
        return original(method, raw_path, headers, body)

    monkeypatch.setattr(org, "dispatch", dispatch)
    return entered, release


def setting_id(env: LinkEnv) -> int:
    with env.context.database.read() as session:
        found = session.scalar(select(LinkSetting.id).where(LinkSetting.name == env.setting))
        assert found is not None
        return found


def lease_of(env: LinkEnv) -> LinkLease | None:
    with env.context.database.read() as session:
        return session.get(LinkLease, setting_id(env))


def put_lease(env: LinkEnv, owner: str, expires_at: dt.datetime) -> None:
    with env.context.database.begin() as session:
        session.merge(LinkLease(setting_id=setting_id(env), owner=owner, expires_at=expires_at))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_two_engines_one_database_write_a_call_once(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Engine A is inside its send (the dev org holds its request) while engine B steps: B must not resend."""
    env = link_env()
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "二重", "Phone": number})["id"]
    uid = env.add_call(number)
    # B is another process in all but name: its own connection pool on the same SQLite file, its own owner.
    other = open_database(env.context.data_dir)
    engine_b = LinkEngine(other, env.context.secrets, options=env.options, clock=env.clock)
    entered, release = hold_first_write(monkeypatch, link_org)
    results: list[StepResult] = []
    thread = threading.Thread(target=lambda: results.append(env.engine.step(env.setting)))
    thread.start()
    try:
        assert entered.wait(20), "engine A never sent"
        assert env.job(uid).state == "sending"
        b = engine_b.step(env.setting)
        # Before the lease, B took A's in-flight batch for abandoned: lookup (nothing yet) → pending → resent.
        assert b.paused == "lease" and b.lease_holder == env.engine.leases.owner
        assert (b.resolved, b.picked, b.linked) == (0, 0, 0)
        assert env.job(uid).state == "sending"
    finally:
        release.set()
        thread.join(30)
    assert results and results[0].linked == 1
    assert engine_b.step(env.setting).paused == "lease"  # A still runs: B keeps away
    env.engine.close()  # a clean stop gives the lease back
    assert lease_of(env) is None
    env.add_call(new_number())
    b = engine_b.step(env.setting)
    assert b.paused is None and b.linked == 1 and lease_of(env) is not None
    engine_b.close()
    other.close()
    assert only_task(env, uid)["WhoId"] == contact
    assert env.job(uid).state == "linked"


def test_a_dead_local_owner_is_taken_over_at_once(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env()
    uid = env.add_call(new_number())
    # A SIGKILLed sync on this machine left its lease for another hour: its process is gone, take it now.
    put_lease(env, f"{socket.gethostname()}:{dead_pid()}:killed", dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    result = env.engine.step(env.setting)
    assert result.paused is None and result.linked == 1
    assert env.job(uid).state == "linked" and len(env.tasks(uid)) == 1
    lease = lease_of(env)
    assert lease is not None and lease.owner == env.engine.leases.owner


def test_a_remote_owner_is_taken_over_only_when_expired(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env()
    uid = env.add_call(new_number())
    # Another desktop (another host: its pid means nothing here) renewed a minute ago: it is alive.
    put_lease(env, "other-desktop.example:1:alive", dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    result = env.engine.step(env.setting)
    assert result.paused == "lease" and result.lease_holder == "other-desktop.example:1:alive"
    assert env.job(uid).state == "pending" and env.tasks(uid) == []
    # It stopped renewing (crashed, lost its network): once expired, the lease is ours.
    put_lease(env, "other-desktop.example:1:alive", dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    result = env.engine.step(env.setting)
    assert result.paused is None and result.linked == 1 and len(env.tasks(uid)) == 1


def test_a_live_local_owner_keeps_its_lease(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env()
    uid = env.add_call(new_number())
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        put_lease(env, f"{socket.gethostname()}:{live.pid}:running", dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
        assert env.engine.step(env.setting).paused == "lease"
        assert env.job(uid).state == "pending"
    finally:
        live.kill()
        live.wait()
    assert env.engine.step(env.setting).linked == 1  # it died: taken over at the next step


def test_other_settings_are_not_touched(link_env: Callable[..., LinkEnv]) -> None:
    busy, free = link_env("支店A"), link_env("支店B")
    put_lease(busy, "other-desktop.example:1:alive", dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    uid = free.add_call(new_number())  # both settings watch the same company number: one job each
    assert busy.engine.step(busy.setting).paused == "lease"
    assert free.engine.step(free.setting).linked == 1
    assert states(free) == {"支店A": "pending", "支店B": "linked"} and len(free.tasks(uid)) == 1


def states(env: LinkEnv) -> dict[str, str]:
    with env.context.database.read() as session:
        rows = session.execute(select(LinkSetting.name, LinkJob.state).join(LinkJob, LinkJob.setting_id == LinkSetting.id))
        return {name: state for name, state in rows}


def test_the_worker_says_another_process_is_sending(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env()
    put_lease(env, "other-desktop.example:1:alive", dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    uid = env.add_call(new_number())
    worker = LinkWorker(env.context.database, env.context.secrets, settings=[env.setting], lang="ja",
                        poll_interval_s=0.1, lease_retry_s=0.2)
    worker.start()
    try:
        wait_for(lambda: "別のプロセスがこの連携設定を送信中です" in worker.status.message)
        assert worker.status.state == WorkerState.RUNNING
        assert env.job(uid).state == "pending"
        put_lease(env, "other-desktop.example:1:alive", dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        wait_for(lambda: env.job(uid).state == "linked")  # retried later, and taken once expired
    finally:
        assert worker.stop(10)
    assert lease_of(env) is None  # released on a clean stop
