"""Salesforce record Ids: 15/18-character forms, the case-insensitivity checksum and per-org generation."""

from __future__ import annotations

import itertools
import threading

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ALNUM = frozenset(_BASE62)

# The two characters after the key prefix name the pod/instance in real Ids ("8d" here, arbitrary) and the
# third is reserved ("0"), so a dev-org Id looks like 001 8d 0 000000001 + checksum.
_POD = "8d0"


def checksum(id15: str) -> str:
    """The 3-character suffix that makes a 15-character Id case-insensitive.

    Each 5-character chunk gives one character: bit i is set when character i of the chunk is an
    uppercase ASCII letter, and the 5-bit value indexes ``A…Z0…5``.
    """
    suffix = []
    for chunk in range(3):
        bits = 0
        for position in range(5):
            char = id15[chunk * 5 + position]
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_CHECKSUM_ALPHABET[bits])
    return "".join(suffix)


def to18(id15: str) -> str:
    """The 18-character form of a well-formed 15-character Id."""
    return id15 + checksum(id15)


def normalize(value: str) -> str | None:
    """The canonical 18-character Id for a 15- or 18-character input, or None when it is malformed.

    An 18-character Id is accepted in any letter case: the checksum tells which letters are uppercase,
    which is exactly why the 18-character form exists.
    """
    if not isinstance(value, str) or len(value) not in (15, 18) or not set(value) <= _ALNUM:
        return None
    if len(value) == 15:
        return to18(value)
    suffix = value[15:].upper()
    chars = list(value[:15])
    for chunk in range(3):
        index = _CHECKSUM_ALPHABET.find(suffix[chunk])
        if index < 0:
            return None
        for position in range(5):
            i = chunk * 5 + position
            upper = bool(index & (1 << position))
            if chars[i].isdigit():
                if upper:
                    return None  # the checksum claims an uppercase letter where there is a digit
                continue
            chars[i] = chars[i].upper() if upper else chars[i].lower()
    return to18("".join(chars))


def encode_base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    if number:
        raise ValueError("Id sequence exhausted")
    return "".join(reversed(digits))


class IdFactory:
    """Hands out fresh 18-character Ids per key prefix; thread-safe and restartable from a saved counter."""

    def __init__(self, start: int = 1) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count(start)
        self._last = start - 1

    def new(self, key_prefix: str) -> str:
        with self._lock:
            self._last = next(self._counter)
            return to18(key_prefix + _POD + encode_base62(self._last, 9))

    @property
    def last(self) -> int:
        """The last sequence number handed out (persisted by ``--state`` so Ids never repeat)."""
        return self._last
