"""Province foundation (issue 13): wider officer roles (province_admin, province_leader),
province staff belong to no commune (officer.office_id nullable), a temporary password that
must be changed at first sign-in, and the commune fields a province needs (former names for
search, its own host name, map link, encrypted SMS settings).

Revision ID: a13f0c0de001
Revises: 5b8e2c7a9d14
"""

import sqlalchemy as sa
from alembic import op

revision = "a13f0c0de001"
down_revision = "5b8e2c7a9d14"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("officer") as batch:
        batch.alter_column("role", existing_type=sa.String(10), type_=sa.String(20))
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("office") as batch:
        batch.add_column(sa.Column("former_names", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("hostname", sa.String(120), nullable=False, server_default=""))
        batch.add_column(sa.Column("map_url", sa.String(255), nullable=False, server_default=""))
        batch.add_column(sa.Column("sms_settings", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("office") as batch:
        batch.drop_column("sms_settings")
        batch.drop_column("map_url")
        batch.drop_column("hostname")
        batch.drop_column("former_names")
    with op.batch_alter_table("officer") as batch:
        batch.drop_column("must_change_password")
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("role", existing_type=sa.String(20), type_=sa.String(10))
