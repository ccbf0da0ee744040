"""Two desktops (two `biztel-desk sync` processes under different host names) on one real PostgreSQL server.

Desktop A links a backlog; A is SIGKILLed: B takes the setting over. Then B is cut off from the database (frozen
with SIGSTOP while the server terminates its connections: a pulled network cable) while a new A runs: A takes
over; B, thawed, never writes. Every call ends with exactly one Task. The takeover times are printed (and
appended as JSON lines to $BIZTEL_FAILOVER_REPORT when set: docs/benchmarks.md quotes them).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from dbswitch import open_database
from sqlalchemy import select, text
from test_crash import _env, _linked, _prepare, _sync

from biztel_desk.devorg.server import DevOrg
from biztel_desk.engine.lease import HOSTNAME_ENV, parse_owner
from biztel_desk.store.models import LinkJob, LinkLease

CALLS = 900
SEND_TIMEOUT_S = 5  # sync --timeout: a cut-off desktop's last request ends within 3 × this


def owner_host(data_dir: Path) -> str | None:
    database = open_database(data_dir)
    try:
        with database.read() as session:
            owner = session.scalar(select(LinkLease.owner))
            return None if owner is None else parse_owner(owner)[0]
    finally:
        database.close()


def wait(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s"
        time.sleep(0.1)
    return time.monotonic() - started


def cut_off(data_dir: Path, host: str) -> int:
    """What the server sees of a pulled cable: every connection of that desktop is gone."""
    database = open_database(data_dir)
    try:
        with database.begin() as session:
            return len(session.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE :name"
            ), {"name": f"biztel-desk {host}:%"}).all())
    finally:
        database.close()


def desktop(data_dir: Path, env: dict[str, str], host: str) -> subprocess.Popen[str]:
    return _sync(data_dir, {**env, HOSTNAME_ENV: host}, "--timeout", str(SEND_TIMEOUT_S))


@pytest.mark.slow
def test_another_desktop_takes_over_within_30_s_after_a_sigkill_and_a_pulled_cable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("desktops on several hosts share a PostgreSQL server (pytest --db postgresql)")
    data_dir = tmp_path / "data"
    env = _env(tmp_path)
    monkeypatch.setenv("BIZTEL_TEST_KEYRING", env["BIZTEL_TEST_KEYRING"])
    processes: list[subprocess.Popen[str]] = []
    report: dict[str, float | int] = {"calls": CALLS}
    try:
        with DevOrg(seed="demo", records=300, latency_ms=40) as org:
            unique_ids = _prepare(org, data_dir, random.Random(14), calls=CALLS)
            a = desktop(data_dir, env, "DESK-A")
            processes.append(a)
            wait(lambda: _linked(data_dir) >= 50, 120, "A links")
            b = desktop(data_dir, env, "DESK-B")
            processes.append(b)
            time.sleep(3)
            assert owner_host(data_dir) == "DESK-A"  # B waits: A is alive
            # 1. SIGKILL A in the middle of the backlog.
            report["linked_at_sigkill"] = _linked(data_dir)
            a.send_signal(signal.SIGKILL)
            a.wait()
            report["takeover_after_sigkill_s"] = round(wait(lambda: owner_host(data_dir) == "DESK-B", 60,
                                                             "B takes over after SIGKILL"), 1)
            before = _linked(data_dir)
            report["first_link_after_sigkill_s"] = round(report["takeover_after_sigkill_s"] + wait(
                lambda: _linked(data_dir) > before, 60, "B links"), 1)
            # 2. A new A waits; B's cable is pulled (frozen, its connections killed by the server).
            a2 = desktop(data_dir, env, "DESK-A")
            processes.append(a2)
            time.sleep(3)
            assert owner_host(data_dir) == "DESK-B"
            assert _linked(data_dir) < CALLS - 100, "the backlog ran out before the second failover"
            report["linked_at_cut"] = _linked(data_dir)
            b.send_signal(signal.SIGSTOP)
            assert cut_off(data_dir, "DESK-B") >= 1
            report["takeover_after_cut_s"] = round(wait(lambda: owner_host(data_dir) == "DESK-A", 60,
                                                         "A takes over after the cut"), 1)
            before = _linked(data_dir)
            report["first_link_after_cut_s"] = round(report["takeover_after_cut_s"] + wait(
                lambda: _linked(data_dir) > before, 60, "A links"), 1)
            b.send_signal(signal.SIGCONT)  # the cable is back: B must find its lease gone and write nothing
            started = time.monotonic()
            wait(lambda: _linked(data_dir) == CALLS, 300, "every call linked")
            report["drain_after_cut_s"] = round(time.monotonic() - started + report["takeover_after_cut_s"], 1)
            assert owner_host(data_dir) == "DESK-A"
            for process in (a2, b):
                process.send_signal(signal.SIGTERM)
            for process in (a2, b):
                process.communicate(timeout=60)
            sf_tasks = _tasks(org)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    per_call = Counter(sf_tasks)
    report["lost"] = sum(1 for u in unique_ids if per_call[u] == 0)
    report["duplicates"] = sum(n - 1 for u, n in per_call.items() if n > 1)
    print("failover:", json.dumps(report))
    if os.environ.get("BIZTEL_FAILOVER_REPORT"):
        with open(os.environ["BIZTEL_FAILOVER_REPORT"], "a", encoding="utf-8") as out:
            out.write(json.dumps(report) + "\n")
    assert report["lost"] == 0 and report["duplicates"] == 0, report
    assert report["takeover_after_sigkill_s"] < 30 and report["takeover_after_cut_s"] < 30, report
    database = open_database(data_dir)
    try:
        with database.read() as session:
            assert Counter(session.scalars(select(LinkJob.state))) == Counter({"linked": CALLS})
    finally:
        database.close()


def _tasks(org: DevOrg) -> list[str]:
    from conftest import org_client

    rows = org_client(org).query_all("SELECT CallObject FROM Task WHERE CallObject LIKE 'crash-%'")["records"]
    return [row["CallObject"] for row in rows]
