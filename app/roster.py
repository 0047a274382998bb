"""Who is on duty: the weekly roster with its dated exceptions, in the office's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.deadlines import is_public_holiday, is_working_day
from app.extensions import db
from app.models import DutyException, DutyShift, Office, Officer


@dataclass(frozen=True)
class Duty:
    officer: Officer
    start: time
    end: time
    covering: Officer | None = None  # set when this is a stand-in for someone on leave

    def covers(self, moment: time) -> bool:
        return self.start <= moment < self.end


def _overlaps(a_start: time, a_end: time, b_start: time | None, b_end: time | None) -> bool:
    if b_start is None or b_end is None:
        return True  # a whole-day exception
    return a_start < b_end and b_start < a_end


def desk_open_on(office: Office, day: date) -> bool:
    """The weekly roster applies Monday–Friday (and Saturday where the office opens), never on
    a public holiday."""
    if is_public_holiday(day):
        return False
    return day.weekday() < 5 or (day.weekday() == 5 and office.open_saturday)


def duties_on(office: Office, day: date) -> list[Duty]:
    """Every duty slot on ``day`` after applying leave, holidays, stand-ins and extra duty."""
    weekly: list[DutyShift] = []
    if desk_open_on(office, day):
        weekly = list(
            db.session.scalars(
                sa.select(DutyShift)
                .join(Officer)
                .where(
                    Officer.office_id == office.id,
                    Officer.active,
                    DutyShift.weekday == day.weekday(),
                )
                .order_by(DutyShift.start, Officer.name)
            )
        )
    exceptions = list(
        db.session.scalars(
            sa.select(DutyException).where(DutyException.office_id == office.id, DutyException.day == day)
        )
    )
    if any(e.kind == "holiday" for e in exceptions):
        weekly = []
    result: list[Duty] = []
    for shift in weekly:
        duty = Duty(shift.officer, shift.start, shift.end)
        for exc in exceptions:
            if exc.officer_id != shift.officer_id or not _overlaps(shift.start, shift.end, exc.start, exc.end):
                continue
            if exc.kind == "leave":
                duty = None
                break
            if exc.kind == "standin" and exc.stand_in is not None:
                duty = Duty(exc.stand_in, shift.start, shift.end, covering=shift.officer)
                break
        if duty is not None:
            result.append(duty)
    for exc in exceptions:
        if exc.kind == "extra" and exc.officer is not None and exc.start and exc.end:
            result.append(Duty(exc.officer, exc.start, exc.end))
    result.sort(key=lambda d: (d.start, d.officer.name))
    return result


def on_duty_now(office: Office, now_local: datetime) -> list[Duty]:
    """Duties covering the local moment ``now_local``."""
    return [d for d in duties_on(office, now_local.date()) if d.covers(now_local.time())]


def next_duty(office: Office, now_local: datetime, horizon_days: int = 14) -> tuple[date, Duty] | None:
    """The next duty slot starting after now (for "the desk opens again at…")."""
    for offset in range(horizon_days):
        day = now_local.date() + timedelta(days=offset)
        for duty in duties_on(office, day):
            if offset or duty.start > now_local.time():
                return day, duty
    return None


def office_slots(office: Office) -> list[tuple[time, time]]:
    return [(office.am_start, office.am_end), (office.pm_start, office.pm_end)]


def uncovered_slots(office: Office, start_day: date, days: int = 7) -> list[tuple[date, time, time]]:
    """Office-hours slots in the coming days with no one on duty (for the admin banner)."""
    gaps = []
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        if not is_working_day(day):
            continue
        duties = duties_on(office, day)
        for start, end in office_slots(office):
            if not any(d.start <= start and d.end >= end for d in duties) and not _partly_covered(
                duties, start, end
            ):
                gaps.append((day, start, end))
    return gaps


def _partly_covered(duties: list[Duty], start: time, end: time) -> bool:
    """True when the union of duties covers [start, end) without a hole."""
    cursor = start
    for d in sorted(duties, key=lambda d: d.start):
        if d.start <= cursor < d.end:
            cursor = d.end
        if cursor >= end:
            return True
    return False


def weekly_hours(officer: Officer) -> dict[int, list[tuple[time, time]]]:
    hours: dict[int, list[tuple[time, time]]] = {}
    for shift in officer.shifts:
        hours.setdefault(shift.weekday, []).append((shift.start, shift.end))
    return hours
