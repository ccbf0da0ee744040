"""Call import speed: a generated Asterisk Master.csv imported into a fresh SQLite database.

Run: ``.venv/bin/python bench/import_bench.py [--legs 100000] [--customers 20000]``. The file has the realistic
shape of a busy PBX with ``newcdrcolumns=yes`` (uniqueid, userfield, peeraccount, linkedid, sequence): about 40 %
plain calls (one leg), the rest ring groups and queues through ``Local/…;1``/``;2`` channels with several agents,
unanswered legs and Asterisk's trailing ``Hangup`` row, so 100,000 legs are about 40,000 calls. Inbound and
outbound calls on three company numbers (two of them link targets of an enabled setting, one discovered),
internal calls, anonymous callers, BUSY and unanswered calls. Prints legs/s and calls/s for a first import
(every call new, jobs created) and a re-import (every leg already known: nothing created or changed).
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
from biztel_desk.store.models import Call, CallLeg, LinkJob

COMPANY = ("0312345678", "0667778888", "0521234567")


def _row(src: str, dst: str, context: str, channel: str, dstchannel: str, app: str, begin: dt.datetime,
         answer: dt.datetime | None, end: dt.datetime, billsec: int, disposition: str, uniqueid: str, linkedid: str,
         sequence: int) -> str:
    answered = f"{answer:%Y-%m-%d %H:%M:%S}" if answer else ""
    return (
        f'"","{src}","{dst}","{context}","""Caller"" <{src}>","{channel}","{dstchannel}","{app}","",'
        f'"{begin:%Y-%m-%d %H:%M:%S}","{answered}","{end:%Y-%m-%d %H:%M:%S}",{int((end - begin).total_seconds())},'
        f'{billsec},"{disposition}","DOCUMENTATION","{uniqueid}","","","{linkedid}",{sequence}'
    )


def generate(path: Path, legs: int, customers: int, seed: int = 7) -> int:
    """Write about ``legs`` legs; returns the number of calls."""
    rng = random.Random(seed)
    numbers = [f"0{rng.choice('3456789')}0{rng.randrange(10**7, 10**8)}" for _ in range(customers)]
    start = dt.datetime(2024, 4, 1, 8, 0, 0)
    lines: list[str] = []
    calls = sequence = 0
    while len(lines) < legs:
        calls += 1
        begin = start + dt.timedelta(seconds=calls * 17)
        base = 1711929600 + calls
        linkedid = f"{base}.{calls}"
        trunk = f"PJSIP/trunk-{calls:08x}"
        kind = rng.random()
        talk = rng.randrange(1, 900)
        if kind < 0.2:  # outbound from a phone
            extension = str(200 + rng.randrange(50))
            disposition = rng.choice(("ANSWERED", "ANSWERED", "ANSWERED", "NO ANSWER", "BUSY"))
            billsec = talk if disposition == "ANSWERED" else 0
            sequence += 1
            lines.append(_row(extension, rng.choice(numbers), "from-internal", f"PJSIP/{extension}-{calls:08x}", trunk,
                              "Dial", begin, begin if billsec else None, begin + dt.timedelta(seconds=billsec + 5),
                              billsec, disposition, linkedid, linkedid, sequence))
            continue
        if kind < 0.27:  # internal
            a, b = str(200 + rng.randrange(50)), str(200 + rng.randrange(50))
            sequence += 1
            lines.append(_row(a, b, "from-internal", f"PJSIP/{a}-{calls:08x}", f"PJSIP/{b}-{calls:08x}", "Dial", begin,
                              begin, begin + dt.timedelta(seconds=talk), talk, "ANSWERED", linkedid, linkedid, sequence))
            continue
        caller = "anonymous" if rng.random() < 0.05 else rng.choice(numbers)
        company = rng.choice(COMPANY)
        if kind < 0.62:  # one leg straight to a phone
            extension = str(200 + rng.randrange(50))
            answered = rng.random() < 0.8
            sequence += 1
            lines.append(_row(caller, company, "from-pstn", trunk, f"PJSIP/{extension}-{calls:08x}", "Dial", begin,
                              begin if answered else None, begin + dt.timedelta(seconds=talk if answered else 20),
                              talk if answered else 0, "ANSWERED" if answered else "NO ANSWER", linkedid, linkedid,
                              sequence))
            continue
        # ring group or queue: two to four agents through Local/ channels, at most one answers, trailing Hangup row
        agents = rng.sample(range(200, 250), rng.choice((2, 2, 3, 4)))
        winner = rng.randrange(len(agents)) if rng.random() < 0.75 else -1
        app = "Queue" if kind < 0.8 else "Dial"
        for i, agent in enumerate(agents):
            won = i == winner
            local = f"Local/{agent}@from-queue-{calls:08x}{i}"
            end = begin + dt.timedelta(seconds=talk + 10 if won else 10)
            sequence += 1
            lines.append(_row(caller, company, "from-pstn", trunk, f"{local};1", app, begin,
                              begin if won else None, end, talk if won else 0,
                              "ANSWERED" if won else "NO ANSWER", linkedid, linkedid, sequence))
            if won or rng.random() < 0.3:  # the ;2 half of the answering agent (and some of the others)
                sequence += 1
                lines.append(_row(caller, str(agent), "from-queue", f"{local};2", f"PJSIP/{agent}-{calls:08x}",
                                  "Dial", begin, begin if won else None, end, talk if won else 0,
                                  "ANSWERED" if won else "NO ANSWER", f"{base}.{calls}{i}", linkedid, sequence))
        sequence += 1
        finish = begin + dt.timedelta(seconds=talk + 10)
        lines.append(_row(caller, company, "from-pstn", trunk, "", "Hangup", finish, finish, finish, 0, "ANSWERED",
                          linkedid, linkedid, sequence))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        master = root / "Master.csv"
        calls = generate(master, args.legs, args.customers)
        legs = sum(1 for _ in master.open(encoding="utf-8"))
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
        print(f"{legs:,} legs of {calls:,} calls, {size_mb:.1f} MB, SQLite at {root / 'data'}")
        for label in ("first import", "re-import"):
            started = time.perf_counter()
            report = import_file(database, master, time_zone="Asia/Tokyo")
            elapsed = time.perf_counter() - started
            print(
                f"{label:>12}: {elapsed:6.2f} s  {report.rows / elapsed:>9,.0f} legs/s  {calls / elapsed:>8,.0f} calls/s  "
                f"(new calls {report.imported:,}, updated {report.updated:,}, known legs {report.known:,}, "
                f"rejected {len(report.rejected)})"
            )
        with database.read() as session:
            stored = session.scalar(select(func.count()).select_from(Call))
            stored_legs = session.scalar(select(func.count()).select_from(CallLeg))
            jobs = session.scalar(select(func.count()).select_from(LinkJob))
        print(f"stored: {stored:,} calls, {stored_legs:,} legs, {jobs:,} link jobs")
        database.close()


if __name__ == "__main__":
    main()
