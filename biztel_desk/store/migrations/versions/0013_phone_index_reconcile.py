"""phone_index_reconcile: when each object was last read whole; the person Account of Person Account numbers

Revision ID: 0013_phone_index_reconcile
Revises: 0006_link_leases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from biztel_desk.store.models import UTCDateTime

revision = "0013_phone_index_reconcile"
down_revision = "0009_send_started"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("phone_index_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reconciled_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("phone_index", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.String(length=18), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("phone_index", schema=None) as batch_op:
        batch_op.drop_column("person_id")
    with op.batch_alter_table("phone_index_state", schema=None) as batch_op:
        batch_op.drop_column("reconciled_at")
