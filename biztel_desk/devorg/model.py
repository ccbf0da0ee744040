"""The dev org's in-memory data model: object schemas and records, shared by the server and the query engine.

Values stored in records are plain Python: ``str``, ``int``, ``float``, ``bool``, ``None``,
``datetime.datetime`` (timezone-aware, UTC) for datetime fields and ``datetime.date`` for date fields.
Every record dict holds every field of its object (missing values are ``None``), plus the system fields
``Id``, ``IsDeleted``, ``CreatedDate``, ``LastModifiedDate``, ``SystemModstamp``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

# Salesforce field types used by the dev org (the ``type`` value of describe).
FIELD_TYPES = frozenset(
    {
        "id", "string", "textarea", "phone", "email", "url", "picklist", "multipicklist", "reference",
        "boolean", "int", "double", "currency", "percent", "date", "datetime", "combobox",
    }
)


@dataclass(frozen=True)
class FieldDef:
    """One field of an object, as describe reports it."""

    name: str
    type: str
    label: str = ""
    length: int = 0  # string-like types: max characters; 0 for others
    custom: bool = False
    external_id: bool = False
    unique: bool = False
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    calculated: bool = False  # formula fields: read-only, computed
    calculated_formula: str | None = None
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist_values: tuple[str, ...] = ()
    restricted_picklist: bool = False
    default_value: Any = None
    name_field: bool = False  # searched by ``IN NAME FIELDS``

    @property
    def is_text(self) -> bool:
        return self.type in {"string", "textarea", "phone", "email", "url", "picklist", "multipicklist", "combobox"}


@dataclass
class ObjectDef:
    """One sObject type, as describe / describeGlobal report it."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: dict[str, FieldDef] = field(default_factory=dict)  # keyed by exact API name
    custom: bool = False
    queryable: bool = True
    searchable: bool = True
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    accessible: bool = True  # False models "the user's profile cannot see this object"

    def field(self, name: str) -> FieldDef | None:
        """Case-insensitive field lookup, as SOQL does."""
        found = self.fields.get(name)
        if found is not None:
            return found
        lower = name.lower()
        for candidate in self.fields.values():
            if candidate.name.lower() == lower:
                return candidate
        return None

    @property
    def phone_fields(self) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.type == "phone"]

    @property
    def name_fields(self) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.name_field]


class QueryError(Exception):
    """A SOQL/SOSL error as Salesforce reports it: HTTP 400 with ``[{"message", "errorCode"}]``."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code  # MALFORMED_QUERY, MALFORMED_SEARCH, INVALID_FIELD, INVALID_TYPE, ...
        self.message = message


class Catalog(Protocol):
    """What the query engine needs from the org: schemas and rows. Implemented by the server's store."""

    def object_def(self, name: str) -> ObjectDef | None:
        """The object of that API name (case-insensitive), or None when it does not exist or is not accessible."""

    def rows(self, object_name: str, include_deleted: bool = False) -> Iterable[dict[str, Any]]:
        """Every record of the object (exact API name), deleted ones only when include_deleted."""

    def get(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        """(object name, record) for an Id (15 or 18 chars), for relationship lookups; None if unknown."""

    def now(self) -> dt.datetime:
        """The org's clock (UTC, aware): date literals such as TODAY are relative to it."""


def iter_objects(catalog_objects: dict[str, ObjectDef]) -> Iterator[ObjectDef]:
    return iter(catalog_objects.values())
