"""Tests of the dev org's Japanese seed data generator."""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter

import phonenumbers
import pytest

from biztel_desk.devorg.seed_data import (
    _CITIES,
    FALLBACK_ACCOUNT_NAME,
    FIELDS,
    INDUSTRIES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    PHONE_FIELDS,
    PHONE_FORMATS,
    SeedRecord,
    canonical_numbers,
    generate_demo,
    normalize_phone,
    unknown_numbers,
)

_SEG = r"0\d{1,4}[-]\d{1,4}[-]\d{3,4}"
_FORMAT_RES = {
    "hyphen": re.compile(rf"^{_SEG}$"),
    "paren": re.compile(r"^\(0\d{1,4}\)\d{1,4}-\d{3,4}$"),
    "space": re.compile(r"^0\d{1,4} \d{1,4} \d{3,4}$"),
    "digits": re.compile(r"^0\d{9,10}$"),
    "intl_hyphen": re.compile(r"^\+81-[1-9]\d{0,3}-\d{1,4}-\d{4}$"),
    "intl_space": re.compile(r"^\+81 [1-9]\d{0,3} \d{1,4} \d{4}$"),
    "fullwidth": re.compile(r"^[０-９]{2,5}－[０-９]{1,4}－[０-９]{3,4}$"),
    "extension": re.compile(rf"^{_SEG} 内線\d{{2,4}}$"),
    "daihyo": re.compile(rf"^{_SEG}\(代表\)$"),
}


def _format_of(value: str) -> str:
    matches = [name for name, rx in _FORMAT_RES.items() if rx.match(value)]
    assert len(matches) == 1, (value, matches)
    return matches[0]


def _phone_values(seed: list[SeedRecord]) -> list[tuple[str, str, str]]:
    return [(rec.ref, f, rec.fields[f]) for rec in seed for f in PHONE_FIELDS[rec.object_name] if rec.fields.get(f)]


@pytest.fixture(scope="module")
def seed() -> list[SeedRecord]:
    return generate_demo(2000, random_seed=0)


def test_deterministic_for_a_seed() -> None:
    assert generate_demo(500, 7) == generate_demo(500, 7)
    assert generate_demo(500, 7) != generate_demo(500, 8)


def test_uses_no_global_random_state() -> None:
    import random

    random.seed(1)
    a = generate_demo(300, 3)
    random.seed(2)
    b = generate_demo(300, 3)
    assert a == b


def test_counts_and_proportions(seed: list[SeedRecord]) -> None:
    counts = Counter(r.object_name for r in seed)
    assert len(seed) == 2000
    assert counts == {"Account": 600, "Contact": 900, "Lead": 500}
    for n in (1, 2, 3, 4, 5, 7, 10, 99, 1001):
        assert len(generate_demo(n)) == n
    assert [r.object_name for r in generate_demo(1)] == ["Account"]
    with pytest.raises(ValueError):
        generate_demo(0)


def test_fallback_account_first(seed: list[SeedRecord]) -> None:
    first = seed[0]
    assert first.object_name == "Account"
    assert first.fields["Name"] == FALLBACK_ACCOUNT_NAME == "登録情報なし"
    assert first.fields["Phone"] is None and first.fields["Fax"] is None
    assert generate_demo(1)[0].fields["Name"] == FALLBACK_ACCOUNT_NAME
    # Nobody hangs under the fallback account, and no other account bears its name.
    assert all(r.parent_refs.get("AccountId") != first.ref for r in seed)
    assert sum(1 for r in seed if r.fields.get("Name") == FALLBACK_ACCOUNT_NAME) == 1


def test_shape_of_records(seed: list[SeedRecord]) -> None:
    refs = [r.ref for r in seed]
    assert len(set(refs)) == len(refs)
    for rec in seed:
        assert set(rec.fields) == set(FIELDS[rec.object_name]), rec
        assert "Id" not in rec.fields
        for value in rec.fields.values():
            assert value is None or isinstance(value, str | bool)
    accounts = [r for r in seed if r.object_name == "Account"]
    contacts = [r for r in seed if r.object_name == "Contact"]
    leads = [r for r in seed if r.object_name == "Lead"]
    assert all(r.fields["Name"] for r in accounts)
    assert {r.fields["Industry"] for r in accounts} - {None} <= set(INDUSTRIES)
    assert len({r.fields["Industry"] for r in accounts}) >= 12
    assert all(r.fields["BillingState"] and r.fields["BillingCity"] for r in accounts[1:])
    assert {"東京都", "大阪府", "北海道", "福岡県"} <= {r.fields["BillingState"] for r in accounts}
    assert all(r.fields["LastName"] for r in contacts + leads)
    assert all(r.fields["Company"] for r in leads)
    assert {r.fields["Status"] for r in leads} == set(LEAD_STATUSES)
    assert {r.fields["LeadSource"] for r in leads} <= set(LEAD_SOURCES)
    emails = [r.fields["Email"] for r in contacts + leads if r.fields["Email"]]
    assert len(emails) > 0.7 * len(contacts + leads)
    assert all(re.fullmatch(r"[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]+", e) for e in emails), emails[:5]


def test_realistic_japanese_names(seed: list[SeedRecord]) -> None:
    names = [r.fields["Name"] for r in seed if r.object_name == "Account"][1:]
    assert any(n.startswith("株式会社") for n in names)
    assert any(n.endswith("株式会社") for n in names)
    assert any(n.startswith("合同会社") for n in names)
    assert any(n.startswith("医療法人") for n in names)
    assert len(set(names)) > 0.97 * len(names)
    last_names = Counter(r.fields["LastName"] for r in seed if r.object_name == "Contact")
    assert {"佐藤", "鈴木", "高橋"} & set(last_names)
    assert len(last_names) > 50


def test_account_names_mostly_distinct_at_scale() -> None:
    names = [r.fields["Name"] for r in generate_demo(50_000, 5) if r.object_name == "Account"]
    assert len(set(names)) > 0.95 * len(names)


def test_parents_precede_children(seed: list[SeedRecord]) -> None:
    seen: dict[str, str] = {}
    for rec in seed:
        for field_name, ref in rec.parent_refs.items():
            assert field_name == "AccountId"
            assert seen.get(ref) == "Account", (rec.ref, ref)
        seen[rec.ref] = rec.object_name
    with_account = [r for r in seed if r.object_name == "Contact" and r.parent_refs]
    assert len(with_account) > 0.9 * 900


def test_every_phone_value_is_a_valid_japanese_number(seed: list[SeedRecord]) -> None:
    values = _phone_values(seed)
    assert len(values) > 2000
    for ref, field_name, raw in values:
        e164 = normalize_phone(raw)
        assert e164 is not None, (ref, field_name, raw)
        assert phonenumbers.is_valid_number(phonenumbers.parse(e164, "JP")), raw
        assert e164.startswith("+81")
    numbers = canonical_numbers(seed)
    assert sum(len(refs) for refs in numbers.values()) >= len({(ref, normalize_phone(raw)) for ref, _, raw in values})
    for e164 in numbers:
        assert phonenumbers.is_valid_number(phonenumbers.parse(e164, "JP")), e164


def test_every_format_present(seed: list[SeedRecord]) -> None:
    formats = Counter(_format_of(raw) for _, _, raw in _phone_values(seed))
    assert set(formats) == set(PHONE_FORMATS)
    assert formats.most_common(1)[0][0] == "hyphen"
    assert any(raw.startswith("+81 90 ") for _, _, raw in _phone_values(seed))


def test_number_kinds_present(seed: list[SeedRecord]) -> None:
    national = {unicodedata.normalize("NFKC", raw) for _, _, raw in _phone_values(seed) if _format_of(raw) == "hyphen"}
    area_codes = {n.split("-")[0] for n in national}
    assert {"03", "06"} <= area_codes  # 2-digit areas, 8-digit local numbers
    assert any(len(a) == 3 and a[1] != "0" and a != "050" for a in area_codes)  # 045, 052, 092 …
    assert any(len(a) == 4 and a not in ("0120", "0800") for a in area_codes)  # 0466 …
    assert {"090", "080", "070", "050", "0120"} <= area_codes
    big = generate_demo(20_000, 1)
    big_areas = {raw.split("-")[0] for _, _, raw in _phone_values(big) if _format_of(raw) == "hyphen"}
    assert any(len(a) == 5 for a in big_areas)  # 01267, 04992 …


def test_area_codes_really_belong_to_their_area() -> None:
    """libphonenumber formats each generated fixed-line number with the area code the table gives."""
    for state, city, area, digits, weight in _CITIES:
        assert weight > 0 and state.endswith(("都", "道", "府", "県")) and city
        exchange_len = 6 - len(area)
        for d in digits:
            for tail in ("0" * 9, "5" * 9, "9" * 9, "27183" * 2):
                national = area + d + tail[: 9 - len(area)]
                assert len(national) == 10
                num = phonenumbers.parse(national, "JP")
                assert phonenumbers.is_valid_number(num), national
                formatted = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
                assert formatted.split("-")[0] == area, (national, formatted)
                assert len(formatted.split("-")[1]) == exchange_len, formatted


def test_shared_numbers_present(seed: list[SeedRecord]) -> None:
    numbers = canonical_numbers(seed)
    shared = {n: refs for n, refs in numbers.items() if len(refs) > 1}
    assert 0.015 < len(shared) / len(numbers) < 0.06
    kinds = {tuple(sorted({ref.split("-")[0] for ref in refs})) for refs in shared.values()}
    assert ("acc", "con") in kinds  # company main number on the Account and its Contact
    assert ("con", "lead") in kinds  # a person present as both Contact and Lead
    # A shared number is shown in different formats on different records somewhere.
    raw_by_number: dict[str, set[str]] = {}
    for _, _, raw in _phone_values(seed):
        raw_by_number.setdefault(normalize_phone(raw) or "", set()).add(raw)
    assert any(len(raw_by_number[n]) > 1 for n in shared)


def test_several_phone_fields_on_one_record(seed: list[SeedRecord]) -> None:
    multi = [r for r in seed if sum(1 for f in PHONE_FIELDS[r.object_name] if r.fields[f]) >= 2]
    assert len(multi) > 100
    contacts = [r for r in seed if r.object_name == "Contact"]
    assert any(r.fields["HomePhone"] for r in contacts)
    assert any(r.fields["OtherPhone"] for r in contacts)
    assert sum(1 for r in contacts if r.fields["AssistantPhone"]) < 0.1 * len(contacts)


def test_converted_leads(seed: list[SeedRecord]) -> None:
    leads = [r for r in seed if r.object_name == "Lead"]
    converted = [r for r in leads if r.fields["IsConverted"]]
    assert 0.02 * len(leads) < len(converted) < 0.1 * len(leads)
    assert all(r.fields["Status"] == "Closed - Converted" for r in converted)
    assert all(r.fields["Status"] != "Closed - Converted" for r in leads if not r.fields["IsConverted"])
    assert all(isinstance(r.fields["IsConverted"], bool) for r in leads)


def test_normalize_phone_forms() -> None:
    expected = "+81312345678"
    for raw in (
        "03-1234-5678",
        "(03)1234-5678",
        "03 1234 5678",
        "0312345678",
        "+81-3-1234-5678",
        "+81 3-1234-5678",
        "０３－１２３４－５６７８",
        "03-1234-5678 内線123",
        "03-1234-5678(代表)",
        "03-1234-5678（代表）",
        "03-1234-5678 ext. 12",
    ):
        assert normalize_phone(raw) == expected, raw
    assert normalize_phone("+81 90 1234 5678") == "+819012345678"
    assert normalize_phone("12") is None
    assert normalize_phone("not a number") is None


def test_unknown_numbers() -> None:
    seed = generate_demo(2000, 0)
    avoid = set(canonical_numbers(seed))
    got = unknown_numbers(500, 1, avoid)
    assert got == unknown_numbers(500, 1, avoid)
    assert got != unknown_numbers(500, 2, avoid)
    assert len(got) == len(set(got)) == 500
    for n in got:
        assert re.fullmatch(r"0\d-\d{4}-\d{4}", n), n
        e164 = normalize_phone(n)
        assert e164 is not None and e164 not in avoid
    # A number in `avoid` is never returned.
    first = normalize_phone(got[0])
    assert first is not None
    assert first not in {normalize_phone(n) for n in unknown_numbers(500, 1, avoid | {first})}
    assert unknown_numbers(0, 1, set()) == []


@pytest.mark.perf  # a wall-clock bound: CI runs these apart (pytest -m perf)
def test_fifty_thousand_records_quickly() -> None:
    start = time.perf_counter()
    seed = generate_demo(50_000, 42)
    elapsed = time.perf_counter() - start
    assert len(seed) == 50_000
    assert elapsed < 2.0, elapsed
