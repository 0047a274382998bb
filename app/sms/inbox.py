"""The officers' SMS inbox: every text in and out, as one thread per phone.

Reads (``threads``, ``thread``) serve the inbox pages; writes (``officer_reply``,
``mark_handled``) are officer actions, so each records an audit entry and commits with it.
An officer's reply goes through the outbox like any other text: quiet hours, retries, STOP and
"never twice" apply to it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import record
from app.extensions import db
from app.models import Message, Officer, utcnow
from app.pagination import Page
from app.phones import normalise_phone
from app.sms.gsm import SegmentInfo, count_segments, to_gsm7
from app.sms.outbox import is_opted_out, queue_message

#: An officer's reply: at most three segments (a person writes it; a guide is held to two).
REPLY_SEGMENTS = 3
REPLY_TYPED_MAX = 2000
PER_PAGE = 30


@dataclass(frozen=True)
class Thread:
    """One phone's conversation, as the inbox list shows it."""

    phone: str
    last_at: datetime
    last_body: str
    last_direction: str
    total: int
    flagged: int  # inbound texts that need an officer and are not handled yet


def _flagged_expr():
    return sa.func.sum(
        sa.case(
            (sa.and_(Message.direction == "in", Message.needs_attention,
                     Message.handled_at.is_(None)), 1),
            else_=0,
        )
    )


def threads(office_id: int, page: int) -> Page:
    """Threads with something to do first, then the most recent; newest message shown."""
    flagged = _flagged_expr().label("flagged")
    grouped = (
        sa.select(
            Message.phone,
            sa.func.max(Message.id).label("last_id"),
            sa.func.count(Message.id).label("total"),
            flagged,
        )
        .where(Message.office_id == office_id)
        .group_by(Message.phone)
        .subquery()
    )
    query = (
        sa.select(grouped.c.phone, grouped.c.total, grouped.c.flagged, Message)
        .join(Message, Message.id == grouped.c.last_id)
        .order_by((grouped.c.flagged > 0).desc(), grouped.c.last_id.desc())
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(grouped)) or 0
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    items = [
        Thread(phone=r.phone, last_at=r.Message.created_at, last_body=r.Message.body,
               last_direction=r.Message.direction, total=r.total, flagged=int(r.flagged or 0))
        for r in rows
    ]
    return Page(items=items, page=page, per_page=PER_PAGE, total=total)


def flagged_count(office_id: int) -> int:
    """Inbound texts waiting for an officer (unknown commands, GY feedback)."""
    return db.session.scalar(
        sa.select(sa.func.count(Message.id)).where(
            Message.office_id == office_id, Message.direction == "in", Message.needs_attention,
            Message.handled_at.is_(None),
        )
    ) or 0


def thread(office_id: int, phone: str) -> list[Message]:
    """Every text to and from ``phone``, oldest first (read like a phone's conversation)."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.office_id == office_id, Message.phone == phone)
            .order_by(Message.created_at, Message.id)
        )
    )


class InboxError(ValueError):
    """An officer's action the inbox refuses; the message is translated and shown."""


class NoThread(InboxError):
    """A reply to a phone this commune has no conversation with (issue 12, item 11)."""


def has_thread(office_id: int, phone: str) -> bool:
    return db.session.scalars(
        sa.select(Message.id).where(Message.office_id == office_id, Message.phone == phone)
    ).first() is not None


def preview(text: str) -> tuple[str, SegmentInfo]:
    """What a reply becomes once sanitised to GSM-7, and how many segments it costs."""
    body = to_gsm7(" ".join((text or "").split()))
    return body, count_segments(body)


def officer_reply(office_id: int, phone: str, text: str, officer: Officer) -> Message:
    """Queue ``text`` (sanitised to GSM-7) to ``phone`` from ``officer``; audit; commit.

    Only a reply: to a phone number (normalised to E.164, so ``0912…`` is the ``+84912…`` that
    said STOP) that has a thread in this commune. Not a way to text any number, nor another
    commune's citizens.
    """
    number = normalise_phone(phone)
    if not has_thread(office_id, number or phone):
        raise NoThread(_("Xã chưa có tin nhắn nào với số này, nên không trả lời được."))
    if number is None:
        raise InboxError(_("Không trả lời được: %(phone)s không phải số điện thoại.",
                           phone=phone))
    phone = number
    if len(text or "") > REPLY_TYPED_MAX:
        raise InboxError(_("Tin dài quá: tối đa %(n)d phần tin.", n=REPLY_SEGMENTS))
    body, info = preview(text)
    if not body.strip():
        raise InboxError(_("Nhập nội dung tin trả lời."))
    if info.segments > REPLY_SEGMENTS:
        raise InboxError(_("Tin dài quá: %(used)d phần tin, tối đa %(n)d. Viết ngắn lại.",
                           used=info.segments, n=REPLY_SEGMENTS))
    if is_opted_out(phone):
        raise InboxError(_("Số này đã báo ngừng nhận tin (HUY). Không gửi được."))
    last_in = db.session.scalars(
        sa.select(Message.id).where(Message.office_id == office_id, Message.phone == phone,
                                    Message.direction == "in")
        .order_by(Message.id.desc())
    ).first()
    message = queue_message(office_id=office_id, phone=phone, body=body, kind="manual",
                            officer_id=officer.id, reply_to_id=last_in)
    assert message is not None  # no dedupe key: never refused
    db.session.flush()
    record("sms.reply", message, officer,
           after={"phone": phone, "body": body, "segments": info.segments})
    db.session.commit()
    return message


def mark_handled(message: Message, officer: Officer) -> None:
    """An officer dealt with a flagged text (called back, answered, passed it on)."""
    if message.direction != "in" or not message.needs_attention:
        raise InboxError(_("Tin này không cần xử lý."))
    if message.handled_at is not None:
        return
    message.handled_at = utcnow()
    record("sms.handled", message, officer, before={"handled_at": None},
           after={"handled_at": message.handled_at, "phone": message.phone})
    db.session.commit()
