"""The duty roster's domain rules: weekly shifts, leave, holidays, extra duty, stand-ins, public
holidays, the uncovered-slot warning, and the validated, audited writes."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from app import roster
from app.models import AuditLog, DutyException, DutyShift

MON = date(2026, 3, 2)  # an ordinary Monday
SAT = date(2026, 3, 7)
NATIONAL_DAY = date(2026, 9, 2)  # Wednesday, a public holiday
AM, PM = (time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))


def _exc(db, office, day, kind, officer=None, stand_in=None, start=None, end=None):
    exc = DutyException(
        office_id=office.id,
        day=day,
        kind=kind,
        officer_id=officer.id if officer else None,
        stand_in_id=stand_in.id if stand_in else None,
        start=start,
        end=end,
    )
    db.session.add(exc)
    db.session.commit()
    return exc


def _slots(duties):
    return [
        (d.officer.username, d.start, d.end, d.covering.username if d.covering else None)
        for d in duties
    ]


@pytest.fixture
def desk(make_office, make_officer, make_shift):
    office = make_office()
    lan = make_officer(username="lan", name="Trần Thị Lan")
    minh = make_officer(username="minh", name="Lê Văn Minh")
    for wd in range(5):
        make_shift(lan, wd, *AM)
        make_shift(minh, wd, *PM)
    return office, lan, minh


def test_weekly_shifts_on_an_ordinary_day(desk):
    office, lan, minh = desk
    assert _slots(roster.duties_on(office, MON)) == [("lan", *AM, None), ("minh", *PM, None)]
    assert roster.uncovered_slots(office, MON, days=5) == []


def test_whole_day_leave_removes_the_shift_and_leaves_a_gap(db, desk):
    office, lan, _ = desk
    _exc(db, office, MON, "leave", lan)
    assert _slots(roster.duties_on(office, MON)) == [("minh", *PM, None)]
    assert roster.uncovered_slots(office, MON, days=1) == [(MON, *AM)]


def test_partial_leave_cuts_the_shift(db, desk):
    office, lan, _ = desk
    _exc(db, office, MON, "leave", lan, start=time(9, 0), end=time(10, 0))
    assert _slots(roster.duties_on(office, MON))[:2] == [
        ("lan", time(7, 0), time(9, 0), None),
        ("lan", time(10, 0), time(11, 30), None),
    ]
    assert roster.uncovered_slots(office, MON, days=1) == [(MON, *AM)]


def test_stand_in_covers_the_shift(db, desk):
    office, lan, minh = desk
    _exc(db, office, MON, "standin", lan, stand_in=minh)
    assert _slots(roster.duties_on(office, MON)) == [("minh", *AM, "lan"), ("minh", *PM, None)]
    assert roster.uncovered_slots(office, MON, days=1) == []


def test_stand_in_wins_over_leave_recorded_the_same_day(db, desk):
    office, lan, minh = desk
    _exc(db, office, MON, "leave", lan)
    _exc(db, office, MON, "standin", lan, stand_in=minh)
    assert _slots(roster.duties_on(office, MON))[0] == ("minh", *AM, "lan")


def test_stand_in_for_part_of_the_shift(db, desk):
    office, lan, minh = desk
    _exc(db, office, MON, "standin", lan, stand_in=minh, start=time(7, 0), end=time(9, 0))
    assert _slots(roster.duties_on(office, MON))[:2] == [
        ("minh", time(7, 0), time(9, 0), "lan"),
        ("lan", time(9, 0), time(11, 30), None),
    ]


def test_inactive_stand_in_covers_nothing(db, desk):
    office, lan, minh = desk
    _exc(db, office, MON, "standin", lan, stand_in=minh)
    minh.active = False
    db.session.commit()
    assert roster.duties_on(office, MON) == []
    assert (MON, *AM) in roster.uncovered_slots(office, MON, days=1)


def test_inactive_officer_has_no_duty(db, desk):
    office, lan, _ = desk
    lan.active = False
    db.session.commit()
    assert [d.officer.username for d in roster.duties_on(office, MON)] == ["minh"]


def test_holiday_exception_closes_the_desk(db, desk):
    office, _, _ = desk
    _exc(db, office, MON, "holiday")
    assert roster.desk_open_on(office, MON) is False
    assert roster.duties_on(office, MON) == []
    assert roster.uncovered_slots(office, MON, days=1) == []  # closed is not "uncovered"


def test_public_holiday_closes_the_desk(desk):
    office, _, _ = desk
    assert roster.desk_open_on(office, NATIONAL_DAY) is False
    assert roster.duties_on(office, NATIONAL_DAY) == []
    assert roster.uncovered_slots(office, NATIONAL_DAY, days=1) == []


def test_extra_duty_counts_even_on_a_closed_day(db, desk):
    office, lan, _ = desk
    _exc(db, office, NATIONAL_DAY, "extra", lan, start=time(8, 0), end=time(10, 0))
    _exc(db, office, SAT, "extra", lan, start=time(7, 30), end=time(11, 0))
    assert _slots(roster.duties_on(office, NATIONAL_DAY)) == [
        ("lan", time(8, 0), time(10, 0), None)
    ]
    assert _slots(roster.duties_on(office, SAT)) == [("lan", time(7, 30), time(11, 0), None)]


def test_extra_duty_fills_a_gap(db, desk):
    office, lan, minh = desk
    _exc(db, office, MON, "leave", lan)
    _exc(db, office, MON, "extra", minh, start=time(7, 0), end=time(12, 0))
    assert roster.uncovered_slots(office, MON, days=1) == []


def test_weekend_has_no_slots_unless_open_saturday(db, desk):
    office, lan, _ = desk
    assert roster.uncovered_slots(office, SAT, days=2) == []
    office.open_saturday = True
    db.session.commit()
    # Saturday opens in the morning only, and no one is rostered: one gap, not two.
    assert roster.uncovered_slots(office, SAT, days=2) == [(SAT, *AM)]
    roster.add_shift(office, lan, lan.id, 5, *AM)
    assert roster.uncovered_slots(office, SAT, days=2) == []


def test_union_of_shifts_covers_a_slot(make_office, make_officer, make_shift):
    office = make_office()
    a, b = make_officer(username="a"), make_officer(username="b")
    make_shift(a, 0, time(7, 0), time(9, 30))
    make_shift(b, 0, time(9, 0), time(11, 30))
    make_shift(a, 0, time(13, 30), time(15, 0))
    make_shift(b, 0, time(15, 30), time(17, 0))  # a hole 15:00–15:30
    assert roster.uncovered_slots(office, MON, days=1) == [(MON, *PM)]


def test_slots_already_over_today_are_not_reported(make_office):
    office = make_office()
    assert roster.uncovered_slots(office, MON, days=1, now=time(12, 0)) == [(MON, *PM)]
    assert roster.uncovered_slots(office, MON, days=1, now=time(17, 0)) == []
    assert len(roster.uncovered_slots(office, MON, days=7, now=time(17, 0))) == 8  # Tue–Fri


def test_on_duty_now_and_next_duty(desk):
    office, _, _ = desk
    at = datetime(2026, 3, 2, 9, 0)
    assert [d.officer.username for d in roster.on_duty_now(office, at)] == ["lan"]
    assert roster.on_duty_now(office, datetime(2026, 3, 2, 12, 0)) == []
    day, duty = roster.next_duty(office, datetime(2026, 3, 2, 12, 0))
    assert day == MON and duty.officer.username == "minh"
    day, duty = roster.next_duty(office, datetime(2026, 3, 6, 18, 0))  # Friday evening
    assert day == date(2026, 3, 9) and duty.officer.username == "lan"


def test_weekly_hours(desk):
    _, lan, _ = desk
    hours = roster.weekly_hours(lan)
    assert sorted(hours) == [0, 1, 2, 3, 4] and hours[0] == [AM]


# ------------------------------------------------------------------------------ writes


@pytest.fixture(autouse=True)
def _request(app, db):
    """Rule messages are translated for the request's language, as in the roster page."""
    with app.test_request_context("/officer/roster"):
        yield


def _audits(db, action):
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def test_add_and_remove_shift_are_audited(db, make_office, make_officer):
    office = make_office()
    admin = make_officer(username="boss", role="admin")
    lan = make_officer(username="lan")
    shift = roster.add_shift(office, admin, lan.id, 2, time(7, 0), time(11, 0))
    entry = _audits(db, "roster.shift_add")[0]
    assert entry.officer_id == admin.id and entry.office_id == office.id
    assert entry.after == {"officer": "lan", "weekday": 2, "start": "07:00", "end": "11:00"}
    roster.remove_shift(shift, admin)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DutyShift)) == 0
    assert _audits(db, "roster.shift_remove")[0].before["weekday"] == 2


@pytest.mark.parametrize(
    "start,end,field",
    [
        (time(11, 0), time(7, 0), "end"),
        (time(7, 0), time(7, 0), "end"),
        (time(4, 30), time(7, 0), "start"),
        (time(20, 0), time(22, 30), "start"),
        (None, time(7, 0), "start"),
    ],
)
def test_shift_times_are_checked(db, make_office, make_officer, start, end, field):
    office = make_office()
    admin = make_officer(role="admin")
    with pytest.raises(roster.RosterError) as err:
        roster.add_shift(office, admin, admin.id, 0, start, end)
    assert err.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DutyShift)) == 0
    assert _audits(db, "roster.shift_add") == []


def test_shift_boundaries_05_and_22_are_allowed(make_office, make_officer):
    office = make_office()
    admin = make_officer(role="admin")
    assert roster.add_shift(office, admin, admin.id, 0, time(5, 0), time(22, 0)).id


def test_overlapping_shift_and_foreign_officer_refused(make_office, make_officer):
    office = make_office()
    other = make_office("XX", name="Xã khác")
    admin = make_officer(role="admin")
    stranger = make_officer(office=other)
    roster.add_shift(office, admin, admin.id, 0, time(7, 0), time(11, 0))
    with pytest.raises(roster.RosterError, match="trùng"):
        roster.add_shift(office, admin, admin.id, 0, time(10, 0), time(12, 0))
    with pytest.raises(roster.RosterError) as err:
        roster.add_shift(office, admin, stranger.id, 0, time(7, 0), time(11, 0))
    assert err.value.field == "officer"


def _add(office, admin, **kw):
    args = {
        "day": MON,
        "kind": "leave",
        "officer_id": None,
        "stand_in_id": None,
        "start": None,
        "end": None,
        "note": "",
        "today": MON,
    }
    args.update(kw)
    return roster.add_exception(office, admin, **args)


def test_exception_rules(db, make_office, make_officer):
    office = make_office()
    admin = make_officer(username="boss", role="admin")
    lan = make_officer(username="lan")
    cases = [
        ({"kind": "standin", "officer_id": lan.id}, "stand_in"),
        ({"kind": "standin", "officer_id": lan.id, "stand_in_id": lan.id}, "stand_in"),
        ({"kind": "extra", "officer_id": lan.id}, "start"),
        ({"kind": "extra", "officer_id": lan.id, "start": time(9, 0), "end": time(8, 0)}, "end"),
        ({"kind": "leave"}, "officer"),
        ({"kind": "leave", "officer_id": lan.id, "day": date(2026, 3, 1)}, "day"),
        ({"kind": "party", "officer_id": lan.id}, "kind"),
        ({"kind": "leave", "officer_id": lan.id, "day": None}, "day"),
    ]
    for kwargs, field in cases:
        with pytest.raises(roster.RosterError) as err:
            _add(office, admin, **kwargs)
        assert err.value.field == field, kwargs
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DutyException)) == 0


def test_exception_writes_are_audited(db, make_office, make_officer):
    office = make_office()
    admin = make_officer(username="boss", role="admin")
    lan, minh = make_officer(username="lan"), make_officer(username="minh")
    exc = _add(office, admin, kind="standin", officer_id=lan.id, stand_in_id=minh.id, note="ốm")
    holiday = _add(
        office, admin, kind="holiday", officer_id=lan.id, start=time(7, 0), end=time(9, 0)
    )
    assert holiday.officer_id is None and holiday.start is None  # a holiday closes the office
    entry = _audits(db, "roster.exception_add")[0]
    assert entry.after["stand_in"] == "minh" and entry.after["officer"] == "lan"
    roster.remove_exception(exc, admin)
    assert _audits(db, "roster.exception_remove")[0].before["kind"] == "standin"
