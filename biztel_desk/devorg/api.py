"""The REST data API of the dev org (/services/data/vXX.X/…): describe, SOQL, SOSL, sObject, collections, composite."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from biztel_desk.devorg import describe, ids, schema, setup_api
from biztel_desk.devorg.model import Catalog, FieldDef, ObjectDef, QueryError
from biztel_desk.devorg.soql import execute_soql
from biztel_desk.devorg.sosl import execute_sosl
from biztel_desk.devorg.store import OrgStore, RecordError, RequestError, Undo, json_value
from biztel_desk.devorg.tooling import ToolingCatalog

QUERY_BATCH = 2000  # default query page size (nextRecordsUrl)
MAX_COLLECTION = 200
MAX_COMPOSITE = 25
MAX_COMPOSITE_QUERIES = 5
# "If the request body includes objects of more than one type, they are processed as chunks … A single request
# can process up to 10 chunks." (REST API guide, Create Records Using sObject Collections)
MAX_TYPE_CHUNKS = 10
# (unverified) How REST reports it; the text is Salesforce's Apex message for the same rule.
_TOO_MANY_CHUNKS = ("INVALID_OPERATION",
                    "Cannot have more than 10 chunks in a single operation. Please rearrange the data to reduce chunking.")
_HALTED = [{"errorCode": "PROCESSING_HALTED",
            "message": "The transaction was rolled back since another operation in the same transaction failed."}]
_MAX_CURSORS = 200
_ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
    "fields": [],
}
_NOT_FOUND = "The requested resource does not exist"
_REF_RE = re.compile(r"@\{([^}]*)\}")


@dataclass
class Reply:
    """One HTTP answer: JSON-able body (or None for 204), status and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    """Who is calling and how: the user, the API version of the URL, and the fault hook for lock errors."""

    user_id: str
    version: str
    lock_fault: Callable[[], bool]
    undo: Undo | None = None
    # Sforce-Auto-Assign: assignment rules run on Case and Lead creates unless the request says FALSE.
    auto_assign: bool = True
    # The `opaque_rollback` fault: an all-or-none composite that fails reports every subrequest PROCESSING_HALTED.
    opaque_rollback: Callable[[], bool] = lambda: False


def error(status: int, code: str, message: str, fields: list[str] | None = None) -> Reply:
    item: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    return Reply(status, [item])


def classify(method: str, rest: str) -> str:
    """The counter kind of a REST call (``rest`` is the path after /services/data/vXX.X/)."""
    parts = [p for p in rest.split("/") if p]
    head = parts[0] if parts else ""
    if head in ("query", "queryAll"):
        return "query_more" if len(parts) > 1 else "query"
    if head in ("search", "parameterizedSearch"):
        return "search"
    if head == "limits":
        return "limits"
    if head == "tooling":
        return "tooling"
    if head == "composite":
        return "collection" if len(parts) > 1 and parts[1] == "sobjects" else "composite"
    if head == "sobjects":
        if len(parts) == 1:
            return "describe_global"
        if len(parts) == 2:
            return "create" if method == "POST" else "describe"
        if len(parts) == 3 and parts[2] == "describe":
            return "describe"
        if len(parts) == 4 and method == "PATCH":
            return "upsert"
        return {"GET": "read", "PATCH": "update", "DELETE": "delete", "POST": "create"}.get(method, "read")
    return "other"


def is_write(method: str, rest: str) -> bool:
    return method in ("POST", "PATCH", "PUT", "DELETE") and not rest.startswith(("query", "search"))


class RestApi:
    """Routes and answers REST calls against an OrgStore. Thread-safe through the store's lock."""

    def __init__(self, store: OrgStore, index_delay_s: Callable[[], float]) -> None:
        self.store = store
        self.tooling = ToolingCatalog(store)
        self._index_delay_s = index_delay_s
        self._cursors: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._cursor_lock = threading.Lock()
        # The owner the org's active Case/Lead assignment rule gives new records (None: no active rule).
        self.assignment_owner: str | None = None

    # ----------------------------------------------------------------- routing
    def handle(self, method: str, rest: str, query: dict[str, str], body: Any, ctx: Ctx) -> Reply:
        parts = [unquote(p) for p in rest.split("/") if p]
        head = parts[0] if parts else ""
        try:
            if not parts and method == "GET":
                return Reply(200, self._resources(ctx.version))
            if head in ("query", "queryAll") and method == "GET":
                if len(parts) > 1:
                    return self._query_more(parts[1], ctx.version)
                return self._query(query.get("q", ""), head == "queryAll", self.store, ctx.version)
            if head == "search" and method == "GET":
                return self._search(query.get("q", ""), ctx.version)
            if head == "limits" and method == "GET":
                return Reply(200, {})  # filled in by the server, which owns the usage counter
            if head == "sobjects" and parts[1:] == ["StaticResource"] and method == "POST":
                return self._setup_create("StaticResource", body)
            if head == "sobjects":
                return self._sobjects(method, parts[1:], query, body, ctx)
            if head == "composite" and len(parts) > 1 and parts[1] == "sobjects":
                return self._collections(method, parts[2:], query, body, ctx)
            if head == "composite" and len(parts) == 1 and method == "POST":
                return self._composite(body, ctx)
            if head == "tooling":
                return self._tooling(method, parts[1:], query, body, ctx)
        except RequestError as exc:
            return Reply(exc.http_status, exc.body())
        except RecordError as exc:
            return Reply(exc.http_status, [exc.as_rest_error()])
        return error(404, "NOT_FOUND", _NOT_FOUND)

    @staticmethod
    def _resources(version: str) -> dict[str, str]:
        base = f"/services/data/v{version}"
        return {name: f"{base}/{name}" for name in (
            "tooling", "query", "queryAll", "search", "sobjects", "composite", "limits")}

    # ----------------------------------------------------------------- SOQL
    def _query(self, text: str, include_deleted: bool, catalog: Catalog, version: str,
               tooling: bool = False) -> Reply:
        try:
            with self.store.lock:
                result = execute_soql(text, catalog, include_deleted=include_deleted)
                obj = catalog.object_def(result.object_name)
                assert obj is not None
                # Tooling records live under …/tooling/sobjects/ (their attributes.url says so).
                base = f"/services/data/v{version}/{'tooling/' if tooling else ''}sobjects"
                ids = result.ids or [""] * len(result.records)
                rows = [self.render_row(catalog, obj, row, base, record_id) for row, record_id in zip(result.records, ids, strict=True)]
        except QueryError as exc:
            return error(400, exc.error_code, exc.message)
        if result.is_count:
            return Reply(200, {"totalSize": result.total_size, "done": True, "records": []})
        return Reply(200, self._page(rows, 0, version, tooling))

    def _page(self, rows: list[dict[str, Any]], start: int, version: str, tooling: bool,
              locator: str | None = None) -> dict[str, Any]:
        end = start + QUERY_BATCH
        page: dict[str, Any] = {"totalSize": len(rows), "done": end >= len(rows)}
        if end < len(rows):
            with self._cursor_lock:
                if locator is None:
                    # A server-side cursor per locator, as Salesforce keeps one (bounded, oldest dropped).
                    locator = self.store.new_id("01g")
                    self._cursors[locator] = rows
                    while len(self._cursors) > _MAX_CURSORS:
                        self._cursors.popitem(last=False)
            prefix = "tooling/" if tooling else ""
            page["nextRecordsUrl"] = f"/services/data/v{version}/{prefix}query/{locator}-{end}"
        page["records"] = rows[start:end]
        if tooling:
            page["entityTypeName"] = rows[0]["attributes"]["type"] if rows else None
            page["queryLocator"] = None
            page["size"] = len(rows)
        return page

    def _query_more(self, identifier: str, version: str, tooling: bool = False) -> Reply:
        locator, _, offset = identifier.partition("-")
        with self._cursor_lock:
            rows = self._cursors.get(locator)
        if rows is None or not offset.isdigit() or int(offset) > len(rows):
            return error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return Reply(200, self._page(rows, int(offset), version, tooling, locator))

    def render_row(self, catalog: Catalog, obj: ObjectDef, row: dict[str, Any], base: str,
                   record_id: str = "") -> dict[str, Any]:
        """A query/search row as Salesforce returns it: ``attributes`` first, parents as nested records.

        Salesforce names the record's URL even when Id is not selected; ``record_id`` carries it then.
        """
        attributes: dict[str, Any] = {"type": obj.name}
        record_id = record_id or str(row.get("Id") or "")
        if record_id:
            attributes["url"] = f"{base}/{obj.name}/{record_id}"
        out: dict[str, Any] = {"attributes": attributes}
        for key, value in row.items():
            if isinstance(value, dict):
                out[key] = self._render_parent(catalog, obj, key, value, base)
            else:
                out[key] = json_value(value)
        return out

    def _render_parent(self, catalog: Catalog, obj: ObjectDef, key: str, value: dict[str, Any],
                       base: str) -> dict[str, Any]:
        lower = key.lower()
        ref = next((f for f in obj.fields.values() if (f.relationship_name or "").lower() == lower), None)
        targets = ref.reference_to if ref is not None else ()
        if len(targets) == 1 and (target := catalog.object_def(targets[0])) is not None:
            return self.render_row(catalog, target, value, base)
        # Polymorphic relationships (Who, What, Owner) come back as the "Name" pseudo-type.
        found = catalog.get(str(value["Id"])) if value.get("Id") else None
        out: dict[str, Any] = {"attributes": {"type": "Name"}}
        if found is not None:
            out["attributes"]["url"] = f"{base}/{found[0]}/{value['Id']}"
        out.update({k: json_value(v) for k, v in value.items()})
        return out

    # ----------------------------------------------------------------- SOSL
    def _search(self, text: str, version: str) -> Reply:
        try:
            with self.store.lock:
                result = execute_sosl(text, self.store, index_delay_s=self._index_delay_s())
                records = []
                for object_name, row in result.records:
                    obj = self.store.object_def(object_name)
                    assert obj is not None
                    records.append(self.render_row(self.store, obj, row, f"/services/data/v{version}/sobjects"))
        except QueryError as exc:
            return error(400, exc.error_code, exc.message)
        return Reply(200, {"searchRecords": records})

    # ----------------------------------------------------------------- sObject resources
    def _object(self, name: str) -> ObjectDef:
        obj = self.store.object_def(name)
        if obj is None:
            raise RequestError(404, "NOT_FOUND", _NOT_FOUND)
        return obj

    def _sobjects(self, method: str, parts: list[str], query: dict[str, str], body: Any, ctx: Ctx) -> Reply:
        if not parts:
            if method != "GET":
                return error(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are GET")
            with self.store.lock:  # schema changes (/__devorg/field) may run concurrently
                objects = [o for o in self.store.objects.values() if o.accessible]
                return Reply(200, describe.describe_global(objects, ctx.version))
        obj = self._object(parts[0])
        if len(parts) == 1:
            if method == "GET":
                return Reply(200, describe.sobject_basic_info(obj, ctx.version))
            if method == "POST":
                return self._create_one(obj, body, ctx)
            return error(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are GET,POST")
        if len(parts) == 2 and parts[1] == "describe" and method == "GET":
            with self.store.lock:
                objects = list(self.store.objects.values())
                return Reply(200, describe.describe_object(obj, ctx.version,
                                                           describe.child_relationships(objects, obj.name)))
        if len(parts) == 2:
            record_id = ids.normalize(parts[1])
            if record_id is None:
                # Salesforce reads a non-Id segment as an external Id field name (unverified wording).
                return error(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: "
                                               f"{parts[1]}")
            if record_id[:3] != obj.key_prefix or self.store.record(obj.name, record_id) is None:
                return error(404, "NOT_FOUND", _NOT_FOUND)
            return self._record_op(method, obj, record_id, query, body, ctx)
        if len(parts) == 3:
            return self._by_external_id(method, obj, parts[1], parts[2], query, body, ctx)
        return error(404, "NOT_FOUND", _NOT_FOUND)

    def _record_json(self, obj: ObjectDef, record: dict[str, Any], version: str,
                     fields: list[str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": obj.name,
                                              "url": f"/services/data/v{version}/sobjects/{obj.name}/{record['Id']}"}}
        for name in fields or list(obj.fields):
            out[name] = json_value(record.get(name))
        return out

    def _selected_fields(self, obj: ObjectDef, query: dict[str, str]) -> list[str] | None:
        if not query.get("fields"):
            return None
        names = []
        for raw in query["fields"].split(","):
            found = obj.field(raw.strip())
            if found is None:
                raise RequestError(400, "INVALID_FIELD", f"No such column '{raw.strip()}' on entity '{obj.name}'. "
                                   "If you are attempting to use a custom field, be sure to append the '__c' after "
                                   "the custom field name. Please reference your WSDL or the describe call for the "
                                   "appropriate names.")
            names.append(found.name)
        return names

    def _record_op(self, method: str, obj: ObjectDef, record_id: str, query: dict[str, str], body: Any,
                   ctx: Ctx) -> Reply:
        if method == "GET":
            fields = self._selected_fields(obj, query)
            with self.store.lock:
                record = self.store.record(obj.name, record_id)
                if record is None:
                    return error(404, "NOT_FOUND", _NOT_FOUND)
                if record["IsDeleted"]:
                    return error(404, "ENTITY_IS_DELETED", "entity is deleted")
                return Reply(200, self._record_json(obj, record, ctx.version, fields))
        if method == "PATCH":
            values = self.store.decode(obj, self._body_dict(body))
            self._lock_check(ctx, record_id)
            self.store.update(obj.name, record_id, values, ctx.user_id, ctx.undo)
            return Reply(204)
        if method == "DELETE":
            self._lock_check(ctx, record_id)
            self.store.delete(obj.name, record_id, ctx.user_id, ctx.undo)
            return Reply(204)
        return error(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH,DELETE")

    def _lock_check(self, ctx: Ctx, record_id: str) -> None:
        if ctx.lock_fault():
            raise RecordError("UNABLE_TO_LOCK_ROW",
                              f"unable to obtain exclusive access to this record or 1 records: {record_id}")

    @staticmethod
    def _body_dict(body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise RequestError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        return body

    def _assign(self, obj: ObjectDef, record_id: str, ctx: Ctx) -> None:
        """The assignment rule's effect on a new Case or Lead: its owner changes (unless the header said FALSE)."""
        if ctx.auto_assign and self.assignment_owner and obj.name in (schema.CASE, schema.LEAD):
            self.store.set_owner(obj.name, record_id, self.assignment_owner)

    def _create_one(self, obj: ObjectDef, body: Any, ctx: Ctx) -> Reply:
        values = self.store.decode(obj, self._body_dict(body))
        self._lock_check(ctx, self._parent_of(values))
        record_id = self.store.create(obj.name, values, ctx.user_id, ctx.undo)
        self._assign(obj, record_id, ctx)
        return Reply(201, {"id": record_id, "success": True, "errors": []},
                     {"Location": f"/services/data/v{ctx.version}/sobjects/{obj.name}/{record_id}"})

    @staticmethod
    def _parent_of(values: dict[str, Any]) -> str:
        """The record a new child would lock (its parent), for UNABLE_TO_LOCK_ROW messages."""
        for key in ("WhatId", "WhoId", "AccountId", "ParentId"):
            if values.get(key):
                return str(values[key])
        return ""

    def _external_field(self, obj: ObjectDef, name: str) -> FieldDef:
        found = obj.field(name)
        if found is None or not (found.external_id or found.name == "Id"):
            raise RequestError(404, "NOT_FOUND",
                               f"Provided external ID field does not exist or is not accessible: {name}")
        return found

    def _by_external_id(self, method: str, obj: ObjectDef, field_name: str, raw_value: str,
                        query: dict[str, str], body: Any, ctx: Ctx) -> Reply:
        ext = self._external_field(obj, field_name)
        value = ids.normalize(raw_value) if ext.name == "Id" else raw_value
        with self.store.lock:
            matches = self.store.find_by_field(obj.name, ext.name, value) if value else []
            if len(matches) > 1:
                return Reply(300, [f"/services/data/v{ctx.version}/sobjects/{obj.name}/{rid}" for rid in matches])
            if method == "GET":
                if not matches:
                    return error(404, "NOT_FOUND", _NOT_FOUND)
                return self._record_op("GET", obj, matches[0], query, body, ctx)
            if method == "DELETE":
                if not matches:
                    return error(404, "NOT_FOUND", _NOT_FOUND)
                return self._record_op("DELETE", obj, matches[0], query, body, ctx)
            if method != "PATCH":
                return error(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are "
                                                        "GET,PATCH,DELETE")
            values = self.store.decode(obj, self._body_dict(body))
            values.pop(ext.name, None)
            if matches:
                self._lock_check(ctx, matches[0])
                self.store.update(obj.name, matches[0], values, ctx.user_id, ctx.undo)
                # API 46.0+ answers an upsert that updated with 200 and a body (older versions: 204).
                return Reply(200, {"id": matches[0], "success": True, "errors": [], "created": False})
            if ext.name == "Id":
                return error(404, "NOT_FOUND", _NOT_FOUND)
            values[ext.name] = self.store.decode(obj, {ext.name: raw_value})[ext.name]
            self._lock_check(ctx, self._parent_of(values))
            record_id = self.store.create(obj.name, values, ctx.user_id, ctx.undo)
            return Reply(201, {"id": record_id, "success": True, "errors": [], "created": True},
                         {"Location": f"/services/data/v{ctx.version}/sobjects/{obj.name}/{record_id}"})

    # ----------------------------------------------------------------- sObject Collections
    def _collection_body(self, body: Any) -> tuple[bool, list[dict[str, Any]]]:
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise RequestError(400, "JSON_PARSER_ERROR", "The request body must contain a records array")
        records = body["records"]
        if len(records) > MAX_COLLECTION:
            # (unverified) error code and text; Salesforce refuses more than 200 records per collection call.
            raise RequestError(400, "EXCEEDED_ID_LIMIT",
                               "record limit reached. cannot submit more than 200 records into this call")
        if not all(isinstance(r, dict) for r in records):
            raise RequestError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
        return bool(body.get("allOrNone", False)), records

    def _record_type(self, record: dict[str, Any], default: str | None = None) -> ObjectDef:
        attributes = record.get("attributes")
        name = attributes.get("type") if isinstance(attributes, dict) else None
        name = name or default
        if not name:
            # (unverified) code; Salesforce needs attributes.type on every record of a create collection.
            raise RequestError(400, "INVALID_TYPE", "When the ID is not specified, the type must be specified")
        obj = self.store.object_def(str(name))
        if obj is None:
            raise RequestError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.")
        return obj

    def _collections(self, method: str, parts: list[str], query: dict[str, str], body: Any, ctx: Ctx) -> Reply:
        if method == "POST" and not parts:
            all_or_none, records = self._collection_body(body)
            _check_type_chunks(records)
            decoded = [(obj := self._record_type(r), self.store.decode(obj, r)) for r in records]
            return self._run_collection(decoded, all_or_none, ctx, self._create_item)
        if method == "PATCH" and not parts:
            all_or_none, records = self._collection_body(body)
            _check_type_chunks(records)
            decoded = []
            for record in records:
                raw_id = record.get("Id")
                record_id = ids.normalize(raw_id) if isinstance(raw_id, str) else None
                found = self.store.get(record_id) if record_id else None
                owner = found[0] if found is not None else None
                obj = self._record_type(record, owner)
                values = self.store.decode(obj, record)
                values["Id"] = record_id or raw_id
                decoded.append((obj, values))
            return self._run_collection(decoded, all_or_none, ctx, self._update_item)
        if method == "PATCH" and len(parts) == 2:
            obj = self._object(parts[0])
            ext = self._external_field(obj, parts[1])
            all_or_none, records = self._collection_body(body)
            decoded = [(obj, self.store.decode(self._record_type(r, obj.name), r)) for r in records]
            return self._upsert_collection(obj, ext, decoded, all_or_none, ctx)
        if method == "DELETE" and not parts:
            raw_ids = [i for i in query.get("ids", "").split(",") if i]
            if len(raw_ids) > MAX_COLLECTION:
                raise RequestError(400, "EXCEEDED_ID_LIMIT",
                                   "record limit reached. cannot submit more than 200 records into this call")
            all_or_none = query.get("allOrNone", "false").lower() == "true"
            items = [(self.store.objects[schema.TASK], {"Id": raw}) for raw in raw_ids]
            return self._run_collection(items, all_or_none, ctx, self._delete_item)
        if method == "GET" and len(parts) == 1:
            obj = self._object(parts[0])
            fields = self._selected_fields(obj, query)
            out: list[Any] = []
            with self.store.lock:
                for raw in (i for i in query.get("ids", "").split(",") if i):
                    record_id = ids.normalize(raw)
                    current = self.store.record(obj.name, record_id) if record_id else None
                    out.append(self._record_json(obj, current, ctx.version, fields)
                               if current is not None and not current["IsDeleted"] else None)
            return Reply(200, out)
        return error(404, "NOT_FOUND", _NOT_FOUND)

    def _run_collection(self, items: list[tuple[ObjectDef, dict[str, Any]]], all_or_none: bool, ctx: Ctx,
                        apply: Callable[[ObjectDef, dict[str, Any], Ctx, Undo], dict[str, Any]]) -> Reply:
        results: list[dict[str, Any]] = []
        undo = Undo()
        with self.store.lock:
            for obj, values in items:
                try:
                    results.append(apply(obj, dict(values), ctx, undo))
                except RecordError as exc:
                    failed: dict[str, Any] = {"success": False, "errors": [exc.as_collection_error()]}
                    if "Id" in values:
                        failed = {"id": values["Id"], **failed}
                    results.append(failed)
            self._finish_collection(results, all_or_none, undo, ctx)
        return Reply(200, results)

    def _finish_collection(self, results: list[dict[str, Any]], all_or_none: bool, undo: Undo, ctx: Ctx) -> None:
        if all_or_none and any(not r["success"] for r in results):
            self.store.rollback(undo)
            for index, result in enumerate(results):
                if result["success"]:
                    results[index] = {"success": False, "errors": [dict(_ROLLED_BACK)]}
        elif ctx.undo is not None:
            for record_id, before in undo.before.items():
                ctx.undo.before.setdefault(record_id, before)

    def _create_item(self, obj: ObjectDef, values: dict[str, Any], ctx: Ctx, undo: Undo) -> dict[str, Any]:
        self._lock_check(ctx, self._parent_of(values))
        record_id = self.store.create(obj.name, values, ctx.user_id, undo)
        self._assign(obj, record_id, ctx)
        return {"id": record_id, "success": True, "errors": []}

    def _update_item(self, obj: ObjectDef, values: dict[str, Any], ctx: Ctx, undo: Undo) -> dict[str, Any]:
        record_id = values.pop("Id", None)
        if not record_id:
            raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        canonical = ids.normalize(str(record_id))
        if canonical is None:
            raise RecordError("MALFORMED_ID", f"Record ID: id value of incorrect type: {record_id}", ["Id"])
        if self.store.record(obj.name, canonical) is None:
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["Id"])
        self._lock_check(ctx, canonical)
        self.store.update(obj.name, canonical, values, ctx.user_id, undo)
        return {"id": canonical, "success": True, "errors": []}

    def _delete_item(self, _obj: ObjectDef, values: dict[str, Any], ctx: Ctx, undo: Undo) -> dict[str, Any]:
        raw = str(values["Id"])
        canonical = ids.normalize(raw)
        if canonical is None:
            raise RecordError("MALFORMED_ID", f"malformed id {raw}")
        found = self.store.get(canonical)
        if found is None:
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        self._lock_check(ctx, canonical)
        self.store.delete(found[0], canonical, ctx.user_id, undo)
        return {"id": canonical, "success": True, "errors": []}

    def _upsert_collection(self, obj: ObjectDef, ext: FieldDef, items: list[tuple[ObjectDef, dict[str, Any]]],
                           all_or_none: bool, ctx: Ctx) -> Reply:
        results: list[dict[str, Any]] = []
        undo = Undo()
        with self.store.lock:
            index = self.store.external_index(obj.name, ext.name)
            keys = [values.get(ext.name) for _, values in items]
            normalized = [k.lower() if isinstance(k, str) else k for k in keys]
            for (_, values), key in zip(items, normalized, strict=True):
                try:
                    if key is None:
                        raise RecordError("MISSING_ARGUMENT", f"{ext.name} not specified", [ext.name])
                    if normalized.count(key) > 1:
                        # (unverified) Salesforce rejects an external Id repeated within one upsert call.
                        raise RecordError("DUPLICATE_EXTERNAL_ID",
                                          f"Duplicate external id specified: {values[ext.name]}", [ext.name])
                    matches = index.get(key, [])
                    if len(matches) > 1:
                        raise RecordError("DUPLICATE_EXTERNAL_ID",
                                          f"{ext.label}: more than one record found for external id field: "
                                          f"{matches}", [ext.name])
                    if matches:
                        fields = {k: v for k, v in values.items() if k != ext.name}
                        self._lock_check(ctx, matches[0])
                        self.store.update(obj.name, matches[0], fields, ctx.user_id, undo)
                        results.append({"id": matches[0], "success": True, "errors": [], "created": False})
                    else:
                        self._lock_check(ctx, self._parent_of(values))
                        record_id = self.store.create(obj.name, dict(values), ctx.user_id, undo)
                        index.setdefault(key, []).append(record_id)
                        results.append({"id": record_id, "success": True, "errors": [], "created": True})
                except RecordError as exc:
                    results.append({"success": False, "errors": [exc.as_collection_error()]})
            self._finish_collection(results, all_or_none, undo, ctx)
        return Reply(200, results)

    # ----------------------------------------------------------------- composite
    def _composite(self, body: Any, ctx: Ctx) -> Reply:
        if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
            raise RequestError(400, "JSON_PARSER_ERROR", "The request body must contain a compositeRequest array")
        subrequests = body["compositeRequest"]
        if len(subrequests) > MAX_COMPOSITE:
            # (unverified) wording.
            return error(400, "INVALID_REQUEST", f"Number of subrequests exceeds the limit of {MAX_COMPOSITE}.")
        heavy = sum(1 for s in subrequests if isinstance(s, dict)
                    and re.search(r"/(query|queryAll|composite/sobjects)\b", str(s.get("url", ""))))
        if heavy > MAX_COMPOSITE_QUERIES:
            return error(400, "INVALID_REQUEST", "The number of query and sObject Collections subrequests exceeds "
                                                 f"the limit of {MAX_COMPOSITE_QUERIES}.")
        all_or_none = bool(body.get("allOrNone", False))
        outputs: dict[str, Any] = {}
        responses: list[dict[str, Any]] = []
        undo = Undo()
        sub_ctx = Ctx(ctx.user_id, ctx.version, ctx.lock_fault, undo, ctx.auto_assign)
        with self.store.lock:
            for sub in subrequests:
                reference_id = str(sub.get("referenceId", "")) if isinstance(sub, dict) else ""
                reply = self._subrequest(sub, outputs, sub_ctx, all_or_none)
                responses.append({"body": reply.body, "httpHeaders": reply.headers,
                                  "httpStatusCode": reply.status, "referenceId": reference_id})
                # An all-or-none composite overrides its collections' allOrNone: a record that fails in one
                # fails the whole request ("allOrNone Parameters in Composite and Collections Requests").
                failed = reply.status >= 300 or (all_or_none and _collection_failed(reply.body))
                if not failed:
                    outputs[reference_id] = reply.body
                elif all_or_none:
                    self.store.rollback(undo)
                    halted = [dict(item) for item in _HALTED]
                    for index, done in enumerate(responses[:-1]):
                        responses[index] = {**done, "body": halted, "httpHeaders": {}, "httpStatusCode": 400}
                    for rest in subrequests[len(responses):]:
                        rid = str(rest.get("referenceId", "")) if isinstance(rest, dict) else ""
                        responses.append({"body": halted, "httpHeaders": {}, "httpStatusCode": 400,
                                          "referenceId": rid})
                    if ctx.opaque_rollback():
                        # (unverified shape) Every record reads PROCESSING_HALTED, the failing one included.
                        responses = [{**r, "body": [dict(item) for item in _HALTED], "httpHeaders": {},
                                      "httpStatusCode": 400} for r in responses]
                    break
            if ctx.undo is not None:
                for record_id, before in undo.before.items():
                    ctx.undo.before.setdefault(record_id, before)
        return Reply(200, {"compositeResponse": responses})

    def _subrequest(self, sub: Any, outputs: dict[str, Any], ctx: Ctx, all_or_none: bool = False) -> Reply:
        if not isinstance(sub, dict) or "url" not in sub or "method" not in sub:
            return error(400, "JSON_PARSER_ERROR", "Each subrequest needs method, url and referenceId")
        try:
            url = self._resolve_refs(str(sub["url"]), outputs)
            body = self._resolve_refs(sub.get("body"), outputs)
        except KeyError as exc:
            ref = exc.args[0]
            # (unverified) wording of Salesforce's message for a reference to a failed subrequest.
            return error(400, "PROCESSING_HALTED", f"Invalid reference specified. No value for {ref} found in "
                                                   f"{ref.split('.')[0].split('[')[0]}.")
        match = re.match(r"^/services/data/v(\d+\.\d+)/([^?]*)(?:\?(.*))?$", url)
        if not match:
            return error(400, "INVALID_URL", f"The URL {url} is not supported in a composite request")
        rest, raw_query = match.group(2), match.group(3) or ""
        query = {k: unquote(v.replace("+", " ")) for k, _, v in (p.partition("=") for p in raw_query.split("&") if p)}
        if rest.startswith("composite") and not rest.startswith("composite/sobjects"):
            return error(400, "INVALID_URL", "A composite request cannot contain composite subrequests")
        raw_headers = sub.get("httpHeaders")
        headers: dict[str, Any] = raw_headers if isinstance(raw_headers, dict) else {}
        assign = next((str(v) for k, v in headers.items() if k.lower() == "sforce-auto-assign"), None)
        auto_assign = ctx.auto_assign if assign is None else assign.strip().upper() != "FALSE"
        sub_ctx = Ctx(ctx.user_id, match.group(1), ctx.lock_fault, ctx.undo, auto_assign)
        if all_or_none and rest.startswith("composite/sobjects") and isinstance(body, dict):
            body = {**body, "allOrNone": True}
        return self.handle(str(sub["method"]).upper(), rest, query, body, sub_ctx)

    def _resolve_refs(self, value: Any, outputs: dict[str, Any]) -> Any:
        if isinstance(value, str):
            whole = _REF_RE.fullmatch(value)
            if whole:
                return self._lookup_ref(whole.group(1), outputs)
            return _REF_RE.sub(lambda m: str(self._lookup_ref(m.group(1), outputs)), value)
        if isinstance(value, dict):
            return {k: self._resolve_refs(v, outputs) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve_refs(v, outputs) for v in value]
        return value

    @staticmethod
    def _lookup_ref(expression: str, outputs: dict[str, Any]) -> Any:
        head = re.match(r"[A-Za-z0-9_]+", expression)
        if head is None or head.group(0) not in outputs:
            raise KeyError(expression)
        current = outputs[head.group(0)]
        for name, index in re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", expression[head.end():]):
            try:
                current = current[int(index)] if index else current[name]
            except (KeyError, IndexError, TypeError):
                raise KeyError(expression) from None
        if current is None:
            raise KeyError(expression)
        return current

    # ----------------------------------------------------------------- tooling
    def _tooling(self, method: str, parts: list[str], query: dict[str, str], body: Any, ctx: Ctx) -> Reply:
        if parts and parts[0] == "query" and method == "GET":
            if len(parts) > 1:
                return self._query_more(parts[1], ctx.version, tooling=True)
            return self._query(query.get("q", ""), False, self.tooling, ctx.version, tooling=True)
        if len(parts) == 2 and parts[0] == "sobjects" and method == "POST" and parts[1] in (
                "CustomField", "ExternalString", "StaticResource"):
            return self._setup_create(parts[1], body)
        if parts == ["sobjects"] and method == "GET":
            objects = [o for o in self.tooling.rows("EntityDefinition")]
            return Reply(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [
                {"name": n, "label": n, "queryable": True} for n in
                ("ExternalString", "StaticResource", "EntityDefinition", "FieldDefinition", "CustomField")],
                "entities": len(objects)})
        return error(404, "NOT_FOUND", _NOT_FOUND)

    def _setup_create(self, kind: str, body: Any) -> Reply:
        """Setup over the API (``devorg/setup_api.py``): CustomField, ExternalString, StaticResource."""
        create = {"CustomField": setup_api.create_custom_field, "ExternalString": setup_api.create_external_string,
                  "StaticResource": setup_api.create_static_resource}[kind]
        try:
            return Reply(201, create(self.store, self._body_dict(body)))
        except setup_api.SetupRefused as refused:
            return error(refused.status, refused.code, refused.message)


def _check_type_chunks(records: list[Any]) -> None:
    types = [str((r.get("attributes") or {}).get("type") or "") if isinstance(r, dict) else "" for r in records]
    chunks = sum(1 for i, name in enumerate(types) if i == 0 or name.lower() != types[i - 1].lower())
    if chunks > MAX_TYPE_CHUNKS:
        raise RequestError(400, *_TOO_MANY_CHUNKS)


def _collection_failed(body: Any) -> bool:
    """A collections answer (200) in which some record failed."""
    return isinstance(body, list) and any(isinstance(r, dict) and r.get("success") is False for r in body)


def parse_json_body(raw: bytes) -> Any:
    """The request body as JSON (None when empty); RequestError(JSON_PARSER_ERROR) when it is not JSON."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
