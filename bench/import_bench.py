"""Call import speed: a generated Asterisk Master.csv imported into a fresh SQLite database.

Run: ``/work/venv/bin/python bench/import_bench.py [--rows 100000] [--customers 20000]``. The file has the
realistic shape of a busy PBX: inbound and outbound calls on three company numbers (two of them link
targets of an enabled setting, one discovered), internal calls, anonymous callers and unanswered calls.
Prints rows/s for a first import (every row new, jobs created) and a re-import (every row already known).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.ingest.files import import_file
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.config import ConfigService
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call, LinkJob

COMPANY = ("0312345678", "0667778888", "0521234567")


def generate(path: Path, rows: int, customers: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    numbers = [f"0{rng.choice('3456789')}0{rng.randrange(10**7, 10**8)}" for _ in range(customers)]
    start = dt.datetime(2024, 4, 1, 8, 0, 0)
    lines = []
    for i in range(rows):
        begin = start + dt.timedelta(seconds=i * 7)
        talk = rng.randrange(0, 900)
        end = begin + dt.timedelta(seconds=talk + 5)
        kind = rng.random()
        extension = str(200 + rng.randrange(50))
        if kind < 0.55:
            src, dst = rng.choice(numbers), rng.choice(COMPANY)
        elif kind < 0.85:
            src, dst = extension, rng.choice(numbers)
        elif kind < 0.92:
            src, dst = extension, str(200 + rng.randrange(50))
        else:
            src, dst = "anonymous", rng.choice(COMPANY)
        disposition = "ANSWERED" if talk else "NO ANSWER"
        lines.append(
            f'"","{src}","{dst}","from-trunk","""Caller"" <{src}>","PJSIP/trunk-{i:08x}","PJSIP/{extension}-{i:08x}",'
            f'"Dial","PJSIP/{extension},30","{begin:%Y-%m-%d %H:%M:%S}","{begin:%Y-%m-%d %H:%M:%S}",'
            f'"{end:%Y-%m-%d %H:%M:%S}",{talk + 5},{talk},"{disposition}","DOCUMENTATION","{1711929600 + i}.{i}",""'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        master = root / "Master.csv"
        generate(master, args.rows, args.customers)
        database = Database.open(directory=root / "data")
        config = ConfigService(database, SecretStore(MemoryBackend()))
        config.save_account(AccountConfig(name="bench", username="bench@example.com"))
        config.save_basic(
            LinkSettingConfig(
                name="本社",
                account="bench",
                fallback_record_id="0012v000032fR15AAE",
                api_consent=True,
                status="enabled",
                targets=(LinkTargetConfig("03-1234-5678", default_outbound=True), LinkTargetConfig("06-6777-8888")),
            )
        )
        size_mb = master.stat().st_size / 1e6
        print(f"{args.rows:,} rows, {size_mb:.1f} MB, SQLite at {root / 'data'}")
        for label in ("first import", "re-import"):
            started = time.perf_counter()
            report = import_file(database, master, time_zone="Asia/Tokyo")
            elapsed = time.perf_counter() - started
            print(
                f"{label:>12}: {elapsed:6.2f} s  {report.rows / elapsed:>9,.0f} rows/s  "
                f"(imported {report.imported:,}, known {report.known:,}, rejected {len(report.rejected)})"
            )
        with database.read() as session:
            calls = session.scalar(select(func.count()).select_from(Call))
            jobs = session.scalar(select(func.count()).select_from(LinkJob))
        print(f"stored: {calls:,} calls, {jobs:,} link jobs")
        database.close()


if __name__ == "__main__":
    main()
