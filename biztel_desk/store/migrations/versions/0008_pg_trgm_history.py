"""PostgreSQL: pg_trgm GIN index over the history's searched text of a call (SQLite keeps 0004's FTS5)

Revision ID: 0008_pg_trgm_history
Revises: 0006_link_leases

The history keyword (絞り込み) is a substring search. On PostgreSQL it was ``ILIKE '%…%'`` over every call; with the
pg_trgm extension a GIN trigram index over the same text answers it from the index. ``CREATE EXTENSION`` needs
a privileged role (or a trusted extension and CREATE on the database): when it fails, the migration still
succeeds, logs what to do, and the search stays a LIKE scan. ``biztel-desk db check`` shows which one is in
use; ``biztel-desk db upgrade`` creates the index later once a DBA has created the extension.
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0008_pg_trgm_history"
down_revision = "0006_link_leases"
branch_labels = None
depends_on = None

log = logging.getLogger("biztel_desk.migrations")

INDEX = "ix_calls_search_trgm"


def _digits(column: str) -> str:
    expression = column
    for separator in ("-", " ", "(", ")", "+", "."):
        expression = f"replace({expression}, '{separator}', '')"
    return expression


# The searched text of a call, as 0004's FTS trigger builds it. store.history.PG_SEARCH_BODY is the same text:
# PostgreSQL uses an expression index only for a query that spells the same expression.
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


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite searches with 0004's FTS5 trigram table
    try:
        with bind.begin_nested():  # a savepoint: a refused CREATE EXTENSION must not abort the migration
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        log.warning(
            "pg_trgm is not available (%s): history keyword search uses a LIKE scan. To index it, have a database"
            " administrator run CREATE EXTENSION pg_trgm; in this database, then run: biztel-desk db upgrade",
            str(getattr(error, "orig", error)).strip().splitlines()[0],
        )
        return
    bind.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {INDEX} ON calls USING gin (({BODY}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")  # the extension may serve others: it stays
