"""Administrative procedures (thủ tục hành chính) and their per-language guide content.

One province catalogue (issue 13): a ``Procedure`` and its ``ProcedureContent`` are the national
facts, stored once for every commune; each commune adds only its ``ProcedureLocal`` (offered
or not, a local note, Saturday opening) and its officers in charge (``procedure_officer`` links
officers, who belong to one commune). A commune cannot fork the facts.

Structured facts (fee number, working days, online mode) live on ``Procedure``; the words a
citizen reads live on ``ProcedureContent``, one row per language, so a guide can be edited and
versioned per language without touching the other.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

FIELDS = ("ho_tich", "chung_thuc", "ho_kinh_doanh", "dich_vu_cong")
ONLINE_MODES = ("full", "partial", "offline")

procedure_officer = sa.Table(
    "procedure_officer",
    db.metadata,
    sa.Column("procedure_id", sa.ForeignKey("procedure.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("officer_id", sa.ForeignKey("officer.id", ondelete="CASCADE"), primary_key=True),
)


class Procedure(db.Model):
    __tablename__ = "procedure"
    __table_args__ = (
        sa.UniqueConstraint("slug", name="uq_procedure_slug"),
        sa.UniqueConstraint("sms_keyword", name="uq_procedure_keyword"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    national_code: Mapped[str | None] = mapped_column(sa.String(20))
    slug: Mapped[str] = mapped_column(sa.String(80))
    field: Mapped[str] = mapped_column(sa.String(20))
    sms_keyword: Mapped[str] = mapped_column(sa.String(10))
    processing_days: Mapped[int | None] = mapped_column()  # None for a how-to guide
    same_day_cutoff: Mapped[str | None] = mapped_column(sa.String(5))  # "15:00"
    online_mode: Mapped[str] = mapped_column(sa.String(10), default="offline")
    portal_url: Mapped[str] = mapped_column(sa.String(255), default="")
    fee_vnd: Mapped[int | None] = mapped_column()
    to_confirm: Mapped[list] = mapped_column(sa.JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contents = relationship(
        "ProcedureContent", back_populates="procedure", cascade="all, delete-orphan"
    )
    officers = relationship(
        "Officer", secondary=procedure_officer, back_populates="procedures", order_by="Officer.id"
    )

    locals = relationship(
        "ProcedureLocal", back_populates="procedure", cascade="all, delete-orphan"
    )

    def local(self, office_id: int | None) -> ProcedureLocal | None:
        """This commune's local part, or None where the commune does not list it."""
        return next((loc for loc in self.locals if loc.office_id == office_id), None)

    def officers_in(self, office_id: int | None) -> list:
        """The officers in charge in one commune (an officer belongs to one commune)."""
        return [o for o in self.officers if o.office_id == office_id]

    @property
    def is_howto(self) -> bool:
        """A how-to guide (e.g. VNeID) is read like a procedure but takes no dossiers."""
        return self.processing_days is None

    def content(self, lang: str) -> ProcedureContent:
        """The content in ``lang``, falling back to Vietnamese (the source language)."""
        by_lang = {c.lang: c for c in self.contents}
        return by_lang.get(lang) or by_lang["vi"]

    def __repr__(self) -> str:
        return f"<Procedure {self.slug}>"


def offered_in(office_id: int | None):
    """SQL clause: the procedure is offered by commune ``office_id`` (has an offered local
    part). Use it where the code used to read ``Procedure.office_id == office_id``."""
    return Procedure.locals.any(
        sa.and_(ProcedureLocal.office_id == office_id, ProcedureLocal.offered)
    )


class ProcedureLocal(db.Model):
    """One commune's part of a province procedure: whether it offers it, a local note (vi/en)
    and Saturday-morning opening. The officers in charge are ``procedure_officer`` rows."""

    __tablename__ = "procedure_local"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "procedure_id", name="uq_procedure_local_office"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    procedure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("procedure.id", ondelete="CASCADE"), index=True
    )
    offered: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")  # Vietnamese
    note_en: Mapped[str] = mapped_column(sa.Text, default="")
    saturday: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    office = relationship("Office")
    procedure = relationship("Procedure", back_populates="locals")

    def note_for(self, lang: str) -> str:
        """The local note in ``lang``, falling back to Vietnamese."""
        return (self.note_en if lang == "en" else "") or self.note

    def __repr__(self) -> str:
        return f"<ProcedureLocal {self.office_id}:{self.procedure_id}>"


class ProcedureContent(db.Model):
    __tablename__ = "procedure_content"
    __table_args__ = (sa.UniqueConstraint("procedure_id", "lang", name="uq_content_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(sa.String(5))
    name: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    documents: Mapped[list] = mapped_column(sa.JSON, default=list)  # checklist items
    steps: Mapped[list] = mapped_column(sa.JSON, default=list)  # numbered steps
    fee: Mapped[str] = mapped_column(sa.Text, default="")
    time: Mapped[str] = mapped_column(sa.Text, default="")
    where: Mapped[str] = mapped_column(sa.Text, default="")
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    sms_summary: Mapped[str] = mapped_column(sa.Text, default="")
    # Officers' to-do note (what is still to be checked, and how). Never on a public page, an
    # SMS or the API: citizens see only the "call before you go" box driven by
    # ``Procedure.to_confirm``.
    officer_note: Mapped[str] = mapped_column(sa.Text, default="")
    search_text: Mapped[str] = mapped_column(sa.Text, default="")  # accent-folded, for ?q=
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    procedure = relationship("Procedure", back_populates="contents")

    EDITABLE = (
        "name",
        "summary",
        "documents",
        "steps",
        "fee",
        "time",
        "where",
        "legal_basis",
        "sms_summary",
        "officer_note",
    )

    def snapshot(self) -> dict:
        return {k: getattr(self, k) for k in self.EDITABLE}


class ProcedureVersion(db.Model):
    """A saved copy of one language's content before each edit, for history and restore."""

    __tablename__ = "procedure_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("procedure.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(sa.String(5))
    data: Mapped[dict] = mapped_column(sa.JSON)
    sms_keyword: Mapped[str] = mapped_column(sa.String(10), default="")
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    officer = relationship("Officer")
