"""app/portal.py: one open outage per office and portal (also under a race), who may report by
SMS, the notice the citizen pages show, hours down per month split at the office's midnight,
and the page cache's version moving with every report."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import portal
from app.models import OfficeVersion, PortalOutage, SiteVersion


def content_version(db) -> int:
    """The province row plus every commune's own (issue 13: an outage moves its commune's)."""
    return (db.session.scalar(sa.select(SiteVersion.content))
            + (db.session.scalar(sa.select(sa.func.sum(OfficeVersion.content))) or 0))


def test_down_then_up_is_one_outage_and_moves_the_page_version(db, make_office, clock):
    office = make_office()
    clock.local(datetime(2026, 12, 3, 9, 10))
    before = content_version(db)
    outage, opened = portal.report_down(office, "national", None, note="  lỗi   502 ")
    portal.commit()
    assert opened and outage.note == "lỗi 502"
    assert content_version(db) > before  # cached home and guide pages are dropped
    again, opened = portal.report_down(office, "national", None)
    assert again.id == outage.id and not opened

    clock.local(datetime(2026, 12, 3, 10, 40))
    middle = content_version(db)
    assert portal.report_up(office, "provincial", None) == []
    assert [o.id for o in portal.report_up(office, None, None)] == [outage.id]
    portal.commit()
    assert content_version(db) > middle
    assert portal.duration_hours(outage) == 1.5
    assert portal.notice(office) is None


def test_the_database_allows_one_open_outage_per_office_and_portal(db, make_office):
    office = make_office()
    db.session.add(PortalOutage(office_id=office.id, portal="national"))
    db.session.commit()
    db.session.add(PortalOutage(office_id=office.id, portal="national"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Closed ones and the other portal are fine.
    db.session.add(PortalOutage(office_id=office.id, portal="provincial"))
    db.session.add(PortalOutage(office_id=office.id, portal="national",
                                ended_at=datetime(2026, 1, 1)))
    db.session.commit()


def test_a_report_racing_another_returns_the_winners_outage(db, make_office, monkeypatch):
    office = make_office()
    winner = PortalOutage(office_id=office.id, portal="national")
    db.session.add(winner)
    db.session.commit()
    # The loser looked before the winner committed: it saw nothing open.
    real = portal._open_for
    calls = {"n": 0}

    def stale_then_real(office_, portal_code):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(office_, portal_code)

    monkeypatch.setattr(portal, "_open_for", stale_then_real)
    outage, opened = portal.report_down(office, "national", None)
    assert outage.id == winner.id and not opened
    portal.commit()
    assert db.session.scalar(sa.select(sa.func.count(PortalOutage.id))) == 1


def test_unknown_portal_is_refused(db, make_office):
    with pytest.raises(ValueError):
        portal.report_down(make_office(), "district", None)


@pytest.mark.parametrize(
    "role, active, same_office, allowed",
    [("officer", True, True, True), ("admin", True, True, True), ("leader", True, True, False),
     ("officer", False, True, False), ("officer", True, False, False)],
)
def test_registered_phones(db, make_office, make_officer, role, active, same_office, allowed):
    office = make_office()
    other = make_office("XX", sms_number="+84909000999")
    officer = make_officer(role=role, active=active, public_phone="+84909000201",
                           office=office if same_office else other)
    found = portal.registered_officer(office, "+84909000201")
    assert (found is not None and found.id == officer.id) == allowed
    assert portal.registered_officer(office, "") is None


def test_notice_names_the_earliest_start_and_the_day_when_not_today(db, make_office, clock):
    office = make_office()
    clock.local(datetime(2026, 12, 2, 23, 50))
    portal.report_down(office, "provincial", None)
    clock.local(datetime(2026, 12, 3, 0, 20))
    portal.report_down(office, "national", None)
    portal.commit()
    notice = portal.notice(office)
    assert (notice.which, notice.since_hm, notice.since_dm) == ("both", "23:50", "02/12")


def test_hours_down_per_month_split_at_the_offices_midnight(db, make_office, clock):
    office = make_office()
    # 31 October 23:00 → 1 November 02:00 Vietnam time (16:00 → 19:00 UTC on 31 October).
    clock.local(datetime(2026, 10, 31, 23, 0))
    portal.report_down(office, "national", None)
    clock.local(datetime(2026, 11, 1, 2, 0))
    portal.report_up(office, "national", None)
    # Open since 3 December 08:00; now 12:00.
    clock.local(datetime(2026, 12, 3, 8, 0))
    portal.report_down(office, "national", None)
    portal.commit()
    clock.local(datetime(2026, 12, 3, 12, 0))
    rows = {(r.month.month, r.portal): (r.outages, r.hours) for r in portal.monthly_hours(office)}
    assert len(rows) == 24
    assert rows[(10, "national")] == (1, 1.0)
    assert rows[(11, "national")] == (1, 2.0)
    assert rows[(12, "national")] == (1, 4.0)
    assert rows[(12, "provincial")] == (0, 0.0)
    assert [r.month for r in portal.monthly_hours(office, 2)] == [
        datetime(2026, 12, 1).date(), datetime(2026, 12, 1).date(),
        datetime(2026, 11, 1).date(), datetime(2026, 11, 1).date()]
