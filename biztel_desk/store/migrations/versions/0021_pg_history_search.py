"""PostgreSQL: one GIN index over a call's UTC day and its searched text (btree_gin + pg_trgm)

Revision ID: 0021_pg_history_search
Revises: 0020_service_heartbeat

A keyword within a date range (the history's 絞り込み + 期間) used 0008's trigram index over every call: a common
word (``agent07``, 250,000 of 10,000,000 calls) was rechecked call by call over the whole year to count the 20,000
of one month (1.4 s). With the call's UTC day as a first column of the same GIN index, the index intersects the
range's days with the trigrams, and only the range's candidates are rechecked (docs/benchmarks.md, "Keyword search
within a date range"). The day column needs the btree_gin extension (a contrib module shipped with PostgreSQL, like
pg_trgm). When it cannot be created (or pg_trgm is missing), the migration still succeeds, logs what to do, and the
search keeps 0008's index; ``biztel-desk db upgrade`` creates the index later. The new index replaces 0008's
(it holds the same trigram entries).

The index is built under a SHARE lock of calls: imports wait for it (about 10 minutes at 10,000,000 calls on a
2-core machine; seconds for a small database).
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0021_pg_history_search"
down_revision = "0020_service_heartbeat"
branch_labels = None
depends_on = None

log = logging.getLogger("biztel_desk.migrations")

INDEX = "ix_calls_search_day_trgm"
OLD_INDEX = "ix_calls_search_trgm"  # 0008's


def _digits(column: str) -> str:
    expression = column
    for separator in ("-", " ", "(", ")", "+", "."):
        expression = f"replace({expression}, '{separator}', '')"
    return expression


# The searched text of a call, exactly as 0008 (and store.history.PG_SEARCH_BODY) spell it, and the call's UTC day
# as store.history.PG_CALL_DAY spells it: the planner uses an expression index only for the same expressions.
BODY = " || ' ' || ".join(
    [
        "unique_id",
        "request_id",
        "from_number",
        "to_number",
        _digits("from_number"),
        _digits("to_number"),
        "coalesce(customer_e164, '')",
        "coalesce(company_e164, '')",
        "from_agent_id",
        "to_agent_id",
        "from_extension",
        "to_extension",
    ]
)
DAY = "((started_at AT TIME ZONE 'UTC')::date)"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite searches with 0004's FTS5 trigram table
    trigram = bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first()
    if trigram is None:
        log.warning("pg_trgm is not installed: no keyword index within a date range either (see migration 0008)")
        return
    try:
        with bind.begin_nested():  # a savepoint: a refused CREATE EXTENSION must not abort the migration
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gin")
    except DBAPIError as error:
        log.warning(
            "btree_gin is not available (%s): history keyword search within a date range rechecks every matching"
            " call of all time. To index it, have a database administrator run CREATE EXTENSION btree_gin; in this"
            " database, then run: biztel-desk db upgrade",
            str(getattr(error, "orig", error)).strip().splitlines()[0],
        )
        return
    bind.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    bind.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {INDEX} ON calls USING gin ({DAY}, ({BODY}) gin_trgm_ops)")
    # It holds 0008's trigram entries too (a keyword without a range uses them alone): one index to keep, not two.
    bind.exec_driver_sql(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.exec_driver_sql(f"SELECT 1 FROM pg_indexes WHERE indexname = '{INDEX}'").first() is not None:
        bind.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON calls USING gin (({BODY}) gin_trgm_ops)")
    bind.exec_driver_sql(f"DROP INDEX IF EXISTS {INDEX}")  # btree_gin may serve others: it stays
