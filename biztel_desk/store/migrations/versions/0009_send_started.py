"""link_jobs.send_started_at: when the batch of a job in ``sending`` was claimed for sending

Salesforce keeps running a REST write for up to 10 minutes after the client gave up, so a job whose send
outcome is unknown is concluded absent only once that long has passed since its send started.

Revision ID: 0009_send_started
Revises: 0006_link_leases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from biztel_desk.store.models import UTCDateTime

revision = "0009_send_started"
down_revision = "0006_link_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Jobs already in ``sending`` keep NULL: the engine then counts from their updated_at (when they were claimed).
    with op.batch_alter_table("link_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_started_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_jobs", schema=None) as batch_op:
        batch_op.drop_column("send_started_at")
