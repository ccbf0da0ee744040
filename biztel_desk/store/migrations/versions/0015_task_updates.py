"""Late legs update a linked call's Task; live calls settle before they are linked

calls.revision: bumped whenever a late leg changes a field a Task carries (1 for every existing call).
calls.settle_until: a call from a live source is not linked before this (NULL: at once).
link_jobs.sent_revision: the call revision the send (create or update) in flight carries.
link_jobs.linked_revision: the call revision the Task in Salesforce carries.

Revision ID: 0015_task_updates
Revises: 0009_send_started
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from biztel_desk.store.models import UTCDateTime

revision = "0015_task_updates"
down_revision = "0007_lease_heartbeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("settle_until", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("link_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_revision", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("linked_revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_jobs", schema=None) as batch_op:
        batch_op.drop_column("linked_revision")
        batch_op.drop_column("sent_revision")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("settle_until")
        batch_op.drop_column("revision")
