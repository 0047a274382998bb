"""Working days and due dates (app.deadlines): Tết, weekends, office hours, the 15:00 cut-off
for same-day certifications, and UTC storage vs the office's local day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from app.deadlines import (
    add_working_days,
    counting_start,
    due_date,
    is_public_holiday,
    is_working_day,
    next_working_day,
    parse_hhmm,
    to_local,
    working_days_between,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CLOSE = time(17, 0)
CUTOFF = time(15, 0)


def utc(local: str) -> datetime:
    """A local (Asia/Ho_Chi_Minh, UTC+7, no DST) wall-clock time as stored: naive UTC."""
    return datetime.fromisoformat(local) - timedelta(hours=7)


def test_tet_2026_is_what_the_holidays_package_says():
    """The figures below rest on these dates; if the package changes them, so must the table."""
    vn = holidays.Vietnam(years=2026)
    tet = [date(2026, 2, d) for d in range(16, 21)]
    assert all(day in vn for day in tet)
    assert all(is_public_holiday(day) and not is_working_day(day) for day in tet)
    assert date(2026, 2, 13) not in vn and is_working_day(date(2026, 2, 13))  # Friday before
    assert date(2026, 2, 23) not in vn and is_working_day(date(2026, 2, 23))  # Monday after


@pytest.mark.parametrize(
    ("received_local", "days", "cutoff", "expected", "why"),
    [
        # Tết 2026: Mon 16 – Fri 20 February off; the weekends around it too.
        ("2026-02-13 09:00", 3, None, date(2026, 2, 25), "Tết: Fri → Mon 23, Tue 24, Wed 25"),
        ("2026-02-12 10:00", 3, None, date(2026, 2, 24), "Tết: Thu → Fri 13, Mon 23, Tue 24"),
        ("2026-02-13 16:59", 0, None, date(2026, 2, 13), "same day before closing"),
        ("2026-02-13 17:30", 0, None, date(2026, 2, 23), "after hours on the eve of Tết"),
        ("2026-02-17 09:00", 1, None, date(2026, 2, 24), "received on Tết: from Mon 23"),
        # Tết 2025: Mon 27 January – Sat 1 February off.
        ("2025-01-24 08:00", 3, None, date(2025, 2, 5), "Tết 2025: Fri → Mon 3, 4, 5 Feb"),
        # A weekend in the middle.
        ("2026-03-06 10:00", 2, None, date(2026, 3, 10), "Fri + 2 → Tue"),
        ("2026-03-05 10:00", 3, None, date(2026, 3, 10), "Thu + 3 → Tue"),
        ("2026-03-09 10:00", 5, None, date(2026, 3, 16), "Mon + 5 → next Mon"),
        # After office hours: counts from the next working day.
        ("2026-03-09 18:00", 3, None, date(2026, 3, 13), "Mon 18:00 counts from Tue"),
        ("2026-03-09 16:59", 3, None, date(2026, 3, 12), "Mon 16:59 counts from Mon"),
        ("2026-03-06 18:00", 1, None, date(2026, 3, 10), "Fri 18:00 counts from Mon"),
        # Same-day certifications, cut-off 15:00 (Decree 23/2015 Art. 7).
        ("2026-03-09 14:59", 0, CUTOFF, date(2026, 3, 9), "14:59 → same day"),
        ("2026-03-09 15:01", 0, CUTOFF, date(2026, 3, 10), "15:01 → next working day"),
        ("2026-03-06 15:01", 0, CUTOFF, date(2026, 3, 9), "Fri 15:01 → Mon"),
        ("2026-03-09 16:00", 0, None, date(2026, 3, 9), "no cut-off: office closing counts"),
        # The cut-off is for same-day procedures only; a 3-day one uses the closing time.
        ("2026-03-09 16:00", 3, CUTOFF, date(2026, 3, 12), "cut-off ignored for 3 days"),
        # Received on a Saturday, Sunday or public holiday.
        ("2026-03-07 09:00", 3, None, date(2026, 3, 12), "Sat → from Mon 9: Thu 12"),
        ("2026-03-08 09:00", 0, CUTOFF, date(2026, 3, 9), "Sun certification → Mon"),
        ("2026-04-30 09:00", 1, None, date(2026, 5, 5), "30/4 and 1/5 off: from Mon 4 → Tue 5"),
        ("2026-09-01 08:00", 0, CUTOFF, date(2026, 9, 3), "National Day 1–2/9 → Thu 3"),
        # A due date that would land on a day off moves past it.
        ("2026-04-23 09:00", 2, None, date(2026, 4, 28), "Thu + 2: Fri 24, (27 off) Tue 28"),
    ],
)
def test_due_date(received_local, days, cutoff, expected, why):
    got = due_date(utc(received_local), days, TZ, office_close=CLOSE, same_day_cutoff=cutoff)
    assert got == expected, why
    assert is_working_day(got)


@pytest.mark.parametrize(
    ("stored_utc", "local_day", "days", "expected"),
    [
        # 23:30 UTC is 06:30 the next morning in Viet Nam: that local day counts.
        ("2026-03-09 23:30", date(2026, 3, 10), 0, date(2026, 3, 10)),
        ("2026-03-09 23:30", date(2026, 3, 10), 2, date(2026, 3, 12)),
        # Friday 23:30 UTC is Saturday morning locally: counts from Monday.
        ("2026-03-06 23:30", date(2026, 3, 7), 0, date(2026, 3, 9)),
        # 09:00 UTC is 16:00 local: before closing, after the certification cut-off.
        ("2026-03-09 09:00", date(2026, 3, 9), 1, date(2026, 3, 10)),
        # 10:30 UTC is 17:30 local: after hours.
        ("2026-03-09 10:30", date(2026, 3, 9), 1, date(2026, 3, 11)),
        # 16:59 UTC on 12 Feb 2026 is 23:59 local on the 12th, after hours → the 13th.
        ("2026-02-12 16:59", date(2026, 2, 12), 0, date(2026, 2, 13)),
    ],
)
def test_utc_storage_is_read_in_local_time(stored_utc, local_day, days, expected):
    at = datetime.fromisoformat(stored_utc)
    assert at.tzinfo is None  # stored naive UTC
    assert to_local(at, TZ).date() == local_day
    assert due_date(at, days, TZ, office_close=CLOSE) == expected


def test_to_local_does_not_shift_an_already_local_time_twice():
    local = datetime(2026, 11, 28, 19, 39, tzinfo=TZ)
    assert to_local(local, TZ) == local
    assert to_local(local, TZ).date() == date(2026, 11, 28)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 25), 3),  # across Tết
        (date(2026, 2, 13), date(2026, 2, 20), 0),  # all of it Tết
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Fri → Mon
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 10), date(2026, 3, 9), 0),  # end before start
        (date(2026, 3, 2), date(2026, 3, 30), 20),  # four plain weeks
        (date(2026, 4, 24), date(2026, 5, 4), 3),  # 27/4, 30/4, 1/5 off: 28, 29, 4
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize("days", [0, 1, 3, 5, 15])
def test_working_days_between_inverts_add_working_days(days):
    start = date(2026, 2, 13)
    assert working_days_between(start, add_working_days(start, days)) == days


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 23)),
        (date(2026, 3, 6), date(2026, 3, 9)),
        (date(2026, 3, 9), date(2026, 3, 10)),
        (date(2025, 12, 31), date(2026, 1, 2)),  # 1 January off
    ],
)
def test_next_working_day(day, expected):
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("local", "cutoff", "expected"),
    [
        (datetime(2026, 3, 9, 14, 59, tzinfo=TZ), CUTOFF, date(2026, 3, 9)),
        (datetime(2026, 3, 9, 15, 1, tzinfo=TZ), CUTOFF, date(2026, 3, 10)),
        (datetime(2026, 3, 7, 8, 0, tzinfo=TZ), CLOSE, date(2026, 3, 9)),
    ],
)
def test_counting_start(local, cutoff, expected):
    assert counting_start(local, cutoff) == expected


@pytest.mark.parametrize(("text", "expected"), [("15:00", time(15, 0)), ("7:05", time(7, 5)),
                                                 ("", None), (None, None)])
def test_parse_hhmm(text, expected):
    assert parse_hhmm(text) == expected
