"""target aliases, on_unanswered and the raw company number: calls that are not linked stay visible

Revision ID: 0016_target_aliases_excluded
Revises: 0006_link_leases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_target_aliases_excluded"
down_revision = "0013_phone_index_reconcile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("link_targets") as batch:
        batch.add_column(sa.Column("aliases", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("link_settings") as batch:
        batch.add_column(sa.Column("on_unanswered", sa.String(length=16), nullable=False, server_default="link"))
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("company_number", sa.String(length=64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("company_number")
    with op.batch_alter_table("link_settings") as batch:
        batch.drop_column("on_unanswered")
    with op.batch_alter_table("link_targets") as batch:
        batch.drop_column("aliases")
