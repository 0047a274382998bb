"""Every SMS in and out (the outbox is the ``queued`` rows), and each phone's preferences."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

# in: received.  out: queued → sending → sent → delivered | failed (permanent or attempts spent)
MESSAGE_STATUSES = ("received", "queued", "sending", "sent", "delivered", "failed", "cancelled")


class Message(db.Model):
    __tablename__ = "message"
    __table_args__ = (
        # A retried webhook (same provider id on the same channel) is stored once.
        sa.UniqueConstraint("channel", "provider_id", name="uq_message_channel_provider"),
        sa.Index("ix_message_outbox", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    direction: Mapped[str] = mapped_column(sa.String(3))  # "in" | "out"
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)  # the citizen's, E.164
    body: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(20), default="reply")
    channel: Mapped[str] = mapped_column(sa.String(20), default="")
    provider_id: Mapped[str | None] = mapped_column(sa.String(64))
    encoding: Mapped[str] = mapped_column(sa.String(8), default="GSM-7")
    segments: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    claimed_until: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str] = mapped_column(sa.String(255), default="")
    # "At most one message per event and phone": notifications carry a unique key.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossier.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossier_event.id", ondelete="SET NULL"))
    reply_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("message.id", ondelete="SET NULL"))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id"))  # wrote it by hand
    needs_attention: Mapped[bool] = mapped_column(default=False, index=True)
    handled_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()

    dossier = relationship("Dossier")
    officer = relationship("Officer")


class PhonePreference(db.Model):
    """What a phone number told us: reply language, and whether it said STOP."""

    __tablename__ = "phone_preference"

    phone: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    lang: Mapped[str] = mapped_column(sa.String(5), default="vi")
    opted_out: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Subscription(db.Model):
    """A phone that asked (``DK <code>``) to be told of a dossier's changes."""

    __tablename__ = "subscription"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "phone", name="uq_subscription"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dossier = relationship("Dossier")
