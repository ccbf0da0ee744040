"""Call records: direction, customer and company numbers, anonymous callers, timestamps and time zones."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from biztel_desk.domain.call import (
    BadTimestamp,
    CallRecord,
    Direction,
    FieldProblem,
    build_record,
    call_message,
    infer_direction,
    parse_direction,
    parse_timestamp,
)

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
START = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("from_number", "to_number", "from_ext", "to_ext", "expected"),
    [
        ("201", "0312345678", "", "", Direction.OUTBOUND),  # extension → external
        ("09011112222", "0312345678", "", "", Direction.INBOUND),  # external → external
        ("09011112222", "201", "", "", Direction.INBOUND),  # external → extension
        ("201", "202", "", "", Direction.INTERNAL),  # extension → extension
        ("123456", "0312345678", "", "", Direction.OUTBOUND),  # 6 digits is still an extension
        ("1234567", "201", "", "", Direction.INBOUND),  # 7 digits is not
        ("anonymous", "0312345678", "", "", Direction.INBOUND),
        ("", "0312345678", "", "", Direction.INBOUND),  # no caller number at all: an anonymous inbound call
        ("非通知", "03-1234-5678", "", "201", Direction.INBOUND),
        # BIZTEL writes the company number as 発信電話番号 and the agent's 発信内線番号 on an outbound call.
        ("03-1234-5678", "045-123-4567", "202", "", Direction.OUTBOUND),
        ("", "045-123-4567", "202", "", Direction.OUTBOUND),
        ("０３１２３４５６７８", "２０１", "", "", Direction.INBOUND),  # full-width digits
    ],
)
def test_direction_inference(from_number: str, to_number: str, from_ext: str, to_ext: str, expected: Direction) -> None:
    assert infer_direction(from_number, to_number, from_ext, to_ext) == expected


def record(from_number: str, to_number: str, **changes: object) -> CallRecord:
    call = CallRecord(unique_id="u1", from_number=from_number, to_number=to_number, started_at=START)
    for key, value in changes.items():
        setattr(call, key, value)
    return call.finish()


def test_inbound_customer_is_the_caller_and_company_the_dialled_number() -> None:
    call = record("090-1111-2222", "03-1234-5678")
    assert call.direction == "inbound"
    assert call.customer_number == "090-1111-2222"
    assert call.customer_e164() == "+819011112222"
    assert call.company_e164() == "+81312345678"


def test_outbound_from_an_extension_has_no_company_number_unless_presented() -> None:
    call = record("201", "0451234567")
    assert call.direction == "outbound"
    assert call.customer_e164() == "+81451234567"
    assert call.company_number == ""  # → the setting's default outbound number decides
    presented = record("201", "0451234567", presented_company_number="03-1234-5678")
    assert presented.company_e164() == "+81312345678"


def test_inbound_to_an_extension_uses_the_did_when_recorded() -> None:
    assert record("09011112222", "201").company_e164() is None
    assert record("09011112222", "201", presented_company_number="0312345678").company_e164() == "+81312345678"


def test_biztel_outbound_company_is_the_from_number() -> None:
    call = record("03-1234-5678", "045-123-4567", from_extension="202")
    assert (call.direction, call.company_e164(), call.customer_e164()) == ("outbound", "+81312345678", "+81451234567")


@pytest.mark.parametrize("caller", ["anonymous", "非通知", "Unavailable", "", "ANONYMOUS"])
def test_anonymous_callers_are_kept_without_a_customer_number(caller: str) -> None:
    call = record(caller, "0312345678")
    assert call.direction == "inbound"
    assert call.is_anonymous
    assert call.customer_e164() is None
    assert call.company_e164() == "+81312345678"


def test_internal_calls_have_neither_customer_nor_company() -> None:
    call = record("201", "202")
    assert (call.direction, call.customer_e164(), call.company_e164(), call.is_anonymous) == ("internal", None, None, False)


def test_explicit_direction_wins_over_inference() -> None:
    call = record("0312345678", "0451234567", direction="outbound")
    assert call.direction == "outbound"
    assert call.company_e164() == "+81312345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("着信", Direction.INBOUND), ("OUT", Direction.OUTBOUND), (" 内線 ", Direction.INTERNAL), ("発信", Direction.OUTBOUND), ("?", None)],
)
def test_parse_direction(text: str, expected: Direction | None) -> None:
    assert parse_direction(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-04-01 09:00:00",
        "2024/04/01 09:00:00",
        "2024/4/1 9:00:00",
        "2024/4/1 9:00",  # a spreadsheet re-saved the CSV
        "2024-04-01T09:00:00",
        "2024-04-01T09:00:00+09:00",
        "2024-04-01T00:00:00Z",
        "2024-04-01 09:00:00.000",
    ],
)
def test_timestamp_formats_give_the_same_instant(text: str) -> None:
    assert parse_timestamp(text, TOKYO) == dt.datetime(2024, 4, 1, 0, 0, tzinfo=dt.UTC)


def test_naive_timestamps_are_read_in_the_given_zone_and_stored_as_utc() -> None:
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert parse_timestamp("2024-07-01 09:00:00", new_york) == dt.datetime(2024, 7, 1, 13, 0, tzinfo=dt.UTC)
    assert parse_timestamp("2024-01-01 09:00:00", new_york) == dt.datetime(2024, 1, 1, 14, 0, tzinfo=dt.UTC)  # no DST
    # An explicit offset is not reinterpreted in the zone.
    assert parse_timestamp("2024-07-01T09:00:00+02:00", new_york) == dt.datetime(2024, 7, 1, 7, 0, tzinfo=dt.UTC)


def test_a_call_across_midnight_in_tokyo() -> None:
    values = {
        "unique_id": "midnight",
        "from_number": "08077778888",
        "to_number": "0312345678",
        "started_at": "2024-04-01 23:59:30",
        "ended_at": "2024-04-02 00:04:30",
    }
    call = build_record(values, TOKYO, "test")
    assert isinstance(call, CallRecord)
    assert call.started_at == dt.datetime(2024, 4, 1, 14, 59, 30, tzinfo=dt.UTC)
    assert call.ended_at == dt.datetime(2024, 4, 1, 15, 4, 30, tzinfo=dt.UTC)
    assert call.duration_s == 300  # computed from start and end when the source gives no duration
    assert call.started_at.astimezone(TOKYO).date() == dt.date(2024, 4, 1)
    assert call.ended_at.astimezone(TOKYO).date() == dt.date(2024, 4, 2)


@pytest.mark.parametrize("text", ["", "昨日", "2024-13-01 00:00:00", "2024-02-30 10:00:00", "01/04/2024 09:00", "2024-04-01 25:00:00"])
def test_bad_timestamps_are_refused(text: str) -> None:
    with pytest.raises(BadTimestamp):
        parse_timestamp(text, TOKYO)


def test_a_date_format_from_the_mapping_is_tried_first() -> None:
    assert parse_timestamp("01.04.2024 09:00", TOKYO, "%d.%m.%Y %H:%M") == dt.datetime(2024, 4, 1, 0, 0, tzinfo=dt.UTC)


def test_numbers_stay_text_with_their_leading_zero() -> None:
    call = build_record(
        {"unique_id": "x", "from_number": "0312345678", "to_number": "0012", "started_at": "2024-04-01 09:00:00"},
        TOKYO,
        "test",
    )
    assert isinstance(call, CallRecord)
    assert (call.from_number, call.to_number) == ("0312345678", "0012")


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"unique_id": ""}, "required", "unique_id"),
        ({"started_at": ""}, "required", "started_at"),
        ({"started_at": "someday"}, "bad_date", "started_at"),
        ({"ended_at": "2024-04-01 08:00:00"}, "ended_before_start", "ended_at"),
        ({"duration_s": "-5"}, "bad_integer", "duration_s"),
        ({"duration_s": "abc"}, "bad_integer", "duration_s"),
        ({"direction": "sideways"}, "bad_direction", "direction"),
        ({"from_number": "", "to_number": ""}, "no_numbers", "from_number"),
        ({"unique_id": "x" * 101}, "too_long", "unique_id"),
    ],
)
def test_build_record_problems(changes: dict[str, str], code: str, field: str) -> None:
    values = {"unique_id": "x", "from_number": "09011112222", "to_number": "0312345678", "started_at": "2024-04-01 09:00:00"}
    values.update(changes)
    problem = build_record(values, TOKYO, "test")
    assert isinstance(problem, FieldProblem)
    assert (problem.code, problem.field) == (code, field)
    assert problem.text("ja") and problem.text("en")
    assert problem.text("ja") != problem.text("en")


def test_messages_name_the_field_in_the_users_language() -> None:
    assert call_message("bad_date", "ja", field_name="started_at", value="昨日").startswith("通話開始日時「昨日」")
    assert call_message("bad_date", "en", field_name="started_at", value="x").startswith("Call start 'x'")
