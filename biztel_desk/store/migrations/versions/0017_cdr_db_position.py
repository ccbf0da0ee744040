"""ingest_positions: how far the PBX CDR database source has read (issue #15), saved with the legs it imported

Revision ID: 0017_cdr_db_position
Revises: 0018_history_day_counts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from biztel_desk.store.models import UTCDateTime

revision = "0017_cdr_db_position"
down_revision = "0018_history_day_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_positions",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("position", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_ingest_positions")),
    )


def downgrade() -> None:
    op.drop_table("ingest_positions")
