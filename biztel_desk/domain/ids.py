"""Salesforce record Ids: the 18-character checksum, 15→18 conversion, and Ids pasted as record URLs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_CHARS = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")
# An Id inside a URL path: a path segment of exactly 15 or 18 alphanumerics.
_PATH_ID = re.compile(r"(?:^|/)([A-Za-z0-9]{18}|[A-Za-z0-9]{15})(?=/|$)")

KNOWN_KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Case": "500",
    "Task": "00T",
    "User": "005",
    "Organization": "00D",
    "Opportunity": "006",
}


class InvalidRecordId(ValueError):
    """The text is not a Salesforce record Id nor a record URL; ``reason`` is a message code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def checksum(id15: str) -> str:
    """The 3-character suffix that makes a 15-character Id case-insensitive."""
    if len(id15) != 15:
        raise ValueError("checksum needs exactly 15 characters")
    suffix = ""
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += _CHECKSUM_ALPHABET[bits]
    return suffix


def to18(record_id: str) -> str:
    """Validate an Id and return its 18-character form; raises InvalidRecordId."""
    if not _ID_CHARS.match(record_id):
        raise InvalidRecordId("id_format")
    if len(record_id) == 15:
        return record_id + checksum(record_id)
    # An 18-character Id is case-insensitive: its suffix tells the case of the first 15 characters.
    expected = checksum(record_id[:15])
    if record_id[15:].upper() != expected:
        # Only an Id whose case was flattened (a spreadsheet, an all-caps paste) is restored; a mixed-case
        # Id with the wrong suffix is a typo or a cut-off copy and must be refused.
        body = record_id[:15]
        flattened = body == body.upper() or body == body.lower()
        restored = _restore_case(record_id) if flattened else None
        if restored is None:
            raise InvalidRecordId("id_checksum")
        return restored
    return record_id[:15] + expected


def _restore_case(record_id: str) -> str | None:
    """Undo a change of case (e.g. an Id upper-cased by a spreadsheet) using the checksum; None if impossible."""
    suffix = record_id[15:].upper()
    if any(char not in _CHECKSUM_ALPHABET for char in suffix):
        return None
    chars = []
    for chunk in range(3):
        bits = _CHECKSUM_ALPHABET.index(suffix[chunk])
        for position, char in enumerate(record_id[chunk * 5 : chunk * 5 + 5]):
            upper = bool(bits & (1 << position))
            if upper and not char.isalpha():
                return None
            chars.append(char.upper() if upper else char.lower())
    return "".join(chars) + suffix


def key_prefix(record_id: str) -> str:
    return record_id[:3]


def extract_record_id(text: str) -> str:
    """The 18-character Id from an Id or a Lightning / Classic record URL; raises InvalidRecordId.

    ``https://x.lightning.force.com/lightning/r/Account/0012v000032fR15AAE/view`` → ``0012v000032fR15AAE``.
    """
    text = text.strip()
    if not text:
        raise InvalidRecordId("required")
    if "/" not in text and "." not in text:
        return to18(text)
    parts = urlsplit(text if "://" in text else "https://" + text)
    candidates = _PATH_ID.findall(parts.path)
    # Lightning URLs name the object before the Id (/lightning/r/Account/<id>/view): skip words that are
    # 15/18 letters by chance only if another candidate exists.
    ids = [candidate for candidate in candidates if any(ch.isdigit() for ch in candidate)]
    if not ids:
        raise InvalidRecordId("id_not_in_url")
    return to18(ids[-1])
