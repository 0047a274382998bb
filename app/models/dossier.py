"""Dossiers (hồ sơ) and their status events. Status changes go through ``app.dossiers``."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

STATUSES = ("received", "processing", "needs_supplement", "ready", "returned", "rejected", "withdrawn")
OPEN_STATUSES = ("received", "processing", "needs_supplement")
FINISHED_STATUSES = ("ready", "returned", "rejected")  # withdrawn is excluded from rates
CHANNELS = ("counter", "online", "post")
#: How the result went back to the citizen, recorded when the dossier is closed as returned:
#: at the desk, by post, or online (an electronic result on the portal). Decision 766 counts a
#: dossier as fully online only when its result went back online or by post.
RESULT_RETURNS = ("desk", "post", "online")
#: What a dossier event is (app.papers): a plain status change, or one of the desk's papers of
#: Decree 118/2025/NĐ-CP (forms of Thông tư 03/2025/TT-VPCP): the receipt, the request for more
#: papers, the refusal, the apology with a new date, and the acknowledgement of an online dossier.
EVENT_KINDS = ("status", "receipt", "supplement", "refusal", "apology", "ack")

# Mapping to the national portal's status codes (docs/DOMAIN.md), for syncing and imports.
NATIONAL_STATUS = {
    "received": 2,
    "processing": 4,
    "needs_supplement": 5,
    "ready": 9,
    "returned": 10,
    "rejected": 3,
    "withdrawn": 7,
}


class Dossier(db.Model):
    __tablename__ = "dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # Check letters printed after the code (app.codes): "" on dossiers registered before them.
    code_check: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    external_code: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str] = mapped_column(sa.String(20), default="", index=True)  # E.164 or ""
    channel: Mapped[str] = mapped_column(sa.String(10), default="counter")
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)  # last working day to finish
    status: Mapped[str] = mapped_column(sa.String(20), default="received", index=True)
    finished_at: Mapped[datetime | None] = mapped_column()  # when it became ready/rejected
    closed_at: Mapped[datetime | None] = mapped_column()  # returned / withdrawn
    # RESULT_RETURNS; None until returned (and for results returned before it was recorded).
    result_return: Mapped[str | None] = mapped_column(sa.String(10))
    # The date promised to the citizen in the latest apology (app.papers); ``due_on`` stays the
    # legal due date, so a dossier with an apology is still counted late.
    promised_on: Mapped[date | None] = mapped_column(sa.Date)
    # When an online dossier was acknowledged (or asked for more papers): within 8 working hours.
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    sms_consent: Mapped[bool] = mapped_column(default=False)
    lang: Mapped[str] = mapped_column(sa.String(5), default="vi")
    note: Mapped[str] = mapped_column(sa.Text, default="")  # internal note at registration
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    office = relationship("Office")
    procedure = relationship("Procedure")
    officer = relationship("Officer", foreign_keys=[officer_id])
    created_by = relationship("Officer", foreign_keys=[created_by_id])
    events = relationship(
        "DossierEvent", back_populates="dossier", cascade="all, delete-orphan",
        order_by="DossierEvent.id",
    )

    @property
    def public_code(self) -> str:
        """The code as printed on the slip and in its QR: with the check letters, if any."""
        return f"{self.code}-{self.code_check}" if self.code_check else self.code

    @property
    def phone_last4(self) -> str:
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return digits[-4:]

    def is_overdue(self, today: date) -> bool:
        """Derived, not a status: past the due day and the result is not ready yet."""
        return self.status in OPEN_STATUSES and today > self.due_on

    def last_event(self) -> DossierEvent | None:
        return self.events[-1] if self.events else None

    def last_paper(self, kind: str) -> DossierEvent | None:
        """The latest event of ``kind`` (``EVENT_KINDS``), or None."""
        return next((e for e in reversed(self.events) if e.kind == kind), None)

    @property
    def current_due(self) -> date:
        """The date the citizen was last told: the apology's new date if later, else due_on."""
        if self.promised_on and self.promised_on > self.due_on:
            return self.promised_on
        return self.due_on

    def __repr__(self) -> str:
        return f"<Dossier {self.code} {self.status}>"


class DossierEvent(db.Model):
    """One status change: what, when, by whom, and the note the citizen sees."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")  # shown to the citizen
    internal_note: Mapped[str] = mapped_column(sa.Text, default="")
    # EVENT_KINDS; "status" for a plain change. ``data`` holds the paper's fields (papers,
    # reason, dates) so it prints again exactly as it was issued.
    kind: Mapped[str] = mapped_column(sa.String(20), default="status", server_default="status")
    data: Mapped[dict | None] = mapped_column(sa.JSON)

    dossier = relationship("Dossier", back_populates="events")
    officer = relationship("Officer")


class DossierCounter(db.Model):
    """The next serial for an office's day; a row lock (or SQLite's write lock) keeps codes unique."""

    __tablename__ = "dossier_counter"

    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
