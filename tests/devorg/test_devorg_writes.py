"""Writes over real HTTP with simple-salesforce: CRUD, validation errors, upsert, collections and composite."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests
from simple_salesforce import (
    Salesforce,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from biztel_desk.devorg import ids
from biztel_desk.devorg.server import DevOrg


def _error(exc: pytest.ExceptionInfo[SalesforceMalformedRequest]) -> dict[str, Any]:
    return dict(exc.value.content[0])


@pytest.fixture(scope="module")
def ticket_object(devorg: DevOrg) -> str:
    """A custom object with an external Id and "Allow Activities", added through /__devorg/objects."""
    name = "Ticket__c"
    if name not in devorg.store.objects:
        response = devorg_post(devorg, "/__devorg/objects", {
            "name": name, "label": "チケット", "allow_activities": True,
            "fields": [{"name": "Code__c", "type": "string", "length": 40, "externalId": True},
                       {"name": "Phone__c", "type": "phone"}]})
        assert response.status_code == 201
    return name


def devorg_post(org: DevOrg, path: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(org.url + path, json=body, timeout=10)


def test_crud_round_trip(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "株式会社テスト商事", "Phone": "03-1111-2222"})
    assert account["success"] and account["id"].startswith("001") and len(account["id"]) == 18
    contact = sf.Contact.create({"LastName": "山田", "FirstName": "花子", "AccountId": account["id"],
                                 "Email": "hanako@example.jp"})
    got = sf.Contact.get(contact["id"])
    assert (got["Name"], got["AccountId"], got["IsDeleted"]) == ("山田 花子", account["id"], False)
    assert got["CreatedDate"].endswith("+0000") and got["SystemModstamp"] == got["LastModifiedDate"]
    assert sf.Contact.update(contact["id"], {"Title": "部長"}) == 204
    updated = sf.Contact.get(contact["id"])
    assert updated["Title"] == "部長" and updated["SystemModstamp"] > got["SystemModstamp"]
    assert sf.Contact.delete(contact["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Contact.get(contact["id"])
    assert info.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_ids_are_accepted_as_15_chars_and_case_insensitive_18(sf: Salesforce) -> None:
    created = sf.Account.create({"Name": "大文字小文字株式会社"})["id"]
    assert ids.to18(created[:15]) == created
    assert sf.Account.get(created[:15])["Id"] == created
    assert sf.Account.get(created.lower())["Id"] == created


def test_task_defaults_formula_and_derived_fields(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "通話先株式会社"})["id"]
    contact = sf.Contact.create({"LastName": "通話", "AccountId": account})["id"]
    task = sf.Task.create({"Subject": "着信 通話先株式会社", "WhoId": contact, "TaskSubtype": "Call",
                           "CallType": "Inbound", "CallDurationInSeconds": 42, "ActivityDate": "2024-05-01",
                           "B_ServerIP__c": "https://s0000.u.biztel.jp:8000", "B_UniqueId__c": "1700000000.1",
                           "B_CallStartDateTime__c": "2024-05-01T01:02:03Z"})["id"]
    got = sf.Task.get(task)
    assert (got["Status"], got["Priority"], got["IsClosed"], got["AccountId"]) == (
        "Not Started", "Normal", False, account)
    assert got["B_CallStartDateTime__c"] == "2024-05-01T01:02:03.000+0000"
    assert got["ActivityDate"] == "2024-05-01" and got["CallDurationInSeconds"] == 42
    # The seed's label is /resource/1700000000000/speaker; a real org's has its own timestamp.
    wav = re.sub(r"/resource/\d+/speaker", "/resource/1700000000000/speaker", got["WavUrlImg__c"])
    assert wav == ('<a href="https://s0000.u.biztel.jp:8000/monitor_link/1700000000.1" '
                   'target="Image"><img src="/resource/1700000000000/speaker" alt="Image" border="0"/></a>')
    sf.Task.update(task, {"Status": "Completed"})
    assert sf.Task.get(task)["IsClosed"] is True
    case = sf.Case.create({"Subject": "問い合わせ"})["id"]
    got_case = sf.Case.get(case)
    assert (got_case["Status"], got_case["Priority"], got_case["Origin"]) == ("New", "Medium", None)
    lead = sf.Lead.create({"LastName": "見込", "Company": "見込商事"})["id"]
    assert sf.Lead.get(lead)["Status"] == "Open - Not Contacted"


@pytest.mark.parametrize(("obj", "payload", "code", "fields"), [
    ("Account", {"Phone": "03"}, "REQUIRED_FIELD_MISSING", ["Name"]),
    ("Contact", {"FirstName": "名"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
    ("Lead", {"FirstName": "名"}, "REQUIRED_FIELD_MISSING", ["LastName", "Company"]),
    ("Task", {"Subject": "x" * 256}, "STRING_TOO_LONG", ["Subject"]),
    ("Task", {"B_AgentIdTo__c": "12345678901"}, "STRING_TOO_LONG", ["B_AgentIdTo__c"]),
    ("Task", {"CallType": "Sideways"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["CallType"]),
    ("Task", {"WavUrlImg__c": "x"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["WavUrlImg__c"]),
    ("Task", {"IsDeleted": True}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["IsDeleted"]),
    ("Task", {"WhoId": "not-an-id"}, "MALFORMED_ID", ["WhoId"]),
    ("Task", {"WhoId": "0038d0000009999AAA"}, "INVALID_CROSS_REFERENCE_KEY", ["WhoId"]),
    ("Contact", {"LastName": "x", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS", ["Email"]),
])
def test_validation_errors(sf: Salesforce, obj: str, payload: dict[str, Any], code: str,
                           fields: list[str]) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        getattr(sf, obj).create(payload)
    error = _error(info)
    assert error["errorCode"] == code
    assert error["fields"] == fields
    assert error["message"]


@pytest.mark.parametrize(("payload", "code"), [
    ({"Nope__c": 1}, "INVALID_FIELD"),
    ({"CallDurationInSeconds": "forty"}, "JSON_PARSER_ERROR"),
    ({"ActivityDate": "2024/05/01"}, "JSON_PARSER_ERROR"),
    ({"B_CallStartDateTime__c": "yesterday"}, "JSON_PARSER_ERROR"),
])
def test_undecodable_payloads(sf: Salesforce, payload: dict[str, Any], code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Task.create(payload)
    assert _error(info)["errorCode"] == code


def test_reference_type_and_lead_task_rules(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "参照先株式会社"})["id"]
    lead = sf.Lead.create({"LastName": "リード", "Company": "リード商事"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Task.create({"WhoId": account})  # an Account is not a Who
    assert _error(info)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Task.create({"WhoId": lead, "WhatId": account})
    assert _error(info)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert sf.Task.create({"WhoId": lead})["success"]
    task = sf.Task.create({"TaskSubtype": "Call"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Task.update(task, {"TaskSubtype": "Email"})  # create-only
    assert _error(info)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_unknown_record_and_malformed_id_in_url(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Contact.get("0038d0000009999AAA")
    assert info.value.content[0]["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.update("0038d0000009999AAA", {"Title": "x"})


def test_upsert_by_external_id(sf: Salesforce, ticket_object: str) -> None:
    tickets = getattr(sf, ticket_object)
    code = f"T-{uuid.uuid4().hex[:8]}"
    assert tickets.upsert(f"Code__c/{code}", {"Name": "初回"}) == 201
    assert tickets.upsert(f"Code__c/{code}", {"Name": "更新"}) == 200
    got = tickets.get_by_custom_id("Code__c", code)
    assert got["Name"] == "更新"
    # Salesforce matches external Ids case-insensitively (text external Ids are not case-sensitive by default).
    assert tickets.get_by_custom_id("Code__c", code.lower())["Id"] == got["Id"]
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Task.upsert("Subject/abc", {"Status": "Completed"})  # not an external Id field
    assert "external ID field" in info.value.content[0]["message"]


def test_upsert_with_several_matches_is_300(sf: Salesforce, devorg: DevOrg, ticket_object: str) -> None:
    code = f"DUP-{uuid.uuid4().hex[:6]}"
    # Two records with the same external Id can exist when the field is not unique.
    for _ in range(2):
        sf.restful(f"sobjects/{ticket_object}/", method="POST", json={"Name": "重複", "Code__c": code})
    with pytest.raises(SalesforceMoreThanOneRecord):
        getattr(sf, ticket_object).upsert(f"Code__c/{code}", {"Name": "x"})


def test_custom_object_with_activities_joins_what_id(sf: Salesforce, ticket_object: str) -> None:
    fields = {f["name"]: f for f in sf.Task.describe()["fields"]}
    assert ticket_object in fields["WhatId"]["referenceTo"]
    ticket = sf.restful(f"sobjects/{ticket_object}/", method="POST", json={"Name": "関連"})["id"]
    assert ticket.startswith("a0")
    assert sf.Task.create({"WhatId": ticket})["success"]


def test_collection_create_mixed_results(sf: Salesforce) -> None:
    body = {"allOrNone": False, "records": [
        {"attributes": {"type": "Task"}, "Subject": "ok 1", "CallType": "Inbound"},
        {"attributes": {"type": "Task"}, "Subject": "bad", "CallType": "Nope"},
        {"attributes": {"type": "Contact"}, "LastName": "一括"},
        {"attributes": {"type": "Account"}},
    ]}
    results = sf.restful("composite/sobjects", method="POST", json=body)
    assert [r["success"] for r in results] == [True, False, True, False]
    assert results[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert results[1]["errors"][0]["fields"] == ["CallType"]
    assert results[3]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert "id" not in results[1]
    assert sf.Task.get(results[0]["id"])["Subject"] == "ok 1"


def test_collection_all_or_none_rolls_back(sf: Salesforce) -> None:
    marker = f"aon-{uuid.uuid4().hex[:8]}"
    body = {"allOrNone": True, "records": [
        {"attributes": {"type": "Task"}, "Subject": "good", "CallObject": marker},
        {"attributes": {"type": "Task"}, "Subject": "bad", "CallObject": marker, "CallType": "Nope"},
        {"attributes": {"type": "Task"}, "Subject": "good too", "CallObject": marker},
    ]}
    results = sf.restful("composite/sobjects", method="POST", json=body)
    assert [r["success"] for r in results] == [False, False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert results[2]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert sf.query(f"SELECT COUNT() FROM Task WHERE CallObject = '{marker}'")["totalSize"] == 0


def test_collection_over_200_records_is_refused(sf: Salesforce) -> None:
    records = [{"attributes": {"type": "Task"}, "Subject": str(i)} for i in range(201)]
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": records})
    assert _error(info)["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_collection_update_and_delete(sf: Salesforce) -> None:
    created = sf.restful("composite/sobjects", method="POST", json={"records": [
        {"attributes": {"type": "Task"}, "Subject": "a"}, {"attributes": {"type": "Task"}, "Subject": "b"}]})
    first, second = (r["id"] for r in created)
    updated = sf.restful("composite/sobjects", method="PATCH", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Task"}, "Id": first, "Status": "Completed"},
        {"attributes": {"type": "Task"}, "Id": second, "CallType": "Nope"}]})
    assert [r["success"] for r in updated] == [True, False] and updated[1]["id"] == second
    assert sf.Task.get(first)["Status"] == "Completed"
    deleted = sf.restful("composite/sobjects", method="DELETE", params={"ids": f"{first},{second}"})
    assert [r["success"] for r in deleted] == [True, True]


def test_collection_upsert_on_external_id(sf: Salesforce, ticket_object: str) -> None:
    existing = f"U-{uuid.uuid4().hex[:8]}"
    getattr(sf, ticket_object).upsert(f"Code__c/{existing}", {"Name": "既存"})
    fresh = f"U-{uuid.uuid4().hex[:8]}"
    results = sf.restful(f"composite/sobjects/{ticket_object}/Code__c", method="PATCH", json={
        "allOrNone": False, "records": [
            {"attributes": {"type": ticket_object}, "Code__c": existing, "Name": "更新"},
            {"attributes": {"type": ticket_object}, "Code__c": fresh, "Name": "新規"},
            {"attributes": {"type": ticket_object}, "Name": "キーなし"},
        ]})
    assert [(r["success"], r.get("created")) for r in results] == [(True, False), (True, True), (False, None)]
    assert getattr(sf, ticket_object).get_by_custom_id("Code__c", existing)["Name"] == "更新"


def test_composite_with_references(sf: Salesforce, devorg: DevOrg) -> None:
    devorg.reset_counters()
    body = {"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Case", "referenceId": "case",
         "body": {"Subject": "着信 問い合わせ", "Origin": "Phone"}},
        {"method": "POST", "url": "/services/data/v59.0/composite/sobjects", "referenceId": "tasks",
         "body": {"allOrNone": True, "records": [
             {"attributes": {"type": "Task"}, "Subject": "着信", "WhatId": "@{case.id}"}]}},
        {"method": "GET", "url": "/services/data/v59.0/sobjects/Task/@{tasks[0].id}?fields=WhatId,Subject",
         "referenceId": "read"},
        {"method": "GET", "url": "/services/data/v59.0/query/?q=SELECT+Id+FROM+Case+WHERE+Id='@{case.id}'",
         "referenceId": "query"},
    ]}
    response = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in response] == [201, 200, 200, 200]
    case_id = response[0]["body"]["id"]
    assert response[0]["httpHeaders"]["Location"].endswith(case_id)
    assert response[2]["body"]["WhatId"] == case_id
    assert response[3]["body"]["records"][0]["Id"] == case_id
    assert devorg.counters()["composite"] == 1 and devorg.counters()["total"] == 1


def test_composite_all_or_none_rolls_back_everything(sf: Salesforce) -> None:
    subject = f"rollback-{uuid.uuid4().hex[:8]}"
    body = {"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Case", "referenceId": "case",
         "body": {"Subject": subject}},
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Task", "referenceId": "task",
         "body": {"Subject": subject, "WhatId": "@{case.id}", "CallType": "Nope"}},
    ]}
    response = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in response] == [400, 400]
    assert response[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert response[1]["body"][0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert sf.query(f"SELECT COUNT() FROM Case WHERE Subject = '{subject}'")["totalSize"] == 0


def test_composite_without_all_or_none_halts_only_dependents(sf: Salesforce) -> None:
    body = {"allOrNone": False, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Account", "referenceId": "acc", "body": {}},
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Contact", "referenceId": "con",
         "body": {"LastName": "依存", "AccountId": "@{acc.id}"}},
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Contact", "referenceId": "free",
         "body": {"LastName": "独立"}},
    ]}
    response = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in response] == [400, 400, 201]
    assert response[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"


def test_composite_over_25_subrequests_is_refused(sf: Salesforce) -> None:
    requests_ = [{"method": "GET", "url": "/services/data/v59.0/limits", "referenceId": f"r{i}"} for i in range(26)]
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful("composite", method="POST", json={"compositeRequest": requests_})


def test_system_modstamp_strictly_increases_within_a_burst(sf: Salesforce) -> None:
    marker = f"stamp-{uuid.uuid4().hex[:8]}"
    records = [{"attributes": {"type": "Task"}, "Subject": str(i), "CallObject": marker} for i in range(50)]
    sf.restful("composite/sobjects", method="POST", json={"records": records})
    rows = sf.query(f"SELECT SystemModstamp FROM Task WHERE CallObject = '{marker}' ORDER BY SystemModstamp")
    stamps = [r["SystemModstamp"] for r in rows["records"]]
    assert len(set(stamps)) == 50


def test_record_page_shows_fields_and_related_tasks(sf: Salesforce, devorg: DevOrg) -> None:
    contact = sf.Contact.create({"LastName": "<script>山本</script>"})["id"]
    sf.Task.create({"Subject": "着信 記録", "WhoId": contact})
    page = sf.session.get(f"{devorg.url}/lightning/r/Contact/{contact}/view")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    text = page.content.decode("utf-8")
    assert "&lt;script&gt;山本&lt;/script&gt;" in text and "<script>" not in text
    assert "着信 記録" in text
    assert sf.session.get(f"{devorg.url}/lightning/r/Contact/0038d0000009999AAA/view").status_code == 404
