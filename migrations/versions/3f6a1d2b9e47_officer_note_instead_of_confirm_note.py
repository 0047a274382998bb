"""guide content: the officers' to-do note is ``officer_note`` (never shown to citizens)

Renames ``procedure_content.confirm_note`` to ``officer_note`` and the same key inside the saved
guide versions, so a restore brings the note back into the right field.

Revision ID: 3f6a1d2b9e47
Revises: c7db2b4cd92f
Create Date: 2026-12-03 08:05:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f6a1d2b9e47'
down_revision = 'c7db2b4cd92f'
branch_labels = None
depends_on = None

_versions = sa.table('procedure_version', sa.column('id', sa.Integer), sa.column('data', sa.JSON))


def _rename_version_key(old: str, new: str) -> None:
    conn = op.get_bind()
    for row_id, data in conn.execute(sa.select(_versions.c.id, _versions.c.data)).all():
        if isinstance(data, dict) and old in data:
            data = {(new if k == old else k): v for k, v in data.items()}
            conn.execute(_versions.update().where(_versions.c.id == row_id).values(data=data))


def upgrade():
    with op.batch_alter_table('procedure_content', schema=None) as batch_op:
        batch_op.alter_column('confirm_note', new_column_name='officer_note',
                              existing_type=sa.Text(), existing_nullable=False)
    _rename_version_key('confirm_note', 'officer_note')


def downgrade():
    _rename_version_key('officer_note', 'confirm_note')
    with op.batch_alter_table('procedure_content', schema=None) as batch_op:
        batch_op.alter_column('officer_note', new_column_name='confirm_note',
                              existing_type=sa.Text(), existing_nullable=False)
