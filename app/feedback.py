"""Citizens' feedback: every write (the web form, the SMS ``GY`` comment and ``DG`` rating) and
the officers' inbox (filtered reading, marking an item handled with a note, audited). The
callers commit: the web form right away, the SMS handler together with its reply. Only
``Feedback.proven`` ratings — from the dossier's own phone — count in an index
(``app.metrics``; issue 12, item 6)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import record
from app.codes import find_code, normalise_code
from app.extensions import db
from app.lookup import digits_match, find_dossier, find_dossier_for_phone
from app.models import COMMENT_MAX, Dossier, Feedback, Office, Officer, utcnow
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


def save_web_feedback(
    office: Office, rating: str | None, comment: str, code: str | None,
    digits: str | None = None,
) -> Feedback:
    """The citizen feedback form: a rating and/or a comment, tied to a dossier when the code
    given is a real one. Its rating counts in the indexes (``proven``) only with the code and
    the right last four digits of the dossier's phone; otherwise it is kept for the officers
    and counted nowhere. The page answers the same either way, so this is no digits oracle.
    Commits."""
    canonical = normalise_code(code, office.code) if code else None
    # Linked by the plain code as before; only the right digits make its rating count.
    dossier = find_dossier(canonical, proven=True, office=office) if canonical else None
    digits = re.sub(r"\D", "", digits or "")
    proven = bool(rating) and len(digits) == 4 and digits_match(dossier, digits)
    item = Feedback(
        office_id=office.id,
        rating=int(rating) if rating else None,
        comment=(comment or "").strip()[:COMMENT_MAX],
        dossier_id=dossier.id if dossier else None,
        procedure_id=dossier.procedure_id if dossier else None,
        source="web",
        proven=proven,
    )
    if proven:
        # One counted rating per dossier, the latest: the right digits cannot be used to
        # vote ten times.
        _uncount_earlier(dossier)
    db.session.add(item)
    db.session.commit()
    return item


def _uncount_earlier(dossier: Dossier) -> None:
    db.session.execute(
        sa.update(Feedback).where(Feedback.dossier_id == dossier.id, Feedback.proven)
        .values(proven=False)
    )


def add_sms_comment(office: Office, phone: str, comment: str) -> Dossier | None:
    """A ``GY`` text: the comment, tied to the dossier whose code it mentions (if any). Added to
    the session; the SMS handler commits it with its reply. Returns that dossier."""
    dossier = find_dossier_for_phone(find_code(comment, office.code), phone)
    db.session.add(
        Feedback(
            office_id=office.id,
            comment=comment[:COMMENT_MAX],
            source="sms",
            phone=phone,
            dossier_id=dossier.id if dossier else None,
            procedure_id=dossier.procedure_id if dossier else None,
        )
    )
    return dossier


def rate_by_sms(dossier: Dossier, phone: str, rating: int, comment: str) -> None:
    """A ``DG`` text from the dossier's own phone. One rating per dossier and phone: a second
    one changes it (people correct a typo). Added to the session; the SMS handler commits."""
    existing = db.session.scalars(
        sa.select(Feedback).where(
            Feedback.dossier_id == dossier.id, Feedback.source == "sms", Feedback.phone == phone,
            Feedback.rating.is_not(None),
        )
    ).first()
    comment = comment.strip()[:COMMENT_MAX]
    # One counted rating per dossier, the latest (a web rating with the digits included).
    _uncount_earlier(dossier)
    if existing is None:
        db.session.add(
            Feedback(office_id=dossier.office_id, rating=rating, comment=comment,
                     dossier_id=dossier.id, procedure_id=dossier.procedure_id, source="sms",
                     phone=phone, proven=True)  # from the dossier's phone (_owner_case)
        )
    else:
        existing.rating = rating
        existing.proven = True
        if comment:
            existing.comment = comment


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
