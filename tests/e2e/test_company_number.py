"""The company side of a call in the Task: an outbound call whose source lacks the caller ID uses 既定の発信番号."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from conftest import LinkEnv

from biztel_desk.devorg.seed_data import unknown_numbers
from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import LinkTargetConfig


def test_outbound_without_caller_id_writes_the_default_outbound_number(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env(targets=(LinkTargetConfig("03-1234-5678", default_outbound=True),))
    customer = unknown_numbers(1, random.Random(91).randrange(10**12), set())[0]
    record = CallRecord(
        unique_id="outbound-no-cid-1",
        from_number="",  # Asterisk Master.csv: src is the extension, the presented number is not recorded
        from_extension="201",
        to_number=customer,
        started_at=dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC),
        direction="outbound",
    )
    env.add_records([record])
    env.run()
    (task,) = env.tasks("outbound-no-cid-1")
    assert task["B_PhoneFrom__c"] == "03-1234-5678"
    assert task["B_NaisenFrom__c"] == "201"
    assert task["Description"].splitlines()[0].startswith("発信: 03-1234-5678 →")
