"""configuration tables: accounts, link settings, objects, targets, system values

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 15:34:24.249297
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import biztel_desk.store.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('auth_method', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('login_host', sa.String(length=255), nullable=False),
    sa.Column('api_version', sa.String(length=8), nullable=False),
    sa.Column('consumer_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_accounts_name'))
    )
    op.create_table('system_values',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_system_values'))
    )
    op.create_table('link_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('fallback_record_id', sa.String(length=18), nullable=False),
    sa.Column('api_consent', sa.Boolean(), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('on_multiple_match', sa.String(length=32), nullable=False),
    sa.Column('on_no_match', sa.String(length=32), nullable=False),
    sa.Column('activity_mode', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_changed_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', biztel_desk.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_link_settings_account_id_accounts'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_settings')),
    sa.UniqueConstraint('name', name=op.f('uq_link_settings_name'))
    )
    op.create_table('link_objects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('setting_id', sa.Integer(), nullable=False),
    sa.Column('api_name', sa.String(length=80), nullable=False),
    sa.Column('tab_name', sa.String(length=80), nullable=False),
    sa.Column('tab_code', sa.String(length=3), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['setting_id'], ['link_settings.id'], name=op.f('fk_link_objects_setting_id_link_settings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_objects')),
    sa.UniqueConstraint('setting_id', 'api_name', name='uq_link_objects_setting_api_name'),
    sa.UniqueConstraint('setting_id', 'priority', name='uq_link_objects_setting_priority')
    )
    op.create_table('link_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('setting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('e164', sa.String(length=20), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('default_outbound', sa.Boolean(), nullable=False),
    sa.Column('discovered', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['setting_id'], ['link_settings.id'], name=op.f('fk_link_targets_setting_id_link_settings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_targets')),
    sa.UniqueConstraint('setting_id', 'e164', name='uq_link_targets_setting_e164')
    )


def downgrade() -> None:
    op.drop_table('link_targets')
    op.drop_table('link_objects')
    op.drop_table('link_settings')
    op.drop_table('system_values')
    op.drop_table('accounts')
