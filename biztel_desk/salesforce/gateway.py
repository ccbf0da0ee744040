"""The gateway to one Salesforce org: describe, phone-index queries, batched SOSL, batched writes, limits.

Every request goes through ``SalesforceGateway._request``: one place that applies the timeout, reads
``Sforce-Limit-Info``, logs in again once on an expired session and maps each failure to the error types of
``salesforce.errors`` — so the engine decides from the type alone whether to retry, pause, look up or fail.

Timeouts: Salesforce keeps running a REST write for up to 10 minutes ("The timeout limit for REST and SOAP API
calls is 10 minutes, except for any query call") even after the client gave up, so a write waits for its answer
longer than that (``write_timeout``); reads keep the short ``timeout``. Connecting always uses the short one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from simple_salesforce import Salesforce
from urllib3.exceptions import NewConnectionError

from biztel_desk.domain import phone
from biztel_desk.domain.config import AccountConfig
from biztel_desk.domain.matching import Candidate
from biztel_desk.salesforce.connection import SalesforceLoginError, connect
from biztel_desk.salesforce.errors import (
    AuthError,
    ConcurrentLimitExceeded,
    LimitExceeded,
    PermanentError,
    RecordError,
    TransientError,
    UnknownOutcome,
    WriteResult,
    error_of_body,
)
from biztel_desk.secrets import SecretStore

log = logging.getLogger(__name__)

MAX_COLLECTION = 200  # sObject Collections: records per call
SOSL_LIMIT = 2000  # rows a search returns at most
# Over 4,000 characters the logical operators inside FIND {…} are dropped (SALESFORCE.md); stay well below.
SOSL_FIND_MAX = 3900
IN_CHUNK = 100  # values per IN (…) list: keeps the GET URL short (each unique ID may be ~40 characters)
# The Task lookup packs values by length instead, so that a batch of 200 calls usually costs one query: the
# characters of the quoted values of one IN list (the query string stays well below the 16 KB URI limit).
LOOKUP_IN_CHARS = 9000
# Salesforce's server-side limit for a REST write: it may still commit this long after the request started.
SERVER_WRITE_LIMIT_S = 600.0
# Writes wait a little longer than the server's limit for their answer (a timeout then means "lost").
WRITE_TIMEOUT_S = SERVER_WRITE_LIMIT_S + 20.0
# sObject Collections process records of several types in chunks of consecutive same-type records, at most 10.
MAX_TYPE_CHUNKS = 10
# Tasks of a call are written after it started; a day's margin covers a PBX clock ahead of Salesforce's.
CREATED_MARGIN = dt.timedelta(days=1)
UNIQUE_ID_FIELD = "B_UniqueId__c"
# SPEC §6: fax numbers are not where customers call from; Salesforce types them `phone` all the same.
EXCLUDED_PHONE_FIELDS = frozenset({"Fax"})
# Login failures that are the network's fault, not the credentials': retried like any transient error.
_TRANSIENT_LOGIN = frozenset({"timeout", "unreachable"})
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


@dataclass(frozen=True)
class ObjectInfo:
    """What the engine needs of one object's describe."""

    name: str
    key_prefix: str
    phone_fields: tuple[str, ...]
    fields: frozenset[str]
    # Active values of the picklist fields (LeadSource…), from the same describe.
    picklists: tuple[tuple[str, tuple[str, ...]], ...] = ()
    restricted_picklists: frozenset[str] = frozenset()

    def picklist(self, field_name: str) -> tuple[str, ...] | None:
        """The active values of a picklist field; None when the field is not a picklist of this object."""
        return next((values for name, values in self.picklists if name == field_name), None)
    searchable: bool = True  # describe "searchable": a non-searchable object in RETURNING fails the whole SOSL
    name_field: str = ""  # describe's nameField (Name, CaseNumber…): read with the numbers for the history

    @property
    def has_account(self) -> bool:
        return "AccountId" in self.fields

    @property
    def has_converted(self) -> bool:
        return "IsConverted" in self.fields


@dataclass(frozen=True)
class TaskSetup:
    """The org's Task: which fields exist, whether B_UniqueId__c is an External ID, a closed status."""

    fields: frozenset[str]
    unique_id_external: bool
    closed_status: str | None
    server_ip_length: int = 0  # B_ServerIP__c's length (0: unknown or no such field)


@dataclass(frozen=True)
class FoundTask:
    """A Task already in Salesforce for a call (found by CallObject)."""

    id: str
    call_object: str
    who_id: str | None
    what_id: str | None


@dataclass(frozen=True)
class PhoneRow:
    """One record of an object as the phone index mirrors it."""

    record_id: str
    phones: dict[str, str]  # phone field → value as stored in Salesforce (non-empty only)
    last_modified: dt.datetime | None
    modstamp: dt.datetime | None
    account_id: str | None = None
    converted: bool = False
    person_id: str | None = None  # the person Account of a Person Account (see person_id())
    name: str | None = None  # the record's name field (ObjectInfo.name_field)


def _name_of(info: ObjectInfo, row: dict[str, Any]) -> str | None:
    """The record's name as read (cut to the 255 characters the database keeps), None when not read or empty."""
    value = row.get(info.name_field) if info.name_field else None
    return str(value)[:255] if value not in (None, "") else None


def person_id(object_name: str, row: dict[str, Any]) -> str | None:
    """The person Account Id of a Person Account row (the Account itself, or its person Contact's AccountId).

    A person's number is on the Account (Person… fields) and on its person Contact: one person, one
    candidate (SALESFORCE.md "Person Accounts"). None for business accounts and ordinary contacts.
    """
    if not row.get("IsPersonAccount"):
        return None
    value = row.get("Id") if object_name == "Account" else row.get("AccountId")
    return str(value) if value else None


@dataclass
class _Usage:
    used: int = 0
    total: int = 0
    known: bool = False


def parse_datetime(text: Any) -> dt.datetime | None:
    """Salesforce's ``2024-05-01T09:30:00.000+0000`` as an aware datetime."""
    if not isinstance(text, str) or not text:
        return None
    value = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", value):
        value = value[:-2] + ":" + value[-2:]
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def soql_datetime(value: dt.datetime) -> str:
    """A SOQL datetime literal (whole seconds: fractional literals are not documented for SOQL)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def soql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SalesforceGateway:
    """One logged-in connection to an account's org. Not thread-safe: one gateway per worker thread."""

    def __init__(self, account: AccountConfig, secrets: SecretStore, *, timeout: float = 30,
                 write_timeout: float = WRITE_TIMEOUT_S) -> None:
        self.account = account
        self._secrets = secrets
        self.timeout = timeout
        self.write_timeout = write_timeout
        self._sf: Salesforce | None = None
        self._usage = _Usage()
        self._describes: dict[str, ObjectInfo | None] = {}
        self._task_setup: TaskSetup | None = None

    # --- session --------------------------------------------------------------------------------------------

    def open(self) -> None:
        """Log in (if not yet). AuthError when refused, TransientError when the host cannot be reached."""
        if self._sf is not None:
            return
        try:
            self._sf = connect(self.account, self._secrets, timeout=self.timeout)
        except SalesforceLoginError as error:
            if error.code in _TRANSIENT_LOGIN:
                raise TransientError(error.code, error.text("en")) from None
            raise AuthError(error.code, error.detail, (error.text("ja"), error.text("en"))) from None

    def close(self) -> None:
        if self._sf is not None:
            self._sf.session.close()
            self._sf = None

    @property
    def sf(self) -> Salesforce:
        self.open()
        assert self._sf is not None
        return self._sf

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) of the org's daily API requests from the last ``Sforce-Limit-Info`` seen."""
        return (self._usage.used, self._usage.total) if self._usage.known else None

    def usage_percent(self) -> float:
        if not self._usage.known or self._usage.total <= 0:
            return 0.0
        return 100.0 * self._usage.used / self._usage.total

    def refresh_usage(self) -> tuple[int, int] | None:
        """Ask for the daily API usage (one call): how a paused engine learns that the usage has recovered."""
        data = self._request("GET", "limits/")
        daily = data.get("DailyApiRequests") if isinstance(data, dict) else None
        if isinstance(daily, dict) and "Max" in daily and "Remaining" in daily:
            maximum = int(daily["Max"])
            self._usage = _Usage(maximum - int(daily["Remaining"]), maximum, True)
        return self.api_usage

    def _read_usage(self, response: requests.Response) -> None:
        header = response.headers.get("Sforce-Limit-Info") or ""
        match = _LIMIT_INFO.search(header)
        if match:
            self._usage = _Usage(int(match.group(1)), int(match.group(2)), True)

    def _relogin(self) -> None:
        # A fresh login instead of simple-salesforce's own retry loop: ours is bounded to once per request.
        self.close()
        self.open()

    def _request(self, method: str, path: str, *, params: dict[str, str] | None = None, body: Any = None,
                 write: bool = False, headers: dict[str, str] | None = None) -> Any:
        """One REST call; ``path`` is relative to /services/data/vXX.X/ or absolute (/services/…)."""
        # (connect, read): a write waits for Salesforce's answer longer than its server-side limit.
        timeout = (self.timeout, self.write_timeout) if write else self.timeout
        for attempt in (1, 2):
            sf = self.sf
            url = f"https://{sf.sf_instance}{path}" if path.startswith("/") else f"{sf.base_url}{path}"
            try:
                response = sf.session.request(method, url, headers={**sf.headers, **(headers or {})}, params=params,
                                              data=None if body is None else json.dumps(body),
                                              timeout=timeout)
            except requests.exceptions.ConnectTimeout as error:
                raise TransientError("CONNECT_TIMEOUT", type(error).__name__) from None
            except (requests.exceptions.Timeout, requests.exceptions.ConnectionError,
                    requests.exceptions.ChunkedEncodingError) as error:
                if _never_sent(error) or not write:
                    raise TransientError("NETWORK", type(error).__name__) from None
                # The request may have reached Salesforce and been applied: only a lookup can tell.
                raise UnknownOutcome("NO_RESPONSE", type(error).__name__) from None
            self._read_usage(response)
            if response.status_code < 300:
                if response.status_code == 204 or not response.content:
                    return None
                return response.json()
            code, message = _error_of(response)
            if response.status_code == 401 and code == "INVALID_SESSION_ID" and attempt == 1:
                # Salesforce answered 401 without processing the request, so sending it again is safe.
                self._relogin()
                continue
            raise _mapped(response.status_code, code, message, write)
        raise AssertionError("unreachable")

    # --- describe -------------------------------------------------------------------------------------------

    def describe(self, name: str) -> ObjectInfo | None:
        """Phone fields and field names of an object; None when the org has no such object for this user."""
        if name not in self._describes:
            try:
                data = self._request("GET", f"sobjects/{name}/describe")
            except PermanentError as error:
                if error.code in {"NOT_FOUND", "INVALID_TYPE"}:
                    self._describes[name] = None
                    return None
                raise
            fields = data.get("fields", [])
            phones = tuple(
                str(f["name"]) for f in fields if f.get("type") == "phone" and f["name"] not in EXCLUDED_PHONE_FIELDS
            )
            picklists = tuple(
                (str(f["name"]), tuple(str(v["value"]) for v in f.get("picklistValues") or ()
                                       if isinstance(v, dict) and v.get("active", True) and v.get("value")))
                for f in fields if f.get("type") in {"picklist", "multipicklist"}
            )
            self._describes[name] = ObjectInfo(
                name=str(data.get("name", name)),
                key_prefix=str(data.get("keyPrefix") or ""),
                phone_fields=phones,
                fields=frozenset(str(f["name"]) for f in fields),
                picklists=picklists,
                restricted_picklists=frozenset(str(f["name"]) for f in fields if f.get("restrictedPicklist")),
                searchable=bool(data.get("searchable", True)),
                name_field=next((str(f["name"]) for f in fields if f.get("nameField")), ""),
            )
        return self._describes[name]

    def task_setup(self) -> TaskSetup:
        if self._task_setup is None:
            data = self._request("GET", "sobjects/Task/describe")
            fields = {str(f["name"]): f for f in data.get("fields", [])}
            unique = fields.get(UNIQUE_ID_FIELD)
            self._task_setup = TaskSetup(
                fields=frozenset(fields),
                unique_id_external=bool(unique and unique.get("externalId")),
                closed_status=self._closed_status(),
                server_ip_length=int((fields.get("B_ServerIP__c") or {}).get("length") or 0),
            )
        return self._task_setup

    def _closed_status(self) -> str | None:
        try:
            rows = self.query_all("SELECT ApiName FROM TaskStatus WHERE IsClosed = true")
            names = [str(r["ApiName"]) for r in rows if r.get("ApiName")]
        except PermanentError:
            # TaskStatus.ApiName is recent (unverified from which API version); MasterLabel always exists.
            rows = self.query_all("SELECT MasterLabel FROM TaskStatus WHERE IsClosed = true")
            names = [str(r["MasterLabel"]) for r in rows if r.get("MasterLabel")]
        if "Completed" in names:
            return "Completed"
        return names[0] if names else None

    # --- queries --------------------------------------------------------------------------------------------

    def query_all(self, soql: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Every row of a SOQL query, following nextRecordsUrl (each page is one API call)."""
        resource = "queryAll/" if include_deleted else "query/"
        page = self._request("GET", resource, params={"q": soql})
        rows: list[dict[str, Any]] = list(page.get("records", []))
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = self._request("GET", str(page["nextRecordsUrl"]))
            rows.extend(page.get("records", []))
        return rows

    def phone_rows(self, info: ObjectInfo, since: dt.datetime | None) -> list[PhoneRow]:
        """Records changed at or after ``since`` (all when None), oldest change first."""
        columns = ["Id", *info.phone_fields, "LastModifiedDate", "SystemModstamp"]
        columns += [info.name_field] if info.name_field and info.name_field not in columns else []
        if info.name == "Contact" and info.has_account:
            columns.append("AccountId")
        if info.has_converted:
            columns.append("IsConverted")
        if "IsPersonAccount" in info.fields:
            columns.append("IsPersonAccount")
        # ">=" on whole seconds: re-reading the records of the last second costs nothing and misses none.
        where = f" WHERE SystemModstamp >= {soql_datetime(since)}" if since else ""
        soql = f"SELECT {', '.join(columns)} FROM {info.name}{where} ORDER BY SystemModstamp"
        out = []
        for row in self.query_all(soql):
            phones = {name: str(row[name]) for name in info.phone_fields if row.get(name)}
            out.append(
                PhoneRow(
                    record_id=str(row["Id"]),
                    phones=phones,
                    last_modified=parse_datetime(row.get("LastModifiedDate")),
                    modstamp=parse_datetime(row.get("SystemModstamp")),
                    account_id=row.get("AccountId"),
                    converted=bool(row.get("IsConverted")),
                    person_id=person_id(info.name, row),
                    name=_name_of(info, row),
                )
            )
        return out

    def deleted_ids(self, info: ObjectInfo, since: dt.datetime) -> list[str]:
        soql = (f"SELECT Id FROM {info.name} WHERE IsDeleted = true AND SystemModstamp >= {soql_datetime(since)}")
        return [str(row["Id"]) for row in self.query_all(soql, include_deleted=True)]

    def find_tasks(self, call_objects: Sequence[str], *, external_values: Sequence[str] = (),
                   created_since: dt.datetime | None = None) -> list[FoundTask]:
        """Tasks whose CallObject is one of ``call_objects`` (the unique IDs of calls), not deleted.

        ``queryAll``: ``query`` leaves out archived Tasks (closed, ActivityDate over 365 days ago), and a call
        imported again long after is exactly the case where its Task is archived. The filter is selective on an
        indexed field, as a large org needs (CallObject is not indexed): B_UniqueId__c IN ``external_values``
        when that field is an External ID (every value the app may have written there for these calls: the
        unique ID, the request ID), else ``CreatedDate >= created_since`` (the earliest call start minus a day:
        no Task of a call is written before the call). CallObject still decides which call a Task belongs to.
        """
        wanted = set(call_objects)
        if not wanted:
            return []
        setup = self.task_setup()
        if setup.unique_id_external and external_values:
            column, values = UNIQUE_ID_FIELD, sorted({v for v in external_values if v} | wanted)
            extra = ""
        else:
            column, values = "CallObject", sorted(wanted)
            extra = f" AND CreatedDate >= {soql_datetime(created_since - CREATED_MARGIN)}" if created_since else ""
        found: list[FoundTask] = []
        for chunk in _packed(values, LOOKUP_IN_CHARS):
            listed = ", ".join(soql_string(v) for v in chunk)
            soql = (f"SELECT Id, CallObject, WhoId, WhatId FROM Task WHERE {column} IN ({listed}) "
                    f"AND IsDeleted = false{extra}")
            for r in self.query_all(soql, include_deleted=True):
                call_object = str(r.get("CallObject") or "")
                if call_object in wanted:
                    found.append(FoundTask(str(r["Id"]), call_object, r.get("WhoId"), r.get("WhatId")))
        return found

    def field_values(self, object_name: str, ids: Sequence[str], fields: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``{Id: {field: value}}`` for records of one object (Contact.AccountId, Case.AccountId/ContactId…)."""
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(sorted(set(ids)), IN_CHUNK):
            values = ", ".join(soql_string(v) for v in chunk)
            soql = f"SELECT Id, {', '.join(fields)} FROM {object_name} WHERE Id IN ({values})"
            for row in self.query_all(soql):
                out[str(row["Id"])] = {name: row.get(name) for name in fields}
        return out

    # --- SOSL -----------------------------------------------------------------------------------------------

    def search_phones(self, numbers: Sequence[str], objects: Sequence[ObjectInfo],
                      region: str = "JP", *, limit: int = SOSL_LIMIT) -> dict[str, list[Candidate]]:
        """Candidates per E.164 number, by batched SOSL confirmed on the client by normalised equality.

        ``limit`` is the row cap of one search (Salesforce's 2,000): lowered by tests only, to see a batch
        that hits the cap split and searched again without seeding thousands of records.
        """
        searchable = [o for o in objects if o.phone_fields]
        result: dict[str, list[Candidate]] = {number: [] for number in numbers}
        if not searchable or not numbers:
            return result
        for batch in self._sosl_batches(list(dict.fromkeys(numbers))):
            self._search_batch(batch, searchable, region, result, limit)
        return result

    @staticmethod
    def _sosl_batches(numbers: list[str]) -> list[list[str]]:
        batches: list[list[str]] = []
        current: list[str] = []
        length = 0
        for number in numbers:
            terms = " OR ".join(phone.search_forms(number))
            extra = len(terms) + (4 if current else 0)
            if current and length + extra > SOSL_FIND_MAX:
                batches.append(current)
                current, length, extra = [], 0, len(terms)
            current.append(number)
            length += extra
        if current:
            batches.append(current)
        return batches

    def _search_batch(self, batch: list[str], objects: Sequence[ObjectInfo], region: str,
                      result: dict[str, list[Candidate]], limit: int = SOSL_LIMIT) -> None:
        # Digits only inside FIND {…}: SOSL's reserved characters never appear, so nothing needs escaping.
        terms = " OR ".join(form for number in batch for form in phone.search_forms(number))
        returning = ", ".join(self._returning(o) for o in objects)
        sosl = f"FIND {{{terms}}} IN PHONE FIELDS RETURNING {returning} LIMIT {limit}"
        data = self._request("GET", "search/", params={"q": sosl})
        rows = data.get("searchRecords", []) if isinstance(data, dict) else data
        if len(rows) >= limit and len(batch) > 1:
            # The cap cut the answer short: some numbers' records may be missing. Split and search again.
            middle = len(batch) // 2
            self._search_batch(batch[:middle], objects, region, result, limit)
            self._search_batch(batch[middle:], objects, region, result, limit)
            return
        if len(rows) >= limit:
            log.warning("SOSL returned %d rows for one number; matches beyond the cap are not seen", len(rows))
        wanted = set(batch)
        by_name = {o.name.lower(): o for o in objects}
        for row in rows:
            info = by_name.get(str(row.get("attributes", {}).get("type", "")).lower())
            if info is None:
                continue
            if row.get("IsConverted"):
                continue
            for field_name in info.phone_fields:
                e164 = phone.normalize(row.get(field_name), region)
                # SOSL may over-match (digit runs inside longer numbers): only normalised equality counts.
                if e164 in wanted:
                    result[e164].append(
                        Candidate(info.name, str(row["Id"]), field_name, parse_datetime(row.get("LastModifiedDate")),
                                  row.get("AccountId"), person_id(info.name, row), _name_of(info, row))
                    )

    @staticmethod
    def _returning(info: ObjectInfo) -> str:
        columns = ["Id", *info.phone_fields, "LastModifiedDate"]
        columns += [info.name_field] if info.name_field and info.name_field not in columns else []
        if info.name == "Contact" and info.has_account:
            columns.append("AccountId")
        if "IsPersonAccount" in info.fields:
            columns.append("IsPersonAccount")
        where = " WHERE IsConverted = false" if info.has_converted else ""
        return f"{info.name}({', '.join(columns)}{where})"

    # --- writes ---------------------------------------------------------------------------------------------

    def create(self, records: Sequence[dict[str, Any]]) -> list[WriteResult]:
        """sObject Collections create, ``allOrNone = false``: one result per record, in order."""
        _check_size(records)
        _check_type_chunks(records)
        body = {"allOrNone": False, "records": list(records)}
        return _results(self._request("POST", "composite/sobjects", body=body, write=True), len(records))

    def update(self, records: Sequence[dict[str, Any]]) -> list[WriteResult]:
        """sObject Collections update (PATCH, ``allOrNone = false``; each record has its Id): results in order."""
        _check_size(records)
        _check_type_chunks(records)
        body = {"allOrNone": False, "records": list(records)}
        return _results(self._request("PATCH", "composite/sobjects", body=body, write=True), len(records))

    def upsert_tasks(self, records: Sequence[dict[str, Any]]) -> list[WriteResult]:
        """Collections upsert of Tasks on B_UniqueId__c (only when that field is an External ID)."""
        _check_size(records)
        body = {"allOrNone": False, "records": list(records)}
        data = self._request("PATCH", f"composite/sobjects/Task/{UNIQUE_ID_FIELD}", body=body, write=True)
        return _results(data, len(records))

    def create_with_parents(self, parents: Sequence[dict[str, Any]],
                            tasks: Sequence[tuple[dict[str, Any], int, str]], *,
                            auto_assign: bool = False) -> tuple[list[WriteResult], list[WriteResult]]:
        """Parents (Cases, Leads) and their Tasks in ONE composite request, all or none.

        ``tasks`` holds (fields, index of the parent, the field that points to it: WhatId or WhoId). Two
        collections subrequests inside one composite cost one API call for up to 200 pairs — fewer than
        composite pairs (≤ 12 per call) or two separate collection calls — and all-or-none means a Task lookup
        by CallObject tells for certain whether its parent exists too: no orphan Case, no duplicate Lead.

        Parents are sent grouped by type (a collection processes at most 10 chunks of consecutive same-type
        records); results come back in the caller's order. Unless ``auto_assign``, the request and the parents'
        subrequest carry ``Sforce-Auto-Assign: FALSE``: REST creates of Cases and Leads run the org's
        assignment rules otherwise (the admin turns them on in システム設定).
        """
        _check_size(parents)
        _check_size(tasks)
        # Stable sort by type: the order inside a type is kept, and `position` maps sent index → caller's index.
        order = sorted(range(len(parents)), key=lambda i: _record_type(parents[i]))
        sent_index = {original: sent for sent, original in enumerate(order)}
        sent_parents = [parents[i] for i in order]
        _check_type_chunks(sent_parents)
        prefix = f"/services/data/v{self.sf.sf_version}/composite/sobjects"
        task_records = []
        for fields, parent_index, ref_field in tasks:
            task_records.append({**fields, ref_field: f"@{{parents[{sent_index[parent_index]}].id}}"})
        headers = {} if auto_assign else {"Sforce-Auto-Assign": "FALSE"}
        parents_request: dict[str, Any] = {"method": "POST", "url": prefix, "referenceId": "parents",
                                           "body": {"allOrNone": True, "records": sent_parents}}
        if headers:
            parents_request["httpHeaders"] = dict(headers)
        body = {
            "allOrNone": True,
            "compositeRequest": [
                parents_request,
                {"method": "POST", "url": prefix, "referenceId": "tasks",
                 "body": {"allOrNone": True, "records": task_records}},
            ],
        }
        data = self._request("POST", "composite", body=body, write=True, headers=headers)
        responses = {str(r.get("referenceId")): r for r in data.get("compositeResponse", [])}
        sent_results = _sub_results(responses.get("parents"), len(parents))
        parent_results = [sent_results[sent_index[i]] for i in range(len(parents))]
        return parent_results, _sub_results(responses.get("tasks"), len(tasks))

    def create_pair_records(self, parent: dict[str, Any], tasks: Sequence[tuple[dict[str, Any], str]], *,
                            auto_assign: bool = False) -> tuple[WriteResult, list[WriteResult]]:
        """One parent and its Tasks as sObject subrequests of one all-or-none composite request.

        The narrowing step after an all-or-none failure that named no record: a failing sObject subrequest
        answers with its own error (the others read PROCESSING_HALTED), where a collection subrequest's record
        errors are replaced once the request is rolled back. ``tasks``: (fields, WhatId or WhoId).
        """
        prefix = f"/services/data/v{self.sf.sf_version}/sobjects"
        headers = {} if auto_assign else {"Sforce-Auto-Assign": "FALSE"}
        parent_type = _record_type(parent)
        first: dict[str, Any] = {"method": "POST", "url": f"{prefix}/{parent_type}", "referenceId": "parent",
                                 "body": {k: v for k, v in parent.items() if k != "attributes"}}
        if headers:
            first["httpHeaders"] = dict(headers)
        subrequests = [first]
        for i, (fields, ref_field) in enumerate(tasks):
            record = {k: v for k, v in fields.items() if k != "attributes"}
            record[ref_field] = "@{parent.id}"
            subrequests.append({"method": "POST", "url": f"{prefix}/Task", "referenceId": f"task{i}", "body": record})
        data = self._request("POST", "composite", body={"allOrNone": True, "compositeRequest": subrequests},
                             write=True, headers=headers)
        responses = {str(r.get("referenceId")): r for r in data.get("compositeResponse", [])}
        return _single_result(responses.get("parent")), [_single_result(responses.get(f"task{i}"))
                                                          for i in range(len(tasks))]


def _single_result(response: dict[str, Any] | None) -> WriteResult:
    """The result of one sObject create subrequest of a composite request."""
    if response is None:
        raise UnknownOutcome("UNEXPECTED_RESPONSE", "composite subrequest missing")
    body = response.get("body")
    if int(response.get("httpStatusCode", 500)) < 300 and isinstance(body, dict) and body.get("id"):
        return WriteResult(str(body["id"]))
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    return WriteResult(None, RecordError(str(first.get("errorCode") or "PROCESSING_HALTED"),
                                         " ".join(str(first.get("message") or "").split())[:1000],
                                         tuple(str(f) for f in first.get("fields") or ())))


def _never_sent(error: Exception) -> bool:
    """True when the connection was never made, so the request cannot have reached Salesforce."""
    reason: Any = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError)


def _error_of(response: requests.Response) -> tuple[str, str]:
    code, message = error_of_body(response.content, f"HTTP_{response.status_code}", limit=1000)
    if code == f"HTTP_{response.status_code}" and not message:
        try:
            response.json()
        except ValueError:  # not JSON: Salesforce's (or a proxy's) own page, its start says what happened
            return code, response.text[:300]
    return code, message


def _mapped(status: int, code: str, message: str, write: bool) -> Exception:
    if code == "REQUEST_LIMIT_EXCEEDED":
        # The same code for two limits: the daily total ("TotalRequests Limit exceeded.") and the concurrent
        # long-running requests ("ConcurrentPerOrgLongTxn Limit exceeded."). Only the message tells them apart.
        if "concurrent" in message.lower():
            return ConcurrentLimitExceeded(code, message)
        return LimitExceeded(code, message)
    if status == 401:
        # Expired again right after a fresh login: something is wrong with the session, not the data.
        return TransientError(code, message)
    if status >= 500:
        # (unverified) Whether a 5xx can follow a write Salesforce applied: assume it can.
        return UnknownOutcome(code, message) if write else TransientError(code, message)
    return PermanentError(code, message)


def _check_size(records: Sequence[Any]) -> None:
    if len(records) > MAX_COLLECTION:
        raise ValueError(f"at most {MAX_COLLECTION} records per collections call, got {len(records)}")


def _record_type(record: dict[str, Any]) -> str:
    attributes = record.get("attributes")
    return str(attributes.get("type") or "") if isinstance(attributes, dict) else ""


def type_chunks(records: Sequence[dict[str, Any]]) -> int:
    """How many chunks of consecutive same-type records Salesforce processes a collection in."""
    types = [_record_type(r) for r in records]
    return sum(1 for i, name in enumerate(types) if i == 0 or name != types[i - 1])


def _check_type_chunks(records: Sequence[dict[str, Any]]) -> None:
    if type_chunks(records) > MAX_TYPE_CHUNKS:
        raise ValueError(f"at most {MAX_TYPE_CHUNKS} type chunks per collections call: group records by type")


def _packed(values: Sequence[str], budget: int) -> Iterable[list[str]]:
    """Values in lists whose quoted length stays within ``budget`` characters (at least one value per list)."""
    current: list[str] = []
    length = 0
    for value in values:
        size = len(value) + 4
        if current and length + size > budget:
            yield current
            current, length = [], 0
        current.append(value)
        length += size
    if current:
        yield current


def _record_error(item: dict[str, Any]) -> RecordError:
    errors = item.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], dict) else {}
    return RecordError(
        str(first.get("statusCode") or first.get("errorCode") or "UNKNOWN"),
        str(first.get("message") or ""),
        tuple(str(f) for f in first.get("fields") or ()),
    )


def _results(data: Any, expected: int) -> list[WriteResult]:
    if not isinstance(data, list) or len(data) != expected:
        # Not the documented shape: we cannot tell which records exist, so the engine must look them up.
        raise UnknownOutcome("UNEXPECTED_RESPONSE", f"expected {expected} results")
    out = []
    for item in data:
        if item.get("success"):
            out.append(WriteResult(str(item.get("id")), None, bool(item.get("created", True))))
        else:
            out.append(WriteResult(item.get("id"), _record_error(item)))
    return out


def _sub_results(response: dict[str, Any] | None, expected: int) -> list[WriteResult]:
    if response is None:
        raise UnknownOutcome("UNEXPECTED_RESPONSE", "composite subrequest missing")
    body = response.get("body")
    if int(response.get("httpStatusCode", 500)) >= 300:
        first = body[0] if isinstance(body, list) and body else {}
        error = RecordError(str(first.get("errorCode") or "PROCESSING_HALTED"), str(first.get("message") or ""))
        return [WriteResult(None, error) for _ in range(expected)]
    return _results(body, expected)

