"""The HTTP ingest endpoint (SPEC §8.3): ``POST /v1/calls`` with a bearer token, loopback-only by default."""

from __future__ import annotations

import errno
import hmac
import io
import ipaddress
import json
import logging
import re
import secrets as token_source
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from biztel_desk.domain.call import ALL_FIELDS, CallRecord, FieldProblem, build_record, call_message, zone
from biztel_desk.domain.config import system_time_zone
from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick
from biztel_desk.secrets import Secret, SecretStore, SecretStoreError
from biztel_desk.store import repos
from biztel_desk.store.calls import add_calls
from biztel_desk.store.db import Database

log = logging.getLogger(__name__)

TOKEN_KEY = "ingest:token"  # the SecretStore key of the bearer token (OS keyring, never the database)
PREFERENCE_KEY = "ingest.http"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_BODY_BYTES = 5 * 1024 * 1024  # about 10,000 calls; a PBX posting more splits its batches
MAX_ITEMS = 10_000
PATH = "/v1/calls"
SOURCE = "http"
TOKEN_RECHECK_S = 5.0  # the running endpoint re-reads its token from the keyring at most this often
# A client has this long to send the request line and headers (and, on a kept-alive connection, to start its next
# request), then this long for the body: a half-sent request (slowloris) never holds a thread for longer.
HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
# At most this many connections are served at once; more are answered 503 at once, without a thread.
MAX_CONNECTIONS = 64
_CONTENT_LENGTH = re.compile(r"^[0-9]{1,12}$")  # ASCII digits only ("²" and "１" are digits to str.isdigit)
_BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 1\r\n"
    b"Connection: close\r\nContent-Length: 107\r\n\r\n"
    b'{"errors": [{"index": null, "field": null, "message": "too many connections at once; retry in a second"}]}\n'
)

_MESSAGES: dict[str, tuple[str, str]] = {
    "no_token": (
        "HTTP取り込みのトークンがありません。先にトークンを発行してください。",
        "There is no HTTP ingest token. Generate one first.",
    ),
    "remote_bind": (
        "HTTP取り込みを {host} で待ち受けるには、このPC以外からの接続を許可する確認が必要です(既定は 127.0.0.1 のみ)。"
        "TLSは提供されないため、リバースプロキシを前に置いたうえで、設定 → 通話の取り込み元… で確認するか、"
        "biztel-desk ingest config --http-host {host} --i-understand-this-listens-on-the-network を実行してください。",
        "Listening on {host} needs the confirmation that allows connections from other computers (default: 127.0.0.1 "
        "only). TLS is not provided: put a reverse proxy in front, then confirm in 設定 → 通話の取り込み元… or run "
        "biztel-desk ingest config --http-host {host} --i-understand-this-listens-on-the-network.",
    ),
    "bind_failed": ("HTTP取り込みを {host}:{port} で開始できません: {reason}", "Cannot listen on {host}:{port}: {reason}"),
    "port_in_use": (
        "ポート {port} は別のプログラムが使用中のため、HTTP取り込みを開始できません。別のポート番号を指定してください。",
        "Port {port} is in use by another program, so HTTP ingest cannot start. Choose another port.",
    ),
}


class IngestConfigError(KnownError):
    """The endpoint cannot start as configured; ``text(lang)`` says why."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(self.text("en"))

    def text(self, lang: str = "ja") -> str:
        ja, en = _MESSAGES[self.code]
        return pick(lang, ja, en).format(**self.params)


# --- the token and the configuration ---------------------------------------------------------------------


def generate_token(store: SecretStore) -> Secret:
    """A new random bearer token, stored in the keyring (replacing the old one). Show it to the admin once."""
    token = token_source.token_urlsafe(32)
    store.set(TOKEN_KEY, token)
    return Secret(token)


def get_token(store: SecretStore) -> Secret | None:
    return store.get(TOKEN_KEY)


@dataclass(frozen=True)
class HttpIngestConfig:
    """Off by default; loopback only unless the admin allows other computers explicitly."""

    enabled: bool = False
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    allow_remote: bool = False
    max_bytes: int = MAX_BODY_BYTES
    time_zone: str = ""  # the zone the sender's times without an offset are in; empty: the system setting time_zone


def load_config(database: Database) -> HttpIngestConfig:
    with database.read() as session:
        stored = repos.get_preference(session, PREFERENCE_KEY, {}) or {}
    known = {k: v for k, v in stored.items() if k in HttpIngestConfig.__dataclass_fields__}
    return HttpIngestConfig(**known)


def save_config(database: Database, config: HttpIngestConfig) -> None:
    with database.begin() as session:
        repos.set_preference(session, PREFERENCE_KEY, asdict(config))


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


# --- payload validation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemError:
    index: int
    field: str
    message: str
    code: str

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "code": self.code, "message": self.message}


class PayloadError(Exception):
    """The body as a whole is not acceptable (400)."""


def parse_calls(data: Any, tz: Any, lang: str = "en", source: str = SOURCE) -> tuple[list[CallRecord], list[ItemError]]:
    """Records from a decoded JSON object or array; every problem of every item, with its index and field."""
    if isinstance(data, dict):
        items: list[Any] = [data]
    elif isinstance(data, list):
        items = data
    else:
        raise PayloadError("the body must be a JSON object (one call) or an array of objects")
    records: list[CallRecord] = []
    errors: list[ItemError] = []

    def error(index: int, problem: FieldProblem) -> None:
        text = call_message(problem.code, lang, field_name=problem.field, **problem.params)
        errors.append(ItemError(index, problem.field, text, problem.code))

    for index, item in enumerate(items):
        if not isinstance(item, dict):
            error(index, FieldProblem("not_object"))
            continue
        values: dict[str, str] = {}
        bad = False
        for key, value in item.items():
            if key not in ALL_FIELDS:
                error(index, FieldProblem("unknown_field", key, {"value": key}))
                bad = True
            elif value is None:
                continue
            elif key == "duration_s":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    error(index, FieldProblem("bad_integer", key, {"value": json.dumps(value, ensure_ascii=False)}))
                    bad = True
                else:
                    values[key] = str(value)
            elif not isinstance(value, str):
                # Numbers must be text: a JSON number loses the leading 0 of 03-… and 090-….
                error(index, FieldProblem("not_text", key))
                bad = True
            else:
                values[key] = value
        if bad:
            continue
        for required in ("from_number", "to_number"):
            if required not in item:
                error(index, FieldProblem("required", required))
                bad = True
        if bad:
            continue
        record = build_record(values, tz, source)
        if isinstance(record, FieldProblem):
            error(index, record)
        else:
            records.append(record)
    return records, errors


# --- the server ------------------------------------------------------------------------------------------


# EADDRINUSE, and Windows' WSAEADDRINUSE (10048) and WSAEACCES (10013: a port held exclusively by another program).
_ADDRESS_IN_USE = frozenset({errno.EADDRINUSE, 10048, 10013})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # On Windows SO_REUSEADDR lets a second server bind a port already in use (and steal its requests):
    # there a port in use must fail to bind, as it does on Linux and macOS.
    allow_reuse_address = sys.platform != "win32"
    # socketserver's backlog of 5 makes the kernel drop connection attempts (retried after 1 s) under a burst.
    request_queue_size = 128
    ingest: HttpIngestServer
    slots: threading.BoundedSemaphore

    def process_request(self, request: Any, client_address: Any) -> None:
        # The connection cap: a thread only for a free slot; the others get 503 now (and retry), never a queue.
        if not self.slots.acquire(blocking=False):
            try:
                request.settimeout(1.0)
                request.sendall(_BUSY_RESPONSE)
            except OSError:
                pass  # the client is gone already: nothing to tell it
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints a traceback to stderr by default; a client that hangs up is not an error of ours.
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            log.debug("HTTP ingest: connection from %s ended: %s", client_address, error)
        else:
            log.exception("HTTP ingest: a request from %s failed", client_address)


class _DeadlineReader(io.RawIOBase):
    """The connection's reading side with a deadline for the whole request part being read (not per recv), so a
    client that sends one byte every few seconds is cut off too."""

    def __init__(self, connection: socket.socket) -> None:
        super().__init__()
        self._connection = connection
        self.deadline = time.monotonic() + HEADER_TIMEOUT_S

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request was not received in time")
        self._connection.settimeout(remaining)
        return self._connection.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"  # a garbled request line still gets a status line and a JSON answer
    server_version = "BIZTEL-Desk-Ingest/1"

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain reader the base class made: replaced by one with a deadline
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        # The request line and headers (and, kept alive, the wait for them) within the header timeout.
        self._reader.deadline = time.monotonic() + self.server.ingest.header_timeout_s
        super().handle_one_request()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        # The default writes every request to stderr; the request line never contains the token.
        log.debug("ingest %s - %s", self.address_string(), format % args)

    def _send(self, status: HTTPStatus, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.connection.settimeout(self.server.ingest.body_timeout_s)  # the reading deadline may be nearly spent
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own refusals (bad request line, 431, 501…) in the endpoint's JSON form, connection closed.
        self.close_connection = True
        try:
            status = HTTPStatus(code)
        except ValueError:
            status = HTTPStatus.BAD_REQUEST
        self._fail(status, message or status.phrase)

    def _fail(self, status: HTTPStatus, message: str, **extra: Any) -> None:
        self._send(status, {"errors": [{"index": None, "field": None, "message": message}]}, **extra)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/v1/health":
            self._send(HTTPStatus.OK, {"status": "ok"})
        else:
            self._fail(HTTPStatus.NOT_FOUND, f"unknown path {self.path}; POST calls to {PATH}")

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        ingest = self.server.ingest
        if self.path.split("?", 1)[0] != PATH:
            self.close_connection = True
            self._fail(HTTPStatus.NOT_FOUND, f"unknown path {self.path}; POST calls to {PATH}")
            return
        if not ingest.authorized(self.headers.get("Authorization", "")):
            self.close_connection = True
            self._fail(
                HTTPStatus.UNAUTHORIZED,
                "missing or wrong bearer token (header Authorization: Bearer <token>)",
                headers={"WWW-Authenticate": 'Bearer realm="biztel-desk"'},
            )
            return
        content_type = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            self.close_connection = True
            self._fail(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type must be application/json (got {content_type or 'none'})")
            return
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self.close_connection = True
            self._fail(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required (chunked bodies are not accepted)")
            return
        if not _CONTENT_LENGTH.match(length_text.strip()) or self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            shown = length_text.encode("latin-1", "replace").decode("ascii", "replace")[:40]
            self._fail(HTTPStatus.BAD_REQUEST, f"Content-Length must be a number of bytes (got {shown!r})")
            return
        length = int(length_text)
        if length > ingest.max_bytes:
            self.close_connection = True  # the unread body must not be taken for the next request
            self._fail(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is {length} bytes; the limit is {ingest.max_bytes}")
            return
        self._reader.deadline = time.monotonic() + ingest.body_timeout_s
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            self._fail(HTTPStatus.REQUEST_TIMEOUT, f"the body was not received within {ingest.body_timeout_s:g} s")
            return
        if len(body) < length:
            self.close_connection = True
            self._fail(HTTPStatus.BAD_REQUEST, f"the body ended after {len(body)} of {length} bytes (Content-Length)")
            return
        status, answer = ingest.handle(body)
        self._send(status, answer)


class HttpIngestServer:
    """``start()`` listens in a background thread, ``stop()`` ends it; each request is one transaction."""

    def __init__(
        self,
        database: Database,
        store: SecretStore,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        allow_remote: bool = False,
        max_bytes: int = MAX_BODY_BYTES,
        max_items: int = MAX_ITEMS,
        lang: str = "en",
        time_zone: str | None = None,
        on_imported: Callable[[int], None] | None = None,
        header_timeout_s: float = HEADER_TIMEOUT_S,
        body_timeout_s: float = BODY_TIMEOUT_S,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        """``on_imported(n)`` is called on the request's thread after a request stored ``n`` > 0 new calls."""
        self.database = database
        self.store = store
        self.host = host
        self.requested_port = port
        self.allow_remote = allow_remote
        self.max_bytes = max_bytes
        self.max_items = max_items
        self.lang = lang
        self.time_zone = time_zone
        self.on_imported = on_imported
        self.header_timeout_s = header_timeout_s
        self.body_timeout_s = body_timeout_s
        self.max_connections = max_connections
        self._token: Secret | None = None
        self._token_read_at = 0.0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, database: Database, store: SecretStore, config: HttpIngestConfig, **kwargs: Any) -> HttpIngestServer:
        return cls(
            database, store, config.host, config.port, allow_remote=config.allow_remote, max_bytes=config.max_bytes,
            **{"time_zone": config.time_zone or None, **kwargs},
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1] if self._server is not None else self.requested_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{PATH}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def reload_token(self) -> None:
        """Read the token from the keyring again (after the admin generated a new one)."""
        token = get_token(self.store)
        if not token:
            raise IngestConfigError("no_token")
        self._token = token
        self._token_read_at = time.monotonic()

    def authorized(self, header: str) -> bool:
        scheme, _, given = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return False
        # The admin may generate a new token while the endpoint runs (``biztel-desk ingest token --new`` in another
        # process): re-read the keyring every few seconds, so the new token works and the old one stops working.
        if time.monotonic() - self._token_read_at >= TOKEN_RECHECK_S:
            try:
                self.reload_token()
            except IngestConfigError:  # deleted from the keyring: nothing is accepted any more
                self._token = None
                self._token_read_at = time.monotonic()
            except SecretStoreError:  # the keyring is locked for a moment: keep the token read before
                self._token_read_at = time.monotonic()
        return self._matches(given.strip())

    def _matches(self, given: str) -> bool:
        token = self._token
        return token is not None and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))

    def start(self) -> None:
        if self.running:
            return
        if not is_loopback(self.host) and not self.allow_remote:
            raise IngestConfigError("remote_bind", host=self.host)
        self.reload_token()
        server_class = _Server
        if ":" in self.host.strip("[]"):

            class _Server6(_Server):
                address_family = socket.AF_INET6

            server_class = _Server6
        try:
            server = server_class((self.host.strip("[]"), self.requested_port), _Handler)
        except OSError as error:
            if error.errno in _ADDRESS_IN_USE:
                raise IngestConfigError("port_in_use", host=self.host, port=self.requested_port) from None
            raise IngestConfigError(
                "bind_failed", host=self.host, port=self.requested_port, reason=error.strerror or str(error)
            ) from None
        server.ingest = self
        server.slots = threading.BoundedSemaphore(self.max_connections)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http-ingest", daemon=True)
        self._thread.start()
        log.info("HTTP ingest listening on %s", self.url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)
        self._server = None
        self._thread = None

    def handle(self, body: bytes) -> tuple[HTTPStatus, dict[str, Any]]:
        """Decode, validate everything, then store all calls in one transaction (or none)."""

        def fail(status: HTTPStatus, message: str) -> tuple[HTTPStatus, dict[str, Any]]:
            return status, {"errors": [{"index": None, "field": None, "message": message}]}

        try:
            return self._handle(body)
        except Exception:  # noqa: BLE001 - a bug must answer 500 (nothing stored), never drop the connection
            log.exception("HTTP ingest: unexpected error")
            return fail(HTTPStatus.INTERNAL_SERVER_ERROR,
                        "unexpected error in BIZTEL Desk; nothing was stored. Retry later; if it keeps failing, tell its "
                        "administrator")

    def _handle(self, body: bytes) -> tuple[HTTPStatus, dict[str, Any]]:
        def fail(status: HTTPStatus, message: str) -> tuple[HTTPStatus, dict[str, Any]]:
            return status, {"errors": [{"index": None, "field": None, "message": message}]}

        try:
            data = json.loads(body.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return fail(HTTPStatus.BAD_REQUEST, "the body is not UTF-8")
        except json.JSONDecodeError as error:
            return fail(HTTPStatus.BAD_REQUEST, f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})")
        except RecursionError:
            return fail(HTTPStatus.BAD_REQUEST, "not valid JSON here: nested too deeply (a call is an object of texts)")
        except ValueError as error:  # e.g. an integer of more than 4,300 digits
            return fail(HTTPStatus.BAD_REQUEST, f"not valid JSON here: {str(error)[:120]}")
        if isinstance(data, list) and len(data) > self.max_items:
            return fail(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"{len(data)} calls in one request; the limit is {self.max_items}")
        try:
            with self.database.read() as session:
                system = repos.load_system(session)
            tz = zone(self.time_zone or system.time_zone or system_time_zone())
            records, errors = parse_calls(data, tz, self.lang)
        except PayloadError as error:
            return fail(HTTPStatus.BAD_REQUEST, str(error))
        except SQLAlchemyError:
            log.exception("HTTP ingest: the database cannot be read")
            return fail(HTTPStatus.SERVICE_UNAVAILABLE, "the database is unavailable; retry later")
        if errors:
            return HTTPStatus.UNPROCESSABLE_ENTITY, {"errors": [e.as_json() for e in errors]}
        try:
            with self.database.begin() as session:
                result = add_calls(session, records, system.default_region or "JP", settle_s=system.call_settle_s)
        except SQLAlchemyError:
            log.exception("HTTP ingest: the calls could not be stored")
            return fail(HTTPStatus.SERVICE_UNAVAILABLE, "the database is unavailable; nothing was stored, retry later")
        if result.inserted and self.on_imported is not None:
            try:
                self.on_imported(result.inserted)
            except Exception:  # noqa: BLE001 - the calls are stored: a listener's bug must not turn that into a 500
                log.exception("HTTP ingest: the on_imported listener failed")
        return HTTPStatus.OK, {"imported": result.inserted, "known": result.known}
