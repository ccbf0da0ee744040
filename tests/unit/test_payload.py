"""Task, Case and Lead payloads: every field of SPEC §10, WhoId/WhatId rules, ActivityDate in the local zone."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from biztel_desk.domain.matching import Target
from biztel_desk.domain.payload import (
    CallFacts,
    WriteOptions,
    case_fields,
    description,
    lead_fields,
    task_fields,
    wants_case,
)

CALL = CallFacts(
    unique_id="1700000000.123",
    request_id="REQ-42",
    direction="inbound",
    from_number="09012345678",
    to_number="0312345678",
    customer_number="09012345678",
    company_number="0312345678",
    from_agent_id="",
    to_agent_id="agent-0001-long",
    from_extension="",
    to_extension="201",
    started_at=dt.datetime(2026, 11, 27, 15, 30, tzinfo=dt.UTC),  # 00:30 on the 28th in Tokyo
    ended_at=dt.datetime(2026, 11, 27, 15, 35, 5, tzinfo=dt.UTC),
    duration_s=305,
    recording_server_url="https://s0000.u.biztel.jp:8000",
)


def test_task_on_contact() -> None:
    fields = task_fields(CALL, Target("Contact", "003000000000001AAA"), WriteOptions())
    assert fields["WhoId"] == "003000000000001AAA" and "WhatId" not in fields
    assert fields["Subject"] == "着信 090-1234-5678"
    assert fields["ActivityDate"] == "2026-11-28"  # across midnight in Asia/Tokyo
    assert fields["CallType"] == "Inbound" and fields["TaskSubtype"] == "Call"
    assert fields["CallDurationInSeconds"] == 305 and fields["CallObject"] == "1700000000.123"
    assert fields["B_UniqueId__c"] == "1700000000.123"
    assert fields["B_ServerIP__c"] == "https://s0000.u.biztel.jp:8000"
    assert fields["B_CallStartDateTime__c"] == "2026-11-27T15:30:00.000Z"
    assert fields["B_CallEndDateTime__c"] == "2026-11-27T15:35:05.000Z"
    assert fields["B_AgentIdTo__c"] == "agent-0001"  # Text(10)
    assert fields["B_NaisenTo__c"] == "201" and fields["B_PhoneFrom__c"] == "09012345678"
    assert "https://s0000.u.biztel.jp:8000/monitor_link/1700000000.123" in fields["Description"]


def test_task_on_account_and_custom_object_use_whatid() -> None:
    for obj in ("Account", "MyObject__c"):
        fields = task_fields(CALL, Target(obj, "001000000000001AAA"), WriteOptions())
        assert fields["WhatId"] == "001000000000001AAA" and "WhoId" not in fields


def test_admin_playback_writes_request_id() -> None:
    fields = task_fields(CALL, Target("Lead", "00Q000000000001AAA"), WriteOptions(playback_auth="admin"))
    assert fields["B_UniqueId__c"] == "REQ-42" and fields["CallObject"] == "1700000000.123"
    assert "WhatId" not in fields and fields["WhoId"] == "00Q000000000001AAA"


def test_case_mode() -> None:
    options = WriteOptions(activity_mode="case_and_task")
    contact = Target("Contact", "003000000000001AAA", account_id="001000000000001AAA")
    assert wants_case(contact, options) and not wants_case(Target("Lead", "00Q000000000001AAA"), options)
    case = case_fields(CALL, contact, options)
    assert case["Origin"] == "Phone" and case["ContactId"] == contact.record_id and case["AccountId"] == contact.account_id
    task = task_fields(CALL, contact, options, case_ref="@{case0.id}", contact_id=contact.record_id)
    assert task["WhatId"] == "@{case0.id}" and task["WhoId"] == contact.record_id


def test_lead_and_subject_templates() -> None:
    assert lead_fields(CALL) == {"LastName": "090-1234-5678", "Company": "090-1234-5678", "Phone": "090-1234-5678", "LeadSource": "Phone"}
    options = WriteOptions(subject_inbound="{direction} {customer} → {company} ({agent}) {duration}")
    assert task_fields(CALL, None, options)["Subject"] == "着信 090-1234-5678 → 03-1234-5678 (agent-0001-long) 5:05"


# FreePBX / Asterisk: the numbers are phone numbers, the extensions extensions (SPEC §8, §10).
OUTBOUND = dataclasses.replace(
    CALL,
    direction="outbound",
    from_number="",  # Master.csv: src was the agent's extension, no caller ID recorded
    to_number="0862369050",
    customer_number="0862369050",
    company_number="03-1234-5678",  # the setting's 既定の発信番号, resolved when the job was created
    from_agent_id="",
    to_agent_id="",
    from_extension="201",
    to_extension="",
)


def test_inbound_numbers_and_extensions_stay_apart() -> None:
    fields = task_fields(CALL, None, WriteOptions())
    assert (fields["B_PhoneFrom__c"], fields["B_PhoneTo__c"]) == ("09012345678", "0312345678")
    assert (fields["B_NaisenFrom__c"], fields["B_NaisenTo__c"]) == (None, "201")
    assert fields["Description"].splitlines()[0] == "着信: 090-1234-5678 → 03-1234-5678"


def test_outbound_without_caller_id_writes_the_company_number_as_from() -> None:
    fields = task_fields(OUTBOUND, None, WriteOptions())
    assert (fields["B_PhoneFrom__c"], fields["B_PhoneTo__c"]) == ("03-1234-5678", "0862369050")
    assert (fields["B_NaisenFrom__c"], fields["B_NaisenTo__c"]) == ("201", None)
    assert fields["Description"].splitlines()[0] == "発信: 03-1234-5678 → 086-236-9050"
    assert "発信エージェント: - (内線 201)" in fields["Description"]
    assert fields["Subject"] == "発信 086-236-9050"  # the customer, as before


def test_outbound_with_the_presented_caller_id_keeps_it() -> None:
    presented = dataclasses.replace(OUTBOUND, from_number="0311112222")  # FreePBX outbound_cnum
    fields = task_fields(presented, None, WriteOptions())
    assert (fields["B_PhoneFrom__c"], fields["B_NaisenFrom__c"]) == ("0311112222", "201")
    assert description(presented, WriteOptions()).splitlines()[0] == "発信: 03-1111-2222 → 086-236-9050"


def test_inbound_without_a_to_number_falls_back_to_the_company_number() -> None:
    no_did = dataclasses.replace(CALL, to_number="")
    fields = task_fields(no_did, None, WriteOptions())
    assert (fields["B_PhoneFrom__c"], fields["B_PhoneTo__c"]) == ("09012345678", "0312345678")
    assert fields["Description"].splitlines()[0] == "着信: 090-1234-5678 → 03-1234-5678"


def test_the_customer_side_never_takes_the_company_number() -> None:
    hidden = dataclasses.replace(CALL, from_number="", customer_number="")  # a caller with no number at all
    fields = task_fields(hidden, None, WriteOptions())
    assert (fields["B_PhoneFrom__c"], fields["B_PhoneTo__c"]) == (None, "0312345678")
    assert fields["Description"].splitlines()[0] == "着信: - → 03-1234-5678"
    unknown = dataclasses.replace(OUTBOUND, company_number="")  # nothing resolved: nothing invented
    assert task_fields(unknown, None, WriteOptions())["B_PhoneFrom__c"] is None


@pytest.mark.parametrize("template", ["{customer:d}", "{customer!x}", "{customer:{start}}", "{customer:>999999999}",
                                      "{customer!r:>{duration}}", "{", "}{customer"])
def test_a_subject_template_saved_before_validation_never_stops_a_send(template: str) -> None:
    # Refused by validation today, but a database may hold one from an older version: the Task is still written,
    # the unsafe part stays as written, and nothing grows past Task.Subject's 255 characters.
    subject = task_fields(CALL, None, WriteOptions(subject_inbound=template))["Subject"]
    assert 0 < len(subject) <= 255
    assert "999999999" not in template or subject == template


def test_subject_is_capped_at_255_characters() -> None:
    options = WriteOptions(subject_inbound="{customer}" * 100)
    subject = task_fields(CALL, None, options)["Subject"]
    assert len(subject) == 255 and subject.startswith("090-1234-5678090-1234-5678")
