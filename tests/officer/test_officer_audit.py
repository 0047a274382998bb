"""The audit log page: admin and leader read who changed what, when, before → after."""

from __future__ import annotations

import pytest

from app.audit import record
from app.models import AuditLog
from app.officer.audit_views import diff
from tests.support.desk import post, sign_in


def _entry(db, officer, action="roster.shift_add", before=None, after=None, office_id=None):
    entry = AuditLog(
        office_id=office_id or officer.office_id,
        officer_id=officer.id,
        action=action,
        object_type="DutyShift",
        object_id="7",
        before=before,
        after=after,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


@pytest.mark.parametrize("role,status", [("admin", 200), ("leader", 200), ("officer", 403)])
def test_who_may_read_the_log(client, pages, make_officer, login, role, status):
    sign_in(client, make_officer, login, role)
    pages.get("officer.audit", _expected_status=status)


def test_signed_out_is_sent_to_login(client, make_office):
    make_office()
    r = client.get("/officer/audit")
    assert r.status_code == 302 and "/officer/login" in r.headers["Location"]


def test_a_real_change_shows_who_when_and_before_after(client, db, make_officer, login):
    sign_in(client, make_officer, login, "admin", name="Quản Trị Viên")
    other = make_officer(name="Trần Văn Bình", public_phone="+84909000105")
    post(
        client,
        f"/officer/officers/{other.id}",
        {"name": "Trần Văn Bình", "public_phone": "0987 654 321", "role": "leader", "active": "y"},
    )
    html = client.get("/officer/audit").get_data(as_text=True)
    assert "Quản Trị Viên" in html and "officer.profile" in html and f"Officer {other.id}" in html
    assert "<strong>role</strong>: <del>officer</del> → <ins>leader</ins>" in html
    assert "<del>+84909000105</del> → <ins>+84987654321</ins>" in html


def test_filters_and_office_scope(client, db, make_office, make_officer, login):
    admin = sign_in(client, make_officer, login, "admin", name="Quản Trị Viên")
    lan = make_officer(name="Trần Thị Lan")
    _entry(db, admin, "roster.shift_add", after={"weekday": 0, "marker": "by-admin"})
    _entry(db, lan, "feedback.handle", after={"note": "by-lan"})
    stranger = make_officer(office=make_office("XX", name="Xã khác"))
    _entry(db, stranger, "roster.shift_add", after={"marker": "other-office"})
    html = client.get("/officer/audit").get_data(as_text=True)
    assert "by-admin" in html and "by-lan" in html and "other-office" not in html
    by_lan = client.get(f"/officer/audit?officer={lan.id}").get_data(as_text=True)
    assert "by-lan" in by_lan and "by-admin" not in by_lan
    roster = client.get("/officer/audit?action=roster.shift_add").get_data(as_text=True)
    assert "by-admin" in roster and "by-lan" not in roster
    junk = client.get("/officer/audit?officer=abc&action=nope&page=-3")
    assert junk.status_code == 200 and "by-lan" in junk.get_data(as_text=True)


def test_pagination(client, db, make_officer, login):
    admin = sign_in(client, make_officer, login, "leader")
    for i in range(55):
        _entry(db, admin, "guide.edit", after={"n": f"entry-{i:02d}"})
    first = client.get("/officer/audit?action=guide.edit").get_data(as_text=True)
    assert "entry-54" in first and "entry-04" not in first and "Trang 1 / 2" in first
    assert "/officer/audit?page=2&amp;action=guide.edit" in first
    second = client.get("/officer/audit?action=guide.edit&page=2").get_data(as_text=True)
    assert "entry-04" in second and "entry-54" not in second


def test_the_log_page_cannot_be_written(client, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    assert post(client, "/officer/audit", {}).status_code == 405


def test_diff_is_readable():
    assert diff({"role": "officer", "name": "A"}, {"role": "leader", "name": "A"}) == [
        ("role", "officer", "leader")
    ]
    assert diff(None, {"weekday": 0, "start": "07:00"}) == [
        ("weekday", "–", "0"),
        ("start", "–", "07:00"),
    ]
    assert diff({"procedures": ["ks", "kt"]}, {"procedures": []}) == [("procedures", "ks; kt", "–")]
    assert diff({"active": True}, {"active": False}) == [("active", "✓", "✗")]
    assert diff({"lang": "vi", "summary": "a"}, {"lang": "vi", "summary": "b"}) == [
        ("lang", "vi", "vi"),
        ("summary", "a", "b"),
    ]


def test_record_keeps_the_request_ip(app, db, make_officer):
    officer = make_officer()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        entry = record("x.test", officer, officer, after={"a": 1})
    assert entry.ip == "10.1.2.3" and entry.office_id == officer.office_id
