"""dossier.result_return: how the result went back (desk, post, online)

Decision 766/QĐ-TTg counts a dossier as fully online only when its result was returned online
or by post (app.metrics.index_766). Existing rows stay NULL: not recorded.

Revision ID: e5b8a1d2c9f4
Revises: e3a91c5b7d20
Create Date: 2026-12-03 08:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b8a1d2c9f4'
down_revision = 'e3a91c5b7d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_return', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('result_return')
