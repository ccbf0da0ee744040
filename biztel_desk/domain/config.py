"""The admin's configuration as plain data, each setting declared once with its type, default and bounds."""

from __future__ import annotations

import enum
import re
import string
import unicodedata
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from biztel_desk.domain import phone, url_template
from biztel_desk.domain.ids import InvalidRecordId, extract_record_id
from biztel_desk.domain.messages import Problem
from biztel_desk.domain.url_template import DEFAULT_RECORDING_URL_TEMPLATE


class LinkStatus(enum.StrEnum):
    ENABLED = "enabled"
    PAUSED = "paused"
    DISABLED = "disabled"


class OnMultipleMatch(enum.StrEnum):
    FALLBACK = "fallback"
    ALL = "all"
    MOST_RECENT = "most_recent"
    PRIORITY = "priority"


class OnNoMatch(enum.StrEnum):
    FALLBACK = "fallback"
    RETRY_THEN_FALLBACK = "retry_then_fallback"
    SKIP = "skip"
    CREATE_LEAD = "create_lead"


class OnUnanswered(enum.StrEnum):
    """What a setting does with a call nobody answered (NO ANSWER, BUSY, FAILED, CONGESTION)."""

    LINK = "link"  # a Task saying so (不在着信 …)
    SKIP = "skip"  # kept in the history as 対象外 (未応答で連携しない), never sent


# Dispositions of a call nobody answered (calls.disposition; "" or ANSWERED = answered).
UNANSWERED_DISPOSITIONS = frozenset({"NO ANSWER", "BUSY", "FAILED", "CONGESTION"})


def is_unanswered(disposition: str) -> bool:
    return disposition.strip().upper() in UNANSWERED_DISPOSITIONS


class ActivityMode(enum.StrEnum):
    TASK = "task"
    CASE_AND_TASK = "case_and_task"


class AuthMethod(enum.StrEnum):
    PASSWORD = "password"
    JWT = "jwt"
    CLIENT_CREDENTIALS = "client_credentials"
    # OAuth 2.0 authorization code + PKCE in the system browser (loopback redirect): the default for new accounts.
    OAUTH_BROWSER = "oauth_browser"


# What a new account starts with (the dialog, the wizard). SOAP login() is going away (SALESFORCE.md).
DEFAULT_NEW_AUTH_METHOD = AuthMethod.OAUTH_BROWSER
# The browser login's redirect: http://localhost:PORT/callback on the first free of these ports. The admin
# registers all three as callback URLs of the External Client App (Salesforce matches callback URLs exactly).
OAUTH_CALLBACK_PORTS: tuple[int, ...] = (47615, 47616, 47617)
# SOAP login() does not exist from this API version on (SALESFORCE.md, "Real-org behaviours").
SOAP_LOGIN_LAST_VERSION = 64


class PlaybackAuth(enum.StrEnum):
    URL = "url"
    ADMIN = "admin"


class SecretKind(enum.StrEnum):
    PASSWORD = "password"
    SECURITY_TOKEN = "security_token"
    CONSUMER_SECRET = "consumer_secret"
    PRIVATE_KEY = "private_key"
    # Written by the browser login (and its refresh), never typed: `account login NAME` stores them.
    ACCESS_TOKEN = "access_token"
    REFRESH_TOKEN = "refresh_token"


# The secrets an admin types (dialog, `account set-secret`); the OAuth tokens come from the browser login only.
TYPED_SECRETS: tuple[SecretKind, ...] = (
    SecretKind.PASSWORD, SecretKind.SECURITY_TOKEN, SecretKind.CONSUMER_SECRET, SecretKind.PRIVATE_KEY,
)


# Which secrets each auth method needs (the token is optional: trusted IP ranges make it unnecessary).
REQUIRED_SECRETS: dict[AuthMethod, tuple[SecretKind, ...]] = {
    AuthMethod.PASSWORD: (SecretKind.PASSWORD,),
    AuthMethod.JWT: (SecretKind.PRIVATE_KEY,),
    AuthMethod.CLIENT_CREDENTIALS: (SecretKind.CONSUMER_SECRET,),
    AuthMethod.OAUTH_BROWSER: (SecretKind.REFRESH_TOKEN,),
}

NAME_MAX = 80
# The recording server URL lands in Task.B_ServerIP__c, a Text(50) field (SPEC §10, verify/requirements.py): a
# longer URL fails every job with STRING_TOO_LONG. Same limit as a call's own recording URL.
RECORDING_URL_MAX = 50
# Bidirectional overrides and isolates: invisible, and they make a name read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MEMO_MAX = 500
SUBJECT_MAX = 255  # Task.Subject is a 255-character string field
SUBJECT_PLACEHOLDERS = ("customer", "company", "direction", "agent", "extension", "start", "duration")
# Standard name, or [namespace__]Name__c: single underscores inside, no trailing underscore.
_API_NAME = re.compile(r"^(?:[A-Za-z][A-Za-z0-9]*__)?[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)(?:__c)?$")
_TAB_CODE = re.compile(r"^[A-Za-z0-9]{3}$")
_API_VERSION = re.compile(r"^\d{2,3}\.0$")
_MY_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*(?:--[a-z0-9-]+)?(?:\.(?:sandbox|develop|scratch))?\.my\.salesforce\.com$")
_LIGHTNING = re.compile(r"^([a-z0-9][a-z0-9-]*(?:--[a-z0-9-]+)?)(\.(?:sandbox|develop|scratch))?\.lightning\.force\.com$")


# --- system settings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One system setting: key, type, default and bounds (declared once, used by forms, TOML and the store)."""

    key: str
    type: type
    default: Any
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


SYSTEM_OPTIONS: tuple[Option, ...] = (
    Option("retention_days", int, 90, 1, 180),
    Option("page_size", int, 50, 10, 500),
    Option("default_region", str, "JP"),
    Option("time_zone", str, ""),  # empty = the system's time zone
    Option("playback_auth", str, PlaybackAuth.URL.value, choices=tuple(p.value for p in PlaybackAuth)),
    Option("recording_server_url", str, ""),
    # The 録音再生 link: {server}, {request_id}, {unique_id}, {recording_file}, {start:%Y/%m/%d} (domain.url_template).
    Option("recording_url_template", str, DEFAULT_RECORDING_URL_TEMPLATE),
    Option("retry_interval_minutes", int, 10, 1, 1440),
    Option("retry_max", int, 3, 0, 20),
    Option("subject_inbound", str, "着信 {customer}"),
    Option("subject_outbound", str, "発信 {customer}"),
    Option("api_optional_stop_percent", int, 80, 1, 100),
    Option("api_pause_percent", int, 95, 1, 100),
    # How stale the local phone index may be before a batch refreshes it (one query per object): lower sees
    # new Salesforce records sooner, higher spends fewer API calls.
    Option("phone_index_max_age_s", int, 60, 5, 3600),
    # A batch with numbers the index cannot match refreshes it (changes only) when it is older than this, then
    # looks those numbers up again: a record created seconds before the call is found (SPEC §9). 0 = never.
    Option("phone_index_miss_refresh_s", int, 5, 0, 600),
    # A full re-read of the phone index (one query per object) when its last one is older than this: the only
    # way to drop records purged from the Recycle Bin or no longer shared with the user (SALESFORCE.md).
    Option("phone_index_reconcile_hours", int, 24, 1, 168),
    # The longest wait between attempts after transient Salesforce failures (1, 5, 15, 60 min… up to this).
    Option("retry_backoff_max_minutes", int, 60, 1, 1440),
    # Cases and Leads the app creates run the org's assignment rules only when this is on: otherwise every
    # create sends `Sforce-Auto-Assign: FALSE` (REST creates run the active rule unless told not to).
    Option("run_assignment_rules", bool, False),
    # Live sources (watched folder, HTTP) deliver a call's legs one by one: a call is linked only once no new leg
    # has arrived for this many seconds (0 = at once).
    Option("call_settle_s", int, 30, 0, 600),
    # What the PBX's phones dial before an outside number (0 in most Japanese PBXs): stripped from dialled numbers.
    Option("outside_line_prefix", str, "0"),
)
OPTIONS_BY_KEY = {option.key: option for option in SYSTEM_OPTIONS}


@dataclass(frozen=True)
class SystemSettings:
    retention_days: int = 90
    page_size: int = 50
    default_region: str = "JP"
    time_zone: str = ""
    playback_auth: str = PlaybackAuth.URL.value
    recording_server_url: str = ""
    recording_url_template: str = DEFAULT_RECORDING_URL_TEMPLATE
    retry_interval_minutes: int = 10
    retry_max: int = 3
    subject_inbound: str = "着信 {customer}"
    subject_outbound: str = "発信 {customer}"
    api_optional_stop_percent: int = 80
    api_pause_percent: int = 95
    phone_index_max_age_s: int = 60
    phone_index_miss_refresh_s: int = 5
    phone_index_reconcile_hours: int = 24
    retry_backoff_max_minutes: int = 60
    run_assignment_rules: bool = False
    call_settle_s: int = 30
    outside_line_prefix: str = "0"

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def system_time_zone() -> str:
    """The IANA name of this computer's time zone (Windows and macOS included), Asia/Tokyo when unknown."""
    import tzlocal

    try:
        name = str(tzlocal.get_localzone_name() or "")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        name = ""
    return name if name and _zone_exists(name) else "Asia/Tokyo"


def _zone_exists(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def validate_system(values: dict[str, Any], path: str = "system") -> tuple[SystemSettings, list[Problem]]:
    """Check a dict of system settings (missing keys take defaults); returns the settings and the problems."""
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    for key, value in values.items():
        option = OPTIONS_BY_KEY.get(key)
        where = f"{path}.{key}" if path else key
        if option is None:
            problems.append(Problem("unknown_key", where, {"key": key}))
            continue
        checked = _check_option(option, value, where, problems)
        if checked is not None:
            clean[key] = checked
    settings = replace(SystemSettings(), **clean)
    if "default_region" in clean and clean["default_region"] not in phonenumbers.SUPPORTED_REGIONS:
        problems.append(Problem("region_invalid", f"{path}.default_region", {"value": clean["default_region"]}))
    if clean.get("time_zone") and not _zone_exists(clean["time_zone"]):
        problems.append(Problem("time_zone_invalid", f"{path}.time_zone", {"value": clean["time_zone"]}))
    prefix = clean.get("outside_line_prefix", "")
    if prefix and not (prefix.isascii() and prefix.isdigit() and len(prefix) <= 4):
        problems.append(Problem("outside_prefix_invalid", f"{path}.outside_line_prefix", {"value": prefix}))
    url = clean.get("recording_server_url", "")
    if url:
        problem = _recording_url_problem(url, f"{path}.recording_server_url")
        if problem is not None:
            problems.append(problem)
    if "recording_url_template" in clean:
        problems.extend(_check_url_template(clean["recording_url_template"], f"{path}.recording_url_template"))
    for key in ("subject_inbound", "subject_outbound"):
        if key in clean:
            problems.extend(_check_template(clean[key], f"{path}.{key}"))
    return settings, problems


def _recording_url_problem(url: str, where: str) -> Problem | None:
    """An http(s) URL with a host, at most RECORDING_URL_MAX characters as sent (without a trailing /)."""
    char = forbidden_character(url)
    if char is not None:
        return Problem("control_characters", where, {"char": char})
    stored = url.rstrip("/")
    if len(stored) > RECORDING_URL_MAX:
        return Problem("too_long", where, {"max": RECORDING_URL_MAX, "length": len(stored)})
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        valid = False
    return None if valid else Problem("url_invalid", where, {"value": url})


def forbidden_character(text: str) -> str | None:
    """The first character a name must not hold — a control character (tab, NUL, the ESC of an ANSI sequence…),
    a line separator, a lone surrogate or a bidirectional override — as ``U+XXXX``; None when there is none."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI_CONTROLS:
            return f"U+{ord(char):04X}"
    return None


def _name_problem(name: str, where: str, **params: Any) -> Problem | None:
    char = forbidden_character(name)
    return None if char is None else Problem("control_characters", where, {"char": char, **params})


def _check_option(option: Option, value: Any, where: str, problems: list[Problem]) -> Any:
    if option.type is bool:
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            value = value.strip().lower() == "true"
        if not isinstance(value, bool):
            problems.append(Problem("not_boolean", where))
            return None
        return value
    if option.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value.strip())
            else:
                problems.append(Problem("not_integer", where, {"value": value}))
                return None
        if (option.minimum is not None and value < option.minimum) or (
            option.maximum is not None and value > option.maximum
        ):
            problems.append(Problem("out_of_range", where, {"min": option.minimum, "max": option.maximum, "value": value}))
            return None
        return value
    if not isinstance(value, str):
        problems.append(Problem("not_text", where))
        return None
    value = value.strip()
    if option.choices and value not in option.choices:
        problems.append(Problem("bad_choice", where, {"value": value, "choices": ", ".join(option.choices)}))
        return None
    return value


def _check_url_template(template: str, where: str) -> list[Problem]:
    """A recording link template: known placeholders only, strftime on {start} only (domain.url_template)."""
    char = forbidden_character(template)
    if char is not None:
        return [Problem("control_characters", where, {"char": char})]
    try:
        url_template.parse(template)
    except url_template.TemplateError as error:
        if error.key in ("{", "}"):
            return [Problem("url_template_brace", where, {"char": error.key})]
        return [Problem("url_template_invalid", where,
                        {"key": error.key, "choices": ", ".join("{" + n + "}" for n in url_template.URL_PLACEHOLDERS)})]
    return []


def _check_template(template: str, where: str) -> list[Problem]:
    """The whole template as ``payload.subject`` formats it: bare known names only, and at most SUBJECT_MAX characters.

    A format spec or a conversion (``{customer:d}``, ``{customer!x}``, ``{customer:{start}}``) fails or explodes
    when formatted (``{customer:>999999999}`` is a 1 GB string per Task): the template is refused, never sent.
    """
    choices = ", ".join(SUBJECT_PLACEHOLDERS)
    if len(template) > SUBJECT_MAX:
        return [Problem("too_long", where, {"max": SUBJECT_MAX, "length": len(template)})]
    try:
        parsed = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(template)
                   if name is not None]
    except ValueError:
        return [Problem("template_syntax", where)]
    problems = []
    for name, spec, conversion in parsed:
        if name not in SUBJECT_PLACEHOLDERS:
            problems.append(Problem("template_invalid", where, {"key": name, "choices": choices}))
        elif spec or conversion:
            problems.append(Problem("template_spec", where, {"key": name}))
    return problems


# --- Salesforce accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginHost:
    """Where to log in: ``login``, ``test``, a My Domain host, or a loopback dev org URL."""

    kind: str  # production | sandbox | my_domain | loopback
    value: str  # login | test | acme.my.salesforce.com | http://127.0.0.1:PORT
    notice: Problem | None = None  # set when the input was corrected (a lightning.force.com host)

    @property
    def domain(self) -> str:
        """simple-salesforce's ``domain`` argument (``login``, ``test``, ``acme.my``)."""
        if self.kind in {"production", "sandbox"}:
            return self.value
        if self.kind == "my_domain":
            return self.value.removesuffix(".salesforce.com")
        return "login"


def parse_login_host(text: str, where: str = "login_host") -> LoginHost | Problem:
    raw = text.strip()
    value = raw.lower().rstrip("/")
    if value in {"", "login", "login.salesforce.com", "https://login.salesforce.com"}:
        return LoginHost("production", "login")
    if value in {"test", "test.salesforce.com", "https://test.salesforce.com"}:
        return LoginHost("sandbox", "test")
    parts = urlsplit(value if "://" in value else "https://" + value)
    host = parts.hostname or ""
    if parts.scheme == "http":
        if host in {"127.0.0.1", "localhost", "::1"} and parts.port:
            return LoginHost("loopback", f"http://127.0.0.1:{parts.port}")
        return Problem("host_insecure", where, {"value": raw})
    if parts.scheme != "https":
        return Problem("host_invalid", where, {"value": raw})
    lightning = _LIGHTNING.match(host)
    if lightning:
        suggestion = f"{lightning.group(1)}{lightning.group(2) or ''}.my.salesforce.com"
        return LoginHost("my_domain", suggestion, Problem("host_lightning", where, {"value": raw, "suggestion": suggestion}))
    if _MY_DOMAIN.match(host):
        return LoginHost("my_domain", host)
    return Problem("host_invalid", where, {"value": raw})


@dataclass(frozen=True)
class AccountConfig:
    name: str
    auth_method: str = AuthMethod.PASSWORD.value
    username: str = ""
    login_host: str = "login"
    api_version: str = "59.0"
    consumer_key: str = ""


def soap_login_retired(api_version: str) -> bool:
    """True when SOAP login() does not exist at this API version (65.0 and later)."""
    try:
        return int(api_version.strip().split(".")[0]) > SOAP_LOGIN_LAST_VERSION
    except ValueError:
        return False


def validate_account(account: AccountConfig, path: str = "") -> tuple[AccountConfig, list[Problem]]:
    problems: list[Problem] = []
    p = _prefix(path)
    name = account.name.strip()
    if not name:
        problems.append(Problem("required", p + "name", {"label_field": "account_name"}))
    elif len(name) > NAME_MAX:
        problems.append(
            Problem("too_long", p + "name", {"max": NAME_MAX, "length": len(name), "label_field": "account_name"})
        )
    elif (problem := _name_problem(name, p + "name", label_field="account_name")) is not None:
        problems.append(problem)
    if account.auth_method not in {m.value for m in AuthMethod}:
        problems.append(
            Problem("bad_choice", p + "auth_method", {"value": account.auth_method, "choices": ", ".join(AuthMethod)})
        )
    # The browser login asks the user in the browser; the username is only a note then.
    if account.auth_method in {AuthMethod.PASSWORD, AuthMethod.JWT} and not account.username.strip():
        problems.append(Problem("required", p + "username"))
    host = parse_login_host(account.login_host, p + "login_host")
    login_host = account.login_host
    if isinstance(host, Problem):
        problems.append(host)
    else:
        login_host = host.value
        if account.auth_method == AuthMethod.CLIENT_CREDENTIALS and host.kind not in {"my_domain", "loopback"}:
            problems.append(Problem("my_domain_required", p + "login_host"))
    if not _API_VERSION.match(account.api_version.strip()):
        problems.append(Problem("api_version_format", p + "api_version", {"value": account.api_version}))
    elif account.auth_method == AuthMethod.PASSWORD and soap_login_retired(account.api_version):
        problems.append(Problem("soap_login_retired", p + "api_version", {"value": account.api_version.strip()}))
    oauth_methods = {AuthMethod.JWT, AuthMethod.CLIENT_CREDENTIALS, AuthMethod.OAUTH_BROWSER}
    if account.auth_method in oauth_methods and not account.consumer_key.strip():
        problems.append(Problem("consumer_key_required", p + "consumer_key"))
    cleaned = replace(
        account,
        name=name,
        username=account.username.strip(),
        login_host=login_host,
        api_version=account.api_version.strip(),
        consumer_key=account.consumer_key.strip(),
    )
    return cleaned, problems


# --- link settings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkObjectConfig:
    api_name: str
    tab_name: str
    tab_code: str
    priority: int


@dataclass(frozen=True)
class LinkTargetConfig:
    number: str  # as the admin wrote it (shown); matching uses the E.164 form
    enabled: bool = True
    default_outbound: bool = False
    # The PBX's own spellings of this number (a DID suffix 211553/0100, a trunk name gsm0, Asterisk's s):
    # a call whose company side is written so is a call on this number.
    aliases: tuple[str, ...] = ()


ALIAS_MAX = 64  # calls.company_number holds 64 characters
ALIASES_MAX = 50


def alias_key(text: str) -> str:
    """How an alias and a call's company side are compared: trimmed, full-width folded, case-insensitive."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


DEFAULT_OBJECTS: tuple[LinkObjectConfig, ...] = (
    LinkObjectConfig("Account", "取引先", "001", 1),
    LinkObjectConfig("Contact", "取引先責任者", "003", 2),
    LinkObjectConfig("Lead", "リード", "00Q", 3),
)


@dataclass(frozen=True)
class LinkSettingConfig:
    name: str
    account: str = ""
    fallback_record_id: str = ""
    api_consent: bool = False
    memo: str = ""
    on_multiple_match: str = OnMultipleMatch.MOST_RECENT.value
    on_no_match: str = OnNoMatch.FALLBACK.value
    activity_mode: str = ActivityMode.TASK.value
    status: str = LinkStatus.DISABLED.value
    on_unanswered: str = OnUnanswered.LINK.value
    objects: tuple[LinkObjectConfig, ...] = DEFAULT_OBJECTS
    targets: tuple[LinkTargetConfig, ...] = ()


def _prefix(path: str) -> str:
    return f"{path}." if path else ""


def validate_basic(setting: LinkSettingConfig, known_accounts: set[str], path: str = "") -> tuple[LinkSettingConfig, list[Problem]]:
    """The 基本情報 fields of a setting; returns it with the fallback record as an 18-character Id."""
    problems: list[Problem] = []
    p = _prefix(path)
    name = setting.name.strip()
    if not name:
        problems.append(Problem("required", p + "name"))
    elif len(name) > NAME_MAX:
        problems.append(Problem("too_long", p + "name", {"max": NAME_MAX, "length": len(name)}))
    elif (problem := _name_problem(name, p + "name")) is not None:
        problems.append(problem)
    if not setting.account.strip():
        problems.append(Problem("required", p + "account"))
    elif setting.account not in known_accounts:
        problems.append(Problem("unknown_account", p + "account", {"value": setting.account}))
    fallback = setting.fallback_record_id
    try:
        fallback = extract_record_id(setting.fallback_record_id)
    except InvalidRecordId as error:
        problems.append(Problem(error.reason, p + "fallback_record_id"))
    if len(setting.memo) > MEMO_MAX:
        problems.append(Problem("too_long", p + "memo", {"max": MEMO_MAX, "length": len(setting.memo)}))
    for key, choices in (
        ("on_multiple_match", OnMultipleMatch),
        ("on_no_match", OnNoMatch),
        ("activity_mode", ActivityMode),
        ("status", LinkStatus),
        ("on_unanswered", OnUnanswered),
    ):
        value = getattr(setting, key)
        if value not in {c.value for c in choices}:
            problems.append(Problem("bad_choice", p + key, {"value": value, "choices": ", ".join(choices)}))
    problem = check_status_change(setting.status, setting.api_consent, p + "status")
    if problem:
        problems.append(problem)
    return replace(setting, name=name, fallback_record_id=fallback), problems


def check_status_change(new_status: str, api_consent: bool, where: str = "status") -> Problem | None:
    """SPEC §5: 有効 and 一時停止 need API consent; 無効 is always allowed."""
    if new_status in {LinkStatus.ENABLED, LinkStatus.PAUSED} and not api_consent:
        return Problem("consent_required", where)
    return None


def validate_object(obj: LinkObjectConfig, path: str = "") -> tuple[LinkObjectConfig, list[Problem]]:
    problems: list[Problem] = []
    p = _prefix(path)
    api_name = obj.api_name.strip()
    if not api_name:
        problems.append(Problem("required", p + "api_name"))
    elif not _API_NAME.match(api_name):
        problems.append(Problem("api_name_format", p + "api_name", {"value": api_name}))
    tab_code = obj.tab_code.strip()
    if not _TAB_CODE.match(tab_code):
        problems.append(Problem("tab_code_format", p + "tab_code", {"value": obj.tab_code}))
    if len(obj.tab_name) > NAME_MAX:
        problems.append(Problem("too_long", p + "tab_name", {"max": NAME_MAX, "length": len(obj.tab_name)}))
    elif (problem := _name_problem(obj.tab_name.strip(), p + "tab_name")) is not None:
        problems.append(problem)
    if isinstance(obj.priority, bool) or not isinstance(obj.priority, int):
        problems.append(Problem("not_integer", p + "priority", {"value": obj.priority}))
    elif not 1 <= obj.priority <= 99:
        problems.append(Problem("out_of_range", p + "priority", {"min": 1, "max": 99, "value": obj.priority}))
    return replace(obj, api_name=api_name, tab_code=tab_code, tab_name=obj.tab_name.strip()), problems


def validate_objects(objects: list[LinkObjectConfig] | tuple[LinkObjectConfig, ...], path: str = "objects") -> tuple[list[LinkObjectConfig], list[Problem]]:
    cleaned: list[LinkObjectConfig] = []
    problems: list[Problem] = []
    seen_priorities: dict[int, int] = {}
    seen_names: set[str] = set()
    for index, obj in enumerate(objects):
        where = f"{path}[{index}]"
        item, item_problems = validate_object(obj, where)
        problems.extend(item_problems)
        cleaned.append(item)
        if isinstance(item.priority, int) and item.priority in seen_priorities:
            problems.append(Problem("duplicate_priority", f"{where}.priority", {"value": item.priority}))
        seen_priorities.setdefault(item.priority, index)
        if item.api_name.lower() in seen_names:
            problems.append(Problem("duplicate_object", f"{where}.api_name", {"value": item.api_name}))
        seen_names.add(item.api_name.lower())
    return cleaned, problems


def validate_target_number(number: str, region: str = "JP", where: str = "number") -> tuple[str | None, Problem | None]:
    """(E.164, None) for a valid company number, else (None, problem)."""
    if not number.strip():
        return None, Problem("required", where)
    problem = _name_problem(number.strip(), where)
    if problem is not None:
        return None, problem
    e164 = phone.normalize(number, region)
    if e164 is None or not phonenumbers.is_valid_number(phonenumbers.parse(e164)):
        return None, Problem("phone_invalid", where, {"value": number.strip()})
    return e164, None


def validate_new_target(number: str, region: str, existing: Collection[str | None]) -> tuple[str | None, Problem | None]:
    """A number to add to a list: ``validate_target_number``, and refused as a duplicate when its E.164 form is in
    ``existing`` already."""
    e164, problem = validate_target_number(number, region)
    if problem is None and e164 in existing:
        return None, Problem("phone_duplicate", "number", {"value": number.strip()})
    return e164, problem


def validate_targets(targets: list[LinkTargetConfig] | tuple[LinkTargetConfig, ...], region: str = "JP", path: str = "targets") -> tuple[list[LinkTargetConfig], list[Problem]]:
    problems: list[Problem] = []
    seen: set[str] = set()
    defaults = 0
    cleaned = []
    for index, target in enumerate(targets):
        where = f"{path}[{index}].number"
        e164, problem = validate_target_number(target.number, region, where)
        if problem:
            problems.append(problem)
            continue
        assert e164 is not None
        if e164 in seen:
            problems.append(Problem("phone_duplicate", where, {"value": target.number.strip()}))
            continue
        seen.add(e164)
        defaults += bool(target.default_outbound)
        if defaults > 1 and target.default_outbound:
            problems.append(Problem("default_outbound_many", f"{path}[{index}].default_outbound"))
        cleaned.append(replace(target, number=target.number.strip()))
    cleaned, alias_problems = _validate_aliases(cleaned, region, path)
    return cleaned, problems + alias_problems


def _validate_aliases(targets: list[LinkTargetConfig], region: str, path: str) -> tuple[list[LinkTargetConfig], list[Problem]]:
    """Aliases: short text without control characters, each naming one target only, never a target's own number."""
    problems: list[Problem] = []
    numbers = {phone.normalize(t.number, region) for t in targets}
    owner: dict[str, str] = {}
    cleaned = []
    for index, target in enumerate(targets):
        kept: list[str] = []
        if isinstance(target.aliases, str) or not all(isinstance(a, str) for a in target.aliases):
            problems.append(Problem("not_text", f"{path}[{index}].aliases"))
            cleaned.append(replace(target, aliases=()))
            continue
        if len(target.aliases) > ALIASES_MAX:
            problems.append(Problem("aliases_too_many", f"{path}[{index}].aliases", {"max": ALIASES_MAX}))
        for alias_index, alias in enumerate(target.aliases):
            where = f"{path}[{index}].aliases[{alias_index}]"
            text = unicodedata.normalize("NFKC", alias).strip()
            key = alias_key(text)
            if not text:
                problems.append(Problem("required", where))
                continue
            char = forbidden_character(text)
            if char is not None:
                problems.append(Problem("control_characters", where, {"char": char}))
                continue
            if len(text) > ALIAS_MAX:
                problems.append(Problem("too_long", where, {"max": ALIAS_MAX, "length": len(text)}))
                continue
            if key in owner:
                if owner[key] != target.number or text in kept:
                    problems.append(Problem("alias_duplicate", where, {"value": text, "number": owner[key]}))
                continue
            e164 = phone.normalize(text, region)
            if e164 is not None and e164 in numbers and phonenumbers.is_valid_number(phonenumbers.parse(e164)):
                problems.append(Problem("alias_is_number", where, {"value": text}))
                continue
            owner[key] = target.number
            kept.append(text)
        cleaned.append(replace(target, aliases=tuple(kept)))
    return cleaned, problems


def validate_setting(setting: LinkSettingConfig, known_accounts: set[str], region: str = "JP", path: str = "") -> tuple[LinkSettingConfig, list[Problem]]:
    """Everything about one link setting: basics, objects and targets."""
    basic, problems = validate_basic(setting, known_accounts, path)
    objects, object_problems = validate_objects(setting.objects, _prefix(path) + "objects")
    targets, target_problems = validate_targets(setting.targets, region, _prefix(path) + "targets")
    return replace(basic, objects=tuple(objects), targets=tuple(targets)), problems + object_problems + target_problems
