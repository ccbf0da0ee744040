"""Phone number normalisation for matching: Japanese formatting noise in, E.164 out."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

ANONYMOUS_MARKERS = frozenset(
    {"", "anonymous", "非通知", "unavailable", "unknown", "private", "withheld", "公衆電話", "表示圏外", "通知不可能",
     "restricted", "p", "o"}
)
# How a caller without a number is shown, by what the PBX wrote (NFKC, lower case): one 非通知 with its reason.
PAY_PHONE, OUT_OF_AREA, WITHHELD = "公衆電話", "表示圏外", "非通知"
_ANONYMOUS_REASONS = {
    "公衆電話": PAY_PHONE, "表示圏外": OUT_OF_AREA, "通知不可能": OUT_OF_AREA, "unavailable": OUT_OF_AREA,
    "unknown": OUT_OF_AREA, "o": OUT_OF_AREA, "": OUT_OF_AREA,
}
# 184 (withhold) and 186 (notify) before a national number: the caller-ID choice, not part of the number.
_NOTIFY_PREFIXES = ("184", "186")
# Extension markers and trailing notes, applied after NFKC (so full-width forms are already ASCII).
_EXTENSION = re.compile(r"(?:内線|ext\.?|extension|x|#|\*)\s*[:：]?\s*\d{1,6}\s*$", re.IGNORECASE)
_NOTE = re.compile(r"[(\[【]\s*[^0-9()\[\]【】]*\s*[)\]】]")  # (代表), [FAX], 【本社】 - notes without digits
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\uff70~〜]")  # hyphen look-alikes NFKC leaves alone
EXTENSION_MAX_DIGITS = 6


def is_anonymous(raw: str | None) -> bool:
    return raw is None or unicodedata.normalize("NFKC", raw).strip().lower() in ANONYMOUS_MARKERS


def anonymous_reason(raw: str | None) -> str:
    """非通知, 公衆電話 or 表示圏外 for a caller ID that is not a number (anonymous, Restricted, unknown, empty…)."""
    key = unicodedata.normalize("NFKC", raw or "").strip().lower()
    return _ANONYMOUS_REASONS.get(key, WITHHELD)


def strip_dial_prefix(raw: str, outside_line_prefix: str = "0") -> str:
    """A dialled number without the 184/186 caller-ID prefix and the PBX's outside-line prefix (``0``):
    ``1840312345678`` and ``00312345678`` are ``0312345678``. Anything else is returned as written."""
    text = raw.strip()
    compact = text.replace("-", "")
    if not (compact.isascii() and compact.isdigit()):
        return text
    national = compact
    for prefix in _NOTIFY_PREFIXES:
        if national.startswith(prefix) and _is_national(national[len(prefix):]):
            national = national[len(prefix):]
            break
    if outside_line_prefix and national.startswith(outside_line_prefix):
        rest = national[len(outside_line_prefix):]
        if _is_national(rest):
            national = rest
    return text if national == compact else national


def _is_national(digits_only: str) -> bool:
    """A Japanese national number as dialled: one leading 0 (not 00), 10 or 11 digits."""
    return len(digits_only) in (10, 11) and digits_only.startswith("0") and not digits_only.startswith("00")


def clean(raw: str) -> str:
    """The number with width, notes and extension markers removed, still in the form it was written."""
    text = _ascii_digits(unicodedata.normalize("NFKC", raw))
    text = _DASHES.sub("-", text)
    text = _NOTE.sub(" ", text)
    text = _EXTENSION.sub("", text.strip())
    return text.strip()


def _ascii_digits(text: str) -> str:
    """Any Unicode decimal digit (Arabic-Indic, Devanagari…) as its ASCII digit; NFKC leaves those alone."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.digit(ch)) if ch.isdecimal() else ch for ch in text)


def digits(raw: str) -> str:
    return "".join(ch for ch in _ascii_digits(unicodedata.normalize("NFKC", raw)) if "0" <= ch <= "9")


def is_extension(raw: str) -> bool:
    """A short internal number (≤ 6 digits, nothing else): an extension, never a customer."""
    text = clean(raw)
    return bool(text) and text.isdigit() and len(text) <= EXTENSION_MAX_DIGITS


def normalize(raw: str | None, region: str = "JP") -> str | None:
    """E.164 form (``+81312345678``) of a phone number as people write it, or None if it is not one.

    ``03-1234-5678``, ``(03)1234-5678``, ``+81 3-1234-5678``, ``０３－１２３４－５６７８`` and
    ``03-1234-5678 内線123`` all give ``+81312345678``.
    """
    if raw is None or is_anonymous(raw):
        return None
    text = clean(raw)
    if not any(ch.isdigit() for ch in text):
        return None
    if region == "JP" and not text.startswith("+"):
        dialled = digits(text)
        stripped = strip_dial_prefix(dialled)
        if stripped != dialled:
            text = stripped  # 184/186 or the outside-line 0 before a national number
        elif dialled.startswith("00"):
            return None  # never +8100…
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None if e164.startswith("+810") else e164


def is_valid(raw: str, region: str = "JP") -> bool:
    e164 = normalize(raw, region)
    return e164 is not None and phonenumbers.is_valid_number(phonenumbers.parse(e164))


def national_format(e164: str) -> str:
    """``+81312345678`` → ``03-1234-5678`` (how an admin reads it)."""
    parsed = phonenumbers.parse(e164)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def search_forms(e164: str) -> tuple[str, str]:
    """Digit strings SOSL must try: the national (``0312345678``) and international (``81312345678``) forms."""
    parsed = phonenumbers.parse(e164)
    national = digits(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
    return national, f"{parsed.country_code}{phonenumbers.national_significant_number(parsed)}"
