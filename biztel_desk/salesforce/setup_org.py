"""Salesforce-side setup over the API (SALESFORCE.md "Setup over the API"): reads the org's setup state in a few
calls, and creates one piece at a time — the static resource, the custom label (Tooling ``ExternalString``), the
Activity custom fields (Tooling ``CustomField``), a permission set with its ``FieldPermissions`` and its
assignment. Never an update or a delete. ``calls`` counts the REST requests (logins excluded).

What to create is decided by ``services/setup_org.py``; this module only talks to Salesforce.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick
from biztel_desk.salesforce.connection import RefreshingAuth

PERMISSION_SET_NAME = "BIZTEL_Desk"
PERMISSION_SET_LABEL = "BIZTEL Desk"
# System permissions the setup needs (UserPermissionAccess field names).
CUSTOMIZE_APPLICATION = "PermissionsCustomizeApplication"
MODIFY_METADATA = "PermissionsModifyMetadata"
MANAGE_USERS = "PermissionsManageUsers"
SETUP_PERMISSIONS = (CUSTOMIZE_APPLICATION, MODIFY_METADATA, MANAGE_USERS)


class SetupApiError(KnownError):
    """Salesforce refused or did not answer a setup request: its errorCode and message, never a secret."""

    def __init__(self, sf_code: str, detail: str, *, unreachable: bool = False) -> None:
        super().__init__(f"{sf_code}: {detail}")
        self.sf_code, self.detail, self.unreachable = sf_code, detail, unreachable

    def text(self, lang: str = "ja") -> str:
        if self.unreachable:  # no answer: the network, a proxy, or the org is down
            return pick(lang, f"Salesforceから応答がありません({self.sf_code})。ネットワークを確認してください",
                        f"Salesforce did not answer ({self.sf_code}); check the network")
        return pick(lang, f"Salesforceの応答: {self.sf_code}: {self.detail}",
                    f"Salesforce answered {self.sf_code}: {self.detail}")


@dataclass(frozen=True)
class ExistingField:
    """An Activity custom field as Tooling ``FieldDefinition`` reports it (whatever the user's field security)."""

    name: str
    data_type: str  # "Text(100)", "Text(100) (External ID)", "Phone", "Date/Time", "Formula (Text)", …
    length: int
    calculated: bool


@dataclass(frozen=True)
class VisibleField:
    """A Task field as describe shows it to the logged-in user (only fields its field-level security grants)."""

    name: str
    type: str
    length: int
    createable: bool
    updateable: bool
    external_id: bool
    calculated: bool
    formula: str | None


@dataclass
class OrgSetupState:
    """What the setup needs to know about the org; read by ``SetupApi.read_state``."""

    org_id: str
    org_name: str
    user_id: str
    user_name: str
    username: str
    permissions: dict[str, bool]
    resource_stamp: dt.datetime | None  # SystemModstamp of the static resource; None when it does not exist
    label_value: str | None  # None when the label does not exist
    fields: dict[str, ExistingField]  # Activity fields that exist, by API name
    visible: dict[str, VisibleField]  # Task fields the user sees, by API name
    permission_set_id: str | None
    granted: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # "Task.X__c" → (read, edit) in our set
    assigned: bool = False


def resource_path(stamp: dt.datetime, name: str) -> str:
    """``/resource/<epoch ms>/<name>``: the static resource's URL (its timestamp is its last modification)."""
    return f"/resource/{int(stamp.timestamp() * 1000)}/{name}"


def _soql(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _stamp(raw: Any) -> dt.datetime | None:
    if not raw:
        return None
    text = str(raw).replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]  # "+0000" → "+00:00" (Python 3.11 parses both; be explicit)
    return dt.datetime.fromisoformat(text)


class SetupApi:
    """Setup reads and creates on one logged-in org."""

    def __init__(self, sf: Salesforce, username_hint: str = "") -> None:
        self.sf = sf
        self.username_hint = username_hint
        self.calls = 0

    # --- reads ------------------------------------------------------------------------------------------------

    def read_state(self, resource: str, label: str, field_names: Iterable[str]) -> OrgSetupState:
        """Eight calls (ten when our permission set exists): the user's permissions, the org, the user, the
        resource, the label, the Activity fields (FieldDefinition), Task's describe, the permission set."""
        names = list(field_names)
        permissions_row = self._records(self.sf.query, f"SELECT {', '.join(SETUP_PERMISSIONS)} FROM UserPermissionAccess")
        permissions = {name: bool((permissions_row or [{}])[0].get(name)) for name in SETUP_PERMISSIONS}
        org = (self._records(self.sf.query, "SELECT Id, Name FROM Organization") or [{}])[0]
        user = self._current_user()
        stamp = self.resource_stamp(resource)
        label_value = self.label_value(label)
        wanted = {n.lower() for n in names}
        fields = {name: found for name, found in self.activity_fields().items() if name.lower() in wanted}
        visible = self.task_fields()
        state = OrgSetupState(
            org_id=str(org.get("Id") or ""), org_name=str(org.get("Name") or ""), user_id=str(user.get("Id") or ""),
            user_name=str(user.get("Name") or ""), username=str(user.get("Username") or self.username_hint),
            permissions=permissions, resource_stamp=stamp, label_value=label_value, fields=fields, visible=visible,
            permission_set_id=None)
        sets = self._records(self.sf.query, f"SELECT Id FROM PermissionSet WHERE Name = {_soql(PERMISSION_SET_NAME)}")
        if sets:
            state.permission_set_id = str(sets[0]["Id"])
            self.read_grants(state)
        return state

    def read_grants(self, state: OrgSetupState) -> None:
        """Our permission set's FieldPermissions and whether the user is assigned to it (two calls)."""
        assert state.permission_set_id is not None
        parent = _soql(state.permission_set_id)
        rows = self._records(self.sf.query, "SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions "
                                            f"WHERE ParentId = {parent}")
        state.granted = {str(r["Field"]): (bool(r.get("PermissionsRead")), bool(r.get("PermissionsEdit")))
                         for r in rows}
        if state.user_id:
            assigned = self._records(self.sf.query, "SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = "
                                                    f"{parent} AND AssigneeId = {_soql(state.user_id)}")
            state.assigned = bool(assigned)

    def task_fields(self) -> dict[str, VisibleField]:
        """Task's fields as describe shows them to the user (one call)."""
        body = self._call(lambda: self.sf.restful("sobjects/Task/describe")) or {}
        return {str(f["name"]): VisibleField(
            name=str(f["name"]), type=str(f.get("type") or ""), length=int(f.get("length") or 0),
            createable=bool(f.get("createable")), updateable=bool(f.get("updateable")),
            external_id=bool(f.get("externalId")), calculated=bool(f.get("calculated")),
            formula=f.get("calculatedFormula")) for f in body.get("fields") or []}

    def resource_stamp(self, name: str) -> dt.datetime | None:
        rows = self._tooling(f"SELECT Name, SystemModstamp FROM StaticResource WHERE Name = {_soql(name)}")
        return _stamp(rows[0].get("SystemModstamp")) if rows else None

    def label_value(self, name: str) -> str | None:
        rows = self._tooling(f"SELECT Name, Value FROM ExternalString WHERE Name = {_soql(name)}")
        return str(rows[0].get("Value") or "") if rows else None

    def activity_fields(self) -> dict[str, ExistingField]:
        rows = self._tooling("SELECT QualifiedApiName, DataType, Length, IsCalculated FROM FieldDefinition "
                             "WHERE EntityDefinition.QualifiedApiName = 'Task'")
        return {str(r["QualifiedApiName"]): ExistingField(str(r["QualifiedApiName"]), str(r.get("DataType") or ""),
                                                          int(r.get("Length") or 0), bool(r.get("IsCalculated")))
                for r in rows}

    # --- creates (one piece each; the caller verifies) ----------------------------------------------------------

    def create_static_resource(self, name: str, data: bytes, content_type: str, description: str) -> str:
        body = {"Name": name, "Body": base64.b64encode(data).decode("ascii"), "ContentType": content_type,
                "CacheControl": "Public", "Description": description}
        return self._created(self._call(lambda: self.sf.restful("sobjects/StaticResource", method="POST",
                                                                 data=json.dumps(body))))

    def create_label(self, name: str, value: str, master_label: str) -> str:
        body = {"Name": name, "Value": value, "MasterLabel": master_label, "Language": "ja"}
        return self._created(self._call(lambda: self.sf.restful("tooling/sobjects/ExternalString", method="POST",
                                                                 data=json.dumps(body))))

    def create_activity_field(self, name: str, metadata: dict[str, Any]) -> str:
        body = {"FullName": f"Activity.{name}", "Metadata": metadata}
        return self._created(self._call(lambda: self.sf.restful("tooling/sobjects/CustomField", method="POST",
                                                                 data=json.dumps(body))))

    def create_permission_set(self) -> str:
        body = {"Name": PERMISSION_SET_NAME, "Label": PERMISSION_SET_LABEL,
                "Description": "BIZTEL Desk: read and edit on the BIZTEL Activity fields"}
        return self._created(self._call(lambda: self.sf.restful("sobjects/PermissionSet", method="POST",
                                                                 data=json.dumps(body))))

    def create_field_permissions(self, permission_set_id: str, grants: dict[str, bool]) -> None:
        """One sObject Collections request (all or none): Read, and Edit when ``grants[field]``."""
        records = [{"attributes": {"type": "FieldPermissions"}, "ParentId": permission_set_id, "SobjectType": "Task",
                    "Field": name, "PermissionsRead": True, "PermissionsEdit": edit} for name, edit in grants.items()]
        for start in range(0, len(records), 200):
            chunk = records[start:start + 200]
            answer = self._call(lambda chunk=chunk: self.sf.restful(
                "composite/sobjects", method="POST", data=json.dumps({"allOrNone": True, "records": chunk})))
            for item in answer if isinstance(answer, list) else []:
                if not item.get("success"):
                    errors = item.get("errors") or [{}]
                    raise SetupApiError(str(errors[0].get("statusCode") or "?"), str(errors[0].get("message") or ""))

    def assign_permission_set(self, permission_set_id: str, user_id: str) -> str:
        body = {"PermissionSetId": permission_set_id, "AssigneeId": user_id}
        return self._created(self._call(lambda: self.sf.restful("sobjects/PermissionSetAssignment", method="POST",
                                                                 data=json.dumps(body))))

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _current_user(self) -> dict[str, Any]:
        """The logged-in user: the OAuth identity's Id, else the account's username (one call)."""
        auth = self.sf.session.auth
        user_id = auth.tokens.user_id if isinstance(auth, RefreshingAuth) else ""
        if user_id.isalnum():
            where = f"Id = {_soql(user_id[:18])}"
        elif self.username_hint:
            where = f"Username = {_soql(self.username_hint)}"
        else:
            return {}
        return (self._records(self.sf.query, f"SELECT Id, Name, Username FROM User WHERE {where}") or [{}])[0]

    def _records(self, query: Any, soql: str) -> list[dict[str, Any]]:
        body = self._call(lambda: query(soql)) or {}
        return list(body.get("records") or [])

    def _tooling(self, soql: str) -> list[dict[str, Any]]:
        body = self._call(lambda: self.sf.toolingexecute("query/?q=" + quote(soql, safe="")))
        return list(body.get("records") or []) if isinstance(body, dict) else []

    @staticmethod
    def _created(answer: Any) -> str:
        if not isinstance(answer, dict) or not answer.get("success", True) or not answer.get("id"):
            raise SetupApiError("?", f"unexpected answer: {str(answer)[:200]}")
        return str(answer["id"])

    def _call(self, request: Any) -> Any:
        self.calls += 1
        try:
            return request()
        except requests.exceptions.RequestException as error:
            raise SetupApiError(type(error).__name__, "no answer", unreachable=True) from None
        except SalesforceError as error:
            raise SetupApiError(*_rest_error(error)) from None


def _rest_error(error: SalesforceError) -> tuple[str, str]:
    content: Any = error.content
    if isinstance(content, bytes | str):
        try:
            content = json.loads(content)
        except ValueError:
            return str(error.status), str(content)[:300]
    first = content[0] if isinstance(content, list) and content else content
    if isinstance(first, dict):
        return str(first.get("errorCode") or error.status), " ".join(str(first.get("message") or "").split())[:300]
    return str(error.status), ""
