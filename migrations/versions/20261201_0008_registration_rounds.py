"""registration rounds: rounds, the regions they cover, confirmations, the reminder

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'registration_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('opened_by', sa.Integer(), nullable=True),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'],
                                name=op.f('fk_registration_round_region_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_round')),
    )
    op.create_table(
        'registration_round_region',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['registration_round.id'],
                                name=op.f('fk_registration_round_region_round_id_registration_round'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'],
                                name=op.f('fk_registration_round_region_region_id_region')),
        sa.PrimaryKeyConstraint('round_id', 'region_id', name=op.f('pk_registration_round_region')),
        sa.UniqueConstraint('year', 'region_id',
                            name=op.f('uq_registration_round_region_year_region_id')),
    )
    op.create_table(
        'registration_confirmation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['registration_round.id'],
                                name=op.f('fk_registration_confirmation_round_id_registration_round'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_registration_confirmation_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_confirmation')),
        sa.UniqueConstraint('round_id', 'organisation_id',
                            name=op.f('uq_registration_confirmation_round_id_organisation_id')),
    )
    with op.batch_alter_table('registration_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_confirmation_organisation_id'),
                              ['organisation_id'], unique=False)
    op.create_table(
        'registration_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('sent_by', sa.Integer(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('organisations', sa.Integer(), nullable=False),
        sa.Column('mails', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['registration_round.id'],
                                name=op.f('fk_registration_reminder_round_id_registration_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_reminder')),
        sa.UniqueConstraint('round_id', name=op.f('uq_registration_reminder_round_id')),
    )


def downgrade():
    op.drop_table('registration_reminder')
    with op.batch_alter_table('registration_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_confirmation_organisation_id'))
    op.drop_table('registration_confirmation')
    op.drop_table('registration_round_region')
    op.drop_table('registration_round')
