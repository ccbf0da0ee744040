"""Dev org speed: 50,000 demo records, measured with simple-salesforce over real HTTP on loopback.

Run: ``/work/venv/bin/python bench/devorg_bench.py [--records 50000] [--repeat 5]``. Prints a small table of
median / max wall-clock times for login, a 200-term phone SOSL, a 200-record collection create and a
``query_all`` of every Contact.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from simple_salesforce import Salesforce

from biztel_desk.devorg.seed_data import canonical_numbers, generate_demo
from biztel_desk.devorg.server import DevOrg
from biztel_desk.devorg.transport import loopback_session


def _timed(action: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return times, result


def _phone_sosl(records: int, random_seed: int) -> str:
    """200 terms: the national and international digit forms of 100 numbers the demo org holds."""
    numbers = list(canonical_numbers(generate_demo(records=records, random_seed=random_seed)))[:100]
    terms = []
    for e164 in numbers:
        national = "0" + e164.removeprefix("+81")
        terms += [national, e164.removeprefix("+")]
    return (f"FIND {{{' OR '.join(terms)}}} IN PHONE FIELDS RETURNING Contact(Id, Phone, MobilePhone, "
            "LastModifiedDate), Lead(Id, Phone, MobilePhone WHERE IsConverted = false), Account(Id, Phone) "
            "LIMIT 2000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--random-seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    org = DevOrg(seed="demo", records=args.records, random_seed=args.random_seed).start()
    startup = time.perf_counter() - started
    try:
        creds = org.credentials
        session = loopback_session(org.url, timeout=60)

        def login() -> Salesforce:
            return Salesforce(username=creds["username"], password=creds["password"],
                              security_token=creds["security_token"], session=session, version="59.0")

        login_times, sf = _timed(login, args.repeat)
        sosl = _phone_sosl(args.records, args.random_seed)
        sosl_times, found = _timed(lambda: sf.search(sosl), args.repeat)
        contact_ids = [r["Id"] for r in sf.query("SELECT Id FROM Contact LIMIT 200")["records"]]

        def collection() -> list[dict[str, Any]]:
            records = [{"attributes": {"type": "Task"}, "Subject": f"着信 ベンチ {i}", "Status": "Completed",
                        "TaskSubtype": "Call", "CallType": "Inbound", "CallDurationInSeconds": 60,
                        "CallObject": f"bench-{i}", "WhoId": contact_ids[i % len(contact_ids)],
                        "B_UniqueId__c": f"bench-{i}", "B_PhoneFrom__c": "0312345678",
                        "B_CallStartDateTime__c": "2024-05-01T01:02:03Z"} for i in range(200)]
            result: list[dict[str, Any]] = sf.restful("composite/sobjects", method="POST",
                                                      json={"allOrNone": False, "records": records})
            return result

        collection_times, created = _timed(collection, args.repeat)
        query_times, contacts = _timed(lambda: sf.query_all("SELECT Id, Name, Phone, MobilePhone FROM Contact"), 1)
        counts = {name: org.store.count(name) for name in ("Account", "Contact", "Lead")}
    finally:
        org.stop()

    print(f"dev org: {args.records} demo records {counts}, started in {startup:.2f} s")
    print(f"{'operation':<42}{'median s':>10}{'max s':>10}  result")
    rows = [
        ("SOAP login", login_times, "ok"),
        ("phone SOSL, 200 terms (3 objects)", sosl_times, f"{len(found['searchRecords'])} records"),
        ("collection create, 200 Tasks", collection_times, f"{sum(r['success'] for r in created)} created"),
        ("query_all of all Contacts", query_times, f"{len(contacts['records'])} records"),
    ]
    for name, times, result in rows:
        print(f"{name:<42}{statistics.median(times):>10.3f}{max(times):>10.3f}  {result}")


if __name__ == "__main__":
    main()
