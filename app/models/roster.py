"""Duty roster: weekly shifts plus dated exceptions (leave, holiday, extra duty, stand-in)."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

EXCEPTION_KINDS = ("leave", "holiday", "extra", "standin")


class DutyShift(db.Model):
    """Every week, ``officer`` is on duty at the desk on ``weekday`` (0 = Monday) from start to end."""

    __tablename__ = "duty_shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officer.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column()
    start: Mapped[time] = mapped_column(sa.Time)
    end: Mapped[time] = mapped_column(sa.Time)

    officer = relationship("Officer", back_populates="shifts")


class DutyException(db.Model):
    """A dated change to the weekly roster.

    ``leave``: the officer is away that day (between start and end when given, else all day).
    ``holiday``: the office is closed that day (officer is None).
    ``extra``: the officer is on duty that day from start to end, outside the weekly roster.
    ``standin``: ``stand_in`` covers ``officer``'s shifts that day.
    """

    __tablename__ = "duty_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id", ondelete="CASCADE"))
    stand_in_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id", ondelete="SET NULL"))
    start: Mapped[time | None] = mapped_column(sa.Time)
    end: Mapped[time | None] = mapped_column(sa.Time)
    note: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    officer = relationship("Officer", foreign_keys=[officer_id])
    stand_in = relationship("Officer", foreign_keys=[stand_in_id])
