"""Who is on duty: the weekly roster with its dated exceptions, in the office's time zone.

Reads (``duties_on``, ``on_duty_now``, ``next_duty``, ``uncovered_slots``, ``weekly_hours``,
``desk_open_on``) serve the citizen pages and SMS; writes (``add_shift``, ``remove_shift``,
``add_exception``, ``remove_exception``) serve the admin's roster page. Each write validates,
records an audit entry and commits, so the public side and the log never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import record
from app.deadlines import is_public_holiday
from app.extensions import db
from app.models import EXCEPTION_KINDS, DutyException, DutyShift, Office, Officer

# Shifts and dated duty stay inside the day a commune desk can plausibly be staffed.
EARLIEST = time(5, 0)
LATEST = time(22, 0)


@dataclass(frozen=True)
class Duty:
    officer: Officer
    start: time
    end: time
    covering: Officer | None = None  # set when this is a stand-in for someone on leave

    def covers(self, moment: time) -> bool:
        return self.start <= moment < self.end


def _exceptions_on(office: Office, day: date) -> list[DutyException]:
    return list(
        db.session.scalars(
            sa.select(DutyException)
            .where(DutyException.office_id == office.id, DutyException.day == day)
            .order_by(DutyException.id)
        )
    )


def _open_by_calendar(office: Office, day: date) -> bool:
    if is_public_holiday(day):
        return False
    return day.weekday() < 5 or (day.weekday() == 5 and office.open_saturday)


def desk_open_on(office: Office, day: date) -> bool:
    """The weekly roster applies Monday–Friday (and Saturday where the office opens), never on
    a public holiday nor on a day the admin marked as a holiday."""
    if not _open_by_calendar(office, day):
        return False
    return not any(e.kind == "holiday" for e in _exceptions_on(office, day))


def _covers(exc: DutyException, start: time, end: time) -> bool:
    """Does ``exc`` cover the whole piece [start, end)? No times = the whole day."""
    if exc.start is None or exc.end is None:
        return True
    return exc.start <= start and end <= exc.end


def _pieces(
    shift_start: time, shift_end: time, exceptions: list[DutyException]
) -> list[tuple[time, time]]:
    """Cut the shift at every exception boundary inside it, so that each piece is either fully
    inside or fully outside every exception."""
    cuts = {shift_start, shift_end}
    for exc in exceptions:
        for t in (exc.start, exc.end):
            if t is not None and shift_start < t < shift_end:
                cuts.add(t)
    ordered = sorted(cuts)
    return list(zip(ordered, ordered[1:], strict=False))


def _apply_exceptions(shift: DutyShift, exceptions: list[DutyException]) -> list[Duty]:
    """The duty slots a weekly shift becomes after leave and stand-ins for its officer.

    A stand-in covers the part of the shift it names (all of it without times), even when the
    officer also has leave recorded; leave without a stand-in leaves a gap (the banner shows
    it). An inactive stand-in covers nothing: citizens must not be sent to someone who left.
    """
    mine = [
        e for e in exceptions if e.officer_id == shift.officer_id and e.kind in ("leave", "standin")
    ]
    result: list[Duty] = []
    for start, end in _pieces(shift.start, shift.end, mine):
        standin = next((e for e in mine if e.kind == "standin" and _covers(e, start, end)), None)
        if standin is not None:
            who = standin.stand_in
            duty = (
                Duty(who, start, end, covering=shift.officer)
                if who is not None and who.active
                else None
            )
        elif any(e.kind == "leave" and _covers(e, start, end) for e in mine):
            duty = None
        else:
            duty = Duty(shift.officer, start, end)
        if duty is None:
            continue
        last = result[-1] if result else None
        if (
            last
            and last.end == start
            and last.officer.id == duty.officer.id
            and last.covering == duty.covering
        ):
            result[-1] = Duty(last.officer, last.start, end, last.covering)
        else:
            result.append(duty)
    return result


def duties_on(office: Office, day: date) -> list[Duty]:
    """Every duty slot on ``day`` after applying leave, holidays, stand-ins and extra duty."""
    exceptions = _exceptions_on(office, day)
    weekly: list[DutyShift] = []
    if _open_by_calendar(office, day) and not any(e.kind == "holiday" for e in exceptions):
        weekly = list(
            db.session.scalars(
                sa.select(DutyShift)
                .join(Officer, DutyShift.officer_id == Officer.id)
                .where(
                    Officer.office_id == office.id,
                    Officer.active,
                    DutyShift.weekday == day.weekday(),
                )
                .order_by(DutyShift.start, Officer.name)
            )
        )
    result: list[Duty] = []
    for shift in weekly:
        result.extend(_apply_exceptions(shift, exceptions))
    for exc in exceptions:
        if (
            exc.kind == "extra"
            and exc.officer is not None
            and exc.officer.active
            and exc.start
            and exc.end
        ):
            result.append(Duty(exc.officer, exc.start, exc.end))
    result.sort(key=lambda d: (d.start, d.officer.name))
    return result


def on_duty_now(office: Office, now_local: datetime) -> list[Duty]:
    """Duties covering the local moment ``now_local``."""
    return [d for d in duties_on(office, now_local.date()) if d.covers(now_local.time())]


def next_duty(
    office: Office, now_local: datetime, horizon_days: int = 14
) -> tuple[date, Duty] | None:
    """The next duty slot starting after now (for "the desk opens again at…")."""
    for offset in range(horizon_days):
        day = now_local.date() + timedelta(days=offset)
        for duty in duties_on(office, day):
            if offset or duty.start > now_local.time():
                return day, duty
    return None


def office_slots(office: Office, day: date | None = None) -> list[tuple[time, time]]:
    """Office-hours slots; on Saturday (where the office opens) only the morning."""
    if day is not None and day.weekday() == 5:
        return [(office.am_start, office.am_end)]
    return [(office.am_start, office.am_end), (office.pm_start, office.pm_end)]


def uncovered_slots(
    office: Office, start_day: date, days: int = 7, now: time | None = None
) -> list[tuple[date, time, time]]:
    """Office-hours slots in the coming days with no one on duty for some part (for the admin
    banner). Days the desk is closed (weekend, public holiday, a holiday exception) have no
    slots; with ``now``, slots of ``start_day`` that have already ended are not reported."""
    gaps = []
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        if not desk_open_on(office, day):
            continue
        duties = duties_on(office, day)
        for start, end in office_slots(office, day):
            if offset == 0 and now is not None and end <= now:
                continue
            if not _union_covers(duties, start, end):
                gaps.append((day, start, end))
    return gaps


def _union_covers(duties: list[Duty], start: time, end: time) -> bool:
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


# ------------------------------------------------------------------------------ writes


class RosterError(ValueError):
    """A roster change that breaks a rule. ``field`` names the form field to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _officer_in(office: Office, officer_id: int | None, field: str) -> Officer:
    officer = db.session.get(Officer, officer_id) if officer_id else None
    if officer is None or officer.office_id != office.id or not officer.active:
        raise RosterError(field, _("Chọn một cán bộ đang làm việc."))
    return officer


def _check_times(start: time | None, end: time | None, required: bool) -> None:
    if start is None and end is None and not required:
        return
    if start is None:
        raise RosterError("start", _("Nhập giờ bắt đầu."))
    if end is None:
        raise RosterError("end", _("Nhập giờ kết thúc."))
    if end <= start:
        raise RosterError("end", _("Giờ kết thúc phải sau giờ bắt đầu."))
    if start < EARLIEST or end > LATEST:
        raise RosterError("start", _("Ca trực phải trong khoảng 5:00–22:00."))


def _shift_dict(shift: DutyShift) -> dict:
    return {
        "officer": shift.officer.username if shift.officer else shift.officer_id,
        "weekday": shift.weekday,
        "start": shift.start.strftime("%H:%M"),
        "end": shift.end.strftime("%H:%M"),
    }


def _exception_dict(exc: DutyException) -> dict:
    return {
        "day": exc.day.isoformat(),
        "kind": exc.kind,
        "officer": exc.officer.username if exc.officer else None,
        "stand_in": exc.stand_in.username if exc.stand_in else None,
        "start": exc.start.strftime("%H:%M") if exc.start else None,
        "end": exc.end.strftime("%H:%M") if exc.end else None,
        "note": exc.note,
    }


def add_shift(
    office: Office,
    actor: Officer,
    officer_id: int,
    weekday: int,
    start: time | None,
    end: time | None,
) -> DutyShift:
    """A weekly shift: ``officer`` is at the desk every ``weekday`` from ``start`` to ``end``."""
    officer = _officer_in(office, officer_id, "officer")
    if weekday not in range(7):
        raise RosterError("weekday", _("Chọn thứ trong tuần."))
    _check_times(start, end, required=True)
    assert start is not None and end is not None
    for other in officer.shifts:
        if other.weekday == weekday and other.start < end and start < other.end:
            raise RosterError("start", _("Cán bộ này đã có ca trực trùng giờ vào ngày đó."))
    shift = DutyShift(officer_id=officer.id, weekday=weekday, start=start, end=end)
    shift.officer = officer
    db.session.add(shift)
    db.session.flush()
    record("roster.shift_add", shift, actor, after=_shift_dict(shift))
    db.session.commit()
    return shift


def remove_shift(shift: DutyShift, actor: Officer) -> None:
    before = _shift_dict(shift)
    record("roster.shift_remove", shift, actor, before=before)
    db.session.delete(shift)
    db.session.commit()


def add_exception(
    office: Office,
    actor: Officer,
    *,
    day: date | None,
    kind: str,
    officer_id: int | None,
    stand_in_id: int | None,
    start: time | None,
    end: time | None,
    note: str,
    today: date,
) -> DutyException:
    """A dated change to the weekly roster. Rules: a day from today on; leave, extra and
    stand-in name an officer; a stand-in names a different active officer; extra duty has
    times; a holiday closes the office and names no one."""
    if day is None:
        raise RosterError("day", _("Nhập ngày."))
    if day < today:
        raise RosterError("day", _("Ngày đã qua. Chọn hôm nay hoặc một ngày sau."))
    if kind not in EXCEPTION_KINDS:
        raise RosterError("kind", _("Chọn loại thay đổi."))
    officer = stand_in = None
    if kind == "holiday":
        start = end = None
    else:
        officer = _officer_in(office, officer_id, "officer")
        if kind == "standin":
            if not stand_in_id:
                raise RosterError("stand_in", _("Chọn người trực thay."))
            stand_in = _officer_in(office, stand_in_id, "stand_in")
            if stand_in.id == officer.id:
                raise RosterError("stand_in", _("Người trực thay phải khác cán bộ nghỉ."))
        _check_times(start, end, required=kind == "extra")
    exc = DutyException(
        office_id=office.id,
        day=day,
        kind=kind,
        officer_id=officer.id if officer else None,
        stand_in_id=stand_in.id if stand_in else None,
        start=start,
        end=end,
        note=(note or "").strip()[:255],
    )
    exc.officer, exc.stand_in = officer, stand_in
    db.session.add(exc)
    db.session.flush()
    record("roster.exception_add", exc, actor, after=_exception_dict(exc))
    db.session.commit()
    return exc


def remove_exception(exc: DutyException, actor: Officer) -> None:
    record("roster.exception_remove", exc, actor, before=_exception_dict(exc))
    db.session.delete(exc)
    db.session.commit()


def upcoming_exceptions(office: Office, today: date, days: int = 90) -> list[DutyException]:
    return list(
        db.session.scalars(
            sa.select(DutyException)
            .where(
                DutyException.office_id == office.id,
                DutyException.day >= today,
                DutyException.day < today + timedelta(days=days),
            )
            .order_by(DutyException.day, DutyException.start, DutyException.id)
        )
    )


def weekly_shifts(office: Office) -> list[DutyShift]:
    return list(
        db.session.scalars(
            sa.select(DutyShift)
            .join(Officer, DutyShift.officer_id == Officer.id)
            .where(Officer.office_id == office.id)
            .order_by(DutyShift.weekday, DutyShift.start, Officer.name)
        )
    )
