"""The call sources that run with the app (SPEC §8.2, §8.3): the watched folder, the HTTP ingest endpoint and the
PBX's CDR database (issue #15)."""

from __future__ import annotations

import enum
import logging
import os
import tempfile
import threading
import urllib.error
import urllib.request
import zoneinfo
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import SOURCE_KINDS, pick
from biztel_desk.ingest import cdr_db as ingest_cdr_db
from biztel_desk.ingest import folder as ingest_folder
from biztel_desk.ingest import http as ingest_http
from biztel_desk.ingest.cdr_db import CdrDbConfig, CdrDbError, CdrDbPoller, TableInfo
from biztel_desk.ingest.files import ENCODINGS, PRESETS, ImportFailure
from biztel_desk.ingest.folder import FolderConfig, FolderResult, FolderWatcher
from biztel_desk.ingest.http import HttpIngestConfig, HttpIngestServer, IngestConfigError
from biztel_desk.secrets import Secret, SecretStore, SecretStoreError
from biztel_desk.store.db import Database

log = logging.getLogger(__name__)

ImportedListener = Callable[[int], None]
DEFAULT_HOST = ingest_http.DEFAULT_HOST  # the endpoint listens on this computer only unless the admin says otherwise


def load_folder_config(database: Database) -> FolderConfig:
    """The saved watched-folder configuration (the default when none is saved)."""
    return ingest_folder.load_config(database)


def load_http_config(database: Database) -> HttpIngestConfig:
    """The saved HTTP-endpoint configuration (the default when none is saved)."""
    return ingest_http.load_config(database)


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` keeps the endpoint on this computer (else it needs the admin's confirmation)."""
    return ingest_http.is_loopback(host)


class SourceState(enum.StrEnum):
    OFF = "off"
    RUNNING = "running"
    ERROR = "error"


@dataclass(frozen=True)
class SourceStatus:
    """One source: off, running at ``location`` (the folder's path, the endpoint's URL), or an error in ja/en."""

    state: SourceState
    location: str = ""
    error_ja: str = ""
    error_en: str = ""

    def error(self, lang: str = "ja") -> str:
        return pick(lang, self.error_ja, self.error_en)


@dataclass(frozen=True)
class IngestStatus:
    """Both sources, as plain data (safe to hand to any thread)."""

    folder: SourceStatus = field(default_factory=lambda: SourceStatus(SourceState.OFF))
    http: SourceStatus = field(default_factory=lambda: SourceStatus(SourceState.OFF))
    cdr_db: SourceStatus = field(default_factory=lambda: SourceStatus(SourceState.OFF))

    def folder_text(self, lang: str = "ja") -> str:
        return _state_text(self.folder, lang, ("監視中: {0}", "Watching {0}"))

    def http_text(self, lang: str = "ja") -> str:
        return _state_text(self.http, lang, ("受信中: {0}", "Listening on {0}"))

    def cdr_db_text(self, lang: str = "ja") -> str:
        return _state_text(self.cdr_db, lang, ("取り込み中: {0}", "Reading {0}"))

    def lines(self, lang: str = "ja") -> list[str]:
        """One line per source, e.g. for ``biztel-desk sync``'s stderr."""
        folder, http, cdr = (SOURCE_KINDS[kind].text(lang) for kind in ("folder", "http", "cdr_db"))
        lines = [f"{folder}: {self.folder_text(lang)}", f"{http}: {self.http_text(lang)}"]
        if self.cdr_db.state is not SourceState.OFF or self.cdr_db.location:  # once configured (an optional driver)
            lines.append(f"{cdr}: {self.cdr_db_text(lang)}")
        return lines

    @property
    def has_error(self) -> bool:
        return SourceState.ERROR in (self.folder.state, self.http.state, self.cdr_db.state)


def _state_text(status: SourceStatus, lang: str, running: tuple[str, str]) -> str:
    if status.state is SourceState.RUNNING:
        return pick(lang, *running).format(status.location)
    if status.state is SourceState.ERROR:
        return pick(lang, "エラー: ", "Error: ") + status.error(lang)
    return pick(lang, "オフ", "Off")


def _error(location: str, ja: str, en: str) -> SourceStatus:
    return SourceStatus(SourceState.ERROR, location, ja, en)


NO_TOKEN = (
    "トークンが生成されていないため開始していません。設定 → 通話の取り込み元… の「生成」、"
    "または biztel-desk ingest token --new でトークンを生成してください。",
    "Not started: no token has been generated. Generate one in 設定 → 通話の取り込み元… (生成) "
    "or with biztel-desk ingest token --new.",
)


# --- validation of what the admin enters ------------------------------------------------------------------


@dataclass(frozen=True)
class SettingProblem:
    """One invalid value: ``field`` is folder, preset, encoding, mapping, host or port."""

    field: str
    ja: str
    en: str

    def text(self, lang: str = "ja") -> str:
        return pick(lang, self.ja, self.en)


class IngestSettingsError(KnownError):
    """The configuration was not saved; ``problems`` says why, field by field."""

    def __init__(self, problems: list[SettingProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.en for p in problems))

    def text(self, lang: str = "ja") -> str:
        return "\n".join(p.text(lang) for p in self.problems)


def check_folder(config: FolderConfig) -> list[SettingProblem]:
    """Problems of a watched-folder configuration (none when it is off: an off folder may point anywhere)."""
    problems: list[SettingProblem] = []
    if config.preset not in ("", *PRESETS):
        problems.append(SettingProblem("preset", f"形式 {config.preset} は使えません({', '.join(PRESETS)})。",
                                       f"Unknown preset {config.preset} ({', '.join(PRESETS)})."))
    if config.encoding not in ENCODINGS:
        problems.append(SettingProblem("encoding", f"文字コード {config.encoding} は使えません({', '.join(ENCODINGS)})。",
                                       f"Unknown encoding {config.encoding} ({', '.join(ENCODINGS)})."))
    problems += _zone_problems(config.time_zone)
    if not config.enabled:
        return problems
    if config.mapping_file and not Path(config.mapping_file).is_file():
        problems.append(SettingProblem("mapping", f"列の対応付けファイルがありません: {config.mapping_file}",
                                       f"The column mapping file does not exist: {config.mapping_file}"))
    problem = folder_problem(config.path)
    if problem is not None:
        problems.append(problem)
    return problems


def folder_problem(path_text: str) -> SettingProblem | None:
    """Why ``path_text`` cannot be watched (missing, not a folder, not writable), else None."""
    if not path_text.strip():
        return SettingProblem("folder", "監視するフォルダを指定してください。", "Choose the folder to watch.")
    path = Path(path_text).expanduser()
    if not path.exists():
        return SettingProblem("folder", f"フォルダがありません: {path}", f"The folder does not exist: {path}")
    if not path.is_dir():
        return SettingProblem("folder", f"フォルダではありません: {path}", f"Not a folder: {path}")
    try:
        # os.access is unreliable for folders on Windows: create (and remove) a file as the watcher will.
        handle, probe = tempfile.mkstemp(prefix=".biztel-desk-", suffix=".tmp", dir=path)
        os.close(handle)
        os.remove(probe)
    except OSError:
        return SettingProblem(
            "folder",
            f"フォルダに書き込めません: {path}(取り込んだファイルを done/ と failed/ に移すため、書き込みの権限が必要です)",
            f"Cannot write to the folder: {path} (imported files are moved to done/ and failed/, which needs write access)",
        )
    return None


NETWORK_CONFIRMATION = (
    "HTTP取り込みを {host} で待ち受けると、このPC以外からも接続できるようになります。BIZTEL Desk は TLS(HTTPS)を"
    "提供しないため、トークンと通話データは暗号化されずに送られます。TLSのリバースプロキシ(nginx、IIS、Caddy など)を"
    "前に置いてください。",
    "Listening on {host} lets other computers connect. BIZTEL Desk does not provide TLS (HTTPS): the token and the "
    "calls travel unencrypted. Put a reverse proxy with TLS (nginx, IIS, Caddy…) in front of it.",
)


def network_notice(host: str, lang: str = "ja") -> str:
    """What listening on a non-loopback ``host`` means (no TLS; a reverse proxy is needed)."""
    ja, en = NETWORK_CONFIRMATION
    return pick(lang, ja, en).format(host=host)


def needs_network_confirmation(database: Database, http: HttpIngestConfig) -> bool:
    """Whether saving ``http`` would listen beyond this computer on a host the admin has not confirmed yet."""
    if not http.enabled or ingest_http.is_loopback(http.host):
        return False
    saved = ingest_http.load_config(database)
    return not (saved.allow_remote and saved.host.strip() == http.host.strip())


def _zone_problems(name: str) -> list[SettingProblem]:
    """A call source's time zone must be an IANA zone (or empty: the system setting)."""
    if not name:
        return []
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [SettingProblem("time_zone", f"タイムゾーン「{name}」は不明です(例: Asia/Tokyo、UTC)。",
                               f"Unknown time zone '{name}' (e.g. Asia/Tokyo, UTC).")]
    return []


def check_http(config: HttpIngestConfig) -> list[SettingProblem]:
    problems: list[SettingProblem] = _zone_problems(config.time_zone)
    if config.port == 0:
        problems.append(SettingProblem(
            "port",
            "ポート番号 0(空いているポートを自動で選ぶ)は使えません。送信側が宛先を知る必要があるため、"
            "1〜65535 の決まった番号を指定してください(既定: 8765)。",
            "Port 0 (any free port) is not supported: the sender must know where to send. Choose a fixed port "
            "between 1 and 65535 (default 8765).",
        ))
    elif not 1 <= config.port <= 65535:
        problems.append(SettingProblem("port", f"ポート番号は 1〜65535 で指定してください(指定: {config.port})。",
                                       f"The port must be between 1 and 65535 (given: {config.port})."))
    host = config.host.strip()
    if not host or any(c.isspace() or c in "/?#@" for c in host):
        problems.append(SettingProblem("host", f"ホストが正しくありません: 「{config.host}」(例: 127.0.0.1)",
                                       f"Not a valid host: '{config.host}' (e.g. 127.0.0.1)."))
    return problems


def check_cdr_db(config: CdrDbConfig) -> list[SettingProblem]:
    """Problems of a CDR database configuration (the URL, the schema, the zone, the first run's start)."""
    problems = [replace(problem, field="cdr_time_zone") for problem in _zone_problems(config.time_zone)]
    if config.schema not in ingest_cdr_db.SCHEMAS:
        problems.append(SettingProblem("cdr_schema", f"形式 {config.schema} は使えません({', '.join(ingest_cdr_db.SCHEMAS)})。",
                                       f"Unknown schema {config.schema} ({', '.join(ingest_cdr_db.SCHEMAS)})."))
    if config.start and ingest_cdr_db.parse_start(config.start.replace("days:", "")) != config.start:
        problems.append(SettingProblem("cdr_start", f"開始位置 {config.start} は使えません(now、または日数)。",
                                       f"Unknown start {config.start} (now, or a number of days)."))
    if not config.enabled:
        return problems
    if not config.url.strip():
        problems.append(SettingProblem("cdr_url", "CDRデータベースのURLを指定してください。",
                                       "Enter the CDR database URL."))
    else:
        try:
            ingest_cdr_db.parse_url(config.url)
        except CdrDbError as error:
            problems.append(SettingProblem("cdr_url", error.text("ja"), error.text("en")))
    if not config.table.strip():
        problems.append(SettingProblem("cdr_table", "テーブル名を指定してください(FreePBX・Asterisk: cdr)。",
                                       "Enter the table name (FreePBX, Asterisk: cdr)."))
    return problems


NO_START = (
    "初めて取り込むときは、どこから読むかを選んでください: 今から(--cdr-start now)、または過去N日(--cdr-start N)。",
    "Choose where the first run starts: from now (--cdr-start now) or the last N days (--cdr-start N).",
)


def needs_start(database: Database, config: CdrDbConfig) -> bool:
    """Whether turning ``config`` on needs the admin's 今から / 過去N日 (no position for this table yet)."""
    return config.enabled and not config.start and ingest_cdr_db.load_position(database, config) is None


def load_cdr_db(database: Database) -> CdrDbConfig:
    """The saved CDR database configuration (off until a URL is given)."""
    return ingest_cdr_db.load_config(database)


def cdr_db_position(database: Database, config: CdrDbConfig) -> ingest_cdr_db.Position | None:
    return ingest_cdr_db.load_position(database, config)


def check_cdr_db_connection(config: CdrDbConfig, secrets: SecretStore, password: str | None = None) -> TableInfo:
    """接続テスト: the table's columns, row count and newest call (raises CdrDbError, a KnownError)."""
    return ingest_cdr_db.check_connection(config, secrets, password)


def set_cdr_db_password(secrets: SecretStore, password: str) -> None:
    ingest_cdr_db.set_password(secrets, password)


def has_cdr_db_password(secrets: SecretStore) -> bool:
    return bool(ingest_cdr_db.get_password(secrets))


def parse_port(text: str) -> int | SettingProblem:
    """The port typed by the admin, or the problem with it."""
    value = text.strip()
    if value.isdigit() and 1 <= int(value) <= 65535:
        return int(value)
    return SettingProblem("port", f"ポート番号は 1〜65535 の数字で指定してください(入力: 「{text}」)。",
                          f"The port must be a number between 1 and 65535 (entered: '{text}').")


def save_settings(
    database: Database,
    folder: FolderConfig | None = None,
    http: HttpIngestConfig | None = None,
    *,
    allow_network: bool = False,
    cdr_db: CdrDbConfig | None = None,
) -> None:
    """Validate, then save both configurations (or neither).

    Listening on a host other than loopback needs the admin's explicit confirmation (``allow_network``: the CLI's
    --i-understand-this-listens-on-the-network, the dialog's question) once per host; it is then kept as
    ``allow_remote``. Without it the configuration is refused (field ``host``) and nothing is saved.
    """
    problems = (check_folder(folder) if folder is not None else []) + (check_http(http) if http is not None else [])
    if cdr_db is not None:
        problems += check_cdr_db(cdr_db)
        if not problems and needs_start(database, cdr_db):
            problems.append(SettingProblem("cdr_start", *NO_START))
    if http is not None and not problems and not allow_network and needs_network_confirmation(database, http):
        host = http.host.strip()
        problems.append(SettingProblem(
            "host",
            network_notice(host, "ja") + "確認のうえで待ち受けるには --i-understand-this-listens-on-the-network を付けるか、"
            "設定 → 通話の取り込み元… で確認してください。",
            network_notice(host, "en") + " To listen anyway, add --i-understand-this-listens-on-the-network or confirm "
            "it in 設定 → 通話の取り込み元….",
        ))
    if problems:
        raise IngestSettingsError(problems)
    if folder is not None:
        ingest_folder.save_config(database, replace(folder, path=str(Path(folder.path).expanduser()) if folder.path else ""))
    if http is not None:
        host = http.host.strip()
        remote = not ingest_http.is_loopback(host)
        saved = ingest_http.load_config(database)
        allowed = remote and (allow_network or (saved.allow_remote and saved.host.strip() == host))
        ingest_http.save_config(database, replace(http, host=host, allow_remote=allowed))
    if cdr_db is not None:
        ingest_cdr_db.save_config(database, replace(cdr_db, url=cdr_db.url.strip(), table=cdr_db.table.strip()))


def form_problems(folder: FolderConfig, http: HttpIngestConfig | SettingProblem) -> list[SettingProblem]:
    """The dialog's checks before it saves; the endpoint's zone has its own row (both sources name it time_zone)."""
    if isinstance(http, SettingProblem):
        return [*check_folder(folder), http]
    return [*check_folder(folder), *(replace(problem, field="http_time_zone") if problem.field == "time_zone"
                                     else problem for problem in check_http(http))]


def folder_from_form(base: FolderConfig, **fields: Any) -> FolderConfig:
    """The watched folder as the dialog's fields give it: a mapping file counts only with the 汎用 preset."""
    fields = _trimmed(fields)
    if fields.get("preset") != "generic":
        fields["mapping_file"] = ""
    return replace(base, **fields)


def http_from_form(base: HttpIngestConfig, *, host: str, port: str,
                   **fields: Any) -> HttpIngestConfig | SettingProblem:
    """The endpoint as the dialog's fields give it (an empty host listens on this PC only), or the port's problem."""
    parsed = parse_port(port)
    if isinstance(parsed, SettingProblem):
        return parsed
    return replace(base, host=host.strip() or DEFAULT_HOST, port=parsed, **_trimmed(fields))


def cdr_from_form(base: CdrDbConfig, *, table: str, start: str, days: int, **fields: Any) -> CdrDbConfig:
    """The CDR database as the dialog's fields give it: 過去の通話も取り込む keeps the chosen number of days."""
    start = f"days:{days}" if start == "days" else start
    return replace(base, table=table.strip() or "cdr", start=start, **_trimmed(fields))


def cdr_form_values(config: CdrDbConfig) -> dict[str, Any]:
    """What the dialog's fields show of ``config``: a saved start of days as 過去の通話も取り込む and its number
    ('days:30' → start 'days', days 30); the other starts leave the number of days as the field has it."""
    values = asdict(config)
    if config.start.startswith("days:"):
        values.update(start="days", days=int(config.start.removeprefix("days:")))
    return values


def _trimmed(fields: dict[str, Any]) -> dict[str, Any]:
    """The typed texts without the spaces around them (a check box's or a number field's value as it is)."""
    return {key: value.strip() if isinstance(value, str) else value for key, value in fields.items()}


def curl_example(host: str, port_text: str) -> tuple[str, str]:
    """The endpoint's URL for the typed address ('' while the port is not valid) and a curl command sending a call."""
    port = parse_port(port_text)
    url = "" if isinstance(port, SettingProblem) else endpoint_url(HttpIngestConfig(host=host, port=port))
    return url, (
        f"curl -sS {url or f'http://{host}:PORT/v1/calls'} \\\n"
        '  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\\n'
        '  -d \'{"unique_id": "1711929600.1", "from_number": "090-1111-2222",\n'
        '       "to_number": "03-1234-5678", "started_at": "2024-04-01 09:00:00"}\''
    )


def endpoint_url(config: HttpIngestConfig) -> str:
    host = config.host.strip() or ingest_http.DEFAULT_HOST
    host = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{host}:{config.port}{ingest_http.PATH}"


def is_listening(config: HttpIngestConfig, timeout_s: float = 1.0) -> bool:
    """Whether something answers ``GET /v1/health`` at the configured address (for ``ingest status``)."""
    host = config.host.strip()
    if host in ("0.0.0.0", "::", "[::]"):  # listening everywhere: ask this computer's loopback
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"
    url = endpoint_url(replace(config, host=host)).removesuffix(ingest_http.PATH) + "/v1/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as answer:  # noqa: S310 - http on a local address
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def generate_token(store: SecretStore) -> Secret:
    """A new bearer token in the keyring (the old one stops working). Show it once; never log or store it."""
    return ingest_http.generate_token(store)


def has_token(store: SecretStore) -> bool:
    return bool(ingest_http.get_token(store))


# --- the running sources ----------------------------------------------------------------------------------


class IngestSources:
    """Starts the configured sources, restarts them after a change, stops them; ``status()`` for display.

    ``on_imported(n)`` is called on the source's own thread (folder watcher, HTTP request) after ``n`` new calls
    were stored: it must be thread-safe (``LinkWorker.wake`` is).
    """

    def __init__(
        self,
        database: Database,
        secrets: SecretStore,
        on_imported: ImportedListener | None = None,
        *,
        lang: str = "ja",
        http_lang: str = "en",
    ) -> None:
        self.database = database
        self.secrets = secrets
        self.on_imported = on_imported
        self.lang = lang  # the language of the watched folder's reports
        self.http_lang = http_lang  # the endpoint's error messages (read by programs and their admins)
        self._lock = threading.RLock()
        self._watcher: FolderWatcher | None = None
        self._server: HttpIngestServer | None = None
        self._cdr: CdrDbPoller | None = None
        self._status = IngestStatus()

    # --- control ---------------------------------------------------------------------------------------------

    def start(self) -> IngestStatus:
        """Start what the saved configuration enables; a source that cannot start is reported, never raised."""
        with self._lock:
            folder = self._start_folder(ingest_folder.load_config(self.database))
            http = self._start_http(ingest_http.load_config(self.database))
            cdr = self._start_cdr(ingest_cdr_db.load_config(self.database))
            self._status = IngestStatus(folder, http, cdr)
            for line in self._status.lines("en"):
                log.info("ingest sources: %s", line)
            return self._status

    def stop(self) -> None:
        """Stop both; a file being imported is finished first. Call before the database closes."""
        with self._lock:
            if self._watcher is not None:
                self._watcher.stop()
                self._watcher = None
            if self._server is not None:
                self._server.stop()
                self._server = None
            if self._cdr is not None:
                self._cdr.stop()
                self._cdr = None
            self._status = IngestStatus()

    def restart(self) -> IngestStatus:
        """After a configuration change: stop, read the configuration again, start."""
        with self._lock:
            self.stop()
            return self.start()

    def token_changed(self) -> IngestStatus:
        """A new token was generated: the running endpoint accepts it from now on (the old one no longer); an
        endpoint that was waiting for a token starts."""
        with self._lock:
            if self._server is not None and self._server.running:
                try:
                    self._server.reload_token()
                except (IngestConfigError, SecretStoreError):
                    log.warning("HTTP ingest: the new token could not be read; restarting the endpoint")
                else:
                    return self._status
            if self._server is not None:
                self._server.stop()
                self._server = None
            http = self._start_http(ingest_http.load_config(self.database))
            self._status = replace(self._status, http=http)
            return self._status

    def status(self) -> IngestStatus:
        with self._lock:
            status = self._status
            if status.folder.state is SourceState.RUNNING and (self._watcher is None or not self._watcher.running):
                status = replace(status, folder=_error(status.folder.location, "監視が停止しました。", "Watching stopped."))
            elif status.folder.state is SourceState.RUNNING and self._watcher is not None:
                problem = self._watcher.problem  # watching, but a file is stuck or the folder unreadable: say so
                if problem is not None:
                    status = replace(status, folder=_error(status.folder.location, *problem))
            if status.cdr_db.state is SourceState.RUNNING and self._cdr is not None:
                problem = self._cdr.problem if self._cdr.running else ("取り込みが停止しました。", "Reading stopped.")
                if problem is not None:  # down, a wrong password, a renamed table: retried with back-off meanwhile
                    status = replace(status, cdr_db=_error(status.cdr_db.location, *problem))
            return status

    @property
    def cdr_db_poller(self) -> CdrDbPoller | None:
        return self._cdr

    @property
    def http_server(self) -> HttpIngestServer | None:
        return self._server

    # --- the sources -----------------------------------------------------------------------------------------

    def _start_folder(self, config: FolderConfig) -> SourceStatus:
        if not config.enabled:
            return SourceStatus(SourceState.OFF, config.path)
        problem = folder_problem(config.path)
        if problem is not None:
            return _error(config.path, problem.ja, problem.en)
        try:
            watcher = ingest_folder.watcher_from_config(self.database, config, lang=self.lang,
                                                        on_result=self._on_folder_result)
        except ImportFailure as failure:
            return _error(config.path, failure.text("ja"), failure.text("en"))
        watcher.start()
        self._watcher = watcher
        return SourceStatus(SourceState.RUNNING, str(watcher.folder.folder))

    def _start_http(self, config: HttpIngestConfig) -> SourceStatus:
        url = endpoint_url(config)
        if not config.enabled:
            return SourceStatus(SourceState.OFF, url)
        server = HttpIngestServer.from_config(self.database, self.secrets, config, lang=self.http_lang,
                                              on_imported=self._on_http_imported)
        try:
            server.start()
        except IngestConfigError as error:
            if error.code == "no_token":
                return _error(url, *NO_TOKEN)
            return _error(url, error.text("ja"), error.text("en"))
        except SecretStoreError as error:
            return _error(url, f"OSのキーリングからトークンを読めません: {error}", f"Cannot read the token from the OS keyring: {error}")
        self._server = server
        return SourceStatus(SourceState.RUNNING, server.url)

    def _start_cdr(self, config: CdrDbConfig) -> SourceStatus:
        location = ingest_cdr_db.target_of(config) if config.url else ""
        if not config.enabled:
            return SourceStatus(SourceState.OFF, location)
        problems = check_cdr_db(config)
        if problems:
            return _error(location, problems[0].ja, problems[0].en)
        poller = CdrDbPoller(self.database, self.secrets, config, on_imported=self._notify)
        poller.start()
        self._cdr = poller
        return SourceStatus(SourceState.RUNNING, location)

    def _on_folder_result(self, result: FolderResult) -> None:
        if result.report is not None and result.report.imported:
            self._notify(result.report.imported)

    def _on_http_imported(self, count: int) -> None:
        self._notify(count)

    def _notify(self, count: int) -> None:
        listener = self.on_imported
        if listener is None:
            return
        try:
            listener(count)
        except Exception:  # noqa: BLE001 - the calls are stored; a listener's bug must not stop the source
            log.exception("ingest sources: the on_imported listener failed")
