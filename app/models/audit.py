"""Audit log: who changed what, when, before → after. Written by domain functions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(sa.String(40))  # "dossier.status", "roster.edit", …
    object_type: Mapped[str] = mapped_column(sa.String(30))
    object_id: Mapped[str] = mapped_column(sa.String(40), default="")
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")

    officer = relationship("Officer")


class LoginAttempt(db.Model):
    """Sign-ins, for throttling per account and address (works across processes): failures,
    and the last success of an account from an address (its officer's own PC)."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), index=True)
    ip: Mapped[str] = mapped_column(sa.String(45), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
