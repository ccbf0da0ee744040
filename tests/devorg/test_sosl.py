"""Tests for the dev org's SOSL parser and evaluator, above all the phone-number search the app relies on."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest
from fake_catalog import NOW, FakeCatalog
from hypothesis import given
from hypothesis import strategies as st

from biztel_desk.devorg.model import QueryError
from biztel_desk.devorg.soql import Comparison
from biztel_desk.devorg.sosl import (
    Piece,
    SearchAnd,
    SearchAndNot,
    SearchOr,
    SearchTerm,
    SoslResult,
    escape_search_term,
    execute_sosl,
    parse_sosl,
    phone_digits,
)

APP_QUERY = (
    "FIND {{{terms}}} IN PHONE FIELDS RETURNING Contact(Id, Phone, MobilePhone, LastModifiedDate), "
    "Lead(Id, Phone WHERE IsConverted = false), Account(Id, Phone) LIMIT 2000"
)


@pytest.fixture()
def org() -> FakeCatalog:
    catalog = FakeCatalog()
    catalog.add("Account", Name="Acme Trading", Phone="(03) 1234-5678", Fax="03-9999-0000")
    catalog.add("Account", Name="株式会社テスト商事", Phone="06-1111-2222")
    catalog.add("Contact", Name="Taro Yamada", Phone="03-1234-5678", Email="taro@example.com")
    catalog.add("Contact", Name="Hanako Sato", Phone="+81 3 1234 5678", MobilePhone="090-1111-2222")
    catalog.add("Contact", Name="Jiro Wide", Phone="０３－５５５５－６６６６")  # full-width digits and dash
    catalog.add("Lead", Name="Open Lead", Phone="0312345678", IsConverted=False, Status="Open")
    catalog.add("Lead", Name="Converted Lead", Phone="03 1234 5678", IsConverted=True, Status="Closed")
    return catalog


def found(result: SoslResult, key: str = "Name") -> list[tuple[str, object]]:
    return [(name, row.get(key)) for name, row in result.records]


def search_error(text: str, catalog: FakeCatalog) -> QueryError:
    with pytest.raises(QueryError) as caught:
        execute_sosl(text, catalog)
    return caught.value


def term(text: str) -> SearchTerm:
    expr = parse_sosl(f"FIND {{{text}}} RETURNING Account").search
    assert isinstance(expr, SearchTerm)
    return expr


# ---------------------------------------------------------------------------------------------------------------
# Parsing


def test_parse_the_apps_query() -> None:
    query = parse_sosl(APP_QUERY.format(terms="0312345678 OR 81312345678"))
    assert query.scope == "PHONE"
    assert query.limit == 2000
    assert isinstance(query.search, SearchOr)
    assert [t.literal for t in query.search.operands if isinstance(t, SearchTerm)] == ["0312345678", "81312345678"]
    assert [spec.sobject.name for spec in query.returning] == ["Contact", "Lead", "Account"]
    assert [f.text for f in query.returning[0].fields] == ["Id", "Phone", "MobilePhone", "LastModifiedDate"]
    assert isinstance(query.returning[1].where, Comparison)
    assert query.returning[2].where is None


def test_parse_returning_clauses() -> None:
    query = parse_sosl(
        "find {abc} in name fields returning Account(Name WHERE Name LIKE 'A%' ORDER BY Name DESC LIMIT 3 OFFSET 1), "
        "Contact"
    )
    first, second = query.returning
    assert query.scope == "NAME"
    assert (first.limit, first.offset, first.order_by[0].descending) == (3, 1, True)
    assert second.fields == ()


def test_default_scope_is_all_fields() -> None:
    assert parse_sosl("FIND {abc} RETURNING Account").scope == "ALL"


def test_boolean_structure() -> None:
    expr = parse_sosl("FIND {aa bb OR cc AND NOT dd OR (ee OR ff) gg} RETURNING Account").search
    # Adjacent words are AND; AND binds tighter than OR.
    assert isinstance(expr, SearchOr)
    first, second, third = expr.operands
    assert isinstance(first, SearchAnd)
    assert isinstance(second, SearchAndNot)
    assert isinstance(third, SearchAnd)
    assert isinstance(third.operands[0], SearchOr)


def test_quoted_phrases_escapes_and_wildcards() -> None:
    assert term('"taro yamada"') == SearchTerm((Piece("taro yamada"),), True, 1, 7)
    assert term("03\\-1234\\-5678").literal == "03-1234-5678"
    assert term("a\\{b\\}\\:c").literal == "a{b}:c"
    assert term("\\OR").literal == "OR"
    assert term("yama*").pieces == (Piece("yama"), Piece("*", wildcard=True))
    assert term("ya?a").pieces == (Piece("ya"), Piece("?", wildcard=True), Piece("a"))
    assert term("ab\\*").pieces == (Piece("ab*"),)


def test_quoted_find_form() -> None:
    query = parse_sosl("FIND 'acme OR beta' IN ALL FIELDS RETURNING Account(Name)")
    assert isinstance(query.search, SearchOr)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("FIND {a} RETURNING Account", "search term must be longer than one character"),
        ("FIND {abc OR b} RETURNING Account", "search term must be longer than one character"),
        ("FIND {} RETURNING Account", "search term must be longer than one character"),
        ("FIND {a*} RETURNING Account", "search term must be longer than one character"),
        ("FIND {abc:def} RETURNING Account", "reserved character ':' must be escaped"),
        ("FIND {abc^2} RETURNING Account", "reserved character '^' must be escaped"),
        ("FIND {\"abc} RETURNING Account", "unterminated quoted phrase"),
        ("FIND {abc OR} RETURNING Account", "unexpected token: '<EOF>'"),
        ("FIND {OR abc} RETURNING Account", "unexpected token: 'OR'"),
        ("FIND {(abc} RETURNING Account", "unexpected token: '<EOF>'"),
        ("FIND {abc RETURNING Account", "Missing '}'"),
        ("FIND abc RETURNING Account", "No search term found"),
        ("FIND {abc} IN WORD FIELDS RETURNING Account", "unexpected token: 'WORD'"),
        ("FIND {abc} RETURNING Account(", "unexpected token: '<EOF>'"),
        ("FIND {abc} RETURNING Account(Name WHERE)", "unexpected token: ')'"),
        ("FIND {abc} RETURNING Account WITH SNIPPET", "unexpected token: 'WITH'"),
        ("SEARCH {abc}", "unexpected token: 'SEARCH'"),
    ],
)
def test_malformed_searches(text: str, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_sosl(text)
    assert caught.value.error_code == "MALFORMED_SEARCH"
    assert fragment in caught.value.message


def test_error_position_inside_the_braces() -> None:
    with pytest.raises(QueryError) as caught:
        parse_sosl("FIND {abcd OR x} RETURNING Account")
    assert "ERROR at Row:1:Column:15" in caught.value.message


# ---------------------------------------------------------------------------------------------------------------
# Phone search: the digit rule


def test_phone_digits() -> None:
    assert phone_digits("(03) 1234-5678") == "0312345678"
    assert phone_digits("+81 3 1234 5678") == "81312345678"
    assert phone_digits("０３－５５５５－６６６６") == "0355556666"  # NFKC first (an assumption)
    assert phone_digits("内線 12") == "12"


def test_the_apps_phone_query(org: FakeCatalog) -> None:
    result = execute_sosl(APP_QUERY.format(terms="0312345678"), org)
    # Punctuation is ignored; '+81 3 …' is a different digit string; the converted lead is filtered by WHERE.
    assert found(result, "Phone") == [
        ("Contact", "03-1234-5678"),
        ("Lead", "0312345678"),
        ("Account", "(03) 1234-5678"),
    ]
    assert set(result.records[0][1]) == {"Id", "Phone", "MobilePhone", "LastModifiedDate"}
    assert list(result.records[1][1]) == ["Id", "Phone"]


def test_national_and_international_forms_together(org: FakeCatalog) -> None:
    result = execute_sosl(APP_QUERY.format(terms="0312345678 OR 81312345678"), org)
    assert [row["Phone"] for _, row in result.records if _ == "Contact"] == ["03-1234-5678", "+81 3 1234 5678"]


def test_international_form_alone_does_not_find_national_numbers(org: FakeCatalog) -> None:
    result = execute_sosl("FIND {81312345678} IN PHONE FIELDS RETURNING Contact(Name), Lead(Name), Account(Name)", org)
    assert found(result) == [("Contact", "Hanako Sato")]


def test_every_phone_field_is_searched(org: FakeCatalog) -> None:
    result = execute_sosl("FIND {09011112222 OR 0399990000} IN PHONE FIELDS RETURNING Contact(Name), Account(Name)", org)
    assert found(result) == [("Contact", "Hanako Sato"), ("Account", "Acme Trading")]


def test_full_width_stored_numbers_match_after_nfkc(org: FakeCatalog) -> None:
    result = execute_sosl("FIND {0355556666} IN PHONE FIELDS RETURNING Contact(Name)", org)
    assert found(result) == [("Contact", "Jiro Wide")]


def test_escaped_punctuation_in_phone_terms(org: FakeCatalog) -> None:
    result = execute_sosl("FIND {03\\-1234\\-5678} IN PHONE FIELDS RETURNING Contact(Name)", org)
    assert found(result) == [("Contact", "Taro Yamada")]
    result = execute_sosl('FIND {"\\+81 3 1234 5678"} IN PHONE FIELDS RETURNING Contact(Name)', org)
    assert found(result) == [("Contact", "Hanako Sato")]


def test_phone_scope_ignores_names_and_partial_numbers(org: FakeCatalog) -> None:
    assert execute_sosl("FIND {Yamada} IN PHONE FIELDS RETURNING Contact(Name)", org).records == []
    assert execute_sosl("FIND {12345678} IN PHONE FIELDS RETURNING Contact(Name)", org).records == []


def test_phone_wildcard_prefix(org: FakeCatalog) -> None:
    result = execute_sosl("FIND {031234*} IN PHONE FIELDS RETURNING Contact(Name), Lead(Name)", org)
    assert found(result) == [("Contact", "Taro Yamada"), ("Lead", "Open Lead"), ("Lead", "Converted Lead")]


def test_many_term_or_list_returns_exactly_the_matches() -> None:
    catalog = FakeCatalog()
    numbers = [f"03{index:08d}" for index in range(0, 2000, 7)]
    for index in range(2000):
        catalog.add("Contact", Name=f"c{index}", Phone=f"03-{index // 10000:04d}-{index % 10000:04d}")
    terms = numbers[:200]
    result = execute_sosl(APP_QUERY.format(terms=" OR ".join(terms)), catalog)
    assert sorted(phone_digits(row["Phone"]) for _, row in result.records) == sorted(terms)


# ---------------------------------------------------------------------------------------------------------------
# Text search


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("yamada", [("Contact", "Taro Yamada")]),
        ("YAMADA", [("Contact", "Taro Yamada")]),
        ("yama", []),  # whole words only
        ("yama*", [("Contact", "Taro Yamada")]),
        ("ya?ada", [("Contact", "Taro Yamada")]),
        ('"taro yamada"', [("Contact", "Taro Yamada")]),
        ('"yamada taro"', []),
        ("taro yamada", [("Contact", "Taro Yamada")]),  # adjacent words: both must appear
        ("taro AND sato", []),
        ("taro OR sato", [("Contact", "Taro Yamada"), ("Contact", "Hanako Sato")]),
        ("(taro OR hanako) AND NOT sato", [("Contact", "Taro Yamada")]),
        ("テスト", [("Account", "株式会社テスト商事")]),  # Japanese: substring match
        ("acme", [("Account", "Acme Trading")]),
        ("0312345678", [("Account", "Acme Trading"), ("Contact", "Taro Yamada")]),  # phones count in ALL FIELDS
        ("taro@example.com", [("Contact", "Taro Yamada")]),
    ],
)
def test_all_fields_search(org: FakeCatalog, search: str, expected: list[tuple[str, str]]) -> None:
    result = execute_sosl(f"FIND {{{search}}} RETURNING Account(Name), Contact(Name)", org)
    assert found(result) == expected


def test_name_and_email_scopes(org: FakeCatalog) -> None:
    assert found(execute_sosl("FIND {taro} IN NAME FIELDS RETURNING Contact(Name)", org)) == [("Contact", "Taro Yamada")]
    assert execute_sosl("FIND {example} IN NAME FIELDS RETURNING Contact(Name)", org).records == []
    assert execute_sosl("FIND {0312345678} IN NAME FIELDS RETURNING Contact(Name)", org).records == []
    assert found(execute_sosl("FIND {example} IN EMAIL FIELDS RETURNING Contact(Name)", org)) == [
        ("Contact", "Taro Yamada")
    ]
    assert execute_sosl("FIND {taro} IN EMAIL FIELDS RETURNING Lead(Name)", org).records == []


# ---------------------------------------------------------------------------------------------------------------
# RETURNING, limits and the index


def test_returning_order_where_order_by_limit_offset(org: FakeCatalog) -> None:
    result = execute_sosl(
        "FIND {0312345678 OR 81312345678} IN PHONE FIELDS RETURNING "
        "Lead(Name, Status ORDER BY Name), Contact(Name WHERE Name != 'Taro Yamada'), "
        "Account(Name LIMIT 0)",
        org,
    )
    assert found(result) == [("Lead", "Converted Lead"), ("Lead", "Open Lead"), ("Contact", "Hanako Sato")]
    result = execute_sosl(
        "FIND {0312345678 OR 81312345678} IN PHONE FIELDS RETURNING Contact(Name ORDER BY Name DESC LIMIT 1 OFFSET 1)",
        org,
    )
    assert found(result) == [("Contact", "Hanako Sato")]


def test_id_is_always_returned(org: FakeCatalog) -> None:
    result = execute_sosl("FIND {acme} RETURNING Account, Contact(Name)", org)
    assert list(result.records[0][1]) == ["Id"]
    result = execute_sosl("FIND {yamada} RETURNING Contact(Name, Id, Account.Name)", org)
    assert list(result.records[0][1]) == ["Name", "Id", "Account"]
    assert result.records[0][1]["Account"] is None


def test_without_returning_account_contact_and_lead_are_searched(org: FakeCatalog) -> None:
    result = execute_sosl("FIND {0312345678} IN PHONE FIELDS", org)
    assert [name for name, _ in result.records] == ["Account", "Contact", "Lead", "Lead"]
    assert all(list(row) == ["Id"] for _, row in result.records)


def test_overall_limit_spans_objects(org: FakeCatalog) -> None:
    result = execute_sosl(APP_QUERY.replace("LIMIT 2000", "LIMIT 2").format(terms="0312345678"), org)
    assert [name for name, _ in result.records] == ["Contact", "Lead"]


def test_results_are_capped_at_2000() -> None:
    catalog = FakeCatalog()
    for index in range(2100):
        catalog.add("Contact", Name=f"c{index}", Phone="03-1234-5678")
    assert len(execute_sosl(APP_QUERY.format(terms="0312345678"), catalog).records) == 2000
    no_limit = "FIND {0312345678} IN PHONE FIELDS RETURNING Contact(Id)"
    assert len(execute_sosl(no_limit, catalog).records) == 2000
    assert len(execute_sosl(no_limit + " LIMIT 5000", catalog).records) == 2000
    assert len(execute_sosl(no_limit.replace("(Id)", "(Id LIMIT 3000)"), catalog).records) == 2000


def _terms_of_length(real: str, minimum: int) -> str:
    # Distinct 10-digit decoys, then the real number, joined by OR until the string is long enough.
    terms: list[str] = []
    index = 0
    while len(" OR ".join([*terms, real])) <= minimum:
        terms.append(f"09{index:08d}")
        index += 1
    return " OR ".join([*terms, real])


def test_operators_are_dropped_over_4000_characters(org: FakeCatalog) -> None:
    short = _terms_of_length("0312345678", 3500)
    assert len(short) <= 4000
    assert execute_sosl(APP_QUERY.format(terms=short), org).records != []
    long = _terms_of_length("0312345678", 4000)
    assert 4000 < len(long) <= 10_000
    assert execute_sosl(APP_QUERY.format(terms=long), org).records == []


def test_over_4000_characters_is_one_phrase(org: FakeCatalog) -> None:
    padding = " ".join(["taro"] * 900)
    query = parse_sosl(f"FIND {{{padding} OR yamada}} RETURNING Contact")
    assert isinstance(query.search, SearchTerm)
    assert query.search.phrase


def test_over_10000_characters_returns_nothing_without_error(org: FakeCatalog) -> None:
    huge = _terms_of_length("0312345678", 10_000)
    assert len(huge) > 10_000
    assert execute_sosl(APP_QUERY.format(terms=huge), org) == SoslResult([])


def test_index_delay_hides_recent_changes(org: FakeCatalog) -> None:
    org.add("Contact", Name="Fresh", Phone="0312345678", stamp=NOW - dt.timedelta(seconds=60))
    query = "FIND {0312345678} IN PHONE FIELDS RETURNING Contact(Name)"
    assert ("Contact", "Fresh") in found(execute_sosl(query, org))
    assert ("Contact", "Fresh") not in found(execute_sosl(query, org, index_delay_s=900))
    assert ("Contact", "Taro Yamada") in found(execute_sosl(query, org, index_delay_s=900))  # a day old


def test_deleted_records_are_not_found(org: FakeCatalog) -> None:
    org.records["Contact"][0]["IsDeleted"] = True
    result = execute_sosl("FIND {0312345678} IN PHONE FIELDS RETURNING Contact(Name)", org)
    assert result.records == []


# ---------------------------------------------------------------------------------------------------------------
# Schema errors


def test_schema_errors(org: FakeCatalog) -> None:
    assert search_error("FIND {abc} RETURNING Nope__c", org).error_code == "INVALID_TYPE"
    assert search_error("FIND {abc} RETURNING Task(Id)", org).error_code == "INVALID_TYPE"  # not searchable
    error = search_error("FIND {abc} RETURNING Account(Nope)", org)
    assert error.error_code == "INVALID_FIELD"
    assert "No such column 'Nope' on entity 'Account'" in error.message
    error = search_error("FIND {abc} RETURNING Lead(Id WHERE IsConverted = 'false')", org)
    assert error.error_code == "INVALID_FIELD"
    assert "must be of type boolean" in error.message
    assert search_error("FIND {abc} RETURNING Lead(Id WHERE IsConverted = = false)", org).error_code == (
        "MALFORMED_SEARCH"
    )
    assert search_error("FIND {abc} RETURNING Lead(Id, id)", org).error_code == "MALFORMED_SEARCH"


def test_schema_is_checked_even_when_the_search_is_too_long(org: FakeCatalog) -> None:
    huge = _terms_of_length("0312345678", 10_000)
    assert search_error(f"FIND {{{huge}}} RETURNING Nope__c", org).error_code == "INVALID_TYPE"


def test_an_over_long_search_string_is_not_read(org: FakeCatalog) -> None:
    # Even text that would be malformed (an unescaped ':') gives an empty result rather than an error.
    huge = "ab:cd " * 2000
    assert execute_sosl(f"FIND {{{huge}}} RETURNING Contact", org) == SoslResult([])


# ---------------------------------------------------------------------------------------------------------------
# Properties and speed

_TERM_CHARS = st.characters(codec="utf-8", exclude_categories=["Zs", "Zl", "Zp", "Cc"])


@given(st.text(_TERM_CHARS, min_size=2, max_size=20))
def test_escaped_terms_round_trip(text: str) -> None:
    expr = parse_sosl(f"FIND {{{escape_search_term(text)}}} RETURNING Account").search
    assert isinstance(expr, SearchTerm)
    assert expr.literal == text
    assert not expr.has_wildcard


@given(st.lists(st.text("0123456789", min_size=10, max_size=11), min_size=1, max_size=30))
def test_phone_or_list_matches_exactly_the_listed_numbers(numbers: list[str]) -> None:
    catalog = FakeCatalog()
    stored = [f"{n[:2]}-{n[2:6]}-{n[6:]}" for n in numbers[::2]] + ["01-0000-0000x"]
    for phone in stored:
        catalog.add("Lead", Name="x", Phone=phone, IsConverted=False)
    result = execute_sosl(APP_QUERY.format(terms=" OR ".join(numbers)), catalog)
    wanted = set(numbers)
    assert [row["Phone"] for _, row in result.records] == [p for p in stored if phone_digits(p) in wanted]


@pytest.mark.perf  # a wall-clock bound: CI runs these apart (pytest -m perf)
def test_200_term_phone_search_over_50000_records_is_fast() -> None:
    catalog = FakeCatalog()
    rnd = random.Random(7)
    for index in range(50_000):
        kind = ("Contact", "Lead", "Account")[index % 3]
        phone = f"03-{rnd.randrange(10**4):04d}-{rnd.randrange(10**4):04d}"
        values: dict[str, object] = {"Name": f"n{index}", "Phone": phone}
        if kind == "Contact":
            values["MobilePhone"] = f"090{rnd.randrange(10**8):08d}"
        if kind == "Lead":
            values["IsConverted"] = False
        catalog.add(kind, **values)
    wanted = [phone_digits(row["Phone"]) for row in catalog.records["Contact"][:100]]
    terms = wanted + [f"81{n[1:]}" for n in wanted]
    started = time.perf_counter()
    result = execute_sosl(APP_QUERY.format(terms=" OR ".join(terms)), catalog)
    elapsed = time.perf_counter() - started
    assert len(terms) == 200
    assert len(result.records) >= 100
    assert elapsed < 3.0, elapsed
