"""The dev org's records and write rules: a thread-safe Catalog with Salesforce's validation and optional SQLite state."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from biztel_desk.devorg import ids, schema
from biztel_desk.devorg.model import FieldDef, ObjectDef

UTC = dt.UTC
_ONE_MS = dt.timedelta(milliseconds=1)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
# Fields a client may set on insert although the org normally maintains them (data migration of leads).
_SEED_SYSTEM_FIELDS = ("CreatedDate", "LastModifiedDate")
# Writes that change field-level security, and the system permission each setup object's create needs.
_SECURITY_OBJECTS = frozenset({schema.FIELD_PERMISSIONS, schema.PERMISSION_SET_ASSIGNMENT})
_SETUP_PERMISSION = {schema.PERMISSION_SET: "PermissionsCustomizeApplication",
                     schema.FIELD_PERMISSIONS: "PermissionsCustomizeApplication",
                     schema.PERMISSION_SET_ASSIGNMENT: "PermissionsManageUsers"}


class RecordError(Exception):
    """One record's DML failure: ``{"statusCode", "message", "fields"}`` in collections, a 400 list otherwise."""

    def __init__(self, status_code: str, message: str, fields: Iterable[str] = (), http_status: int = 400) -> None:
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.fields = list(fields)
        self.http_status = http_status

    def as_collection_error(self) -> dict[str, Any]:
        return {"statusCode": self.status_code, "message": self.message, "fields": self.fields}

    def as_rest_error(self) -> dict[str, Any]:
        return {"message": self.message, "errorCode": self.status_code, "fields": self.fields}


class RequestError(Exception):
    """A failure of the whole request (deserialisation, unknown object/field): HTTP status + error list."""

    def __init__(self, http_status: int, error_code: str, message: str, fields: Iterable[str] | None = None) -> None:
        super().__init__(f"{error_code}: {message}")
        self.http_status = http_status
        self.error_code = error_code
        self.message = message
        self.fields = list(fields) if fields is not None else None

    def body(self) -> list[dict[str, Any]]:
        error: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            error["fields"] = self.fields
        return [error]


class Undo:
    """Undo log of one API call: the previous version of every record it touched (None = did not exist)."""

    def __init__(self) -> None:
        self.before: dict[str, tuple[str, dict[str, Any] | None]] = {}

    def remember(self, object_name: str, record_id: str, record: dict[str, Any] | None) -> None:
        if record_id not in self.before:
            self.before[record_id] = (object_name, dict(record) if record is not None else None)


def format_datetime(value: dt.datetime) -> str:
    """Salesforce's REST datetime format: ``2024-01-31T12:34:56.000+0000``."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def parse_datetime(text: str) -> dt.datetime | None:
    match = _DATETIME_RE.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                            micro, tzinfo=UTC)
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        value = value.replace(tzinfo=dt.timezone(sign * offset)).astimezone(UTC)
    return value


def _parser_error(field: FieldDef, raw: Any) -> RequestError:
    kind = {"int": "int", "double": "double", "currency": "double", "percent": "double", "boolean": "boolean",
            "date": "date", "datetime": "datetime"}.get(field.type, "string")
    # (unverified) exact wording; the code JSON_PARSER_ERROR is what Salesforce returns for undecodable values.
    source = "VALUE_STRING" if isinstance(raw, str) else type(raw).__name__.upper()
    return RequestError(400, "JSON_PARSER_ERROR",
                        f"Cannot deserialize instance of {kind} from {source} value {raw} or request may be "
                        f"missing a required field")


def coerce_value(field: FieldDef, raw: Any) -> Any:
    """A JSON value as the Python value the store keeps; RequestError(JSON_PARSER_ERROR) when undecodable."""
    if raw is None:
        return None
    if isinstance(raw, dict | list):
        raise _parser_error(field, raw)
    kind = field.type
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise _parser_error(field, raw)
    if kind == "int":
        if isinstance(raw, bool):
            raise _parser_error(field, raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
            return int(raw)
        raise _parser_error(field, raw)
    if kind in ("double", "currency", "percent"):
        if isinstance(raw, bool):
            raise _parser_error(field, raw)
        if isinstance(raw, int | float):
            return float(raw)
        try:
            return float(str(raw))
        except ValueError:
            raise _parser_error(field, raw) from None
    if kind == "date":
        if isinstance(raw, str):
            match = _DATE_RE.match(raw.strip())
            if match:
                try:
                    return dt.date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    raise _parser_error(field, raw) from None
        raise _parser_error(field, raw)
    if kind == "datetime":
        parsed = parse_datetime(raw) if isinstance(raw, str) else None
        if parsed is None:
            raise _parser_error(field, raw)
        return parsed
    # Text-like and reference fields: Salesforce's JSON reader turns numbers and booleans into their text.
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _to_storable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    return value


def _from_storable(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return dt.datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return dt.date.fromisoformat(value["$d"])
    return value


class StateFile:
    """SQLite persistence for ``--state FILE``: records, schema and org metadata, written after each call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, object TEXT NOT NULL, "
                         "data TEXT NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._db.commit()

    def is_empty(self) -> bool:
        return self._db.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0

    def load_meta(self) -> dict[str, Any]:
        return {key: json.loads(value) for key, value in self._db.execute("SELECT key, value FROM meta")}

    def load_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for object_name, data in self._db.execute("SELECT object, data FROM records ORDER BY rowid"):
            yield object_name, {k: _from_storable(v) for k, v in json.loads(data).items()}

    def save(self, records: list[tuple[str, str, dict[str, Any] | None]], meta: dict[str, Any]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM records WHERE id = ?", [(r[0],) for r in records if r[2] is None])
            self._db.executemany(
                "INSERT OR REPLACE INTO records (id, object, data) VALUES (?, ?, ?)",
                [(rid, obj, json.dumps({k: _to_storable(v) for k, v in rec.items()}, ensure_ascii=False))
                 for rid, obj, rec in records if rec is not None],
            )
            self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                 [(k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items()])

    def close(self) -> None:
        self._db.close()


class OrgStore:
    """All records of the org, keyed by object then Id, behind one re-entrant lock; implements ``Catalog``.

    Callers that need several operations to be atomic (a collection with allOrNone, a composite request)
    hold ``store.lock`` around them and pass an ``Undo`` to roll back.
    """

    def __init__(self, setup_done: bool = True, state: StateFile | None = None) -> None:
        self.lock = threading.RLock()
        self.objects: dict[str, ObjectDef] = schema.standard_objects(setup_done)
        self._records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self.objects}
        self._owner: dict[str, str] = {}  # Id → object name
        self._ids = ids.IdFactory()
        self._last_stamp = dt.datetime.min.replace(tzinfo=UTC)
        self._case_number = 1000
        self.labels: dict[str, dict[str, Any]] = {}  # custom labels (tooling ExternalString) by Name
        self.static_resources: dict[str, dict[str, Any]] = {}  # by Name
        self.org_id = ""
        self.user_id = ""
        self._state = state
        self._dirty: dict[str, str] = {}  # Id → object name, written to the state file by flush()
        self._meta_dirty = True
        # Closed Tasks whose ActivityDate is more than this many days ago are archived (None: off).
        self.activity_archive_days: int | None = None
        # Records the API user can no longer see (sharing changed): absent from every read (in memory only).
        self.hidden: set[str] = set()
        # Custom fields created through the Tooling API, by object: without field-level security granted to the
        # API user (a FieldPermissions row of an assigned permission set) they are absent from describe, SOQL and
        # writes (SALESFORCE.md "Permissions"); refresh_field_security() puts the granted ones into the schema.
        self.api_fields: dict[str, dict[str, FieldDef]] = {}

    # ----------------------------------------------------------------- Catalog protocol
    def object_def(self, name: str) -> ObjectDef | None:
        obj = self.objects.get(name)
        if obj is None:
            lower = name.lower()
            obj = next((o for o in self.objects.values() if o.name.lower() == lower), None)
        if obj is None or not obj.accessible:
            return None
        return obj

    def rows(self, object_name: str, include_deleted: bool = False) -> Iterable[dict[str, Any]]:
        records = self._records.get(object_name, {})
        if self.hidden:
            return (r for r in records.values() if (include_deleted or not r["IsDeleted"]) and r["Id"] not in self.hidden)
        if include_deleted:
            return records.values()
        return (r for r in records.values() if not r["IsDeleted"])

    def archived(self, object_name: str, row: dict[str, Any]) -> bool:
        """Salesforce archives closed activities whose ActivityDate is over 365 days old: ``query`` does not
        return them, ``queryAll`` does (SOAP API guide, queryAll; Salesforce Help, "Archived Activities")."""
        days = self.activity_archive_days
        if days is None or object_name != schema.TASK or not row.get("IsClosed"):
            return False
        date = row.get("ActivityDate")
        return isinstance(date, dt.date) and date < self.now().date() - dt.timedelta(days=days)

    def get(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        canonical = ids.normalize(record_id) if isinstance(record_id, str) else None
        if canonical is None:
            return None
        object_name = self._owner.get(canonical)
        if object_name is None or canonical in self.hidden:
            return None
        return object_name, self._records[object_name][canonical]

    def now(self) -> dt.datetime:
        # The org's clock never runs behind its own SystemModstamps (bursts of writes bump them ahead of the
        # wall clock, see next_stamp), so "changed in the last N seconds" stays consistent with the stamps.
        return max(dt.datetime.now(UTC), self._last_stamp)

    # ----------------------------------------------------------------- schema changes
    def add_object(self, obj: ObjectDef, allow_activities: bool = False) -> None:
        with self.lock:
            self.objects[obj.name] = obj
            self._records.setdefault(obj.name, {})
            if allow_activities:  # Tasks and Events can be related to it
                for activity in schema.ACTIVITY_OBJECTS:
                    if activity in self.objects:
                        schema.with_reference_added(self.objects[activity], "WhatId", obj.name)
            self._backfill(obj.name)
            self._meta_dirty = True

    def set_field(self, object_name: str, field: FieldDef | None, name: str) -> None:
        """Adds, replaces (``field``) or removes (``None``) a field; existing records follow."""
        with self.lock:
            obj = self.objects[object_name]
            if field is None:
                obj.fields.pop(name, None)
                for record in self._records[object_name].values():
                    record.pop(name, None)
            else:
                obj.fields[field.name] = field
                self._backfill(object_name)
            self._dirty.update({rid: object_name for rid in self._records[object_name]})
            self._meta_dirty = True

    def _backfill(self, object_name: str) -> None:
        names = list(self.objects[object_name].fields)
        for record in self._records[object_name].values():
            for name in names:
                record.setdefault(name, None)

    def next_custom_prefix(self) -> str:
        used = {o.key_prefix for o in self.objects.values()}
        for number in range(62 * 62):
            prefix = "a" + ids.encode_base62(number, 2)
            if prefix not in used:
                return prefix
        raise RuntimeError("no custom key prefix left")

    # ----------------------------------------------------------------- helpers
    def next_stamp(self) -> dt.datetime:
        """A SystemModstamp strictly greater than every earlier one, at millisecond precision.

        Incremental sync (``WHERE SystemModstamp > :last``) must never miss a record written in the same
        millisecond as the last one it saw, so stamps are bumped by 1 ms when the clock has not moved. Only a
        sustained burst of more than 1,000 writes a second runs the stamps (and ``now()``) ahead of the wall
        clock, by the excess; a real org's stamps are not strictly increasing at all (unverified).
        """
        now = self.now()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if now <= self._last_stamp:
            now = self._last_stamp + _ONE_MS
        self._last_stamp = now
        return now

    def record(self, object_name: str, record_id: str) -> dict[str, Any] | None:
        if record_id in self.hidden:
            return None
        return self._records.get(object_name, {}).get(record_id)

    def count(self, object_name: str, include_deleted: bool = False) -> int:
        return sum(1 for _ in self.rows(object_name, include_deleted))

    def task_closed_statuses(self) -> set[str]:
        return {r["ApiName"] for r in self.rows(schema.TASK_STATUS) if r["IsClosed"]}

    # ----------------------------------------------------------------- payload decoding (whole-request errors)
    def decode(self, obj: ObjectDef, payload: dict[str, Any]) -> dict[str, Any]:
        """Maps JSON field names (case-insensitive) to fields and values to Python; RequestError if impossible.

        Unknown fields and undecodable values fail the whole request, also in collections, because Salesforce
        deserialises the body before any DML runs (unverified for collections; harmless for the app, which
        never sends either).
        """
        values: dict[str, Any] = {}
        for key, raw in payload.items():
            if key == "attributes":
                continue
            field = obj.field(key)
            if field is None:
                raise RequestError(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}")
            values[field.name] = coerce_value(field, raw)
        return values

    # ----------------------------------------------------------------- writes
    def create(self, object_name: str, values: dict[str, Any], user_id: str, undo: Undo | None = None,
               seeding: bool = False) -> str:
        """Validates and inserts one record; returns its Id. ``values`` come from ``decode``."""
        with self.lock:
            obj = self.objects[object_name]
            if not obj.createable:
                raise RecordError("INVALID_TYPE", f"Cannot create records of type {obj.name}")
            if not seeding:
                self._check_setup_permission(object_name)
            if "Id" in values:
                raise RecordError("INVALID_FIELD", "Record ID: cannot specify Id in an insert call", ["Id"])
            system = {k: values.pop(k) for k in _SEED_SYSTEM_FIELDS if seeding and k in values}
            self._check_writable(obj, values, creating=True)
            record: dict[str, Any] = dict.fromkeys(obj.fields)
            for field in obj.fields.values():
                if field.default_value is not None and field.createable:
                    record[field.name] = field.default_value
            if "OwnerId" in record:
                record["OwnerId"] = user_id
            for key, value in values.items():
                field = obj.fields[key]
                if value is None and field.default_value is not None:
                    continue  # an explicit null takes the default on insert (unverified for every field)
                record[key] = value
            self._validate(obj, record, list(values))
            record_id = self._ids.new(obj.key_prefix)
            # Seeded history keeps its own dates so that it does not push the org's stamp clock ahead.
            created = system.get("CreatedDate") or self.next_stamp()
            modified = system.get("LastModifiedDate") or created
            record.update(Id=record_id, IsDeleted=False, CreatedDate=created, CreatedById=user_id,
                          LastModifiedDate=modified, LastModifiedById=user_id, SystemModstamp=modified)
            if object_name == schema.CASE:
                self._case_number += 1
                record["CaseNumber"] = f"{self._case_number:08d}"
            self._derive(obj, record)
            if undo is not None:
                undo.remember(object_name, record_id, None)
            self._records[object_name][record_id] = record
            self._owner[record_id] = object_name
            self._dirty[record_id] = object_name
            if object_name in _SECURITY_OBJECTS:
                self.refresh_field_security()
            return record_id

    def update(self, object_name: str, record_id: str, values: dict[str, Any], user_id: str,
               undo: Undo | None = None) -> None:
        with self.lock:
            obj = self.objects[object_name]
            current = self._existing(object_name, record_id)
            values = {k: v for k, v in values.items() if k != "Id"}
            self._check_writable(obj, values, creating=False)
            record = dict(current)
            record.update(values)
            self._validate(obj, record, list(values))
            if undo is not None:
                undo.remember(object_name, record_id, current)
            stamp = self.next_stamp()
            record.update(LastModifiedDate=stamp, LastModifiedById=user_id, SystemModstamp=stamp)
            self._derive(obj, record)
            self._records[object_name][record_id] = record
            self._dirty[record_id] = object_name
            if object_name in _SECURITY_OBJECTS:
                self.refresh_field_security()

    # ----------------------------------------------------------------- setup: permissions and field security
    def user_permission(self, name: str) -> bool:
        """A system permission of the API user (its ``UserPermissionAccess`` row)."""
        return any(bool(row.get(name)) for row in self.rows(schema.USER_PERMISSION_ACCESS))

    def _check_setup_permission(self, object_name: str) -> None:
        """Permission sets need Customize Application, assignments Manage Users (Help "Permission Sets";
        the error code and text are unverified)."""
        needed = _SETUP_PERMISSION.get(object_name)
        if needed is not None and not self.user_permission(needed):
            raise RecordError("INSUFFICIENT_ACCESS_OR_READONLY",
                              "insufficient access rights on object id", http_status=400)

    def add_api_field(self, object_name: str, field: FieldDef) -> None:
        """A custom field created through the Tooling API: invisible until a permission set grants it."""
        with self.lock:
            self.api_fields.setdefault(object_name, {})[field.name] = field
            self._meta_dirty = True
            self.refresh_field_security()

    def hidden_field(self, object_name: str, name: str) -> FieldDef | None:
        """An API-created field the API user may not see (no field-level security), else None."""
        found = self.api_fields.get(object_name, {}).get(name)
        return found if found is not None and name not in self.objects[object_name].fields else None

    def refresh_field_security(self) -> None:
        """Puts every API-created field into its object's schema as its FieldPermissions grant it to the API
        user: Read → visible, Edit → createable/updateable (a formula never); no grant → absent."""
        with self.lock:
            if not self.api_fields:
                return
            assigned = {r["PermissionSetId"] for r in self.rows(schema.PERMISSION_SET_ASSIGNMENT)
                        if r["AssigneeId"] == self.user_id}
            grants: dict[str, tuple[bool, bool]] = {}
            for row in self.rows(schema.FIELD_PERMISSIONS):
                if row["ParentId"] not in assigned:
                    continue
                read, edit = grants.get(str(row["Field"]).lower(), (False, False))
                grants[str(row["Field"]).lower()] = (read or bool(row["PermissionsRead"]),
                                                     edit or bool(row["PermissionsEdit"]))
            for object_name, fields in self.api_fields.items():
                obj = self.objects[object_name]
                for name, field in fields.items():
                    read, edit = grants.get(f"{object_name}.{name}".lower(), (False, False))
                    if not read and object_name in schema.ACTIVITY_OBJECTS:
                        # One Activity field behind Task and Event: a grant on either (or on Activity) is a grant
                        # on the field (unverified which SobjectType Salesforce keeps).
                        for owner in ("activity", *(o.lower() for o in schema.ACTIVITY_OBJECTS)):
                            read, edit = grants.get(f"{owner}.{name}".lower(), (False, False))
                            if read:
                                break
                    if not read:
                        obj.fields.pop(name, None)
                        continue
                    writable = edit and not field.calculated
                    obj.fields[name] = dataclasses.replace(field, createable=writable, updateable=writable)
                self._backfill(object_name)
            self._meta_dirty = True

    def set_owner(self, object_name: str, record_id: str, owner_id: str) -> None:
        """An assignment rule's effect on a record just created (inside the same request: undo covers it)."""
        with self.lock:
            self._records[object_name][record_id]["OwnerId"] = owner_id
            self._dirty[record_id] = object_name

    def delete(self, object_name: str, record_id: str, user_id: str, undo: Undo | None = None) -> None:
        with self.lock:
            obj = self.objects[object_name]
            if not obj.deletable:
                raise RecordError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
            current = self._existing(object_name, record_id)
            if undo is not None:
                undo.remember(object_name, record_id, current)
            stamp = self.next_stamp()
            record = dict(current)
            record.update(IsDeleted=True, LastModifiedDate=stamp, LastModifiedById=user_id, SystemModstamp=stamp)
            self._records[object_name][record_id] = record
            self._dirty[record_id] = object_name

    def purge(self, record_id: str) -> str:
        """The record leaves the org for good (emptied from the Recycle Bin, or hard-deleted): no read, not even
        ``queryAll``, returns it again. Returns its object's name."""
        with self.lock:
            canonical = ids.normalize(record_id)
            object_name = self._owner.pop(canonical or "", None)
            if canonical is None or object_name is None:
                raise KeyError(record_id)
            self._records[object_name].pop(canonical, None)
            self._dirty[canonical] = object_name
            return object_name

    def rollback(self, undo: Undo) -> None:
        with self.lock:
            for record_id, (object_name, before) in reversed(list(undo.before.items())):
                if before is None:
                    self._records[object_name].pop(record_id, None)
                    self._owner.pop(record_id, None)
                else:
                    self._records[object_name][record_id] = before
                self._dirty[record_id] = object_name
            undo.before.clear()

    def find_by_field(self, object_name: str, field_name: str, value: Any) -> list[str]:
        """Ids of live records whose field equals value (text compared case-insensitively, as external Ids are)."""
        if isinstance(value, str):
            wanted = value.lower()
            return [rid for rid, r in self._records[object_name].items()
                    if not r["IsDeleted"] and isinstance(r.get(field_name), str) and r[field_name].lower() == wanted]
        return [rid for rid, r in self._records[object_name].items()
                if not r["IsDeleted"] and r.get(field_name) == value]

    def external_index(self, object_name: str, field_name: str) -> dict[Any, list[str]]:
        """One scan for a whole collection upsert instead of one per record."""
        index: dict[Any, list[str]] = {}
        for rid, r in self._records[object_name].items():
            value = r.get(field_name)
            if r["IsDeleted"] or value is None:
                continue
            index.setdefault(value.lower() if isinstance(value, str) else value, []).append(rid)
        return index

    def _existing(self, object_name: str, record_id: str) -> dict[str, Any]:
        current = self._records[object_name].get(record_id)
        if current is None:
            raise RecordError("NOT_FOUND", "The requested resource does not exist", http_status=404)
        if current["IsDeleted"]:
            raise RecordError("ENTITY_IS_DELETED", "entity is deleted", http_status=404)
        return current

    def _check_writable(self, obj: ObjectDef, values: dict[str, Any], creating: bool) -> None:
        readonly = [name for name in values
                    if not (obj.fields[name].createable if creating else obj.fields[name].updateable)]
        if readonly:
            raise RecordError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(readonly)}. Please check the security settings of "
                "this field and verify that it is read/write for your profile or permission set.",
                readonly,
            )

    def _validate(self, obj: ObjectDef, record: dict[str, Any], changed: list[str]) -> None:
        missing = [f.name for f in obj.fields.values()
                   if not f.nillable and f.createable and f.type != "boolean" and record.get(f.name) in (None, "")]
        if missing:
            raise RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                              missing)
        for name in changed:
            field = obj.fields[name]
            value = record.get(name)
            if value is None:
                continue
            if isinstance(value, str) and field.length and field.type != "reference" and len(value) > field.length:
                raise RecordError("STRING_TOO_LONG",
                                  f"{field.label}: data value too large: {value} (max length={field.length})",
                                  [name])
            if field.type == "picklist" and field.restricted_picklist and value not in field.picklist_values:
                raise RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                  f"{field.label}: bad value for restricted picklist field: {value}", [name])
            if field.type == "email" and not _EMAIL_RE.match(value):
                raise RecordError("INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {value}", [name])
            if field.type == "reference":
                record[name] = self._check_reference(field, value)
        if obj.name == schema.TASK and record.get("WhoId") and record.get("WhatId") \
                and str(record["WhoId"]).startswith("00Q"):
            # (unverified) wording; the rule itself is documented: a Task on a Lead has no WhatId.
            raise RecordError("FIELD_INTEGRITY_EXCEPTION",
                              "関連先 ID: id value of incorrect type: a task related to a lead cannot have a "
                              "Related To (WhatId) value", ["WhatId"])

    def _check_reference(self, field: FieldDef, value: str) -> str:
        canonical = ids.normalize(value)
        if canonical is None:
            raise RecordError("MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", [field.name])
        targets = {self.objects[t].key_prefix for t in field.reference_to if t in self.objects}
        if canonical[:3] not in targets:
            raise RecordError("FIELD_INTEGRITY_EXCEPTION", f"{field.label}: id value of incorrect type: {value}",
                              [field.name])
        found = self.get(canonical)
        if found is None:
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field.name])
        if found[1]["IsDeleted"]:
            # (unverified) code for a reference to a record in the recycle bin.
            raise RecordError("ENTITY_IS_DELETED", "entity is deleted", [field.name])
        return canonical

    def _derive(self, obj: ObjectDef, record: dict[str, Any]) -> None:
        """Fields the org computes: person names, closed flags, Task.AccountId and the WavUrlImg__c formula."""
        if obj.name in (schema.CONTACT, schema.LEAD):
            first, last = record.get("FirstName"), record.get("LastName")
            record["Name"] = f"{last} {first}" if first else last
        elif obj.name == schema.CASE:
            record["IsClosed"] = record.get("Status") == "Closed"
        elif obj.name in schema.ACTIVITY_OBJECTS:
            if obj.name == schema.TASK:
                record["IsClosed"] = record.get("Status") in self.task_closed_statuses()
            record["AccountId"] = self._task_account(record)
            if schema.WAV_FIELD in obj.fields:
                record[schema.WAV_FIELD] = self._wav_formula(record)

    def _task_account(self, task: dict[str, Any]) -> str | None:
        for key in ("WhatId", "WhoId"):
            found = self.get(task.get(key) or "")
            if found is None:
                continue
            object_name, parent = found
            if object_name == schema.ACCOUNT:
                return str(parent["Id"])
            if parent.get("AccountId"):
                return str(parent["AccountId"])
        return None

    def _wav_formula(self, task: dict[str, Any]) -> str | None:
        formula = self.objects[schema.TASK].fields[schema.WAV_FIELD].calculated_formula or ""
        if "monitor_link" not in formula:
            # IF(ISBLANK(B_ServerIP__c), NULL, HYPERLINK(B_ServerIP__c, IMAGE($Label.WavImg, "Image"), "Image")):
            # the recording-template form (README), the whole link in B_ServerIP__c.
            link = task.get("B_ServerIP__c") or ""
            if not link:
                return None
            image = (self.labels.get("WavImg") or {}).get("Value") or ""
            return (f'<a href="{html.escape(link)}" target="Image"><img src="{html.escape(image)}" alt="Image" '
                    f'border="0"/></a>')
        # HYPERLINK(B_ServerIP__c + '/monitor_link/' + B_UniqueId__c, IMAGE($Label.WavImg, "Image"), "Image"):
        # null text concatenates as "" in formulas. The HTML is what Salesforce renders for HYPERLINK/IMAGE
        # (unverified attribute order).
        url = f"{task.get('B_ServerIP__c') or ''}/monitor_link/{task.get('B_UniqueId__c') or ''}"
        image = (self.labels.get("WavImg") or {}).get("Value") or ""
        return (f'<a href="{html.escape(url)}" target="Image"><img src="{html.escape(image)}" alt="Image" '
                f'border="0"/></a>')

    # ----------------------------------------------------------------- system rows (not through DML)
    def insert_system(self, object_name: str, values: dict[str, Any], record_id: str | None = None) -> str:
        """Rows the org owns (User, Organization, TaskStatus): no validation."""
        with self.lock:
            obj = self.objects[object_name]
            record_id = record_id or self._ids.new(obj.key_prefix)
            stamp = self.next_stamp()
            record = dict.fromkeys(obj.fields)
            record.update(values)
            record.update(Id=record_id, IsDeleted=False, CreatedDate=stamp, LastModifiedDate=stamp,
                          SystemModstamp=stamp, CreatedById=self.user_id or record_id,
                          LastModifiedById=self.user_id or record_id)
            self._records[object_name][record_id] = record
            self._owner[record_id] = object_name
            self._dirty[record_id] = object_name
            return record_id

    def new_id(self, key_prefix: str) -> str:
        return self._ids.new(key_prefix)

    # ----------------------------------------------------------------- persistence
    def flush(self) -> None:
        """Writes what changed since the last flush to the state file (no-op without ``--state``)."""
        if self._state is None:
            return
        with self.lock:
            if not self._dirty and not self._meta_dirty:
                return
            changed = [(rid, obj, self._records.get(obj, {}).get(rid)) for rid, obj in self._dirty.items()]
            meta: dict[str, Any] = {"counters": {"id": self._ids.last, "case_number": self._case_number}}
            if self._meta_dirty:
                meta.update(
                    objects=[schema.object_to_json(o) for o in self.objects.values()],
                    labels=self.labels, static_resources={k: {kk: _to_storable(vv) for kk, vv in v.items()}
                                                          for k, v in self.static_resources.items()},
                    org={"org_id": self.org_id, "user_id": self.user_id},
                    api_fields={name: [dataclasses.asdict(f) for f in fields.values()]
                                for name, fields in self.api_fields.items()},
                )
            self._state.save(changed, meta)
            self._dirty.clear()
            self._meta_dirty = False

    def mark_meta_dirty(self) -> None:
        self._meta_dirty = True

    def load_state(self) -> bool:
        """Loads the state file; False when it is new (the caller seeds and flushes)."""
        if self._state is None or self._state.is_empty():
            return False
        with self.lock:
            meta = self._state.load_meta()
            self.objects = {o["name"]: schema.object_from_json(dict(o)) for o in meta["objects"]}
            self._records = {name: {} for name in self.objects}
            self._owner.clear()
            self.labels = meta.get("labels", {})
            self.static_resources = {k: {kk: _from_storable(vv) for kk, vv in v.items()}
                                     for k, v in meta.get("static_resources", {}).items()}
            self.org_id = meta["org"]["org_id"]
            self.user_id = meta["org"]["user_id"]
            self.api_fields = {name: {f["name"]: FieldDef(**{**f, "reference_to": tuple(f["reference_to"]),
                                                               "picklist_values": tuple(f["picklist_values"])})
                                      for f in fields}
                               for name, fields in meta.get("api_fields", {}).items()}
            self._ids = ids.IdFactory(start=int(meta["counters"]["id"]) + 1)
            self._case_number = int(meta["counters"]["case_number"])
            for object_name, record in self._state.load_records():
                self._records.setdefault(object_name, {})[record["Id"]] = record
                self._owner[record["Id"]] = object_name
                stamp = record.get("SystemModstamp")
                if isinstance(stamp, dt.datetime) and stamp > self._last_stamp:
                    self._last_stamp = stamp
            self._dirty.clear()
            self._meta_dirty = False
            return True

    def close(self) -> None:
        if self._state is not None:
            self.flush()
            self._state.close()


def replace_field(field: FieldDef, **changes: Any) -> FieldDef:
    return dataclasses.replace(field, **changes)
