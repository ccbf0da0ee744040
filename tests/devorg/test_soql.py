"""Tests for the dev org's SOQL parser and evaluator."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from fake_catalog import NOW, FakeCatalog
from hypothesis import given
from hypothesis import strategies as st

from biztel_desk.devorg.lexer import STRING, Source, quote_string, tokenize
from biztel_desk.devorg.model import QueryError
from biztel_desk.devorg.soql import (
    And,
    Comparison,
    Literal,
    Not,
    Or,
    OrderItem,
    SoqlQuery,
    canonical_id,
    execute_soql,
    parse_soql,
    relative_date_range,
)

DAY = dt.timedelta(days=1)


@pytest.fixture()
def org() -> FakeCatalog:
    catalog = FakeCatalog()
    owner = catalog.add("User", Name="Owner One")
    acme = catalog.add(
        "Account", Name="Acme", Phone="03-1234-5678", Industry="Tech", NumberOfEmployees=50, AnnualRevenue=1000.5,
        OwnerId=owner["Id"], stamp=NOW - DAY,
    )
    catalog.add("Account", Name="beta", NumberOfEmployees=None, stamp=NOW - 40 * DAY)
    catalog.add("Account", Name="Gamma_1", Industry="Retail", NumberOfEmployees=10, stamp=NOW - 400 * DAY)
    yamada = catalog.add(
        "Contact", FirstName="Taro", LastName="Yamada", Name="Yamada Taro", AccountId=acme["Id"],
        Languages__c="Japanese;English", Birthdate=dt.date(1990, 1, 31), OwnerId=owner["Id"],
    )
    catalog.add("Contact", LastName="Solo", Name="Solo", Languages__c="French", Birthdate=None)
    lead = catalog.add("Lead", Name="Lead Open", Company="Open KK", IsConverted=False, Status="Open")
    catalog.add("Lead", Name="Lead Done", Company="Done KK", IsConverted=True, Status="Closed")
    catalog.add("Task", Subject="Call contact", WhoId=yamada["Id"], WhatId=acme["Id"], ActivityDate=NOW.date())
    catalog.add("Task", Subject="Call lead", WhoId=lead["Id"], ActivityDate=NOW.date() - DAY)
    catalog.add("Task", Subject="Orphan", ActivityDate=None)
    return catalog


def names(result: Any, key: str = "Name") -> list[Any]:
    return [record[key] for record in result.records]


def error_of(text: str, catalog: FakeCatalog) -> QueryError:
    with pytest.raises(QueryError) as caught:
        execute_soql(text, catalog)
    return caught.value


# ---------------------------------------------------------------------------------------------------------------
# Parsing


def test_parse_builds_the_ast() -> None:
    query = parse_soql(
        "SELECT Id, Account.Name FROM Contact WHERE (Name = 'x' OR Phone != null) AND NOT Email LIKE '%@a.jp' "
        "ORDER BY Name DESC NULLS FIRST, Id LIMIT 10 OFFSET 5"
    )
    assert isinstance(query, SoqlQuery)
    assert [path.parts for path in query.fields] == [("Id",), ("Account", "Name")]
    assert query.sobject.name == "Contact"
    assert isinstance(query.where, And)
    first, second = query.where.operands
    assert isinstance(first, Or)
    assert isinstance(second, Not)
    assert isinstance(second.operand, Comparison)
    assert second.operand.operator == "LIKE"
    assert query.order_by == (
        OrderItem(query.order_by[0].field, descending=True, nulls_first=True),
        OrderItem(query.order_by[1].field),
    )
    assert (query.limit, query.offset, query.is_count) == (10, 5, False)


def test_keywords_are_case_insensitive() -> None:
    query = parse_soql("select id from account where name = 'a' order by name asc nulls last limit 1")
    assert query.sobject.name == "account"
    assert query.order_by[0].nulls_first is False


def test_count_parses() -> None:
    assert parse_soql("SELECT COUNT() FROM Lead").is_count


@pytest.mark.parametrize(
    ("literal", "kind", "value"),
    [
        ("'it\\'s'", "string", "it's"),
        ("42", "number", 42),
        ("-1.5", "number", -1.5),
        ("true", "boolean", True),
        ("FALSE", "boolean", False),
        ("null", "null", None),
        ("2024-01-31", "date", dt.date(2024, 1, 31)),
        ("2024-01-31T09:00:00Z", "datetime", dt.datetime(2024, 1, 31, 9, tzinfo=dt.UTC)),
        ("2024-01-31T09:00:00.000Z", "datetime", dt.datetime(2024, 1, 31, 9, tzinfo=dt.UTC)),
        ("2024-01-31T09:00:00+09:00", "datetime", dt.datetime(2024, 1, 31, 0, tzinfo=dt.UTC)),
        ("2024-01-31T09:00:00-01:30", "datetime", dt.datetime(2024, 1, 31, 10, 30, tzinfo=dt.UTC)),
        ("TODAY", "relative", ("TODAY", None)),
        ("last_n_days:7", "relative", ("LAST_N_DAYS", 7)),
    ],
)
def test_literals(literal: str, kind: str, value: Any) -> None:
    where = parse_soql(f"SELECT Id FROM Account WHERE Name = {literal}").where
    assert isinstance(where, Comparison)
    assert isinstance(where.value, Literal)
    assert (where.value.kind, where.value.value) == (kind, value)


def test_syntax_error_points_at_the_token_like_salesforce() -> None:
    with pytest.raises(QueryError) as caught:
        parse_soql("SELECT Id FORM Account")
    assert caught.value.error_code == "MALFORMED_QUERY"
    assert caught.value.message == (
        "\nSELECT Id FORM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'"
    )


def test_syntax_error_on_a_later_line() -> None:
    with pytest.raises(QueryError) as caught:
        parse_soql("SELECT Id\nFROM Account\nWHERE Name = = 'x'")
    assert "ERROR at Row:3:Column:14" in caught.value.message
    assert "\nWHERE Name = = 'x'\n             ^\n" in caught.value.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("SELECT Id FROM", "unexpected token: '<EOF>'"),
        ("SELECT FROM Account", "unexpected token: 'Account'"),
        ("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", "unexpected token: 'OR'"),
        ("SELECT Id FROM Account WHERE Name = 'open", "unterminated string literal"),
        ("SELECT Id FROM Account WHERE Name = 'a\\qb'", "Illegal character sequence '\\q' in string literal"),
        ("SELECT Id FROM Account WHERE Name # 'a'", "no viable alternative at character '#'"),
        ("SELECT Id FROM Account FOR UPDATE", "FOR UPDATE"),
        ("SELECT Id FROM Account ALL ROWS", "ALL ROWS"),
        ("SELECT Id, (SELECT Id FROM Contacts) FROM Account", "subqueries are not supported"),
        ("SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)", "semi-join"),
        ("SELECT Id FROM Account LIMIT -1", "unexpected token: '-1'"),
        ("SELECT Id FROM Account GROUP BY Name", "unexpected token: 'GROUP'"),
        ("SELECT COUNT(Id) FROM Account", "unexpected token: 'Id'"),
        ("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS", "unexpected token: '<EOF>'"),
        ("SELECT Id FROM Account WHERE Name = SOMEDAY", "unexpected token: 'SOMEDAY'"),
        ("SELECT Id FROM Account WHERE CreatedDate = 2024-02-30", "invalid date: 2024-02-30"),
        ("SELECT Id FROM Account WHERE CreatedDate = 2024-02-01T25:00:00Z", "invalid datetime"),
    ],
)
def test_malformed_queries(text: str, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_soql(text)
    assert caught.value.error_code == "MALFORMED_QUERY"
    assert fragment in caught.value.message


def test_parentheses_allow_mixing_and_or(org: FakeCatalog) -> None:
    result = execute_soql(
        "SELECT Name FROM Account WHERE (Name = 'Acme' OR Name = 'beta') AND NumberOfEmployees = null", org
    )
    assert names(result) == ["beta"]


# ---------------------------------------------------------------------------------------------------------------
# Objects, fields and errors


def test_exact_api_names_are_returned_for_any_spelling(org: FakeCatalog) -> None:
    result = execute_soql("select NAME, numberofemployees from ACCOUNT where name = 'acme'", org)
    assert result.object_name == "Account"
    assert result.records == [{"Name": "Acme", "NumberOfEmployees": 50}]
    assert result.total_size == 1
    assert not result.is_count


def test_unknown_object_is_invalid_type(org: FakeCatalog) -> None:
    error = error_of("SELECT Id FROM Foo__c", org)
    assert error.error_code == "INVALID_TYPE"
    assert "sObject type 'Foo__c' is not supported." in error.message
    assert "ERROR at Row:1:Column:16" in error.message


def test_non_queryable_object_is_invalid_type(org: FakeCatalog) -> None:
    assert error_of("SELECT Id FROM Secret", org).error_code == "INVALID_TYPE"


def test_unknown_field_is_invalid_field(org: FakeCatalog) -> None:
    error = error_of("SELECT Id, Foo FROM Account", org)
    assert error.error_code == "INVALID_FIELD"
    assert "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field" in error.message
    assert "ERROR at Row:1:Column:12" in error.message


def test_unknown_field_in_where_and_order_by(org: FakeCatalog) -> None:
    assert error_of("SELECT Id FROM Account WHERE Nope = 1", org).error_code == "INVALID_FIELD"
    assert error_of("SELECT Id FROM Account ORDER BY Nope", org).error_code == "INVALID_FIELD"


def test_unknown_relationship_is_invalid_field(org: FakeCatalog) -> None:
    error = error_of("SELECT Parent.Name FROM Contact", org)
    assert error.error_code == "INVALID_FIELD"
    assert "Didn't understand relationship 'Parent'" in error.message
    assert error_of("SELECT Account.Nope FROM Contact", org).error_code == "INVALID_FIELD"


def test_duplicate_field_is_refused(org: FakeCatalog) -> None:
    error = error_of("SELECT Name, name FROM Account", org)
    assert error.error_code == "MALFORMED_QUERY"
    assert "duplicate field selected: Name" in error.message


# ---------------------------------------------------------------------------------------------------------------
# Operators


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name = 'ACME'", ["Acme"]),
        ("Name != 'acme'", ["beta", "Gamma_1"]),
        ("Name <> 'acme'", ["beta", "Gamma_1"]),
        ("Industry != 'Tech'", ["beta", "Gamma_1"]),  # != keeps nulls, as SOQL does
        ("Industry = null", ["beta"]),
        ("Industry != null", ["Acme", "Gamma_1"]),
        ("Industry = ''", ["beta"]),  # an empty string is null
        ("NumberOfEmployees > 10", ["Acme"]),
        ("NumberOfEmployees >= 10", ["Acme", "Gamma_1"]),
        ("NumberOfEmployees < 50", ["Gamma_1"]),
        ("NumberOfEmployees <= 50", ["Acme", "Gamma_1"]),
        ("NumberOfEmployees < null", []),
        ("AnnualRevenue = 1000.5", ["Acme"]),
        ("Name > 'b'", ["beta", "Gamma_1"]),
        ("Name IN ('acme', 'BETA', 'nobody')", ["Acme", "beta"]),
        ("Name NOT IN ('acme', 'beta')", ["Gamma_1"]),
        ("Industry IN ('Tech', null)", ["Acme", "beta"]),
        ("Name LIKE 'a%'", ["Acme"]),
        ("Name LIKE '%A%'", ["Acme", "beta", "Gamma_1"]),
        ("Name LIKE '_eta'", ["beta"]),
        ("Name LIKE 'gamma\\_%'", ["Gamma_1"]),
        ("Name LIKE 'gamma\\%%'", []),
        ("NOT Name LIKE 'a%'", ["beta", "Gamma_1"]),
        ("NOT (Name = 'Acme' OR Name = 'beta')", ["Gamma_1"]),
        ("Name = 'Acme' OR NumberOfEmployees = 10", ["Acme", "Gamma_1"]),
        ("Name = 'Acme' AND NumberOfEmployees = 10", []),
    ],
)
def test_account_operators(org: FakeCatalog, where: str, expected: list[str]) -> None:
    assert names(execute_soql(f"SELECT Name FROM Account WHERE {where}", org)) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Languages__c INCLUDES ('English')", ["Yamada Taro"]),
        ("Languages__c INCLUDES ('english;japanese')", ["Yamada Taro"]),
        ("Languages__c INCLUDES ('English;French')", []),
        ("Languages__c INCLUDES ('German', 'French')", ["Solo"]),
        ("Languages__c EXCLUDES ('French')", ["Yamada Taro"]),
        ("Languages__c = 'English;Japanese'", ["Yamada Taro"]),
    ],
)
def test_multipicklist_operators(org: FakeCatalog, where: str, expected: list[str]) -> None:
    assert names(execute_soql(f"SELECT Name FROM Contact WHERE {where}", org)) == expected


def test_includes_only_on_multipicklists(org: FakeCatalog) -> None:
    error = error_of("SELECT Id FROM Account WHERE Name INCLUDES ('a')", org)
    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"


def test_like_only_on_text(org: FakeCatalog) -> None:
    assert error_of("SELECT Id FROM Account WHERE NumberOfEmployees LIKE '1%'", org).error_code == (
        "INVALID_QUERY_FILTER_OPERATOR"
    )


def test_boolean_fields(org: FakeCatalog) -> None:
    assert names(execute_soql("SELECT Name FROM Lead WHERE IsConverted = false", org)) == ["Lead Open"]
    assert names(execute_soql("SELECT Name FROM Lead WHERE IsConverted = TRUE", org)) == ["Lead Done"]
    assert names(execute_soql("SELECT Name FROM Lead WHERE IsConverted != true", org)) == ["Lead Open"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("IsConverted = 'false'",
         "value of filter criterion for field 'IsConverted' must be of type boolean and should not be enclosed in quotes"),
        ("Name = 5", "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"),
        ("Name = true", "must be of type string and should be enclosed in quotes"),
        ("CreatedDate = 2024-01-31", "field 'CreatedDate' must be of type dateTime and should not be enclosed"),
        ("CreatedDate = '2024-01-31T00:00:00Z'", "must be of type dateTime"),
        ("Name IN ('a', 1)", "must be of type string"),
    ],
)
def test_type_errors(org: FakeCatalog, where: str, message: str) -> None:
    error = error_of(f"SELECT Id FROM Lead WHERE {where}", org)
    assert error.error_code == "INVALID_FIELD"
    assert message in error.message


def test_number_field_refuses_strings_and_date_field_refuses_datetimes(org: FakeCatalog) -> None:
    error = error_of("SELECT Id FROM Account WHERE NumberOfEmployees = '5'", org)
    assert "must be of type double and should not be enclosed in quotes" in error.message
    error = error_of("SELECT Id FROM Contact WHERE Birthdate = 1990-01-31T00:00:00Z", org)
    assert "must be of type date and should not be enclosed in quotes" in error.message


# ---------------------------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("literal", "start", "end"),
    [
        ("TODAY", dt.date(2024, 3, 15), dt.date(2024, 3, 16)),
        ("YESTERDAY", dt.date(2024, 3, 14), dt.date(2024, 3, 15)),
        ("TOMORROW", dt.date(2024, 3, 16), dt.date(2024, 3, 17)),
        ("THIS_MONTH", dt.date(2024, 3, 1), dt.date(2024, 4, 1)),
        ("LAST_MONTH", dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
        ("NEXT_MONTH", dt.date(2024, 4, 1), dt.date(2024, 5, 1)),
        ("THIS_WEEK", dt.date(2024, 3, 10), dt.date(2024, 3, 17)),  # 2024-03-15 is a Friday; weeks start Sunday
        ("THIS_YEAR", dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
        ("LAST_90_DAYS", dt.date(2023, 12, 16), dt.date(2024, 3, 16)),
    ],
)
def test_relative_date_ranges(literal: str, start: dt.date, end: dt.date) -> None:
    assert relative_date_range(literal, None, NOW) == (start, end)


def test_n_day_ranges() -> None:
    # LAST_N_DAYS:1 is yesterday and today; NEXT_N_DAYS starts tomorrow.
    assert relative_date_range("LAST_N_DAYS", 1, NOW) == (dt.date(2024, 3, 14), dt.date(2024, 3, 16))
    assert relative_date_range("NEXT_N_DAYS", 2, NOW) == (dt.date(2024, 3, 16), dt.date(2024, 3, 18))
    assert relative_date_range("N_DAYS_AGO", 3, NOW) == (dt.date(2024, 3, 12), dt.date(2024, 3, 13))
    january = dt.datetime(2024, 1, 10, tzinfo=dt.UTC)
    assert relative_date_range("LAST_MONTH", None, january) == (dt.date(2023, 12, 1), dt.date(2024, 1, 1))


@pytest.fixture()
def stamped() -> FakeCatalog:
    catalog = FakeCatalog()
    for name, when in [
        ("today-early", dt.datetime(2024, 3, 15, 0, 0, tzinfo=dt.UTC)),
        ("today-late", dt.datetime(2024, 3, 15, 23, 59, 59, tzinfo=dt.UTC)),
        ("yesterday", dt.datetime(2024, 3, 14, 10, tzinfo=dt.UTC)),
        ("tomorrow", dt.datetime(2024, 3, 16, 10, tzinfo=dt.UTC)),
        ("last-month", dt.datetime(2024, 2, 29, 23, tzinfo=dt.UTC)),
        ("long-ago", dt.datetime(2023, 1, 1, tzinfo=dt.UTC)),
    ]:
        catalog.add("Account", Name=name, stamp=when)
    return catalog


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CreatedDate = TODAY", ["today-early", "today-late"]),
        ("CreatedDate != TODAY", ["yesterday", "tomorrow", "last-month", "long-ago"]),
        ("CreatedDate = YESTERDAY", ["yesterday"]),
        ("CreatedDate = TOMORROW", ["tomorrow"]),
        ("CreatedDate < TODAY", ["yesterday", "last-month", "long-ago"]),
        ("CreatedDate <= TODAY", ["today-early", "today-late", "yesterday", "last-month", "long-ago"]),
        ("CreatedDate > TODAY", ["tomorrow"]),
        ("CreatedDate >= TODAY", ["today-early", "today-late", "tomorrow"]),
        ("CreatedDate = LAST_N_DAYS:1", ["today-early", "today-late", "yesterday"]),
        ("CreatedDate = NEXT_N_DAYS:1", ["tomorrow"]),
        ("CreatedDate = THIS_MONTH", ["today-early", "today-late", "yesterday", "tomorrow"]),
        ("CreatedDate = LAST_MONTH", ["last-month"]),
        ("CreatedDate IN (LAST_MONTH, YESTERDAY)", ["yesterday", "last-month"]),
        ("CreatedDate > 2024-03-15T00:00:00Z", ["today-late", "tomorrow"]),
        ("CreatedDate = 2024-03-15T09:00:00+09:00", ["today-early"]),
        ("CreatedDate >= 2024-03-15T00:00:00.000Z AND CreatedDate < 2024-03-16T00:00:00Z",
         ["today-early", "today-late"]),
        ("CreatedDate = null", []),
    ],
)
def test_datetime_filters(stamped: FakeCatalog, where: str, expected: list[str]) -> None:
    assert names(execute_soql(f"SELECT Name FROM Account WHERE {where}", stamped)) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("ActivityDate = TODAY", ["Call contact"]),
        ("ActivityDate = YESTERDAY", ["Call lead"]),
        ("ActivityDate = 2024-03-15", ["Call contact"]),
        ("ActivityDate < 2024-03-15", ["Call lead"]),
        ("ActivityDate >= 2024-03-14", ["Call contact", "Call lead"]),
        ("ActivityDate = LAST_N_DAYS:7", ["Call contact", "Call lead"]),
        ("ActivityDate = null", ["Orphan"]),
        ("ActivityDate != null", ["Call contact", "Call lead"]),
    ],
)
def test_date_filters(org: FakeCatalog, where: str, expected: list[str]) -> None:
    assert names(execute_soql(f"SELECT Subject FROM Task WHERE {where}", org), "Subject") == expected


# ---------------------------------------------------------------------------------------------------------------
# ORDER BY, LIMIT, OFFSET, COUNT()


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("NumberOfEmployees", ["beta", "Gamma_1", "Acme"]),  # ASC defaults to NULLS FIRST
        ("NumberOfEmployees ASC NULLS LAST", ["Gamma_1", "Acme", "beta"]),
        ("NumberOfEmployees DESC", ["Acme", "Gamma_1", "beta"]),  # DESC defaults to NULLS LAST
        ("NumberOfEmployees DESC NULLS FIRST", ["beta", "Acme", "Gamma_1"]),
        ("Name", ["Acme", "beta", "Gamma_1"]),  # case-insensitive
        ("Name DESC", ["Gamma_1", "beta", "Acme"]),
        ("Industry DESC, Name DESC", ["Acme", "Gamma_1", "beta"]),
        ("Industry NULLS LAST, Name", ["Gamma_1", "Acme", "beta"]),
        ("CreatedDate", ["Gamma_1", "beta", "Acme"]),
    ],
)
def test_order_by(org: FakeCatalog, order: str, expected: list[str]) -> None:
    assert names(execute_soql(f"SELECT Name FROM Account ORDER BY {order}", org)) == expected


def test_order_by_multiple_keys_keeps_ties_in_secondary_order() -> None:
    catalog = FakeCatalog()
    for name, industry in [("b", "X"), ("a", "Y"), ("c", "X"), ("a2", None)]:
        catalog.add("Account", Name=name, Industry=industry)
    result = execute_soql("SELECT Name FROM Account ORDER BY Industry ASC NULLS LAST, Name DESC", catalog)
    assert names(result) == ["c", "b", "a", "a2"]


def test_limit_and_offset(org: FakeCatalog) -> None:
    assert names(execute_soql("SELECT Name FROM Account ORDER BY Name LIMIT 2", org)) == ["Acme", "beta"]
    assert names(execute_soql("SELECT Name FROM Account ORDER BY Name LIMIT 1 OFFSET 1", org)) == ["beta"]
    assert names(execute_soql("SELECT Name FROM Account ORDER BY Name OFFSET 2", org)) == ["Gamma_1"]
    result = execute_soql("SELECT Name FROM Account LIMIT 0", org)
    assert (result.records, result.total_size) == ([], 0)


def test_offset_over_2000_is_refused(org: FakeCatalog) -> None:
    assert execute_soql("SELECT Name FROM Account OFFSET 2000", org).records == []
    error = error_of("SELECT Name FROM Account OFFSET 2001", org)
    assert error.error_code == "NUMBER_OUTSIDE_VALID_RANGE"


def test_count(org: FakeCatalog) -> None:
    result = execute_soql("SELECT COUNT() FROM Account", org)
    assert (result.is_count, result.total_size, result.records) == (True, 3, [])
    assert execute_soql("SELECT COUNT() FROM Lead WHERE IsConverted = false", org).total_size == 1
    assert execute_soql("SELECT COUNT() FROM Account LIMIT 2", org).total_size == 2


# ---------------------------------------------------------------------------------------------------------------
# Relationships, aliases, Ids, deleted rows


def test_parent_fields_are_nested(org: FakeCatalog) -> None:
    result = execute_soql(
        "SELECT Name, Account.Name, Account.Phone, Account.Owner.Name FROM Contact ORDER BY Name DESC", org
    )
    assert result.records == [
        {"Name": "Yamada Taro", "Account": {"Name": "Acme", "Phone": "03-1234-5678", "Owner": {"Name": "Owner One"}}},
        {"Name": "Solo", "Account": None},
    ]


def test_polymorphic_who_and_what(org: FakeCatalog) -> None:
    result = execute_soql("SELECT Subject, Who.Name, Who.Type, What.Name FROM Task ORDER BY Subject", org)
    assert result.records == [
        {"Subject": "Call contact", "Who": {"Name": "Yamada Taro", "Type": "Contact"}, "What": {"Name": "Acme"}},
        {"Subject": "Call lead", "Who": {"Name": "Lead Open", "Type": "Lead"}, "What": None},
        {"Subject": "Orphan", "Who": None, "What": None},
    ]


def test_polymorphic_field_missing_everywhere_is_invalid(org: FakeCatalog) -> None:
    assert error_of("SELECT Who.Nope FROM Task", org).error_code == "INVALID_FIELD"
    assert error_of("SELECT Who.Account.Name FROM Task", org).error_code == "INVALID_FIELD"


def test_relationship_fields_in_where_and_order_by(org: FakeCatalog) -> None:
    result = execute_soql("SELECT Name FROM Contact WHERE Account.Name = 'acme'", org)
    assert names(result) == ["Yamada Taro"]
    result = execute_soql("SELECT Subject FROM Task WHERE Who.Name LIKE 'Lead%'", org)
    assert names(result, "Subject") == ["Call lead"]
    result = execute_soql("SELECT Name FROM Contact WHERE Account.Name = null", org)
    assert names(result) == ["Solo"]
    result = execute_soql("SELECT Name FROM Contact ORDER BY Account.Name NULLS LAST", org)
    assert names(result) == ["Yamada Taro", "Solo"]


def test_object_prefix_and_alias(org: FakeCatalog) -> None:
    assert names(execute_soql("SELECT Account.Name FROM Account WHERE Account.Name = 'beta'", org)) == ["beta"]
    result = execute_soql("SELECT c.Name, c.Account.Name FROM Contact c WHERE c.LastName = 'Yamada'", org)
    assert result.records == [{"Name": "Yamada Taro", "Account": {"Name": "Acme"}}]


def test_ids_match_in_15_and_18_character_forms(org: FakeCatalog) -> None:
    acme = org.records["Account"][0]
    id18 = acme["Id"]
    for literal in (id18, id18[:15], id18.lower()[:15].upper() + id18[15:]):
        # The last form has the wrong letter case but a checksum that restores it.
        result = execute_soql(f"SELECT Name FROM Account WHERE Id = '{literal}'", org)
        assert names(result) == ["Acme"], literal
    assert names(execute_soql(f"SELECT Name FROM Contact WHERE AccountId IN ('{id18[:15]}')", org)) == ["Yamada Taro"]
    error = error_of("SELECT Name FROM Account WHERE Id = 'nope'", org)
    assert (error.error_code, error.message.splitlines()[-1]) == ("INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: nope")


def test_canonical_id() -> None:
    assert canonical_id("001Ab0000000xYz") == "001Ab0000000xYz"
    assert canonical_id("001ab0000000xyzQAA") is not None
    assert canonical_id("short") is None


def test_deleted_rows_only_with_include_deleted(org: FakeCatalog) -> None:
    org.records["Account"][1]["IsDeleted"] = True
    assert names(execute_soql("SELECT Name FROM Account", org)) == ["Acme", "Gamma_1"]
    result = execute_soql("SELECT Name, IsDeleted FROM Account WHERE IsDeleted = true", org, include_deleted=True)
    assert result.records == [{"Name": "beta", "IsDeleted": True}]


def test_values_are_python_values(org: FakeCatalog) -> None:
    record = execute_soql("SELECT CreatedDate, Birthdate FROM Contact WHERE LastName = 'Yamada'", org).records[0]
    assert record["CreatedDate"] == NOW - DAY
    assert record["Birthdate"] == dt.date(1990, 1, 31)


# ---------------------------------------------------------------------------------------------------------------
# Properties and speed

_STRING_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


@given(_STRING_TEXT)
def test_quoted_strings_round_trip_through_the_lexer(value: str) -> None:
    tokens = tokenize(Source(quote_string(value), "MALFORMED_QUERY"))
    assert [token.kind for token in tokens[:-1]] == [STRING]
    assert tokens[0].value == value


@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=30))
def test_any_name_can_be_found_by_equality(value: str) -> None:
    catalog = FakeCatalog()
    catalog.add("Account", Name=value)
    catalog.add("Account", Name=value + "x")
    result = execute_soql(f"SELECT Name FROM Account WHERE Name = {quote_string(value)}", catalog)
    assert names(result)[:1] == [value]


@given(st.text(st.sampled_from("abAB%_\\x"), max_size=8), st.text(st.sampled_from("abAB%_x"), max_size=8))
def test_like_without_wildcards_is_case_insensitive_equality(pattern_text: str, name: str) -> None:
    # Escape the wildcards so the pattern is a plain string; LIKE must then behave like case-insensitive "=".
    plain = pattern_text.replace("\\", "")
    escaped = plain.replace("%", "\\%").replace("_", "\\_")
    catalog = FakeCatalog()
    catalog.add("Account", Name=name or None)
    result = execute_soql(f"SELECT Name FROM Account WHERE Name LIKE '{escaped}'", catalog)
    assert bool(result.records) == (bool(name) and plain.lower() == name.lower())


@pytest.mark.perf  # a wall-clock bound: CI runs these apart (pytest -m perf)
def test_filtering_50000_rows_is_quick() -> None:
    catalog = FakeCatalog()
    for index in range(50_000):
        catalog.add("Account", Name=f"Account {index:05d}", NumberOfEmployees=index % 100,
                    Industry=("Tech", "Retail", None)[index % 3], stamp=NOW - (index % 60) * DAY)
    started = time.perf_counter()
    result = execute_soql(
        "SELECT Id, Name FROM Account WHERE (Industry = 'tech' OR Industry = null) AND NumberOfEmployees > 50 "
        "AND CreatedDate = LAST_N_DAYS:30 AND Name LIKE 'Account 1%' ORDER BY NumberOfEmployees DESC, Name LIMIT 500",
        catalog,
    )
    elapsed = time.perf_counter() - started
    assert result.total_size == 500
    assert elapsed < 3.0, elapsed
