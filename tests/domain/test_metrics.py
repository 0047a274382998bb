"""Every service-index figure against a fixture computed by hand (app/metrics.py).

The office is in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). "Now" is Tuesday 22 April 2025,
10:00 local. Dossiers (local times; due days set by hand so the arithmetic is ours):

  D1  full-online procedure, counter, received Mon 03/03 09:00, due 06/03, ready 06/03 23:30
      (16:30 UTC) — finished ON its due day, late in the evening: on time; 3 working days.
  D2  partial procedure, online, received Mon 10/03 09:00, due 12/03, ready 13/03 00:30 local
      (= 17:30 UTC on the 12th) — LATE by the local date (on time if read as UTC); 3 days.
  D3  full procedure, counter, received Tue 01/04 09:00, due Fri 04/04, still processing —
      OVERDUE now: 11 working days late (7 April 2025 is the Hùng Kings holiday).
  D4  full procedure, online, received 20/03, WITHDRAWN the same day.
  D5  partial procedure, counter, received Mon 31/03 23:30 local (16:30 UTC) — a MARCH
      dossier; rejected Tue 01/04 10:00, due 03/04: finished in April, on time, 1 day.
  D6  full procedure, online, received Tue 01/04 00:30 local (17:30 UTC on 31 March) — an
      APRIL dossier; still open, due 25/04: in progress on time.
  D7  full procedure, online, received Wed 05/03 08:00, ready 15:00 the same day, due 05/03:
      on time, 0 working days.

Feedback: F1 5★ on D1 (handled), F2 1★ on D7 (a complaint), F3 4★ at 23:30 local 31/03
(March), F4 3★ at 00:30 local 01/04 (April), F5 a comment without rating. Messages: see
``_messages``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import metrics
from app.dossiers import change_status, register_dossier
from app.models import Feedback, Message

NOW = datetime(2025, 4, 22, 3, 0)  # naive UTC = 10:00 local, Tuesday 22 April 2025
MARCH = metrics.Period(date(2025, 3, 1), date(2025, 4, 1))
APRIL = metrics.Period(date(2025, 4, 1), date(2025, 5, 1))


def utc(y, m, d, hh, mm=0) -> datetime:
    """Local wall-clock time in Vietnam → the naive UTC the columns store (UTC+7, no DST)."""
    return datetime(y, m, d, hh, mm) - timedelta(hours=7)


@pytest.fixture
def world(db, make_office, make_procedure, make_officer):
    office = make_office()
    full = make_procedure(online_mode="full", slug="toan-trinh")
    part = make_procedure(online_mode="partial", slug="mot-phan")
    a = make_officer(name="Cán Bộ A", procedures=[full])
    b = make_officer(name="Cán Bộ B", procedures=[part])

    def dossier(proc, officer, channel, received, due, steps=()):
        d = register_dossier(
            office=office,
            procedure=proc,
            applicant_name="Người Nộp Bí Mật",
            phone="+84912345678",
            channel=channel,
            received_at=received,
            notify=False,
        )
        d.due_on = due
        d.officer_id = officer.id
        for status, at in steps:
            change_status(
                d, status, a, note="Lý do" if status == "rejected" else "", at=at, notify=False
            )
        db.session.commit()
        return d

    d = {}
    d[1] = dossier(
        full,
        a,
        "counter",
        utc(2025, 3, 3, 9),
        date(2025, 3, 6),
        [
            ("processing", utc(2025, 3, 3, 10)),
            ("ready", utc(2025, 3, 6, 23, 30)),
            ("returned", utc(2025, 3, 7, 9)),
        ],
    )
    d[2] = dossier(
        part,
        b,
        "online",
        utc(2025, 3, 10, 9),
        date(2025, 3, 12),
        [("processing", utc(2025, 3, 10, 10)), ("ready", utc(2025, 3, 13, 0, 30))],
    )
    d[3] = dossier(
        full,
        a,
        "counter",
        utc(2025, 4, 1, 9),
        date(2025, 4, 4),
        [("processing", utc(2025, 4, 1, 10))],
    )
    d[4] = dossier(
        full,
        a,
        "online",
        utc(2025, 3, 20, 9),
        date(2025, 3, 25),
        [("withdrawn", utc(2025, 3, 20, 11))],
    )
    d[5] = dossier(
        part,
        b,
        "counter",
        utc(2025, 3, 31, 23, 30),
        date(2025, 4, 3),
        [("rejected", utc(2025, 4, 1, 10))],
    )
    d[6] = dossier(full, a, "online", utc(2025, 4, 1, 0, 30), date(2025, 4, 25))
    d[7] = dossier(
        full,
        a,
        "online",
        utc(2025, 3, 5, 8),
        date(2025, 3, 5),
        [("processing", utc(2025, 3, 5, 9)), ("ready", utc(2025, 3, 5, 15))],
    )

    def fb(rating, created, dossier=None, handled=False, comment=""):
        db.session.add(
            Feedback(
                office_id=office.id,
                rating=rating,
                comment=comment,
                created_at=created,
                dossier_id=dossier.id if dossier else None,
                procedure_id=dossier.procedure_id if dossier else None,
                handled_at=created if handled else None,
                proven=rating is not None,  # as if from the dossier's phone: counted
            )
        )

    fb(5, utc(2025, 3, 7, 10), d[1], handled=True)
    fb(1, utc(2025, 3, 6, 10), d[7])
    fb(4, utc(2025, 3, 31, 23, 30))
    fb(3, utc(2025, 4, 1, 0, 30))
    fb(None, utc(2025, 3, 15, 10), comment="Góp ý không chấm điểm")
    _messages(db, office, d)
    db.session.commit()
    return {"office": office, "full": full, "part": part, "a": a, "b": b, "d": d}


def _messages(db, office, d):
    """March (local): M1 delivered 2 seg, M2 sent 1, M3 failed 1, M4 queued 1, M5 inbound,
    M7 delivered 1 at 23:30 local on 31/03. April: M6 delivered 3 seg at 00:30 local 01/04."""
    db.session.execute(sa.delete(Message))
    rows = [
        ("out", "delivered", 2, utc(2025, 3, 6, 16), d[1]),
        ("out", "sent", 1, utc(2025, 3, 13, 9), d[2]),
        ("out", "failed", 1, utc(2025, 3, 14, 9), d[2]),
        ("out", "queued", 1, utc(2025, 3, 15, 9), None),
        ("in", "received", 1, utc(2025, 3, 15, 9), None),
        ("out", "delivered", 3, utc(2025, 4, 1, 0, 30), d[6]),
        ("out", "delivered", 1, utc(2025, 3, 31, 23, 30), d[1]),
    ]
    for direction, status, segments, created, dossier in rows:
        db.session.add(
            Message(
                office_id=office.id,
                direction=direction,
                phone="+84912345678",
                body="x",
                status=status,
                segments=segments,
                created_at=created,
                dossier_id=dossier.id if dossier else None,
            )
        )


def test_local_times_are_what_the_fixture_says(world):
    d = world["d"]
    assert d[5].received_at == datetime(2025, 3, 31, 16, 30)  # 23:30 local, still March
    assert d[6].received_at == datetime(2025, 3, 31, 17, 30)  # 00:30 local, already April
    assert d[2].finished_at == datetime(2025, 3, 12, 17, 30)  # UTC date = due date


def test_march_figures(world):
    f = metrics.figures(world["office"], MARCH, now_utc=NOW)
    assert f.received == 5  # D1 D2 D4 D5 D7 (D6 is April by local time)
    assert f.withdrawn == 1  # D4
    assert f.online == 3  # D2 D4 D7
    assert f.online_share == pytest.approx(3 / 5)
    assert f.finished == 3  # D1 D2 D7 (D5 was answered in April)
    assert f.finished_on_time == 2  # D1 (on its due day) and D7; D2 late by local date
    assert f.finished_late == 1
    assert f.on_time_rate == pytest.approx(2 / 3)
    assert f.avg_working_days == pytest.approx((3 + 3 + 0) / 3)
    assert f.in_progress == 1  # open at the end of 31 March: D5 only (D4 withdrawn)
    # Overdue is "now", whatever the period: D3.
    assert [r.code for r in f.overdue] == [world["d"][3].code]
    row = f.overdue[0]
    assert row.officer_name == "Cán Bộ A"
    assert row.working_days_late == 11
    assert row.days_late == 18
    # SMS: outbound created in March (local): M1 M2 M3 M4 M7.
    assert (f.sms.sent, f.sms.delivered, f.sms.failed, f.sms.waiting) == (3, 2, 1, 1)
    assert f.sms.segments == 2 + 1 + 1
    # Ratings given in March (local): F1 5, F2 1, F3 4 (23:30 on the 31st).
    s = f.satisfaction
    assert s.count == 3
    assert s.mean == pytest.approx(10 / 3)
    assert s.good_share == pytest.approx(2 / 3)
    assert s.levels == {"very_satisfied": 1, "satisfied": 1, "not_satisfied": 1}
    assert f.feedback_open == 4  # everything but F1


def test_march_766(world):
    idx = metrics.figures(world["office"], MARCH, now_utc=NOW).index
    # Cohort: received in March, withdrawn left out → D1 D2 D5 D7.
    assert (idx.on_time.numerator, idx.on_time.denominator) == (3, 4)  # D2 late
    assert idx.on_time.points == 15.0  # 75 % of 20, target 100 %
    # Eligible (full-online procedure, withdrawn included): D1 D4 D7; filed online: D4 D7, but
    # no result of theirs went back online or by post (D4 withdrawn, D7 still at the desk), so
    # none is fully online (test_scorecard_766.py counts returned ones).
    assert (idx.online.numerator, idx.online.denominator) == (0, 3)
    assert idx.online.points == 0.0
    # 100 % − (1 late + 1 complaint on D7) / 4 = 50 %; target 90 % → 6 × 0.5 / 0.9 = 3.33 (the
    # dossier-satisfaction indicator is 6 of the group's 18 points).
    assert (idx.late, idx.complaints) == (1, 1)
    assert idx.satisfaction.ratio == pytest.approx(0.5)
    assert idx.satisfaction.points == 3.33
    assert idx.points == 18.33
    assert idx.max_points == 38


def test_april_figures_and_766(world):
    f = metrics.figures(world["office"], APRIL, now_utc=NOW)
    assert (f.received, f.online, f.withdrawn) == (2, 1, 0)  # D3, D6 (00:30 on the 1st)
    assert (f.finished, f.finished_on_time) == (1, 1)  # D5, rejected before its due day
    assert f.avg_working_days == 1
    assert f.in_progress == 2  # D3 D6 open now (the period is not over)
    assert (f.sms.sent, f.sms.segments) == (1, 3)  # M6 at 00:30 local on 1 April
    assert f.satisfaction.count == 1 and f.satisfaction.mean == 3
    assert f.satisfaction.levels["satisfied"] == 1 and f.satisfaction.good_share == 0
    idx = f.index
    assert (idx.on_time.numerator, idx.on_time.denominator) == (1, 2)  # D6 yes, D3 overdue
    assert (idx.online.numerator, idx.online.denominator) == (0, 2)  # D6: no result back yet
    assert idx.satisfaction.ratio == pytest.approx(0.5)
    assert (idx.on_time.points, idx.online.points, idx.satisfaction.points) == (10.0, 0.0, 3.33)


def test_series_by_local_month(world):
    months = metrics.monthly(world["office"], metrics.Period(date(2025, 2, 1), date(2025, 5, 1)))
    assert [m.month for m in months] == [date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)]
    feb, mar, apr = months
    assert (feb.received, feb.on_time_rate, feb.online_share) == (0, None, None)
    assert (mar.received, mar.online, mar.finished, mar.finished_on_time) == (5, 3, 3, 2)
    assert (apr.received, apr.online, apr.finished, apr.finished_on_time) == (2, 1, 1, 1)
    assert apr.on_time_rate == 1 and apr.online_share == 0.5


def test_filters(world):
    office, full, b = world["office"], world["full"], world["b"]
    f = metrics.figures(office, MARCH, metrics.Scope(office.id, procedure_id=full.id), NOW)
    assert (f.received, f.online, f.finished, f.finished_on_time) == (3, 2, 2, 2)  # D1 D4 D7
    assert f.satisfaction.count == 2  # F1 F2 (F3 has no procedure)
    assert f.sms.sent == 2  # M1 M7 (about D1)
    f = metrics.figures(office, MARCH, metrics.Scope(office.id, officer_id=b.id), NOW)
    assert (f.received, f.finished, f.finished_on_time, f.in_progress) == (2, 1, 0, 1)  # D2 D5
    assert f.overdue == []  # D3 is A's
    assert (f.sms.sent, f.sms.failed) == (1, 1)  # M2 M3 about D2
    assert f.satisfaction.count == 0 and f.satisfaction.mean is None


def test_empty_period_has_no_rates(world):
    f = metrics.figures(
        world["office"], metrics.Period(date(2024, 1, 1), date(2024, 2, 1)), now_utc=NOW
    )
    assert f.received == 0 and f.on_time_rate is None and f.online_share is None
    assert f.avg_working_days is None and f.index.on_time.points is None
    assert f.index.points == 0


def test_home_summary_and_public_index(world):
    s = metrics.home_summary(world["office"], NOW)
    assert (s.on_time_rate, s.finished, s.overdue) == (1.0, 1, 1)
    data = metrics.public_index(world["office"], NOW)
    assert data["period"] == {"from": "2024-05-01", "to": "2025-04-22"}  # the data ends today
    assert data["received"] == 7 and data["finished"] == 4 and data["finished_on_time"] == 3
    assert data["on_time_rate"] == 75.0
    assert data["online_share"] == pytest.approx(57.1)  # 4 of 7
    assert data["overdue_now"] == 1
    assert len(data["months"]) == 12 and data["months"][-1]["month"] == "2025-04"
    # Whole cohort: D1 D2 D3 D5 D6 D7; on time D1 D5 D6 D7.
    on_time = data["index_766"]["indicators"][0]
    assert (on_time["numerator"], on_time["denominator"], on_time["points"]) == (4, 6, 13.33)
    assert "Người Nộp" not in str(data) and "84912345678" not in str(data)


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        (date(2025, 2, 14), metrics.quarter_period, (date(2025, 1, 1), date(2025, 4, 1))),
        (date(2025, 11, 30), metrics.quarter_period, (date(2025, 10, 1), date(2026, 1, 1))),
        (date(2025, 12, 31), metrics.month_period, (date(2025, 12, 1), date(2026, 1, 1))),
        (date(2025, 6, 1), metrics.year_period, (date(2025, 1, 1), date(2026, 1, 1))),
        (date(2025, 4, 22), metrics.last_12_months, (date(2024, 5, 1), date(2025, 5, 1))),
    ],
)
def test_periods(day, period, expected):
    p = period(day)
    assert (p.start, p.end) == expected


def test_chart_months():
    assert metrics.chart_months(MARCH) == metrics.Period(date(2024, 4, 1), date(2025, 4, 1))
    long = metrics.Period(date(2020, 1, 1), date(2025, 4, 1))
    assert len(metrics.chart_months(long).months()) == metrics.MAX_SERIES_MONTHS


def test_utc_bounds_are_local_midnights():
    from zoneinfo import ZoneInfo

    start, end = metrics.utc_bounds(MARCH, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert start == datetime(2025, 2, 28, 17, 0) and end == datetime(2025, 3, 31, 17, 0)
