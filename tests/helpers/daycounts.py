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
from biztel_desk.store.history import PARTIES_TABLE, PARTY_COUNTS_TABLE, party_counts
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


def party_count_mismatches(database: Database) -> dict[tuple[int, dt.date, str, str], tuple[int, int]]:
    """PostgreSQL with migration 0022: {(setting_id, day, state, party): (kept, actual)} for every key where the
    party counts differ from the jobs and their calls' agents and extensions; {} where there are none."""
    with database.engine.connect() as connection:
        if not party_counts(connection):
            return {}
        actual = {
            (setting_id, day, state, party): int(n)
            for setting_id, day, state, party, n in connection.exec_driver_sql(
                "SELECT j.setting_id, (j.call_started_at AT TIME ZONE 'UTC')::date, j.state, c.from_agent_id || ' ' ||"
                " c.to_agent_id || ' ' || c.from_extension || ' ' || c.to_extension, count(*) FROM link_jobs AS j"
                " JOIN calls AS c ON c.id = j.call_id WHERE j.call_started_at IS NOT NULL GROUP BY 1, 2, 3, 4")
        }
        kept = {
            (setting_id, day, state, party): int(n)
            for setting_id, day, state, party, n in connection.exec_driver_sql(
                f"SELECT h.setting_id, h.day, h.state, p.party, sum(h.n) FROM {PARTY_COUNTS_TABLE} AS h"
                f" JOIN {PARTIES_TABLE} AS p ON p.id = h.party_id GROUP BY 1, 2, 3, 4")
        }
    keys = set(actual) | {key for key, n in kept.items() if n != 0}
    return {key: (kept.get(key, 0), actual.get(key, 0)) for key in keys if kept.get(key, 0) != actual.get(key, 0)}


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
    parties = party_count_mismatches(database)
    assert not parties, f"history_party_day_counts differ from the jobs (kept, actual): {sorted(parties.items())[:10]}"
