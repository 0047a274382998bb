"""Read-side lookups shared by the citizen pages and the API: procedures, public contacts and
a dossier's status by code (with the constant-time phone-digits check)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.codes import split_check
from app.extensions import db
from app.models import (
    Dossier,
    DutyShift,
    Office,
    Officer,
    Procedure,
    ProcedureContent,
    ProcedureLocal,
    offered_in,
)
from app.models.base import column_values, detached_copy
from app.models.procedure import procedure_officer
from app.page_cache import page_cache
from app.search import fold


def list_procedures(office: Office, q: str = "", field_: str = "") -> list[Procedure]:
    """Active procedures, optionally filtered by field and an accent-insensitive query that
    matches every word of ``q`` in the name, summary, documents or SMS keyword."""
    query = (
        sa.select(Procedure)
        .where(offered_in(office.id), Procedure.active)
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
    """The guide with its words in every language (one query)."""
    found = get_guide(office, slug)
    return found[0] if found else None


def get_guide(office: Office, slug: str) -> tuple[Procedure, ProcedureLocal] | None:
    """The guide ``slug`` as commune ``office`` offers it: the procedure with its words in
    every language and the commune's local part, in one query of two rows. The officers are
    the commune's alone (:func:`app.guides.officers_for`): joining every commune's local parts
    and officers with their shifts here made a product of a few hundred rows per page in a
    three-commune demo and ~200,000 in a province of 100 communes."""
    row = db.session.execute(
        sa.select(Procedure, ProcedureLocal)
        .join(ProcedureLocal, sa.and_(ProcedureLocal.procedure_id == Procedure.id,
                                      ProcedureLocal.office_id == office.id,
                                      ProcedureLocal.offered))
        .where(Procedure.slug == slug, Procedure.active)
        .options(joinedload(Procedure.contents))
    ).unique().first()
    return (row[0], row[1]) if row else None


def read_guide(office: Office, slug: str) -> Guide | None:
    """The guide ``slug`` as commune ``office`` shows it to citizens, for pages that only read
    it, without a query while nothing changed: the procedure and its words from the province
    catalogue (:func:`catalogue`: the same in every commune, so commune B's page not yet built
    is made from what commune A's page already loaded) and the commune's local part and
    officers in charge (:func:`commune_guides`), both kept per worker under the version
    counters an edit moves. Each request gets its own detached copies, as if just loaded.
    None when the commune does not offer it."""
    kept = catalogue().get(slug)
    if kept is None:
        return None
    values, words = kept
    mine = commune_guides(office.id)
    local = mine.locals.get(values["id"])
    if local is None:
        return None
    procedure = detached_copy(Procedure, values)
    procedure.__dict__["contents"] = [detached_copy(ProcedureContent, v) for v in words]
    officers = []
    for officer_id in mine.in_charge.get(values["id"], ()):
        shown, shifts = mine.officers[officer_id]
        officer = detached_copy(Officer, shown)
        officer.__dict__["shifts"] = [detached_copy(DutyShift, v) for v in shifts]
        officers.append(officer)
    return Guide(procedure, detached_copy(ProcedureLocal, local), officers)


class Guide(NamedTuple):
    procedure: Procedure
    local: ProcedureLocal
    officers: list[Officer]  # in charge, active, with a public phone; shifts loaded


class CommuneGuides(NamedTuple):
    locals: dict[int, dict]  # procedure id → the commune's offered local part (column values)
    in_charge: dict[int, tuple[int, ...]]  # procedure id → officer ids, in id order
    officers: dict[int, tuple[dict, tuple[dict, ...]]]  # officer id → values, shifts' values


# What a guide page shows of an officer; nothing else is kept (no password hash, no sessions).
_OFFICER_SHOWN = ("id", "office_id", "name", "title", "title_en", "public_phone", "role",
                  "active")


def commune_guides(office_id: int) -> CommuneGuides:
    """What one commune adds to the province's guides: its offered local parts and its
    officers in charge with their shifts (three small queries), kept per worker until the commune's
    content counter moves (an edit of a local part, an officer, a shift or an assignment
    moves it: app.page_cache)."""
    return page_cache.kept(office_id, "commune_guides", lambda: _load_commune_guides(office_id))


def _load_commune_guides(office_id: int) -> CommuneGuides:
    locals_ = {row.procedure_id: column_values(row) for row in db.session.scalars(
        sa.select(ProcedureLocal).where(ProcedureLocal.office_id == office_id,
                                        ProcedureLocal.offered))}
    officers = list(db.session.scalars(
        sa.select(Officer)
        .where(Officer.office_id == office_id, Officer.active, Officer.public_phone != "")
        .options(selectinload(Officer.shifts))
        .order_by(Officer.id)))
    in_charge: dict[int, list[int]] = {}
    for procedure_id, officer_id in db.session.execute(
        sa.select(procedure_officer.c.procedure_id, procedure_officer.c.officer_id)
        .where(procedure_officer.c.officer_id.in_([o.id for o in officers]))
        .order_by(procedure_officer.c.officer_id)
    ):
        in_charge.setdefault(procedure_id, []).append(officer_id)
    return CommuneGuides(
        locals_,
        {pid: tuple(ids) for pid, ids in in_charge.items()},
        {o.id: ({k: getattr(o, k) for k in _OFFICER_SHOWN},
                tuple(column_values(s) for s in o.shifts)) for o in officers},
    )


def catalogue() -> dict[str, tuple[dict, list[dict]]]:
    """Every active procedure of the province by slug: its column values and its words' (one
    dict per language), kept per worker until the province's content counter moves (any
    catalogue edit moves it: app.page_cache). Lists (documents, steps) are kept as tuples, so
    no request can change what the next one reads."""
    return page_cache.kept(None, "catalogue", _load_catalogue)


def _load_catalogue() -> dict[str, tuple[dict, list[dict]]]:
    procedures = db.session.scalars(
        sa.select(Procedure).where(Procedure.active).options(selectinload(Procedure.contents)))
    return {p.slug: (column_values(p), [column_values(c, "officer_note") for c in p.contents])
            for p in procedures}


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
    elsewhere: Office | None = None  # the code belongs to this other commune: point there
    errors: dict[str, str] = field(default_factory=dict)


def find_dossier(code: str, *, proven: bool = False, office: Office | None = None) -> Dossier | None:
    """The dossier ``code`` names (canonical, from :func:`normalise_code`, check letters or not).

    A dossier with check letters is found by its code alone only when the right letters were
    typed; ``proven=True`` — the asker also gave the phone digits, checked by the caller, or
    texts from the dossier's phone — finds it by the plain code. Dossiers from before check
    letters are found by their plain code (issue 12, item 5). With ``office``, only that
    commune's dossiers are found (its public pages and API answer for nothing else).
    """
    base, check = split_check(code)
    query = sa.select(Dossier).where(Dossier.code == base)
    if office is not None:
        query = query.where(Dossier.office_id == office.id)
    dossier = db.session.scalars(query).first()
    if dossier is None or proven or check_matches(dossier, check):
        return dossier
    return None


def check_matches(dossier: Dossier, typed: str) -> bool:
    """The typed check letters are the dossier's (always, for a dossier that has none)."""
    if not dossier.code_check:
        return True
    return hmac.compare_digest(dossier.code_check.encode(), typed.encode())


def digits_match(dossier: Dossier | None, digits: str) -> bool:
    """Constant-time comparison, and the same work whether or not the dossier exists, so
    timing does not tell a stranger which codes are real."""
    expected = dossier.phone_last4 if dossier is not None and dossier.phone else "\x00\x00\x00\x00"
    return hmac.compare_digest(expected.encode(), digits.encode()) and dossier is not None


def find_dossier_for_phone(code: str | None, phone: str | None = None) -> Dossier | None:
    """The dossier ``code`` names, asked from ``phone`` (an SMS): by its plain code for the
    phone registered on it, else only with the right check letters (or for a dossier
    registered before there were any)."""
    if not code:
        return None
    dossier = find_dossier(code, proven=True)
    if dossier is None or (phone and dossier.phone == phone) or check_matches(
            dossier, split_check(code)[1]):
        return dossier
    return None
