"""Real-org behaviours the dev org models (docs/salesforce-facts.md): slow commits, archived activities, the chunk
rule of sObject Collections, all-or-none composites, assignment rules and the two REQUEST_LIMIT_EXCEEDED limits."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from devorg_helpers import soap_client
from simple_salesforce import Salesforce, SalesforceMalformedRequest, SalesforceRefusedRequest

from biztel_desk.devorg.server import DevOrg


def _collection(sf: Salesforce, records: list[dict[str, Any]], all_or_none: bool = False) -> Any:
    return sf.restful("composite/sobjects", method="POST", json={"allOrNone": all_or_none, "records": records})


def _post(sf: Salesforce, path: str, body: Any, timeout: float, headers: dict[str, str] | None = None) -> Any:
    url = f"{sf.base_url}{path}"
    return sf.session.post(url, json=body, headers={**sf.headers, **(headers or {})}, timeout=timeout)


def test_slow_commit_commits_after_the_client_gave_up(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="empty")
    sf = soap_client(org)
    name = f"slow-{uuid.uuid4().hex[:8]}"
    org.inject_fault("slow_commit", count=1, match="/sobjects/Account", seconds=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        _post(sf, "sobjects/Account", {"Name": name}, timeout=0.3)
    # Running on the server: not visible to a query yet (records are invisible until commit)...
    assert sf.query(f"SELECT Id FROM Account WHERE Name = '{name}'")["totalSize"] == 0
    time.sleep(1.2)
    # ...then committed, though nobody received the answer.
    assert sf.query(f"SELECT Id FROM Account WHERE Name = '{name}'")["totalSize"] == 1


def test_closed_old_tasks_are_archived_for_query_not_for_query_all(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="empty")
    sf = soap_client(org)
    old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    recent = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    for subject, date, status in (("old-closed", old, "Completed"), ("old-open", old, "Not Started"),
                                  ("recent-closed", recent, "Completed")):
        sf.Task.create({"Subject": subject, "ActivityDate": date, "Status": status})

    def subjects(include_deleted: bool) -> set[str]:
        rows = sf.query_all("SELECT Subject FROM Task", include_deleted=include_deleted)["records"]
        return {row["Subject"] for row in rows}

    everything = {"old-closed", "old-open", "recent-closed"}
    assert subjects(False) == everything  # archiving is off by default
    org.set_activity_archiving(365)
    assert subjects(False) == {"old-open", "recent-closed"}
    assert subjects(True) == everything


def test_collections_process_at_most_ten_type_chunks(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="empty")
    sf = soap_client(org)
    account = {"attributes": {"type": "Account"}, "Name": "A"}
    lead = {"attributes": {"type": "Lead"}, "LastName": "L", "Company": "C"}
    alternating = [dict(account) if i % 2 == 0 else dict(lead) for i in range(11)]  # 11 chunks
    with pytest.raises(SalesforceMalformedRequest) as info:
        _collection(sf, alternating)
    assert "10 chunks" in str(info.value.content)
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0
    grouped = sorted(alternating, key=lambda r: r["attributes"]["type"])  # 2 chunks: accepted
    assert all(r["success"] for r in _collection(sf, grouped))


def test_all_or_none_composite_fails_for_a_record_of_a_collection(make_org: Callable[..., DevOrg]) -> None:
    """allOrNone on the composite overrides its collections': a bad record rolls everything back."""
    org = make_org(seed="empty")
    sf = soap_client(org)
    prefix = f"/services/data/v{sf.sf_version}/composite/sobjects"
    body = {"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": prefix, "referenceId": "good",
         "body": {"allOrNone": False, "records": [{"attributes": {"type": "Account"}, "Name": "ok"}]}},
        {"method": "POST", "url": prefix, "referenceId": "bad",
         "body": {"allOrNone": False, "records": [{"attributes": {"type": "Account"}, "Name": "fine"},
                                                  {"attributes": {"type": "Account"}}]}},  # Name missing
    ]}
    answer = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert answer[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert answer[1]["body"][1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"  # its own error
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0
    org.inject_fault("opaque_rollback")
    answer = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert {r["body"][0]["errorCode"] for r in answer} == {"PROCESSING_HALTED"}


def test_assignment_rules_run_unless_the_header_says_false(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="empty")
    sf = soap_client(org)
    queue_owner = org.add_user("割当先")
    org.set_assignment_rule(queue_owner)

    def owner(response: requests.Response) -> str:
        record_id = response.json()["id"]
        return str(sf.Lead.get(record_id)["OwnerId"])

    lead = {"LastName": "割当", "Company": "x"}
    assert owner(_post(sf, "sobjects/Lead", lead, 10)) == queue_owner
    assert owner(_post(sf, "sobjects/Lead", lead, 10, {"Sforce-Auto-Assign": "FALSE"})) == org.user_id
    org.set_assignment_rule(None)
    assert owner(_post(sf, "sobjects/Lead", lead, 10)) == org.user_id


def test_concurrent_long_requests_are_refused_apart_from_the_daily_limit(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="empty", concurrent_long_limit=1, long_request_s=0.2)
    sf = soap_client(org)
    org.inject_fault("slow_commit", count=1, match="/sobjects/Account", seconds=1.5)
    slow = threading.Thread(target=lambda: _post(sf, "sobjects/Account", {"Name": "long"}, timeout=10))
    slow.start()
    try:
        time.sleep(0.6)  # the slow write has now run longer than long_request_s
        with pytest.raises(SalesforceRefusedRequest) as info:
            sf.query("SELECT Id FROM Account")
        assert "ConcurrentPerOrgLongTxn" in str(info.value.content)
    finally:
        slow.join()
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 1  # free again once it finished
    org.inject_fault("limit_exceeded")
    with pytest.raises(SalesforceRefusedRequest) as daily:
        sf.query("SELECT Id FROM Account")
    assert "TotalRequests" in str(daily.value.content)
