"""call_legs: one row per PBX leg (calls.revision and calls.settle_until come with 0015_task_updates)

Every call stored before this migration becomes its own single leg (leg id = the call's unique ID, which is
the leg key of a source without legs), so a late leg of such a call is merged with what was stored.

Revision ID: 0014_call_legs
Revises: 0015_task_updates
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from biztel_desk.store.models import UTCDateTime

revision = "0014_call_legs"
down_revision = "0015_task_updates"
branch_labels = None
depends_on = None

# The call columns a leg keeps too (store.models.CallLeg).
LEG_COLUMNS = (
    "request_id", "recording_server_url", "direction", "from_number", "to_number", "from_agent_id", "to_agent_id",
    "from_extension", "to_extension", "started_at", "ended_at", "duration_s", "source", "disposition",
    "recording_file",
)


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
    columns = ", ".join(LEG_COLUMNS)
    # presented_company_number: the company side as the PBX wrote it, which calls keep as company_number (0016).
    op.execute(f"INSERT INTO call_legs (leg_id, call_unique_id, presented_company_number, {columns}) "
               f"SELECT unique_id, unique_id, company_number, {columns} FROM calls")


def downgrade() -> None:
    op.drop_index("ix_call_legs_call_unique_id", table_name="call_legs")
    op.drop_table("call_legs")
