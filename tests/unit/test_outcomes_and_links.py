"""Unanswered calls' Tasks and recording links per PBX (issue #9 items 2 and 6): payloads and templates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from biztel_desk.domain import url_template
from biztel_desk.domain.config import validate_system
from biztel_desk.domain.matching import Target
from biztel_desk.domain.payload import (
    CallFacts,
    WriteOptions,
    outcome_label,
    recording_url,
    subject,
    task_fields,
    task_update_fields,
)

CALL = CallFacts(
    unique_id="1714525200.12", request_id="REQ-42", direction="inbound", from_number="09012345678",
    to_number="0312345678", customer_number="09012345678", company_number="0312345678", from_agent_id="",
    to_agent_id="agent7", from_extension="", to_extension="207",
    started_at=dt.datetime(2024, 4, 30, 15, 30, tzinfo=dt.UTC),  # 2024/05/01 00:30 in Tokyo
    ended_at=dt.datetime(2024, 4, 30, 15, 32, tzinfo=dt.UTC), duration_s=95,
    recording_server_url="https://s0000.u.biztel.jp:8000", disposition="ANSWERED",
    recording_file="in-0312345678-09012345678-20240501-003000-1714525200.12.wav",
)
CONTACT = Target("Contact", "003000000000001AAA")
FREEPBX = "https://pbx.example.jp/recordings/{start:%Y/%m/%d}/{recording_file}"


@pytest.mark.parametrize(("disposition", "direction", "word"), [
    ("NO ANSWER", "inbound", "不在着信"), ("BUSY", "inbound", "話中"), ("BUSY", "outbound", "話中"),
    ("FAILED", "outbound", "発信失敗"), ("CONGESTION", "outbound", "発信失敗"), ("no answer", "inbound", "不在着信"),
])
def test_an_unanswered_call_says_so(disposition: str, direction: str, word: str) -> None:
    call = dataclasses.replace(CALL, disposition=disposition, direction=direction, duration_s=12)
    fields = task_fields(call, CONTACT, WriteOptions())
    assert fields["Subject"] == f"{word} 090-1234-5678"
    assert fields["CallDisposition"] == disposition.upper()
    assert fields["CallDurationInSeconds"] == 0  # whatever billsec the PBX wrote
    assert fields["B_ServerIP__c"] is None
    assert "録音再生" not in fields["Description"] and "通話時間: 0分00秒" in fields["Description"]
    # The 結果 column's word (one vocabulary), then the code CallDisposition carries.
    outcome = {"NO ANSWER": "不在", "BUSY": "話中", "FAILED": "失敗", "CONGESTION": "回線混雑"}[disposition.upper()]
    assert f"結果: {outcome}({disposition.upper()})" in fields["Description"]


def test_answered_and_unknown_outcomes_are_answered() -> None:
    answered = task_fields(CALL, CONTACT, WriteOptions())
    assert answered["Subject"] == "着信 090-1234-5678" and answered["CallDisposition"] == "ANSWERED"
    assert answered["CallDurationInSeconds"] == 95
    unknown = task_fields(dataclasses.replace(CALL, disposition=""), CONTACT, WriteOptions())
    assert unknown["CallDisposition"] is None and unknown["CallDurationInSeconds"] == 95
    assert unknown["B_ServerIP__c"] == "https://s0000.u.biztel.jp:8000"


def test_custom_subject_templates_keep_their_text() -> None:
    missed = dataclasses.replace(CALL, disposition="NO ANSWER")
    assert subject(missed, WriteOptions(subject_inbound="着信 {customer} ({agent})")) == "不在着信 090-1234-5678 (agent7)"
    assert subject(missed, WriteOptions(subject_inbound="{direction}: {customer}")) == "不在着信: 090-1234-5678"
    assert subject(missed, WriteOptions(subject_inbound="電話 {customer}")) == "不在着信 電話 090-1234-5678"


def test_biztel_default_link_is_unchanged() -> None:
    fields = task_fields(CALL, CONTACT, WriteOptions())
    assert fields["B_ServerIP__c"] == "https://s0000.u.biztel.jp:8000"
    assert "録音再生: https://s0000.u.biztel.jp:8000/monitor_link/1714525200.12" in fields["Description"]
    admin = WriteOptions(playback_auth="admin")
    assert recording_url(CALL, admin) == "https://s0000.u.biztel.jp:8000/monitor_link/REQ-42"


def test_a_freepbx_template_builds_the_whole_link() -> None:
    options = WriteOptions(recording_url_template=FREEPBX, server_field_max=255)
    url = "https://pbx.example.jp/recordings/2024/05/01/in-0312345678-09012345678-20240501-003000-1714525200.12.wav"
    assert recording_url(CALL, options) == url  # the start in the display zone (Tokyo: already May 1st)
    fields = task_fields(CALL, CONTACT, options)
    assert fields["B_ServerIP__c"] == url and f"録音再生: {url}" in fields["Description"]
    # Too long for B_ServerIP__c as the setup guide creates it (Text(50)): only in the Description.
    short = task_fields(CALL, CONTACT, dataclasses.replace(options, server_field_max=50))
    assert short["B_ServerIP__c"] is None and f"録音再生: {url}" in short["Description"]


def test_no_link_without_a_recording_file_or_for_an_unanswered_call_or_an_empty_template() -> None:
    options = WriteOptions(recording_url_template=FREEPBX, server_field_max=255)
    assert recording_url(dataclasses.replace(CALL, recording_file=""), options) == ""
    assert recording_url(dataclasses.replace(CALL, disposition="NO ANSWER"), options) == ""
    assert recording_url(CALL, WriteOptions(recording_url_template="")) == ""
    assert recording_url(dataclasses.replace(CALL, recording_server_url=""), WriteOptions()) == ""


def test_a_recording_path_is_kept_and_quoted() -> None:
    call = dataclasses.replace(CALL, recording_file="2024/05/01/in 1.wav")
    assert recording_url(call, WriteOptions(recording_url_template="{server}/rec/{recording_file}")) == \
        "https://s0000.u.biztel.jp:8000/rec/2024/05/01/in%201.wav"


@pytest.mark.parametrize("template", [
    "{server.__class__}", "{server[0]}", "{unique_id!r}", "{unique_id:>20}", "{start:%Y%Q}", "{start:}", "{customer}",
    "{0}", "{}", "{server", "server}", "{start:{server}}",
])
def test_templates_refuse_anything_but_the_placeholders(template: str) -> None:
    _, problems = validate_system({"recording_url_template": template})
    assert [p.code for p in problems] in (["url_template_invalid"], ["url_template_brace"])
    with pytest.raises(url_template.TemplateError):
        url_template.parse(template)
    assert url_template.render(template, {"server": "x"}, dt.datetime(2024, 5, 1, tzinfo=dt.UTC)) == ""


def test_template_messages_are_bilingual_sentences() -> None:
    _, problems = validate_system({"recording_url_template": "{server.x}"})
    assert problems[0].text("ja") == (
        "録音再生URLテンプレートの {server.x} は使えません。使える項目: {server}, {request_id}, {unique_id}, "
        "{recording_file}, {start}(日付は {start:%Y/%m/%d} のように % 指定のみ)。波かっこそのものは {{ }} と書いてください。")
    assert problems[0].text("en") == (
        "Recording link template: {server.x} is not allowed. Allowed: {server}, {request_id}, {unique_id}, "
        "{recording_file}, {start} (dates as {start:%Y/%m/%d}, % directives only). Write a literal brace as {{ or }}.")


def test_literal_braces_and_default_start_format() -> None:
    start = dt.datetime(2024, 5, 1, 0, 30, 5)
    assert url_template.render("{{x}}/{start}", {}, start) == "{x}/20240501003005"


def test_an_update_sends_only_what_follows_the_call() -> None:
    fields = task_update_fields(CALL, WriteOptions())
    assert "WhoId" not in fields and "WhatId" not in fields and "TaskSubtype" not in fields
    assert "CallObject" not in fields and "B_UniqueId__c" not in fields and "Status" not in fields
    assert fields["CallDurationInSeconds"] == 95 and fields["CallDisposition"] == "ANSWERED"


def test_outcome_labels() -> None:
    assert [outcome_label(d) for d in ("ANSWERED", "", "NO ANSWER", "BUSY", "FAILED", "CONGESTION")] == [
        "応答", "応答", "不在", "話中", "失敗", "回線混雑"]
    assert outcome_label("NO ANSWER", "en") == "No answer"
