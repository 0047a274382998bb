"""Page cache versioned per commune (issue 13): one row of counters per office
(``office_version``), next to the province-wide ``site_version`` row.

Revision ID: a13f0addr001
Revises: b7e4d2a91c30
"""

import sqlalchemy as sa
from alembic import op

revision = "a13f0addr001"
down_revision = 'b7e4d2a91c30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "office_version",
        sa.Column("office_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("content", sa.BigInteger(), nullable=False),
        sa.Column("dossiers", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("office_id"),
    )


def downgrade():
    op.drop_table("office_version")
