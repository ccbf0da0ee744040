"""PostgreSQL: a setting's jobs per UTC day, state and call party, kept exact by triggers; a trigram index of the rest

Revision ID: 0022_history_party_counts
Revises: 0021_pg_history_search

Counting a common keyword over a whole year (``agent07``: 250,162 of 10,000,000 calls) rechecked every candidate call
of 0021's (day, text) index on the heap and joined it to its job: 2.5-6 s. The searched text (store.history) is a
HEAD of many distinct values (ids, numbers) and, after one space, the call's PARTY: its agents and extensions, a few
thousand distinct values. A keyword without a space matches the text exactly when it matches the head or the party,
so its exact count is

* the sum of ``history_party_day_counts`` over the range's days for the parties that match it (the party strings are
  numbered once in ``history_parties``: a keyword is matched against a few thousand of them, not millions of rows),
* plus the jobs whose call matches it in the head but not in the party, found by a (day, head) trigram index
  (``ix_calls_search_head_day_trgm``; 0021's index stays for pages and keywords with a space).

The counts are kept exact like 0018's: statement triggers with transition tables append each statement's net change
per (setting, day, state, party) as new rows (inserts only: concurrent writers never wait for one another's
counts); store.history.compact_party_counts merges them after each retention purge. The party is the call's, so
a job's insert, delete and update count under its call's current party, and an update of a call's agents or
extensions (a later leg) moves its jobs from the old party to the new one. Two transactions that change a job and
its call's party at once must not both count the old party: the call's update locks its jobs (FOR SHARE) before it
reads them, and a job's insert locks its call (FOR SHARE), so the one that comes second sees the other's change.
A call deleted with jobs left (a plain DELETE whose jobs go by ON DELETE CASCADE) takes them off the counts first
(a row trigger before the delete: the jobs' statement trigger no longer finds the call).

Only with 0021's index (pg_trgm and btree_gin): otherwise nothing is made and the count keeps 0021's path. The
back-fill and the index are built under SHARE locks of link_jobs and calls (imports wait; about 10 minutes at
10,000,000 calls on a 2-core machine, see docs/benchmarks.md).
"""

from __future__ import annotations

import logging

from alembic import op

revision = "0022_history_party_counts"
down_revision = "0021_pg_history_search"
branch_labels = None
depends_on = None

log = logging.getLogger("biztel_desk.migrations")

DAY_INDEX = "ix_calls_search_day_trgm"  # 0021's
INDEX = "ix_calls_search_head_day_trgm"
PARTIES = "history_parties"
TABLE = "history_party_day_counts"
KEY = "setting_id, day, state, party_id"


def _digits(column: str) -> str:
    expression = column
    for separator in ("-", " ", "(", ")", "+", "."):
        expression = f"replace({expression}, '{separator}', '')"
    return expression


# Exactly as store.history.PG_SEARCH_HEAD and PG_PARTY spell them (the planner uses an expression index only for the
# same expression; tests/unit/test_history_party_counts.py compares them).
HEAD = " || ' ' || ".join(
    ["unique_id", "request_id", "from_number", "to_number", _digits("from_number"), _digits("to_number"),
     "coalesce(customer_e164, '')", "coalesce(company_e164, '')"]
)
DAY = "((started_at AT TIME ZONE 'UTC')::date)"


def party(alias: str) -> str:
    return " || ' ' || ".join(f"{alias}.{column}" for column in ("from_agent_id", "to_agent_id", "from_extension",
                                                                "to_extension"))


def _job_day(alias: str) -> str:
    return f"({alias}.call_started_at AT TIME ZONE 'UTC')::date"


def _party_id(expression: str) -> str:
    return f"(SELECT min(p.id) FROM {PARTIES} AS p WHERE p.party = {expression})"


def _new_parties(calls: str, where: str) -> str:
    """Number the parties of ``calls`` not numbered yet (a party numbered twice by two writers at once is harmless:
    a keyword matches both numbers)."""
    return (f"INSERT INTO {PARTIES} (party) SELECT DISTINCT {party('c')} FROM {calls} AS c WHERE {where}"
            f" AND NOT EXISTS (SELECT 1 FROM {PARTIES} AS p WHERE p.party = {party('c')});")


def _jobs_delta(jobs: str, sign: str) -> str:
    return (f"SELECT j.setting_id, {_job_day('j')} AS day, j.state, {party('c')} AS party, {sign}1 AS delta"
            f" FROM {jobs} AS j JOIN calls AS c ON c.id = j.call_id WHERE j.call_started_at IS NOT NULL")


def _append(changes: str) -> str:
    return (f"INSERT INTO {TABLE} ({KEY}, n) SELECT k.setting_id, k.day, k.state, {_party_id('k.party')}, k.n FROM"
            f" (SELECT setting_id, day, state, party, sum(delta) AS n FROM ({changes}) AS changes"
            f" GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0) AS k;")


_CHANGED = f"SELECT o.id, {party('o')} AS old_party, {party('n')} AS new_party FROM old_calls AS o JOIN new_calls AS n ON n.id = o.id WHERE {party('o')} <> {party('n')}"

POSTGRESQL_UP = [
    "LOCK TABLE link_jobs IN SHARE MODE",
    "LOCK TABLE calls IN SHARE MODE",
    f"CREATE TABLE {PARTIES} (id serial PRIMARY KEY, party text NOT NULL)",
    f"CREATE INDEX ix_{PARTIES}_party ON {PARTIES} (party)",
    f"""CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, setting_id integer NOT NULL, day date NOT NULL,
    state varchar(16) NOT NULL, party_id integer NOT NULL, n bigint NOT NULL)""",
    f"""CREATE FUNCTION history_party_counts_jobs() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        -- a concurrent change of these calls' party cannot see these jobs yet: wait for it (or make it wait)
        PERFORM 1 FROM calls WHERE id IN (SELECT call_id FROM new_jobs) ORDER BY id FOR SHARE;
        {_new_parties("calls", "c.id IN (SELECT call_id FROM new_jobs)")}
        {_append(_jobs_delta("new_jobs", "+"))}
      ELSIF TG_OP = 'DELETE' THEN
        {_append(_jobs_delta("old_jobs", "-"))}
      ELSE
        {_new_parties("calls", "c.id IN (SELECT call_id FROM new_jobs)")}
        {_append(_jobs_delta("new_jobs", "+") + " UNION ALL " + _jobs_delta("old_jobs", "-"))}
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE FUNCTION history_party_counts_calls() RETURNS trigger AS $$
    BEGIN
      -- the jobs of calls whose party changed, locked so that a concurrent change of a job waits (or is waited for)
      PERFORM 1 FROM link_jobs WHERE call_id IN (SELECT id FROM ({_CHANGED}) AS changed) ORDER BY id FOR SHARE;
      IF NOT FOUND THEN
        RETURN NULL;
      END IF;
      {_new_parties("new_calls", f"c.id IN (SELECT id FROM ({_CHANGED}) AS changed)")}
      {_append(
          f"SELECT j.setting_id, {_job_day('j')} AS day, j.state, m.party, m.delta FROM"
          f" (SELECT id, old_party AS party, -1 AS delta FROM ({_CHANGED}) AS changed"
          f" UNION ALL SELECT id, new_party, 1 FROM ({_CHANGED}) AS changed) AS m"
          " JOIN link_jobs AS j ON j.call_id = m.id WHERE j.call_started_at IS NOT NULL")}
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE FUNCTION history_party_counts_call_delete() RETURNS trigger AS $$
    BEGIN
      INSERT INTO {TABLE} ({KEY}, n)
        SELECT j.setting_id, {_job_day('j')}, j.state, {_party_id(party('OLD'))}, -count(*) FROM link_jobs AS j
        WHERE j.call_id = OLD.id AND j.call_started_at IS NOT NULL GROUP BY 1, 2, 3;
      RETURN OLD;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER history_party_counts_insert AFTER INSERT ON link_jobs REFERENCING NEW TABLE AS new_jobs"
    " FOR EACH STATEMENT EXECUTE FUNCTION history_party_counts_jobs()",
    "CREATE TRIGGER history_party_counts_delete AFTER DELETE ON link_jobs REFERENCING OLD TABLE AS old_jobs"
    " FOR EACH STATEMENT EXECUTE FUNCTION history_party_counts_jobs()",
    "CREATE TRIGGER history_party_counts_update AFTER UPDATE ON link_jobs"
    " REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION history_party_counts_jobs()",
    "CREATE TRIGGER history_party_counts_calls AFTER UPDATE ON calls"
    " REFERENCING OLD TABLE AS old_calls NEW TABLE AS new_calls FOR EACH STATEMENT EXECUTE FUNCTION history_party_counts_calls()",
    "CREATE TRIGGER history_party_counts_call_delete BEFORE DELETE ON calls"
    " FOR EACH ROW EXECUTE FUNCTION history_party_counts_call_delete()",
    # The back-fill: each party numbered once, then the jobs counted per key.
    f"INSERT INTO {PARTIES} (party) SELECT DISTINCT {party('c')} FROM calls AS c"
    " WHERE EXISTS (SELECT 1 FROM link_jobs AS j WHERE j.call_id = c.id)",
    f"INSERT INTO {TABLE} ({KEY}, n) SELECT k.setting_id, k.day, k.state, p.id, k.n FROM"
    f" (SELECT j.setting_id, {_job_day('j')} AS day, j.state, {party('c')} AS party, count(*) AS n"
    " FROM link_jobs AS j JOIN calls AS c ON c.id = j.call_id WHERE j.call_started_at IS NOT NULL"
    f" GROUP BY 1, 2, 3, 4) AS k JOIN {PARTIES} AS p ON p.party = k.party",
    # A keyword's count walks the rows of its parties only, from the index alone (after VACUUM's visibility map).
    f"CREATE INDEX ix_{TABLE}_key ON {TABLE} (setting_id, party_id, day) INCLUDE (state, n)",
    "SET LOCAL maintenance_work_mem = '256MB'",
    f"CREATE INDEX {INDEX} ON calls USING gin ({DAY}, ({HEAD}) gin_trgm_ops)",
    f"ANALYZE {PARTIES}",
    f"ANALYZE {TABLE}",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS history_party_counts_call_delete ON calls",
    "DROP TRIGGER IF EXISTS history_party_counts_calls ON calls",
    "DROP TRIGGER IF EXISTS history_party_counts_update ON link_jobs",
    "DROP TRIGGER IF EXISTS history_party_counts_delete ON link_jobs",
    "DROP TRIGGER IF EXISTS history_party_counts_insert ON link_jobs",
    "DROP FUNCTION IF EXISTS history_party_counts_call_delete()",
    "DROP FUNCTION IF EXISTS history_party_counts_calls()",
    "DROP FUNCTION IF EXISTS history_party_counts_jobs()",
    f"DROP INDEX IF EXISTS {INDEX}",
    f"DROP TABLE IF EXISTS {TABLE}",
    f"DROP TABLE IF EXISTS {PARTIES}",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite counts a keyword with 0004's FTS5 trigram table
    if bind.exec_driver_sql(f"SELECT 1 FROM pg_indexes WHERE indexname = '{DAY_INDEX}'").first() is None:
        log.warning("no (day, text) keyword index of migration 0021 (pg_trgm and btree_gin): a keyword's count"
                    " keeps rechecking every matching call")
        return
    for statement in POSTGRESQL_UP:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in POSTGRESQL_DOWN:
        bind.exec_driver_sql(statement)
