"""A call as the PBX reported it: direction, customer and company numbers, timestamps read in the PBX's zone."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from biztel_desk.domain import messages, phone


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"  # extension to extension: stored as history, never linked


# Words PBXs and spreadsheets use for the direction, as the source writes them (after casefold).
DIRECTION_WORDS: dict[str, Direction] = {
    "inbound": Direction.INBOUND,
    "in": Direction.INBOUND,
    "incoming": Direction.INBOUND,
    "着信": Direction.INBOUND,
    "受信": Direction.INBOUND,
    "outbound": Direction.OUTBOUND,
    "out": Direction.OUTBOUND,
    "outgoing": Direction.OUTBOUND,
    "発信": Direction.OUTBOUND,
    "internal": Direction.INTERNAL,
    "内線": Direction.INTERNAL,
}

# Longest values the calls table holds; longer input is rejected rather than truncated or failing a batch.
FIELD_MAX_LENGTHS: dict[str, int] = {
    "unique_id": 100,
    "request_id": 100,
    "recording_server_url": 255,
    "from_number": 64,
    "to_number": 64,
    "from_agent_id": 32,
    "to_agent_id": 32,
    "from_extension": 16,
    "to_extension": 16,
    "source": 32,
    "presented_company_number": 64,
    "disposition": 16,
    "recording_file": 255,
}
TEXT_FIELDS = tuple(FIELD_MAX_LENGTHS)
# The recording server URL lands in Task.B_ServerIP__c, a Text(50) field (SPEC §10, verify/requirements.py): a
# longer URL would fail every job with STRING_TOO_LONG, so it is refused when the call comes in.
RECORDING_URL_MAX = 50
RECORDING_URL_SCHEMES = ("http", "https")
# Calls happen between these years: a year 1 or 9999 is a broken clock or a typo, and would overflow when converted
# between time zones (and Salesforce refuses dates outside 1700–4000).
EARLIEST_YEAR, LATEST_YEAR = 1970, 2999
# Task.CallDurationInSeconds is an int: the largest duration a Task can hold.
MAX_DURATION_S = 2_147_483_647
DATE_FIELDS = ("started_at", "ended_at")
REQUIRED_FIELDS = ("unique_id", "from_number", "to_number", "started_at")
ALL_FIELDS = (*TEXT_FIELDS, "direction", *DATE_FIELDS, "duration_s")
_ALL_FIELDS_SET = frozenset(ALL_FIELDS)

# Labels of call fields, as BIZTEL's 発着信履歴 names them (for rejected-row messages and the mapping dialog).
CALL_FIELD_LABELS: dict[str, tuple[str, str]] = {
    "unique_id": ("ユニークID", "Unique ID"),
    "request_id": ("リクエストID", "Request ID"),
    "recording_server_url": ("録音サーバURL", "Recording server URL"),
    "direction": ("発着信区分", "Direction"),
    "from_number": ("発信電話番号", "From number"),
    "to_number": ("着信電話番号", "To number"),
    "from_agent_id": ("発信エージェントID", "From agent ID"),
    "to_agent_id": ("着信エージェントID", "To agent ID"),
    "from_extension": ("発信内線番号", "From extension"),
    "to_extension": ("着信内線番号", "To extension"),
    "started_at": ("通話開始日時", "Call start"),
    "ended_at": ("通話終了日時", "Call end"),
    "duration_s": ("通話時間(秒)", "Duration (s)"),
    "source": ("取込元", "Source"),
    "presented_company_number": ("通知番号", "Presented company number"),
    "disposition": ("応答状況", "Disposition"),
    "recording_file": ("録音ファイル", "Recording file"),
}

# Why a row or a JSON item was refused; {label} is the field's label, {value} what was written.
CALL_MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("{label}が空です。", "{label} is empty."),
    "too_long": (
        "{label}が長すぎます({length}文字、最大{max}文字)。",
        "{label} is too long ({length} characters, at most {max}).",
    ),
    "bad_date": (
        "{label}「{value}」を日時として読めません(例: 2024-04-01 09:00:00、2024/04/01 09:00:00、2024-04-01T09:00:00+09:00)。",
        "{label} '{value}' is not a date and time (e.g. 2024-04-01 09:00:00, 2024/04/01 09:00:00, 2024-04-01T09:00:00+09:00).",
    ),
    "bad_integer": ("{label}「{value}」は0以上の整数ではありません。", "{label} '{value}' is not a whole number ≥ 0."),
    "bad_direction": (
        "{label}「{value}」は不明です。使える値: inbound(着信)、outbound(発信)、internal(内線)",
        "{label} '{value}' is unknown. Allowed: inbound, outbound, internal",
    ),
    "not_text": ("{label}は文字列で指定してください。", "{label} must be text."),
    "unknown_field": ("不明な項目「{value}」です。", "Unknown field '{value}'."),
    "ended_before_start": (
        "通話終了日時({ended})が通話開始日時({started})より前です。",
        "The call ends ({ended}) before it starts ({started}).",
    ),
    "no_numbers": ("発信電話番号と着信電話番号の両方が空です。", "Both the from number and the to number are empty."),
    "column_count": (
        "列の数が{count}列です({expected}列以上が必要です)。ファイル形式(プリセット)を確認してください。",
        "The row has {count} columns ({expected} or more expected). Check the file format (preset).",
    ),
    "not_object": ("呼び出し1件はJSONオブジェクトで指定してください。", "Each call must be a JSON object."),
    "date_range": (
        "{label}「{value}」は範囲外です({min}年〜{max}年の日時を指定してください)。",
        "{label} '{value}' is out of range (it must be a date from {min} to {max}).",
    ),
    "too_large": ("{label}「{value}」が大きすぎます(最大 {max})。", "{label} '{value}' is too large (at most {max})."),
    "bad_characters": (
        "{label}に使えない文字({char}: タブ・改行などの制御文字)が含まれています。取り除いてください。",
        "{label} contains a character that is not allowed ({char}: a control character such as a tab or newline). "
        "Remove it.",
    ),
    "bad_url": (
        "{label}「{value}」は使えません。http:// または https:// で始まるURLを指定してください"
        "(例: https://s0000.u.biztel.jp:8000)。",
        "{label} '{value}' is not allowed: give a URL that starts with http:// or https:// "
        "(e.g. https://s0000.u.biztel.jp:8000).",
    ),
    "bad_row": (
        "この行を読めません({detail})。値を確認してください。",
        "This row cannot be read ({detail}). Check its values.",
    ),
}


# A file repeats the same few extensions and company numbers thousands of times: classify each text once.
@functools.lru_cache(maxsize=65536)
def _is_extension(number: str) -> bool:
    return phone.is_extension(number)


@functools.lru_cache(maxsize=65536)
def _is_anonymous(number: str) -> bool:
    return phone.is_anonymous(number)


def field_label(name: str, lang: str = "ja") -> str:
    return messages.label(name, lang, CALL_FIELD_LABELS)


def call_message(code: str, lang: str = "ja", *, field_name: str = "", **params: Any) -> str:
    """The text of a rejected row or item in the admin's language."""
    return messages.render(CALL_MESSAGES, CALL_FIELD_LABELS, code, lang, field_name=field_name, **params)


@dataclass
class CallRecord:
    """One finished call, numbers as text exactly as the PBX wrote them (leading 0 kept), times aware."""

    unique_id: str
    from_number: str
    to_number: str
    started_at: dt.datetime
    direction: str = ""  # inbound | outbound | internal; empty = infer from the numbers (see finish())
    request_id: str = ""
    recording_server_url: str = ""  # empty: the system setting's recording server
    from_agent_id: str = ""
    to_agent_id: str = ""
    from_extension: str = ""
    to_extension: str = ""
    ended_at: dt.datetime | None = None
    duration_s: int = 0
    source: str = ""
    # The company's own number as the source recorded it: FreePBX outbound_cnum, the DID of an inbound call.
    presented_company_number: str = ""
    disposition: str = ""  # ANSWERED | NO ANSWER | BUSY | FAILED …, as the PBX wrote it; empty = unknown
    recording_file: str = ""  # file name or path of the recording when the source records it (FreePBX)
    # The PBX leg this row is (uniqueid#sequence, or a hash of the row); empty: the row is the whole call.
    leg_id: str = ""

    @property
    def leg_key(self) -> str:
        return self.leg_id or self.unique_id

    def finish(self) -> CallRecord:
        """Fill the direction when the source did not say; returns self."""
        if not self.direction:
            self.direction = infer_direction(
                self.from_number, self.to_number, self.from_extension, self.to_extension
            ).value
        return self

    @property
    def customer_number(self) -> str:
        """The customer's side as written: the from number of an inbound call, the to number of an outbound."""
        if self.direction == Direction.INBOUND:
            return self.from_number
        if self.direction == Direction.OUTBOUND:
            return self.to_number
        return ""

    @property
    def company_number(self) -> str:
        """The company's side as written, or '' when unknown (then the default outbound number applies)."""
        if self.direction == Direction.INTERNAL:
            return ""
        if self.presented_company_number.strip():
            return self.presented_company_number
        other = self.to_number if self.direction == Direction.INBOUND else self.from_number
        if other.strip() and not _is_extension(other) and not _is_anonymous(other):
            return other
        return ""

    @property
    def is_anonymous(self) -> bool:
        return self.direction != Direction.INTERNAL and _is_anonymous(self.customer_number)

    def customer_e164(self, region: str = "JP") -> str | None:
        """None for anonymous callers and unreadable numbers: stored, never matched (no-match policy)."""
        if self.direction == Direction.INTERNAL:
            return None
        return phone.normalize(self.customer_number, region)

    def company_e164(self, region: str = "JP") -> str | None:
        number = self.company_number
        return phone.normalize(number, region) if number else None


def _is_internal_side(number: str, extension: str) -> bool:
    """An extension number, or no number at all but an extension recorded (an agent's own line)."""
    if number.strip():
        return _is_extension(number)
    return bool(extension.strip())


def infer_direction(from_number: str, to_number: str, from_extension: str = "", to_extension: str = "") -> Direction:
    """SPEC §8: ≤ 6 digits is an extension; extension→external outbound, external→anything inbound,
    extension→extension internal.

    A from side that is a full number but carries an extension (BIZTEL writes the company number as
    発信電話番号 and the agent's 発信内線番号) is the company calling out, so it is outbound too.
    """
    from_internal = _is_internal_side(from_number, from_extension) or (
        bool(from_extension.strip()) and not _is_anonymous(from_number) and not to_extension.strip()
    )
    if not from_internal:
        return Direction.INBOUND
    to_internal = _is_extension(to_number) if to_number.strip() else bool(to_extension.strip())
    return Direction.INTERNAL if to_internal else Direction.OUTBOUND


def parse_direction(text: str) -> Direction | None:
    """The direction as a source writes it (inbound, 着信, OUT…), None when it is not one."""
    return DIRECTION_WORDS.get(text.strip().casefold())


# --- outcome and legs -----------------------------------------------------------------------------------

ANSWERED, NO_ANSWER, BUSY, FAILED, CONGESTION = "ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"
# Unanswered outcomes in order of precedence: a call that rang an agent who did not pick up is NO ANSWER even
# when another leg of it was BUSY (issue #9).
UNANSWERED_PRECEDENCE = (NO_ANSWER, BUSY, FAILED, CONGESTION)
OUTCOMES = (ANSWERED, *UNANSWERED_PRECEDENCE)
# How PBXs and exports write the outcome (after casefold, spaces/underscores/hyphens removed).
_OUTCOME_WORDS: dict[str, str] = {
    "answered": ANSWERED, "answer": ANSWERED, "connected": ANSWERED, "応答": ANSWERED, "通話": ANSWERED,
    "応答済み": ANSWERED, "通話済み": ANSWERED,
    "noanswer": NO_ANSWER, "missed": NO_ANSWER, "不在": NO_ANSWER, "不在着信": NO_ANSWER, "未応答": NO_ANSWER,
    "無応答": NO_ANSWER, "応答なし": NO_ANSWER, "放棄": NO_ANSWER, "abandoned": NO_ANSWER, "cancel": NO_ANSWER,
    "busy": BUSY, "話中": BUSY, "failed": FAILED, "failure": FAILED, "発信失敗": FAILED, "失敗": FAILED,
    "congestion": CONGESTION, "輻輳": CONGESTION, "chanunavail": FAILED,
}
_OUTCOME_NOISE = re.compile(r"[\s_\-]+")


def normalize_outcome(text: str) -> str:
    """One of OUTCOMES for how a PBX writes a leg's disposition, or '' when the text says nothing known."""
    key = _OUTCOME_NOISE.sub("", text.strip().casefold())
    return _OUTCOME_WORDS.get(key, "")


def merge_legs(unique_id: str, legs: list[CallRecord]) -> CallRecord:
    """The call that ``legs`` (one CDR row each, all of one call) describe.

    Answered iff a leg is ANSWERED with billsec > 0 — Asterisk's trailing ``Hangup`` row (ANSWERED, 0 s) and a
    ring group's unanswered legs never make a call answered; otherwise NO ANSWER > BUSY > FAILED > CONGESTION,
    and '' when no leg says anything (sources without an outcome: treated as answered). Start is the earliest
    leg's start, end the latest end, talk time the answered leg's billsec, agent and extension the answered leg's
    peer. Numbers and direction come from the earliest leg that is not internal (the caller's own channel).
    """
    if len(legs) == 1:  # most calls: the leg is the call
        leg = legs[0]
        outcome = normalize_outcome(leg.disposition)
        if outcome == ANSWERED and leg.duration_s <= 0:
            outcome = NO_ANSWER
        merged = leg if leg.unique_id == unique_id else dataclasses.replace(leg, unique_id=unique_id)
        merged.disposition = outcome
        if outcome and outcome != ANSWERED:
            merged.duration_s = 0
        return merged
    ordered = sorted(legs, key=lambda leg: (leg.started_at, leg.leg_key))
    outcomes = [normalize_outcome(leg.disposition) for leg in ordered]
    answered = [leg for leg, outcome in zip(ordered, outcomes, strict=True) if outcome == ANSWERED and leg.duration_s > 0]
    silent = [leg for leg, outcome in zip(ordered, outcomes, strict=True) if not outcome]
    best: CallRecord | None
    if answered:
        outcome = ANSWERED
        best = max(answered, key=lambda leg: leg.duration_s)
    else:
        said = set(outcomes)
        outcome = next((o for o in UNANSWERED_PRECEDENCE if o in said), "")
        if not outcome and ANSWERED in said:
            outcome = NO_ANSWER  # answered for 0 seconds only: nobody talked
        best = max(silent, key=lambda leg: leg.duration_s) if not outcome and silent else None
    # The caller's own leg: the earliest that is not internal, one naming the company number first (a Local/…;2
    # half starting in the same second names only the extension it rang).
    external = [leg for leg in ordered if leg.direction != Direction.INTERNAL]
    primary = min(external, key=lambda leg: (leg.started_at, not leg.company_number, leg.leg_key)) if external else ordered[0]
    merged = dataclasses.replace(primary, unique_id=unique_id, leg_id="")
    merged.started_at = ordered[0].started_at
    ends = [leg.ended_at for leg in ordered if leg.ended_at is not None]
    merged.ended_at = max(ends) if ends else None
    merged.disposition = outcome
    merged.duration_s = best.duration_s if best is not None else 0
    if merged.direction == Direction.INBOUND:
        if best is not None:
            merged.to_extension = best.to_extension or merged.to_extension
            merged.to_agent_id = best.to_agent_id or merged.to_agent_id
        else:  # nobody answered: an extension only when every leg rang the same one
            rang = {leg.to_extension for leg in ordered if leg.to_extension}
            merged.to_extension = rang.pop() if len(rang) == 1 else ""
            agents = {leg.to_agent_id for leg in ordered if leg.to_agent_id}
            merged.to_agent_id = agents.pop() if len(agents) == 1 else ""
    for name in ("request_id", "recording_server_url", "presented_company_number"):
        if not getattr(merged, name):
            setattr(merged, name, next((getattr(leg, name) for leg in ordered if getattr(leg, name)), ""))
    recording = best.recording_file if best is not None else ""
    merged.recording_file = recording or next((leg.recording_file for leg in ordered if leg.recording_file), "")
    return merged


# --- timestamps ------------------------------------------------------------------------------------------

# 2024-04-01 09:00:00, 2024/4/1 9:00 (spreadsheets drop zero padding and seconds when they re-save a CSV),
# with an optional fraction of a second.
_LOCAL = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?$"
)


class BadTimestamp(ValueError):
    """The text is not a date and time in any accepted format."""


class TimestampOutOfRange(BadTimestamp):
    """A date and time, but not in the years a call can have (EARLIEST_YEAR–LATEST_YEAR)."""


def zone(name: str) -> dt.tzinfo:
    """An IANA time zone; raises zoneinfo.ZoneInfoNotFoundError (a KeyError) or ValueError for bad names."""
    return zoneinfo.ZoneInfo(name)


def parse_timestamp(text: str, tz: dt.tzinfo, date_format: str = "") -> dt.datetime:
    """An aware UTC datetime from ``YYYY-MM-DD HH:MM:SS``, ``YYYY/MM/DD HH:MM:SS`` or ISO 8601.

    A naive timestamp (no offset) is a wall-clock time in ``tz`` — the PBX's zone — and is converted to UTC;
    one with an offset or ``Z`` keeps its own. ``date_format`` (strptime) is tried first when given.
    """
    value = text.strip()
    if not value:
        raise BadTimestamp(text)
    parsed: dt.datetime | None = None
    if date_format:
        try:
            parsed = dt.datetime.strptime(value, date_format)
        except ValueError:
            parsed = None
    if parsed is None:
        match = _LOCAL.match(value)
        if match:
            year, month, day, hour, minute, second, fraction = match.groups()
            try:
                parsed = dt.datetime(
                    int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                    int((fraction or "0").ljust(6, "0")),
                )
            except ValueError:
                raise BadTimestamp(text) from None
        else:
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                raise BadTimestamp(text) from None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:  # before converting: year 1 or 9999 would overflow
        raise TimestampOutOfRange(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    try:
        converted = parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):  # an offset pushing it past year 1 or 9999
        raise TimestampOutOfRange(text) from None
    if not EARLIEST_YEAR <= converted.year <= LATEST_YEAR:
        raise TimestampOutOfRange(text)
    return converted


# --- building records from text fields (files and JSON share these rules) -------------------------------


@dataclass(frozen=True)
class FieldProblem:
    """Why one row or item was refused: a code of CALL_MESSAGES, the field, and the values for the text."""

    code: str
    field: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def text(self, lang: str = "ja") -> str:
        return call_message(self.code, lang, field_name=self.field, **self.params)


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


_DURATION = re.compile(r"^[0-9]+(?:\.[0-9]*)?$")  # ASCII digits only: "²" and "١" are digits to str.isdigit


_CLOCK_DURATION = re.compile(r"^([0-9]{1,7}):([0-5][0-9]):([0-5][0-9])(?:\.[0-9]*)?$")  # 3CX: 00:01:35


def parse_duration(text: str, field: str = "duration_s") -> int | FieldProblem:
    """Seconds from ``60``, ``60.0`` or ``H:MM:SS`` (3CX); a problem for anything else (``1.0e999``, ``-5``,
    ``inf``) or a value no Task can hold (more than MAX_DURATION_S)."""
    value = text.strip()
    clock = _CLOCK_DURATION.match(value)
    if clock:
        hours, minutes, seconds = (int(part) for part in clock.groups())
        value = str(hours * 3600 + minutes * 60 + seconds)
    if not _DURATION.match(value):
        return FieldProblem("bad_integer", field, {"value": _shorten(value)})
    whole = value.split(".", 1)[0]
    if len(whole) > len(str(MAX_DURATION_S)) or int(whole) > MAX_DURATION_S:
        return FieldProblem("too_large", field, {"value": _shorten(value), "max": MAX_DURATION_S})
    return int(whole)


# Unicode's control characters (category Cc: C0, DEL, C1) and lone surrogates (Cs); a regex, because every field of
# every row is checked (unicodedata.category per character would cost seconds on a 100,000-row file).
_BAD_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _bad_character(text: str) -> str | None:
    """The first control character (tab, NUL, ESC of an ANSI sequence…) or lone surrogate in ``text``, as U+XXXX."""
    found = _BAD_CHARACTER.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def control_character(text: str) -> str | None:
    """Public form of the control-character check, for names and settings (U+XXXX of the first one, or None)."""
    return _bad_character(text)


def recording_url_problem(url: str, field: str = "recording_server_url") -> FieldProblem | None:
    """Why ``url`` cannot be a recording server URL (not http/https, no host, longer than B_ServerIP__c holds)."""
    if not url:
        return None
    bad = _bad_character(url)
    if bad is not None:
        return FieldProblem("bad_characters", field, {"char": bad})
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return FieldProblem("bad_url", field, {"value": _shorten(url)})
    if parts.scheme.lower() not in RECORDING_URL_SCHEMES or not host:
        return FieldProblem("bad_url", field, {"value": _shorten(url)})
    stored = url.rstrip("/")
    if len(stored) > RECORDING_URL_MAX:
        return FieldProblem("too_long", field, {"length": len(stored), "max": RECORDING_URL_MAX})
    return None


@functools.lru_cache(maxsize=65536)
def _cached_timestamp(text: str, tz: dt.tzinfo, date_format: str) -> dt.datetime:
    # The legs of a call repeat its start and end: a file parses each distinct text once.
    return parse_timestamp(text, tz, date_format)


def _timestamp(text: str, tz: dt.tzinfo, date_format: str, field: str) -> dt.datetime | FieldProblem:
    try:
        return _cached_timestamp(text, tz, date_format)
    except TimestampOutOfRange:
        return FieldProblem("date_range", field, {"value": _shorten(text), "min": EARLIEST_YEAR, "max": LATEST_YEAR})
    except BadTimestamp:
        return FieldProblem("bad_date", field, {"value": _shorten(text)})


def build_record(
    values: dict[str, str], tz: dt.tzinfo, source: str, date_format: str = ""
) -> CallRecord | FieldProblem:
    """A finished CallRecord from text values keyed by field name, or the first problem found.

    Missing keys are empty. Numbers stay text; durations default to end − start when not given.
    """

    clean = {name: value.strip() for name, value in values.items() if value}

    def get(name: str) -> str:
        return clean.get(name, "")

    unique_id = get("unique_id")
    if not unique_id:
        return FieldProblem("required", "unique_id")
    # One search over every field first: rows are almost always clean (a 100,000-row file checks fast).
    suspect = _BAD_CHARACTER.search("".join(text for name, text in clean.items() if name in _ALL_FIELDS_SET))
    for name, text in clean.items():
        limit = FIELD_MAX_LENGTHS.get(name)
        if limit is not None and len(text) > limit:
            return FieldProblem("too_long", name, {"length": len(text), "max": limit})
        bad = _bad_character(text) if suspect is not None and name in _ALL_FIELDS_SET else None
        if bad is not None:
            return FieldProblem("bad_characters", name, {"char": bad})
    url_problem = recording_url_problem(get("recording_server_url"), "recording_server_url")
    if url_problem is not None:
        return url_problem
    started_text = get("started_at")
    if not started_text:
        return FieldProblem("required", "started_at")
    started = _timestamp(started_text, tz, date_format, "started_at")
    if isinstance(started, FieldProblem):
        return started
    ended: dt.datetime | None = None
    ended_text = get("ended_at")
    if ended_text:
        ended_or_problem = _timestamp(ended_text, tz, date_format, "ended_at")
        if isinstance(ended_or_problem, FieldProblem):
            return ended_or_problem
        ended = ended_or_problem
        if ended < started:
            return FieldProblem("ended_before_start", "ended_at", {"started": started_text, "ended": ended_text})
    duration_text = get("duration_s")
    if duration_text:
        duration_or_problem = parse_duration(duration_text)
        if isinstance(duration_or_problem, FieldProblem):
            return duration_or_problem
        duration = duration_or_problem
    else:
        duration = int((ended - started).total_seconds()) if ended else 0
        if duration > MAX_DURATION_S:
            return FieldProblem("too_large", "duration_s", {"value": duration, "max": MAX_DURATION_S})
    direction_text = get("direction")
    direction = ""
    if direction_text:
        parsed = parse_direction(direction_text)
        if parsed is None:
            return FieldProblem("bad_direction", "direction", {"value": _shorten(direction_text)})
        direction = parsed.value
    from_number, to_number = get("from_number"), get("to_number")
    if not from_number and not to_number and not get("from_extension") and not get("to_extension"):
        return FieldProblem("no_numbers", "from_number")
    record = CallRecord(
        unique_id=unique_id,
        from_number=from_number,
        to_number=to_number,
        started_at=started,
        direction=direction,
        request_id=get("request_id"),
        recording_server_url=get("recording_server_url"),
        from_agent_id=get("from_agent_id"),
        to_agent_id=get("to_agent_id"),
        from_extension=get("from_extension"),
        to_extension=get("to_extension"),
        ended_at=ended,
        duration_s=duration,
        source=get("source") or source,
        presented_company_number=get("presented_company_number"),
        disposition=get("disposition"),
        recording_file=get("recording_file"),
    )
    return record.finish()
