"""Officers: people at the desk. Their public phone and duty hours are what citizens see."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import utcnow
from app.models.procedure import procedure_officer

# Commune roles work inside one commune; province roles (issue 13) belong to no commune.
COMMUNE_ROLES = ("admin", "officer", "leader")
PROVINCE_ROLES = ("province_admin", "province_leader")
ROLES = PROVINCE_ROLES + COMMUNE_ROLES


class Officer(UserMixin, db.Model):
    __tablename__ = "officer"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for province staff (PROVINCE_ROLES), who see every commune from the province pages.
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    title_en: Mapped[str] = mapped_column(sa.String(120), default="")
    public_phone: Mapped[str] = mapped_column(sa.String(20), default="")  # E.164
    role: Mapped[str] = mapped_column(sa.String(20), default="officer")
    # A temporary password (set by an admin) must be replaced at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session cookie's user id (``get_id``): raising it ends every session this
    # officer has open, at once, on every worker (sign-out, password change, deactivation).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    office = relationship("Office")
    procedures = relationship(
        "Procedure", secondary=procedure_officer, back_populates="officers", order_by="Procedure.position"
    )
    shifts = relationship(
        "DutyShift", back_populates="officer", cascade="all, delete-orphan",
        order_by="(DutyShift.weekday, DutyShift.start)",
    )

    # Flask-Login: a deactivated officer cannot sign in, and an open session stops working.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @validates("active")
    def _deactivation_ends_sessions(self, key: str, value: bool) -> bool:
        if self.active and not value and self.id is not None:
            self.end_sessions()
        return value

    def get_id(self) -> str:
        """Flask-Login's "alternative token": ``<id>:<generation>``. A cookie saved before the
        generation moved names an old one, and :func:`app.auth.load_officer` refuses it."""
        return f"{self.id}:{self.session_generation or 0}"

    def end_sessions(self) -> None:
        """Every session of this officer stops working (committed by the caller)."""
        self.session_generation = (self.session_generation or 0) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        # A new password ends the sessions opened with the old one (a stolen cookie too).
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_province(self) -> bool:
        return self.role in PROVINCE_ROLES

    def can_write(self) -> bool:
        return self.role in ("admin", "officer")

    def display_title(self, lang: str) -> str:
        return (self.title_en if lang == "en" and self.title_en else self.title) or ""

    def __repr__(self) -> str:
        return f"<Officer {self.username}>"
