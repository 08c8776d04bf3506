"""login changes: a beheerder's change of a login address is pending until confirmed

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('old_email', sa.String(length=254), nullable=False),
        sa.Column('new_email', sa.String(length=254), nullable=False),
        sa.Column('requested_by', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('confirm_token_hash', sa.String(length=64), nullable=True),
        sa.Column('cancel_token_hash', sa.String(length=64), nullable=True),
        sa.Column('applied_at', sa.DateTime(), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                                name=op.f('fk_login_change_account_id_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_change')),
        sa.UniqueConstraint('cancel_token_hash', name=op.f('uq_login_change_cancel_token_hash')),
        sa.UniqueConstraint('confirm_token_hash', name=op.f('uq_login_change_confirm_token_hash')),
    )
    with op.batch_alter_table('login_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_change_account_id'), ['account_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_change_account_id'))
    op.drop_table('login_change')
