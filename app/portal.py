"""Is the online public-service portal working? What officers reported, and what it means for
the pages, the SMS answers and the leaders' figures.

Officers report the national portal (Cổng Dịch vụ công quốc gia) or the provincial one down and
back up, at the desk (a button on the officer home) or by SMS (``CONG LOI`` / ``CONG OK`` from
the public phone the office publishes for them). While an outage is open, the citizen home
page and every guide say so in one line, and ``CONG`` by SMS answers the same; the page cache
drops its pages when an outage opens or closes (``app.page_cache`` counts
:class:`~app.models.PortalOutage` as content).

Decisions written down here:

* **Who may report.** At the desk, the writer roles (admin, officer), as every other write; a
  leader reads. By SMS, the sender's number must be the public phone of an active admin or
  officer of that office: the phone is the proof, as for a dossier's owner. A report from any
  other number changes nothing (anyone could otherwise put a false notice on the home page) and
  goes to the officers' inbox instead.
* **Idempotent.** Reporting a portal down that is already down keeps the first report (its
  start time is the truth the banner shows); reporting it back up when nothing is open closes
  nothing. A partial unique index allows one open outage per office and portal, so two reports
  at the same second cannot open two.
* **Writes commit once.** ``report_down`` / ``report_up`` add the change and its audit entry to
  the session; the desk view's caller commits through :func:`commit`, the SMS handler with its
  reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit
from app.clock import local_midnight_utc, office_today, to_local, utcnow
from app.extensions import db
from app.models import PORTALS, Office, Officer, PortalOutage

NOTE_MAX = 255
#: How many months the officer page and its CSV show, the current one included.
HISTORY_MONTHS = 12


@dataclass(frozen=True)
class Notice:
    """What the citizen pages and the ``CONG`` answer say while the portal is down.

    ``which``: ``national``, ``provincial`` or ``both``. ``since``: the earliest open outage's
    start, in the office's time (aware). ``since_day``: None when that was today, else the day,
    so a notice left open overnight says which day it began.
    """

    which: str
    since: datetime
    since_day: date | None

    @property
    def since_hm(self) -> str:
        return f"{self.since.hour:02d}:{self.since.minute:02d}"

    @property
    def since_dm(self) -> str | None:
        if self.since_day is None:
            return None
        return f"{self.since.day:02d}/{self.since.month:02d}"

    def context(self) -> dict:
        """For ``templates/sms/portal.txt`` and the citizen banner."""
        return {"which": self.which, "since_hm": self.since_hm, "since_dm": self.since_dm}


def since_context(office: Office, at_utc: datetime) -> dict:
    """``since_hm`` (``09:10``) and ``since_dm`` (``02/12``, None when ``at_utc`` is today in
    the office): what the banner and the SMS texts say an outage began."""
    since = to_local(at_utc, office.tz)
    same_day = since.date() == office_today(office)
    return {
        "since_hm": f"{since.hour:02d}:{since.minute:02d}",
        "since_dm": None if same_day else f"{since.day:02d}/{since.month:02d}",
    }


def open_outages(office: Office) -> list[PortalOutage]:
    """The office's outages not yet reported over, oldest first."""
    return list(db.session.scalars(
        sa.select(PortalOutage)
        .where(PortalOutage.office_id == office.id, PortalOutage.ended_at.is_(None))
        .order_by(PortalOutage.started_at, PortalOutage.id)
    ))


class OpenOutage(NamedTuple):
    """What the citizen banner needs of an open outage (plain data, kept between requests)."""

    portal: str
    started_at: datetime


def open_outage_facts(office: Office) -> list[OpenOutage]:
    """:func:`open_outages` as plain data, oldest first."""
    return [OpenOutage(o.portal, o.started_at) for o in open_outages(office)]


def notice(office: Office, outages: list | None = None) -> Notice | None:
    """The one line the citizen pages show, or None when no outage is open. ``outages``: the
    open outages when the caller has them (:func:`open_outage_facts`, kept per worker)."""
    outages = open_outages(office) if outages is None else outages
    if not outages:
        return None
    portals = {o.portal for o in outages}
    which = "both" if len(portals) > 1 else outages[0].portal
    since = to_local(outages[0].started_at, office.tz)
    today = office_today(office)
    return Notice(which, since, None if since.date() == today else since.date())


def registered_officer(office: Office, phone: str) -> Officer | None:
    """The active admin or officer of ``office`` whose public phone is ``phone`` (E.164), if
    any: the only numbers whose ``CONG LOI`` / ``CONG OK`` change anything."""
    if not phone:
        return None
    return db.session.scalars(
        sa.select(Officer).where(
            Officer.office_id == office.id, Officer.public_phone == phone,
            Officer.active.is_(True), Officer.role.in_(("admin", "officer")),
        ).order_by(Officer.id)
    ).first()


def _open_for(office: Office, portal: str) -> PortalOutage | None:
    return db.session.scalars(
        sa.select(PortalOutage).where(
            PortalOutage.office_id == office.id, PortalOutage.portal == portal,
            PortalOutage.ended_at.is_(None),
        )
    ).first()


def _snapshot(outage: PortalOutage) -> dict:
    return {
        "portal": outage.portal, "started_at": outage.started_at, "ended_at": outage.ended_at,
        "phone": outage.reported_phone if outage.ended_at is None else outage.ended_phone,
        "note": outage.note,
    }


def report_down(office: Office, portal: str, officer: Officer | None, *, phone: str = "",
                note: str = "") -> tuple[PortalOutage, bool]:
    """Open an outage of ``portal`` (``(outage, True)``), or return the one already open
    (``(outage, False)``). Not committed."""
    if portal not in PORTALS:
        raise ValueError(f"unknown portal {portal!r}")
    existing = _open_for(office, portal)
    if existing is not None:
        return existing, False
    outage = PortalOutage(
        office_id=office.id, portal=portal, started_at=utcnow(),
        reported_by_id=officer.id if officer else None, reported_phone=phone[:20],
        note=" ".join((note or "").split())[:NOTE_MAX],
    )
    try:
        with db.session.begin_nested():
            db.session.add(outage)
            db.session.flush()
    except IntegrityError:
        # Another report opened it a moment ago (the partial unique index said so).
        existing = _open_for(office, portal)
        if existing is None:
            raise
        return existing, False
    audit.record("portal.down", outage, officer, after=_snapshot(outage))
    return outage, True


def report_up(office: Office, portal: str | None, officer: Officer | None, *,
              phone: str = "") -> list[PortalOutage]:
    """Close the open outage of ``portal`` (every open one when ``portal`` is None); return
    those closed (none when nothing was open). Not committed."""
    closed = []
    for outage in open_outages(office):
        if portal is not None and outage.portal != portal:
            continue
        before = _snapshot(outage)
        outage.ended_at = max(utcnow(), outage.started_at)
        outage.ended_by_id = officer.id if officer else None
        outage.ended_phone = phone[:20]
        audit.record("portal.up", outage, officer, before=before, after=_snapshot(outage))
        closed.append(outage)
    return closed


def commit() -> None:
    """The desk's one commit for a report (the SMS handler commits with its reply instead)."""
    db.session.commit()


# ----------------------------------------------------------------------------- history


def duration_hours(outage: PortalOutage, now: datetime | None = None) -> float:
    """Hours down, an open outage counted up to now."""
    end = outage.ended_at or now or utcnow()
    return max((end - outage.started_at).total_seconds(), 0) / 3600


def history(office: Office, limit: int = 200) -> list[PortalOutage]:
    """The office's outages, newest first."""
    return list(db.session.scalars(
        sa.select(PortalOutage).where(PortalOutage.office_id == office.id)
        .order_by(PortalOutage.started_at.desc(), PortalOutage.id.desc()).limit(limit)
    ))


@dataclass(frozen=True)
class MonthDown:
    """One month of the office's calendar: outages that touched it and hours down in it."""

    month: date  # the first day
    portal: str
    outages: int
    hours: float


def _add_month(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def monthly_hours(office: Office, months: int = HISTORY_MONTHS) -> list[MonthDown]:
    """Hours down per month and portal, newest month first, for the last ``months`` months of
    the office's calendar (this one so far included). An outage across a month's end counts in
    both months, split at the office's local midnight; an open one counts up to now."""
    now = utcnow()
    this_month = office_today(office).replace(day=1)
    firsts = [_add_month(this_month, -n) for n in range(months)]
    start_utc = local_midnight_utc(firsts[-1], office.tz)
    outages = list(db.session.scalars(
        sa.select(PortalOutage).where(
            PortalOutage.office_id == office.id,
            sa.or_(PortalOutage.ended_at.is_(None), PortalOutage.ended_at > start_utc),
        )
    ))
    rows = []
    for first in firsts:
        lo = local_midnight_utc(first, office.tz)
        hi = local_midnight_utc(_add_month(first, 1), office.tz)
        for portal in PORTALS:
            count, seconds = 0, 0.0
            for outage in outages:
                if outage.portal != portal:
                    continue
                start, end = outage.started_at, outage.ended_at or now
                overlap = (min(end, hi) - max(start, lo)).total_seconds()
                if start < hi and end > lo:
                    count += 1
                    seconds += max(overlap, 0)
            rows.append(MonthDown(first, portal, count, seconds / 3600))
    return rows


__all__ = [
    "HISTORY_MONTHS", "NOTE_MAX", "MonthDown", "Notice", "commit", "duration_hours", "history",
    "monthly_hours", "notice", "open_outages", "registered_officer", "report_down",
    "report_up", "since_context",
]
