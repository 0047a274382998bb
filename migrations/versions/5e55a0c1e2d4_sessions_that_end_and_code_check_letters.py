"""issue 12: officer.session_generation (sessions that end), dossier.code_check (check letters)

Revision ID: 5e55a0c1e2d4
Revises: e5b8a1d2c9f4
Create Date: 2026-12-03 08:05:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e55a0c1e2d4'
down_revision = 'e5b8a1d2c9f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('officer', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )
    # Dossiers registered before keep their plain code: no check letters ("").
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('code_check', sa.String(length=8), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('code_check')
    with op.batch_alter_table('officer', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
