"""The records written to Salesforce for one call: Task fields, the optional Case, a new Lead (SPEC §10)."""

from __future__ import annotations

import datetime as dt
import string
import zoneinfo
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from biztel_desk.domain import phone
from biztel_desk.domain.config import ActivityMode, PlaybackAuth
from biztel_desk.domain.matching import Target
from biztel_desk.domain.url_template import DEFAULT_RECORDING_URL_TEMPLATE
from biztel_desk.domain.url_template import names as template_names
from biztel_desk.domain.url_template import render as render_template
from biztel_desk.domain.vocabulary import DIRECTIONS, OUTCOMES, word

# Where a Task points: people go to WhoId, everything else to WhatId (SALESFORCE.md "Records and Ids").
WHO_OBJECTS = frozenset({"Contact", "Lead"})
# Objects that can own a Case (Case.AccountId / Case.ContactId); for others only the Task is written.
CASE_OWNERS = frozenset({"Account", "Contact"})
AGENT_ID_MAX = 10  # B_AgentIdTo__c / B_AgentIdFrom__c are Text(10)
SUBJECT_MAX = 255
SERVER_FIELD_MAX = 50  # B_ServerIP__c as the setup guide creates it: Text(50)
UNANSWERED = ("NO ANSWER", "BUSY", "FAILED", "CONGESTION")  # calls.disposition values of an unanswered call
# The outcome as the history shows it (tab, CSV, `biztel-desk history`): domain.vocabulary.OUTCOMES.


def outcome_of(disposition: str) -> str:
    """A stored disposition as an outcome: one of UNANSWERED, else ANSWERED (an unknown one counts as answered)."""
    value = (disposition or "").strip().upper()
    return value if value in UNANSWERED else "ANSWERED"


def outcome_label(disposition: str, lang: str = "ja") -> str:
    return word(OUTCOMES, outcome_of(disposition), lang)


@dataclass(frozen=True)
class CallFacts:
    """The parts of a stored call that end up in Salesforce."""

    unique_id: str
    request_id: str
    direction: str  # inbound | outbound
    from_number: str
    to_number: str
    customer_number: str
    company_number: str
    from_agent_id: str
    to_agent_id: str
    from_extension: str
    to_extension: str
    started_at: dt.datetime  # aware
    ended_at: dt.datetime | None
    duration_s: int
    recording_server_url: str
    disposition: str = ""  # ANSWERED / NO ANSWER / BUSY / FAILED / CONGESTION; "" = unknown (taken as answered)
    recording_file: str = ""  # the recording's file name or path when the source records it

    @property
    def outcome(self) -> str:
        """The call's outcome: one of UNANSWERED, else "ANSWERED" (an unknown disposition counts as answered)."""
        return outcome_of(self.disposition)

    @property
    def answered(self) -> bool:
        return self.outcome == "ANSWERED"


@dataclass(frozen=True)
class WriteOptions:
    """System and setting values that shape the payloads."""

    time_zone: str = "Asia/Tokyo"
    playback_auth: str = PlaybackAuth.URL.value
    recording_server_url: str = ""  # used when the call does not name its recording server
    subject_inbound: str = "着信 {customer}"
    subject_outbound: str = "発信 {customer}"
    task_status: str = "Completed"
    activity_mode: str = ActivityMode.TASK.value
    with_custom_fields: bool = True  # False when the org lacks the B_…__c fields (bare org, verification warns)
    recording_url_template: str = DEFAULT_RECORDING_URL_TEMPLATE
    server_field_max: int = SERVER_FIELD_MAX  # B_ServerIP__c's length in the org (a whole URL must fit)


def playback_id(call: CallFacts, options: WriteOptions) -> str:
    """What B_UniqueId__c holds: the unique ID (URL auth) or the request ID (admin-login auth), SPEC §12."""
    if options.playback_auth == PlaybackAuth.ADMIN and call.request_id:
        return call.request_id
    return call.unique_id


def recording_server(call: CallFacts, options: WriteOptions) -> str:
    return (call.recording_server_url or options.recording_server_url).rstrip("/")


def recording_url(call: CallFacts, options: WriteOptions) -> str:
    """The 録音再生 link from ``recording_url_template``; "" when the call has no recording to play.

    No link for an unanswered call, with an empty template, nor when the template needs a value the call lacks (no server, no
    recording file). ``{request_id}`` is the ID BIZTEL's monitor_link takes: what B_UniqueId__c holds (the
    request ID with admin-login playback, else the unique ID).
    """
    if not call.answered:
        return ""
    template = options.recording_url_template
    if not template:
        return ""  # no link at all (設定確認 reports the empty template)
    try:
        wanted = template_names(template)
    except ValueError:
        return ""
    values = {
        "server": recording_server(call, options),
        "request_id": playback_id(call, options),
        "unique_id": call.unique_id,
        "recording_file": quote(call.recording_file.strip(), safe="/"),
    }
    if any(not values[name] for name in wanted if name in values):
        return ""
    return render_template(template, values, _local(call.started_at, options))


def server_field(call: CallFacts, options: WriteOptions) -> str | None:
    """B_ServerIP__c: the server base URL for BIZTEL's template (the WavUrlImg__c formula appends the ID), the
    whole link for any other template (the README's formula then links B_ServerIP__c as it is); None without a
    link, or when the whole link does not fit the field (it is still in the Description)."""
    url = recording_url(call, options)
    if not url:
        return None
    if options.recording_url_template == DEFAULT_RECORDING_URL_TEMPLATE:
        return recording_server(call, options) or None
    return url if len(url) <= options.server_field_max else None


def _utc_iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _local(value: dt.datetime, options: WriteOptions) -> dt.datetime:
    return value.astimezone(zoneinfo.ZoneInfo(options.time_zone))


def _display(number: str) -> str:
    e164 = phone.normalize(number)
    return phone.national_format(e164) if e164 else number


# What an unanswered call's Subject says instead of 着信 / 発信 (and what CallDisposition-aware reports read).
OUTCOME_WORDS: dict[tuple[str, str], str] = {
    ("NO ANSWER", "inbound"): "不在着信",
    ("NO ANSWER", "outbound"): "発信不応答",
    ("BUSY", "inbound"): "話中",
    ("BUSY", "outbound"): "話中",
    ("FAILED", "inbound"): "着信失敗",
    ("FAILED", "outbound"): "発信失敗",
    ("CONGESTION", "inbound"): "着信失敗",
    ("CONGESTION", "outbound"): "発信失敗",
}


def direction_word(call: CallFacts) -> str:
    """着信 / 発信 for an answered call; 不在着信, 話中, 発信失敗 … for an unanswered one."""
    plain = DIRECTIONS["inbound" if call.direction == "inbound" else "outbound"].ja  # Tasks are in Japanese
    if call.answered:
        return plain
    return OUTCOME_WORDS.get((call.outcome, "inbound" if call.direction == "inbound" else "outbound"), plain)


def subject(call: CallFacts, options: WriteOptions) -> str:
    """The Subject from the admin's template. An unanswered call says so: ``{direction}`` becomes 不在着信 / 話中 /
    発信失敗 …; a template without ``{direction}`` gets that word in place of its leading 着信 / 発信, or in front."""
    template = options.subject_inbound if call.direction == "inbound" else options.subject_outbound
    agent = call.to_agent_id if call.direction == "inbound" else call.from_agent_id
    extension = call.to_extension if call.direction == "inbound" else call.from_extension
    word = direction_word(call)
    if not call.answered and "{direction}" not in template:
        plain = DIRECTIONS["inbound" if call.direction == "inbound" else "outbound"].ja  # Tasks are in Japanese
        template = (template.replace(plain, "{direction}", 1) if template.startswith(plain)
                    else "{direction} " + template)
    values = {
        "customer": _display(call.customer_number) if call.customer_number else "非通知",
        "company": _display(call.company_number) if call.company_number else "",
        "direction": word,
        "agent": agent,
        "extension": extension,
        "start": _local(call.started_at, options).strftime("%Y/%m/%d %H:%M"),
        "duration": f"{talk_time(call) // 60}:{talk_time(call) % 60:02d}",
    }
    return render_subject(template, values)


def render_subject(template: str, values: dict[str, str]) -> str:
    """``template`` with each bare ``{name}`` of ``values`` replaced, capped at Task.Subject's 255 characters.

    Validation refuses anything else, but a template saved before it was this strict must not stop every send:
    a format spec, a conversion or an unknown name stays as written (never ``str.format``, whose specs fail or
    allocate without bound), unbalanced braces leave the template as it is. Nothing grows past the cap.
    """
    parts: list[str] = []
    size = 0
    try:
        for literal, name, spec, conversion in string.Formatter().parse(template):
            piece = literal
            if name is not None:
                if name in values and not spec and not conversion:
                    piece += values[name]
                else:
                    piece += "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            parts.append(piece)
            size += len(piece)
            if size > SUBJECT_MAX:
                break
    except ValueError:
        return template[:SUBJECT_MAX]
    return "".join(parts)[:SUBJECT_MAX]


def talk_time(call: CallFacts) -> int:
    """Seconds talked: 0 for an unanswered call, whatever the PBX wrote."""
    return int(call.duration_s) if call.answered else 0


def phone_from(call: CallFacts) -> str:
    """The from number written (B_PhoneFrom__c): an outbound call whose source recorded only the agent's
    extension was made from the company number (the setting's 既定の発信番号)."""
    if not call.from_number.strip() and call.direction == "outbound":
        return call.company_number
    return call.from_number


def phone_to(call: CallFacts) -> str:
    """The to number written (B_PhoneTo__c): an inbound call with no to number came in on the company number."""
    if not call.to_number.strip() and call.direction == "inbound":
        return call.company_number
    return call.to_number


def description(call: CallFacts, options: WriteOptions) -> str:
    start = _local(call.started_at, options)
    from_number, to_number = phone_from(call), phone_to(call)
    seconds = talk_time(call)
    lines = [
        f"{direction_word(call)}: {_display(from_number) or '-'} → {_display(to_number) or '-'}",
        f"通話開始: {start:%Y/%m/%d %H:%M:%S}",
    ]
    if call.ended_at is not None:
        lines.append(f"通話終了: {_local(call.ended_at, options):%Y/%m/%d %H:%M:%S}")
    lines.append(f"通話時間: {seconds // 60}分{seconds % 60:02d}秒")
    if not call.answered:
        lines.append(f"結果: {OUTCOMES[call.outcome].ja}({call.outcome})")  # the history's word, and the code
    if call.from_agent_id or call.from_extension:
        lines.append(f"発信エージェント: {call.from_agent_id or '-'} (内線 {call.from_extension or '-'})")
    if call.to_agent_id or call.to_extension:
        lines.append(f"着信エージェント: {call.to_agent_id or '-'} (内線 {call.to_extension or '-'})")
    url = recording_url(call, options)
    if url:
        lines.append(f"録音再生: {url}")
    lines.append(f"ユニークID: {call.unique_id}")
    return "\n".join(lines)


def task_fields(call: CallFacts, target: Target | None, options: WriteOptions, *, case_ref: str | None = None, contact_id: str | None = None) -> dict[str, Any]:
    """The Task for ``call`` on ``target``; in Case mode ``case_ref`` (an Id or a composite reference) is the WhatId.

    CallDisposition carries the outcome when the PBX wrote one (ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION).
    """
    fields: dict[str, Any] = {
        "Subject": subject(call, options),
        "Status": options.task_status,
        "TaskSubtype": "Call",
        "CallType": "Inbound" if call.direction == "inbound" else "Outbound",
        "CallDurationInSeconds": talk_time(call),
        "CallDisposition": call.outcome if call.disposition.strip() else None,
        "CallObject": call.unique_id,
        "ActivityDate": _local(call.started_at, options).date().isoformat(),
        "Description": description(call, options),
    }
    if case_ref is not None:
        fields["WhatId"] = case_ref
        if contact_id:
            fields["WhoId"] = contact_id
    elif target is not None:
        if target.object_name in WHO_OBJECTS:
            fields["WhoId"] = target.record_id
        else:
            fields["WhatId"] = target.record_id
    if options.with_custom_fields:
        fields.update(
            {
                "B_ServerIP__c": server_field(call, options),
                "B_UniqueId__c": playback_id(call, options),
                "B_PhoneTo__c": phone_to(call) or None,
                "B_PhoneFrom__c": phone_from(call) or None,
                "B_CallStartDateTime__c": _utc_iso(call.started_at),
                "B_CallEndDateTime__c": _utc_iso(call.ended_at),
                "B_AgentIdTo__c": call.to_agent_id[:AGENT_ID_MAX] or None,
                "B_AgentIdFrom__c": call.from_agent_id[:AGENT_ID_MAX] or None,
                "B_NaisenTo__c": call.to_extension or None,
                "B_NaisenFrom__c": call.from_extension or None,
            }
        )
    return fields


def wants_case(target: Target, options: WriteOptions) -> bool:
    return options.activity_mode == ActivityMode.CASE_AND_TASK and target.object_name in CASE_OWNERS


def case_fields(call: CallFacts, target: Target, options: WriteOptions) -> dict[str, Any]:
    """Case(Subject, Origin = Phone, AccountId/ContactId) for a target that can own one."""
    fields: dict[str, Any] = {"Subject": subject(call, options), "Origin": "Phone", "Description": description(call, options)}
    if target.object_name == "Account":
        fields["AccountId"] = target.record_id
    elif target.object_name == "Contact":
        fields["ContactId"] = target.record_id
        if target.account_id:
            fields["AccountId"] = target.account_id
    return fields


def lead_phone(customer_number: str) -> str:
    """The Phone a new Lead gets: the customer's number in national format (what the phone index then holds)."""
    return _display(customer_number)


LEAD_SOURCE = "Phone"  # Lead.LeadSource of the Leads the app creates (SPEC §5)


def lead_fields(call: CallFacts) -> dict[str, Any]:
    """A Lead for an unknown number (on_no_match = create_lead). Company is required by standard orgs."""
    number = lead_phone(call.customer_number)
    return {"LastName": number, "Company": number, "Phone": number, "LeadSource": LEAD_SOURCE}


# Task fields a late leg can change: what an update (PATCH) of an existing Task sends. Never the record it is
# on, its status, type or CallObject (and never fields set on create only, such as TaskSubtype).
UPDATE_FIELDS = (
    "Subject", "CallDurationInSeconds", "CallDisposition", "ActivityDate", "Description", "B_ServerIP__c",
    "B_PhoneTo__c", "B_PhoneFrom__c", "B_CallStartDateTime__c", "B_CallEndDateTime__c", "B_AgentIdTo__c",
    "B_AgentIdFrom__c", "B_NaisenTo__c", "B_NaisenFrom__c",
)


def task_update_fields(call: CallFacts, options: WriteOptions) -> dict[str, Any]:
    """The fields of an existing Task that follow the call (a late leg changed its outcome, times or agent)."""
    fields = task_fields(call, None, options)
    return {name: fields[name] for name in UPDATE_FIELDS if name in fields}
