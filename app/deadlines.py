"""Working days and due dates.

A working day is Monday–Friday that is not a Vietnamese public holiday (Tết included; the
``holidays`` package knows the lunar dates and the government's substituted days off). A dossier
received after office hours — or, for same-day procedures, after the cut-off (15:00 for
certifications, Decree 23/2015 Art. 7) — counts from the next working day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# The conversion lives with the clock; it stays importable from here for app.sms.worker.
from app.clock import to_local


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> frozenset[date]:
    return frozenset(holidays.Vietnam(years=year).keys())


def is_public_holiday(day: date) -> bool:
    return day in _holidays_for(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """``start`` (a working day) plus ``days`` working days; 0 returns ``start``."""
    day = start
    for _ in range(days):
        day = next_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def parse_hhmm(value: str | None) -> time | None:
    if not value:
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def counting_start(received_local: datetime, cutoff: time) -> date:
    """The working day a dossier counts from: the day of receipt if it is a working day and the
    dossier came before ``cutoff``, else the next working day."""
    day = received_local.date()
    if is_working_day(day) and received_local.time() < cutoff:
        return day
    return next_working_day(day)


def due_date(
    received_at_utc: datetime,
    processing_days: int,
    tz: ZoneInfo,
    office_close: time = time(17, 0),
    same_day_cutoff: time | None = None,
) -> date:
    """The last working day on which the result is due.

    ``processing_days`` 0 means "the same working day": the cut-off is ``same_day_cutoff`` when
    the procedure has one, else the office's closing time.
    """
    local = to_local(received_at_utc, tz)
    cutoff = same_day_cutoff if (processing_days == 0 and same_day_cutoff) else office_close
    start = counting_start(local, cutoff)
    return add_working_days(start, processing_days)


# ------------------------------------------------------------------------ working hours

Sessions = list[tuple[time, time]]


def add_working_hours(start_local: datetime, hours: float, sessions: Sessions) -> datetime:
    """``start_local`` (naive local time) plus ``hours`` of office hours: only the ``sessions``
    (e.g. 07:00–11:30 and 13:30–17:00) of working days count. Used for the 8 working hours an
    online dossier has to be acknowledged in (``app.papers.ACK_WORKING_HOURS``)."""
    start_local = start_local.replace(tzinfo=None)
    left = timedelta(hours=hours)
    day = start_local.date()
    moment = start_local
    for _ in range(400):  # a year of days at most; the loop always ends long before
        if is_working_day(day):
            for begin, end in sorted(sessions):
                s = datetime.combine(day, begin)
                e = datetime.combine(day, end)
                if moment >= e:
                    continue
                s = max(s, moment)
                if s + left <= e:
                    return s + left
                left -= e - s
        day += timedelta(days=1)
        moment = datetime.combine(day, time(0, 0))
    raise ValueError("no working hours in sessions")


def working_hours_between(start_local: datetime, end_local: datetime, sessions: Sessions) -> float:
    """Office hours (as in ``add_working_hours``) from ``start_local`` to ``end_local``;
    negative when ``end`` is before ``start``."""
    start_local, end_local = start_local.replace(tzinfo=None), end_local.replace(tzinfo=None)
    if end_local < start_local:
        return -working_hours_between(end_local, start_local, sessions)
    total = timedelta()
    day = start_local.date()
    while day <= end_local.date():
        if is_working_day(day):
            for begin, end in sessions:
                s = max(datetime.combine(day, begin), start_local)
                e = min(datetime.combine(day, end), end_local)
                if e > s:
                    total += e - s
        day += timedelta(days=1)
    return total.total_seconds() / 3600
