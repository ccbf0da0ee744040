"""Injected faults, counters, latency and the daily limit, as simple-salesforce and requests see them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
import requests
from devorg_helpers import soap_client
from simple_salesforce import (
    Salesforce,
    SalesforceAuthenticationFailed,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from biztel_desk.devorg.server import DevOrg


def test_http_503_is_a_general_error(sf: Salesforce, devorg: DevOrg) -> None:
    devorg.inject_fault("http_503")
    with pytest.raises(SalesforceGeneralError) as info:
        sf.query("SELECT Id FROM User")
    assert info.value.status == 503
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1  # only the next request failed


def test_drop_before_write_is_a_connection_error_and_writes_nothing(sf: Salesforce, devorg: DevOrg) -> None:
    subject = f"drop-before-{uuid.uuid4().hex[:8]}"
    devorg.inject_fault("drop_before_write")
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.Task.create({"Subject": subject})
    assert sf.query(f"SELECT COUNT() FROM Task WHERE Subject = '{subject}'")["totalSize"] == 0


def test_drop_after_commit_is_a_connection_error_but_the_record_exists(sf: Salesforce, devorg: DevOrg) -> None:
    subject = f"drop-after-{uuid.uuid4().hex[:8]}"
    devorg.inject_fault("drop_after_commit", match="composite/sobjects")
    records = [{"attributes": {"type": "Task"}, "Subject": subject, "CallObject": str(i)} for i in range(3)]
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": records})
    assert sf.query(f"SELECT COUNT() FROM Task WHERE Subject = '{subject}'")["totalSize"] == 3


def test_drop_faults_ignore_reads(sf: Salesforce, devorg: DevOrg) -> None:
    devorg.inject_fault("drop_before_write")
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1
    assert devorg.pending_faults() == [{"kind": "drop_before_write", "count": 1, "match": None}]


def test_lock_row_is_a_per_record_error_in_collections(sf: Salesforce, devorg: DevOrg) -> None:
    devorg.inject_fault("lock_row", count=2)
    records = [{"attributes": {"type": "Task"}, "Subject": f"lock {i}"} for i in range(4)]
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": records})
    assert [r["success"] for r in results] == [False, False, True, True]
    error = results[0]["errors"][0]
    assert error["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert error["message"].startswith("unable to obtain exclusive access to this record or 1 records")


def test_lock_row_on_a_single_record_write_is_400(sf: Salesforce, devorg: DevOrg) -> None:
    task = sf.Task.create({"Subject": "lock single"})["id"]
    devorg.inject_fault("lock_row")
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Task.update(task, {"Status": "Completed"})
    assert info.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert task in info.value.content[0]["message"]


def test_session_expired_fault_is_survived_by_relogin(sf: Salesforce, devorg: DevOrg) -> None:
    devorg.reset_counters()
    old = sf.session_id
    devorg.inject_fault("session_expired")
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1
    assert sf.session_id != old and not devorg.sessions.is_valid(old)
    assert devorg.counters()["login"] == 1


def test_limit_exceeded_fault_is_refused_request(sf: Salesforce, devorg: DevOrg) -> None:
    devorg.inject_fault("limit_exceeded")
    with pytest.raises(SalesforceRefusedRequest) as info:
        sf.query("SELECT Id FROM User")
    assert info.value.content == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def test_fault_match_targets_a_path(sf: Salesforce, devorg: DevOrg) -> None:
    devorg.inject_fault("http_503", match="/search/")
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1
    with pytest.raises(SalesforceGeneralError):
        sf.search("FIND {0312345678} IN PHONE FIELDS RETURNING Contact(Id)")


def test_faults_on_login_only_with_match(devorg: DevOrg) -> None:
    devorg.inject_fault("http_503", match="/services/Soap/")
    with pytest.raises(SalesforceAuthenticationFailed):
        soap_client(devorg)
    soap_client(devorg)


def test_faults_through_the_http_endpoint(sf: Salesforce, devorg: DevOrg) -> None:
    response = requests.post(f"{devorg.url}/__devorg/faults", json={"kind": "http_503", "count": 1}, timeout=5)
    assert response.status_code == 200
    assert requests.get(f"{devorg.url}/__devorg/faults", timeout=5).json()[0]["kind"] == "http_503"
    assert requests.delete(f"{devorg.url}/__devorg/faults", timeout=5).status_code == 200
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1
    bad = requests.post(f"{devorg.url}/__devorg/faults", json={"kind": "meteor"}, timeout=5)
    assert bad.status_code == 400


def test_counters_by_kind(sf: Salesforce, devorg: DevOrg) -> None:
    requests.post(f"{devorg.url}/__devorg/counters/reset", timeout=5)
    sf.describe()
    sf.Contact.describe()
    sf.query("SELECT Id FROM User")
    created = sf.Task.create({"Subject": "counted"})["id"]
    sf.Task.get(created)
    sf.Task.update(created, {"Subject": "counted 2"})
    sf.Task.delete(created)
    sf.restful("composite/sobjects", method="POST", json={"records": [{"attributes": {"type": "Task"}}]})
    sf.limits()
    counters = requests.get(f"{devorg.url}/__devorg/counters", timeout=5).json()
    expected = {"describe_global": 1, "describe": 1, "query": 1, "create": 1, "read": 1, "update": 1, "delete": 1,
                "collection": 1, "limits": 1, "login": 0}
    assert {k: counters[k] for k in expected} == expected
    assert counters["total"] == 9


def test_latency_applies_to_rest_calls(sf: Salesforce, devorg: DevOrg) -> None:
    requests.post(f"{devorg.url}/__devorg/latency", json={"ms": 150}, timeout=5)
    started = time.monotonic()
    sf.query("SELECT Id FROM User")
    assert time.monotonic() - started >= 0.15


def test_daily_limit_refuses_with_403_and_header(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(daily_limit=3)
    sf = soap_client(org)
    for _ in range(3):
        sf.query("SELECT Id FROM User")
    assert sf.api_usage["api-usage"] == (3, 3)
    with pytest.raises(SalesforceRefusedRequest) as info:
        sf.query("SELECT Id FROM User")
    assert info.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert info.value.content[0]["message"] == "TotalRequests Limit exceeded."
    soap_client(org)  # logins do not count against the limit and still work
    org.set_api_usage(0)
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1
