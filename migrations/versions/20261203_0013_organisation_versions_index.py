"""organisation versions index: the report's fingerprint read from an index alone

Every write of a client or period renews its organisation's data_version, so on PostgreSQL the
organisation table holds many dead row versions until they are vacuumed, and a scan of the table
(the superbeheerder's report fingerprint sums every organisation's version on every view) reads
all of its pages. This index holds what the fingerprint and the statistics cache read (region,
id, version): an index-only scan of a thousand small entries.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_region_id_id_data_version',
                              ['region_id', 'id', 'data_version'], unique=False)


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_region_id_id_data_version')
