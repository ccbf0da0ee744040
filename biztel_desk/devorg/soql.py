"""SOQL subset for the dev org: a recursive-descent parser to an AST, then compiled closures that evaluate it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from biztel_desk.devorg.lexer import (
    COLON,
    COMMA,
    DATE,
    DATETIME,
    DOT,
    EOF,
    IDENT,
    LPAREN,
    NUMBER,
    OP,
    RPAREN,
    STRING,
    Source,
    TokenStream,
)
from biztel_desk.devorg.model import Catalog, FieldDef, ObjectDef, QueryError

Row = dict[str, Any]
MAX_OFFSET = 2000

# ---------------------------------------------------------------------------------------------------------------
# AST


@dataclass(frozen=True)
class FieldPath:
    """``Name`` or ``Account.Owner.Name`` as written; resolved against the schema later."""

    parts: tuple[str, ...]
    line: int
    col: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Literal:
    """A value in a condition. ``kind``: string, number, boolean, null, date, datetime, relative.

    For ``relative`` (TODAY, LAST_N_DAYS:7 …) ``value`` is ``(NAME, n or None)``. ``raw`` is the source text,
    which LIKE re-reads because ``\\%`` and ``\\_`` only mean something there."""

    kind: str
    value: Any
    raw: str
    line: int
    col: int


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    operator: str  # = != < > <= >= LIKE IN NOT IN INCLUDES EXCLUDES ("<>" is normalised to "!=")
    value: Literal | tuple[Literal, ...]


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Condition, ...]


Condition = Comparison | Not | And | Or


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath
    descending: bool = False
    nulls_first: bool | None = None  # None: the default (ASC → NULLS FIRST, DESC → NULLS LAST)

    @property
    def effective_nulls_first(self) -> bool:
        return (not self.descending) if self.nulls_first is None else self.nulls_first


@dataclass(frozen=True)
class ObjectRef:
    name: str
    line: int
    col: int


@dataclass(frozen=True)
class SoqlQuery:
    fields: tuple[FieldPath, ...]
    is_count: bool
    sobject: ObjectRef
    alias: str | None
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    source: Source = field(compare=False, repr=False)


# ---------------------------------------------------------------------------------------------------------------
# Parser

# Relative date literals (Salesforce "Date Literals"); those taking ``:n`` are listed separately.
DATE_LITERALS = frozenset(
    {
        "TODAY", "YESTERDAY", "TOMORROW", "THIS_WEEK", "LAST_WEEK", "NEXT_WEEK", "THIS_MONTH", "LAST_MONTH",
        "NEXT_MONTH", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR", "LAST_90_DAYS", "NEXT_90_DAYS",
    }
)
N_DATE_LITERALS = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"})

# Words that end a FROM clause, so they cannot be an object alias.
_CLAUSE_WORDS = frozenset({"WHERE", "ORDER", "LIMIT", "OFFSET", "FOR", "ALL", "WITH", "GROUP", "HAVING", "USING"})


class ConditionParser:
    """The parts of the grammar SOQL and SOSL's RETURNING clause share: field paths, WHERE, ORDER BY, numbers."""

    def __init__(self, stream: TokenStream) -> None:
        self.stream = stream

    def parse_field_path(self) -> FieldPath:
        first = self.stream.expect(IDENT)
        parts = [first.text]
        while self.stream.accept(DOT):
            parts.append(self.stream.expect(IDENT).text)
        return FieldPath(tuple(parts), first.line, first.col)

    def parse_condition(self) -> Condition:
        # SOQL refuses to mix AND and OR without parentheses, so one level holds only one of them.
        first = self.parse_unary()
        joiner = self.stream.current
        if not joiner.is_keyword("AND", "OR"):
            return first
        word = joiner.text.upper()
        operands = [first]
        while self.stream.accept_keyword(word):
            operands.append(self.parse_unary())
        if self.stream.current.is_keyword("AND", "OR"):
            raise self.stream.unexpected()
        return And(tuple(operands)) if word == "AND" else Or(tuple(operands))

    def parse_unary(self) -> Condition:
        if self.stream.accept_keyword("NOT"):
            return Not(self.parse_unary())
        if self.stream.accept(LPAREN):
            inner = self.parse_condition()
            self.stream.expect(RPAREN)
            return inner
        return self.parse_comparison()

    def parse_comparison(self) -> Condition:
        path = self.parse_field_path()
        token = self.stream.current
        if token.kind == OP:
            self.stream.advance()
            operator = "!=" if token.text == "<>" else token.text
            return Comparison(path, operator, self.parse_value())
        if self.stream.accept_keyword("LIKE"):
            return Comparison(path, "LIKE", self.parse_value())
        if self.stream.accept_keyword("IN"):
            return Comparison(path, "IN", self.parse_value_list())
        if token.is_keyword("NOT") and self.stream.peek().is_keyword("IN"):
            self.stream.advance()
            self.stream.advance()
            return Comparison(path, "NOT IN", self.parse_value_list())
        if token.is_keyword("INCLUDES", "EXCLUDES"):
            self.stream.advance()
            return Comparison(path, token.text.upper(), self.parse_value_list())
        raise self.stream.unexpected()

    def parse_value_list(self) -> tuple[Literal, ...]:
        self.stream.expect(LPAREN)
        if self.stream.current.is_keyword("SELECT"):
            token = self.stream.current
            raise self.stream.source.syntax_error(
                "semi-join subqueries are not supported by the dev org", token.line, token.col
            )
        values = [self.parse_value()]
        while self.stream.accept(COMMA):
            values.append(self.parse_value())
        self.stream.expect(RPAREN)
        return tuple(values)

    def parse_value(self) -> Literal:
        token = self.stream.current
        kinds = {STRING: "string", NUMBER: "number", DATE: "date", DATETIME: "datetime"}
        if token.kind in kinds:
            self.stream.advance()
            return Literal(kinds[token.kind], token.value, token.text, token.line, token.col)
        if token.kind == IDENT:
            word = token.text.upper()
            if word in ("TRUE", "FALSE"):
                self.stream.advance()
                return Literal("boolean", word == "TRUE", token.text, token.line, token.col)
            if word == "NULL":
                self.stream.advance()
                return Literal("null", None, token.text, token.line, token.col)
            if word in DATE_LITERALS:
                self.stream.advance()
                return Literal("relative", (word, None), token.text, token.line, token.col)
            if word in N_DATE_LITERALS:
                self.stream.advance()
                self.stream.expect(COLON)
                number = self.stream.current
                if number.kind != NUMBER or not isinstance(number.value, int) or number.value < 0:
                    raise self.stream.unexpected()
                self.stream.advance()
                return Literal("relative", (word, number.value), f"{token.text}:{number.text}", token.line, token.col)
        raise self.stream.unexpected()

    def parse_order_by(self) -> tuple[OrderItem, ...]:
        items = [self._parse_order_item()]
        while self.stream.accept(COMMA):
            items.append(self._parse_order_item())
        return tuple(items)

    def _parse_order_item(self) -> OrderItem:
        path = self.parse_field_path()
        descending = False
        direction = self.stream.accept_keyword("ASC", "DESC")
        if direction is not None:
            descending = direction.text.upper() == "DESC"
        nulls_first: bool | None = None
        if self.stream.accept_keyword("NULLS"):
            which = self.stream.accept_keyword("FIRST", "LAST")
            if which is None:
                raise self.stream.unexpected()
            nulls_first = which.text.upper() == "FIRST"
        return OrderItem(path, descending, nulls_first)

    def parse_non_negative_int(self) -> int:
        token = self.stream.current
        if token.kind != NUMBER or not isinstance(token.value, int) or token.value < 0 or token.text[0] in "+-":
            raise self.stream.unexpected()
        self.stream.advance()
        return token.value


def parse_soql(text: str) -> SoqlQuery:
    """Parse a SOQL query into its AST; syntax errors raise QueryError("MALFORMED_QUERY", …)."""
    source = Source(text, "MALFORMED_QUERY")
    stream = TokenStream(source)
    parser = ConditionParser(stream)
    stream.expect_keyword("SELECT")
    fields: list[FieldPath] = []
    is_count = False
    if stream.current.is_keyword("COUNT") and stream.peek().kind == LPAREN:
        stream.advance()
        stream.advance()
        stream.expect(RPAREN)
        is_count = True
    else:
        while True:
            if stream.current.kind == LPAREN:
                token = stream.current
                raise source.syntax_error(
                    "relationship subqueries are not supported by the dev org", token.line, token.col
                )
            fields.append(parser.parse_field_path())
            if not stream.accept(COMMA):
                break
    stream.expect_keyword("FROM")
    object_token = stream.expect(IDENT)
    sobject = ObjectRef(object_token.text, object_token.line, object_token.col)
    alias: str | None = None
    if stream.current.kind == IDENT and stream.current.text.upper() not in _CLAUSE_WORDS:
        alias = stream.advance().text
    where = parser.parse_condition() if stream.accept_keyword("WHERE") else None
    order_by: tuple[OrderItem, ...] = ()
    if stream.accept_keyword("ORDER"):
        stream.expect_keyword("BY")
        order_by = parser.parse_order_by()
    limit = parser.parse_non_negative_int() if stream.accept_keyword("LIMIT") else None
    offset = parser.parse_non_negative_int() if stream.accept_keyword("OFFSET") else None
    token = stream.current
    if token.is_keyword("FOR") and stream.peek().is_keyword("UPDATE", "VIEW", "REFERENCE"):
        raise source.syntax_error("FOR UPDATE/VIEW/REFERENCE is not supported by the dev org", token.line, token.col)
    if token.is_keyword("ALL") and stream.peek().is_keyword("ROWS"):
        raise source.syntax_error("ALL ROWS is only valid in Apex; use queryAll", token.line, token.col)
    if token.kind != EOF:
        raise stream.unexpected()
    return SoqlQuery(tuple(fields), is_count, sobject, alias, where, order_by, limit, offset, source)


# ---------------------------------------------------------------------------------------------------------------
# Schema resolution: field paths → getters

_CUSTOM_FIELD_HINT = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)
_CUSTOM_RELATIONSHIP_HINT = (
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom "
    "relationship name. Please reference your WSDL or the describe call for the appropriate names."
)
_CUSTOM_OBJECT_HINT = (
    "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)

Typed = tuple[str, Row]  # (object API name, record)
ParentStep = Callable[[Typed], Typed | None]


def resolve_object(catalog: Catalog, ref: ObjectRef, source: Source, *, for_search: bool = False) -> ObjectDef:
    """The ObjectDef FROM / RETURNING names, or INVALID_TYPE when it is unknown, hidden or not usable here."""
    obj = catalog.object_def(ref.name)
    if obj is None:
        raise source.error(
            "INVALID_TYPE", f"sObject type '{ref.name}' is not supported. {_CUSTOM_OBJECT_HINT}", ref.line, ref.col
        )
    if for_search and not obj.searchable:
        raise source.error("INVALID_TYPE", f"entity type {obj.name} does not support search", ref.line, ref.col)
    if not for_search and not obj.queryable:
        raise source.error("INVALID_TYPE", f"entity type {obj.name} does not support query", ref.line, ref.col)
    return obj


@dataclass
class ResolvedField:
    """A field path bound to the schema: its output keys, its type, and how to read it from a row."""

    path: FieldPath
    keys: tuple[str, ...]  # exact API names: relationship names then the field name
    field: FieldDef
    steps: tuple[ParentStep, ...]
    final: Callable[[Typed], Any]
    getter: Callable[[Row], Any]


class FieldResolver:
    """Binds field paths to one object's schema; parent lookups share one cache for the whole query."""

    def __init__(self, catalog: Catalog, obj: ObjectDef, source: Source, alias: str | None = None) -> None:
        self.catalog = catalog
        self.obj = obj
        self.source = source
        self.alias = alias
        self._parents: dict[Any, Typed | None] = {}

    def _lookup(self, record_id: Any) -> Typed | None:
        if not record_id:
            return None
        try:
            return self._parents[record_id]
        except KeyError:
            found = self.catalog.get(str(record_id))
            self._parents[record_id] = found
            return found

    def _relationship(self, obj: ObjectDef, name: str) -> FieldDef | None:
        lower = name.lower()
        for candidate in obj.fields.values():
            if candidate.type == "reference" and (candidate.relationship_name or "").lower() == lower:
                return candidate
        return None

    def _invalid_field(self, path: FieldPath, message: str) -> QueryError:
        return self.source.error("INVALID_FIELD", message, path.line, path.col)

    def resolve(self, path: FieldPath) -> ResolvedField:
        parts = list(path.parts)
        if len(parts) > 1:
            head = parts[0].lower()
            if (self.alias is not None and head == self.alias.lower()) or (
                head == self.obj.name.lower() and self._relationship(self.obj, parts[0]) is None
            ):
                parts = parts[1:]
        obj = self.obj
        keys: list[str] = []
        steps: list[ParentStep] = []
        for index, part in enumerate(parts[:-1]):
            ref = self._relationship(obj, part)
            if ref is None:
                raise self._invalid_field(
                    path, f"Didn't understand relationship '{part}' in field path. {_CUSTOM_RELATIONSHIP_HINT}"
                )
            keys.append(ref.relationship_name or part)
            steps.append(self._parent_step(ref.name))
            targets = [t for t in (self.catalog.object_def(name) for name in ref.reference_to) if t is not None]
            if len(ref.reference_to) > 1:
                # Polymorphic (Who, What, Owner): Salesforce only allows one more field after it, read
                # from whichever object the Id turns out to be.
                if index != len(parts) - 2:
                    raise self._invalid_field(
                        path, f"Didn't understand relationship '{parts[index + 1]}' in field path. "
                        f"{_CUSTOM_RELATIONSHIP_HINT}"
                    )
                return self._polymorphic(path, parts[-1], keys, steps, targets)
            if not targets:
                raise self._invalid_field(
                    path, f"Didn't understand relationship '{part}' in field path. {_CUSTOM_RELATIONSHIP_HINT}"
                )
            obj = targets[0]
        found = obj.field(parts[-1])
        if found is None:
            raise self._invalid_field(path, f"No such column '{parts[-1]}' on entity '{obj.name}'. {_CUSTOM_FIELD_HINT}")
        name = found.name
        keys.append(name)
        return self._bind(path, tuple(keys), found, tuple(steps), lambda typed: typed[1].get(name))

    def _polymorphic(
        self, path: FieldPath, name: str, keys: list[str], steps: list[ParentStep], targets: Sequence[ObjectDef]
    ) -> ResolvedField:
        per_object: dict[str, str] = {}
        representative: FieldDef | None = None
        for target in targets:
            found = target.field(name)
            if found is not None:
                per_object[target.name.lower()] = found.name
                representative = representative or found
        if representative is None:
            if name.lower() == "type":
                keys.append("Type")
                return self._bind(path, tuple(keys), FieldDef("Type", "string"), tuple(steps), lambda typed: typed[0])
            shown = targets[0].name if targets else "Name"
            raise self._invalid_field(path, f"No such column '{name}' on entity '{shown}'. {_CUSTOM_FIELD_HINT}")
        keys.append(representative.name)

        def final(typed: Typed) -> Any:
            exact = per_object.get(typed[0].lower())
            return typed[1].get(exact) if exact is not None else None

        return self._bind(path, tuple(keys), representative, tuple(steps), final)

    def _parent_step(self, reference_field: str) -> ParentStep:
        lookup = self._lookup
        return lambda typed: lookup(typed[1].get(reference_field))

    def _bind(
        self,
        path: FieldPath,
        keys: tuple[str, ...],
        found: FieldDef,
        steps: tuple[ParentStep, ...],
        final: Callable[[Typed], Any],
    ) -> ResolvedField:
        object_name = self.obj.name
        getter: Callable[[Row], Any]
        if not steps:
            name = keys[-1]
            getter = lambda row: row.get(name)  # noqa: E731 - the hot path: avoid the generic walk
        else:

            def getter(row: Row) -> Any:
                typed: Typed | None = (object_name, row)
                for step in steps:
                    typed = step(typed) if typed is not None else None
                return final(typed) if typed is not None else None

        return ResolvedField(path, keys, found, steps, final, getter)


class Projection:
    """Builds the output dict of a row: keys in SELECT order, parent fields as nested dicts (None if no parent)."""

    def __init__(self, object_name: str, fields: Sequence[ResolvedField]) -> None:
        self.object_name = object_name
        self.fields = list(fields)

    def __call__(self, row: Row) -> Row:
        out: Row = {}
        for resolved in self.fields:
            if not resolved.steps:
                out[resolved.keys[0]] = row.get(resolved.keys[0])
                continue
            container = out
            typed: Typed | None = (self.object_name, row)
            for key, step in zip(resolved.keys, resolved.steps, strict=False):
                assert typed is not None
                typed = step(typed)
                if typed is None:
                    container[key] = None
                    break
                existing = container.get(key)
                if not isinstance(existing, dict):
                    existing = {}
                    container[key] = existing
                container = existing
            if typed is not None:
                container[resolved.keys[-1]] = resolved.final(typed)
        return out


def check_duplicates(resolved: Sequence[ResolvedField], source: Source, code: str) -> None:
    seen: set[tuple[str, ...]] = set()
    for item in resolved:
        key = tuple(part.lower() for part in item.keys)
        if key in seen:
            raise source.error(code, f"duplicate field selected: {'.'.join(item.keys)}", item.path.line, item.path.col)
        seen.add(key)


# ---------------------------------------------------------------------------------------------------------------
# Value families: how a field type normalises, compares and sorts

_NUMERIC = {"int", "double", "currency", "percent"}
_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def family_of(field_def: FieldDef) -> str:
    kind = field_def.type
    if kind in _NUMERIC:
        return "number"
    if kind in ("id", "reference"):
        return "id"
    if kind in ("boolean", "date", "datetime", "multipicklist"):
        return kind
    return "text"


def canonical_id(value: str) -> str | None:
    """The case-exact 15-character form of a 15- or 18-character Id (None if it is not Id-shaped).

    The 18-character suffix encodes which of the first 15 characters are upper case, which is what makes
    18-character Ids case-insensitive; decoding it lets either form match a stored Id."""
    if len(value) == 15:
        return value
    if len(value) != 18:
        return None
    chars = list(value[:15])
    for chunk in range(3):
        bits = _ID_CHARS.find(value[15 + chunk].upper())
        if bits < 0:
            return None
        for offset in range(5):
            index = chunk * 5 + offset
            chars[index] = chars[index].upper() if bits & (1 << offset) else chars[index].lower()
    return "".join(chars)


def _id_key(value: Any) -> Any:
    if value is None or value == "":
        return None
    return canonical_id(str(value)) or str(value)


def _text_key(value: Any) -> Any:
    # Salesforce stores an empty text value as null, so '' and None are the same thing.
    if value is None or value == "":
        return None
    return str(value).casefold()


def _multi_key(value: Any) -> frozenset[str] | None:
    if value is None or value == "":
        return None
    return frozenset(item.strip().casefold() for item in str(value).split(";") if item.strip())


def _datetime_key(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)  # the model promises aware UTC; be lenient with naive values
    return value


def _identity(value: Any) -> Any:
    return value


def sort_key_for(field_def: FieldDef) -> Callable[[Any], Any]:
    family = family_of(field_def)
    if family in ("text", "multipicklist"):
        return _text_key
    if family == "id":
        return _id_key
    if family == "datetime":
        return _datetime_key
    return _identity


def _month_start(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def relative_date_range(name: str, n: int | None, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The half-open day range [start, end) a date literal covers, in UTC.

    Salesforce uses the user's time zone and locale (week start); the dev org uses UTC and a Sunday week
    start (en_US). LAST_N_DAYS:n includes today, so LAST_N_DAYS:1 is yesterday and today."""
    today = now.astimezone(dt.UTC).date()
    one = dt.timedelta(days=1)
    week_start = today - dt.timedelta(days=(today.weekday() + 1) % 7)
    ranges: dict[str, tuple[dt.date, dt.date]] = {
        "TODAY": (today, today + one),
        "YESTERDAY": (today - one, today),
        "TOMORROW": (today + one, today + 2 * one),
        "THIS_WEEK": (week_start, week_start + 7 * one),
        "LAST_WEEK": (week_start - 7 * one, week_start),
        "NEXT_WEEK": (week_start + 7 * one, week_start + 14 * one),
        "THIS_MONTH": (_month_start(today, 0), _month_start(today, 1)),
        "LAST_MONTH": (_month_start(today, -1), _month_start(today, 0)),
        "NEXT_MONTH": (_month_start(today, 1), _month_start(today, 2)),
        "THIS_YEAR": (dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1)),
        "LAST_YEAR": (dt.date(today.year - 1, 1, 1), dt.date(today.year, 1, 1)),
        "NEXT_YEAR": (dt.date(today.year + 1, 1, 1), dt.date(today.year + 2, 1, 1)),
        "LAST_90_DAYS": (today - 90 * one, today + one),
        "NEXT_90_DAYS": (today + one, today + 91 * one),
    }
    if name in ranges:
        return ranges[name]
    count = n or 0
    if name == "LAST_N_DAYS":
        return today - count * one, today + one
    if name == "NEXT_N_DAYS":
        return today + one, today + (count + 1) * one
    if name == "N_DAYS_AGO":
        return today - count * one, today - (count - 1) * one
    raise ValueError(name)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# ---------------------------------------------------------------------------------------------------------------
# Condition compilation

Predicate = Callable[[Row], bool]
_FAMILY_TYPE_NAMES = {"number": "double", "boolean": "boolean", "date": "date", "datetime": "dateTime"}


class ConditionCompiler:
    """Turns a WHERE AST into one closure per query, type-checking literals against the fields once."""

    def __init__(self, resolver: FieldResolver, now: dt.datetime) -> None:
        self.resolver = resolver
        self.source = resolver.source
        self.now = now

    def compile(self, condition: Condition) -> Predicate:
        if isinstance(condition, And):
            parts = [self.compile(operand) for operand in condition.operands]
            return lambda row: all(part(row) for part in parts)
        if isinstance(condition, Or):
            parts = [self.compile(operand) for operand in condition.operands]
            return lambda row: any(part(row) for part in parts)
        if isinstance(condition, Not):
            inner = self.compile(condition.operand)
            return lambda row: not inner(row)
        return self._comparison(condition)

    # -- literals -------------------------------------------------------------------------------------------

    def _type_error(self, resolved: ResolvedField, literal: Literal, family: str) -> QueryError:
        name = resolved.keys[-1]
        if family in ("text", "id", "multipicklist"):
            message = f"value of filter criterion for field '{name}' must be of type string and should be enclosed in quotes"
        else:
            message = (
                f"value of filter criterion for field '{name}' must be of type {_FAMILY_TYPE_NAMES[family]} "
                "and should not be enclosed in quotes"
            )
        return self.source.error("INVALID_FIELD", message, literal.line, literal.col)

    def _point(self, resolved: ResolvedField, family: str, literal: Literal) -> Any:
        """The normalised key a literal compares as (text/id/number/boolean/multipicklist families)."""
        if literal.kind == "null":
            return None
        if family in ("text", "id", "multipicklist"):
            if literal.kind != "string":
                raise self._type_error(resolved, literal, family)
            if family == "text":
                return _text_key(literal.value)
            if family == "multipicklist":
                return _multi_key(literal.value)
            if literal.value == "":
                return None
            canonical = canonical_id(literal.value)
            if canonical is None:
                raise self.source.error(
                    "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {literal.value}", literal.line, literal.col
                )
            return canonical
        if family == "number" and literal.kind == "number":
            return literal.value
        if family == "boolean" and literal.kind == "boolean":
            return literal.value
        raise self._type_error(resolved, literal, family)

    def _range(self, resolved: ResolvedField, family: str, literal: Literal) -> tuple[Any, Any] | None:
        """The half-open [start, end) a literal covers on a date or datetime field (None for null)."""
        if literal.kind == "null":
            return None
        if literal.kind == "relative":
            start, end = relative_date_range(literal.value[0], literal.value[1], self.now)
            if family == "date":
                return start, end
            return _midnight(start), _midnight(end)
        if family == "date" and literal.kind == "date":
            return literal.value, literal.value + dt.timedelta(days=1)
        if family == "datetime" and literal.kind == "datetime":
            return literal.value, literal.value + dt.timedelta(microseconds=1)
        raise self._type_error(resolved, literal, family)

    # -- comparisons ----------------------------------------------------------------------------------------

    def _comparison(self, comparison: Comparison) -> Predicate:
        resolved = self.resolver.resolve(comparison.field)
        family = family_of(resolved.field)
        getter = resolved.getter
        operator = comparison.operator
        if operator == "LIKE":
            return self._like(resolved, family, comparison)
        if operator in ("INCLUDES", "EXCLUDES"):
            return self._includes(resolved, family, comparison)
        key: Callable[[Any], Any] = sort_key_for(resolved.field)
        if family == "multipicklist":
            key = _multi_key  # = and IN compare the set of selected values, whatever their order
        if family in ("date", "datetime"):
            return self._ranged(resolved, family, comparison, getter, key)
        if operator in ("IN", "NOT IN"):
            assert isinstance(comparison.value, tuple)
            members = frozenset(self._point(resolved, family, literal) for literal in comparison.value)
            if operator == "IN":
                return lambda row: key(getter(row)) in members
            return lambda row: key(getter(row)) not in members
        assert isinstance(comparison.value, Literal)
        if family == "multipicklist" and operator not in ("=", "!="):
            raise self.source.error(
                "INVALID_QUERY_FILTER_OPERATOR",
                f"invalid operator on multipicklist field: {resolved.keys[-1]}",
                comparison.value.line,
                comparison.value.col,
            )
        target = self._point(resolved, family, comparison.value)
        return _point_predicate(operator, target, getter, key)

    def _ranged(
        self,
        resolved: ResolvedField,
        family: str,
        comparison: Comparison,
        getter: Callable[[Row], Any],
        key: Callable[[Any], Any],
    ) -> Predicate:
        operator = comparison.operator
        if operator in ("IN", "NOT IN"):
            assert isinstance(comparison.value, tuple)
            ranges = [self._range(resolved, family, literal) for literal in comparison.value]

            def inside(row: Row) -> bool:
                value = key(getter(row))
                return any(
                    (value is None) if span is None else (value is not None and span[0] <= value < span[1])
                    for span in ranges
                )

            if operator == "IN":
                return inside
            return lambda row: not inside(row)
        assert isinstance(comparison.value, Literal)
        span = self._range(resolved, family, comparison.value)
        if span is None:
            return _point_predicate(operator, None, getter, key)
        start, end = span

        def within(row: Row) -> bool:
            value = key(getter(row))
            return value is not None and start <= value < end

        if operator == "=":
            return within
        if operator == "!=":
            return lambda row: not within(row)
        tests: dict[str, Callable[[Any], bool]] = {
            "<": lambda value: value < start,
            "<=": lambda value: value < end,
            ">": lambda value: value >= end,
            ">=": lambda value: value >= start,
        }
        test = tests[operator]

        def compare(row: Row) -> bool:
            value = key(getter(row))
            return value is not None and test(value)

        return compare

    def _like(self, resolved: ResolvedField, family: str, comparison: Comparison) -> Predicate:
        literal = comparison.value
        assert isinstance(literal, Literal)
        if family not in ("text", "id"):
            raise self.source.error(
                "INVALID_QUERY_FILTER_OPERATOR",
                f"invalid operator on field: LIKE is not valid for field '{resolved.keys[-1]}'",
                literal.line,
                literal.col,
            )
        if literal.kind != "string":
            raise self._type_error(resolved, literal, family)
        pattern = like_regex(literal.raw)
        getter = resolved.getter

        def matches(row: Row) -> bool:
            value = getter(row)
            return value is not None and pattern.fullmatch(str(value)) is not None

        return matches

    def _includes(self, resolved: ResolvedField, family: str, comparison: Comparison) -> Predicate:
        assert isinstance(comparison.value, tuple)
        if family != "multipicklist":
            first = comparison.value[0]
            raise self.source.error(
                "INVALID_QUERY_FILTER_OPERATOR",
                "includes or excludes operator only valid on multipicklist field",
                first.line,
                first.col,
            )
        wanted = [self._point(resolved, family, literal) for literal in comparison.value]
        groups = [group for group in wanted if group]
        getter = resolved.getter

        def includes(row: Row) -> bool:
            stored = _multi_key(getter(row))
            return stored is not None and any(group <= stored for group in groups)

        if comparison.operator == "INCLUDES":
            return includes
        return lambda row: not includes(row)


def _point_predicate(operator: str, target: Any, getter: Callable[[Row], Any], key: Callable[[Any], Any]) -> Predicate:
    if target is None:
        # SOQL's null comparisons: "= null" is "is null", "!= null" is "is not null", others never match.
        if operator == "=":
            return lambda row: key(getter(row)) is None
        if operator == "!=":
            return lambda row: key(getter(row)) is not None
        return lambda row: False
    if operator == "=":
        return lambda row: key(getter(row)) == target
    if operator == "!=":
        # Unlike SQL, SOQL's != also returns rows where the field is null.
        return lambda row: key(getter(row)) != target
    tests: dict[str, Callable[[Any], bool]] = {
        "<": lambda value: value < target,
        "<=": lambda value: value <= target,
        ">": lambda value: value > target,
        ">=": lambda value: value >= target,
    }
    test = tests[operator]

    def compare(row: Row) -> bool:
        value = key(getter(row))
        return value is not None and test(value)

    return compare


def like_regex(raw_literal: str) -> re.Pattern[str]:
    """A case-insensitive regex for a LIKE pattern, read from the literal's source text (quotes included)."""
    body = raw_literal[1:-1]
    escapes = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            nxt = body[index + 1]
            if nxt == "u" and index + 5 < len(body):
                out.append(re.escape(chr(int(body[index + 2 : index + 6], 16))))
                index += 6
                continue
            out.append(re.escape(escapes.get(nxt, nxt)))
            index += 2
            continue
        if char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


# ---------------------------------------------------------------------------------------------------------------
# Ordering and execution


def order_rows(rows: list[Row], items: Sequence[tuple[Callable[[Row], Any], OrderItem]]) -> list[Row]:
    """Sort by several keys with per-key direction and null placement (stable sorts, last key first)."""
    ordered = rows
    for getter, item in reversed(items):
        keyed = [(getter(row), row) for row in ordered]
        present = [pair for pair in keyed if pair[0] is not None]
        present.sort(key=lambda pair: pair[0], reverse=item.descending)
        nulls = [pair[1] for pair in keyed if pair[0] is None]
        values = [pair[1] for pair in present]
        ordered = nulls + values if item.effective_nulls_first else values + nulls
    return ordered


def order_getters(resolver: FieldResolver, items: Sequence[OrderItem]) -> list[tuple[Callable[[Row], Any], OrderItem]]:
    getters: list[tuple[Callable[[Row], Any], OrderItem]] = []
    for item in items:
        resolved = resolver.resolve(item.field)
        key = sort_key_for(resolved.field)
        raw = resolved.getter
        if family_of(resolved.field) == "multipicklist":
            key = _text_key
        getters.append((_keyed(raw, key), item))
    return getters


def _keyed(getter: Callable[[Row], Any], key: Callable[[Any], Any]) -> Callable[[Row], Any]:
    return lambda row: key(getter(row))


def live_rows(catalog: Catalog, object_name: str, include_deleted: bool) -> Iterable[Row]:
    rows = catalog.rows(object_name, include_deleted)
    if include_deleted:
        return rows  # queryAll: deleted and archived rows too
    archived = getattr(catalog, "archived", None)  # the org store: archived activities (query leaves them out)
    # Defensive: the catalog should already leave deleted rows out.
    return (row for row in rows if not row.get("IsDeleted") and not (archived and archived(object_name, row)))


@dataclass
class SoqlResult:
    object_name: str  # exact API name of the FROM object
    records: list[dict[str, Any]]
    total_size: int  # rows returned (after LIMIT/OFFSET); for COUNT() the count
    is_count: bool
    ids: list[str] = field(default_factory=list)  # each row's Id, selected or not: attributes.url needs it


def execute_soql(text: str, catalog: Catalog, *, include_deleted: bool = False) -> SoqlResult:
    """Run a SOQL query against the catalog (``include_deleted`` is queryAll)."""
    query = parse_soql(text)
    obj = resolve_object(catalog, query.sobject, query.source)
    resolver = FieldResolver(catalog, obj, query.source, query.alias)
    selected = [resolver.resolve(path) for path in query.fields]
    check_duplicates(selected, query.source, "MALFORMED_QUERY")
    predicate = ConditionCompiler(resolver, catalog.now()).compile(query.where) if query.where else None
    ordering = order_getters(resolver, query.order_by)
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise QueryError("NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")

    rows = live_rows(catalog, obj.name, include_deleted)
    matched = [row for row in rows if predicate(row)] if predicate is not None else list(rows)
    if ordering:
        matched = order_rows(matched, ordering)
    start = query.offset or 0
    end = None if query.limit is None else start + query.limit
    window = matched[start:end]
    if query.is_count:
        return SoqlResult(obj.name, [], len(window), True)
    project = Projection(obj.name, selected)
    records = [project(row) for row in window]
    return SoqlResult(obj.name, records, len(records), False, [str(row.get("Id") or "") for row in window])
