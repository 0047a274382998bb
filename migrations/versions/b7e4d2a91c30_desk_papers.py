"""The desk's papers (issue 15): dossier_event.kind + data, dossier.promised_on + acknowledged_at

Each paper of Decree 118/2025/NĐ-CP (receipt, request for more papers, refusal, apology with a
new date, acknowledgement of an online dossier) is a dossier event of its ``kind`` with the
paper's fields in ``data``. Existing events are plain status changes ("status").

Revision ID: b7e4d2a91c30
Revises: b4a17e7c0de2
Create Date: 2026-12-03 13:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e4d2a91c30'
down_revision = 'b4a17e7c0de2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='status',
                                      nullable=False))
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=True))
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promised_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('promised_on')
    with op.batch_alter_table('dossier_event', schema=None) as batch_op:
        batch_op.drop_column('data')
        batch_op.drop_column('kind')
