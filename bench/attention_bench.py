"""要対応 (services.attention.settings_attention) at scale: what one read of the window's attention watch costs.

Run: ``.venv/bin/python bench/attention_bench.py [--jobs 200000] [--db-url postgresql+psycopg://…/empty_db]``.
One setting; the older half of the jobs is linked, the newer half a backlog: pending, every 50th failed. Prints
the median of 10 reads in milliseconds, without and with the retried-failures check (``previous`` says the
setting's calls were failing, so its pending rows are read too). PostgreSQL is ANALYZEd after the fill.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select, text

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.engine.worker import WorkerState, WorkerStatus
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.attention import settings_attention
from biztel_desk.services.context import AppContext
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call, LinkJob, LinkSetting


def fill(database: Database, count: int) -> None:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id))
        for chunk in range(0, count, 10_000):
            numbers = range(chunk, min(count, chunk + 10_000))
            calls = [dict(unique_id=f"u{i}", request_id=f"r{i}", direction="inbound", from_number="090-0000-0000",
                          to_number="03-1234-5678", started_at=start + dt.timedelta(seconds=i),
                          ended_at=start + dt.timedelta(seconds=i + 60)) for i in numbers]
            ids = session.scalars(insert(Call).returning(Call.id), calls).all()
            jobs = []
            for i, call_id in zip(numbers, ids, strict=True):
                state = "linked" if i < count // 2 else ("pending" if i % 50 else "failed")
                jobs.append(dict(call_id=call_id, setting_id=setting_id, state=state,
                                 call_started_at=start + dt.timedelta(seconds=i),
                                 error_code="INVALID_FIELD" if state == "failed" else "", error_message=""))
            session.execute(insert(LinkJob), jobs)
        if database.engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--db-url")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="biztel-attention-bench-"))
    database = Database.open(url=args.db_url, directory=directory)
    context = AppContext(database=database, secrets=SecretStore(MemoryBackend()), lang="ja", data_dir=directory)
    context.config.save_account(AccountConfig(name="a", username="u@example.com"))
    context.config.save_basic(LinkSettingConfig(name="本社", account="a", fallback_record_id="0012v000032fR15AAE",
                                                api_consent=True, status="enabled",
                                                targets=(LinkTargetConfig("03-1234-5678"),)))
    fill(database, args.jobs)
    status = WorkerStatus(WorkerState.RUNNING)
    first = settings_attention(context.config, context.secrets, status)
    for label, previous in (("failed only", None), ("with retried failures", first)):
        times = []
        for _ in range(10):
            began = time.perf_counter()
            settings_attention(context.config, context.secrets, status, previous=previous)
            times.append((time.perf_counter() - began) * 1000)
        print(f"{database.engine.dialect.name} jobs={args.jobs:,} {label}: median {statistics.median(times):.1f} ms")
    database.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
