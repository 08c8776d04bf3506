"""device cookies: trusted devices and a failure window on accounts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('trusted_device',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('failed_since', sa.DateTime(), nullable=True),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_trusted_device_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_device'))
    )
    with op.batch_alter_table('trusted_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trusted_device_account_id'), ['account_id'], unique=False)

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_since', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('failed_since')

    with op.batch_alter_table('trusted_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trusted_device_account_id'))

    op.drop_table('trusted_device')
