"""link_leases: fencing token and heartbeat (database clock) for failover in seconds

Revision ID: 0007_lease_heartbeat
Revises: 0006_link_leases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from biztel_desk.store.models import UTCDateTime

revision = "0007_lease_heartbeat"
down_revision = "0016_target_aliases_excluded"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("link_leases") as batch:
        batch.add_column(sa.Column("token", sa.BigInteger(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("acquired_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_leases") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("acquired_at")
        batch.drop_column("token")
