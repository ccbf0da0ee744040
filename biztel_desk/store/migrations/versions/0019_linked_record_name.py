"""The linked record's name (issue #13): kept in the phone index with each record's numbers and with the job's
outcome, so 連携通話履歴 shows 紐付け先 by name without asking Salesforce

Revision ID: 0019_linked_record_name
Revises: 0017_cdr_db_position

Rows written before have no name (NULL): the history shows their record Id, as before. The phone index fills
the names in as records are read again (each change, the periodic reconcile, a full load).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_linked_record_name"
down_revision = "0017_cdr_db_position"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on every database (a batch copy of link_jobs on SQLite would drop its triggers, 0018).
    op.add_column("link_jobs", sa.Column("record_name", sa.String(length=255), nullable=True))
    op.add_column("phone_index", sa.Column("record_name", sa.String(length=255), nullable=True))


def downgrade() -> None:
    for table in ("phone_index", "link_jobs"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN record_name")  # SQLite ≥ 3.35, PostgreSQL, MariaDB
