"""Exactly once across engines sharing one database: the per-setting lease (SPEC §1, §10), over real HTTP."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import LinkEnv
from helpers.dbswitch import open_database
from sqlalchemy import select, text
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


# A lease owner in another process: what another desktop (BIZTEL_DESK_HOSTNAME) or another sync holds.
HOLDER = """
import os, sys, threading
from pathlib import Path
from biztel_desk.engine.lease import Leases
from biztel_desk.store.db import Database, sqlite_url
database = Database(os.environ.get("BIZTEL_DESK_DB_URL") or sqlite_url(Path(sys.argv[1])))
leases = Leases(database, ttl_s=float(sys.argv[3]))
holder = leases.acquire(int(sys.argv[2]))
print(holder or leases.owner, flush=True)
threading.Event().wait(600)  # not time.sleep: under libfaketime it fails (EINVAL)
"""
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TTL = 1.0  # the lease TTL of these tests: heartbeats every 0.33 s


class Holder:
    """A process holding a setting's lease (heartbeating), until it is SIGKILLed."""

    def __init__(self, env: LinkEnv, host: str | None = None, ttl: float = TTL, *prefix: str) -> None:
        environment = dict(os.environ, FAKETIME_DONT_FAKE_MONOTONIC="1")
        if host is not None:
            environment["BIZTEL_DESK_HOSTNAME"] = host
        self.process = subprocess.Popen([*prefix, sys.executable, "-c", HOLDER, str(env.context.data_dir),
                                         str(setting_id(env)), str(ttl)],
                                        env=environment, stdout=subprocess.PIPE, text=True, start_new_session=True)
        assert self.process.stdout is not None
        self.owner = self.process.stdout.readline().strip()
        assert self.owner, "the holder did not start"

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group: faketime runs python as a child
        self.process.wait()


def cli_env(env: LinkEnv) -> dict[str, str]:
    """A biztel-desk subprocess on the test's database, with a file keyring (it logs in only if it may send)."""
    return {"BIZTEL_TEST_KEYRING": str(env.context.data_dir / "keyring.json"),
            "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
            "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT), os.environ.get("PYTHONPATH", "")])}


def short_lease(env: LinkEnv) -> LinkEnv:
    env.options = replace(env.options, lease_ttl_s=TTL)
    return env


def age_lease(env: LinkEnv, seconds: float) -> None:
    """The row as a database clock that jumped forward (or a desktop far ahead) would see it: long expired."""
    with env.context.database.begin() as session:
        lease = session.get(LinkLease, setting_id(env))
        assert lease is not None
        lease.expires_at -= dt.timedelta(seconds=seconds)
        if lease.heartbeat_at is not None:
            lease.heartbeat_at -= dt.timedelta(seconds=seconds)


def step_until_taken(env: LinkEnv, timeout: float = 15.0) -> tuple[StepResult, float]:
    started = time.monotonic()
    while True:
        result = env.engine.step(env.setting)
        if result.paused != "lease" or time.monotonic() - started > timeout:
            return result, time.monotonic() - started
        time.sleep(0.1)


@pytest.mark.parametrize("host", ["other-desktop.example", None], ids=["another-host", "this-host"])
def test_a_live_owner_is_never_robbed_even_when_its_row_looks_two_minutes_old(
        link_env: Callable[..., LinkEnv], host: str | None) -> None:
    """Clock skew by ageing the lease row: before, any row whose expires_at had passed was taken (150/150 dups)."""
    env = short_lease(link_env())
    uid = env.add_call(new_number())
    holder = Holder(env, host)
    try:
        deadline = time.monotonic() + 4 * TTL
        while time.monotonic() < deadline:  # four TTLs of a row two minutes "old": the heartbeat says alive
            age_lease(env, 120)
            result = env.engine.step(env.setting)
            assert result.paused == "lease" and result.lease_holder == holder.owner
            time.sleep(0.05)
        assert env.job(uid).state == "pending" and env.tasks(uid) == []
    finally:
        holder.kill()
    # It died (SIGKILL): taken over — at once on PostgreSQL (the server released its advisory lock) and on this
    # host (its pid is gone); from another host on SQLite once its heartbeat stood still for a TTL.
    result, waited = step_until_taken(env)
    assert result.paused is None and result.linked == 1 and len(env.tasks(uid)) == 1
    assert waited < 3 * TTL + 1
    lease = lease_of(env)
    assert lease is not None and lease.owner == env.engine.leases.owner and lease.token == 2


@pytest.mark.parametrize("skew", ["-120s", "+120s"])
def test_two_desktops_whose_clocks_differ_by_two_minutes(link_env: Callable[..., LinkEnv], skew: str) -> None:
    """The other desktop runs under libfaketime: its wall clock is two minutes behind or ahead of ours."""
    if shutil.which("faketime") is None:
        pytest.skip("faketime is not installed (apt-get install faketime)")
    env = short_lease(link_env())
    uid = env.add_call(new_number())
    holder = Holder(env, "skewed-desktop.example", TTL, "faketime", "-f", skew)
    try:
        deadline = time.monotonic() + 4 * TTL
        while time.monotonic() < deadline:
            result = env.engine.step(env.setting)
            assert result.paused == "lease" and result.lease_holder == holder.owner
            time.sleep(0.1)
    finally:
        holder.kill()
    result, _ = step_until_taken(env)
    assert result.linked == 1
    # And the other way round: we hold it, the skewed desktop tries (a sync --once two minutes off).
    environment = dict(os.environ, FAKETIME_DONT_FAKE_MONOTONIC="1", BIZTEL_DESK_HOSTNAME="skewed-desktop.example")
    uid2 = env.add_call(new_number())
    env.engine.leases.acquire(setting_id(env))
    environment.update(cli_env(env))
    run = subprocess.run(["faketime", "-f", skew, sys.executable, "-m", "biztel_desk", "--data-dir",
                          str(env.context.data_dir), "--lang", "en", "sync", "--once"],
                         env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert "another process" in (run.stdout + run.stderr).lower(), run.stdout + run.stderr
    assert env.job(uid2).state == "pending" and env.tasks(uid2) == []
    assert env.job(uid).state == "linked" and len(env.tasks(uid)) == 1


def test_a_live_local_owner_keeps_its_lease(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env()
    uid = env.add_call(new_number())
    holder = Holder(env, ttl=120)  # a long TTL: only its process's life matters here
    try:
        assert env.engine.step(env.setting).paused == "lease"
        assert env.job(uid).state == "pending"
    finally:
        holder.kill()
    assert env.engine.step(env.setting).linked == 1  # it died: taken over at the next step


def test_other_settings_are_not_touched(link_env: Callable[..., LinkEnv]) -> None:
    busy, free = link_env("支店A"), link_env("支店B")
    holder = Holder(busy, "other-desktop.example", ttl=120)
    try:
        uid = free.add_call(new_number())  # both settings watch the same company number: one job each
        assert busy.engine.step(busy.setting).paused == "lease"
        assert free.engine.step(free.setting).linked == 1
        assert states(free) == {"支店A": "pending", "支店B": "linked"} and len(free.tasks(uid)) == 1
    finally:
        holder.kill()


def states(env: LinkEnv) -> dict[str, str]:
    with env.context.database.read() as session:
        rows = session.execute(select(LinkSetting.name, LinkJob.state).join(LinkJob, LinkJob.setting_id == LinkSetting.id))
        return {name: state for name, state in rows}


def test_the_worker_says_another_process_is_sending(link_env: Callable[..., LinkEnv]) -> None:
    env = short_lease(link_env())
    holder = Holder(env, "other-desktop.example")
    uid = env.add_call(new_number())
    worker = LinkWorker(env.context.database, env.context.secrets, settings=[env.setting], lang="ja",
                        options=env.options, poll_interval_s=0.1, lease_retry_s=0.2)
    worker.start()
    try:
        wait_for(lambda: "別のプロセスがこの連携設定を送信中です" in worker.status.message)
        assert worker.status.state == WorkerState.RUNNING
        assert env.job(uid).state == "pending"
        holder.kill()
        wait_for(lambda: env.job(uid).state == "linked")  # retried later, and taken once its owner died
    finally:
        holder.kill()
        assert worker.stop(10)
    assert lease_of(env) is None  # released on a clean stop


def kill_lock_connection(env: LinkEnv) -> None:
    """A pulled network cable, as the server sees it: the connection holding the setting's advisory lock dies."""
    from biztel_desk.engine.lease import ADVISORY_CLASS

    with env.context.database.begin() as session:
        pids = session.execute(text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = :k AND objid = :s"
        ), {"k": ADVISORY_CLASS, "s": setting_id(env)}).scalars().all()
        assert len(pids) == 1, pids
        session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pids[0]})


def test_an_owner_cut_off_mid_send_never_writes_and_its_batch_is_resolved_once(
        link_env: Callable[..., LinkEnv], link_org: DevOrg, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    """A's connection dies while its request is in flight: B takes over at once, sends new calls, but looks A's
    batch up only after A's request must have ended; A's late answer is never recorded by A."""
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("a killed database connection releasing the lease: PostgreSQL (advisory locks)")
    env = link_env()
    env.options = replace(env.options, lease_ttl_s=TTL, timeout_s=10.0)  # A waits for its answer
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "切断", "Phone": number})["id"]
    uid = env.add_call(number)
    other = open_database(env.context.data_dir)
    # B waits TTL + 3 × 1 s for A's batch (A's request ends sooner here: it is released right after B's step).
    engine_b = LinkEngine(other, env.context.secrets, options=replace(env.options, timeout_s=1.0), clock=env.clock)
    entered, release = hold_first_write(monkeypatch, link_org)
    results: list[StepResult] = []
    thread = threading.Thread(target=lambda: results.append(env.engine.step(env.setting)))
    thread.start()
    try:
        assert entered.wait(20), "engine A never sent"
        kill_lock_connection(env)
        taken_at = time.monotonic()
        new_uid = env.add_call(new_number())
        b = engine_b.step(env.setting)
        assert b.paused is None and b.linked == 1 and b.resolved == 0  # new work at once; A's batch untouched
        assert env.job(uid).state == "sending" and len(env.tasks(new_uid)) == 1
    finally:
        release.set()  # A's request completes: its Task exists now
        thread.join(30)
    assert results and results[0].paused == "lease" and results[0].linked == 0
    assert env.job(uid).state == "sending"  # A did not record it: it lost the lease
    again = env.engine.step(env.setting)  # A reconnects: B is alive and holds the lock, A keeps away
    assert again.paused == "lease" and again.lease_holder == engine_b.leases.owner
    lease = lease_of(env)
    assert lease is not None and lease.owner == engine_b.leases.owner and lease.token == 2
    assert engine_b.step(env.setting).resolved == 0 or time.monotonic() - taken_at >= TTL + 3
    time.sleep(max(0.0, taken_at + TTL + 3 - time.monotonic()) + 0.2)
    b = engine_b.step(env.setting)
    assert b.resolved == 1 and env.job(uid).state == "linked"
    assert only_task(env, uid)["WhoId"] == contact  # exactly one Task: A's, adopted by B
    engine_b.close()
    other.close()


def test_a_send_longer_than_the_lease_keeps_it_the_heartbeat_renews_it(
        link_env: Callable[..., LinkEnv], link_org: DevOrg, monkeypatch: pytest.MonkeyPatch) -> None:
    """A's request is held for three TTLs: its heartbeat thread keeps the lease, B keeps away, A records it.

    B is "another desktop" (its own host name): on SQLite it would take a row whose heartbeat stood still a TTL.
    """
    env = short_lease(link_env())
    assert env.engine.leases.owner.startswith(socket.gethostname())  # A: this host; B: DESK-B
    uid = env.add_call(new_number())
    other = open_database(env.context.data_dir)
    monkeypatch.setenv("BIZTEL_DESK_HOSTNAME", "DESK-B")
    engine_b = LinkEngine(other, env.context.secrets, options=replace(env.options, timeout_s=10.0), clock=env.clock)
    env.options = replace(env.options, timeout_s=10.0)
    entered, release = hold_first_write(monkeypatch, link_org)
    results: list[StepResult] = []
    thread = threading.Thread(target=lambda: results.append(env.engine.step(env.setting)))
    thread.start()
    try:
        assert entered.wait(20), "engine A never sent"
        deadline = time.monotonic() + 3 * TTL
        while time.monotonic() < deadline:
            assert engine_b.step(env.setting).paused == "lease"
            time.sleep(0.1)
    finally:
        release.set()
        thread.join(30)
    assert results and results[0].paused is None and results[0].linked == 1
    assert env.job(uid).state == "linked" and len(env.tasks(uid)) == 1
    engine_b.close()
    other.close()


def test_list_owners_reads_who_links_what_by_the_database_clock(link_env: Callable[..., LinkEnv]) -> None:
    """The interface of the window and of `biztel-desk db check`."""
    from biztel_desk.engine.lease import list_owners

    busy, _idle = link_env("支店A"), link_env("支店B")
    holder = Holder(busy, "DESK-A")
    try:
        time.sleep(0.5)  # at least one heartbeat
        owners = list_owners(busy.context.database)
        assert [o.setting for o in owners] == ["支店A"]
        info = owners[0]
        assert (info.owner, info.host, info.pid, info.token) == (holder.owner, "DESK-A", holder.process.pid, 1)
        assert info.acquired_at is not None and info.heartbeat_at is not None
        assert info.acquired_at <= info.heartbeat_at <= info.db_now < info.expires_at
        assert not info.expired and info.heartbeat_age_s is not None and 0 <= info.heartbeat_age_s < TTL
    finally:
        holder.kill()
    time.sleep(TTL + 0.2)
    assert list_owners(busy.context.database)[0].expired  # no heartbeat any more
