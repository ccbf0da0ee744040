"""Known failures of the environment (the database) as messages the user can act on; anything else is a bug."""

from __future__ import annotations

from biztel_desk.store.db import DatabaseUnavailable, database_fault, fault_text

__all__ = ["DatabaseUnavailable", "database_problem"]


def database_problem(error: BaseException, lang: str = "ja", where: str = "") -> str | None:
    """What is wrong with the database and what to do, or None when ``error`` is not a database fault."""
    if isinstance(error, DatabaseUnavailable):
        return error.text(lang)
    fault = database_fault(error, where)
    return fault_text(fault, lang, where) if fault is not None else None
