"""Citizens' feedback for the officers' inbox: filtered reading, and marking an item handled
with a note (audited). Writing feedback is the citizen side's (``app.citizen.services``) and
the SMS side's job; only ``Feedback.proven`` ratings count in an index (``app.metrics``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import record
from app.extensions import db
from app.models import Feedback, Officer, utcnow
from app.pagination import Page, paginate

PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}
SOURCES = ("web", "sms")
STATES = ("open", "handled")
NOTE_MAX = 1000
PER_PAGE = 20


@dataclass
class Filters:
    """Inbox filters from the query string; unknown values are ignored (never an error)."""

    rating: str = ""  # "1".."5", "none" (comment only) or ""
    state: str = ""  # "open", "handled" or ""
    source: str = ""  # "web", "sms" or ""
    period: str = ""  # days: "7", "30", "90", "365" or ""

    @classmethod
    def from_args(cls, args) -> Filters:
        rating = args.get("rating", "")
        return cls(
            rating=rating if rating in {"1", "2", "3", "4", "5", "none"} else "",
            state=args.get("state", "") if args.get("state") in STATES else "",
            source=args.get("source", "") if args.get("source") in SOURCES else "",
            period=args.get("period", "") if args.get("period") in PERIODS else "",
        )

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def inbox(office_id: int, filters: Filters, page: int) -> Page:
    """Newest first; open items are what an officer works through."""
    query = sa.select(Feedback).where(Feedback.office_id == office_id)
    if filters.rating == "none":
        query = query.where(Feedback.rating.is_(None))
    elif filters.rating:
        query = query.where(Feedback.rating == int(filters.rating))
    if filters.state == "open":
        query = query.where(Feedback.handled_at.is_(None))
    elif filters.state == "handled":
        query = query.where(Feedback.handled_at.is_not(None))
    if filters.source:
        query = query.where(Feedback.source == filters.source)
    if filters.period:
        query = query.where(
            Feedback.created_at >= utcnow() - timedelta(days=PERIODS[filters.period])
        )
    return paginate(query.order_by(Feedback.created_at.desc(), Feedback.id.desc()), page, PER_PAGE)


class FeedbackError(ValueError):
    pass


def mark_handled(item: Feedback, actor: Officer, note: str) -> None:
    """Mark handled with what was done. Marking again updates the note (and is audited too)."""
    note = (note or "").strip()
    if not note:
        raise FeedbackError(_("Ghi lại đã xử lý thế nào (ví dụ: đã gọi lại cho người dân)."))
    if len(note) > NOTE_MAX:
        raise FeedbackError(_("Ghi chú dài quá: tối đa %(n)d ký tự.", n=NOTE_MAX))
    before = {
        "handled_at": item.handled_at,
        "handled_by": item.handled_by.name if item.handled_by else None,
        "note": item.handled_note,
    }
    item.handled_at = utcnow()
    item.handled_by_id = actor.id
    item.handled_note = note
    record(
        "feedback.handle",
        item,
        actor,
        before=before,
        after={"handled_at": item.handled_at, "handled_by": actor.name, "note": note},
    )
    db.session.commit()
