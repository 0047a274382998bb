"""The desk's papers (Decree 118/2025/NĐ-CP, forms of Thông tư 03/2025/TT-VPCP): the receipt
with the papers received, the request for more papers, the refusal, the apology with a new
date, and the acknowledgement of an online dossier. Each is a ``DossierEvent`` of its ``kind``
with the paper's fields in ``data`` (so it prints again as issued), the officer who issued it,
an audit entry and — for the citizen's papers — one GSM-7 segment by SMS.

Time limits:

* **Request for more papers: the clock pauses.** The working days already spent count (Decree
  61/2018 Art. 19, kept by Decree 118/2025: "thời gian đã giải quyết lần đầu được tính trong thời
  gian giải quyết"), so the working days left on the day of the request are kept; the due date
  shown meanwhile is the one if the papers come on the last day asked, and when they come the due
  date is those days counted from that day (``app.dossiers.change_status``).
* **Apology**: the new date is a working day after today and after the legal due date; the legal
  due date (``Dossier.due_on``) does not move, so the dossier still counts as late.
* **Online dossiers** are acknowledged or asked for more papers within 8 working hours (rule of
  Decree 45/2020 for electronic dossiers, *to confirm* under Decree 118/2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app import audit
from app.clock import local_date, to_local, utcnow
from app.deadlines import (
    add_working_days,
    add_working_hours,
    is_working_day,
    next_working_day,
    working_days_between,
    working_hours_between,
)
from app.dossiers import DossierError, allowed_next, change_status
from app.extensions import db
from app.models import OPEN_STATUSES, Dossier, DossierEvent, Office, Officer
from app.sms.outbox import queue_status_notifications

#: How a paper was received at the counter.
PAPER_FORMS = ("original", "copy", "lookup")
ACK_WORKING_HOURS = 8
TEXT_MAX = 500


def sessions(office: Office) -> list:
    return [(office.am_start, office.am_end), (office.pm_start, office.pm_end)]


# ----------------------------------------------------------------------------- receipt


def record_receipt(dossier: Dossier, papers: list[dict], fee_paid: int | None) -> None:
    """Turn the dossier's first event into the receipt: the papers ticked at the counter
    (``[{"name":…, "form": PAPER_FORMS}]``) and the fee paid. The caller commits."""
    clean = [
        {"name": str(p["name"])[:300], "form": p["form"]}
        for p in papers
        if p.get("form") in PAPER_FORMS and p.get("name")
    ]
    first = dossier.events[0]
    first.kind = "receipt"
    first.data = {"papers": clean, "fee_paid": fee_paid}


def receipt(dossier: Dossier) -> dict:
    first = dossier.events[0] if dossier.events else None
    if first is not None and first.kind == "receipt" and first.data:
        return first.data
    return {"papers": [], "fee_paid": None}


# ----------------------------------------------------------------------------- shared


def _text(value: str | None, code: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise DossierError(code)
    if len(value) > TEXT_MAX:
        raise DossierError("too_long")
    return value


def _later_working_day(day: date | None, today: date, code: str) -> date:
    if day is None or day <= today:
        raise DossierError(code)
    if not is_working_day(day):
        raise DossierError("not_working_day")
    return day


def _paper_event(dossier: Dossier, officer: Officer | None, kind: str, note: str, data: dict,
                 at: datetime | None = None) -> DossierEvent:
    """An event that does not change the status (apology, acknowledgement)."""
    event = DossierEvent(dossier_id=dossier.id, status=dossier.status, at=at or utcnow(),
                         officer_id=officer.id if officer else None, note=note, kind=kind,
                         data=data)
    dossier.events.append(event)
    db.session.flush()
    audit.record(f"dossier.{kind}", dossier, officer, None, {"kind": kind, **data})
    return event


# ----------------------------------------------------------------------------- supplement


def request_supplement(dossier: Dossier, officer: Officer | None, *, papers: str, reason: str,
                       bring_by: date | None, today: date, commit: bool = True,
                       notify: bool = True) -> DossierEvent:
    """Ask for more papers: which, why, by when. The clock pauses (module docstring)."""
    if "needs_supplement" not in allowed_next(dossier):
        raise DossierError("bad_transition")
    papers = _text(papers, "papers_required")
    reason = _text(reason, "reason_required")
    bring_by = _later_working_day(bring_by, today, "bad_bring_by")
    days_left = working_days_between(today, dossier.due_on)
    data = {
        "papers": papers,
        "reason": reason,
        "bring_by": bring_by.isoformat(),
        "days_left": days_left,
        "due_before": dossier.due_on.isoformat(),
    }
    if dossier.channel == "online" and dossier.acknowledged_at is None:
        dossier.acknowledged_at = utcnow()
    return change_status(
        dossier, "needs_supplement", officer, note=papers, kind="supplement", data=data,
        due_on=add_working_days(bring_by, days_left), commit=commit, notify=notify,
    )


# ----------------------------------------------------------------------------- refusal


def refuse(dossier: Dossier, officer: Officer | None, *, reason: str, commit: bool = True,
           notify: bool = True) -> DossierEvent:
    """Refuse to accept (still "received") or to grant (later) — with the reason in plain words."""
    if "rejected" not in allowed_next(dossier):
        raise DossierError("bad_transition")
    reason = _text(reason, "reason_required")
    stage = "reception" if dossier.status == "received" else "handling"
    if dossier.channel == "online" and dossier.acknowledged_at is None:
        dossier.acknowledged_at = utcnow()
    return change_status(dossier, "rejected", officer, note=reason, kind="refusal",
                         data={"reason": reason, "stage": stage}, commit=commit, notify=notify)


# ----------------------------------------------------------------------------- apology


def apologise(dossier: Dossier, officer: Officer | None, *, reason: str, new_date: date | None,
              today: date, commit: bool = True, notify: bool = True) -> DossierEvent:
    """Apologise for a dossier that is (or will be) late and give a new date. Several may be
    issued; each is kept. ``due_on`` stays: the dossier still counts as late."""
    if dossier.status not in OPEN_STATUSES:
        raise DossierError("not_open")
    reason = _text(reason, "reason_required")
    new_date = _later_working_day(new_date, today, "bad_new_date")
    if new_date <= dossier.current_due:
        raise DossierError("not_after_due")
    data = {"reason": reason, "new_date": new_date.isoformat(),
            "due_before": dossier.current_due.isoformat()}
    dossier.promised_on = new_date
    event = _paper_event(dossier, officer, "apology", reason, data)
    if notify:
        queue_status_notifications(dossier, event)
    if commit:
        db.session.commit()
    return event


def needs_apology(dossier: Dossier, today: date) -> bool:
    """Overdue, and no apology promises a date from today on."""
    return dossier.is_overdue(today) and not (
        dossier.promised_on and dossier.promised_on >= today
    )


# ----------------------------------------------------------------------------- online


def ack_deadline(dossier: Dossier) -> datetime:
    """Local time by which an online dossier must be acknowledged (8 working hours)."""
    office = dossier.office
    return add_working_hours(to_local(dossier.received_at, office.tz), ACK_WORKING_HOURS,
                             sessions(office))


def ack_hours_left(dossier: Dossier, now_utc: datetime | None = None) -> float:
    office = dossier.office
    now = to_local(now_utc or utcnow(), office.tz)
    return working_hours_between(now, ack_deadline(dossier), sessions(office))


def waiting_ack(office: Office) -> list[Dossier]:
    """Online dossiers not yet acknowledged nor asked for more papers, oldest first."""
    return list(db.session.scalars(
        sa.select(Dossier)
        .where(Dossier.office_id == office.id, Dossier.channel == "online",
               Dossier.acknowledged_at.is_(None), Dossier.status.in_(("received", "processing")))
        .order_by(Dossier.received_at, Dossier.id)
    ))


def acknowledge(dossier: Dossier, officer: Officer | None, commit: bool = True) -> DossierEvent:
    if dossier.channel != "online" or dossier.acknowledged_at is not None:
        raise DossierError("not_waiting_ack")
    if dossier.status not in ("received", "processing"):
        raise DossierError("not_open")
    dossier.acknowledged_at = utcnow()
    event = _paper_event(dossier, officer, "ack", "", {"acknowledged": True})
    if commit:
        db.session.commit()
    return event


# ----------------------------------------------------------------------------- citizen side


@dataclass
class NextStep:
    """The one thing the citizen does next: ``bring`` (papers by a date), ``collect`` (from a
    date), ``wait`` (nothing: we text you), ``late`` (call: the commune owes a new date),
    ``refused`` (read the reason, call), ``done``."""

    kind: str
    due: date | None = None  # the current due date, when the dossier is open
    papers: str = ""
    by: date | None = None
    since: date | None = None
    reason: str = ""
    apologised: bool = False


def next_step(dossier: Dossier, today: date) -> NextStep:
    status = dossier.status
    if status == "needs_supplement":
        paper = dossier.last_paper("supplement")
        data = (paper.data or {}) if paper else {}
        by = date.fromisoformat(data["bring_by"]) if data.get("bring_by") else None
        papers = data.get("papers") or (dossier.last_event().note if dossier.events else "")
        return NextStep("bring", due=dossier.current_due, papers=papers, by=by)
    if status == "ready":
        since = local_date(dossier.finished_at, dossier.office.tz) if dossier.finished_at else today
        return NextStep("collect", since=since)
    if status == "rejected":
        paper = dossier.last_paper("refusal")
        return NextStep("refused", reason=(paper.note if paper else
                                           (dossier.last_event().note if dossier.events else "")))
    if status in OPEN_STATUSES:
        apologised = bool(dossier.promised_on and dossier.promised_on >= today)
        if dossier.current_due < today:
            return NextStep("late", due=dossier.current_due)
        return NextStep("wait", due=dossier.current_due, apologised=apologised)
    return NextStep("done")


# ----------------------------------------------------------------------------- officer home


def due_within_one_day(office: Office, today: date) -> list[Dossier]:
    """Open dossiers whose current due date is today or the next working day."""
    limit = next_working_day(today)
    rows = db.session.scalars(
        sa.select(Dossier).where(Dossier.office_id == office.id,
                                 Dossier.status.in_(OPEN_STATUSES),
                                 Dossier.due_on <= limit)
        .order_by(Dossier.due_on, Dossier.id)
    )
    return [d for d in rows if today <= d.current_due <= limit]


def overdue_without_apology(office: Office, today: date) -> list[Dossier]:
    rows = db.session.scalars(
        sa.select(Dossier).where(Dossier.office_id == office.id,
                                 Dossier.status.in_(OPEN_STATUSES), Dossier.due_on < today)
        .order_by(Dossier.due_on, Dossier.id)
    )
    return [d for d in rows if needs_apology(d, today)]
