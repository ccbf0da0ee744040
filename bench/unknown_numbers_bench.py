"""How long 未登録の番号 and the relink count take on a big calls table (the 連携対象 tab runs both in the background).

Run: ``.venv/bin/python bench/unknown_numbers_bench.py 300000``: that many inbound calls without jobs (the worst case
for relink: every call is a candidate), a sixth on the target number, the rest on aliases and unknown spellings.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services import relink
from biztel_desk.services.config import ConfigService
from biztel_desk.store import link_targets
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call

DIDS = ("0100", "211553", "gsm0", "s", "0312345678", "0667778888")
E164 = {"0312345678": "+81312345678", "0667778888": "+81667778888"}  # the others have no E.164 form


def main(rows: int) -> None:
    database = Database.open(directory=Path(tempfile.mkdtemp()))
    config = ConfigService(database, SecretStore(MemoryBackend()))
    config.save_account(AccountConfig(name="a", username="u@example.com"))
    config.save_basic(LinkSettingConfig(name="s", account="a", fallback_record_id="0012v000032fR15AAE",
                                        status="enabled", api_consent=True,
                                        targets=(LinkTargetConfig("03-1234-5678", aliases=("0100",)),)))
    rng = random.Random(1)
    now = dt.datetime.now(dt.UTC)
    with database.begin() as session:
        for chunk in range(0, rows, 1000):
            values = []
            for i in range(chunk, min(chunk + 1000, rows)):
                did = rng.choice(DIDS)
                values.append({
                    "unique_id": f"u{i}", "direction": "inbound", "from_number": "09011112222", "to_number": did,
                    "company_number": did, "company_e164": E164.get(did),
                    "started_at": now - dt.timedelta(seconds=i), "imported_at": now,
                })
            session.execute(Call.__table__.insert(), values)
    started = time.perf_counter()
    with database.read() as session:
        unknown = link_targets.unknown_numbers(session)
    print(f"{rows:,} calls: unknown_numbers {time.perf_counter() - started:.3f} s",
          [(n.number, n.calls) for n in unknown["s"]])
    started = time.perf_counter()
    count = relink.relinkable(database, "s", "03-1234-5678")
    print(f"relinkable(one number) {time.perf_counter() - started:.3f} s -> {count:,}")
    started = time.perf_counter()
    count = relink.relinkable(database, "s")
    print(f"relinkable(every number) {time.perf_counter() - started:.3f} s -> {count:,}")
    database.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)
