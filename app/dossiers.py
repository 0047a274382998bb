"""Dossier domain functions: registration (code + due date) and status changes.

Every status change goes through ``change_status``: it checks the transition, writes the event,
the audit entry and the outgoing SMS (the outbox) and commits them together — the change and
its notification can never be separated.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import audit
from app.clock import local_date, to_local, utcnow
from app.codes import check_letters, format_code
from app.deadlines import add_working_days, counting_start, due_date, parse_hhmm
from app.extensions import db
from app.models import (
    CHANNELS,
    RESULT_RETURNS,
    Dossier,
    DossierCounter,
    DossierEvent,
    Office,
    Officer,
    Procedure,
)
from app.sms.outbox import queue_status_notifications

# Allowed next statuses. "Overdue" is not a status: it is derived from due_on.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("processing", "needs_supplement", "ready", "rejected", "withdrawn"),
    "processing": ("needs_supplement", "ready", "rejected", "withdrawn"),
    "needs_supplement": ("processing", "ready", "rejected", "withdrawn"),
    "ready": ("returned",),
    "returned": (),
    "rejected": (),
    "withdrawn": (),
}
# The citizen must be told why: what is missing, or the reason for refusal.
NOTE_REQUIRED = ("needs_supplement", "rejected")


class DossierError(ValueError):
    """A request the domain refuses; ``code`` is stable for views to translate."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


def allowed_next(dossier: Dossier) -> tuple[str, ...]:
    return TRANSITIONS.get(dossier.status, ())


def compute_due(procedure: Procedure, office: Office, received_at: datetime) -> date:
    return due_date(
        received_at,
        procedure.processing_days or 0,
        office.tz,
        office_close=office.pm_end,
        same_day_cutoff=parse_hhmm(procedure.same_day_cutoff),
    )


def code_secret() -> str:
    """The server secret behind check letters: ``SECRET_KEY``. The letters are stored with the
    dossier, so a new key changes only the letters of dossiers registered after it."""
    return current_app.config["SECRET_KEY"]


def next_code(office: Office, received_at: datetime) -> str:
    """Reserve the next serial for the office's local day and return the dossier code.

    On PostgreSQL the counter row is locked (``FOR UPDATE``) so two counters registering at the
    same moment cannot get the same serial; SQLite serialises writers anyway. The first dossier
    of a day inserts the row; a racing insert fails on the primary key and is retried.
    """
    day = local_date(received_at, office.tz)
    for _ in range(5):
        counter = db.session.scalars(
            sa.select(DossierCounter)
            .where(DossierCounter.office_id == office.id, DossierCounter.day == day)
            .with_for_update()
        ).first()
        if counter is None:
            try:
                with db.session.begin_nested():
                    counter = DossierCounter(office_id=office.id, day=day, last=0)
                    db.session.add(counter)
            except IntegrityError:
                continue
        counter.last += 1
        db.session.flush()
        return format_code(office.code, day, counter.last)
    raise DossierError("code_busy", "could not reserve a dossier code")


def register_dossier(
    *,
    office: Office,
    procedure: Procedure,
    applicant_name: str,
    phone: str,
    channel: str = "counter",
    sms_consent: bool = False,
    lang: str = "vi",
    note: str = "",
    officer: Officer | None = None,
    received_at: datetime | None = None,
    external_code: str | None = None,
    commit: bool = True,
    notify: bool = True,
) -> Dossier:
    """Register a dossier at the counter: code, working-day due date, first event, SMS.

    ``phone`` must already be normalised to E.164 (see ``app.phones``) or be empty.
    ``notify=False`` writes no SMS: a historical import must not text citizens about old news.
    """
    if procedure.is_howto:
        raise DossierError("not_a_procedure")
    if channel not in CHANNELS:
        raise DossierError("bad_channel")
    received_at = received_at or utcnow()
    code = next_code(office, received_at)
    dossier = Dossier(
        office_id=office.id,
        code=code,
        code_check=check_letters(code, code_secret()),
        external_code=external_code,
        procedure_id=procedure.id,
        applicant_name=applicant_name.strip(),
        phone=phone,
        channel=channel,
        received_at=received_at,
        due_on=compute_due(procedure, office, received_at),
        status="received",
        sms_consent=bool(sms_consent and phone),
        lang=lang if lang in ("vi", "en") else "vi",
        note=note.strip(),
        # The officer in charge is the procedure's first responsible officer (their phone is
        # the one the citizen is told to call); else whoever registered it.
        officer_id=procedure.officers[0].id if procedure.officers else (officer.id if officer else None),
        created_by_id=officer.id if officer else None,
    )
    db.session.add(dossier)
    db.session.flush()
    event = DossierEvent(dossier_id=dossier.id, status="received", at=received_at,
                         officer_id=officer.id if officer else None)
    dossier.events.append(event)
    db.session.flush()
    audit.record("dossier.create", dossier, officer, None, _state(dossier))
    if notify:
        _notify(dossier, event)
    if commit:
        db.session.commit()
    return dossier


def change_status(
    dossier: Dossier,
    new_status: str,
    officer: Officer | None,
    note: str = "",
    internal_note: str = "",
    at: datetime | None = None,
    commit: bool = True,
    notify: bool = True,
    result_return: str | None = None,
    kind: str = "status",
    data: dict | None = None,
    due_on: date | None = None,
) -> DossierEvent:
    """Move ``dossier`` to ``new_status``: checks the transition, writes the event, the audit
    entry and the citizen's SMS (outbox) in one transaction. ``notify=False`` (imports of
    history) skips the SMS. ``result_return`` (``RESULT_RETURNS``) records how the result went
    back when the dossier becomes ``returned``; the officer's form requires it, imports of
    history may not know it (None). ``kind``/``data`` mark a paper (``app.papers``), which
    may also set a new legal ``due_on`` (a request for more papers pauses the clock).

    Leaving "needs_supplement" restarts the paused clock: the working days left when the papers
    were asked for are counted from the day they came (after closing time: the next day)."""
    if new_status not in allowed_next(dossier):
        raise DossierError("bad_transition", f"{dossier.status} → {new_status} is not allowed")
    if result_return is not None and (
        new_status != "returned" or result_return not in RESULT_RETURNS
    ):
        raise DossierError("bad_result_return", f"{result_return!r} for {new_status}")
    note = (note or "").strip()
    if new_status in NOTE_REQUIRED and not note:
        raise DossierError("note_required")
    at = at or utcnow()
    before = _state(dossier)
    if due_on is not None:
        dossier.due_on = due_on
    elif dossier.status == "needs_supplement" and new_status in ("processing", "ready"):
        paused = next((e for e in reversed(dossier.events) if e.kind == "supplement"), None)
        if paused is not None and paused.data and "days_left" in paused.data:
            office = dossier.office
            start = counting_start(to_local(at, office.tz), office.pm_end)
            dossier.due_on = add_working_days(start, int(paused.data["days_left"]))
    if (dossier.channel == "online" and dossier.acknowledged_at is None
            and new_status != "withdrawn"):
        dossier.acknowledged_at = at
    dossier.status = new_status
    if new_status in ("ready", "rejected"):
        dossier.finished_at = at
    if new_status in ("returned", "withdrawn"):
        dossier.closed_at = at
    if new_status == "returned":
        dossier.result_return = result_return
    event = DossierEvent(
        dossier_id=dossier.id,
        status=new_status,
        at=at,
        officer_id=officer.id if officer else None,
        note=note,
        internal_note=(internal_note or "").strip(),
        kind=kind,
        data=data,
    )
    dossier.events.append(event)
    db.session.flush()
    after = _state(dossier) | {"note": note}
    if result_return:
        after["result_return"] = result_return
    audit.record("dossier.status", dossier, officer, before, after)
    if notify:
        _notify(dossier, event)
    if commit:
        db.session.commit()
    return event


def _state(dossier: Dossier) -> dict:
    return {
        "status": dossier.status,
        "due_on": dossier.due_on.isoformat() if dossier.due_on else None,
        "officer_id": dossier.officer_id,
        "phone": dossier.phone,
        "sms_consent": dossier.sms_consent,
    }


def _notify(dossier: Dossier, event: DossierEvent) -> None:
    queue_status_notifications(dossier, event)
