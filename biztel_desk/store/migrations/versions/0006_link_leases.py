"""link_leases: which process may step a link setting (exactly once across processes sharing one database)

Revision ID: 0006_link_leases
Revises: 0005_link_job_attempts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from biztel_desk.store.models import UTCDateTime

revision = "0006_link_leases"
down_revision = "0005_link_job_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_leases",
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["setting_id"], ["link_settings.id"], name=op.f("fk_link_leases_setting_id_link_settings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("setting_id", name=op.f("pk_link_leases")),
    )


def downgrade() -> None:
    op.drop_table("link_leases")
