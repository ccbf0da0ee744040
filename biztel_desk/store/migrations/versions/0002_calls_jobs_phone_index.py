"""calls, link jobs, the phone index and imported files

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:34:24.249297
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import biztel_desk.store.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unique_id', sa.String(length=100), nullable=False),
    sa.Column('request_id', sa.String(length=100), nullable=False),
    sa.Column('recording_server_url', sa.String(length=255), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('from_number', sa.String(length=64), nullable=False),
    sa.Column('to_number', sa.String(length=64), nullable=False),
    sa.Column('customer_e164', sa.String(length=20), nullable=True),
    sa.Column('company_e164', sa.String(length=20), nullable=True),
    sa.Column('from_agent_id', sa.String(length=32), nullable=False),
    sa.Column('to_agent_id', sa.String(length=32), nullable=False),
    sa.Column('from_extension', sa.String(length=16), nullable=False),
    sa.Column('to_extension', sa.String(length=16), nullable=False),
    sa.Column('started_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('duration_s', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('imported_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('unique_id', name=op.f('uq_calls_unique_id'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_customer_e164', ['customer_e164'], unique=False)
        batch_op.create_index('ix_calls_started_at', ['started_at'], unique=False)
    op.create_table('imported_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('imported_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_imported_files_sha256'))
    )
    op.create_table('phone_index',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('object_name', sa.String(length=80), nullable=False),
    sa.Column('record_id', sa.String(length=18), nullable=False),
    sa.Column('field_name', sa.String(length=80), nullable=False),
    sa.Column('raw', sa.String(length=255), nullable=False),
    sa.Column('e164', sa.String(length=20), nullable=False),
    sa.Column('last_modified', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_phone_index_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_index')),
    sa.UniqueConstraint('account_id', 'record_id', 'field_name', name='uq_phone_index_record_field')
    )
    with op.batch_alter_table('phone_index', schema=None) as batch_op:
        batch_op.create_index('ix_phone_index_lookup', ['account_id', 'e164'], unique=False)
    op.create_table('phone_index_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('object_name', sa.String(length=80), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('last_modstamp', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('refreshed_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_phone_index_state_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_index_state')),
    sa.UniqueConstraint('account_id', 'object_name', name='uq_phone_index_state_object')
    )
    op.create_table('link_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('setting_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('retry_count', sa.Integer(), nullable=False),
    sa.Column('next_retry_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('processed_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('record_id', sa.String(length=18), nullable=True),
    sa.Column('record_object', sa.String(length=80), nullable=True),
    sa.Column('task_id', sa.String(length=18), nullable=True),
    sa.Column('case_id', sa.String(length=18), nullable=True),
    sa.Column('match_reason', sa.Text(), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=False),
    sa.Column('created_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_link_jobs_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['setting_id'], ['link_settings.id'], name=op.f('fk_link_jobs_setting_id_link_settings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_jobs')),
    sa.UniqueConstraint('call_id', 'setting_id', name='uq_link_jobs_call_setting')
    )
    with op.batch_alter_table('link_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_link_jobs_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_link_jobs_due', ['setting_id', 'state', 'next_retry_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('link_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_link_jobs_due')
        batch_op.drop_index('ix_link_jobs_batch')
    op.drop_table('link_jobs')
    op.drop_table('phone_index_state')
    with op.batch_alter_table('phone_index', schema=None) as batch_op:
        batch_op.drop_index('ix_phone_index_lookup')
    op.drop_table('phone_index')
    op.drop_table('imported_files')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_started_at')
        batch_op.drop_index('ix_calls_customer_e164')
    op.drop_table('calls')
