"""link_jobs.attempts: transient-failure attempts, apart from the admin's リトライ回数 (retry_count)

Revision ID: 0005_link_job_attempts
Revises: 0004_history_search
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_link_job_attempts"
down_revision = "0004_history_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Jobs already retrying after a transient failure start their backoff again from the first step: their
    # retry_count mixed both kinds of retries, so it cannot tell how many transient attempts there were.
    with op.batch_alter_table("link_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("link_jobs", schema=None) as batch_op:
        batch_op.drop_column("attempts")
