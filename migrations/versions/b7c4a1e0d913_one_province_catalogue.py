"""One province catalogue (issue 13, item 4): a procedure's facts exist once for the province;
each commune has only its local part (``procedure_local``: offered, local note vi/en, Saturday)
and its officers in charge (``procedure_officer``, unchanged).

Data: every office's procedures become province procedures. Two offices with the same slug
are merged into the first (lowest id): its facts and words stay; dossiers, feedback, officer
links and guide versions of the others are re-pointed to it, and the others are deleted. A
keyword that two different procedures used in two offices is made unique with a digit. Every
office that had a procedure gets a local part for it (offered when the procedure was active).

Revision ID: b7c4a1e0d913
Revises: a13f0addr001
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "b7c4a1e0d913"
down_revision = 'a13f0addr001'
branch_labels = None
depends_on = None


def _unique_keyword(keyword: str, taken: set[str]) -> str:
    n = 2
    candidate = keyword
    while candidate in taken:
        candidate = f"{keyword[:5]}{n}"
        n += 1
    return candidate


def upgrade():
    op.create_table(
        "procedure_local",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("offered", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("note_en", sa.Text(), nullable=False),
        sa.Column("saturday", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"],
                                name=op.f("fk_procedure_local_office_id_office")),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedure.id"],
                                name=op.f("fk_procedure_local_procedure_id_procedure"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_local")),
        sa.UniqueConstraint("office_id", "procedure_id", name="uq_procedure_local_office"),
    )
    with op.batch_alter_table("procedure_local") as batch:
        batch.create_index(batch.f("ix_procedure_local_office_id"), ["office_id"], unique=False)
        batch.create_index(batch.f("ix_procedure_local_procedure_id"), ["procedure_id"],
                           unique=False)

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, office_id, slug, sms_keyword, active FROM procedure ORDER BY id"
    )).all()
    first_by_slug: dict[str, int] = {}
    keyword_of: dict[int, str] = {}
    locals_: dict[tuple[int, int], bool] = {}
    merged: list[tuple[int, int]] = []  # (duplicate id, kept id)
    for pid, office_id, slug, keyword, active in rows:
        kept = first_by_slug.setdefault(slug, pid)
        if kept != pid:
            merged.append((pid, kept))
        else:
            keyword_of[pid] = keyword
        key = (office_id, kept)
        locals_[key] = locals_.get(key, False) or bool(active)
    stamp = datetime.now(UTC).replace(tzinfo=None)
    for (office_id, pid), offered in locals_.items():
        conn.execute(
            sa.text(
                "INSERT INTO procedure_local (office_id, procedure_id, offered, note, note_en, "
                "saturday, updated_at) VALUES (:o, :p, :offered, '', '', :sat, :at)"
            ),
            {"o": office_id, "p": pid, "offered": offered, "sat": False, "at": stamp},
        )
    for dup, kept in merged:
        params = {"dup": dup, "kept": kept}
        conn.execute(sa.text("UPDATE dossier SET procedure_id = :kept WHERE procedure_id = :dup"),
                     params)
        conn.execute(sa.text("UPDATE feedback SET procedure_id = :kept WHERE procedure_id = :dup"),
                     params)
        conn.execute(sa.text(
            "UPDATE procedure_version SET procedure_id = :kept WHERE procedure_id = :dup"), params)
        conn.execute(sa.text(  # the hamlets' help requests (an earlier migration of this release)
            "UPDATE help_request SET procedure_id = :kept WHERE procedure_id = :dup"), params)
        conn.execute(sa.text(
            "INSERT INTO procedure_officer (procedure_id, officer_id) "
            "SELECT :kept, officer_id FROM procedure_officer WHERE procedure_id = :dup "
            "AND officer_id NOT IN (SELECT officer_id FROM procedure_officer "
            "WHERE procedure_id = :kept)"), params)
        conn.execute(sa.text("DELETE FROM procedure_officer WHERE procedure_id = :dup"), params)
        conn.execute(sa.text("DELETE FROM procedure_content WHERE procedure_id = :dup"), params)
        conn.execute(sa.text("DELETE FROM procedure WHERE id = :dup"), params)
    taken: set[str] = set()
    for pid in sorted(keyword_of):
        keyword = _unique_keyword(keyword_of[pid], taken)
        taken.add(keyword)
        if keyword != keyword_of[pid]:
            conn.execute(sa.text("UPDATE procedure SET sms_keyword = :kw WHERE id = :id"),
                         {"kw": keyword, "id": pid})

    with op.batch_alter_table("procedure") as batch:
        batch.drop_constraint("uq_procedure_office_slug", type_="unique")
        batch.drop_constraint("uq_procedure_office_keyword", type_="unique")
        batch.drop_index("ix_procedure_office_id")
        batch.drop_constraint("fk_procedure_office_id_office", type_="foreignkey")
        batch.drop_column("office_id")
        batch.create_unique_constraint("uq_procedure_slug", ["slug"])
        batch.create_unique_constraint("uq_procedure_keyword", ["sms_keyword"])


def downgrade():
    """Back to one copy per office: the first office that lists a procedure gets it (other
    offices' local parts are lost, as they cannot own a copy of the same slug here)."""
    with op.batch_alter_table("procedure") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE procedure SET office_id = (SELECT MIN(office_id) FROM procedure_local "
        "WHERE procedure_local.procedure_id = procedure.id)"))
    conn.execute(sa.text(
        "UPDATE procedure SET office_id = (SELECT MIN(id) FROM office) WHERE office_id IS NULL"))
    with op.batch_alter_table("procedure") as batch:
        batch.drop_constraint("uq_procedure_keyword", type_="unique")
        batch.drop_constraint("uq_procedure_slug", type_="unique")
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_procedure_office_id_office", "office", ["office_id"], ["id"])
        batch.create_index("ix_procedure_office_id", ["office_id"], unique=False)
        batch.create_unique_constraint("uq_procedure_office_slug", ["office_id", "slug"])
        batch.create_unique_constraint("uq_procedure_office_keyword", ["office_id", "sms_keyword"])
    with op.batch_alter_table("procedure_local") as batch:
        batch.drop_index(batch.f("ix_procedure_local_procedure_id"))
        batch.drop_index(batch.f("ix_procedure_local_office_id"))
    op.drop_table("procedure_local")
