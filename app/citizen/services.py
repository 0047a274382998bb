"""Read-side queries for the citizen pages; kept out of the views so the API can reuse them."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.codes import normalise_code
from app.extensions import db
from app.models import COMMENT_MAX, Dossier, Feedback, Office, Officer, Procedure
from app.search import fold


def list_procedures(office: Office, q: str = "", field_: str = "") -> list[Procedure]:
    """Active procedures, optionally filtered by field and an accent-insensitive query that
    matches every word of ``q`` in the name, summary, documents or SMS keyword."""
    query = (
        sa.select(Procedure)
        .where(Procedure.office_id == office.id, Procedure.active)
        .options(selectinload(Procedure.contents))
        .order_by(Procedure.position, Procedure.id)
    )
    if field_:
        query = query.where(Procedure.field == field_)
    procedures = list(db.session.scalars(query))
    words = fold(q).split()
    if not words:
        return procedures
    result = []
    for proc in procedures:
        haystack = " ".join(c.search_text or fold(c.name) for c in proc.contents)
        haystack += " " + proc.sms_keyword.lower()
        if all(w in haystack for w in words):
            result.append(proc)
    return result


def get_procedure(office: Office, slug: str) -> Procedure | None:
    return db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.office_id == office.id, Procedure.slug == slug, Procedure.active)
        .options(selectinload(Procedure.contents), selectinload(Procedure.officers))
    ).first()


def list_officers(office: Office) -> list[Officer]:
    return list(
        db.session.scalars(
            sa.select(Officer)
            .where(Officer.office_id == office.id, Officer.active, Officer.public_phone != "")
            .options(selectinload(Officer.procedures).selectinload(Procedure.contents),
                     selectinload(Officer.shifts))
            .order_by(Officer.role != "leader", Officer.name)
        )
    )


@dataclass
class Lookup:
    """The outcome of a status lookup. ``dossier`` is None when nothing may be shown."""

    raw_code: str = ""
    raw_digits: str = ""
    code: str | None = None
    dossier: Dossier | None = None
    full: bool = False  # phone digits matched: personal details may be shown
    errors: dict[str, str] = field(default_factory=dict)


def find_dossier(code: str) -> Dossier | None:
    return db.session.scalars(sa.select(Dossier).where(Dossier.code == code)).first()


def digits_match(dossier: Dossier | None, digits: str) -> bool:
    """Constant-time comparison, and the same work whether or not the dossier exists, so
    timing does not tell a stranger which codes are real."""
    expected = dossier.phone_last4 if dossier is not None and dossier.phone else "\x00\x00\x00\x00"
    return hmac.compare_digest(expected.encode(), digits.encode()) and dossier is not None


def save_feedback(office: Office, rating: str | None, comment: str, code: str | None,
                  digits: str | None = None) -> Feedback:
    """Keep a web opinion. Its rating counts in the indexes (``proven``) only with the code and
    the right last four digits of the dossier's phone; otherwise it is kept for the officers
    and counted nowhere. The page answers the same either way, so this is no digits oracle."""
    canonical = normalise_code(code, office.code) if code else None
    dossier = find_dossier(canonical) if canonical else None
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
        db.session.execute(
            sa.update(Feedback).where(Feedback.dossier_id == dossier.id, Feedback.proven)
            .values(proven=False)
        )
    db.session.add(item)
    db.session.commit()
    return item
