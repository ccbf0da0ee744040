"""Setup over the API on the dev org: Activity custom fields, field-level security through permission sets, the
custom label (ExternalString) and the static resource (docs/salesforce-facts.md "Setup over the API")."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from devorg_helpers import soap_client
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from biztel_desk.devorg.server import DevOrg

pytestmark = pytest.mark.devorg_only("creates setup metadata in a bare dev org")


def _field(sf: Salesforce, name: str, metadata: dict[str, Any]) -> Any:
    return sf.restful("tooling/sobjects/CustomField", method="POST", json={"FullName": name, "Metadata": metadata})


def _refused(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(SalesforceMalformedRequest) as info:
        call()
    return dict(info.value.content[0])


def _user_id(sf: Salesforce, org: DevOrg) -> str:
    return str(sf.query(f"SELECT Id FROM User WHERE Username = '{org.credentials['username']}'")["records"][0]["Id"])


def _grant(sf: Salesforce, org: DevOrg, fields: dict[str, bool]) -> str:
    permission_set = sf.PermissionSet.create({"Name": "BIZTEL_Desk", "Label": "BIZTEL Desk"})["id"]
    for field, edit in fields.items():
        sf.FieldPermissions.create({"ParentId": permission_set, "SobjectType": "Task", "Field": field,
                                    "PermissionsRead": True, "PermissionsEdit": edit})
    sf.PermissionSetAssignment.create({"PermissionSetId": permission_set, "AssigneeId": _user_id(sf, org)})
    return str(permission_set)


def test_activity_field_is_invisible_until_a_permission_set_grants_it(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="bare")
    sf = soap_client(org)
    _field(sf, "Activity.B_UniqueId__c", {"type": "Text", "length": 100, "label": "ユニーク ID", "externalId": True})
    _field(sf, "Activity.B_PhoneTo__c", {"type": "Phone", "label": "着信電話番号"})
    assert not {"B_UniqueId__c", "B_PhoneTo__c"} & {f["name"] for f in sf.Task.describe()["fields"]}
    assert _refused(lambda: sf.query("SELECT B_UniqueId__c FROM Task"))["errorCode"] == "INVALID_FIELD"
    assert _refused(lambda: sf.Task.create({"Subject": "x", "B_UniqueId__c": "u1"}))["errorCode"] == "INVALID_FIELD"
    # Granted: Edit on one field, Read only on the other.
    _grant(sf, org, {"Task.B_UniqueId__c": True, "Task.B_PhoneTo__c": False})
    fields = {f["name"]: f for f in sf.Task.describe()["fields"]}
    unique, phone = fields["B_UniqueId__c"], fields["B_PhoneTo__c"]
    assert (unique["type"], unique["length"], unique["externalId"], unique["createable"]) == ("string", 100, True, True)
    assert phone["type"] == "phone" and not phone["createable"] and not phone["updateable"]
    created = sf.Task.create({"Subject": "x", "B_UniqueId__c": "u1"})["id"]
    assert sf.Task.get(created)["B_UniqueId__c"] == "u1"
    refused = _refused(lambda: sf.Task.create({"Subject": "x", "B_PhoneTo__c": "0312345678"}))
    assert refused["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_task_field_is_refused_activity_field_appears_on_task(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="bare")
    sf = soap_client(org)
    refused = _refused(lambda: _field(sf, "Task.B_ServerIP__c", {"type": "Text", "length": 50}))
    assert refused["errorCode"] == "FIELD_INTEGRITY_EXCEPTION" and "Activity" in refused["message"]
    assert _refused(lambda: _field(sf, "Activity.B_ServerIP__c", {"type": "Text"}))["errorCode"] == (
        "FIELD_INTEGRITY_EXCEPTION")  # a Text field needs its length
    _field(sf, "Activity.B_ServerIP__c", {"type": "Text", "length": 50})
    rows = sf.toolingexecute("query/?q=SELECT+QualifiedApiName,DataType,Length+FROM+FieldDefinition+WHERE+"
                             "EntityDefinition.QualifiedApiName='Task'")["records"]
    assert [(r["DataType"], r["Length"]) for r in rows if r["QualifiedApiName"] == "B_ServerIP__c"] == [("Text(50)", 50)]
    duplicate = _refused(lambda: _field(sf, "Activity.B_ServerIP__c", {"type": "Text", "length": 50}))
    assert duplicate["errorCode"] == "DUPLICATE_DEVELOPER_NAME"


def test_label_resource_and_formula(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="bare")
    sf = soap_client(org)
    formula = ("HYPERLINK(B_ServerIP__c + '/monitor_link/' + B_UniqueId__c, IMAGE($Label.WavImg, \"Image\"), "
               "\"Image\")")
    _field(sf, "Activity.B_ServerIP__c", {"type": "Text", "length": 50})
    _field(sf, "Activity.B_UniqueId__c", {"type": "Text", "length": 100})
    # The formula does not compile while the label it names is missing.
    missing = _refused(lambda: _field(sf, "Activity.WavUrlImg__c", {"type": "Text", "formula": formula}))
    assert "$Label.WavImg" in missing["message"]
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    resource = sf.restful("sobjects/StaticResource", method="POST", json={
        "Name": "speaker", "Body": png, "ContentType": "image/png", "CacheControl": "Public"})
    assert resource["success"] and resource["id"].startswith("081")
    assert _refused(lambda: sf.restful("sobjects/StaticResource", method="POST", json={
        "Name": "speaker", "Body": png, "ContentType": "image/png"}))["errorCode"] == "DUPLICATE_VALUE"
    row = sf.toolingexecute("query/?q=SELECT+Name,BodyLength,SystemModstamp+FROM+StaticResource")["records"][0]
    assert (row["Name"], row["BodyLength"]) == ("speaker", 12) and row["SystemModstamp"]
    label = sf.restful("tooling/sobjects/ExternalString", method="POST", json={
        "Name": "WavImg", "MasterLabel": "音声再生イメージファイル", "Value": "/resource/1/speaker", "Language": "ja"})
    assert label["success"]
    values = sf.toolingexecute("query/?q=SELECT+Name,Value+FROM+ExternalString")["records"]
    assert [(r["Name"], r["Value"]) for r in values] == [("WavImg", "/resource/1/speaker")]
    _field(sf, "Activity.WavUrlImg__c", {"type": "Text", "formula": formula, "label": "音声再生"})
    _grant(sf, org, {"Task.B_ServerIP__c": True, "Task.B_UniqueId__c": True, "Task.WavUrlImg__c": False})
    wav = next(f for f in sf.Task.describe()["fields"] if f["name"] == "WavUrlImg__c")
    assert wav["calculated"] and wav["calculatedFormula"] == formula and wav["type"] == "string"
    task = sf.Task.create({"Subject": "x", "B_ServerIP__c": "https://pbx", "B_UniqueId__c": "u9"})["id"]
    assert 'href="https://pbx/monitor_link/u9"' in sf.Task.get(task)["WavUrlImg__c"]


def test_setup_needs_the_users_permissions(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="bare")
    sf = soap_client(org)
    org.set_user_permission("PermissionsManageUsers", False)
    permission_set = sf.PermissionSet.create({"Name": "P", "Label": "P"})["id"]
    refused = _refused(lambda: sf.PermissionSetAssignment.create(
        {"PermissionSetId": permission_set, "AssigneeId": _user_id(sf, org)}))
    assert refused["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    org.set_user_permission("PermissionsCustomizeApplication", False)
    assert _refused(lambda: _field(sf, "Activity.B_X__c", {"type": "Phone"}))["errorCode"] == "INSUFFICIENT_ACCESS"
    assert _refused(lambda: sf.PermissionSet.create({"Name": "Q", "Label": "Q"}))["errorCode"] == (
        "INSUFFICIENT_ACCESS_OR_READONLY")


def test_seeded_setup_fields_come_with_field_level_security(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="empty")
    fields = {f["name"]: f for f in soap_client(org).Task.describe()["fields"]}
    assert fields["B_UniqueId__c"]["createable"] and fields["B_ServerIP__c"]["updateable"]


def test_api_fields_and_their_security_survive_a_restart(tmp_path: Any) -> None:
    state = tmp_path / "org.sqlite"
    with DevOrg(seed="bare", state_path=state) as first:
        sf = soap_client(first)
        _field(sf, "Activity.B_NaisenTo__c", {"type": "Phone"})
        _field(sf, "Activity.B_NaisenFrom__c", {"type": "Phone"})
        _grant(sf, first, {"Task.B_NaisenTo__c": True})
    with DevOrg(seed="bare", state_path=state) as second:
        sf = soap_client(second)
        names = {f["name"] for f in sf.Task.describe()["fields"]}
        assert "B_NaisenTo__c" in names and "B_NaisenFrom__c" not in names
        rows = sf.toolingexecute("query/?q=SELECT+QualifiedApiName+FROM+FieldDefinition+WHERE+"
                                 "EntityDefinition.QualifiedApiName='Task'")["records"]
        assert {"B_NaisenTo__c", "B_NaisenFrom__c"} <= {r["QualifiedApiName"] for r in rows}
        permission_set = sf.query("SELECT Id FROM PermissionSet WHERE Name = 'BIZTEL_Desk'")["records"][0]["Id"]
        sf.FieldPermissions.create({"ParentId": permission_set, "SobjectType": "Task", "Field": "Task.B_NaisenFrom__c",
                                    "PermissionsRead": True, "PermissionsEdit": True})
        assert "B_NaisenFrom__c" in {f["name"] for f in sf.Task.describe()["fields"]}


def test_an_activity_field_appears_on_event_too(make_org: Callable[..., DevOrg]) -> None:
    """Activity custom fields are shared by Task and Event: created once on Activity, granted once, on both."""
    org = make_org(seed="bare")
    sf = soap_client(org)
    assert _refused(lambda: _field(sf, "Event.B_NaisenTo__c", {"type": "Phone", "label": "着信内線番号"}))[
        "errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    _field(sf, "Activity.B_NaisenTo__c", {"type": "Phone", "label": "着信内線番号"})
    assert "B_NaisenTo__c" not in {f["name"] for f in sf.Event.describe()["fields"]}  # no FLS yet
    _grant(sf, org, {"Task.B_NaisenTo__c": True})
    assert "B_NaisenTo__c" in {f["name"] for f in sf.Task.describe()["fields"]}
    assert "B_NaisenTo__c" in {f["name"] for f in sf.Event.describe()["fields"]}
    start = "2026-12-04T10:00:00.000+0000"
    created = sf.Event.create({"Subject": "打合せ", "StartDateTime": start, "EndDateTime": "2026-12-04T11:00:00.000+0000",
                               "DurationInMinutes": 60, "B_NaisenTo__c": "201"})["id"]
    assert sf.Event.get(created)["B_NaisenTo__c"] == "201"


def test_seeded_orgs_have_the_setup_fields_on_event(make_org: Callable[..., DevOrg]) -> None:
    sf = soap_client(make_org(seed="demo"))
    event_fields = {f["name"] for f in sf.Event.describe()["fields"]}
    assert {"B_UniqueId__c", "B_ServerIP__c", "WavUrlImg__c"} <= event_fields
