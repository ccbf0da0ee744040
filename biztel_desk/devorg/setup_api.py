"""Setup over the API: Tooling ``CustomField`` and ``ExternalString`` creates, ``StaticResource`` create.

What Salesforce documents (docs/salesforce-facts.md "Setup over the API"): Activity custom fields are created on
``Activity`` and appear on Task and Event; a field created through the API has
no field-level security, so the API user does not see it until a permission set grants it
(``OrgStore.refresh_field_security``); creating metadata needs Customize Application / Modify Metadata. Error codes
and texts of refusals are unverified unless the facts file says otherwise.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from biztel_desk.devorg import schema
from biztel_desk.devorg.store import OrgStore
from biztel_desk.devorg.tooling import CUSTOM_FIELD_TYPES

_NAME_RE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$")
_FIELD_REF_RE = re.compile(r"\b([A-Za-z][A-Za-z0-9_]*__c)\b")
_LABEL_REF_RE = re.compile(r"\$Label\.([A-Za-z0-9_]+)")
_METADATA_PERMISSIONS = ("PermissionsCustomizeApplication", "PermissionsModifyMetadata")
# Formula (Text) fields: describe reports a string of length 1300 (unverified: the exact length).
FORMULA_TEXT_LENGTH = 1300


class SetupRefused(Exception):
    """A refused setup create: HTTP status, errorCode, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _need_metadata_permissions(store: OrgStore) -> None:
    missing = [name for name in _METADATA_PERMISSIONS if not store.user_permission(name)]
    if missing:
        raise SetupRefused(400, "INSUFFICIENT_ACCESS",
                           "insufficient access rights: " + ", ".join(n.removeprefix("Permissions") for n in missing))


def _valid_name(name: str) -> bool:
    return bool(_NAME_RE.match(name)) and not name.endswith("_")


def create_custom_field(store: OrgStore, body: dict[str, Any]) -> dict[str, Any]:
    """Tooling ``POST tooling/sobjects/CustomField`` ``{"FullName": "Activity.X__c", "Metadata": {…}}``."""
    _need_metadata_permissions(store)
    full_name = str(body.get("FullName", ""))
    raw = body.get("Metadata")
    metadata: dict[str, Any] = raw if isinstance(raw, dict) else {}
    entity, _, name = full_name.partition(".")
    kind = str(metadata.get("type", ""))
    if not name.endswith("__c") or not _valid_name(name.removesuffix("__c")) or kind not in CUSTOM_FIELD_TYPES:
        raise SetupRefused(400, "FIELD_INTEGRITY_EXCEPTION", f"Invalid CustomField: {full_name} ({kind})")
    if entity in (schema.TASK, "Event"):
        # Task and Event share the Activity custom fields: Setup offers them only under Activity (unverified text).
        raise SetupRefused(400, "FIELD_INTEGRITY_EXCEPTION",
                           f"Cannot create a custom field on {entity}: custom fields of Task and Event are created "
                           f"on Activity (FullName Activity.{name})")
    # An Activity field appears on Task and on Event (they share the Activity custom fields).
    targets = [o for o in schema.ACTIVITY_OBJECTS if o in store.objects] if entity == "Activity" else [entity]
    target = targets[0] if targets else entity
    if target not in store.objects:
        raise SetupRefused(400, "FIELD_INTEGRITY_EXCEPTION", f"Unknown entity: {entity}")
    with store.lock:
        obj = store.objects[target]
        if obj.field(name) is not None or name.lower() in {n.lower() for n in store.api_fields.get(target, {})}:
            raise SetupRefused(400, "DUPLICATE_DEVELOPER_NAME", f"duplicate value found: {name}")
        type_, default_length = CUSTOM_FIELD_TYPES[kind]
        formula = metadata.get("formula")
        spec: dict[str, Any] = {"name": name, "type": type_, "label": metadata.get("label") or name,
                                "externalId": bool(metadata.get("externalId", False)),
                                "unique": bool(metadata.get("unique", False))}
        if formula:
            if kind != "Text":
                raise SetupRefused(400, "FIELD_INTEGRITY_EXCEPTION", f"Invalid formula return type: {kind}")
            _check_formula(store, target, str(formula))
            spec.update(length=FORMULA_TEXT_LENGTH, calculated=True, calculatedFormula=str(formula))
        else:
            length = metadata.get("length", default_length if kind != "Text" else None)
            if kind == "Text" and not (isinstance(length, int) and 1 <= length <= 255):
                raise SetupRefused(400, "FIELD_INTEGRITY_EXCEPTION",
                                   "Length: a Text field needs a length between 1 and 255")
            spec["length"] = length
        for each in targets:
            store.add_api_field(each, schema.field_from_json(spec))
        return {"id": store.new_id("00N"), "success": True, "errors": [], "warnings": [], "infos": []}


def _check_formula(store: OrgStore, target: str, formula: str) -> None:
    """A formula compiles only when its fields and labels exist (Help "Formula Field Errors"; text unverified)."""
    obj = store.objects[target]
    for ref in _FIELD_REF_RE.findall(formula):
        if obj.field(ref) is None and store.hidden_field(target, ref) is None:
            raise SetupRefused(400, "FIELD_INTEGRITY_EXCEPTION", f"Field {ref} does not exist. Check spelling.")
    for label in _LABEL_REF_RE.findall(formula):
        if label not in store.labels:
            raise SetupRefused(400, "FIELD_INTEGRITY_EXCEPTION",
                               f"Field $Label.{label} does not exist. Check spelling.")


def create_external_string(store: OrgStore, body: dict[str, Any]) -> dict[str, Any]:
    """Tooling ``POST tooling/sobjects/ExternalString`` ``{"Name", "Value", "MasterLabel", "Language"}``."""
    _need_metadata_permissions(store)
    name, value = str(body.get("Name") or ""), body.get("Value")
    if not _valid_name(name) or not isinstance(value, str) or not value:
        raise SetupRefused(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name, Value]")
    with store.lock:
        if name in store.labels:
            raise SetupRefused(400, "DUPLICATE_DEVELOPER_NAME", f"duplicate value found: {name}")
        label_id = store.new_id("101")
        store.labels[name] = {"Id": label_id, "MasterLabel": str(body.get("MasterLabel") or name), "Value": value,
                              "Language": str(body.get("Language") or "ja"), "Category": body.get("Category")}
        store.mark_meta_dirty()
    return {"id": label_id, "success": True, "errors": [], "warnings": [], "infos": []}


def create_static_resource(store: OrgStore, body: dict[str, Any]) -> dict[str, Any]:
    """``POST sobjects/StaticResource`` ``{"Name", "Body" (base64), "ContentType", "CacheControl"}``."""
    _need_metadata_permissions(store)
    name = str(body.get("Name") or "")
    if not _valid_name(name) or not body.get("Body") or not body.get("ContentType"):
        raise SetupRefused(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name, Body, ContentType]")
    cache = str(body.get("CacheControl") or "Private")
    if cache not in ("Public", "Private"):
        raise SetupRefused(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                           f"Cache Control: bad value for restricted picklist field: {cache}")
    try:
        data = base64.b64decode(str(body["Body"]), validate=True)
    except (binascii.Error, ValueError):
        raise SetupRefused(400, "JSON_PARSER_ERROR", "Body: invalid base64") from None
    with store.lock:
        if name in store.static_resources:
            raise SetupRefused(400, "DUPLICATE_VALUE", f"duplicate value found: Name duplicates value on record "
                                                       f"with id: {store.static_resources[name]['Id']}")
        resource_id = store.new_id("081")
        store.static_resources[name] = {
            "Id": resource_id, "ContentType": str(body["ContentType"]), "CacheControl": cache,
            "BodyLength": len(data), "Description": body.get("Description"), "SystemModstamp": store.next_stamp(),
        }
        store.mark_meta_dirty()
    return {"id": resource_id, "success": True, "errors": []}
