"""SOSL subset for the dev org: FIND {…} IN … FIELDS RETURNING …, parsed to an AST and evaluated over the catalog."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from biztel_desk.devorg.lexer import BRACES, COMMA, EOF, IDENT, LPAREN, RPAREN, STRING, Source, TokenStream
from biztel_desk.devorg.model import Catalog, FieldDef, ObjectDef, QueryError
from biztel_desk.devorg.soql import (
    MAX_OFFSET,
    Condition,
    ConditionCompiler,
    ConditionParser,
    FieldPath,
    FieldResolver,
    ObjectRef,
    OrderItem,
    Projection,
    check_duplicates,
    live_rows,
    order_getters,
    order_rows,
    resolve_object,
)

Row = dict[str, Any]

MAX_ROWS = 2000  # SOSL's default and maximum overall LIMIT
MAX_SEARCH_CHARS = 10_000  # a longer search string returns no rows
MAX_OPERATOR_CHARS = 4_000  # a longer search string loses its logical operators
DEFAULT_OBJECTS = ("Account", "Contact", "Lead")  # searched, Id only, when RETURNING is left out
SCOPES = ("ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR")

# Characters that must be escaped inside FIND {…}. Unescaped ``*``/``?`` are wildcards, ``"`` quotes a phrase
# and ``( )`` group. Assumption (unverified): the rest are refused as MALFORMED_SEARCH when unescaped, except
# ``+ - '`` which appear in ordinary text (O'Brien, 03-1234-5678) and are read as literal characters.
_REFUSED_UNESCAPED = frozenset("{}[]^~:!&|")
_RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")

# ---------------------------------------------------------------------------------------------------------------
# AST


@dataclass(frozen=True)
class Piece:
    """Part of a search term: literal text, or a wildcard (``*`` any run, ``?`` one character)."""

    text: str
    wildcard: bool = False


@dataclass(frozen=True)
class SearchTerm:
    pieces: tuple[Piece, ...]
    phrase: bool  # written in double quotes
    line: int
    col: int

    @property
    def literal(self) -> str:
        return "".join(piece.text for piece in self.pieces if not piece.wildcard)

    @property
    def has_wildcard(self) -> bool:
        return any(piece.wildcard for piece in self.pieces)


@dataclass(frozen=True)
class SearchAnd:
    operands: tuple[SearchExpr, ...]


@dataclass(frozen=True)
class SearchOr:
    operands: tuple[SearchExpr, ...]


@dataclass(frozen=True)
class SearchAndNot:
    left: SearchExpr
    right: SearchExpr


SearchExpr = SearchTerm | SearchAnd | SearchOr | SearchAndNot


@dataclass(frozen=True)
class ReturningSpec:
    sobject: ObjectRef
    fields: tuple[FieldPath, ...]
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class SoslQuery:
    search_text: str  # the raw text between the braces (or quotes)
    search: SearchExpr | None  # None when the search string is over 10,000 characters: no rows
    scope: str  # ALL, NAME, EMAIL, PHONE, SIDEBAR
    returning: tuple[ReturningSpec, ...]  # empty: RETURNING left out
    limit: int | None
    source: Source = field(compare=False, repr=False)


# ---------------------------------------------------------------------------------------------------------------
# The search string inside FIND {…}


@dataclass(frozen=True)
class _SearchToken:
    kind: str  # WORD, PHRASE, (, ), EOF
    pieces: tuple[Piece, ...]
    plain: str | None  # the word as written when it has no escapes/wildcards (to spot AND/OR/NOT)
    line: int
    col: int


class _SearchStringParser:
    """Lexes and parses the search string; positions are reported in the whole query's coordinates."""

    def __init__(self, source: Source, text: str, offset: int) -> None:
        self.source = source
        self.text = text
        self.offset = offset
        self.tokens = self._lex()
        self.index = 0

    def _error(self, message: str, index: int) -> QueryError:
        line, col = self.source.line_col(self.offset + index)
        return self.source.syntax_error(message, line, col)

    def _lex(self) -> list[_SearchToken]:
        text = self.text
        tokens: list[_SearchToken] = []
        index = 0
        while True:
            while index < len(text) and text[index].isspace():
                index += 1
            line, col = self.source.line_col(self.offset + index)
            if index >= len(text):
                tokens.append(_SearchToken("EOF", (), None, line, col))
                return tokens
            char = text[index]
            if char in "()":
                tokens.append(_SearchToken(char, (), None, line, col))
                index += 1
                continue
            phrase = char == '"'
            start = index
            if phrase:
                index += 1
            pieces: list[Piece] = []
            literal: list[str] = []
            plain = True
            while index < len(text):
                char = text[index]
                if phrase and char == '"':
                    break
                if not phrase and (char.isspace() or char in '()"'):
                    break
                if char == "\\":
                    if index + 1 >= len(text):
                        raise self._error("a search string cannot end with a backslash", index)
                    literal.append(text[index + 1])
                    plain = False
                    index += 2
                    continue
                if char in "*?":
                    if literal:
                        pieces.append(Piece("".join(literal)))
                        literal = []
                    pieces.append(Piece(char, wildcard=True))
                    plain = False
                elif char in _REFUSED_UNESCAPED:
                    raise self._error(f"reserved character '{char}' must be escaped with a backslash", index)
                else:
                    literal.append(char)
                index += 1
            if phrase:
                if index >= len(text):
                    raise self._error("unterminated quoted phrase", start)
                index += 1
            if literal:
                pieces.append(Piece("".join(literal)))
            kind = "PHRASE" if phrase else "WORD"
            word = text[start:index] if plain and not phrase else None
            tokens.append(_SearchToken(kind, tuple(pieces), word, line, col))

    @property
    def _current(self) -> _SearchToken:
        return self.tokens[self.index]

    def _is_operator(self, token: _SearchToken, *words: str) -> bool:
        return token.kind == "WORD" and token.plain is not None and token.plain.upper() in words

    def _unexpected(self, token: _SearchToken) -> QueryError:
        shown = "<EOF>" if token.kind == "EOF" else (token.plain or token.kind)
        return self.source.syntax_error(f"unexpected token: '{shown}'", token.line, token.col)

    def _term(self, token: _SearchToken, pieces: tuple[Piece, ...], phrase: bool) -> SearchTerm:
        term = SearchTerm(pieces, phrase, token.line, token.col)
        if len(term.literal.strip()) < 2:
            raise self.source.syntax_error("search term must be longer than one character", token.line, token.col)
        return term

    def parse(self) -> SearchExpr:
        if self._current.kind == "EOF":
            raise self.source.syntax_error(
                "search term must be longer than one character", self._current.line, self._current.col
            )
        expr = self._or()
        if self._current.kind != "EOF":
            raise self._unexpected(self._current)
        return expr

    def parse_without_operators(self) -> SearchExpr:
        """Over 4,000 characters Salesforce drops the logical operators: every word becomes one phrase."""
        words = [t for t in self.tokens if t.kind in ("WORD", "PHRASE") and not self._is_operator(t, "AND", "OR", "NOT")]
        if not words:
            return self.parse()
        pieces: list[Piece] = []
        for position, token in enumerate(words):
            if position:
                pieces.append(Piece(" "))
            pieces.extend(token.pieces)
        return self._term(words[0], tuple(pieces), True)

    def _or(self) -> SearchExpr:
        operands = [self._and()]
        while self._is_operator(self._current, "OR"):
            self.index += 1
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else SearchOr(tuple(operands))

    def _and(self) -> SearchExpr:
        expr = self._primary()
        while True:
            current = self._current
            if self._is_operator(current, "AND"):
                self.index += 1
                if self._is_operator(self._current, "NOT"):
                    self.index += 1
                    expr = SearchAndNot(expr, self._primary())
                else:
                    expr = _and_of(expr, self._primary())
            elif current.kind in ("WORD", "PHRASE", "(") and not self._is_operator(current, "OR"):
                # Salesforce reads adjacent words as AND.
                expr = _and_of(expr, self._primary())
            else:
                return expr

    def _primary(self) -> SearchExpr:
        token = self._current
        if token.kind == "(":
            self.index += 1
            inner = self._or()
            if self._current.kind != ")":
                raise self._unexpected(self._current)
            self.index += 1
            return inner
        if token.kind in ("WORD", "PHRASE") and not self._is_operator(token, "AND", "OR", "NOT"):
            self.index += 1
            return self._term(token, token.pieces, token.kind == "PHRASE")
        raise self._unexpected(token)


def _and_of(left: SearchExpr, right: SearchExpr) -> SearchExpr:
    if isinstance(left, SearchAnd):
        return SearchAnd((*left.operands, right))
    return SearchAnd((left, right))


def escape_search_term(term: str) -> str:
    """``term`` with every SOSL reserved character backslash-escaped, for use inside FIND {…}.

    A term that is itself an operator word (AND, OR, NOT) gets its first letter escaped so it is read as text."""
    escaped = "".join("\\" + char if char in _RESERVED else char for char in term)
    if term.upper() in ("AND", "OR", "NOT"):
        escaped = "\\" + escaped
    return escaped


# ---------------------------------------------------------------------------------------------------------------
# Query parser


def parse_sosl(text: str) -> SoslQuery:
    """Parse a SOSL search into its AST; syntax errors raise QueryError("MALFORMED_SEARCH", …)."""
    source = Source(text, "MALFORMED_SEARCH")
    stream = TokenStream(source)
    parser = ConditionParser(stream)
    stream.expect_keyword("FIND")
    token = stream.current
    if token.kind == BRACES:
        search_text = str(token.value)
    elif token.kind == STRING:
        search_text = token.text[1:-1]  # the raw text: the search-string lexer handles the escapes
    else:
        raise source.syntax_error(
            "No search term found. The search term must be enclosed in braces.", token.line, token.col
        )
    stream.advance()
    search: SearchExpr | None = None
    # Over 10,000 characters Salesforce returns no rows (and no error), so the text is not even read.
    if len(search_text) <= MAX_SEARCH_CHARS:
        search_parser = _SearchStringParser(source, search_text, token.pos + 1)
        if len(search_text) > MAX_OPERATOR_CHARS:
            search = search_parser.parse_without_operators()
        else:
            search = search_parser.parse()

    scope = "ALL"
    if stream.accept_keyword("IN"):
        word = stream.current
        if not word.is_keyword(*SCOPES):
            raise stream.unexpected()
        scope = stream.advance().text.upper()
        stream.expect_keyword("FIELDS")
    returning: list[ReturningSpec] = []
    if stream.accept_keyword("RETURNING"):
        returning.append(_parse_returning(parser))
        while stream.accept(COMMA):
            returning.append(_parse_returning(parser))
    limit = parser.parse_non_negative_int() if stream.accept_keyword("LIMIT") else None
    if stream.current.kind != EOF:
        raise stream.unexpected()
    return SoslQuery(search_text, search, scope, tuple(returning), limit, source)


def _parse_returning(parser: ConditionParser) -> ReturningSpec:
    stream = parser.stream
    name = stream.expect(IDENT)
    sobject = ObjectRef(name.text, name.line, name.col)
    if not stream.accept(LPAREN):
        return ReturningSpec(sobject, ())
    fields = [parser.parse_field_path()]
    while stream.accept(COMMA):
        fields.append(parser.parse_field_path())
    where = parser.parse_condition() if stream.accept_keyword("WHERE") else None
    order_by: tuple[OrderItem, ...] = ()
    if stream.accept_keyword("ORDER"):
        stream.expect_keyword("BY")
        order_by = parser.parse_order_by()
    limit = parser.parse_non_negative_int() if stream.accept_keyword("LIMIT") else None
    offset = parser.parse_non_negative_int() if stream.accept_keyword("OFFSET") else None
    stream.expect(RPAREN)
    return ReturningSpec(sobject, tuple(fields), where, order_by, limit, offset)


# ---------------------------------------------------------------------------------------------------------------
# Matching

_WORD_RE = re.compile(r"\w+")
_NON_DIGIT_RE = re.compile(r"[^0-9]+")


def normalize_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold()


def phone_digits(value: str) -> str:
    """The ASCII digits of a phone value, after NFKC.

    Assumption (unverified): Salesforce's phone index folds full-width digits (０３…) to ASCII, so NFKC is
    applied first; punctuation and spaces are ignored, and ``+81 3…`` vs ``03…`` stay different strings."""
    return _NON_DIGIT_RE.sub("", unicodedata.normalize("NFKC", value))


def _is_cjk(text: str) -> bool:
    # Japanese text has no spaces between words, so word tokens are useless for it: match substrings instead.
    return any(ord(char) >= 0x2E80 for char in text)


class _RecordText:
    """What the search sees of one record within the scope, computed lazily and only once per record."""

    __slots__ = ("_row", "_phone_fields", "_text_fields", "_digits", "_tokens", "_sequences", "_texts")

    def __init__(self, row: Row, phone_fields: Sequence[str], text_fields: Sequence[str]) -> None:
        self._row = row
        self._phone_fields = phone_fields
        self._text_fields = text_fields
        self._digits: set[str] | None = None
        self._tokens: set[str] | None = None
        self._sequences: list[list[str]] | None = None
        self._texts: list[str] | None = None

    @property
    def digits(self) -> set[str]:
        if self._digits is None:
            found = set()
            for name in self._phone_fields:
                value = self._row.get(name)
                if value:
                    digits = phone_digits(str(value))
                    if digits:
                        found.add(digits)
            self._digits = found
        return self._digits

    @property
    def texts(self) -> list[str]:
        if self._texts is None:
            self._texts = [normalize_text(str(v)) for v in (self._row.get(n) for n in self._text_fields) if v]
        return self._texts

    @property
    def sequences(self) -> list[list[str]]:
        if self._sequences is None:
            self._sequences = [_WORD_RE.findall(text) for text in self.texts]
        return self._sequences

    @property
    def tokens(self) -> set[str]:
        if self._tokens is None:
            self._tokens = {token for sequence in self.sequences for token in sequence}
        return self._tokens


Matcher = Callable[[_RecordText], bool]


def _contains_run(sequence: list[str], run: list[str]) -> bool:
    width = len(run)
    return any(sequence[i : i + width] == run for i in range(len(sequence) - width + 1))


def _never(_: _RecordText) -> bool:
    return False


class _SearchCompiler:
    """Compiles the search expression once per call; OR lists of plain terms become set intersections."""

    def __init__(self, scope: str) -> None:
        self.use_digits = scope in ("ALL", "PHONE", "SIDEBAR")
        self.use_text = scope != "PHONE"

    def compile(self, expr: SearchExpr) -> Matcher:
        if isinstance(expr, SearchTerm):
            return self._or((expr,))
        if isinstance(expr, SearchOr):
            return self._or(expr.operands)
        if isinstance(expr, SearchAnd):
            parts = [self.compile(operand) for operand in expr.operands]
            return lambda record: all(part(record) for part in parts)
        left, right = self.compile(expr.left), self.compile(expr.right)
        return lambda record: left(record) and not right(record)

    def _exact_keys(self, term: SearchTerm) -> tuple[str | None, str | None] | None:
        """(digit key, token key) when the term is a plain lookup, else None (needs the slow path)."""
        if term.has_wildcard:
            return None
        digit_key = phone_digits(term.literal) if self.use_digits else ""
        token_key: str | None = None
        if self.use_text:
            normalized = normalize_text(term.literal)
            words = _WORD_RE.findall(normalized)
            if _is_cjk(normalized) or len(words) > 1:
                return None
            token_key = words[0] if words else None
        return (digit_key or None), token_key

    def _or(self, operands: Sequence[SearchExpr]) -> Matcher:
        digit_set: set[str] = set()
        token_set: set[str] = set()
        others: list[Matcher] = []
        for operand in operands:
            keys = self._exact_keys(operand) if isinstance(operand, SearchTerm) else None
            if keys is None:
                others.append(self._term(operand) if isinstance(operand, SearchTerm) else self.compile(operand))
                continue
            if keys[0] is not None:
                digit_set.add(keys[0])
            if keys[1] is not None:
                token_set.add(keys[1])
        digits = frozenset(digit_set)
        tokens = frozenset(token_set)

        def match(record: _RecordText) -> bool:
            if digits and not digits.isdisjoint(record.digits):
                return True
            if tokens and not tokens.isdisjoint(record.tokens):
                return True
            return any(other(record) for other in others)

        return match

    def _term(self, term: SearchTerm) -> Matcher:
        """The general (slower) matcher: wildcards, multi-word phrases, Japanese substrings."""
        matchers: list[Matcher] = []
        if self.use_digits:
            matchers.append(self._digit_matcher(term))
        if self.use_text:
            matchers.append(self._text_matcher(term))
        return lambda record: any(matcher(record) for matcher in matchers)

    def _digit_matcher(self, term: SearchTerm) -> Matcher:
        if not term.has_wildcard:
            key = phone_digits(term.literal)
            return (lambda record: key in record.digits) if key else _never
        parts = []
        for piece in term.pieces:
            if piece.wildcard:
                parts.append(r"\d*" if piece.text == "*" else r"\d")
            else:
                parts.append(phone_digits(piece.text))
        if not any(phone_digits(piece.text) for piece in term.pieces if not piece.wildcard):
            return _never
        pattern = re.compile("".join(parts))
        return lambda record: any(pattern.fullmatch(digits) for digits in record.digits)

    def _text_matcher(self, term: SearchTerm) -> Matcher:
        normalized = normalize_text(term.literal)
        if _is_cjk(normalized):
            needle = normalized.strip()
            return lambda record: any(needle in text for text in record.texts)
        if not term.has_wildcard:
            words = _WORD_RE.findall(normalized)
            if not words:
                return _never
            return lambda record: any(_contains_run(sequence, words) for sequence in record.sequences)
        parts: list[str] = []
        for piece in term.pieces:
            if piece.wildcard:
                parts.append(r"\w*" if piece.text == "*" else r"\w")
                continue
            for chunk in re.split(r"(\w+)", normalize_text(piece.text)):
                if not chunk:
                    continue
                parts.append(re.escape(chunk) if _WORD_RE.fullmatch(chunk) else r"\W+")
        pattern = re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)")
        return lambda record: any(pattern.search(text) for text in record.texts)


def _scope_fields(obj: ObjectDef, scope: str) -> tuple[list[str], list[str]]:
    """(phone fields read by the digit rule, text fields read as words) for the scope."""
    fields: list[FieldDef] = list(obj.fields.values())
    phones = [f.name for f in fields if f.type == "phone"]
    if scope == "PHONE":
        return phones, []
    if scope == "NAME":
        return [], [f.name for f in fields if f.name_field]
    if scope == "EMAIL":
        return [], [f.name for f in fields if f.type == "email"]
    return phones, [f.name for f in fields if f.is_text]


# ---------------------------------------------------------------------------------------------------------------
# Execution


@dataclass
class SoslResult:
    records: list[tuple[str, dict[str, Any]]]  # (object API name, row of RETURNING fields with Id), RETURNING order


@dataclass
class _Plan:
    obj: ObjectDef
    spec: ReturningSpec
    project: Projection
    predicate: Callable[[Row], bool] | None
    ordering: list[tuple[Callable[[Row], Any], OrderItem]]


def execute_sosl(text: str, catalog: Catalog, *, index_delay_s: float = 0.0) -> SoslResult:
    """Run a SOSL search. Records changed within the last ``index_delay_s`` seconds are not indexed yet."""
    query = parse_sosl(text)
    source = query.source
    specs = query.returning or tuple(
        ReturningSpec(ObjectRef(name, 1, 1), ())
        for name in DEFAULT_OBJECTS
        if (found := catalog.object_def(name)) is not None and found.searchable
    )
    now = catalog.now()
    plans = [_plan(spec, catalog, source, now) for spec in specs]
    if query.search is None:
        return SoslResult([])
    matcher = _SearchCompiler(query.scope).compile(query.search)
    cutoff = now - dt.timedelta(seconds=index_delay_s)
    remaining = min(query.limit if query.limit is not None else MAX_ROWS, MAX_ROWS)
    records: list[tuple[str, dict[str, Any]]] = []
    for plan in plans:
        if remaining <= 0:
            break
        phones, texts = _scope_fields(plan.obj, query.scope)
        hits: list[Row] = []
        for row in live_rows(catalog, plan.obj.name, include_deleted=False):
            stamp = row.get("SystemModstamp")
            if isinstance(stamp, dt.datetime) and stamp > cutoff:
                continue  # not in the search index yet
            if not matcher(_RecordText(row, phones, texts)):
                continue
            if plan.predicate is not None and not plan.predicate(row):
                continue
            hits.append(row)
        if plan.ordering:
            hits = order_rows(hits, plan.ordering)
        start = plan.spec.offset or 0
        count = min(plan.spec.limit if plan.spec.limit is not None else MAX_ROWS, MAX_ROWS, remaining)
        window = hits[start : start + count]
        remaining -= len(window)
        records.extend((plan.obj.name, plan.project(row)) for row in window)
    return SoslResult(records)


def _plan(spec: ReturningSpec, catalog: Catalog, source: Source, now: dt.datetime) -> _Plan:
    obj = resolve_object(catalog, spec.sobject, source, for_search=True)
    resolver = FieldResolver(catalog, obj, source)
    paths = list(spec.fields)
    if not any(len(path.parts) == 1 and path.parts[0].lower() == "id" for path in paths):
        # The server reports Id for every search row, so it is always selected (first when not asked for).
        paths.insert(0, FieldPath(("Id",), spec.sobject.line, spec.sobject.col))
    selected = [resolver.resolve(path) for path in paths]
    check_duplicates(selected, source, "MALFORMED_SEARCH")
    predicate = ConditionCompiler(resolver, now).compile(spec.where) if spec.where is not None else None
    ordering = order_getters(resolver, spec.order_by)
    if spec.offset is not None and spec.offset > MAX_OFFSET:
        raise QueryError("NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOSL offset allowed is {MAX_OFFSET}")
    return _Plan(obj, spec, Projection(obj.name, selected), predicate, ordering)
