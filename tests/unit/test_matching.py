"""Matching policies: object priority, the four multiple-match and four no-match policies, anonymous callers."""

from __future__ import annotations

import datetime as dt

import pytest

from biztel_desk.domain.matching import Candidate, ObjectRule, Reason, Target, decide

OBJECTS = [ObjectRule("Account", 1), ObjectRule("Contact", 2), ObjectRule("Lead", 3)]
FALLBACK = Target("Account", "001000000000000AAA")
T1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def c(obj: str, rid: str, fieldname: str = "Phone", modified: dt.datetime = T1) -> Candidate:
    return Candidate(obj, rid, fieldname, modified)


def ids(decision) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.record_id for t in decision.targets]


def test_single_match() -> None:
    d = decide([c("Contact", "003A")], OBJECTS, "most_recent", "fallback", FALLBACK)
    assert d.kind == "link" and ids(d) == ["003A"]
    assert d.reason.text("en") == "Contact 003A by Phone"


def test_priority_object_wins_even_with_several_lower_matches() -> None:
    d = decide([c("Lead", "00QA"), c("Contact", "003A"), c("Contact", "003B")], OBJECTS, "fallback", "fallback", FALLBACK)
    assert ids(d) == ["003A", "003B"] or d.reason.code == "multiple_fallback"
    d = decide([c("Lead", "00QA"), c("Account", "001A")], OBJECTS, "fallback", "fallback", FALLBACK)
    assert ids(d) == ["001A"]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("fallback", [FALLBACK.record_id]), ("most_recent", ["003B"]), ("priority", ["003A"]), ("all", ["003A", "003B", "00QA"])],
)
def test_multiple_match_policies(policy: str, expected: list[str]) -> None:
    candidates = [c("Contact", "003A", "Phone", T1), c("Contact", "003B", "MobilePhone", T2), c("Lead", "00QA")]
    d = decide(candidates, OBJECTS, policy, "fallback", FALLBACK)
    assert d.kind == "link" and ids(d) == expected


def test_most_recent_reason_says_why() -> None:
    candidates = [c("Contact", "003A", "Phone", T1), c("Contact", "003B", "MobilePhone", T2)]
    d = decide(candidates, OBJECTS, "most_recent", "fallback", FALLBACK)
    assert d.reason.text("en") == "Contact 003B by MobilePhone; 2 matches, newest chosen"
    assert Reason.from_json(d.reason.to_json()) == d.reason


def test_same_record_by_two_fields_is_one_match() -> None:
    d = decide([c("Contact", "003A", "MobilePhone"), c("Contact", "003A", "Phone")], OBJECTS, "fallback", "fallback", FALLBACK)
    assert ids(d) == ["003A"] and d.reason.params["field"] == "Phone"


def test_unconfigured_objects_are_ignored() -> None:
    d = decide([c("Opportunity", "006A")], OBJECTS, "all", "skip", FALLBACK)
    assert d.kind == "skip"


@pytest.mark.parametrize(
    ("policy", "retry_count", "kind", "expected"),
    [
        ("fallback", 0, "link", [FALLBACK.record_id]),
        ("skip", 0, "skip", []),
        ("create_lead", 0, "create_lead", []),
        ("retry_then_fallback", 0, "retry", []),
        ("retry_then_fallback", 2, "retry", []),
        ("retry_then_fallback", 3, "link", [FALLBACK.record_id]),
    ],
)
def test_no_match_policies(policy: str, retry_count: int, kind: str, expected: list[str]) -> None:
    d = decide([], OBJECTS, "most_recent", policy, FALLBACK, retry_count=retry_count, retry_max=3)
    assert d.kind == kind and ids(d) == expected


@pytest.mark.parametrize(("policy", "kind"), [("fallback", "link"), ("retry_then_fallback", "link"), ("create_lead", "link"), ("skip", "skip")])
def test_anonymous_goes_straight_to_the_no_match_policy(policy: str, kind: str) -> None:
    d = decide([], OBJECTS, "most_recent", policy, FALLBACK, anonymous=True)
    assert d.kind == kind
    assert d.reason.code == "anonymous"


@pytest.mark.parametrize("policy", ["all", "fallback", "most_recent", "priority"])
def test_a_person_account_and_its_person_contact_are_one_match(policy: str) -> None:
    person = [Candidate("Account", "001P", "PersonMobilePhone", T1, person_id="001P"),
              Candidate("Contact", "003P", "MobilePhone", T2, "001P", person_id="001P")]
    d = decide(person, OBJECTS, policy, "fallback", FALLBACK)
    assert ids(d) == ["001P"] and d.reason.code == "single"  # Account has priority 1
    contact_first = [ObjectRule("Contact", 1), ObjectRule("Account", 2)]
    assert ids(decide(person, contact_first, policy, "fallback", FALLBACK)) == ["003P"]
    # Another person with the same number is still a second match.
    other = c("Account", "001Q")
    d = decide([*person, other], OBJECTS, policy, "fallback", FALLBACK)
    assert len(d.targets) == (2 if policy == "all" else 1) and d.reason.code != "single"
