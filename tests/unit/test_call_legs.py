"""Issue #9 domain rules: a call's outcome from its legs, dial prefixes, anonymous callers (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from biztel_desk.domain import phone
from biztel_desk.domain.call import CallRecord, merge_legs, normalize_outcome

T0 = dt.datetime(2024, 4, 1, 0, 0, tzinfo=dt.UTC)


def _leg(leg_id: str, disposition: str, billsec: int, *, start: int = 0, extension: str = "", to: str = "0312345678",
         recording: str = "") -> CallRecord:
    return CallRecord(
        unique_id="call", leg_id=leg_id, from_number="0335550199", to_number=to, started_at=T0 + dt.timedelta(seconds=start),
        ended_at=T0 + dt.timedelta(seconds=start + billsec + 5), direction="inbound", to_extension=extension,
        duration_s=billsec, disposition=disposition, recording_file=recording,
    )


@pytest.mark.parametrize(
    ("dispositions", "outcome"),
    [
        (["NO ANSWER", "BUSY"], "NO ANSWER"),
        (["BUSY", "FAILED", "CONGESTION"], "BUSY"),
        (["CONGESTION", "FAILED"], "FAILED"),
        (["CONGESTION"], "CONGESTION"),
        (["NO ANSWER", "ANSWERED"], "NO ANSWER"),  # the trailing Hangup row: ANSWERED, 0 s
        (["ANSWERED"], "NO ANSWER"),  # answered for 0 seconds: nobody talked
        (["", ""], ""),  # the source says nothing: treated as answered
        (["noanswer", "Busy"], "NO ANSWER"),
    ],
)
def test_unanswered_precedence(dispositions: list[str], outcome: str) -> None:
    legs = [_leg(f"l{i}", d, 0, extension=str(201 + i)) for i, d in enumerate(dispositions)]
    assert merge_legs("call", legs).disposition == outcome


def test_the_answered_leg_gives_talk_time_agent_and_recording() -> None:
    legs = [
        _leg("a", "NO ANSWER", 0, extension="201"),
        _leg("b", "ANSWERED", 95, start=2, extension="202", recording="in-1.wav"),
        _leg("c", "ANSWERED", 0, start=110, to="0312345678"),  # Hangup
    ]
    call = merge_legs("call", legs)
    assert (call.disposition, call.duration_s, call.to_extension, call.recording_file) == ("ANSWERED", 95, "202", "in-1.wav")
    assert call.started_at == T0 and call.ended_at == T0 + dt.timedelta(seconds=115)
    assert (call.unique_id, call.leg_id) == ("call", "")


def test_an_unanswered_call_has_no_talk_time() -> None:
    call = merge_legs("call", [_leg("a", "NO ANSWER", 12, extension="201")])
    assert (call.disposition, call.duration_s) == ("NO ANSWER", 0)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [("ANSWERED", "ANSWERED"), ("NO ANSWER", "NO ANSWER"), ("no_answer", "NO ANSWER"), ("不在", "NO ANSWER"),
     ("話中", "BUSY"), ("FAILED", "FAILED"), ("CONGESTION", "CONGESTION"), ("応答", "ANSWERED"), ("", ""), ("?", "")],
)
def test_outcome_words(text: str, outcome: str) -> None:
    assert normalize_outcome(text) == outcome


@pytest.mark.parametrize(
    ("dialled", "prefix", "number"),
    [("00312345678", "0", "0312345678"), ("1840312345678", "0", "0312345678"), ("1860901234567", "0", "0901234567"),
     ("09012345678", "0", "09012345678"), ("0312345678", "0", "0312345678"), ("90312345678", "9", "0312345678"),
     ("201", "0", "201"), ("0033010112125551212", "0", "0033010112125551212"), ("anonymous", "0", "anonymous")],
)
def test_dial_prefixes(dialled: str, prefix: str, number: str) -> None:
    assert phone.strip_dial_prefix(dialled, prefix) == number


def test_never_plus_81_00() -> None:
    assert phone.normalize("00312345678") == "+81312345678"
    assert phone.normalize("1840312345678") == "+81312345678"
    assert phone.normalize("0033010") is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("anonymous", "非通知"), ("Anonymous", "非通知"), ("Restricted", "非通知"), ("非通知", "非通知"),
     ("unknown", "表示圏外"), ("表示圏外", "表示圏外"), ("", "表示圏外"), ("公衆電話", "公衆電話")],
)
def test_anonymous_callers_are_one_hitsuchi_with_a_reason(raw: str, reason: str) -> None:
    assert phone.is_anonymous(raw) and phone.anonymous_reason(raw) == reason
    assert phone.is_anonymous(phone.anonymous_reason(raw))
