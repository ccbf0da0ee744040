"""Call files (CSV/TSV): the asterisk, freepbx and generic presets, encoding detection, preview and import."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from biztel_desk.domain import phone
from biztel_desk.domain.call import (
    ALL_FIELDS,
    REQUIRED_FIELDS,
    BadTimestamp,
    CallRecord,
    Direction,
    FieldProblem,
    build_record,
    call_message,
    field_label,
    infer_direction,
    parse_direction,
    parse_duration,
    parse_timestamp,
    zone,
)
from biztel_desk.domain.config import system_time_zone
from biztel_desk.domain.jobs import state_label
from biztel_desk.domain.vocabulary import pick
from biztel_desk.store import repos
from biztel_desk.store.calls import AddResult, add_calls
from biztel_desk.store.db import Database

log = logging.getLogger(__name__)

PRESETS = ("asterisk", "cdr_custom", "freepbx", "3cx", "generic")
ENCODINGS = ("auto", "utf-8", "cp932")
CHUNK_ROWS = 5000  # rows per transaction: big enough to be fast, small enough to keep the GUI's reads flowing

# Asterisk cdr_csv (Master.csv) columns, no header (cdr_csv.c): 16 fixed columns, then uniqueid when
# loguniqueid=yes, userfield when loguserfield=yes, then peeraccount, linkedid, sequence when newcdrcolumns=yes.
ASTERISK_BASE_COLUMNS = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
    "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
)
ASTERISK_COLUMNS = (*ASTERISK_BASE_COLUMNS, "uniqueid", "userfield")
ASTERISK_NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
ASTERISK_MIN_COLUMNS = len(ASTERISK_BASE_COLUMNS)
# Asterisk cdr_custom: the legacy Master.csv mapping of configs/samples/cdr_custom.conf.sample (clid first,
# accountcode after amaflags, sequence last). Other cdr_custom layouts are read with a column list (--columns).
CDR_CUSTOM_COLUMNS = (
    "clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "start", "answer", "end",
    "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid", "userfield", "sequence",
)
# CDR fields a column list may name (Asterisk's cdr table and FreePBX's additions).
CDR_FIELDS = frozenset(
    {*ASTERISK_COLUMNS, *ASTERISK_NEW_COLUMNS, "calldate", "did", "cnum", "cnam", "outbound_cnum", "outbound_cnam",
     "dst_cnam", "recordingfile"}
)
FREEPBX_REQUIRED = ("calldate", "src", "dst", "uniqueid")
# A CDR table exported with a header in Asterisk's own schema (cdr_adaptive_odbc / cdr_pgsql: start/answer/end).
ASTERISK_TABLE_REQUIRED = ("start", "src", "dst", "uniqueid")
# "2024-04-01 09:00:00.123456" uniqueids: epoch.sequence, optionally after a multi-server prefix (mainserverdss-…).
_UNIQUEID = re.compile(r"^(?:[A-Za-z0-9_.-]+-)?\d{9,}\.\d+$")
# "Local/201@from-queue-00000012;1": the two halves of a Local channel share the name before ";".
_LOCAL_MARK = "Local/"
_LOCAL_HALF = re.compile(r"^(Local/[^;]+);([12])$", re.IGNORECASE)
# Dialplan contexts of the PBX's own phones (FreePBX from-internal, Asterisk's sample "internal"/"phones").
_INTERNAL_CONTEXTS = frozenset({"from-internal", "from-internal-xfer", "internal", "phones", "from-sip-internal",
                                "ext-local", "from-extensions"})
# 3CX's CDR fields in the order of its documentation (CDR settings, every field enabled; no header). Times are
# UTC, durations H:MM:SS; one record per call segment, the segments of one call share callid.
THREECX_COLUMNS = (
    "historyid", "callid", "duration", "time-start", "time-answered", "time-end", "reason-terminated", "from-no",
    "to-no", "from-dn", "to-dn", "dial-no", "reason-changed", "final-number", "final-dn", "bill-code", "bill-rate",
    "bill-cost", "bill-name", "chain", "from-type", "to-type", "final-type", "from-dispname", "to-dispname",
    "final-dispname", "missed-queue-calls",
)
THREECX_MIN_COLUMNS = THREECX_COLUMNS.index("final-dn") + 1
_RECORDING_SUFFIXES = (".wav", ".mp3", ".gsm", ".ogg", ".wav49", ".sln")
# "PJSIP/201-0000002a", "SIP/201-…", "Local/201@from-queue-…": the extension behind a channel name.
_CHANNEL_EXTENSION = re.compile(r"^(?:PJSIP|SIP|IAX2|DAHDI|Local)/(\d{1,6})[-@;]", re.IGNORECASE)
_CLID_NUMBER = re.compile(r"<([^<>]*)>\s*$")

# Where an import was started: the hint after a failure names what the admin changes there.
ORIGINS = ("cli", "folder", "dialog")
_FOLDER_SETTINGS_JA = "biztel-desk ingest config {option} または 設定 → 通話の取り込み元… の監視フォルダ"
_FOLDER_SETTINGS_EN = "biztel-desk ingest config {option}, or the watched folder in 設定 → 通話の取り込み元…"

# Notes about a file that was imported: worth an admin's attention, not a failure.
FILE_NOTES: dict[str, tuple[str, str]] = {
    "no_uniqueid": (
        "{name} には uniqueid の列がありません(Asteriskの既定 loguniqueid=no)。通話は開始日時と発信者から作った"
        "IDでまとめました。正確にまとめるため、cdr.conf の [csv] に loguniqueid=yes(できれば newcdrcolumns=yes も)を"
        "設定してください。",
        "{name} has no uniqueid column (Asterisk's default loguniqueid=no). Calls were grouped by an id made from "
        "their start and caller. To group them exactly, set loguniqueid=yes (ideally newcdrcolumns=yes too) in the "
        "[csv] section of cdr.conf.",
    ),
}

# Problems with a whole file (nothing of it was imported); {hint} is the origin's entry of FILE_HINTS.
FILE_MESSAGES: dict[str, tuple[str, str]] = {
    "unreadable": ("ファイルを読み込めません: {path}: {reason}", "Cannot read {path}: {reason}"),
    "encoding": (
        "{path} の文字コードを判別できません(UTF-8でもShift_JIS(CP932)でもありません)。{hint}",
        "Cannot tell the character encoding of {path} (neither UTF-8 nor Shift_JIS/CP932). {hint}",
    ),
    "encoding_mismatch": (
        "{path} は {encoding} として読めません({line}行目付近)。{hint}",
        "{path} cannot be read as {encoding} (near line {line}). {hint}",
    ),
    "unknown_format": ("{path} の形式を判別できません。{hint}", "Cannot tell the format of {path}. {hint}"),
    "missing_columns": ("{path} に必要な列がありません: {columns}。{hint}", "{path} lacks required columns: {columns}. {hint}"),
    "mapping_unreadable": ("列の対応ファイルを読み込めません: {path}: {reason}", "Cannot read the column mapping {path}: {reason}"),
    "mapping_invalid": ("列の対応ファイル {path} が不正です: {reason}", "The column mapping {path} is not valid: {reason}"),
    "bad_preset": ("ファイル形式「{value}」は不明です。使える値: {choices}", "Unknown file format '{value}'. Allowed: {choices}"),
    "bad_time_zone": ("タイムゾーン「{value}」は不明です(例: Asia/Tokyo)。", "Unknown time zone '{value}' (e.g. Asia/Tokyo)."),
    "empty": ("{path} に通話の行がありません。", "{path} contains no call rows."),
    "csv_error": ("CSVとして読めません: {detail}", "Not readable as CSV: {detail}"),
    "unexpected": (
        "{path} を取り込めませんでした({reason})。このファイルは failed/ に移しました。内容を確認してから、"
        "もう一度フォルダに置いてください。",
        "{path} could not be imported ({reason}). It was moved to failed/. Check its content, then put it in the "
        "folder again.",
    ),
    "store_failed": (
        "{path} をデータベースに保存できませんでした: {reason}。このファイルからは何も保存していません。"
        "原因を取り除いてから、もう一度取り込んでください。",
        "{path} could not be stored in the database: {reason}. Nothing of this file was stored. "
        "Remove the cause, then import the file again.",
    ),
    "store_failed_partial": (
        "{path} の保存が途中で失敗しました: {reason}。{last_line}行目までの行は保存済みです(新規 {imported}件、"
        "登録済み {known}件)。{next_line}行目以降は保存していません。原因を取り除いてから同じファイルをもう一度取り込むと、"
        "残りを保存します(保存済みの通話は二重になりません)。",
        "Storing {path} failed part-way: {reason}. The rows up to line {last_line} are stored ({imported} new, "
        "{known} already known); nothing from line {next_line} on was stored. Remove the cause, then import the same "
        "file again to store the rest (calls already stored are not duplicated).",
    ),
}

# What to do about a file failure, by where the import came from: the command line (biztel-desk import), the
# watched folder (its report in failed/) or the import dialog.
FILE_HINTS: dict[str, dict[str, tuple[str, str]]] = {
    "encoding": {
        "cli": ("--encoding で指定してください。", "Name it with --encoding."),
        "folder": (
            "文字コードを指定してください(" + _FOLDER_SETTINGS_JA.format(option="--folder-encoding") + ")。",
            "Name the encoding (" + _FOLDER_SETTINGS_EN.format(option="--folder-encoding") + ").",
        ),
        "dialog": ("「文字コード」で選んでください。", "Choose it under Encoding."),
    },
    "encoding_mismatch": {
        "cli": ("--encoding auto を試してください。", "Try --encoding auto."),
        "folder": (
            "文字コードを自動判別にしてください(" + _FOLDER_SETTINGS_JA.format(option="--folder-encoding auto") + ")。",
            "Set the encoding to automatic (" + _FOLDER_SETTINGS_EN.format(option="--folder-encoding auto") + ").",
        ),
        "dialog": ("「文字コード」を「自動」にしてください。", 'Set Encoding to "Automatic".'),
    },
    "unknown_format": {
        "cli": (
            "--preset asterisk|freepbx|generic で指定してください(generic には --mapping も必要です)。",
            "Name it with --preset asterisk|freepbx|generic (generic also needs --mapping).",
        ),
        "folder": (
            "形式を指定してください("
            + _FOLDER_SETTINGS_JA.format(option="--folder-preset asterisk|freepbx|generic")
            + ")。generic には列の対応付け(--folder-mapping)も必要です。",
            "Name the format ("
            + _FOLDER_SETTINGS_EN.format(option="--folder-preset asterisk|freepbx|generic")
            + "). Generic also needs a column mapping (--folder-mapping).",
        ),
        "dialog": (
            "「プリセット」で形式を選ぶか、「汎用(列の対応付け)」で列を対応付けてください。",
            'Choose the format under Preset, or map the columns with "Generic (column mapping)".',
        ),
    },
    "missing_columns": {
        "cli": (
            "見出し行と列の対応(--mapping)を確認してください。",
            "Check the header row and the column mapping (--mapping).",
        ),
        "folder": (
            "見出し行と列の対応付けを確認してください(" + _FOLDER_SETTINGS_JA.format(option="--folder-mapping") + ")。",
            "Check the header row and the column mapping ("
            + _FOLDER_SETTINGS_EN.format(option="--folder-mapping")
            + ").",
        ),
        "dialog": ("見出し行と列の対応付けを確認してください。", "Check the header row and the column mapping."),
    },
}


def _message(code: str, lang: str, origin: str = "cli", **params: Any) -> str:
    ja, en = FILE_MESSAGES.get(code, (code, code))
    hints = FILE_HINTS.get(code)
    if hints is not None:
        hint_ja, hint_en = hints.get(origin, hints["cli"])
        params = {**params, "hint": pick(lang, hint_ja, hint_en)}
    try:
        return pick(lang, ja, en).format(**params)
    except (KeyError, IndexError):  # a template missing a parameter must still say something useful
        return f"{pick(lang, ja, en)} {params}"


class ImportFailure(Exception):
    """A whole file (or the mapping) cannot be imported; ``text(lang)`` says why and what to do."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(_message(code, "en", **params))
        self.code = code
        self.params = params

    def text(self, lang: str = "ja", origin: str = "cli") -> str:
        """The failure and what to do: ``origin`` (cli | folder | dialog) says where the import came from."""
        return _message(self.code, lang, origin, **self.params)


# --- column mappings (generic preset) --------------------------------------------------------------------


def _header_key(text: str) -> str:
    """Headers compare after NFKC and case folding: 通話時間（秒） and 通話時間(秒) are the same column."""
    return unicodedata.normalize("NFKC", text).strip().strip("\ufeff").casefold()


@dataclass(frozen=True)
class Mapping:
    """A saved column mapping: which column header holds which CallRecord field, and how dates are written."""

    columns: dict[str, str]  # column header → CallRecord field
    date_format: str = ""  # strptime format; empty = the accepted formats (YYYY-MM-DD…, YYYY/MM/DD…, ISO 8601)
    time_zone: str = ""  # IANA zone of naive timestamps; empty = the system setting
    name: str = ""
    source: str = "generic"
    direction_values: dict[str, str] = field(default_factory=dict)  # source value → inbound|outbound|internal

    def check(self, where: str = "mapping") -> None:
        """Raise ImportFailure when a field is unknown, a required one unmapped, or the time zone unknown."""
        unknown = sorted({f for f in self.columns.values() if f not in ALL_FIELDS})
        if unknown:
            raise ImportFailure(
                "mapping_invalid", path=where, reason=f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(ALL_FIELDS)}"
            )
        mapped = set(self.columns.values())
        missing = [f for f in ("started_at",) if f not in mapped]  # no unique_id: a deterministic id (below)
        if missing or not mapped & {"from_number", "to_number"}:
            need = missing + ([] if mapped & {"from_number", "to_number"} else ["from_number/to_number"])
            raise ImportFailure("mapping_invalid", path=where, reason=f"no column for {', '.join(need)}")
        for value in self.direction_values.values():
            if value not in {d.value for d in Direction}:
                raise ImportFailure("mapping_invalid", path=where, reason=f"direction value {value!r}")
        if self.time_zone:
            try:
                zone(self.time_zone)
            except (KeyError, ValueError):
                raise ImportFailure("bad_time_zone", value=self.time_zone) from None

    def as_dict(self) -> dict[str, Any]:
        """The saved form (TOML or JSON), so a dialog can write what the admin mapped."""
        data: dict[str, Any] = {"name": self.name, "source": self.source}
        if self.date_format:
            data["date_format"] = self.date_format
        if self.time_zone:
            data["time_zone"] = self.time_zone
        data["columns"] = dict(self.columns)
        if self.direction_values:
            data["direction_values"] = dict(self.direction_values)
        return data


# BIZTEL's 発着信履歴 CSV as exported from the admin screen; used when the preset is generic without --mapping.
BIZTEL_MAPPING = Mapping(
    name="BIZTEL 発着信履歴",
    source="biztel",
    columns={
        "ユニークID": "unique_id",
        "リクエストID": "request_id",
        "発着信区分": "direction",
        "発信電話番号": "from_number",
        "着信電話番号": "to_number",
        "発信エージェントID": "from_agent_id",
        "着信エージェントID": "to_agent_id",
        "発信内線番号": "from_extension",
        "着信内線番号": "to_extension",
        "通話開始日時": "started_at",
        "通話終了日時": "ended_at",
        "通話時間(秒)": "duration_s",
        "録音サーバURL": "recording_server_url",
        "通話結果": "disposition",
    },
)


def mapping_from_data(data: Any, where: str = "mapping") -> Mapping:
    """Either ``{header: field}`` or ``{columns = {…}, date_format, time_zone, name, source, direction_values}``."""
    if not isinstance(data, dict):
        raise ImportFailure("mapping_invalid", path=where, reason="expected a table/object")
    if "columns" in data:
        columns = data["columns"]
        options = {k: v for k, v in data.items() if k != "columns"}
    else:
        columns, options = data, {}
    allowed = {"date_format", "time_zone", "name", "source", "direction_values"}
    extra = sorted(set(options) - allowed)
    if extra:
        raise ImportFailure("mapping_invalid", path=where, reason=f"unknown key(s) {', '.join(extra)}")
    if not isinstance(columns, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
        raise ImportFailure("mapping_invalid", path=where, reason="columns must map header text to a field name")
    direction_values = options.get("direction_values", {})
    if not isinstance(direction_values, dict):
        raise ImportFailure("mapping_invalid", path=where, reason="direction_values must be a table/object")
    for key in ("date_format", "time_zone", "name", "source"):
        if key in options and not isinstance(options[key], str):
            raise ImportFailure("mapping_invalid", path=where, reason=f"{key} must be text")
    mapping = Mapping(
        columns={k.strip(): v.strip() for k, v in columns.items()},
        date_format=options.get("date_format", ""),
        time_zone=options.get("time_zone", ""),
        name=options.get("name", ""),
        source=options.get("source", "") or "generic",
        direction_values={str(k): str(v) for k, v in direction_values.items()},
    )
    mapping.check(where)
    return mapping


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file: TOML (``.toml``) or JSON (anything else that parses as JSON)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ImportFailure("mapping_unreadable", path=str(path), reason=reason) from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise ImportFailure("mapping_invalid", path=str(path), reason=str(error)) from None
    return mapping_from_data(data, str(path))


def save_mapping(mapping: Mapping, path: str | Path) -> None:
    """Write a mapping as JSON (or TOML for a ``.toml`` path) that load_mapping reads back."""
    path = Path(path)
    if path.suffix.lower() == ".toml":
        import tomli_w

        path.write_text(tomli_w.dumps(mapping.as_dict()), encoding="utf-8")
    else:
        path.write_text(json.dumps(mapping.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --- reading text ----------------------------------------------------------------------------------------


def _with_damage(data: bytes, codec: str) -> str | None:
    """``data`` as ``codec`` when only a few bytes are damaged (a caller name Asterisk cut at 80 bytes, in the
    middle of a character): those become U+FFFD and the rest of the file reads as it was written. None when the
    damage is too much for this codec (it is not the file's encoding)."""
    text = data.decode(codec, errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return text if good >= 2 * bad and bad <= text.count("\n") + 1 else None


def decode(data: bytes, encoding: str = "auto", path: str = "") -> tuple[str, str]:
    """(text, encoding used). auto: a UTF-8 BOM, else strict UTF-8, else UTF-8 with a few damaged bytes, else CP932
    (Windows Shift_JIS), else CP932 with a few damaged bytes. A damaged byte never switches the whole file to
    another encoding: it becomes U+FFFD in its own field."""
    if encoding not in ENCODINGS:
        raise ImportFailure("mapping_invalid", path="--encoding", reason=f"{encoding}; allowed: {', '.join(ENCODINGS)}")
    candidates = {"auto": ("utf-8-sig", "cp932"), "utf-8": ("utf-8-sig",), "cp932": ("cp932",)}[encoding]
    first_error: UnicodeDecodeError | None = None
    for codec in candidates:
        name = "utf-8-sig" if codec == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else codec.replace("-sig", "")
        try:
            return data.decode(codec), name
        except UnicodeDecodeError as error:
            first_error = first_error or error
        damaged = _with_damage(data, codec)
        if damaged is not None:
            return damaged, name
    if encoding != "auto" and first_error is not None:
        line = data[: first_error.start].count(b"\n") + 1
        raise ImportFailure("encoding_mismatch", path=path, encoding=encoding, line=line)
    raise ImportFailure("encoding", path=path)


def read_file(path: str | Path, encoding: str = "auto") -> tuple[str, str]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFailure("unreadable", path=str(path), reason=error.strerror or str(error)) from None
    return decode(data, encoding, str(path))


def sniff_delimiter(text: str) -> str:
    """Tab when the first line has more tabs than commas (TSV), else comma."""
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """(line number where the row starts, cells) — or (line, error detail) for a row csv cannot read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        start = reader.line_num + 1  # line_num counts the lines read so far; a quoted cell may span several
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, str(error)
            continue
        if "".join(row).strip():  # blank lines (and a trailing newline) are not rows
            yield start, row


# --- presets ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _is_extension(number: str) -> bool:
    return phone.is_extension(number)


def _extension_from_channel(channel: str) -> str:
    match = _CHANNEL_EXTENSION.match(channel.strip())
    return match.group(1) if match else ""


def _number_from_clid(clid: str) -> str:
    match = _CLID_NUMBER.search(clid)
    return match.group(1).strip() if match else ""


def _is_header(cells: list[str], names: Sequence[str]) -> bool:
    keys = {_header_key(cell) for cell in cells}
    return all(name in keys for name in names)


@dataclass(frozen=True)
class _Layout:
    """How to turn one row's cells into CallRecord field texts."""

    preset: str
    has_header: bool
    to_values: Callable[[list[str]], dict[str, str] | FieldProblem]
    after: Callable[[CallRecord, dict[str, str]], None] | None = None
    date_format: str = ""
    source: str = ""
    # Reads every row once before the import (Local channel pairing); None for layouts that need nothing.
    prepare: Callable[[list[list[str]]], None] | None = None
    ids: _LegIds | None = None
    time_zone: str = ""  # the zone the format always writes (3CX: UTC), unless the import names one


def _asterisk_names(count: int, cells: list[str]) -> tuple[str, ...]:
    """The Master.csv column names of a row with ``count`` cells (which optional columns cdr_csv wrote)."""
    extra = count - len(ASTERISK_BASE_COLUMNS)
    new = extra >= 3 and _is_sequence(cells[-1])
    optional = extra - 3 if new else extra
    uniqueid = optional == 1 and bool(_UNIQUEID.match(cells[len(ASTERISK_BASE_COLUMNS)].strip()))
    return _asterisk_names_of(optional, uniqueid, new)


@functools.lru_cache(maxsize=64)
def _asterisk_names_of(optional: int, uniqueid: bool, new: bool) -> tuple[str, ...]:
    if optional >= 2:
        middle: tuple[str, ...] = ("uniqueid", "userfield")
    elif optional == 1:
        middle = ("uniqueid",) if uniqueid else ("userfield",)
    else:
        middle = ()
    return (*ASTERISK_BASE_COLUMNS, *middle, *(ASTERISK_NEW_COLUMNS if new else ()))


_PEER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*[A-Za-z0-9_]$")


def _is_peer_name(text: str) -> bool:
    """A phone the PBX names rather than numbers (client1, alice): internal. Not ``s``, not anonymous markers."""
    return bool(_PEER_NAME.match(text)) and not phone.is_anonymous(text) and text.casefold() != "s"


def _is_sequence(text: str) -> bool:
    value = text.strip()
    return value.isascii() and value.isdigit() and len(value) <= 10


def _row_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]


class _LegIds:
    """Call and leg ids of CDR rows (issue #9, documented in docs/call-files.md).

    A call is its ``linkedid``. Without one, it is the ``uniqueid`` of the caller's channel: a row on the second
    half of a ``Local/…;2`` channel belongs to the call whose row dialled ``Local/…;1`` (Asterisk's documented
    Local channel pairing; the pairs are read from the whole file first). A leg is ``uniqueid#sequence``, or
    ``uniqueid#`` + a hash of the whole row when the PBX writes no sequence. Without any uniqueid
    (``loguniqueid=no``), a call is ``cdr-`` + a hash of its start and caller (``src``/``clid``), and a leg a hash of
    the whole row: stable across re-imports of the same rows.
    """

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}  # uniqueid of a Local;2 half → uniqueid of the row that dialled its ;1
        self.no_uniqueid = False
        self.outside_line_prefix = "0"  # the system setting, set by the import

    def pair(self, rows: list[dict[str, str]]) -> None:
        rows = [c for c in rows if not c.get("linkedid", "").strip()]  # a linkedid groups the call already
        owner: dict[str, str] = {}
        for c in rows:
            match = _LOCAL_HALF.match(c.get("dstchannel", "").strip())
            if match and match.group(2) == "1" and c.get("uniqueid", "").strip():
                owner.setdefault(match.group(1).casefold(), c["uniqueid"].strip())
        for c in rows:
            match = _LOCAL_HALF.match(c.get("channel", "").strip())
            uniqueid = c.get("uniqueid", "").strip()
            if match and match.group(2) == "2" and uniqueid:
                parent = owner.get(match.group(1).casefold())
                if parent is not None and parent != uniqueid:
                    self.parent[uniqueid] = parent

    def root(self, uniqueid: str) -> str:
        seen = {uniqueid}
        while uniqueid in self.parent:
            uniqueid = self.parent[uniqueid]
            if uniqueid in seen:
                break
            seen.add(uniqueid)
        return uniqueid

    def ids(self, c: dict[str, str], cells: list[str], start: str) -> tuple[str, str]:
        """(call id, leg id) of one row given as column name → text."""
        uniqueid = c.get("uniqueid", "").strip()
        linkedid = c.get("linkedid", "").strip()
        sequence = c.get("sequence", "").strip()
        if not uniqueid and not linkedid and "uniqueid" in c:
            return "", ""  # the file has a uniqueid column but this row left it empty: refused (required)
        if not uniqueid and not linkedid:
            self.no_uniqueid = True
            caller = c.get("src", "").strip() or c.get("clid", "").strip()
            call_id = linkedid or "cdr-" + _row_hash(start.strip(), caller)
            return call_id, "cdr-" + _row_hash(*cells)
        call_id = linkedid or self.root(uniqueid)
        leg = f"{uniqueid}#{sequence}" if sequence else f"{uniqueid}#{_row_hash(*cells)}"
        return call_id, leg


def _recording_file(c: dict[str, str]) -> str:
    """FreePBX's recordingfile, else userfield when it holds a recording's path or file name."""
    recording = c.get("recordingfile", "").strip()
    if recording:
        return recording
    userfield = c.get("userfield", "").strip()
    if userfield and ("/" in userfield or userfield.casefold().endswith(_RECORDING_SUFFIXES)):
        return userfield
    return ""


def _cdr_values(c: dict[str, str], cells: list[str], ids: _LegIds) -> dict[str, str]:
    """CallRecord field texts of one CDR row (Master.csv, cdr_custom, the cdr table, FreePBX), by column name."""
    start = c.get("start", "").strip() or c.get("calldate", "").strip()
    src = c.get("src", "").strip() or _number_from_clid(c.get("clid", ""))
    call_id, leg_id = ids.ids(c, cells, start)
    channel = c.get("channel", "").strip()
    # A call placed from one of the PBX's phones (a Local/ half only relays the caller's call).
    internal_caller = not channel.casefold().startswith("local/") and (
        bool(_extension_from_channel(channel)) or c.get("dcontext", "").strip().casefold() in _INTERNAL_CONTEXTS
    )
    values = {
        "unique_id": call_id,
        "_leg_id": leg_id,
        **_cached_sides(src, c.get("dst", "").strip(), c.get("cnum", "").strip(), c.get("did", "").strip(),
                        c.get("outbound_cnum", "").strip(), internal_caller, ids.outside_line_prefix),
        "started_at": start,
        "ended_at": c.get("end", ""),
        "duration_s": c.get("billsec", ""),  # talk time: what 通話時間 means to an admin (duration includes ringing)
        "disposition": c.get("disposition", ""),
        "recording_file": _recording_file(c),
        "_dstchannel": c.get("dstchannel", ""),
        "_channel": channel,
        "_duration_total": c.get("duration", ""),
    }
    if c.get("linkedid", "").strip():
        values["request_id"] = c["linkedid"].strip()
    if values["direction"] == Direction.OUTBOUND and not values["from_extension"]:
        values["from_extension"] = _extension_from_channel(channel)  # the phone that dialled out
    return values


@functools.lru_cache(maxsize=65536)
def _cached_sides(
    src: str, dst: str, cnum: str, did: str, outbound_cnum: str, internal_caller: bool, outside_line_prefix: str
) -> dict[str, str]:
    return _sides(src, dst, cnum=cnum, did=did, outbound_cnum=outbound_cnum, internal_caller=internal_caller,
                  outside_line_prefix=outside_line_prefix)


def _sides(
    src: str, dst: str, *, cnum: str = "", did: str = "", outbound_cnum: str = "", internal_caller: bool = False,
    outside_line_prefix: str = "0",
) -> dict[str, str]:
    """The number and extension fields of a CDR row's src/dst (SPEC §8, §10).

    Numbers are phone numbers and extensions extensions: an inbound call's to number is the DID it came in
    on (else dst when that is a number) and dst the answering extension; an outbound call's from extension is
    src and its from number the company caller ID presented when the PBX recorded it (FreePBX
    ``outbound_cnum``), else empty — then the setting's 既定の発信番号 is the company number. Internal calls
    keep both extensions as written.

    ``internal_caller``: the row's channel is one of the PBX's own phones (``PJSIP/201-…``, or a named peer in an
    internal context such as FreePBX's ``from-internal``): the call is outbound even when ``src`` is the company
    number the phone presents, and internal when ``dst`` is an extension. Dialled numbers lose the 184/186 and
    outside-line prefixes.
    """
    src, dst = phone.strip_dial_prefix(src, outside_line_prefix), phone.strip_dial_prefix(dst, outside_line_prefix)
    if _is_peer_name(src):  # PJSIP/client1 calling: one of the PBX's own phones, never a customer
        internal_caller = False
        values = {"from_number": "", "to_number": dst, "from_extension": src[:16], "to_extension": ""}
        if _is_extension(dst) or _is_peer_name(dst) or not dst:
            values.update(direction=Direction.INTERNAL.value, to_number="", to_extension=dst[:16])
            return values
        presented = "" if _is_extension(outbound_cnum) else outbound_cnum
        values.update(direction=Direction.OUTBOUND.value, from_number=presented, presented_company_number=presented)
        return values
    if phone.is_anonymous(src) and not internal_caller:
        src = phone.anonymous_reason(src)  # anonymous, Restricted, unknown, empty…: one 非通知 with its reason
    from_extension = src if _is_extension(src) else (cnum if _is_extension(cnum) else "")
    to_extension = dst if _is_extension(dst) else ""
    if internal_caller and not _is_extension(src) and not phone.is_anonymous(src):
        direction = Direction.INTERNAL if _is_extension(dst) or not dst else Direction.OUTBOUND
        values = {"direction": direction.value, "from_number": src, "to_number": dst,
                  "from_extension": from_extension, "to_extension": to_extension}
        if direction == Direction.OUTBOUND:
            presented = outbound_cnum if outbound_cnum and not _is_extension(outbound_cnum) else src
            presented = presented if phone.normalize(presented) else ""
            values["from_number"] = presented
            values["presented_company_number"] = presented
        return values
    direction = infer_direction(src, dst, from_extension, to_extension)
    values = {
        "direction": direction.value,
        "from_number": src,
        "to_number": dst,
        "from_extension": from_extension,
        "to_extension": to_extension,
    }
    if direction == Direction.INBOUND:
        values["to_number"] = did or ("" if _is_extension(dst) else dst)
        values["presented_company_number"] = did
    elif direction == Direction.OUTBOUND:
        presented = "" if _is_extension(outbound_cnum) else outbound_cnum
        values["from_number"] = presented if _is_extension(src) else (src or presented)
        values["presented_company_number"] = presented
    return values


def _answering_extension(record: CallRecord, values: dict[str, str]) -> None:
    # Only src/dst decide the direction (a numeric trunk name in a channel must not make a call internal);
    # once an inbound call is known, the channel it was answered on (the leg's peer) names the agent's extension,
    # rather than dst (a queue or ring group number).
    if record.direction == Direction.INBOUND:
        record.to_extension = _extension_from_channel(values.get("_dstchannel", "")) or record.to_extension


def _after_cdr(record: CallRecord, values: dict[str, str]) -> None:
    _answering_extension(record, values)
    text = values.get("_duration_total", "").strip()
    total = parse_duration(text) if text else None
    if record.ended_at is None and isinstance(total, int):
        try:
            record.ended_at = record.started_at + dt.timedelta(seconds=total)
        except OverflowError:  # past year 9999: the end stays unknown
            record.ended_at = None


def _positional_layout(preset: str, names_of: Callable[[list[str]], tuple[str, ...] | None], minimum: int) -> _Layout:
    """A header-less CDR file whose columns ``names_of(cells)`` names (Master.csv, cdr_custom, a column list)."""
    ids = _LegIds()

    def named(cells: list[str]) -> dict[str, str] | None:
        names = names_of(cells)
        return None if names is None else dict(zip(names, cells, strict=False))

    def values(cells: list[str]) -> dict[str, str] | FieldProblem:
        c = named(cells) if len(cells) >= minimum else None
        if c is None:
            return FieldProblem("column_count", params={"count": len(cells), "expected": minimum})
        return _cdr_values(c, cells, ids)

    def prepare(rows: list[list[str]]) -> None:
        # Only rows on a Local/ channel without a linkedid take part in the pairing: name just those.
        if rows and len(rows[0]) >= minimum:
            names = names_of(rows[0]) or ()
            if "linkedid" in names:
                position = names.index("linkedid")
                rows = [cells for cells in rows if len(cells) <= position or not cells[position].strip()]
        local = [cells for cells in rows if len(cells) >= minimum and any(_LOCAL_MARK in cell for cell in cells[4:7])]
        ids.pair([c for c in (named(cells) for cells in local) if c is not None])

    return _Layout(preset, False, values, _after_cdr, source="asterisk", prepare=prepare, ids=ids)


def _asterisk_layout() -> _Layout:
    return _positional_layout("asterisk", lambda cells: _asterisk_names(len(cells), cells), ASTERISK_MIN_COLUMNS)


def _cdr_custom_layout(columns: Sequence[str] = CDR_CUSTOM_COLUMNS) -> _Layout:
    names = tuple(columns)
    return _positional_layout("cdr_custom", lambda cells: names, min(len(names), names.index("start") + 1))


def _header_layout(preset: str, header: list[str], path: str, required: Sequence[str]) -> _Layout:
    """A CDR export with a header row: FreePBX's cdr table (calldate, did, cnum, outbound_cnum, recordingfile) or
    Asterisk's own schema (start/answer/end, linkedid, sequence)."""
    index = {_header_key(name): i for i, name in enumerate(header)}
    missing = [name for name in required if name not in index]
    if missing:
        raise ImportFailure("missing_columns", path=path, columns=", ".join(missing))
    wanted = [(name, i) for name, i in index.items() if name in CDR_FIELDS]
    ids = _LegIds()

    def named(cells: list[str]) -> dict[str, str]:
        return {name: cells[i] for name, i in wanted if i < len(cells)}

    def values(cells: list[str]) -> dict[str, str] | FieldProblem:
        if len(cells) < len(required):
            return FieldProblem("column_count", params={"count": len(cells), "expected": len(header)})
        return _cdr_values(named(cells), cells, ids)

    def prepare(rows: list[list[str]]) -> None:
        ids.pair([named(cells) for cells in rows if any(_LOCAL_MARK in cell for cell in cells)])

    source = "freepbx" if preset == "freepbx" else "asterisk"
    return _Layout(preset, True, values, _after_cdr, source=source, prepare=prepare, ids=ids)


def _digits_only(text: str) -> str:
    value = text.strip()
    for prefix in ("Ext.", "ext.", "Ext", "ext"):
        value = value.removeprefix(prefix)
    return value if _is_extension(value) else ""


def _threecx_values(cells: list[str]) -> dict[str, str] | FieldProblem:
    if len(cells) < THREECX_MIN_COLUMNS:
        return FieldProblem("column_count", params={"count": len(cells), "expected": THREECX_MIN_COLUMNS})
    c = dict(zip(THREECX_COLUMNS, cells, strict=False))
    reason = c["reason-terminated"].strip().casefold()
    answered = bool(c["time-answered"].strip())
    if answered:
        disposition = "ANSWERED"
    elif "busy" in reason:
        disposition = "BUSY"
    elif "fail" in reason:
        disposition = "FAILED"
    else:
        disposition = "NO ANSWER"
    internal_caller = c.get("from-type", "").strip().casefold() == "extension"
    src = c["from-no"].strip()
    dst = c["to-no"].strip() or c["dial-no"].strip()
    values = {
        "unique_id": c["callid"].strip() or c["historyid"].strip(),
        "_leg_id": f"{c['callid'].strip()}#{c['historyid'].strip()}",
        **_cached_sides(src, dst, "", "", "", internal_caller, "0"),
        "started_at": c["time-start"],
        "ended_at": c["time-end"],
        "duration_s": c["duration"] if answered else "0",
        "disposition": disposition,
    }
    if values["direction"] == Direction.INBOUND:
        values["to_extension"] = _digits_only(c["final-number"]) or _digits_only(c["to-dn"]) or values["to_extension"]
    if values["direction"] == Direction.OUTBOUND and not values["from_extension"]:
        values["from_extension"] = _digits_only(c["from-dn"])
    return values


def _looks_like_threecx(cells: list[str]) -> bool:
    return (
        len(cells) >= THREECX_MIN_COLUMNS and bool(parse_duration(cells[2]) is not None)
        and ":" in cells[2] and _is_timestamp(cells[3]) and _is_timestamp(cells[5])
    )


def _freepbx_layout(header: list[str], path: str) -> _Layout:
    return _header_layout("freepbx", header, path, FREEPBX_REQUIRED)


def _generic_layout(header: list[str], mapping: Mapping, path: str) -> _Layout:
    wanted = {_header_key(name): target for name, target in mapping.columns.items()}
    positions: list[tuple[int, str]] = []
    for i, name in enumerate(header):
        target = wanted.get(_header_key(name))
        if target is not None:
            positions.append((i, target))
    found = {target for _, target in positions}
    missing = [name for name, target in mapping.columns.items() if target in ("unique_id", "started_at") and target not in found]
    derived_id = "unique_id" not in set(mapping.columns.values())
    if not found & {"from_number", "to_number"}:
        missing += [name for name, target in mapping.columns.items() if target in ("from_number", "to_number")]
    if missing:
        raise ImportFailure("missing_columns", path=path, columns=", ".join(missing))
    direction_words = {k.strip().casefold(): v for k, v in mapping.direction_values.items()}

    def values(cells: list[str]) -> dict[str, str]:
        result: dict[str, str] = {}
        for position, target in positions:
            if position < len(cells) and cells[position].strip() and not result.get(target):
                result[target] = cells[position]
        direction = result.get("direction", "").strip().casefold()
        if direction in direction_words:
            result["direction"] = direction_words[direction]
        if derived_id and result.get("started_at", "").strip():
            # Files without a per-call id (BIZTEL 課金明細, MAHO-PBX 通話履歴): the id is a hash of the call's start,
            # numbers and duration, so the same row imported again is the same call.
            parts = [result.get(name, "").strip() for name in ("started_at", "from_number", "to_number", "duration_s")]
            result["unique_id"] = "gen-" + _row_hash(*parts)
        return result

    return _Layout("generic", True, values, date_format=mapping.date_format, source=mapping.source or "generic")


def _is_timestamp(text: str) -> bool:
    try:
        parse_timestamp(text, dt.UTC)
    except BadTimestamp:
        return False
    return True


def _looks_like_asterisk(cells: list[str]) -> bool:
    """Master.csv: start at column 10 and end at column 12 (cdr_csv.c)."""
    return len(cells) >= ASTERISK_MIN_COLUMNS and _is_timestamp(cells[9]) and _is_timestamp(cells[11])


def _looks_like_cdr_custom(cells: list[str]) -> bool:
    """cdr_custom's sample mapping: clid first, so start is column 9 and end column 11, duration column 12."""
    return (
        len(cells) >= CDR_CUSTOM_COLUMNS.index("uniqueid") and _is_timestamp(cells[8]) and _is_timestamp(cells[10])
        and not _is_timestamp(cells[11])
    )


def detect_preset(first: list[str], mapping: Mapping | None = None) -> str | None:
    """The preset a file's first row suggests: a FreePBX header, the mapping's headers, or Master.csv data."""
    if _is_header(first, FREEPBX_REQUIRED):
        return "freepbx"
    if _is_header(first, ASTERISK_TABLE_REQUIRED):
        return "asterisk"
    for candidate in (mapping, BIZTEL_MAPPING):
        if candidate is not None:
            keys = {_header_key(cell) for cell in first}
            fields = {"unique_id", "started_at"}
            if "unique_id" not in candidate.columns.values():  # a start column alone says too little
                fields |= {"from_number", "to_number"}
            needed = [h for h, f in candidate.columns.items() if f in fields]
            if needed and all(_header_key(h) in keys for h in needed):
                return "generic"
    if _looks_like_threecx(first):
        return "3cx"
    if _looks_like_cdr_custom(first):
        return "cdr_custom"
    if _looks_like_asterisk(first):
        return "asterisk"
    return None


def parse_columns(text: str) -> tuple[str, ...]:
    """A header-less CDR layout as a column list (cdr_custom's ``fields``): ``clid,src,dst,…``; qualifiers such as
    ``uniqueid(noquote)`` are ignored, unknown names are kept as columns to skip. Raises ImportFailure when the list
    names no start time or no number."""
    names = tuple(re.sub(r"\(.*\)$", "", name.strip()).casefold() for name in text.split(",") if name.strip())
    if not {"start", "calldate"} & set(names) or not {"src", "dst"} & set(names):
        raise ImportFailure("mapping_invalid", path="--columns",
                            reason="the column list needs start (or calldate) and src or dst")
    return names


def _layout(preset: str | None, mapping: Mapping | None, first: list[str], path: str,
            columns: Sequence[str] | None = None) -> _Layout:
    if preset is not None and preset not in PRESETS:
        raise ImportFailure("bad_preset", value=preset, choices=", ".join(PRESETS))
    if columns:
        return _cdr_custom_layout(["start" if name == "calldate" else name for name in columns])
    chosen = preset or detect_preset(first, mapping)
    if chosen == "asterisk":
        # Master.csv has no header; a CDR table export (or a file saved from a spreadsheet) has one.
        if _is_header(first, FREEPBX_REQUIRED):
            return _freepbx_layout(first, path)
        if _is_header(first, ("src", "dst")) and (_is_header(first, ("start",)) or _is_header(first, ("calldate",))):
            required = ("calldate", "src", "dst") if _is_header(first, ("calldate",)) else ("start", "src", "dst")
            return _header_layout("asterisk", first, path, required)
        return _asterisk_layout()
    if chosen == "cdr_custom":
        return _cdr_custom_layout()
    if chosen == "3cx":
        return _Layout("3cx", False, _threecx_values, source="3cx", time_zone="UTC")
    if chosen == "freepbx":
        return _freepbx_layout(first, path)
    if chosen == "generic":
        return _generic_layout(first, mapping or BIZTEL_MAPPING, path)
    raise ImportFailure("unknown_format", path=path)


# --- reports ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RejectedRow:
    """A refused row: its line number in the file, why (a code and values), and the text for the admin."""

    line: int
    reason_code: str
    params: dict[str, Any] = field(default_factory=dict)
    field: str = ""
    file: str = ""

    def text(self, lang: str = "ja") -> str:
        if self.reason_code == "csv_error":
            return _message("csv_error", lang, **self.params)
        return call_message(self.reason_code, lang, field_name=self.field, **self.params)

    def line_text(self, lang: str = "ja") -> str:
        where = pick(lang, f"{self.line}行目", f"line {self.line}")
        prefix = f"{Path(self.file).name}: " if self.file else ""
        return f"{prefix}{where}: {self.text(lang)}"


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    preset: str = ""
    encoding: str = ""
    rows: int = 0
    imported: int = 0
    known: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    job_counts: dict[str, Counter[str]] = field(default_factory=dict)
    discovered: dict[str, list[str]] = field(default_factory=dict)
    error: ImportFailure | None = None
    updated: int = 0  # stored calls a later leg changed
    notes: list[str] = field(default_factory=list)  # codes of FILE_NOTES

    @property
    def good_rows(self) -> int:
        return self.imported + self.known

    def summary(self, lang: str = "ja") -> list[str]:
        """The lines the CLI prints on stdout (and the folder report starts with)."""
        name = Path(self.path).name
        if self.error is not None and not self.good_rows:
            return [f"{name}: " + pick(lang, "読み込めませんでした", "not imported")]
        lines = [pick(
            lang,
            f"{name}: 取り込み {self.imported}件、登録済み {self.known}件、エラー {len(self.rejected)}件"
            f"(形式 {self.preset}、文字コード {self.encoding})",
            f"{name}: imported {self.imported}, already known {self.known}, rejected {len(self.rejected)}"
            f" (format {self.preset}, encoding {self.encoding})",
        )]
        if self.updated:
            lines.append("  " + pick(lang, f"更新 {self.updated}件(後から届いた区間を反映)",
                                     f"updated {self.updated} (legs that arrived later)"))
        for code in self.notes:
            lines.append("  " + pick(lang, *FILE_NOTES[code]).format(name=name))
        separator = pick(lang, "、", ", ")
        for setting, counts in sorted(self.job_counts.items()):
            parts = separator.join(f"{state_label(state, lang)} {count}" for state, count in sorted(counts.items()))
            lines.append(f"  {pick(lang, '連携ジョブ', 'link jobs')} {setting}: {parts}")
        for setting, numbers in sorted(self.discovered.items()):
            shown = ", ".join(phone.national_format(n) for n in numbers)
            label = pick(lang, "連携対象に追加(未チェック)", "new link targets (unchecked)")
            lines.append(f"  {label} {setting}: {shown}")
        return lines

    def problems(self, lang: str = "ja", origin: str = "cli") -> list[str]:
        """The lines for stderr: the file's failure, or every rejected row with its line number."""
        rows = [row.line_text(lang) for row in self.rejected]
        return rows if self.error is None else [self.error.text(lang, origin), *rows]

    def text(self, lang: str = "ja", origin: str = "cli") -> str:
        return "\n".join(self.summary(lang) + self.problems(lang, origin)) + "\n"


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def known(self) -> int:
        return sum(f.known for f in self.files)

    @property
    def rejected(self) -> list[RejectedRow]:
        return [row for f in self.files for row in f.rejected]

    @property
    def failed_files(self) -> list[FileReport]:
        return [f for f in self.files if f.error is not None]

    @property
    def exit_code(self) -> int:
        """CLI.md: 2 when a file could not be read, 1 when rows were rejected, 0 when everything was fine."""
        if self.failed_files:
            return 2
        return 1 if self.rejected else 0


@dataclass(frozen=True)
class Preview:
    """The first rows of a file as the import would read them (for the mapping dialog)."""

    columns: list[str]  # header cells, or column numbers ("1", "2", …) for a file without a header
    rows: list[list[str]]
    detected_preset: str | None
    detected_encoding: str
    delimiter: str
    has_header: bool
    records: list[CallRecord] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


# --- parsing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    layout: _Layout
    encoding: str
    delimiter: str
    header: list[str]
    rows: Iterator[tuple[int, list[str] | str]]


def _open(path: str | Path, preset: str | None, mapping: Mapping | None, encoding: str,
          columns: Sequence[str] | None = None) -> _Parsed:
    text, used_encoding = read_file(path, encoding)
    delimiter = sniff_delimiter(text)
    rows = _rows(text, delimiter)
    first_line, first = next(rows, (0, None))
    if first is None:
        raise ImportFailure("empty", path=str(path))
    if isinstance(first, str):  # not even the first row is CSV
        raise ImportFailure("unknown_format", path=str(path))
    layout = _layout(preset, mapping, first, str(path), columns)
    if layout.prepare is not None:  # the whole file once, for pairs of rows that may come in any order
        every = ([] if layout.has_header else [(first_line, first)]) + list(rows)
        layout.prepare([cells for _, cells in every if isinstance(cells, list)])
        rows = iter(every)
        if layout.has_header:
            return _Parsed(layout, used_encoding, delimiter, first, rows)
        return _Parsed(layout, used_encoding, delimiter, [], rows)
    if layout.has_header:
        return _Parsed(layout, used_encoding, delimiter, first, rows)

    def again() -> Iterator[tuple[int, list[str] | str]]:
        yield first_line, first
        yield from rows

    return _Parsed(layout, used_encoding, delimiter, [], again())


def _records(
    parsed: _Parsed, tz: dt.tzinfo, file: str
) -> Iterator[tuple[int, CallRecord | RejectedRow]]:
    """(line where the row starts, its record or why it was refused) for every row of the file."""
    for line, cells in parsed.rows:
        if isinstance(cells, str):
            yield line, RejectedRow(line, "csv_error", {"detail": cells}, file=file)
            continue
        try:
            item = _record(parsed.layout, cells, tz)
        except (ValueError, ArithmeticError, LookupError, TypeError) as error:
            # A value no rule foresaw must cost this row, never the file (nor stall the watched folder).
            detail = f"{type(error).__name__}: {_short(str(error))}"
            yield line, RejectedRow(line, "bad_row", {"detail": detail}, file=file)
            continue
        if isinstance(item, FieldProblem):
            yield line, RejectedRow(line, item.code, item.params, item.field, file)
            continue
        yield line, item


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _record(layout: _Layout, cells: list[str], tz: dt.tzinfo) -> CallRecord | FieldProblem:
    values = layout.to_values(cells)
    if isinstance(values, FieldProblem):
        return values
    record = build_record(values, tz, layout.source, layout.date_format)
    if isinstance(record, FieldProblem):
        return record
    if layout.after is not None:
        layout.after(record, values)
    record.leg_id = values.get("_leg_id", "")
    return record


def _time_zone(database: Database | None, mapping: Mapping | None, time_zone: str | None) -> tuple[dt.tzinfo, str]:
    """The zone of naive timestamps (explicit, else the mapping's, else the system setting) and the region."""
    region, name = "JP", time_zone or (mapping.time_zone if mapping else "")
    if database is not None:
        with database.read() as session:
            system = repos.load_system(session)
        region = system.default_region or "JP"
        name = name or system.time_zone
    name = name or system_time_zone()
    try:
        return zone(name), region
    except (KeyError, ValueError):
        raise ImportFailure("bad_time_zone", value=name) from None


def _configure(database: Database | None, layout: _Layout) -> None:
    """The system setting outside_line_prefix, for layouts that read dialled numbers."""
    if layout.ids is not None and database is not None:
        with database.read() as session:
            layout.ids.outside_line_prefix = repos.load_system(session).outside_line_prefix


def preview(
    path: str | Path,
    preset: str | None = None,
    mapping: Mapping | None = None,
    encoding: str = "auto",
    limit: int = 20,
    *,
    database: Database | None = None,
    time_zone: str | None = None,
) -> Preview:
    """The first ``limit`` rows as cells and as the records (or rejections) an import would make.

    Raises ImportFailure when the file cannot be read; an undetectable format still previews the raw rows
    (``detected_preset`` None) so the admin can map the columns.
    """
    text, used_encoding = read_file(path, encoding)
    delimiter = sniff_delimiter(text)
    raw = []
    for _, cells in _rows(text, delimiter):
        if isinstance(cells, list):
            raw.append(cells)
        if len(raw) > limit:
            break
    if not raw:
        raise ImportFailure("empty", path=str(path))
    detected = preset or detect_preset(raw[0], mapping)
    try:
        parsed = _open(path, preset, mapping, encoding)
    except ImportFailure:
        width = max(len(r) for r in raw)
        return Preview([str(i + 1) for i in range(width)], raw[:limit], None, used_encoding, delimiter, False)
    tz, _ = _time_zone(database, mapping, time_zone or parsed.layout.time_zone or None)
    _configure(database, parsed.layout)
    records: list[CallRecord] = []
    rejected: list[RejectedRow] = []
    for _, item in _records(parsed, tz, str(path)):
        if isinstance(item, RejectedRow):
            rejected.append(item)
        else:
            records.append(item)
        if len(records) + len(rejected) >= limit:
            break
    has_header = parsed.layout.has_header
    rows = raw[1 : limit + 1] if has_header else raw[:limit]
    width = max(len(r) for r in raw)
    columns = parsed.header or (
        list(ASTERISK_COLUMNS[:width]) + [str(i + 1) for i in range(len(ASTERISK_COLUMNS), width)]
        if parsed.layout.preset == "asterisk"
        else [str(i + 1) for i in range(width)]
    )
    return Preview(columns, rows, detected, used_encoding, delimiter, has_header, records, rejected)


def import_file(
    database: Database,
    path: str | Path,
    preset: str | None = None,
    mapping: Mapping | None = None,
    encoding: str = "auto",
    *,
    time_zone: str | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    live: bool = False,
    columns: Sequence[str] | None = None,
) -> FileReport:
    """Import one file: bad rows are reported, good rows stored (one transaction per chunk), known ones skipped.

    A file that cannot be read at all comes back with ``error`` set and nothing imported.
    ``progress(rows_read)`` is called after each chunk (from the calling thread). ``live`` (the watched folder):
    calls wait the system setting call_settle_s after their last leg before they are linked.
    """
    report = FileReport(path=str(path))
    try:
        parsed = _open(path, preset, mapping, encoding, columns)
        tz, region = _time_zone(database, mapping, time_zone or parsed.layout.time_zone or None)
    except ImportFailure as failure:
        report.error = failure
        return report
    report.preset = parsed.layout.preset
    report.encoding = parsed.encoding
    _configure(database, parsed.layout)
    settle_s = None
    if live:
        with database.read() as session:
            settle_s = repos.load_system(session).call_settle_s
    chunk: list[CallRecord] = []
    totals = AddResult()
    stored_through = 0  # the last line of the file whose chunk is committed

    def flush(through: int) -> None:
        nonlocal stored_through
        with database.begin() as session:
            totals.merge(add_calls(session, chunk, region, settle_s=settle_s))
        chunk.clear()
        stored_through = through
        if progress is not None:
            progress(report.rows)

    try:
        line = 0
        for line, item in _records(parsed, tz, str(path)):
            report.rows += 1
            if isinstance(item, RejectedRow):
                report.rejected.append(item)
                continue
            chunk.append(item)
            if len(chunk) >= chunk_rows:
                flush(line)
        if chunk:
            flush(line)
    except (SQLAlchemyError, ValueError, OverflowError) as error:
        # Every row was validated before it reached a chunk, so this is the database (locked, full, broken):
        # the chunk being stored was rolled back, the chunks before it are committed. Say exactly which rows.
        reason = _short(str(getattr(error, "orig", None) or error).splitlines()[0] if str(error) else type(error).__name__)
        log.warning("import of %s stopped after line %d: %s", path, stored_through, reason)
        if stored_through:
            report.error = ImportFailure(
                "store_failed_partial", path=str(path), reason=reason, last_line=stored_through,
                next_line=stored_through + 1, imported=totals.inserted, known=totals.known,
            )
            report.rejected = [row for row in report.rejected if row.line <= stored_through]
        else:
            report.error = ImportFailure("store_failed", path=str(path), reason=reason)
            report.rejected = []
    report.imported, report.known, report.updated = totals.inserted, totals.known, totals.updated
    if parsed.layout.ids is not None and parsed.layout.ids.no_uniqueid:
        report.notes.append("no_uniqueid")
    report.job_counts, report.discovered = totals.job_counts, totals.discovered
    return report


def import_files(
    database: Database,
    paths: Sequence[str | Path],
    preset: str | None = None,
    mapping: Mapping | None = None,
    encoding: str = "auto",
    *,
    time_zone: str | None = None,
    progress: Callable[[str, int], None] | None = None,
    columns: Sequence[str] | None = None,
) -> ImportReport:
    """Import several files; one unreadable file does not stop the others."""
    report = ImportReport()
    for path in paths:

        def file_progress(rows: int, name: str = str(path)) -> None:
            if progress is not None:
                progress(name, rows)

        report.files.append(
            import_file(database, path, preset, mapping, encoding, time_zone=time_zone, progress=file_progress,
                        columns=columns)
        )
    return report


def field_choices(lang: str = "ja") -> list[tuple[str, str]]:
    """(field name, label) pairs a mapping dialog offers for each column; required fields first."""
    order = list(REQUIRED_FIELDS) + [f for f in ALL_FIELDS if f not in REQUIRED_FIELDS]
    return [(name, field_label(name, lang)) for name in order]


__all__ = [
    "BIZTEL_MAPPING",
    "ENCODINGS",
    "PRESETS",
    "FileReport",
    "ImportFailure",
    "ImportReport",
    "Mapping",
    "Preview",
    "RejectedRow",
    "decode",
    "detect_preset",
    "field_choices",
    "import_file",
    "import_files",
    "load_mapping",
    "mapping_from_data",
    "parse_columns",
    "parse_direction",
    "preview",
    "save_mapping",
]


# --- rows of a CDR database table (issue #15) ----------------------------------------------------------------


def table_records(
    database: Database, rows: Sequence[dict[str, str]], preset: str, *, time_zone: str | None = None
) -> tuple[list[CallRecord], list[RejectedRow], str]:
    """The legs of rows read from a PBX's CDR table (column name → text), as the file presets read the same
    columns: ``preset`` freepbx (calldate, did, cnum…) or asterisk (start/answer/end). Returns the records, the
    rows refused (``line`` is the row's position in ``rows``, from 1) and the system setting's region."""
    tz, region = _time_zone(database, None, time_zone)
    ids = _LegIds()
    with database.read() as session:
        ids.outside_line_prefix = repos.load_system(session).outside_line_prefix
    named = [{name: value for name, value in row.items() if name in CDR_FIELDS} for row in rows]
    ids.pair([c for c in named if any(_LOCAL_MARK in value for value in c.values())])
    source = "freepbx" if preset == "freepbx" else "asterisk"
    records: list[CallRecord] = []
    rejected: list[RejectedRow] = []
    for line, (row, c) in enumerate(zip(rows, named, strict=True), start=1):
        try:
            values = _cdr_values(c, list(row.values()), ids)
            record = build_record(values, tz, source)
        except (ValueError, ArithmeticError, LookupError, TypeError) as error:
            rejected.append(RejectedRow(line, "bad_row", {"detail": f"{type(error).__name__}: {_short(str(error))}"}))
            continue
        if isinstance(record, FieldProblem):
            rejected.append(RejectedRow(line, record.code, record.params, record.field))
            continue
        _after_cdr(record, values)
        record.leg_id = values.get("_leg_id", "")
        records.append(record)
    return records, rejected, region
