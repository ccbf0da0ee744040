"""Salesforce側の自動設定 on a ``bare`` dev org: API calls and wall time of a full setup, then of a second run.

Usage: ``python bench/setup_org_bench.py [--latency-ms 50]``. The dev org runs as its own process with that latency
on every REST call. Reported per run: the plan's calls, the apply's calls, the total (logins excluded) as the dev
org counts them, and wall time from login to the last verification. Goal: a full setup under 40 calls and 30 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.services.setup_org import SetupSession
from biztel_desk.store.db import Database

ROOT = Path(__file__).resolve().parents[1]


def start_devorg(latency_ms: float) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "biztel_desk", "devorg", "--seed", "bare", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


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
    process, info = start_devorg(args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            context = AppContext(database=Database.open(directory=Path(tmp)), secrets=SecretStore(MemoryBackend()))
            context.config.save_account(AccountConfig(name="devorg", username=info["username"], login_host=info["url"]),
                                        secrets={SecretKind.PASSWORD: info["password"],
                                                 SecretKind.SECURITY_TOKEN: info["security_token"]})
            context.config.save_basic(LinkSettingConfig(name="本社", account="devorg", api_consent=True,
                                                        fallback_record_id="001000000000001AAA",
                                                        targets=(LinkTargetConfig("03-1234-5678"),)))
            print(f"dev org: bare, latency {args.latency_ms:g} ms")
            print("| run | pieces created | plan calls | apply calls | total API calls (dev org) | wall time |")
            print("|---|---|---|---|---|---|")
            for name in ("full setup", "second run"):
                created, plan_calls, apply_calls, total, elapsed = run_once(context, info["url"])
                print(f"| {name} | {created} | {plan_calls} | {apply_calls} | {total} | {elapsed:.2f} s |")
            context.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
