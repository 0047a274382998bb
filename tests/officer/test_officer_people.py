"""Own profile and the admin's officer pages; what is saved shows on / and /contacts at once."""

from __future__ import annotations

from datetime import datetime, time

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Officer
from tests.support.desk import post, sign_in
from tests.support.helpers import parse_page


def _audit(db, action="officer.profile"):
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


@pytest.mark.parametrize("role", ["officer", "leader", "admin"])
def test_profile_renders_for_every_role(client, pages, make_procedure, make_officer, login, role):
    make_procedure()
    sign_in(client, make_officer, login, role)
    page = pages.get("officer.profile").page
    names = {i.get("name") for i in page.inputs}
    assert {"public_phone", "title", "title_en", "procedures"} <= names


def test_leader_sees_profile_read_only_and_cannot_post(client, db, make_officer, login):
    leader = sign_in(client, make_officer, login, "leader", public_phone="+84909000109")
    html = client.get("/officer/profile").get_data(as_text=True)
    assert "disabled" in html and 'type="submit">Lưu' not in html
    r = post(client, "/officer/profile", {"public_phone": "0912 345 678"})
    assert r.status_code == 403
    db.session.refresh(leader)
    assert leader.public_phone == "+84909000109"


def test_officer_edits_profile_and_contacts_change_at_once(
    app, client, db, make_office, make_procedure, make_officer, login
):
    office = make_office()
    ks = make_procedure(name="Đăng ký khai sinh", office=office)
    kt = make_procedure(name="Đăng ký khai tử", office=office)
    officer = sign_in(
        client,
        make_officer,
        login,
        name="Phạm Thị Hoa",
        public_phone="+84909000101",
        procedures=[ks],
    )
    assert "0909 000 101" in client.get("/vb/contacts").get_data(as_text=True)

    r = post(
        client,
        "/officer/profile",
        {
            "public_phone": "0912 345 678",
            "title": "Công chức Văn hoá – Xã hội",
            "title_en": "Culture officer",
            "procedures": [str(kt.id)],
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/officer/profile")
    db.session.refresh(officer)
    assert officer.public_phone == "+84912345678"
    assert [p.id for p in officer.procedures] == [kt.id]

    contacts = client.get("/vb/contacts").get_data(as_text=True)
    assert "0912 345 678" in contacts and "0909 000 101" not in contacts
    assert "Công chức Văn hoá – Xã hội" in contacts
    assert "Đăng ký khai tử" in contacts and "Đăng ký khai sinh" not in contacts
    with app.app_context():  # a fresh ``g``: the fixture's app context would keep "vi"
        assert "Culture officer" in client.get("/vb/contacts?lang=en").get_data(as_text=True)

    entry = _audit(db)[0]
    assert entry.officer_id == officer.id
    assert entry.before["public_phone"] == "+84909000101"
    assert entry.after["public_phone"] == "+84912345678"
    assert entry.after["procedures"] == [kt.slug]
    assert "role" not in entry.after  # only what changed


def test_home_page_shows_the_new_phone_of_the_officer_on_duty(
    client, make_officer, make_shift, login, clock
):
    clock.local(datetime(2026, 3, 2, 9, 0))  # a Monday, 9:00 in the commune
    officer = sign_in(client, make_officer, login, public_phone="+84909000101")
    make_shift(officer, 0, time(7, 0), time(11, 30))
    assert "0909 000 101" in client.get("/").get_data(as_text=True)
    post(client, "/officer/profile", {"public_phone": "+84 912 345 678", "title": "Cán bộ trực"})
    home = client.get("/").get_data(as_text=True)
    assert "0912 345 678" in home and "0909 000 101" not in home and "Cán bộ trực" in home


def test_invalid_phone_is_an_error_and_keeps_what_was_typed(client, db, make_officer, login):
    officer = sign_in(client, make_officer, login, public_phone="+84909000101")
    r = post(client, "/officer/profile", {"public_phone": "12345", "title": "Chức danh mới"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Số điện thoại không đúng" in html
    assert 'value="12345"' in html and 'value="Chức danh mới"' in html
    db.session.refresh(officer)
    assert officer.public_phone == "+84909000101" and officer.title != "Chức danh mới"
    assert _audit(db) == []


def test_empty_phone_hides_the_officer_from_contacts(client, db, make_officer, login):
    officer = sign_in(client, make_officer, login, name="Phạm Thị Hoa")
    assert "Phạm Thị Hoa" in client.get("/vb/contacts").get_data(as_text=True)
    assert post(client, "/officer/profile", {"public_phone": "", "title": "x"}).status_code == 302
    db.session.refresh(officer)
    assert officer.public_phone == ""
    assert "Phạm Thị Hoa" not in client.get("/vb/contacts").get_data(as_text=True)


def test_profile_post_without_csrf_is_refused(client, db, make_officer, login):
    officer = sign_in(client, make_officer, login, public_phone="+84909000101")
    r = post(client, "/officer/profile", {"public_phone": "0912 345 678"}, csrf=False)
    assert r.status_code == 400
    db.session.refresh(officer)
    assert officer.public_phone == "+84909000101"


def test_unchanged_profile_writes_no_audit(client, db, make_officer, login):
    officer = sign_in(client, make_officer, login, public_phone="+84909000101", title="A")
    r = post(
        client,
        "/officer/profile",
        {"public_phone": "0909 000 101", "title": "A", "title_en": officer.title_en},
    )
    assert r.status_code == 302
    assert _audit(db) == []


def test_procedures_of_another_office_are_ignored(
    client, db, make_office, make_procedure, make_officer, login
):
    other = make_office("XX", name="Xã khác")
    foreign = make_procedure(office=other)
    officer = sign_in(client, make_officer, login)
    r = post(client, "/officer/profile", {"public_phone": "", "procedures": [str(foreign.id)]})
    assert r.status_code in (302, 400)
    db.session.refresh(officer)
    assert officer.procedures == []


# ------------------------------------------------------------------------------ admin


def test_admin_lists_officers_with_role_and_active_flag(client, pages, make_officer, login):
    sign_in(client, make_officer, login, "admin", name="Quản Trị Viên")
    make_officer(name="Lãnh Đạo Xã", role="leader")
    make_officer(name="Người Đã Nghỉ", active=False)
    r = pages.get("officer.officers")
    html = r.get_data(as_text=True)
    for text in (
        "Quản Trị Viên",
        "Lãnh Đạo Xã",
        "Người Đã Nghỉ",
        "Quản trị",
        "Lãnh đạo",
        "đã khoá",
        "đang làm việc",
    ):
        assert text in html


def test_admin_edits_another_officer(client, pages, db, make_procedure, make_officer, login):
    admin = sign_in(client, make_officer, login, "admin")
    proc = make_procedure()
    other = make_officer(name="Trần Văn Bình", public_phone="+84909000105")
    pages.get("officer.officer_edit", officer_id=other.id)
    r = post(
        client,
        f"/officer/officers/{other.id}",
        {
            "name": "Trần Văn Bình",
            "public_phone": "0987 654 321",
            "title": "Phó Chủ tịch",
            "title_en": "",
            "procedures": [str(proc.id)],
            "role": "leader",
            "active": "y",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/officer/officers")
    db.session.refresh(other)
    assert (other.public_phone, other.role, other.active) == ("+84987654321", "leader", True)
    assert [p.id for p in other.procedures] == [proc.id]
    entry = _audit(db)[0]
    assert entry.officer_id == admin.id and entry.object_id == str(other.id)
    assert entry.before["role"] == "officer" and entry.after["role"] == "leader"
    assert "0987 654 321" in client.get("/vb/contacts").get_data(as_text=True)


def test_admin_deactivates_an_officer_who_then_leaves_contacts(client, db, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    other = make_officer(name="Trần Văn Bình")
    assert "Trần Văn Bình" in client.get("/vb/contacts").get_data(as_text=True)
    r = post(
        client,
        f"/officer/officers/{other.id}",
        {"name": other.name, "public_phone": "0909 000 102", "role": "officer"},
    )  # active unticked
    assert r.status_code == 302
    client.get(r.headers["Location"])  # shows (and uses up) the flash that names the officer
    db.session.refresh(other)
    assert other.active is False
    assert "Trần Văn Bình" not in client.get("/vb/contacts").get_data(as_text=True)


def test_admin_cannot_lock_themselves_out(client, db, make_officer, login):
    admin = sign_in(client, make_officer, login, "admin")
    r = post(
        client,
        f"/officer/officers/{admin.id}",
        {"name": admin.name, "public_phone": "", "role": "officer", "active": "y"},
    )
    assert r.status_code == 400
    assert "Không thể tự bỏ quyền quản trị" in r.get_data(as_text=True)
    r = post(client, f"/officer/officers/{admin.id}", {"name": admin.name, "role": "admin"})
    assert r.status_code == 400
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.active is True


def test_admin_edit_bad_input_keeps_typed_values(client, db, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    other = make_officer(name="Trần Văn Bình")
    r = post(
        client,
        f"/officer/officers/{other.id}",
        {"name": "", "public_phone": "0909", "title": "Tên mới", "role": "officer", "active": "y"},
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Nhập họ tên." in html and 'value="Tên mới"' in html and 'value="0909"' in html
    db.session.refresh(other)
    assert other.name == "Trần Văn Bình"


def test_admin_cannot_edit_officer_of_another_office(client, make_office, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    stranger = make_officer(office=make_office("XX", name="Xã khác"))
    assert client.get(f"/officer/officers/{stranger.id}").status_code == 404
    assert post(client, f"/officer/officers/{stranger.id}", {"name": "x"}).status_code == 404


def test_admin_edit_without_csrf_is_refused(client, db, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    other = make_officer(public_phone="+84909000105")
    r = post(client, f"/officer/officers/{other.id}", {"name": "X", "role": "leader"}, csrf=False)
    assert r.status_code == 400
    assert db.session.get(Officer, other.id).role == "officer"


def test_nav_links_by_role(client, make_officer, login):
    sign_in(client, make_officer, login, "officer")
    page = client.get("/officer/").get_data(as_text=True)
    assert 'href="/officer/profile"' in page and 'href="/officer/roster"' in page
    assert 'href="/officer/audit"' not in page
    assert parse_page(page).h1 == 1
