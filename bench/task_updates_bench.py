"""Late legs for a backlog of linked calls: how fast their Tasks are updated, and that each is updated once.

Usage: ``python bench/task_updates_bench.py [--calls 2000] [--records 2000] [--latency-ms 50] [--slow]``.
The dev org runs as its own process. N missed calls (NO ANSWER) are linked first; then each gets its answered
leg (``store.calls.apply_call_change``) and the engine updates the Tasks. Reported: seconds and Tasks/s for the
updates, API calls (login/describe excluded) and PATCH requests they cost, Tasks per call (must be 1) and Tasks
whose fields do not match the answered call (must be 0). ``--slow``: the first PATCH commits after the engine's
write timeout (slow_commit), so its outcome is looked up before anything is sent again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests
from devorg_process import COMPANY, devorg_process, save_profile
from link_backlog import api_calls, counters

from biztel_desk.domain.call import CallRecord
from biztel_desk.engine.linker import EngineOptions, LinkEngine
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.db import Database

START = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def drain(engine: LinkEngine, clock: list[dt.datetime]) -> None:
    for _ in range(10_000):
        result = engine.step("本社")
        if result.error is not None and result.unknown == 0:
            raise SystemExit(f"engine error: {result.error}")
        if result.checking or result.unknown:
            time.sleep(0.5)
            clock[0] += dt.timedelta(seconds=61)
            continue
        if not result.more and result.picked == 0 and result.updated == 0:
            return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--slow", action="store_true")
    args = parser.parse_args()
    with devorg_process(records=args.records, latency_ms=args.latency_ms) as info, tempfile.TemporaryDirectory() as tmp:
        secrets = SecretStore(MemoryBackend())
        database = Database.open(directory=Path(tmp))
        context = AppContext(database=database, secrets=secrets)
        save_profile(context, info, status="enabled")
        rng = random.Random(7)
        records = [CallRecord(unique_id=f"upd-{i:06d}", from_number=f"090{rng.randrange(10**8):08d}",
                              to_number=COMPANY, started_at=START + dt.timedelta(seconds=30 * i), duration_s=0,
                              direction="inbound", disposition="NO ANSWER").finish() for i in range(args.calls)]
        with database.begin() as session:
            store_calls.add_calls(session, records)
        clock = [dt.datetime.now(dt.UTC)]
        options = EngineOptions(write_timeout_s=0.4 if args.slow else 120.0, recheck_s=60)
        engine = LinkEngine(database, secrets, options=options, clock=lambda: clock[0])
        drain(engine, clock)
        with database.begin() as session:
            for i in range(args.calls):
                store_calls.apply_call_change(session, f"upd-{i:06d}", disposition="ANSWERED", duration_s=60 + i % 500,
                                              ended_at=START + dt.timedelta(seconds=30 * i + 90))
        if args.slow:
            requests.post(f"{info['url']}/__devorg/faults", json={"kind": "slow_commit", "count": 1,
                                                                   "match": "/composite/sobjects", "seconds": 1.0},
                          timeout=30).raise_for_status()
        before = counters(info["url"])
        began = time.perf_counter()
        drain(engine, clock)
        seconds = time.perf_counter() - began
        after = counters(info["url"])
        engine.close()
        rows = requests.get(f"{info['url']}/__devorg/records/Task", timeout=120).json()
        ours = [r for r in rows if str(r.get("CallObject", "")).startswith("upd-")]
        per_call = Counter(str(r["CallObject"]) for r in ours)
        wrong = sum(1 for r in ours if r.get("CallDisposition") != "ANSWERED"
                    or r.get("CallDurationInSeconds") != 60 + int(str(r["CallObject"])[4:]) % 500)
        patches = after.get("collection", 0) - before.get("collection", 0)
        print(f"calls={args.calls} latency_ms={args.latency_ms:g} slow={args.slow} update_s={seconds:.2f} "
              f"tasks_per_s={args.calls / seconds:.0f} api_calls={api_calls(before, after)} patch_requests={patches} "
              f"tasks_per_call_max={max(per_call.values())} calls_with_task={len(per_call)} wrong_fields={wrong}")
        database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
