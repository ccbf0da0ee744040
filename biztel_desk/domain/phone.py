"""Phone number normalisation for matching: Japanese formatting noise in, E.164 out."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

ANONYMOUS_MARKERS = frozenset(
    {"", "anonymous", "非通知", "unavailable", "unknown", "private", "withheld", "公衆電話", "表示圏外", "通知不可能"}
)
# Extension markers and trailing notes, applied after NFKC (so full-width forms are already ASCII).
_EXTENSION = re.compile(r"(?:内線|ext\.?|extension|x|#|\*)\s*[:：]?\s*\d{1,6}\s*$", re.IGNORECASE)
_NOTE = re.compile(r"[(\[【]\s*[^0-9()\[\]【】]*\s*[)\]】]")  # (代表), [FAX], 【本社】 - notes without digits
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\uff70~〜]")  # hyphen look-alikes NFKC leaves alone
EXTENSION_MAX_DIGITS = 6


def is_anonymous(raw: str | None) -> bool:
    return raw is None or unicodedata.normalize("NFKC", raw).strip().lower() in ANONYMOUS_MARKERS


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
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


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
