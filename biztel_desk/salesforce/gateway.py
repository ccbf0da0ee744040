"""The gateway to one Salesforce org: describe, phone-index queries, batched SOSL, batched writes, limits.

Every request goes through ``SalesforceGateway._request``: one place that applies the timeout, reads
``Sforce-Limit-Info``, logs in again once on an expired session and maps each failure to the error types of
``salesforce.errors`` — so the engine decides from the type alone whether to retry, pause, look up or fail.
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
    LimitExceeded,
    PermanentError,
    RecordError,
    TransientError,
    UnknownOutcome,
    WriteResult,
)
from biztel_desk.secrets import SecretStore

log = logging.getLogger(__name__)

MAX_COLLECTION = 200  # sObject Collections: records per call
SOSL_LIMIT = 2000  # rows a search returns at most
# Over 4,000 characters the logical operators inside FIND {…} are dropped (SALESFORCE.md); stay well below.
SOSL_FIND_MAX = 3900
IN_CHUNK = 100  # values per IN (…) list: keeps the GET URL short (each unique ID may be ~40 characters)
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
    searchable: bool = True  # describe "searchable": a non-searchable object in RETURNING fails the whole SOSL

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

    def __init__(self, account: AccountConfig, secrets: SecretStore, *, timeout: float = 30) -> None:
        self.account = account
        self._secrets = secrets
        self.timeout = timeout
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
                 write: bool = False) -> Any:
        """One REST call; ``path`` is relative to /services/data/vXX.X/ or absolute (/services/…)."""
        for attempt in (1, 2):
            sf = self.sf
            url = f"https://{sf.sf_instance}{path}" if path.startswith("/") else f"{sf.base_url}{path}"
            try:
                response = sf.session.request(method, url, headers=sf.headers, params=params,
                                              data=None if body is None else json.dumps(body),
                                              timeout=self.timeout)
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
            self._describes[name] = ObjectInfo(
                name=str(data.get("name", name)),
                key_prefix=str(data.get("keyPrefix") or ""),
                phone_fields=phones,
                fields=frozenset(str(f["name"]) for f in fields),
                searchable=bool(data.get("searchable", True)),
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
                )
            )
        return out

    def deleted_ids(self, info: ObjectInfo, since: dt.datetime) -> list[str]:
        soql = (f"SELECT Id FROM {info.name} WHERE IsDeleted = true AND SystemModstamp >= {soql_datetime(since)}")
        return [str(row["Id"]) for row in self.query_all(soql, include_deleted=True)]

    def find_tasks(self, call_objects: Sequence[str]) -> list[FoundTask]:
        """Tasks whose CallObject is one of ``call_objects`` (the unique IDs of calls)."""
        found: list[FoundTask] = []
        unique = sorted(set(call_objects))
        for chunk in _chunks(unique, IN_CHUNK):
            values = ", ".join(soql_string(v) for v in chunk)
            rows = self.query_all(f"SELECT Id, CallObject, WhoId, WhatId FROM Task WHERE CallObject IN ({values})")
            found.extend(
                FoundTask(str(r["Id"]), str(r.get("CallObject") or ""), r.get("WhoId"), r.get("WhatId")) for r in rows
            )
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
                                  row.get("AccountId"), person_id(info.name, row))
                    )

    @staticmethod
    def _returning(info: ObjectInfo) -> str:
        columns = ["Id", *info.phone_fields, "LastModifiedDate"]
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
        body = {"allOrNone": False, "records": list(records)}
        return _results(self._request("POST", "composite/sobjects", body=body, write=True), len(records))

    def upsert_tasks(self, records: Sequence[dict[str, Any]]) -> list[WriteResult]:
        """Collections upsert of Tasks on B_UniqueId__c (only when that field is an External ID)."""
        _check_size(records)
        body = {"allOrNone": False, "records": list(records)}
        data = self._request("PATCH", f"composite/sobjects/Task/{UNIQUE_ID_FIELD}", body=body, write=True)
        return _results(data, len(records))

    def create_with_parents(self, parents: Sequence[dict[str, Any]],
                            tasks: Sequence[tuple[dict[str, Any], int, str]]) -> tuple[list[WriteResult], list[WriteResult]]:
        """Parents (Cases, Leads) and their Tasks in ONE composite request, all or none.

        ``tasks`` holds (fields, index of the parent, the field that points to it: WhatId or WhoId). Two
        collections subrequests inside one composite cost one API call for up to 200 pairs — fewer than
        composite pairs (≤ 12 per call) or two separate collection calls — and all-or-none means a Task lookup
        by CallObject tells for certain whether its parent exists too: no orphan Case, no duplicate Lead.
        """
        _check_size(parents)
        _check_size(tasks)
        prefix = f"/services/data/v{self.sf.sf_version}/composite/sobjects"
        task_records = []
        for fields, parent_index, ref_field in tasks:
            task_records.append({**fields, ref_field: f"@{{parents[{parent_index}].id}}"})
        body = {
            "allOrNone": True,
            "compositeRequest": [
                {"method": "POST", "url": prefix, "referenceId": "parents",
                 "body": {"allOrNone": True, "records": list(parents)}},
                {"method": "POST", "url": prefix, "referenceId": "tasks",
                 "body": {"allOrNone": True, "records": task_records}},
            ],
        }
        data = self._request("POST", "composite", body=body, write=True)
        responses = {str(r.get("referenceId")): r for r in data.get("compositeResponse", [])}
        return _sub_results(responses.get("parents"), len(parents)), _sub_results(responses.get("tasks"), len(tasks))


def _never_sent(error: Exception) -> bool:
    """True when the connection was never made, so the request cannot have reached Salesforce."""
    reason: Any = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError)


def _error_of(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP_{response.status_code}", response.text[:300]
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, dict):
        code = first.get("errorCode") or first.get("error") or f"HTTP_{response.status_code}"
        message = first.get("message") or first.get("error_description") or ""
        return str(code), " ".join(str(message).split())[:1000]
    return f"HTTP_{response.status_code}", ""


def _mapped(status: int, code: str, message: str, write: bool) -> Exception:
    if code == "REQUEST_LIMIT_EXCEEDED":
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

