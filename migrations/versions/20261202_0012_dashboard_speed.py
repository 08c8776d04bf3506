"""dashboard speed: an index the client list reads alone; the organisation's latest login change

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.create_index('ix_client_organisation_id_nr_last_end_old_nr',
                              ['organisation_id', 'nr', 'last_end', 'old_nr'], unique=False)
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_login_change_at', sa.DateTime(), nullable=True))
    # the moment of each organisation's latest login change so far
    op.execute("UPDATE organisation SET last_login_change_at = (SELECT max(lc.requested_at) "
               "FROM login_change lc JOIN account a ON a.id = lc.account_id "
               "WHERE a.organisation_id = organisation.id)")


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('last_login_change_at')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_index('ix_client_organisation_id_nr_last_end_old_nr')
