"""Tokeniser and parser plumbing shared by the dev org's SOQL and SOSL parsers."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from biztel_desk.devorg.model import QueryError

# Token kinds.
IDENT = "IDENT"
STRING = "STRING"
NUMBER = "NUMBER"
DATE = "DATE"
DATETIME = "DATETIME"
OP = "OP"  # = != <> < > <= >=
LPAREN = "("
RPAREN = ")"
COMMA = ","
DOT = "."
COLON = ":"
BRACES = "BRACES"  # SOSL ``{search text}``: the raw text between the braces, escapes untouched
EOF = "EOF"

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})"
)
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![0-9A-Za-z_])")
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(?![A-Za-z_])")
_OPERATORS = ("<=", ">=", "!=", "<>", "=", "<", ">")
_SINGLE = {"(": LPAREN, ")": RPAREN, ",": COMMA, ".": DOT, ":": COLON}

# SOQL string escapes (Salesforce "Quoted String Escape Sequences"). ``\%`` and ``\_`` are only
# meaningful to LIKE, so they are kept as two characters and LIKE interprets them.
_STRING_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_LIKE_ESCAPES = {"%", "_"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # the source text of the token
    value: object  # decoded value: str for STRING/IDENT/BRACES, int|float for NUMBER, date/datetime
    pos: int  # offset into the source
    line: int  # 1-based
    col: int  # 1-based

    def is_keyword(self, *words: str) -> bool:
        return self.kind == IDENT and self.text.upper() in words


class Source:
    """The query text plus the Salesforce-style error formatting that points into it."""

    def __init__(self, text: str, syntax_code: str) -> None:
        self.text = text
        self.syntax_code = syntax_code  # MALFORMED_QUERY for SOQL, MALFORMED_SEARCH for SOSL
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]

    def line_col(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, pos) - 1
        return line + 1, pos - self._line_starts[line] + 1

    def error(self, code: str, message: str, line: int, col: int) -> QueryError:
        """A QueryError whose message quotes the line and points at the column, as Salesforce does:
        ``"\\nSELECT Id FORM Account\\n          ^\\nERROR at Row:1:Column:11\\nunexpected token: 'FORM'"``."""
        lines = re.split(r"\r\n|\n|\r", self.text)
        quoted = lines[line - 1] if 0 < line <= len(lines) else ""
        caret = " " * (col - 1) + "^"
        return QueryError(code, f"\n{quoted}\n{caret}\nERROR at Row:{line}:Column:{col}\n{message}")

    def syntax_error(self, message: str, line: int, col: int) -> QueryError:
        return self.error(self.syntax_code, message, line, col)


def quote_string(value: str) -> str:
    """A SOQL string literal for ``value`` (the inverse of what the lexer decodes)."""
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == "'":
            out.append("\\'")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def tokenize(source: Source) -> list[Token]:
    """Split the whole query into tokens (the queries are small; lexing eagerly keeps the parser simple)."""
    text = source.text
    tokens: list[Token] = []
    pos = 0
    length = len(text)
    while True:
        while pos < length and text[pos].isspace():
            pos += 1
        line, col = source.line_col(pos)
        if pos >= length:
            tokens.append(Token(EOF, "<EOF>", None, pos, line, col))
            return tokens
        char = text[pos]
        if char == "'":
            end, value = _scan_string(source, pos)
            tokens.append(Token(STRING, text[pos:end], value, pos, line, col))
            pos = end
            continue
        if char == "{":
            end = _scan_braces(source, pos)
            tokens.append(Token(BRACES, text[pos:end], text[pos + 1 : end - 1], pos, line, col))
            pos = end
            continue
        if char.isdigit() or (char in "+-." and pos + 1 < length and text[pos + 1].isdigit()):
            token = _scan_number_or_date(source, pos, line, col)
            tokens.append(token)
            pos += len(token.text)
            continue
        match = _IDENT_RE.match(text, pos)
        if match:
            tokens.append(Token(IDENT, match.group(), match.group(), pos, line, col))
            pos = match.end()
            continue
        for operator in _OPERATORS:
            if text.startswith(operator, pos):
                tokens.append(Token(OP, operator, operator, pos, line, col))
                pos += len(operator)
                break
        else:
            if char in _SINGLE:
                tokens.append(Token(_SINGLE[char], char, char, pos, line, col))
                pos += 1
            else:
                raise source.syntax_error(f"no viable alternative at character '{char}'", line, col)


def _scan_string(source: Source, start: int) -> tuple[int, str]:
    text = source.text
    pos = start + 1
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == "'":
            return pos + 1, "".join(out)
        if char == "\\":
            if pos + 1 >= len(text):
                break
            nxt = text[pos + 1]
            if nxt in _STRING_ESCAPES:
                out.append(_STRING_ESCAPES[nxt])
                pos += 2
                continue
            if nxt in _LIKE_ESCAPES:
                out.append("\\" + nxt)
                pos += 2
                continue
            if nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", text[pos + 2 : pos + 6]):
                out.append(chr(int(text[pos + 2 : pos + 6], 16)))
                pos += 6
                continue
            line, col = source.line_col(start)
            raise source.syntax_error(
                f"Invalid string literal '{text[start + 1 : pos + 2]}'. "
                f"Illegal character sequence '\\{nxt}' in string literal.",
                line,
                col,
            )
        out.append(char)
        pos += 1
    line, col = source.line_col(start)
    raise source.syntax_error("unterminated string literal", line, col)


def _scan_braces(source: Source, start: int) -> int:
    """End offset (exclusive) of a SOSL ``{...}``; ``\\}`` does not close it."""
    text = source.text
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "}":
            return pos + 1
        pos += 1
    line, col = source.line_col(start)
    raise source.syntax_error("Missing '}' at end of search term", line, col)


def _scan_number_or_date(source: Source, pos: int, line: int, col: int) -> Token:
    text = source.text
    match = _DATETIME_RE.match(text, pos)
    if match:
        year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
        fraction = match.group(7) or ""
        micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
        zone = match.group(8)
        if zone == "Z":
            tz = dt.UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        try:
            value: object = dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz).astimezone(dt.UTC)
        except ValueError:
            raise source.syntax_error(f"invalid datetime: {match.group()}", line, col) from None
        return Token(DATETIME, match.group(), value, pos, line, col)
    match = _DATE_RE.match(text, pos)
    if match:
        try:
            value = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise source.syntax_error(f"invalid date: {match.group()}", line, col) from None
        return Token(DATE, match.group(), value, pos, line, col)
    match = _NUMBER_RE.match(text, pos)
    if not match:
        raise source.syntax_error(f"no viable alternative at character '{text[pos]}'", line, col)
    literal = match.group()
    number: int | float = float(literal) if "." in literal else int(literal)
    return Token(NUMBER, literal, number, pos, line, col)


class TokenStream:
    """A cursor over the tokens with the expect/accept helpers a recursive-descent parser needs."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != EOF:
            self.index += 1
        return token

    def accept_keyword(self, *words: str) -> Token | None:
        if self.current.is_keyword(*words):
            return self.advance()
        return None

    def expect_keyword(self, word: str) -> Token:
        if not self.current.is_keyword(word):
            raise self.unexpected()
        return self.advance()

    def accept(self, kind: str) -> Token | None:
        if self.current.kind == kind:
            return self.advance()
        return None

    def expect(self, kind: str) -> Token:
        if self.current.kind != kind:
            raise self.unexpected()
        return self.advance()

    def unexpected(self, token: Token | None = None) -> QueryError:
        token = token or self.current
        shown = "<EOF>" if token.kind == EOF else token.text
        return self.source.syntax_error(f"unexpected token: '{shown}'", token.line, token.col)
