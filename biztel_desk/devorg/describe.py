"""describeGlobal / describe / sObject-basic-info payloads, shaped like Salesforce's REST API."""

from __future__ import annotations

from typing import Any

from biztel_desk.devorg.model import FieldDef, ObjectDef

_SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "int": "xsd:int", "double": "xsd:double",
    "currency": "xsd:double", "percent": "xsd:double", "date": "xsd:date", "datetime": "xsd:dateTime",
}


def _urls(obj: ObjectDef, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def global_entry(obj: ObjectDef, version: str) -> dict[str, Any]:
    return {
        "activateable": False, "createable": obj.createable, "custom": obj.custom, "customSetting": False,
        "deletable": obj.deletable, "deprecatedAndHidden": False, "feedEnabled": False, "hasSubtypes": False,
        "isSubtype": False, "keyPrefix": obj.key_prefix, "label": obj.label, "labelPlural": obj.label_plural,
        "layoutable": obj.createable, "mergeable": False, "mruEnabled": obj.createable, "name": obj.name,
        "queryable": obj.queryable, "replicateable": True, "retrieveable": True, "searchable": obj.searchable,
        "triggerable": obj.createable, "undeletable": obj.deletable, "updateable": obj.updateable,
        "urls": _urls(obj, version),
    }


def describe_global(objects: list[ObjectDef], version: str) -> dict[str, Any]:
    return {"encoding": "UTF-8", "maxBatchSize": 200,
            "sobjects": [global_entry(o, version) for o in objects if o.accessible]}


def _picklist(field: FieldDef) -> list[dict[str, Any]]:
    return [{"active": True, "defaultValue": value == field.default_value, "label": value, "validFor": None,
             "value": value} for value in field.picklist_values]


def describe_field(field: FieldDef) -> dict[str, Any]:
    text = field.is_text or field.type in ("id", "reference")
    defaulted = field.default_value is not None or field.name in ("OwnerId", "IsDeleted", "CreatedDate")
    return {
        "aggregatable": field.type not in ("textarea",), "autoNumber": field.name == "CaseNumber",
        "byteLength": field.length * 3 if text else 0, "calculated": field.calculated,
        "calculatedFormula": field.calculated_formula, "cascadeDelete": False, "caseSensitive": False,
        "compoundFieldName": None, "controllerName": None, "createable": field.createable, "custom": field.custom,
        "defaultValue": field.default_value if field.type == "boolean" else None,
        "defaultValueFormula": None, "defaultedOnCreate": defaulted, "dependentPicklist": False,
        "deprecatedAndHidden": False, "digits": 9 if field.type == "int" else 0, "externalId": field.external_id,
        "filterable": field.type != "textarea", "groupable": field.type not in ("textarea", "double", "datetime"),
        "htmlFormatted": field.calculated and field.type == "string", "idLookup": field.name == "Id"
        or field.external_id, "inlineHelpText": None, "label": field.label,
        "length": field.length if text else 0, "name": field.name, "nameField": field.name_field,
        "namePointing": field.type == "reference" and len(field.reference_to) > 1, "nillable": field.nillable,
        "permissionable": field.nillable and field.custom, "picklistValues": _picklist(field),
        "polymorphicForeignKey": field.type == "reference" and len(field.reference_to) > 1,
        "precision": 18 if field.type in ("double", "currency", "percent") else 0,
        "referenceTo": list(field.reference_to), "relationshipName": field.relationship_name,
        "relationshipOrder": None, "restrictedPicklist": field.restricted_picklist,
        "scale": 2 if field.type in ("double", "currency", "percent") else 0,
        "soapType": _SOAP_TYPES.get(field.type, "xsd:string"), "sortable": field.type != "textarea",
        "type": field.type, "unique": field.unique, "updateable": field.updateable,
    }


def describe_object(obj: ObjectDef, version: str, child_relationships: list[dict[str, Any]]) -> dict[str, Any]:
    data = global_entry(obj, version)
    data.update(
        actionOverrides=[], childRelationships=child_relationships,
        fields=[describe_field(f) for f in obj.fields.values()], namedLayoutInfos=[], networkScopeFieldName=None,
        recordTypeInfos=[], supportedScopes=[{"label": "すべて", "name": "everything"}],
    )
    return data


def child_relationships(objects: list[ObjectDef], target: str) -> list[dict[str, Any]]:
    """Relationships pointing at ``target`` (e.g. Contact.AccountId → Account's Contacts)."""
    found = []
    for obj in objects:
        for field in obj.fields.values():
            if field.type == "reference" and target in field.reference_to and field.name not in (
                    "CreatedById", "LastModifiedById", "OwnerId"):
                found.append({"cascadeDelete": False, "childSObject": obj.name, "deprecatedAndHidden": False,
                              "field": field.name, "junctionIdListNames": [], "junctionReferenceTo": [],
                              "relationshipName": _plural_relationship(obj, field), "restrictedDelete": False})
    return found


def _plural_relationship(child: ObjectDef, field: FieldDef) -> str | None:
    if child.name == "Task":
        return "Tasks"
    if child.custom:
        return child.name[:-3] + "s__r"
    return child.name + "s" if not child.name.endswith("s") else child.name + "es"


def sobject_basic_info(obj: ObjectDef, version: str) -> dict[str, Any]:
    return {"objectDescribe": global_entry(obj, version), "recentItems": []}
