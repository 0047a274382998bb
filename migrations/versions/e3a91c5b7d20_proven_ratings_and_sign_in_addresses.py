"""feedback.proven (issue 12, item 6) and login_attempt.succeeded (item 10)

feedback.proven: only ratings proven to come from the dossier's phone count in any index.
login_attempt.succeeded: an officer's own addresses, so a stranger cannot lock them out.

Revision ID: e3a91c5b7d20
Revises: 3f6a1d2b9e47
Create Date: 2026-12-03 08:00:00

Existing feedback: an SMS rating counts when it came from the dossier's phone through a real
channel (an inbound ``DG`` text from that phone on any channel but the try-it page); web ratings had no
proof, so they stay as comments for the officers and leave the indexes.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3a91c5b7d20'
down_revision = '3f6a1d2b9e47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proven', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.execute(sa.text(
        "UPDATE feedback SET proven = :yes WHERE source = 'sms' AND rating IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM dossier WHERE dossier.id = feedback.dossier_id"
        "             AND dossier.phone = feedback.phone AND dossier.phone <> '')"
        " AND EXISTS (SELECT 1 FROM message WHERE message.direction = 'in'"
        "             AND message.phone = feedback.phone AND message.kind = 'rate'"
        "             AND message.channel <> 'try')"
    ).bindparams(yes=True))

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('succeeded', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_column('succeeded')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_column('proven')
