"""Hamlets (ấp) and their community digital teams (tổ công nghệ số cộng đồng), and the help
requests people send them by SMS (``HT KS``) to get a neighbour's help filing online.

A team member is not an officer: no sign-in, no dossier, no ID number. They are a name, a public
phone and the times they can help (weekly slots and dated exceptions, as the duty roster). A
help request carries the citizen's phone to one member at a time (the one asked now); every
member asked is one :class:`HelpAttempt`, so the counters per member (asked, done, handed back,
unanswered) are read from the attempts. ``HelpRequest.id`` is the number members type
(``XONG 12``, ``BAN 12``).
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

#: ``waiting``: nobody could be asked yet (no member nor officer reachable); ``assigned``: a
#: member (or, after hand-overs, nobody else) is asked and has the hour to take it;
#: ``escalated``: passed to the officer on duty; ``done``; ``handed_back``: the last member
#: gave it back and no one else could be asked; ``expired``: never taken.
HELP_STATES = ("waiting", "assigned", "escalated", "done", "handed_back", "expired")
OPEN_HELP_STATES = ("waiting", "assigned", "escalated", "handed_back")
#: How one member's (or officer's) turn on a request ended; ``asked`` while it runs.
ATTEMPT_OUTCOMES = ("asked", "done", "handed_back", "timeout", "passed")
TEAM_EXCEPTION_KINDS = ("away", "extra")


class Hamlet(db.Model):
    __tablename__ = "hamlet"
    __table_args__ = (sa.UniqueConstraint("office_id", "keyword", name="uq_hamlet_keyword"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    keyword: Mapped[str] = mapped_column(sa.String(12))  # SMS: "AP4", "BON" (folded, upper)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members = relationship("TeamMember", back_populates="hamlet", cascade="all, delete-orphan",
                           order_by="TeamMember.position, TeamMember.id")

    def __repr__(self) -> str:
        return f"<Hamlet {self.keyword} {self.name}>"


class TeamMember(db.Model):
    """One member of a hamlet's community digital team. Not an officer: no account."""

    __tablename__ = "team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    hamlet_id: Mapped[int] = mapped_column(sa.ForeignKey("hamlet.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)  # E.164, public
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hamlet = relationship("Hamlet", back_populates="members")
    slots = relationship("TeamSlot", back_populates="member", cascade="all, delete-orphan",
                         order_by="TeamSlot.weekday, TeamSlot.start")
    exceptions = relationship("TeamException", back_populates="member",
                              cascade="all, delete-orphan",
                              order_by="TeamException.day, TeamException.id")


class TeamSlot(db.Model):
    """Every week the member helps on ``weekday`` (0 = Monday) from ``start`` to ``end``."""

    __tablename__ = "team_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("team_member.id", ondelete="CASCADE"),
                                           index=True)
    weekday: Mapped[int] = mapped_column()
    start: Mapped[time] = mapped_column(sa.Time)
    end: Mapped[time] = mapped_column(sa.Time)

    member = relationship("TeamMember", back_populates="slots")


class TeamException(db.Model):
    """A dated change: ``away`` (all day without times, else between them) or ``extra`` help
    outside the weekly slots (times required)."""

    __tablename__ = "team_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("team_member.id", ondelete="CASCADE"),
                                           index=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    start: Mapped[time | None] = mapped_column(sa.Time)
    end: Mapped[time | None] = mapped_column(sa.Time)
    note: Mapped[str] = mapped_column(sa.String(255), default="")

    member = relationship("TeamMember", back_populates="exceptions")


class HelpRequest(db.Model):
    """``HT KS`` from a citizen: help me file this online. The phone goes to one member at a
    time; emptied after ``RETAIN_HELP_REQUEST_DAYS`` (app/retention.py), the row kept for the
    counts."""

    __tablename__ = "help_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id", ondelete="CASCADE"),
                                           index=True)
    hamlet_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("hamlet.id", ondelete="SET NULL"), index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), default="", index=True)  # the citizen's
    lang: Mapped[str] = mapped_column(sa.String(2), default="vi")
    procedure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("procedure.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(12), default="waiting", index=True)
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("team_member.id", ondelete="SET NULL"))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # naive UTC, as all here
    assigned_at: Mapped[datetime | None] = mapped_column()  # when the current one was asked
    due_at: Mapped[datetime | None] = mapped_column(index=True)  # take it by then, or next
    done_at: Mapped[datetime | None] = mapped_column()
    dossier_code: Mapped[str] = mapped_column(sa.String(20), default="")
    erased: Mapped[bool] = mapped_column(default=False)  # the phone was emptied (retention)

    hamlet = relationship("Hamlet")
    procedure = relationship("Procedure")
    member = relationship("TeamMember")
    officer = relationship("Officer")
    attempts = relationship("HelpAttempt", back_populates="request", cascade="all, delete-orphan",
                            order_by="HelpAttempt.id")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_HELP_STATES


class HelpAttempt(db.Model):
    """One member (or the officer on duty) asked to take a help request, and how it ended."""

    __tablename__ = "help_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("help_request.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("team_member.id", ondelete="SET NULL"), index=True)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(sa.String(12), default="asked")

    request = relationship("HelpRequest", back_populates="attempts")
    member = relationship("TeamMember")
    officer = relationship("Officer")
