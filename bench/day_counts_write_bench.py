"""What the history's per-day count triggers (migration 0018) cost the writers: calls imported and job states
changed per second, with the triggers and without them, on SQLite or PostgreSQL.

Run: ``.venv/bin/python bench/day_counts_write_bench.py [--calls 20000] [--db-url postgresql+psycopg://…/DB]``.
With ``--db-url`` the database must be empty: two schemas are made in it in turn (the tables are dropped between
runs). Each run imports ``--calls`` calls (one job each) through ``store.calls.add_calls`` in batches of 500, then
moves every job pending → sending → linked in batches of 200 (one UPDATE each, as the engine records a batch), and
deletes them all (as the retention purge does, 500 calls a transaction). Prints the median of 3 runs per mode.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, select, text, update

from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.config import ConfigService
from biztel_desk.store import calls as store_calls
from biztel_desk.store.db import Database
from biztel_desk.store.models import Base, Call, LinkJob

TRIGGERS = ("history_day_counts_insert", "history_day_counts_update", "history_day_counts_delete")
START = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def _open(url: str | None) -> Database:
    if url is None:
        return Database.open(directory=Path(tempfile.mkdtemp(prefix="daycounts-bench-")))
    return Database.open(url=url)


def _reset(database: Database) -> None:
    """PostgreSQL: drop every table (and alembic's) so the next open migrates afresh."""
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name} CASCADE")
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS history_day_counts_apply() CASCADE")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS link_jobs_call_started_at() CASCADE")


def run(url: str | None, calls: int, triggers: bool) -> tuple[float, float, float]:
    database = _open(url)
    try:
        config = ConfigService(database, SecretStore(MemoryBackend()))
        config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
        config.save_basic(LinkSettingConfig(name="本社", account="devorg", fallback_record_id="0012v000032fR15AAE",
                                            api_consent=True, status="enabled",
                                            targets=(LinkTargetConfig("03-1234-5678"),)))
        if not triggers:
            with database.engine.begin() as connection:
                for name in TRIGGERS:
                    if database.engine.dialect.name == "postgresql":
                        connection.exec_driver_sql(f"DROP TRIGGER {name} ON link_jobs")
                    else:
                        connection.exec_driver_sql(f"DROP TRIGGER {name}")
        records = [CallRecord(unique_id=f"w{i:07d}", from_number=f"090{i % 10**8:08d}", to_number="0312345678",
                              presented_company_number="0312345678", direction="inbound",
                              started_at=START + dt.timedelta(seconds=17 * i)).finish() for i in range(calls)]
        began = time.perf_counter()
        for first in range(0, calls, 500):
            with database.begin() as session:
                store_calls.add_calls(session, records[first:first + 500])
        imported = time.perf_counter() - began
        with database.read() as session:
            ids = list(session.scalars(select(LinkJob.id).order_by(LinkJob.id)))
        began = time.perf_counter()
        for first in range(0, len(ids), 200):
            chunk = ids[first:first + 200]
            with database.begin() as session:
                session.execute(update(LinkJob).where(LinkJob.id.in_(chunk)).values(state="sending"))
            with database.begin() as session:
                session.execute(update(LinkJob).where(LinkJob.id.in_(chunk)).values(state="linked"))
        outcomes = time.perf_counter() - began
        with database.read() as session:
            call_ids = list(session.scalars(select(Call.id).order_by(Call.id)))
        began = time.perf_counter()
        for first in range(0, len(call_ids), 500):
            chunk = call_ids[first:first + 500]
            with database.begin() as session:
                session.execute(delete(LinkJob).where(LinkJob.call_id.in_(chunk)))
                session.execute(delete(Call).where(Call.id.in_(chunk)))
        deleted = time.perf_counter() - began
        if triggers:
            with database.read() as session:
                assert session.scalar(text("SELECT coalesce(sum(n), 0) FROM history_day_counts")) == 0
        return calls / imported, 2 * len(ids) / outcomes, calls / deleted
    finally:
        if url is not None:
            _reset(database)
        database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--db-url", metavar="URL")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.calls:,} calls on {'PostgreSQL' if args.db_url else 'SQLite'}; load average "
          + " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" on {os.cpu_count()} cores")
    print(f"{'triggers':<10} {'import calls/s':>15} {'state changes/s':>16} {'deletes calls/s':>16}")
    for triggers in (True, False, True, False):
        figures = [run(args.db_url, args.calls, triggers) for _ in range(args.repeat)]
        medians = [statistics.median(figure[i] for figure in figures) for i in range(3)]
        print(f"{'on' if triggers else 'off':<10} {medians[0]:15,.0f} {medians[1]:16,.0f} {medians[2]:16,.0f}")
    print("load average at the end: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    main()
