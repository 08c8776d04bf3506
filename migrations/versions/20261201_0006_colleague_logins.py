"""colleague logins: an organisation's main login is marked; removed colleague logins are kept

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_main', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))
    # until now an organisation had exactly one login: that one is its main login
    account = sa.table('account', sa.column('id', sa.Integer()), sa.column('kind', sa.String()),
                       sa.column('organisation_id', sa.Integer()),
                       sa.column('is_main', sa.Boolean()))
    first = (sa.select(sa.func.min(account.c.id)).where(account.c.kind == 'org')
             .group_by(account.c.organisation_id))
    op.execute(account.update().where(account.c.id.in_(first)).values(is_main=True))


def downgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('is_main')
