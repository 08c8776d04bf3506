"""form drafts: a form posted after the session expired, sealed, restored once after login

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_draft',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_form_draft_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_form_draft_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_draft'))
    )
    with op.batch_alter_table('form_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_draft_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_draft_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_draft_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('form_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_draft_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_form_draft_expires_at'))
        batch_op.drop_index(batch_op.f('ix_form_draft_account_id'))

    op.drop_table('form_draft')
