"""A tab's 保存 without Qt (services.faults.save_or_say): the input's problems go under the fields, a known failure
(a locked database, a KnownError) becomes its message, a bug goes on to the crash path."""

from __future__ import annotations

import sqlite3

import pytest

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.services.faults import known_fault, known_message, save_or_say


class _Refused(KnownError):
    def text(self, lang: str = "ja") -> str:
        return "拒否されました。" if lang == "ja" else "Refused."


def _raise(error: BaseException) -> None:
    raise error


def test_what_save_returned_when_it_saved() -> None:
    shown: list[object] = []
    assert save_or_say(lambda: "saved", shown.append, shown.append) == "saved" and shown == []


def test_the_input_problems_are_shown_and_nothing_is_returned() -> None:
    problems = [Problem("required", "name")]
    shown: list[list[Problem]] = []
    said: list[str] = []
    assert save_or_say(lambda: _raise(ProblemsError(problems)), shown.append, said.append) is None
    assert shown == [problems] and said == []


def test_a_locked_database_and_a_known_error_are_said() -> None:
    said: list[str] = []
    locked = sqlite3.OperationalError("database is locked")
    assert save_or_say(lambda: _raise(locked), lambda _problems: None, said.append, "en") is None
    assert said == [known_message(locked, "en")] and said[0]
    assert save_or_say(lambda: _raise(_Refused()), lambda _problems: None, said.append, "en") is None
    assert said[-1] == "Refused."
    assert known_fault(locked, "en") == ("database", said[0])  # the crash path titles its box by the kind
    assert known_fault(_Refused(), "en") == ("known", "Refused.")


def test_a_bug_is_raised_and_has_no_message() -> None:
    assert known_message(ValueError("bug")) is None
    assert known_fault(ValueError("bug")) is None
    with pytest.raises(ValueError, match="bug"):
        save_or_say(lambda: _raise(ValueError("bug")), lambda _problems: None, lambda _text: None)
