"""Read-only Salesforce calls that settings verification needs: describes, a record lookup, tooling queries, limits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick
from biztel_desk.salesforce.errors import error_of_body

# code → (Japanese, English); {detail} is Salesforce's own message, {sf_code} its errorCode.
METADATA_MESSAGES: dict[str, tuple[str, str]] = {
    "unreachable": (
        "Salesforceに接続できません。ネットワーク接続とプロキシの設定を確認してください。({detail})",
        "Cannot reach Salesforce. Check the network connection and the proxy settings. ({detail})",
    ),
    "timeout": (
        "Salesforceが{seconds}秒以内に応答しませんでした。しばらくしてからもう一度お試しください。",
        "Salesforce did not answer within {seconds} seconds. Try again in a moment.",
    ),
    "limit_exceeded": (
        "組織のAPI呼び出し回数が1日の上限に達しています(REQUEST_LIMIT_EXCEEDED)。上限が回復してから確認してください。",
        "The org has used up its daily API requests (REQUEST_LIMIT_EXCEEDED). Verify again once the limit recovers.",
    ),
    "session_expired": (
        "Salesforceのセッションが無効になりました。もう一度お試しください。",
        "The Salesforce session became invalid. Try again.",
    ),
    "salesforce_error": (
        "Salesforceがエラーを返しました({sf_code}): {detail}",
        "Salesforce returned an error ({sf_code}): {detail}",
    ),
}


class MetadataError(KnownError):
    """A read failed for a known reason (network, limits, a Salesforce error); ``text(lang)`` says what to do."""

    def __init__(self, code: str, detail: str = "", *, sf_code: str = "", status: int = 0, seconds: float = 0) -> None:
        self.code = code
        self.detail = detail
        self.sf_code = sf_code
        self.status = status
        self.seconds = seconds
        super().__init__(f"{code}: {sf_code} {detail}".strip())

    def text(self, lang: str = "ja") -> str:
        ja, en = METADATA_MESSAGES.get(self.code, METADATA_MESSAGES["salesforce_error"])
        template = pick(lang, ja, en)
        return template.format(detail=self.detail, sf_code=self.sf_code or str(self.status), seconds=f"{self.seconds:g}")


class ObjectNotFound(MetadataError):
    """describe of an object that does not exist or that the user cannot see (404 NOT_FOUND)."""


@dataclass(frozen=True)
class GlobalObject:
    """One entry of describeGlobal."""

    name: str
    label: str
    key_prefix: str
    custom: bool
    queryable: bool
    searchable: bool
    createable: bool


@dataclass(frozen=True)
class FieldInfo:
    """The parts of a field's describe that verification looks at."""

    name: str
    type: str
    length: int
    calculated: bool
    calculated_formula: str | None
    reference_to: tuple[str, ...] = ()
    createable: bool = True  # field-level security: the user may set it on create
    updateable: bool = True  # … and change it later


@dataclass(frozen=True)
class ObjectDescribe:
    name: str
    key_prefix: str
    fields: dict[str, FieldInfo] = field(default_factory=dict)

    def field(self, name: str) -> FieldInfo | None:
        """Case-insensitive, as Salesforce treats API names."""
        found = self.fields.get(name)
        if found is not None:
            return found
        lower = name.lower()
        return next((f for f in self.fields.values() if f.name.lower() == lower), None)


def _soql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'" for value in values)


class OrgMetadata:
    """Read-only metadata of one logged-in org. ``calls`` counts the REST requests made (logins excluded)."""

    def __init__(self, sf: Salesforce, timeout: float = 30) -> None:
        self.sf = sf
        self.timeout = timeout
        self.calls = 0

    # --- calls ------------------------------------------------------------------------------------------------

    def describe_global(self) -> dict[str, GlobalObject]:
        """Every object the user can see, keyed by API name."""
        body = self._call(lambda: self.sf.describe()) or {}
        objects: dict[str, GlobalObject] = {}
        for entry in body.get("sobjects") or []:
            objects[str(entry["name"])] = GlobalObject(
                name=str(entry["name"]),
                label=str(entry.get("label") or entry["name"]),
                key_prefix=str(entry.get("keyPrefix") or ""),
                custom=bool(entry.get("custom")),
                queryable=bool(entry.get("queryable")),
                searchable=bool(entry.get("searchable")),
                createable=bool(entry.get("createable")),
            )
        return objects

    def describe(self, object_name: str) -> ObjectDescribe:
        """Fields of one object; ObjectNotFound when it does not exist or is hidden from the user."""
        body = self._call(lambda: self.sf.restful(f"sobjects/{quote(object_name, safe='')}/describe")) or {}
        fields = {}
        for entry in body.get("fields") or []:
            info = FieldInfo(
                name=str(entry["name"]),
                type=str(entry.get("type") or ""),
                length=int(entry.get("length") or 0),
                calculated=bool(entry.get("calculated")),
                calculated_formula=entry.get("calculatedFormula"),
                reference_to=tuple(str(r) for r in entry.get("referenceTo") or ()),
                createable=bool(entry.get("createable", True)),
                updateable=bool(entry.get("updateable", True)),
            )
            fields[info.name] = info
        return ObjectDescribe(str(body.get("name") or object_name), str(body.get("keyPrefix") or ""), fields)

    def record_exists(self, object_name: str, record_id: str) -> bool:
        """Whether the record exists and is visible to the user (asks for its Id only)."""
        path = f"sobjects/{quote(object_name, safe='')}/{quote(record_id, safe='')}"
        try:
            self._call(lambda: self.sf.restful(path, params={"fields": "Id"}))
        except ObjectNotFound:
            return False
        return True

    def custom_labels(self, names: Iterable[str]) -> dict[str, str]:
        """Values of the named custom labels (Tooling ``ExternalString``) that exist."""
        rows = self._tooling_query(f"SELECT Name, Value FROM ExternalString WHERE Name IN ({_soql_list(names)})")
        return {str(row["Name"]): str(row.get("Value") or "") for row in rows}

    def static_resources(self, names: Iterable[str]) -> set[str]:
        """The named static resources that exist (Tooling ``StaticResource``)."""
        rows = self._tooling_query(f"SELECT Name FROM StaticResource WHERE Name IN ({_soql_list(names)})")
        return {str(row["Name"]) for row in rows}

    def closed_task_statuses(self) -> list[str]:
        """API names of the Task statuses that close a Task (the link engine writes Tasks as done)."""
        body = self._call(lambda: self.sf.query("SELECT ApiName FROM TaskStatus WHERE IsClosed = true")) or {}
        return [str(row["ApiName"]) for row in body.get("records") or []]

    def user_permissions(self, names: Iterable[str]) -> dict[str, bool]:
        """System permissions of the logged-in user (``UserPermissionAccess``: one row, the current user's)."""
        fields = list(names)
        body = self._call(lambda: self.sf.query(f"SELECT {', '.join(fields)} FROM UserPermissionAccess")) or {}
        rows = body.get("records") or [{}]
        return {name: bool(rows[0].get(name)) for name in fields}

    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) of the daily API requests from the last response's ``Sforce-Limit-Info``: costs no call."""
        usage = self.sf.api_usage.get("api-usage")
        if usage is None:
            return None
        return int(usage.used), int(usage.total)

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _tooling_query(self, soql: str) -> list[dict[str, Any]]:
        body = self._call(lambda: self.sf.toolingexecute("query/?q=" + quote(soql, safe="")))
        if not isinstance(body, dict):
            raise MetadataError("salesforce_error", "unexpected tooling answer", sf_code="?")
        # Two names at most: the first page holds every row, no queryMore needed.
        return list(body.get("records") or [])

    def _call(self, request: Any) -> Any:
        self.calls += 1
        try:
            return request()
        except requests.exceptions.Timeout:  # before ConnectionError: ConnectTimeout is both
            raise MetadataError("timeout", seconds=self.timeout) from None
        except requests.exceptions.ConnectionError as error:
            raise MetadataError("unreachable", type(error).__name__) from None
        except SalesforceError as error:
            raise _map_salesforce_error(error) from None


def _map_salesforce_error(error: SalesforceError) -> MetadataError:
    code, detail = _rest_error(error)
    status = int(getattr(error, "status", 0) or 0)
    if status == 404 or code in {"NOT_FOUND", "ENTITY_IS_DELETED", "INVALID_TYPE"}:
        return ObjectNotFound("not_found", detail, sf_code=code, status=status)
    if code == "REQUEST_LIMIT_EXCEEDED":
        return MetadataError("limit_exceeded", detail, sf_code=code, status=status)
    if code == "INVALID_SESSION_ID":
        return MetadataError("session_expired", detail, sf_code=code, status=status)
    return MetadataError("salesforce_error", detail, sf_code=code, status=status)


def _rest_error(error: SalesforceError) -> tuple[str, str]:
    """errorCode and message of a REST error body ``[{"errorCode": …, "message": …}]``."""
    return error_of_body(error.content, str(error.status))
