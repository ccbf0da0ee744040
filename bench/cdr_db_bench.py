"""The PBX CDR database source live (issue #15): the delay from a call's last leg to its Task.

Usage: ``python bench/cdr_db_bench.py [--server mariadb|postgresql] [--seconds 300] [--legs-per-s 20]
[--settle 30] [--latency-ms 50] [--interval 2]``. Needs ``BIZTEL_TEST_MARIADB_URL`` (tools/mariadb_server.sh, FreePBX's
cdr table) or ``BIZTEL_TEST_POSTGRES_URL`` (tools/pg_server.sh, Asterisk's cdr table).

A writer inserts legs as a running PBX does (tests/cdr_pbx.py: ring groups, queues, transfers, missed and outbound
calls; ~2 legs per call), ``--legs-per-s`` legs per second for ``--seconds``. The app's parts run as in the window:
the CDR database source (polling every ``--interval`` s) wakes the link worker, which sends to the dev org (its own
process, ``--latency-ms`` on every REST call). Calls settle ``--settle`` s (the system setting call_settle_s) after
their last leg. Reported: the median and p99 of (Task created − the call's last leg inserted), calls linked, Tasks
per call; the goal is p99 ≤ settle + 5 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import cdr_pbx  # noqa: E402
from devorg_process import COMPANY, devorg_process, save_profile  # noqa: E402
from link_backlog import task_call_objects  # noqa: E402
from sqlalchemy import select  # noqa: E402

from biztel_desk.domain.config import LinkTargetConfig  # noqa: E402
from biztel_desk.engine.worker import LinkWorker  # noqa: E402
from biztel_desk.ingest import cdr_db  # noqa: E402
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services import ingest_sources  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.services.ingest_sources import IngestSources  # noqa: E402
from biztel_desk.store import repos  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402
from biztel_desk.store.models import Call, LinkJob  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", choices=["mariadb", "postgresql"], default="mariadb")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--legs-per-s", type=float, default=20)
    parser.add_argument("--settle", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    freepbx = args.server == "mariadb"
    server = cdr_pbx.server_url(freepbx)
    if not server:
        raise SystemExit("start a server first: eval \"$(tools/mariadb_server.sh start)\" (or tools/pg_server.sh)")
    admin_url, writer = cdr_pbx.scratch_database(server, "cdrbench")
    cdr_pbx.create_table(writer, freepbx)
    if freepbx and os.environ.get("BIZTEL_MARIADB_DIR") or not freepbx:
        user, password = cdr_pbx.reader_user(writer, writer.url.database or "", freepbx)
    else:
        user, password = str(writer.url.username), ""
    try:
        with devorg_process(records=2000, latency_ms=args.latency_ms) as info, tempfile.TemporaryDirectory() as tmp:
            secrets = SecretStore(MemoryBackend())
            database = Database.open(directory=Path(tmp))
            context = AppContext(database=database, secrets=secrets)
            save_profile(context, info, status="enabled", targets=(LinkTargetConfig(COMPANY, default_outbound=True),))
            with database.begin() as session:
                system = repos.load_system(session)
                repos.save_system(session, dataclasses.replace(system, call_settle_s=args.settle))
            if password:
                secrets.set(cdr_db.SECRET_KEY, password)
            config = cdr_db.CdrDbConfig(enabled=True, url=cdr_pbx.source_url(admin_url, user, freepbx),
                                        time_zone="Asia/Tokyo", start="now", interval_s=args.interval)
            ingest_sources.save_settings(database, cdr_db=config)
            worker = LinkWorker(database, secrets)
            sources = IngestSources(database, secrets, on_imported=lambda _n: worker.wake())
            worker.start()
            sources.start()
            while cdr_db.load_position(database, config) is None:
                time.sleep(0.2)
            last_leg: dict[str, float] = {}  # call id → wall clock (UTC epoch) when its last leg was inserted
            pbx = cdr_pbx.Pbx(freepbx, seed=11, epoch=int(time.time()))
            began = time.time()
            legs = 0
            i = 0
            zone = dt.timezone(dt.timedelta(hours=9))
            while time.time() - began < args.seconds:
                kind = cdr_pbx.Pbx.KINDS[i % len(cdr_pbx.Pbx.KINDS)]
                # The call started a little earlier; its rows appear as its legs end (now).
                start = dt.datetime.now(zone).replace(tzinfo=None, microsecond=0) - dt.timedelta(seconds=150)
                call, rows = pbx.call(kind, start, f"0335{i % 10_000:04d}{i % 97:02d}")
                cdr_pbx.insert(writer, "cdr", rows)
                last_leg[call.call_id] = time.time()
                legs += len(rows)
                i += 1
                target = began + legs / args.legs_per_s
                time.sleep(max(0.0, target - time.time()))
            written = time.time() - began
            deadline = time.time() + args.settle + 120
            linked_at: dict[str, float] = {}
            while time.time() < deadline and len(linked_at) < len(last_leg):
                with database.read() as session:
                    for unique_id, updated in session.execute(
                        select(Call.unique_id, LinkJob.updated_at).join(LinkJob, LinkJob.call_id == Call.id)
                        .where(LinkJob.state.in_(["linked", "updated", "update_pending"]), LinkJob.task_id.is_not(None))
                    ):
                        linked_at.setdefault(unique_id, updated.timestamp())
                time.sleep(0.5)
            sources.stop()
            worker.stop()
            delays = [linked_at[c] - last_leg[c] for c in last_leg if c in linked_at]
            tasks = task_call_objects(info["url"])
            per_call = Counter(tasks[c] for c in last_leg)
            median = statistics.median(delays) if delays else float("nan")
            p99 = percentile(delays, 0.99) if delays else float("nan")
            print(f"server={args.server} seconds={written:.0f} legs={legs} legs_per_s={legs / written:.1f} "
                  f"calls={len(last_leg)} linked={len(delays)} settle_s={args.settle} interval_s={args.interval:g} "
                  f"latency_ms={args.latency_ms:g} median_s={median:.2f} p99_s={p99:.2f} "
                  f"goal_p99_s={args.settle + 5} tasks_per_call={dict(sorted(per_call.items()))}")
            database.close()
    finally:
        writer.dispose()
        cdr_pbx.drop_database(server, writer.url.database or "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
