"""Salesforce側の自動設定 on a ``bare`` dev org: API calls and wall time of a full setup, then of a second run.

Usage: ``python bench/setup_org_bench.py [--latency-ms 50]``. The dev org runs as its own process with that latency
on every REST call. Reported per run: the plan's calls, the apply's calls, the total (logins excluded) as the dev
org counts them, and wall time from login to the last verification. Goal: a full setup under 40 calls and 30 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import requests
from devorg_process import devorg_process, save_profile

from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.services.setup_org import SetupSession
from biztel_desk.store.db import Database


def total_calls(url: str) -> int:
    return int(requests.get(f"{url}/__devorg/counters", timeout=30).json()["total"])


def run_once(context: AppContext, url: str) -> tuple[int, int, int, int, float]:
    before = total_calls(url)
    started = time.perf_counter()
    session = SetupSession(context.config, context.secrets, "本社")
    try:
        plan = session.plan()
        plan_calls = session.calls
        session.apply(plan)
    finally:
        session.close()
    elapsed = time.perf_counter() - started
    return len(plan.creates), plan_calls, session.calls - plan_calls, total_calls(url) - before, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args()
    with devorg_process(seed="bare", latency_ms=args.latency_ms) as info, tempfile.TemporaryDirectory() as tmp:
        context = AppContext(database=Database.open(directory=Path(tmp)), secrets=SecretStore(MemoryBackend()))
        save_profile(context, info, fallback_record_id="001000000000001AAA")
        print(f"dev org: bare, latency {args.latency_ms:g} ms")
        print("| run | pieces created | plan calls | apply calls | total API calls (dev org) | wall time |")
        print("|---|---|---|---|---|---|")
        for name in ("full setup", "second run"):
            created, plan_calls, apply_calls, total, elapsed = run_once(context, info["url"])
            print(f"| {name} | {created} | {plan_calls} | {apply_calls} | {total} | {elapsed:.2f} s |")
        context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
