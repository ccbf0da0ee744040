"""A small in-memory Catalog (Account, Contact, Lead, Task, User, Secret) for the SOQL/SOSL tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from biztel_desk.devorg.model import FieldDef, ObjectDef

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
SYSTEM_FIELDS = ("Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp")


def _object(name: str, prefix: str, *fields: FieldDef, queryable: bool = True, searchable: bool = True) -> ObjectDef:
    system = [
        FieldDef("Id", "id"),
        FieldDef("IsDeleted", "boolean"),
        FieldDef("CreatedDate", "datetime"),
        FieldDef("LastModifiedDate", "datetime"),
        FieldDef("SystemModstamp", "datetime"),
    ]
    return ObjectDef(
        name=name,
        label=name,
        label_plural=name + "s",
        key_prefix=prefix,
        fields={f.name: f for f in (*system, *fields)},
        queryable=queryable,
        searchable=searchable,
    )


def schema() -> list[ObjectDef]:
    owner = FieldDef("OwnerId", "reference", reference_to=("User",), relationship_name="Owner")
    return [
        _object("User", "005", FieldDef("Name", "string", name_field=True), FieldDef("Email", "email")),
        _object(
            "Account",
            "001",
            FieldDef("Name", "string", name_field=True),
            FieldDef("Phone", "phone"),
            FieldDef("Fax", "phone"),
            FieldDef("Industry", "picklist"),
            FieldDef("NumberOfEmployees", "int"),
            FieldDef("AnnualRevenue", "currency"),
            FieldDef("Description", "textarea"),
            owner,
        ),
        _object(
            "Contact",
            "003",
            FieldDef("FirstName", "string"),
            FieldDef("LastName", "string"),
            FieldDef("Name", "string", name_field=True),
            FieldDef("Phone", "phone"),
            FieldDef("MobilePhone", "phone"),
            FieldDef("HomePhone", "phone"),
            FieldDef("Email", "email"),
            FieldDef("Birthdate", "date"),
            FieldDef("Languages__c", "multipicklist", custom=True),
            FieldDef("AccountId", "reference", reference_to=("Account",), relationship_name="Account"),
            owner,
        ),
        _object(
            "Lead",
            "00Q",
            FieldDef("Name", "string", name_field=True),
            FieldDef("Company", "string"),
            FieldDef("Phone", "phone"),
            FieldDef("MobilePhone", "phone"),
            FieldDef("Email", "email"),
            FieldDef("IsConverted", "boolean"),
            FieldDef("Status", "picklist"),
        ),
        _object(
            "Task",
            "00T",
            FieldDef("Subject", "string", name_field=True),
            FieldDef("ActivityDate", "date"),
            FieldDef("CallDurationInSeconds", "int"),
            FieldDef("WhoId", "reference", reference_to=("Contact", "Lead"), relationship_name="Who"),
            FieldDef("WhatId", "reference", reference_to=("Account",), relationship_name="What"),
            owner,
            searchable=False,
        ),
        _object("Secret", "a01", FieldDef("Name", "string", name_field=True), queryable=False, searchable=False),
    ]


class FakeCatalog:
    """Implements the Catalog protocol over dicts; ``add`` fills every field so rows look like the server's."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self._now = now
        self.objects = {obj.name: obj for obj in schema()}
        self.records: dict[str, list[dict[str, Any]]] = {name: [] for name in self.objects}
        self.by_id: dict[str, tuple[str, dict[str, Any]]] = {}
        self._counter = 0

    def add(self, object_name: str, **values: Any) -> dict[str, Any]:
        obj = self.objects[object_name]
        self._counter += 1
        record: dict[str, Any] = {name: None for name in obj.fields}
        record["Id"] = f"{obj.key_prefix}{self._counter:012d}AAA"
        record["IsDeleted"] = False
        stamp = values.pop("stamp", self._now - dt.timedelta(days=1))
        record["CreatedDate"] = stamp
        record["LastModifiedDate"] = stamp
        record["SystemModstamp"] = stamp
        record.update(values)
        self.records[object_name].append(record)
        self.by_id[record["Id"][:15]] = (object_name, record)
        return record

    def object_def(self, name: str) -> ObjectDef | None:
        for obj in self.objects.values():
            if obj.name.lower() == name.lower():
                return obj
        return None

    def rows(self, object_name: str, include_deleted: bool = False) -> Iterable[dict[str, Any]]:
        return [r for r in self.records[object_name] if include_deleted or not r["IsDeleted"]]

    def get(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        return self.by_id.get(record_id[:15])

    def now(self) -> dt.datetime:
        return self._now
