"""call_legs: one row per PBX leg; calls.revision and calls.settle_until

Revision ID: 0014_call_legs
Revises: 0006_link_leases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from biztel_desk.store.models import UTCDateTime

revision = "0014_call_legs"
down_revision = "0006_link_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_legs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leg_id", sa.String(length=120), nullable=False),
        sa.Column("call_unique_id", sa.String(length=100), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("recording_server_url", sa.String(length=255), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("from_number", sa.String(length=64), nullable=False),
        sa.Column("to_number", sa.String(length=64), nullable=False),
        sa.Column("from_agent_id", sa.String(length=32), nullable=False),
        sa.Column("to_agent_id", sa.String(length=32), nullable=False),
        sa.Column("from_extension", sa.String(length=16), nullable=False),
        sa.Column("to_extension", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("presented_company_number", sa.String(length=64), nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("recording_file", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_legs")),
        sa.UniqueConstraint("leg_id", name=op.f("uq_call_legs_leg_id")),
    )
    op.create_index("ix_call_legs_call_unique_id", "call_legs", ["call_unique_id"], unique=False)
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("settle_until", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("settle_until")
        batch_op.drop_column("revision")
    op.drop_index("ix_call_legs_call_unique_id", table_name="call_legs")
    op.drop_table("call_legs")
