"""How long 未登録の番号 and the relink count take on a big calls table (the 連携対象 tab runs both in the background).

Run: ``.venv/bin/python bench/unknown_numbers_bench.py 300000``: that many inbound calls without jobs (the worst case
for relink: every call is a candidate), a sixth on the target number, the rest on aliases and unknown spellings.
"""
import datetime as dt, tempfile, time, random, sys
from pathlib import Path
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call
from biztel_desk.store import link_targets
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.services.config import ConfigService
from biztel_desk.secrets import MemoryBackend, SecretStore

rows = int(sys.argv[1])
d = Path(tempfile.mkdtemp())
db = Database.open(directory=d)
config = ConfigService(db, SecretStore(MemoryBackend()))
config.save_account(AccountConfig(name="a", username="u@example.com"))
config.save_basic(LinkSettingConfig(name="s", account="a", fallback_record_id="0012v000032fR15AAE",
                                    status="enabled", api_consent=True, targets=(LinkTargetConfig("03-1234-5678", aliases=("0100",)),)))
rng = random.Random(1)
start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
dids = ["0100", "211553", "gsm0", "s", "0312345678", "0667778888"]
table = Call.__table__
with db.begin() as session:
    for chunk in range(0, rows, 1000):
        session.execute(table.insert(), [
            {"unique_id": f"u{i}", "direction": "inbound", "from_number": "09011112222", "to_number": "x",
             "company_number": (n := rng.choice(dids)), "company_e164": "+81312345678" if n == "0312345678" else None,
             "started_at": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=i), "imported_at": start}
            for i in range(chunk, min(chunk + 1000, rows))])
t = time.perf_counter()
with db.read() as session:
    result = link_targets.unknown_numbers(session)
print(f"{rows:,} calls: unknown_numbers {time.perf_counter() - t:.3f} s", [(n.number, n.calls) for n in result["s"]])
from biztel_desk.services import relink
t = time.perf_counter()
n = relink.relinkable(db, "s", "03-1234-5678")
print(f"relinkable(number) {time.perf_counter() - t:.3f} s -> {n}")
t = time.perf_counter()
n = relink.relinkable(db, "s")
print(f"relinkable(all) {time.perf_counter() - t:.3f} s -> {n}")
