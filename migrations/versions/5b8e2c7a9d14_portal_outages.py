"""portal outages: officers report the online public-service portal down or back up

Revision ID: 5b8e2c7a9d14
Revises: 5e55a0c1e2d4
Create Date: 2026-12-03 09:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b8e2c7a9d14'
down_revision = '5e55a0c1e2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('portal_outage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('portal', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_phone', sa.String(length=20), nullable=False),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_phone', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['ended_by_id'], ['officer.id'], name=op.f('fk_portal_outage_ended_by_id_officer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_portal_outage_office_id_office'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['officer.id'], name=op.f('fk_portal_outage_reported_by_id_officer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_outage'))
    )
    with op.batch_alter_table('portal_outage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_outage_office_id'), ['office_id'], unique=False)
        batch_op.create_index('uq_portal_outage_open', ['office_id', 'portal'], unique=True,
                              sqlite_where=sa.text('ended_at IS NULL'),
                              postgresql_where=sa.text('ended_at IS NULL'))


def downgrade():
    with op.batch_alter_table('portal_outage', schema=None) as batch_op:
        batch_op.drop_index('uq_portal_outage_open', sqlite_where=sa.text('ended_at IS NULL'),
                            postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_portal_outage_office_id'))
    op.drop_table('portal_outage')
