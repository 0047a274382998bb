"""The one clock (app/clock.py): every function follows time moved by time-machine (the ``clock``
fixture), across the hours where the office's day and the UTC day differ.

Vietnam is UTC+7 all year: 23:30 on 1 December in the commune is 16:30 UTC the same day, and
06:30 on 2 December in the commune is 23:30 UTC on 1 December.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_babel import get_timezone
from flask_login import login_user

from app import clock as app_clock
from app.clock import (
    DEFAULT_TZ,
    local_date,
    local_midnight_utc,
    local_to_utc,
    office_now,
    office_today,
    to_local,
    unix_time,
    utcnow,
)
from app.filters import fmt_date, fmt_datetime
from app.models import Feedback

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = ZoneInfo("UTC")
OFFICE = SimpleNamespace(tz=VN)  # the clock needs only the zone

# (local wall clock in the commune, the same instant as naive UTC)
LATE_EVENING = (datetime(2026, 12, 1, 23, 30), datetime(2026, 12, 1, 16, 30))  # same UTC day
EARLY_MORNING = (datetime(2026, 12, 2, 6, 30), datetime(2026, 12, 1, 23, 30))  # UTC day before
MOMENTS = pytest.mark.parametrize(
    ("local", "utc"), [LATE_EVENING, EARLY_MORNING], ids=["23:30 local", "06:30 local"]
)


def test_the_default_zone_is_vietnams():
    assert app_clock.DEFAULT_TIMEZONE == "Asia/Ho_Chi_Minh" and DEFAULT_TZ == VN


@MOMENTS
def test_utcnow_is_naive_utc(clock, local, utc):
    clock.local(local)
    assert utcnow() == utc and utcnow().tzinfo is None


@MOMENTS
def test_office_now_is_the_aware_local_time(clock, local, utc):
    clock.utc(utc)
    now = office_now(OFFICE)
    assert now == local.replace(tzinfo=VN)
    assert now.tzinfo is VN and (now.hour, now.minute) == (local.hour, local.minute)


@MOMENTS
def test_office_today_is_the_local_day_not_the_utc_day(clock, local, utc):
    clock.utc(utc)
    assert office_today(OFFICE) == local.date()


def test_office_today_follows_the_offices_own_zone(clock):
    clock.utc(datetime(2026, 12, 1, 23, 30))
    assert office_today(OFFICE) == date(2026, 12, 2)
    assert office_today(SimpleNamespace(tz=ZoneInfo("Europe/London"))) == date(2026, 12, 1)
    assert office_today(SimpleNamespace(tz=ZoneInfo("America/Los_Angeles"))) == date(2026, 12, 1)


@MOMENTS
def test_unix_time_moves_too(clock, local, utc):
    clock.local(local)
    assert unix_time() == utc.replace(tzinfo=UTC).timestamp()


def test_time_stands_still_until_moved(clock):
    clock.local(datetime(2026, 12, 1, 23, 30))
    first = utcnow()
    assert utcnow() == first
    clock.local(datetime(2026, 12, 2, 6, 30))
    assert utcnow() - first == (datetime(2026, 12, 1, 23, 30) - datetime(2026, 12, 1, 16, 30))


@MOMENTS
def test_to_local_and_local_date(local, utc):
    assert to_local(utc, VN) == local.replace(tzinfo=VN)
    assert local_date(utc, VN) == local.date()
    # An aware time is converted, not re-read as UTC (that would add the offset twice).
    assert to_local(local.replace(tzinfo=VN), VN) == local.replace(tzinfo=VN)


@MOMENTS
def test_local_to_utc(local, utc):
    assert local_to_utc(local, VN) == utc
    assert local_to_utc(local.replace(tzinfo=VN), VN) == utc
    assert local_to_utc(local, VN).tzinfo is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 2), datetime(2026, 12, 1, 17, 0)),
        (date(2027, 1, 1), datetime(2026, 12, 31, 17, 0)),  # a year begins the UTC day before
    ],
)
def test_local_midnight_utc(day, expected):
    assert local_midnight_utc(day, VN) == expected
    assert local_date(expected, VN) == day  # midnight belongs to the day it begins


@MOMENTS
def test_column_defaults_follow_the_clock(db, make_office, clock, local, utc):
    office = make_office()
    clock.local(local)
    item = Feedback(office_id=office.id, rating=5, comment="")
    db.session.add(item)
    db.session.commit()
    assert item.created_at == utc


# ----------------------------------------------------------------------------- pages


@MOMENTS
def test_page_dates_use_the_pages_office_zone(app, db, make_office, local, utc):
    make_office()  # the public office, in Vietnam's zone
    with app.test_request_context("/"):
        assert fmt_datetime(utc) == f"{local:%H:%M %d/%m/%Y}"
        assert fmt_date(utc) == f"{local:%d/%m/%Y}"
        assert str(get_timezone()) == "Asia/Ho_Chi_Minh"


def test_page_dates_follow_an_office_in_another_zone(app, db, make_office):
    make_office(timezone="Europe/London")
    at = datetime(2026, 12, 1, 23, 30)  # naive UTC: still 1 December in London
    with app.test_request_context("/"):
        assert fmt_datetime(at) == "23:30 01/12/2026"
        assert fmt_date(at) == "01/12/2026"
        assert str(get_timezone()) == "Europe/London"
    # An explicit zone (a CSV export, an SMS) wins over the page's.
    with app.test_request_context("/"):
        assert fmt_date(at, VN) == "02/12/2026"


def test_officer_pages_use_the_officers_own_office(app, db, make_office, make_officer):
    make_office()  # the public office (DEFAULT_OFFICE, Vietnam)
    far = make_office(code="LD", timezone="Europe/London")
    officer = make_officer(office=far)
    at = datetime(2026, 12, 1, 23, 30)
    with app.test_request_context("/officer/"):
        login_user(officer)
        assert fmt_date(at) == "01/12/2026"
    with app.test_request_context("/"):  # a citizen page: the public office
        login_user(officer)
        assert fmt_date(at) == "02/12/2026"


def test_with_no_office_pages_fall_back_to_the_default_zone(app, db):
    at = datetime(2026, 12, 1, 23, 30)
    with app.test_request_context("/"):
        assert fmt_date(at) == "02/12/2026"
        assert str(get_timezone()) == app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Ho_Chi_Minh"
    # No request (the SMS worker, the CLI): the configured default.
    assert fmt_date(at) == "02/12/2026"


def test_outside_any_app_dates_use_the_default_zone():
    assert fmt_datetime(datetime(2026, 12, 1, 23, 30)) == "06:30 02/12/2026"
