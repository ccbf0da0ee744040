"""The check that history_day_counts (migration 0018) equal COUNT(*) of link_jobs per setting, UTC day and state.

Every test's ``database`` fixture runs it when the test ends (tests/conftest.py), so each write path the suite
drives — imports, the engine's outcomes, retries, relink, retention and housekeeping deletes, settings deleted
with their jobs — is checked on SQLite and, with ``pytest --db postgresql``, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError

from biztel_desk.store.db import Database
from biztel_desk.store.models import HistoryDayCount, LinkJob


def day_count_mismatches(database: Database) -> dict[tuple[int, dt.date, str], tuple[int, int]]:
    """{(setting_id, day, state): (kept, actual)} for every key where the kept count differs from the jobs."""
    with database.read() as session:
        actual: Counter[tuple[int, dt.date, str]] = Counter()
        for setting_id, started, state in session.execute(
            select(LinkJob.setting_id, LinkJob.call_started_at, LinkJob.state).where(LinkJob.call_started_at.is_not(None))
        ):
            actual[(setting_id, started.astimezone(dt.UTC).date(), state)] += 1
        key = (HistoryDayCount.setting_id, HistoryDayCount.day, HistoryDayCount.state)
        kept = {
            (setting_id, day, state): int(n)
            for setting_id, day, state, n in session.execute(select(*key, func.sum(HistoryDayCount.n)).group_by(*key))
        }
    keys = set(actual) | {key for key, n in kept.items() if n != 0}
    return {key: (kept.get(key, 0), actual[key]) for key in keys if kept.get(key, 0) != actual[key]}


def check_day_counts(database: Database) -> None:
    """Assert the day counts are exact; a database the test broke on purpose (no such table) is not checked."""
    try:
        with database.engine.connect() as connection:
            if not inspect(connection).has_table(HistoryDayCount.__tablename__):
                return
        mismatches = day_count_mismatches(database)
    except DBAPIError:
        return
    assert not mismatches, f"history_day_counts differ from link_jobs (kept, actual): {sorted(mismatches.items())[:10]}"
