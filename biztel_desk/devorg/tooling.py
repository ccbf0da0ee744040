"""Tooling API objects (ExternalString, StaticResource, EntityDefinition, FieldDefinition) as a SOQL Catalog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from biztel_desk.devorg import ids
from biztel_desk.devorg.model import FieldDef, ObjectDef
from biztel_desk.devorg.store import OrgStore

_RO: dict[str, Any] = {"createable": False, "updateable": False}


def _obj(name: str, prefix: str, fields: list[FieldDef]) -> ObjectDef:
    obj = ObjectDef(name=name, label=name, label_plural=name, key_prefix=prefix, createable=False,
                    updateable=False, deletable=False, searchable=False)
    for field in [FieldDef("Id", "id", "ID", 18, nillable=False, **_RO), *fields]:
        obj.fields[field.name] = field
    return obj


def _s(name: str, length: int = 255) -> FieldDef:
    return FieldDef(name, "string", name, length, **_RO)


TOOLING_OBJECTS: dict[str, ObjectDef] = {
    o.name: o for o in (
        _obj("ExternalString", "101", [_s("Name", 80), _s("MasterLabel", 1000), _s("Value", 1000),
                                       _s("Language", 40), _s("Category", 255), _s("NamespacePrefix", 15),
                                       FieldDef("IsProtected", "boolean", "IsProtected", **_RO)]),
        _obj("StaticResource", "081", [_s("Name", 255), _s("ContentType", 120), _s("CacheControl", 40),
                                       _s("Description", 1000), _s("NamespacePrefix", 15),
                                       FieldDef("BodyLength", "int", "BodyLength", **_RO),
                                       FieldDef("SystemModstamp", "datetime", "SystemModstamp", **_RO)]),
        _obj("EntityDefinition", "000", [_s("DurableId"), _s("QualifiedApiName"), _s("DeveloperName"),
                                         _s("Label"), _s("KeyPrefix", 3),
                                         FieldDef("IsCustomizable", "boolean", "IsCustomizable", **_RO)]),
        _obj("FieldDefinition", "000", [
            _s("DurableId"), _s("QualifiedApiName"), _s("DeveloperName"), _s("Label"), _s("DataType"),
            _s("ExtraTypeInfo"), FieldDef("Length", "int", "Length", **_RO),
            FieldDef("Precision", "int", "Precision", **_RO), FieldDef("Scale", "int", "Scale", **_RO),
            FieldDef("IsCalculated", "boolean", "IsCalculated", **_RO),
            FieldDef("IsNillable", "boolean", "IsNillable", **_RO),
            FieldDef("EntityDefinitionId", "reference", "EntityDefinitionId", 18, reference_to=("EntityDefinition",),
                     relationship_name="EntityDefinition", **_RO),
        ]),
    )
}


def data_type(field: FieldDef) -> str:
    """FieldDefinition.DataType as Setup shows it (unverified wording for the less common types)."""
    if field.calculated and field.calculated_formula:
        return "Formula (Text)" if field.is_text else "Formula"
    kind = field.type
    if kind == "string":
        # Setup's Data Type column adds "(External ID)" (unverified that FieldDefinition.DataType does too).
        return f"Text({field.length})" + (" (External ID)" if field.external_id else "")
    if kind == "textarea":
        return f"Long Text Area({field.length})" if field.length > 255 else "Text Area(255)"
    simple = {"phone": "Phone", "email": "Email", "picklist": "Picklist", "multipicklist": "Picklist (Multi-Select)",
              "combobox": "Picklist", "boolean": "Checkbox", "date": "Date", "datetime": "Date/Time",
              "id": "Lookup()", "int": "Number(9, 0)", "double": "Number(18, 0)", "currency": "Currency(18, 0)",
              "percent": "Percent(3, 2)", "url": f"URL({field.length})"}
    if kind == "reference":
        return f"Lookup({','.join(field.reference_to)})"
    return simple.get(kind, kind)


class ToolingCatalog:
    """The org's setup metadata seen through the Tooling API; rows are built per query (a few hundred)."""

    def __init__(self, store: OrgStore) -> None:
        self._store = store
        self._entities: dict[str, dict[str, Any]] = {}

    def object_def(self, name: str) -> ObjectDef | None:
        lower = name.lower()
        return next((o for o in TOOLING_OBJECTS.values() if o.name.lower() == lower), None)

    def rows(self, object_name: str, include_deleted: bool = False) -> Iterable[dict[str, Any]]:
        if object_name == "ExternalString":
            return [self._label_row(name, label) for name, label in self._store.labels.items()]
        if object_name == "StaticResource":
            return [self._resource_row(name, res) for name, res in self._store.static_resources.items()]
        if object_name == "EntityDefinition":
            return list(self._entity_rows().values())
        if object_name == "FieldDefinition":
            return self._field_rows()
        return []

    def get(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        # FieldDefinition.EntityDefinitionId holds the entity's DurableId (the object's API name).
        entity = self._entity_rows().get(record_id)
        return ("EntityDefinition", entity) if entity is not None else None

    def now(self) -> dt.datetime:
        return self._store.now()

    def _entity_rows(self) -> dict[str, dict[str, Any]]:
        rows = {}
        for obj in self._store.objects.values():
            if not obj.accessible:
                continue
            rows[obj.name] = {"Id": ids.to18("000000000000000"), "DurableId": obj.name, "QualifiedApiName": obj.name,
                              "DeveloperName": obj.name.removesuffix("__c"), "Label": obj.label,
                              "KeyPrefix": obj.key_prefix, "IsCustomizable": True, "IsDeleted": False}
        return rows

    def _field_rows(self) -> list[dict[str, Any]]:
        rows = []
        for obj in self._store.objects.values():
            if not obj.accessible:
                continue
            # Metadata shows every field, also those the user's field-level security hides (unverified).
            hidden = [f for n, f in self._store.api_fields.get(obj.name, {}).items() if n not in obj.fields]
            for field in [*obj.fields.values(), *hidden]:
                text = field.is_text or field.type in ("id", "reference")
                rows.append({
                    "Id": ids.to18("000000000000000"), "DurableId": f"{obj.name}.{field.name}",
                    "QualifiedApiName": field.name, "DeveloperName": field.name.removesuffix("__c"),
                    "Label": field.label, "DataType": data_type(field),
                    "ExtraTypeInfo": "externallookup" if field.external_id else None,
                    "Length": field.length if text else 0, "Precision": 0, "Scale": 0,
                    "IsCalculated": field.calculated, "IsNillable": field.nillable,
                    "EntityDefinitionId": obj.name, "IsDeleted": False,
                })
        return rows

    @staticmethod
    def _label_row(name: str, label: dict[str, Any]) -> dict[str, Any]:
        return {"Id": label["Id"], "Name": name, "MasterLabel": label.get("MasterLabel", name),
                "Value": label.get("Value"), "Language": label.get("Language", "ja"),
                "Category": label.get("Category"), "NamespacePrefix": None, "IsProtected": False, "IsDeleted": False}

    @staticmethod
    def _resource_row(name: str, res: dict[str, Any]) -> dict[str, Any]:
        return {"Id": res["Id"], "Name": name, "ContentType": res.get("ContentType", "image/png"),
                "CacheControl": res.get("CacheControl", "Public"), "Description": res.get("Description"),
                "NamespacePrefix": None, "BodyLength": res.get("BodyLength", 0),
                "SystemModstamp": res.get("SystemModstamp"), "IsDeleted": False}


# CustomField creation through the Tooling API: Metadata.type → the describe type and default length.
CUSTOM_FIELD_TYPES: dict[str, tuple[str, int]] = {
    "Text": ("string", 255), "Phone": ("phone", 40), "DateTime": ("datetime", 0), "Date": ("date", 0),
    "Number": ("double", 0), "Checkbox": ("boolean", 0), "LongTextArea": ("textarea", 32768),
    "TextArea": ("textarea", 255), "Email": ("email", 80), "Url": ("url", 255), "Picklist": ("picklist", 255),
}
