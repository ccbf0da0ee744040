"""The local Salesforce dev org: a loopback-only HTTP server speaking the API subset of SALESFORCE.md.

Start it in-process (``with DevOrg(seed="demo", records=300) as org: …``) or as ``biztel-desk devorg`` /
``python -m biztel_desk.devorg``. simple-salesforce talks to it through ``transport.loopback_session(org.url)``.

Salesforce endpoints: ``POST /services/Soap/u/{ver}`` (SOAP login), ``POST /services/oauth2/token`` (password,
JWT bearer, client credentials), ``GET /services/data/`` (versions) and under ``/services/data/v{ver}/``:
``sobjects``, ``sobjects/{Obj}[/describe]``, ``sobjects/{Obj}/{Id}``, ``sobjects/{Obj}/{ExtField}/{value}``,
``query``, ``queryAll``, ``query/{locator}``, ``search``, ``composite/sobjects[/{Obj}/{ExtField}]``,
``composite``, ``limits``, ``tooling/query``, ``tooling/sobjects/CustomField``. Every REST response carries
``Sforce-Limit-Info: api-usage=USED/MAX``; every REST call (not logins) counts against the daily limit.
``GET /lightning/r/{Obj}/{Id}/view`` is a minimal HTML record page (fields and related Tasks).

Introspection and faults (no auth, JSON bodies and answers):

- ``GET /__devorg/counters`` → ``{"login": n, "query": n, "query_more": n, "search": n, "describe": n,
  "describe_global": n, "create": n, "read": n, "update": n, "delete": n, "upsert": n, "collection": n,
  "composite": n, "limits": n, "tooling": n, "versions": n, "other": n, "total": n, "api_usage": n}``;
  ``total`` is the sum of every kind except ``login`` (logins do not count against the API limit);
  ``api_usage`` is the rolling-24-hour figure of ``Sforce-Limit-Info``. ``POST /__devorg/counters/reset``.
- ``POST /__devorg/faults`` ``{"kind": K, "count": N, "match": "optional path substring"}`` makes the next N
  matching requests fail. Without ``match`` a fault applies to ``/services/data/`` requests only (so logins
  are not hit unless asked for with e.g. ``"match": "/services/oauth2/"``). Kinds: ``http_503`` (503 JSON
  error), ``drop_before_write`` (a write request: the socket is closed without a response and nothing is
  written), ``drop_after_commit`` (the write is applied, then the socket is closed without a response),
  ``lock_row`` (N records fail with ``UNABLE_TO_LOCK_ROW``: per record in collections, a 400 for single-record
  writes), ``session_expired`` (401 ``INVALID_SESSION_ID`` and that session is invalidated),
  ``limit_exceeded`` (403 ``REQUEST_LIMIT_EXCEEDED``, daily), ``concurrent_limit`` (403 ``REQUEST_LIMIT_EXCEEDED``,
  concurrent long-running requests), ``slow_commit`` (``"seconds": S``: the write commits S s after it arrived, after
  a client with a shorter timeout gave up), ``opaque_rollback`` (a failing all-or-none composite reports every
  subrequest PROCESSING_HALTED). ``GET /__devorg/faults`` lists pending faults,
  ``DELETE /__devorg/faults`` clears them.
- ``POST /__devorg/latency`` ``{"ms": N}``: delay every REST call. ``POST /__devorg/index_delay``
  ``{"s": N}``: SOSL does not see records written in the last N seconds.
- ``POST /__devorg/sessions/expire``: every session expires now. ``POST /__devorg/usage`` ``{"used": N}``:
  set the rolling API usage (to test the 80 % / 95 % rules).
- ``POST /__devorg/objects`` ``{"name": "Foo__c", "label": "…", "keyPrefix": "a05" (optional), "fields":
  [{"name", "type", "length", "label", "externalId", "referenceTo", "picklistValues", …}],
  "allow_activities": true}``: add a custom object (with activities allowed it joins ``Task.WhatId``).
- ``POST /__devorg/field`` ``{"object": "Task", "name": "B_UniqueId__c", "remove": true}`` removes a field;
  with ``"type"`` etc. instead of ``remove`` it adds or replaces the field (e.g. ``"externalId": true``).
- ``POST /__devorg/access`` ``{"object": "Lead", "accessible": false}``: hide an object from the API user.
- ``POST /__devorg/label`` ``{"name": "WavImg", "value": "…" | null}`` and ``POST /__devorg/static_resource``
  ``{"name": "speaker", "remove": true}``: change the §2 setup.
- ``GET /__devorg/records/{Obj}[?include_deleted=true]``: every record as JSON. ``GET /__devorg/info``: the
  credentials (the first-line JSON of the ``devorg`` command) and the current settings. ``GET /__devorg/jwt``:
  the connected app's JWT test key pair (``private_key``, ``certificate`` PEM).
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from biztel_desk.devorg import auth, schema, seeding
from biztel_desk.devorg.api import Ctx, Reply, RestApi, classify, is_write, parse_json_body
from biztel_desk.devorg.model import ObjectDef
from biztel_desk.devorg.store import OrgStore, RequestError, StateFile, json_value
from biztel_desk.devorg.transport import instance_host

log = logging.getLogger(__name__)

COUNTER_KINDS = ("login", "query", "query_more", "search", "describe", "describe_global", "create", "read",
                 "update", "delete", "upsert", "collection", "composite", "limits", "tooling", "versions", "other")
FAULT_KINDS = ("http_503", "drop_before_write", "drop_after_commit", "lock_row", "session_expired",
               "limit_exceeded", "slow_commit", "concurrent_limit", "opaque_rollback")
# Salesforce's messages for its two REQUEST_LIMIT_EXCEEDED limits (the code is the same).
DAILY_LIMIT_MESSAGE = "TotalRequests Limit exceeded."
CONCURRENT_LIMIT_MESSAGE = "ConcurrentPerOrgLongTxn Limit exceeded."
SUPPORTED_VERSIONS = tuple(f"{v}.0" for v in range(31, 62))
_DAY_S = 86400.0
_SESSION_INVALID = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


class NonLoopbackHost(ValueError):
    """The dev org only ever binds a loopback address."""


def loopback_address(host: str) -> str:
    """The IPv4 loopback address to bind for ``host``; NonLoopbackHost for anything else."""
    if host.lower() == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise NonLoopbackHost(f"refusing to bind {host!r}: the dev org binds a loopback address only "
                              "(127.0.0.1)") from None
    if address.version != 4 or not address.is_loopback:
        raise NonLoopbackHost(f"refusing to bind {host!r}: the dev org binds a loopback address only (127.0.0.1)")
    return str(address)


@dataclass
class HttpOut:
    status: int
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    kind: str
    remaining: int
    match: str | None = None
    seconds: float = 0.0  # slow_commit: how long the write runs before it commits


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> HttpOut:
    data = b"" if body is None and status == 204 else json.dumps(body, ensure_ascii=False).encode("utf-8")
    return HttpOut(status, data, headers=dict(headers or {}))


class DevOrg:
    """One dev org: its store, sessions, counters, faults and HTTP server. Use as a context manager."""

    def __init__(self, seed: str = "demo", records: int = 2000, random_seed: int = 0, latency_ms: float = 0,
                 index_delay_s: float = 0.0, session_ttl_s: float = 7200, daily_limit: int = 15000,
                 state_path: str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
                 api_version: str = "59.0", new_org: bool = False, concurrent_long_limit: int = 25,
                 long_request_s: float = 20.0, activity_archive_days: int | None = None) -> None:
        self.bind_address = loopback_address(host)
        self.requested_port = port
        self.api_version = api_version
        self.latency_ms = float(latency_ms)
        self.index_delay_s = float(index_delay_s)
        self.daily_limit = int(daily_limit)
        # Requests running longer than long_request_s count against concurrent_long_limit (25 in production,
        # 5 in Developer Edition); a new request over it is refused with REQUEST_LIMIT_EXCEEDED.
        self.concurrent_long_limit = int(concurrent_long_limit)
        self.long_request_s = float(long_request_s)
        self._inflight: dict[int, float] = {}
        self._request_seq = 0
        self.seed = seed
        self._credentials = auth.Credentials()
        keys = auth.JwtKeys.generate()
        self.jwt_private_key_pem = keys.private_key_pem
        self.jwt_certificate_pem = keys.certificate_pem
        self._jwt_public_keys: list[Any] = [keys.public_key()]
        state = StateFile(Path(state_path)) if state_path else None
        self.store = OrgStore(setup_done=seed != "bare", state=state)
        self.store.activity_archive_days = activity_archive_days
        if not self.store.load_state():
            seeding.setup_org(self.store, seed, self._credentials, records, random_seed)
            self.store.flush()
        self.sessions = auth.Sessions(session_ttl_s)
        self.web_flow = auth.WebServerFlow()
        # An org created from Winter '26: SOAP login() is off until an admin enables it; once enabled, the user
        # also needs Use Any API Auth (Summer '26, new orgs). An older org has neither gate.
        self.new_org = new_org
        self.soap_login_enabled = not new_org
        self.soap_login_needs_permission = new_org
        self.use_any_api_auth = False
        self.api = RestApi(self.store, lambda: self.index_delay_s)
        self._lock = threading.Lock()  # counters, faults, usage
        self._counters: dict[str, int] = dict.fromkeys(COUNTER_KINDS, 0)
        self._faults: list[Fault] = []
        self._usage: deque[float] = deque()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> DevOrg:
        server = ThreadingHTTPServer((self.bind_address, self.requested_port), _Handler)
        server.daemon_threads = True
        server.devorg = self  # type: ignore[attr-defined]
        self._server = server
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(target=server.serve_forever, name=f"devorg-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.store.close()

    def __enter__(self) -> DevOrg:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def instance_host(self) -> str:
        return instance_host(self.port)

    @property
    def instance_url(self) -> str:
        return f"https://{self.instance_host}"

    @property
    def my_domain(self) -> str:
        """simple-salesforce's ``domain=`` for My Domain logins (client credentials): ``devorg-PORT.my``."""
        return self.instance_host.removesuffix(".salesforce.com")

    @property
    def org_id(self) -> str:
        return self.store.org_id

    @property
    def user_id(self) -> str:
        return self.store.user_id

    @property
    def credentials(self) -> dict[str, str]:
        """The first-line JSON of ``biztel-desk devorg``."""
        c = self._credentials
        return {"url": self.url, "username": c.username, "password": c.password,
                "security_token": c.security_token, "consumer_key": c.consumer_key,
                "consumer_secret": c.consumer_secret, "org_id": self.store.org_id,
                "instance_url": self.instance_url}

    # ----------------------------------------------------------------- test hooks (also under /__devorg/)
    def counters(self) -> dict[str, int]:
        with self._lock:
            out = dict(self._counters)
        out["total"] = sum(v for k, v in out.items() if k != "login")
        out["api_usage"] = self.api_usage()
        return out

    def reset_counters(self) -> None:
        with self._lock:
            self._counters = dict.fromkeys(COUNTER_KINDS, 0)

    def inject_fault(self, kind: str, count: int = 1, match: str | None = None, seconds: float = 0.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(Fault(kind, int(count), match, float(seconds)))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending_faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"kind": f.kind, "count": f.remaining, "match": f.match,
                     **({"seconds": f.seconds} if f.kind == "slow_commit" else {})} for f in self._faults]

    def set_latency(self, ms: float) -> None:
        self.latency_ms = max(0.0, float(ms))

    def set_index_delay(self, seconds: float) -> None:
        self.index_delay_s = max(0.0, float(seconds))

    def expire_sessions(self) -> None:
        self.sessions.expire_all()

    def api_usage(self) -> int:
        with self._lock:
            self._prune_usage()
            return len(self._usage)

    def set_api_usage(self, used: int) -> None:
        with self._lock:
            now = time.monotonic()
            self._usage = deque([now] * max(0, int(used)))

    def set_activity_archiving(self, days: int | None) -> None:
        """Closed Tasks whose ActivityDate is more than ``days`` ago are archived: ``query`` leaves them out,
        ``queryAll`` returns them (Salesforce: 365 days). None turns archiving off (the default)."""
        self.store.activity_archive_days = days

    def set_assignment_rule(self, owner_id: str | None) -> None:
        """An active assignment rule for Cases and Leads that assigns every new one to ``owner_id`` — unless the
        create carries ``Sforce-Auto-Assign: FALSE``. None: no active rule (the default)."""
        self.api.assignment_owner = owner_id

    def add_user(self, name: str) -> str:
        """Another active user (an owner for assignment rules); returns its Id."""
        return self.store.insert_system("User", {"Username": f"{name}@devorg.example", "LastName": name,
                                                 "Name": name, "Email": f"{name}@devorg.example", "IsActive": True})

    def register_jwt_certificate(self, certificate_pem: str) -> None:
        """Registers another certificate with the connected app (its key then signs valid assertions)."""
        keys = auth.JwtKeys("", certificate_pem)
        self._jwt_public_keys.append(keys.public_key())

    def add_custom_object(self, name: str, label: str, fields: list[dict[str, Any]] | None = None,
                          key_prefix: str | None = None, allow_activities: bool = False,
                          label_plural: str | None = None) -> ObjectDef:
        if not name.endswith("__c") or name in self.store.objects:
            raise ValueError(f"custom object name must end with __c and be new: {name}")
        obj = schema.custom_object(name, label, key_prefix or self.store.next_custom_prefix(),
                                   [schema.field_from_json(f) for f in fields or []], label_plural)
        self.store.add_object(obj, allow_activities)
        self.store.flush()
        return obj

    def set_field(self, object_name: str, spec: dict[str, Any] | None, name: str) -> None:
        """Adds/replaces a field from a describe-like spec, or removes it when ``spec`` is None."""
        if object_name not in self.store.objects:
            raise ValueError(f"unknown object {object_name}")
        self.store.set_field(object_name, schema.field_from_json({**spec, "name": name}) if spec else None, name)
        self.store.flush()

    def set_accessible(self, object_name: str, accessible: bool) -> None:
        with self.store.lock:
            self.store.objects[object_name].accessible = accessible
            self.store.mark_meta_dirty()
        self.store.flush()

    def set_label(self, name: str, value: str | None) -> None:
        with self.store.lock:
            if value is None:
                self.store.labels.pop(name, None)
            else:
                label = self.store.labels.setdefault(name, {"Id": self.store.new_id("101"), "MasterLabel": name,
                                                            "Language": "ja", "Category": None})
                label["Value"] = value
            self.store.mark_meta_dirty()
        self.store.flush()

    def set_static_resource(self, name: str, present: bool, content_type: str = "image/png") -> None:
        with self.store.lock:
            if not present:
                self.store.static_resources.pop(name, None)
            else:
                self.store.static_resources[name] = {
                    "Id": self.store.new_id("081"), "ContentType": content_type, "CacheControl": "Public",
                    "BodyLength": 1024, "Description": None,
                    "SystemModstamp": self.store.now().replace(microsecond=0)}
            self.store.mark_meta_dirty()
        self.store.flush()

    def records(self, object_name: str, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Every record of an object, as JSON-able dicts (a copy)."""
        with self.store.lock:
            return [{k: json_value(v) for k, v in r.items()}
                    for r in self.store.rows(object_name, include_deleted)]

    # ----------------------------------------------------------------- request handling
    def dispatch(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> HttpOut | None:
        """Answers one HTTP request; None means "close the connection without answering" (a dropped request)."""
        split = urlsplit(raw_path)
        path = split.path
        target = path + ("?" + split.query if split.query else "")
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if path.startswith("/__devorg/"):
            return self._introspect(method, path, query, body)
        if path.startswith("/lightning/r/"):
            return self._record_page(path)
        if path.startswith("/services/Soap/u/") and method == "POST":
            return self._login_faults(target) or self._soap_login(path, body)
        if path == "/services/oauth2/token" and method == "POST":
            return self._login_faults(target) or self._oauth_token(headers, body)
        if path == "/services/oauth2/authorize" and method in ("GET", "POST"):
            return self._authorize(method, query, body)
        if path == "/services/oauth2/revoke" and method in ("GET", "POST"):
            return self._revoke(query, body)
        if path.rstrip("/") == "/services/data" and method == "GET":
            self._count("versions")
            # Versions need no session and, like logins, do not count against the daily limit (unverified).
            return _json(200, [{"label": _release(v), "url": f"/services/data/v{v}", "version": v}
                               for v in SUPPORTED_VERSIONS], self._limit_header())
        match = re.match(r"^/services/data/v(\d+\.\d+)(?:/(.*))?$", path)
        if match and match.group(1) in SUPPORTED_VERSIONS:
            return self._rest(method, match.group(1), match.group(2) or "", query, headers, body, target)
        return _json(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])

    def _take_fault(self, kind: str, target: str) -> bool:
        return self._take(kind, target) is not None

    def _take(self, kind: str, target: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind != kind:
                    continue
                applies = fault.match in target if fault.match else target.startswith("/services/data/")
                if applies:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _login_faults(self, target: str) -> HttpOut | None:
        if self._take_fault("http_503", target):
            return _json(503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "Service Unavailable (injected)"}])
        if self._take_fault("drop_before_write", target):
            raise _Drop
        return None

    def _count(self, kind: str) -> None:
        with self._lock:
            self._counters[kind] = self._counters.get(kind, 0) + 1

    def _prune_usage(self) -> None:
        horizon = time.monotonic() - _DAY_S
        while self._usage and self._usage[0] < horizon:
            self._usage.popleft()

    def _limit_header(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.api_usage()}/{self.daily_limit}"}

    def _soap_login(self, path: str, body: bytes) -> HttpOut:
        self._count("login")
        version = path.rstrip("/").rsplit("/", 1)[-1]
        given = auth.soap_credentials(body)
        creds = self._credentials
        if given is None:
            fault = auth.soap_fault("INVALID_LOGIN", auth.INVALID_LOGIN_MESSAGE)
            return HttpOut(500, fault.encode(), "text/xml;charset=UTF-8")
        username, password = given
        if username != creds.username or not creds.password_ok(password):
            fault = auth.soap_fault("INVALID_LOGIN", auth.INVALID_LOGIN_MESSAGE)
            return HttpOut(500, fault.encode(), "text/xml;charset=UTF-8")
        refused = self._soap_login_refused(version)
        if refused is not None:
            return HttpOut(500, auth.soap_fault(*refused).encode(), "text/xml;charset=UTF-8")
        token = self.sessions.issue(self.org_id, self.user_id)
        text = auth.soap_login_response(self.instance_host, version, self.org_id, self.user_id, token, username)
        return HttpOut(200, text.encode(), "text/xml;charset=UTF-8")

    def _soap_login_refused(self, version: str) -> tuple[str, str] | None:
        """(fault code, message) when this org refuses SOAP login(): API ≥ 65.0, or a Winter '26+ org's gates."""
        try:
            major = int(version.split(".")[0])
        except ValueError:
            major = 0
        if major >= 65:
            return "UNSUPPORTED_API_VERSION", auth.SOAP_LOGIN_REMOVED_MESSAGE
        if not self.soap_login_enabled:
            return "INVALID_OPERATION", auth.SOAP_LOGIN_DISABLED_MESSAGE
        if self.soap_login_needs_permission and not self.use_any_api_auth:
            return "INSUFFICIENT_ACCESS", auth.SOAP_LOGIN_NO_PERMISSION_MESSAGE
        return None

    def set_soap_login(self, enabled: bool, use_any_api_auth: bool | None = None) -> None:
        """Setup → User Interface → Enable SOAP API login(), and the user's Use Any API Auth permission."""
        self.soap_login_enabled = bool(enabled)
        if use_any_api_auth is not None:
            self.use_any_api_auth = bool(use_any_api_auth)

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token (and the sessions issued from them) is revoked, as when the admin revokes the app."""
        self.web_flow.revoke_all(self.sessions)

    def _authorize(self, method: str, query: dict[str, str], body: bytes) -> HttpOut:
        """The sign-in and approve pages of the web server flow; a 302 to the redirect URI at the end."""
        html_type = "text/html;charset=UTF-8"
        form = query if method == "GET" else {
            k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        request = auth.AuthorizeRequest.from_form(form)
        creds = self._credentials
        if request.client_id != creds.consumer_key:
            return HttpOut(400, auth.error_page("invalid_client_id", "client identifier invalid").encode(), html_type)
        if not auth.redirect_uri_allowed(request.redirect_uri):
            return HttpOut(400, auth.error_page("redirect_uri_mismatch", "redirect_uri must match configuration")
                           .encode(), html_type)
        if method == "GET":
            if form.get("response_type") != "code":
                return self._redirect_error(request, "unsupported_response_type", "response type not supported")
            if request.code_challenge and request.code_challenge_method != "S256":
                return self._redirect_error(request, "invalid_request", "invalid code_challenge_method")
            return HttpOut(200, auth.authorize_page(request).encode(), html_type)
        step = form.get("step", "")
        if step == "login":
            username = form.get("username", "")
            if username != creds.username or not creds.password_ok(form.get("password", "")):
                page = auth.authorize_page(request, "ユーザ名またはパスワードを確認してください。"
                                           " Please check your username and password.", username)
                return HttpOut(200, page.encode(), html_type)
            self._count("login")
            ticket = self.web_flow.sign_in(self.user_id)
            return HttpOut(200, auth.approve_page(request, ticket, "BIZTEL Desk").encode(), html_type)
        if step == "approve" and self.web_flow.ticket_user(form.get("ticket", "")) is not None:
            if form.get("decision") != "allow":
                return self._redirect_error(request, "access_denied", "end-user denied authorization")
            code = self.web_flow.issue_code(form["ticket"], request)
            return self._redirect(request, {"code": code})
        return HttpOut(200, auth.authorize_page(request, "セッションが切れました。もう一度ログインしてください。"
                                                         " Your session expired; please sign in again.").encode(),
                       html_type)

    @staticmethod
    def _redirect(request: auth.AuthorizeRequest, params: dict[str, str]) -> HttpOut:
        from urllib.parse import urlencode

        if request.state:
            params = {**params, "state": request.state}
        return HttpOut(302, b"", "text/html;charset=UTF-8",
                       {"Location": f"{request.redirect_uri}?{urlencode(params)}"})

    def _redirect_error(self, request: auth.AuthorizeRequest, error: str, description: str) -> HttpOut:
        return self._redirect(request, {"error": error, "error_description": description})

    def _revoke(self, query: dict[str, str], body: bytes) -> HttpOut:
        form = {**query, **{k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}}
        if self.web_flow.revoke(form.get("token", ""), self.sessions):
            return HttpOut(200, b"")
        return _json(400, {"error": "unsupported_token_type", "error_description": "this token type is not supported"})

    def _web_flow_token(self, form: dict[str, str]) -> HttpOut:
        """``authorization_code`` (with PKCE) and ``refresh_token`` grants."""
        creds = self._credentials
        try:
            if form.get("grant_type") == "authorization_code":
                user_id, scope = self.web_flow.redeem_code(form, creds)
                scopes = set(scope.split())
                # A refresh token only with the refresh_token (or offline_access) scope.
                refresh = self.web_flow.issue_refresh(user_id) if scopes & {"refresh_token", "offline_access"} else ""
            else:
                refresh = form.get("refresh_token", "")
                user_id = self.web_flow.refresh_user(form, creds)
        except auth.OAuthError as exc:
            return _json(400, exc.body())
        token = self.sessions.issue(self.org_id, user_id)
        if refresh:
            self.web_flow.note_access_token(refresh, token)
        body = auth.token_response(token, self.instance_host, self.org_id, user_id, creds.consumer_secret)
        body["scope"] = auth.OAUTH_SCOPES
        if form.get("grant_type") == "authorization_code":
            body["scope"] = " ".join(sorted(scopes)) or "api"
            if refresh:
                body["refresh_token"] = refresh  # the refresh grant answers without a new one (no rotation)
        return _json(200, body)

    def _oauth_token(self, headers: dict[str, str], body: bytes) -> HttpOut:
        self._count("login")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        if form.get("grant_type") in ("authorization_code", "refresh_token"):
            return self._web_flow_token(form)
        try:
            auth.check_token_request(form, _header(headers, "Authorization"), _header(headers, "Host") or "",
                                     self._credentials, self._jwt_public_keys)
        except auth.OAuthError as exc:
            return _json(400, exc.body())
        token = self.sessions.issue(self.org_id, self.user_id)
        return _json(200, auth.token_response(token, self.instance_host, self.org_id, self.user_id,
                                              self._credentials.consumer_secret))

    def _rest(self, method: str, version: str, rest: str, query: dict[str, str], headers: dict[str, str],
              body: bytes, target: str) -> HttpOut | None:
        with self._lock:
            now = time.monotonic()
            long_running = sum(1 for started in self._inflight.values() if now - started > self.long_request_s)
            refused = long_running >= self.concurrent_long_limit
            if not refused:
                self._request_seq += 1
                seq = self._request_seq
                self._inflight[seq] = now
        if refused or self._take_fault("concurrent_limit", target):
            # The concurrent long-running request limit: the request is refused before it runs.
            return _json(403, [{"message": CONCURRENT_LIMIT_MESSAGE, "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
                         self._limit_header())
        try:
            return self._rest_running(method, version, rest, query, headers, body, target)
        finally:
            with self._lock:
                self._inflight.pop(seq, None)

    def _rest_running(self, method: str, version: str, rest: str, query: dict[str, str], headers: dict[str, str],
                      body: bytes, target: str) -> HttpOut | None:
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000)
        if self._take_fault("http_503", target):
            return _json(503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "Service Unavailable (injected)"}],
                         self._limit_header())
        token = _bearer(headers)
        if self._take_fault("session_expired", target):
            self.sessions.invalidate(token)
            return _json(401, _SESSION_INVALID, self._limit_header())
        user_id = self.sessions.check(token) if token else None
        if user_id is None:
            return _json(401, _SESSION_INVALID, self._limit_header())
        with self._lock:
            self._prune_usage()
            over = len(self._usage) >= self.daily_limit
        if self._take_fault("limit_exceeded", target) or over:
            return _json(403, [{"message": DAILY_LIMIT_MESSAGE, "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
                         {"Sforce-Limit-Info": f"api-usage={max(self.api_usage(), self.daily_limit)}/"
                                               f"{self.daily_limit}"})
        write = is_write(method, rest)
        if write and self._take_fault("drop_before_write", target):
            raise _Drop
        kind = classify(method, rest)
        with self._lock:
            self._counters[kind] = self._counters.get(kind, 0) + 1
            self._usage.append(time.monotonic())
        slow = self._take("slow_commit", target) if write else None
        if slow is not None:
            # Salesforce keeps running a write after the client gave up: this one commits `seconds` after it
            # arrived (a client whose read timeout is shorter has gone by then), invisible to reads until then.
            time.sleep(slow.seconds)
        try:
            parsed = parse_json_body(body) if method in ("POST", "PATCH", "PUT") else None
        except RequestError as exc:
            return _json(exc.http_status, exc.body(), self._limit_header())
        if rest.strip("/") == "limits" and method == "GET":
            reply = Reply(200, self._limits())
        else:
            auto_assign = (_header(headers, "Sforce-Auto-Assign") or "TRUE").strip().upper() != "FALSE"
            ctx = Ctx(user_id, version, lambda: self._take_fault("lock_row", target), auto_assign=auto_assign,
                      opaque_rollback=lambda: self._take_fault("opaque_rollback", target))
            reply = self.api.handle(method, rest, query, parsed, ctx)
        self.store.flush()
        if write and self._take_fault("drop_after_commit", target):
            raise _Drop
        return _json(reply.status, reply.body, {**reply.headers, **self._limit_header()})

    def _limits(self) -> dict[str, Any]:
        used = self.api_usage()

        def limit(maximum: int, remaining: int | None = None) -> dict[str, int]:
            return {"Max": maximum, "Remaining": maximum if remaining is None else remaining}

        return {
            "DailyApiRequests": limit(self.daily_limit, max(0, self.daily_limit - used)),
            "DailyAsyncApexExecutions": limit(250000), "DailyBulkApiBatches": limit(15000),
            "DailyBulkV2QueryJobs": limit(10000), "DailyStreamingApiEvents": limit(10000),
            "DataStorageMB": limit(5), "FileStorageMB": limit(20), "HourlyODataCallout": limit(20000),
            "SingleEmail": limit(15), "MassEmail": limit(10),
        }

    # ----------------------------------------------------------------- /__devorg/
    def _introspect(self, method: str, path: str, query: dict[str, str], body: bytes) -> HttpOut:
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _json(400, {"error": f"body is not JSON: {exc}"})
        if not isinstance(data, dict):
            return _json(400, {"error": "body must be a JSON object"})
        route = path[len("/__devorg/"):].rstrip("/")
        try:
            return self._introspect_route(method, route, query, data)
        except (ValueError, KeyError, TypeError) as exc:
            return _json(400, {"error": str(exc)})

    def _introspect_route(self, method: str, route: str, query: dict[str, str], data: dict[str, Any]) -> HttpOut:
        ok = _json(200, {"ok": True})
        if route == "counters" and method == "GET":
            return _json(200, self.counters())
        if route == "counters/reset" and method == "POST":
            self.reset_counters()
            return ok
        if route == "faults":
            if method == "POST":
                self.inject_fault(str(data["kind"]), int(data.get("count", 1)), data.get("match"),
                                  float(data.get("seconds", 0.0)))
                return ok
            if method == "DELETE":
                self.clear_faults()
                return ok
            if method == "GET":
                return _json(200, self.pending_faults())
        if route == "latency" and method == "POST":
            self.set_latency(float(data["ms"]))
            return ok
        if route == "archive" and method == "POST":
            days = data.get("days")
            self.set_activity_archiving(None if days is None else int(days))
            return ok
        if route == "assignment_rule" and method == "POST":
            owner = data.get("owner_id")
            self.set_assignment_rule(None if owner is None else str(owner))
            return ok
        if route == "index_delay" and method == "POST":
            self.set_index_delay(float(data["s"]))
            return ok
        if route == "sessions/expire" and method == "POST":
            self.expire_sessions()
            return ok
        if route == "usage" and method == "POST":
            self.set_api_usage(int(data["used"]))
            return ok
        if route == "objects" and method == "POST":
            obj = self.add_custom_object(str(data["name"]), str(data.get("label", data["name"])),
                                         list(data.get("fields", [])), data.get("keyPrefix"),
                                         bool(data.get("allow_activities", False)), data.get("labelPlural"))
            return _json(201, {"name": obj.name, "keyPrefix": obj.key_prefix})
        if route == "field" and method == "POST":
            spec = None if data.get("remove") else {k: v for k, v in data.items() if k not in ("object", "name")}
            self.set_field(str(data["object"]), spec, str(data["name"]))
            return ok
        if route == "access" and method == "POST":
            self.set_accessible(str(data["object"]), bool(data["accessible"]))
            return ok
        if route == "label" and method == "POST":
            self.set_label(str(data["name"]), data.get("value"))
            return ok
        if route == "static_resource" and method == "POST":
            self.set_static_resource(str(data["name"]), not data.get("remove", False),
                                     str(data.get("contentType", "image/png")))
            return ok
        if route == "soap_login" and method == "POST":
            self.set_soap_login(bool(data["enabled"]), data.get("use_any_api_auth"))
            return ok
        if route == "oauth/revoke_all" and method == "POST":
            self.revoke_refresh_tokens()
            return ok
        if route == "info" and method == "GET":
            return _json(200, {**self.credentials, "seed": self.seed, "latency_ms": self.latency_ms,
                               "index_delay_s": self.index_delay_s, "daily_limit": self.daily_limit,
                               "session_ttl_s": self.sessions.ttl_s, "api_version": self.api_version,
                               "new_org": self.new_org, "soap_login_enabled": self.soap_login_enabled})
        if route == "jwt" and method == "GET":
            # The connected app's test key pair, so an out-of-process client can try the JWT bearer flow.
            return _json(200, {"private_key": self.jwt_private_key_pem, "certificate": self.jwt_certificate_pem})
        if route.startswith("records/") and method == "GET":
            object_name = unquote(route[len("records/"):])
            if object_name not in self.store.objects:
                return _json(404, {"error": f"unknown object {object_name}"})
            return _json(200, self.records(object_name, query.get("include_deleted", "") == "true"))
        return _json(404, {"error": f"no such dev org endpoint: {method} /__devorg/{route}"})

    # ----------------------------------------------------------------- record page
    def _record_page(self, path: str) -> HttpOut:
        match = re.match(r"^/lightning/r/([A-Za-z0-9_]+)/([A-Za-z0-9]{15,18})/view/?$", path)
        found = self.store.get(match.group(2)) if match else None
        if match is None or found is None or found[0].lower() != match.group(1).lower():
            page = "<!DOCTYPE html><html lang='ja'><meta charset='utf-8'><title>見つかりません</title>" \
                   "<h1>レコードが見つかりません</h1></html>"
            return HttpOut(404, page.encode(), "text/html;charset=UTF-8")
        object_name, record = found
        obj = self.store.objects[object_name]
        with self.store.lock:
            tasks = [t for t in self.store.rows(schema.TASK) if record["Id"] in (t.get("WhoId"), t.get("WhatId"))]
        esc = html.escape
        rows = "".join(f"<tr><th>{esc(obj.fields[k].label if k in obj.fields else k)}</th><td>{esc(k)}</td>"
                       f"<td>{esc(str(json_value(v)) if v is not None else '')}</td></tr>" for k, v in record.items())
        task_rows = "".join(
            f"<tr><td><a href='/lightning/r/Task/{esc(t['Id'])}/view'>{esc(t['Id'])}</a></td>"
            f"<td>{esc(str(t.get('Subject') or ''))}</td><td>{esc(str(t.get('Status') or ''))}</td>"
            f"<td>{esc(str(json_value(t.get('CreatedDate'))))}</td></tr>" for t in tasks)
        title = esc(str(record.get("Name") or record.get("Subject") or record.get("CaseNumber") or record["Id"]))
        deleted = "<p><strong>このレコードは削除されています (IsDeleted)</strong></p>" if record["IsDeleted"] else ""
        page = (f"<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'><title>{title} | {esc(obj.label)}"
                f"</title></head><body><p>{esc(obj.label)} ({esc(object_name)})</p><h1>{title}</h1>{deleted}"
                f"<table border='1'>{rows}</table><h2>ToDo ({len(tasks)})</h2><table border='1'>"
                f"<tr><th>Id</th><th>件名</th><th>状況</th><th>作成日</th></tr>{task_rows}</table></body></html>")
        return HttpOut(200, page.encode("utf-8"), "text/html;charset=UTF-8")


def _release(version: str) -> str:
    # Salesforce labels versions with release names ("Winter '24" = 59.0); the dev org only knows its own.
    names = {"59.0": "Winter '24", "60.0": "Spring '24", "61.0": "Summer '24", "58.0": "Summer '23"}
    return names.get(version, f"v{version}")


def _header(headers: dict[str, str], name: str) -> str | None:
    lower = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lower), None)


def _bearer(headers: dict[str, str]) -> str:
    value = _header(headers, "Authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") else ""


class _Drop(Exception):
    """Close the connection without a response (an injected dropped connection)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "devorg"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        log.debug("%s " + format, self.address_string(), *args)

    def _serve(self, method: str) -> None:
        devorg: DevOrg = self.server.devorg  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            out = devorg.dispatch(method, self.path, dict(self.headers.items()), body)
        except _Drop:
            self.close_connection = True
            return
        except Exception:  # the crash handler of a request thread: log the bug, answer like Salesforce would
            log.exception("dev org failed on %s %s", method, self.path)
            out = _json(500, [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred."}])
        if out is None:
            self.close_connection = True
            return
        self.send_response(out.status)
        self.send_header("Content-Type", out.content_type)
        self.send_header("Content-Length", str(len(out.body)))
        for name, value in out.headers.items():
            self.send_header(name, value)
        try:
            self.end_headers()
            if out.body:
                self.wfile.write(out.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up before the answer (its timeout): the write stays committed, as in Salesforce.
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PATCH(self) -> None:  # noqa: N802
        self._serve("PATCH")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")
