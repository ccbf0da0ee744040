"""history_day_counts: a setting's jobs per UTC day and state, kept exact by triggers on link_jobs

Revision ID: 0018_history_day_counts
Revises: 0014_call_legs

The history counts a date range, and finds page N of it, from these rows (one per setting, day and state)
instead of walking millions of index entries (docs/benchmarks.md, "History counts and page jumps at 10,000,000
calls"). Triggers keep them exact in the transaction of whatever writes a job — imports, the engine's outcomes,
retry, relink, retention and housekeeping deletes, a setting deleted with its jobs (ON DELETE CASCADE), plain SQL:

* SQLite: row triggers (a job's call_started_at is filled by 0004's AFTER INSERT trigger with an UPDATE, which the
  update trigger counts; an insert that names call_started_at itself is counted by the insert trigger).
* PostgreSQL: statement triggers with transition tables append each statement's net change per (setting, day,
  state) as new rows — inserts only, so concurrent writers never wait for or deadlock on the counts;
  store.history.compact_day_counts merges them (after each retention purge).

The back-fill runs under a SHARE lock of link_jobs on PostgreSQL (writers wait for the migration; readers don't).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_history_day_counts"
down_revision = "0014_call_legs"
branch_labels = None
depends_on = None

TABLE = "history_day_counts"
KEY = "setting_id, day, state"
_SQLITE_KEY = "setting_id = {0}.setting_id AND day = date({0}.call_started_at) AND state = {0}.state"

# SQLite (one writer at a time): one row per key, updated in place, inserted when missing.
_SQLITE_ADD = (
    f"UPDATE {TABLE} SET n = n + 1 WHERE {_SQLITE_KEY.format('NEW')};"
    f" INSERT INTO {TABLE} ({KEY}, n) SELECT NEW.setting_id, date(NEW.call_started_at), NEW.state, 1"
    f" WHERE NEW.call_started_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {_SQLITE_KEY.format('NEW')});"
)
_SQLITE_REMOVE = f"UPDATE {TABLE} SET n = n - 1 WHERE {_SQLITE_KEY.format('OLD')};"
SQLITE_UP = [
    f"CREATE TRIGGER history_day_counts_insert AFTER INSERT ON link_jobs BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER history_day_counts_delete AFTER DELETE ON link_jobs BEGIN {_SQLITE_REMOVE} END",
    "CREATE TRIGGER history_day_counts_update AFTER UPDATE OF state, call_started_at, setting_id ON link_jobs"
    " WHEN OLD.state IS NOT NEW.state OR OLD.call_started_at IS NOT NEW.call_started_at"
    f" OR OLD.setting_id IS NOT NEW.setting_id BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
    f"INSERT INTO {TABLE} ({KEY}, n) SELECT setting_id, date(call_started_at), state, count(*) FROM link_jobs"
    " WHERE call_started_at IS NOT NULL GROUP BY setting_id, date(call_started_at), state",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS history_day_counts_update",
    "DROP TRIGGER IF EXISTS history_day_counts_delete",
    "DROP TRIGGER IF EXISTS history_day_counts_insert",
]

# PostgreSQL: each statement appends its net change per key as new rows. Only INSERTs, no upsert: concurrent
# writers never wait for one another's counts (an upsert's row locks, taken by two transactions in different
# orders, deadlocked in tests/unit/test_history_day_counts.py). store.history.compact_day_counts merges them.
_PG_DAY = "(call_started_at AT TIME ZONE 'UTC')::date"
POSTGRESQL_UP = [
    "LOCK TABLE link_jobs IN SHARE MODE",
    f"""CREATE FUNCTION history_day_counts_apply() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} ({KEY}, n)
          SELECT setting_id, {_PG_DAY}, state, count(*) FROM new_jobs WHERE call_started_at IS NOT NULL
          GROUP BY 1, 2, 3;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {TABLE} ({KEY}, n)
          SELECT setting_id, {_PG_DAY}, state, -count(*) FROM old_jobs WHERE call_started_at IS NOT NULL
          GROUP BY 1, 2, 3;
      ELSE
        INSERT INTO {TABLE} ({KEY}, n)
          SELECT setting_id, day, state, sum(delta) FROM (
            SELECT setting_id, {_PG_DAY} AS day, state, 1 AS delta FROM new_jobs WHERE call_started_at IS NOT NULL
            UNION ALL
            SELECT setting_id, {_PG_DAY}, state, -1 FROM old_jobs WHERE call_started_at IS NOT NULL
          ) AS changes
          GROUP BY 1, 2, 3 HAVING sum(delta) <> 0;
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER history_day_counts_insert AFTER INSERT ON link_jobs REFERENCING NEW TABLE AS new_jobs"
    " FOR EACH STATEMENT EXECUTE FUNCTION history_day_counts_apply()",
    "CREATE TRIGGER history_day_counts_delete AFTER DELETE ON link_jobs REFERENCING OLD TABLE AS old_jobs"
    " FOR EACH STATEMENT EXECUTE FUNCTION history_day_counts_apply()",
    "CREATE TRIGGER history_day_counts_update AFTER UPDATE ON link_jobs"
    " REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION history_day_counts_apply()",
    f"INSERT INTO {TABLE} ({KEY}, n) SELECT setting_id, {_PG_DAY}, state, count(*) FROM link_jobs"
    " WHERE call_started_at IS NOT NULL GROUP BY 1, 2, 3",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS history_day_counts_update ON link_jobs",
    "DROP TRIGGER IF EXISTS history_day_counts_delete ON link_jobs",
    "DROP TRIGGER IF EXISTS history_day_counts_insert ON link_jobs",
    "DROP FUNCTION IF EXISTS history_day_counts_apply()",
]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_day_counts")),
    )
    op.create_index("ix_history_day_counts_key", TABLE, ["setting_id", "day", "state"], unique=False)
    name = op.get_bind().dialect.name
    for statement in SQLITE_UP if name == "sqlite" else POSTGRESQL_UP if name == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    name = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if name == "sqlite" else POSTGRESQL_DOWN if name == "postgresql" else []:
        op.execute(statement)
    op.drop_index("ix_history_day_counts_key", table_name=TABLE)
    op.drop_table(TABLE)
