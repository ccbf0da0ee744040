"""Known failures of the environment (the database) as messages the user can act on; anything else is a bug."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.store.db import DatabaseUnavailable, database_fault, fault_text

__all__ = ["DatabaseRefused", "DatabaseUnavailable", "database_known", "database_problem", "known_message",
           "save_or_say"]
T = TypeVar("T")


def database_problem(error: BaseException, lang: str = "ja", where: str = "") -> str | None:
    """What is wrong with the database and what to do, or None when ``error`` is not a database fault."""
    if isinstance(error, DatabaseUnavailable):
        return error.text(lang)
    fault = database_fault(error, where)
    return fault_text(fault, lang, where) if fault is not None else None


class DatabaseRefused(KnownError):
    """The database refused a query of the window (busy, locked, gone): shown as a message, never a crash.

    ``text`` is what to do about the fault when it is one (locked, disk full…), else the driver's own words.
    """

    def __init__(self, error: SQLAlchemyError, where: str = "") -> None:
        self.detail = str(getattr(error, "orig", None) or error)
        self.where = where
        self.error = error
        super().__init__(self.detail)

    def text(self, lang: str = "ja") -> str:
        return database_problem(self.error, lang, self.where) or self.detail


@contextmanager
def database_known(refused: type[DatabaseRefused] = DatabaseRefused, where: str = "") -> Iterator[None]:
    """Turn a SQLAlchemy error raised inside into ``refused`` (a KnownError)."""
    try:
        yield
    except SQLAlchemyError as error:
        raise refused(error, where) from error


def known_fault(error: BaseException, lang: str = "ja", database_location: str = "") -> tuple[str, str] | None:
    """(kind, message) of a known failure: kind "database" (locked, full, damaged) or "known" (a ``KnownError``);
    None when ``error`` is a bug. The crash path titles its box by the kind."""
    problem = database_problem(error, lang, database_location)
    if problem is not None:
        return "database", problem
    return ("known", error.text(lang)) if isinstance(error, KnownError) else None


def known_message(error: BaseException, lang: str = "ja", database_location: str = "") -> str | None:
    """What the user can do about a known failure (a ``KnownError``, a database fault: locked, full, damaged);
    None when ``error`` is a bug. An action that catches what it cannot handle shows this, or re-raises a bug."""
    fault = known_fault(error, lang, database_location)
    return fault[1] if fault is not None else None


def save_or_say(save: Callable[[], T], show_problems: Callable[[list[Problem]], object], say: Callable[[str], object],
                lang: str = "ja", database_location: str = "") -> T | None:
    """A tab's 保存: what ``save`` returned, or None after showing why nothing was saved — the input's problems
    (``ProblemsError``) or a known failure's message (a locked database: the edits stay); a bug goes on to the crash
    path."""
    try:
        return save()
    except ProblemsError as error:
        show_problems(error.problems)
    except Exception as error:
        message = known_message(error, lang, database_location)
        if message is None:
            raise
        say(message)
    return None
