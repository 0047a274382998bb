"""Officers report the online portal down or back up (a panel on the desk home and the portal
page), everyone signed in reads the outages and the hours down per month, each table as CSV.
Writes need CSRF and a writer role, and are audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.models import AuditLog, PortalOutage
from tests.support.desk import post, sign_in
from tests.support.helpers import csrf_token

DOWN = "/officer/portal/down"
UP = "/officer/portal/up"


def outages(db) -> list[PortalOutage]:
    return list(db.session.scalars(sa.select(PortalOutage).order_by(PortalOutage.id)))


def test_the_home_panel_reports_the_portal_down_and_back_up(
        db, pages, client, make_officer, login, clock):
    clock.local(datetime(2026, 12, 3, 9, 10))  # before signing in: a CSRF token is timed
    officer = sign_in(client, make_officer, login, name="Lê Thị Hoa")
    home = pages.get("officer.home")
    html = home.get_data(as_text=True)
    assert "Báo cổng đang lỗi" in html and "Chưa ai báo Cổng Dịch vụ công đang lỗi." in html
    assert any(f.get("action") == DOWN for f in home.page.forms)

    pages.post("officer.portal_down",
               _data={"portal": "national", "note": "Không đăng nhập được VNeID",
                      "back": "home"},
               _expected_redirect="/officer/")
    [outage] = outages(db)
    assert (outage.portal, outage.reported_by_id, outage.note) == (
        "national", officer.id, "Không đăng nhập được VNeID")
    assert outage.started_at == datetime(2026, 12, 3, 2, 10)

    html = pages.get("officer.home").get_data(as_text=True)
    assert "Đã ghi: Cổng Dịch vụ công quốc gia đang lỗi." in html  # the flash
    assert "Cổng Dịch vụ công quốc gia lỗi từ 09:10 03/12/2026, báo bởi Lê Thị Hoa." in html
    assert "Báo Cổng Dịch vụ công quốc gia đã hoạt động lại" in html

    clock.local(datetime(2026, 12, 3, 11, 40))
    pages.post("officer.portal_up", _data={"portal": "national", "back": "portal"},
               _expected_redirect="/officer/portal")
    db.session.expire_all()
    assert outages(db)[0].ended_at == datetime(2026, 12, 3, 4, 40)
    assert outages(db)[0].ended_by_id == officer.id
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["portal.down", "portal.up"]


def test_reporting_twice_keeps_the_first_report(db, pages, client, make_officer, login, clock):
    clock.local(datetime(2026, 12, 3, 9, 10))
    sign_in(client, make_officer, login)
    pages.post("officer.portal_down", _data={"portal": "provincial"})
    clock.local(datetime(2026, 12, 3, 9, 30))
    pages.post("officer.portal_down", _data={"portal": "provincial"})
    assert len(outages(db)) == 1
    html = pages.get("officer.portal").get_data(as_text=True)
    assert "Cổng Dịch vụ công của tỉnh đã được báo lỗi từ trước." in html
    # Only the national portal is left to report down.
    assert 'value="provincial"' not in html.split('action="/officer/portal/down"')[1]


def test_a_bad_portal_is_a_clear_error_and_keeps_the_note(db, pages, client, make_officer,
                                                          login):
    sign_in(client, make_officer, login)
    response = pages.post("officer.portal_down", _data={"portal": "tinh-x", "note": "Lỗi 502"},
                          _expected_status=400)
    html = response.get_data(as_text=True)
    assert "Chưa ghi được." in html and 'value="Lỗi 502"' in html
    assert outages(db) == []
    pages.post("officer.portal_down", _data={"portal": "national", "note": "x" * 256},
               _expected_status=400)
    pages.post("officer.portal_up", _data={"portal": "tinh-x"}, _expected_status=400)
    assert outages(db) == []


def test_writes_need_a_csrf_token(db, client, make_officer, login):
    sign_in(client, make_officer, login)
    assert post(client, DOWN, {"portal": "national"}, csrf=False).status_code == 400
    assert outages(db) == []


@pytest.mark.parametrize(
    "role, get_status, post_status",
    [("anon", 302, 302), ("leader", 200, 403), ("officer", 200, 302), ("admin", 200, 302)],
)
def test_who_may_read_and_report(db, pages, client, make_officer, make_office, login, role,
                                 get_status, post_status):
    make_office()
    if role != "anon":
        sign_in(client, make_officer, login, role=role)
        pages.get("officer.portal", _expected_status=get_status)
        response = post(client, DOWN, {"portal": "national"})
    else:
        assert client.get("/officer/portal").status_code == 302
        token = csrf_token(client, "/officer/login")  # a valid token: the role is what is tested
        response = post(client, DOWN, {"portal": "national", "csrf_token": token})
    assert response.status_code == post_status
    if role == "anon":
        assert "/officer/login" in response.headers["Location"]
    assert len(outages(db)) == (1 if role in ("officer", "admin") else 0)


def test_a_leader_sees_the_state_without_the_buttons(db, pages, client, make_officer, login,
                                                     make_office):
    from app import portal

    office = make_office()
    portal.report_down(office, "national", None, phone="+84909000555")
    portal.commit()
    sign_in(client, make_officer, login, role="leader")
    home = pages.get("officer.home")
    html = home.get_data(as_text=True)
    assert "báo bởi tin nhắn từ 0909 000 555" in html
    assert not any(f.get("action") in (DOWN, UP) for f in home.page.forms)


def test_the_page_lists_outages_and_hours_down_per_month_with_csv(
        db, pages, client, make_officer, make_office, login, clock):
    from app import portal

    office = make_office()
    officer = make_officer(name="Lê Thị Hoa", public_phone="+84909000201")
    # 30 November 22:00 to 1 December 01:30 (Vietnam): 2 h in November, 1.5 h in December.
    clock.local(datetime(2026, 11, 30, 22, 0))
    portal.report_down(office, "national", officer)
    portal.commit()
    clock.local(datetime(2026, 12, 1, 1, 30))
    portal.report_up(office, "national", officer, phone="+84909000201")
    portal.commit()
    # Still open: 3 December 08:00, read at 10:18 → 2.3 h so far.
    clock.local(datetime(2026, 12, 3, 8, 0))
    portal.report_down(office, "provincial", None, phone="+84909000201", note="=1+1")
    portal.commit()
    clock.local(datetime(2026, 12, 3, 10, 18))

    sign_in(client, make_officer, login, role="leader")
    dashboard = pages.get("officer.dashboard").get_data(as_text=True)
    assert 'href="/officer/portal"' in dashboard  # the leaders' way to the figures
    html = pages.get("officer.portal").get_data(as_text=True)
    assert "Số giờ lỗi mỗi tháng" in html and "đang lỗi" in html

    months = client.get("/officer/portal/months.csv")
    assert months.status_code == 200 and months.mimetype == "text/csv"
    assert months.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(months.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Tháng", "Cổng", "Số lần lỗi", "Số giờ lỗi"]
    table = {(r[0], r[1]): (r[2], r[3]) for r in rows[1:]}
    assert len(rows) == 1 + 12 * 2
    assert table[("11/2026", "Cổng Dịch vụ công quốc gia")] == ("1", "2,0")
    assert table[("12/2026", "Cổng Dịch vụ công quốc gia")] == ("1", "1,5")
    assert table[("12/2026", "Cổng Dịch vụ công của tỉnh")] == ("1", "2,3")
    assert table[("10/2026", "Cổng Dịch vụ công quốc gia")] == ("0", "0,0")

    listing = client.get("/officer/portal/outages.csv").get_data(as_text=True)
    assert "Lê Thị Hoa (tin nhắn từ 0909 000 201)" in listing  # ended by SMS from her phone
    assert "'=1+1" in listing  # a note is never a formula in Excel
    assert client.get("/officer/portal/nope.csv").status_code == 404


def test_the_page_in_english(db, pages, client, make_officer, login):
    from flask_babel import refresh

    sign_in(client, make_officer, login)
    refresh()  # the test's app context outlives requests; drop the locale the login cached
    html = pages.get("officer.portal", lang="en").get_data(as_text=True)
    assert "Hours down per month" in html and "Report the portal failing" in html
