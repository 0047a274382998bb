"""Communes set up from the web (issue 13, item 5): the province admin lists, creates and edits
communes and gives each its admins (temporary password shown once, to be changed at first
sign-in); every write is audited, checks CSRF and the role."""

from __future__ import annotations

import re
from datetime import time

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Office, Officer
from app.offices import PASSWORD_ALPHABET, PASSWORD_LENGTH
from tests.conftest import PASSWORD

NEW = {
    "code": "tb",
    "name": "Xã Tân Bình",
    "name_en": "Tan Binh Commune",
    "former_names": "Xã Tân Bình cũ\n\n  Xã Bình Hòa  \n",
    "address": "Ấp 2, xã Tân Bình",
    "phone": "0272 3891 234",
    "sms_number": "0909 111 222",
    "map_url": "https://maps.example.vn/?q=tan-binh",
    "am_start": "07:00",
    "am_end": "11:30",
    "pm_start": "13:00",
    "pm_end": "17:00",
    "open_saturday": "y",
    "timezone": "Asia/Ho_Chi_Minh",
    "admin_username": "qt.tanbinh",
    "admin_name": "Lê Văn Quản",
    "admin_phone": "0912 000 111",
}


@pytest.fixture
def province_admin(db, make_office):
    make_office()  # Vĩnh Bửu exists already
    officer = Officer(office_id=None, username="tinh", name="Trần Tỉnh", role="province_admin")
    officer.set_password(PASSWORD)
    db.session.add(officer)
    db.session.commit()
    return officer


@pytest.fixture
def as_province(client, login, province_admin):
    login(province_admin)
    return province_admin


def shown_password(response) -> str:
    match = re.search(r'<code id="temp-password">([^<]+)</code>', response.get_data(as_text=True))
    assert match, "no temporary password on the page"
    return match.group(1)


def value_of(page, name):
    return next((i.get("value") for i in page.inputs if i.get("name") == name), None)


def _audit(db, action):
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def _office(db, code):
    return db.session.scalars(sa.select(Office).where(Office.code == code)).first()


def test_the_province_admin_lists_the_communes(pages, as_province, make_officer, make_dossier):
    make_officer(username="canbo")
    make_dossier()
    page = pages.get("officer.communes")
    html = page.get_data(as_text=True)
    assert "UBND xã Vĩnh Bửu" in html and ">VB<" in html
    assert pages.url("officer.commune_new") in html


def test_new_commune_form_has_the_defaults(pages, as_province):
    page = pages.get("officer.commune_new").page
    values = {i.get("name"): i.get("value") for i in page.inputs}
    assert values["am_start"] == "07:00" and values["pm_end"] == "17:00"
    assert values["timezone"] == "Asia/Ho_Chi_Minh"
    assert "admin_username" in values


def test_create_a_commune_with_its_first_admin(pages, db, client, as_province):
    r = pages.post("officer.commune_new", _data=NEW, _expected_status=200)
    html = r.get_data(as_text=True)
    office = _office(db, "TB")
    assert office is not None and office.name == "Xã Tân Bình"
    assert office.phone == "+842723891234" and office.sms_number == "+84909111222"
    assert office.former_name_list == ["Xã Tân Bình cũ", "Xã Bình Hòa"]
    assert office.pm_start == time(13, 0) and office.open_saturday is True
    assert office.map_url == NEW["map_url"]
    admin = db.session.scalars(sa.select(Officer).where(Officer.username == "qt.tanbinh")).one()
    assert admin.office_id == office.id and admin.role == "admin"
    assert admin.must_change_password is True and admin.public_phone == "+84912000111"
    # The temporary password is on this page, once, and it signs in.
    shown = shown_password(r)
    assert len(shown) == PASSWORD_LENGTH and set(shown) <= set(PASSWORD_ALPHABET)
    assert admin.check_password(shown) and shown not in admin.password_hash
    assert shown not in client.get(pages.url("officer.commune_edit", code="TB")).get_data(
        as_text=True)
    # Audited: the commune and its admin, both under the new commune, no password.
    created = _audit(db, "office.create")
    assert len(created) == 1 and created[0].office_id == office.id
    assert created[0].officer_id == as_province.id and created[0].after["code"] == "TB"
    made = _audit(db, "officer.create")
    assert len(made) == 1 and made[0].office_id == office.id
    assert shown not in str(made[0].after) and "/tb/" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "T", "2 đến 5 chữ cái"),
        ("code", "TB-1", "2 đến 5 chữ cái"),
        ("code", "vb", "đã có xã khác dùng"),
        ("name", "  ", "Nhập tên xã"),
        ("phone", "12", "Số điện thoại không đúng"),
        ("sms_number", "0909000100", "đã là số nhắn tin của xã VB"),
        ("map_url", "javascript:alert(1)", "https://"),
        ("am_end", "06:00", "buổi sáng phải sau"),
        ("pm_start", "10:00", "Buổi chiều phải bắt đầu"),
        ("pm_end", "ba giờ", "Giờ không đúng dạng"),
        ("timezone", "Mars/Olympus", "Múi giờ không đúng"),
        ("admin_username", "Quản Trị", "Tên đăng nhập 2 đến 40"),
        ("admin_username", "tinh", "đã có người dùng"),
        ("admin_name", "", "Nhập họ tên"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_the_form_keeps_it(
    pages, db, as_province, field, value, message
):
    data = {**NEW, field: value}
    r = pages.post("officer.commune_new", _data=data, _expected_status=400)
    html = r.get_data(as_text=True)
    assert message in html
    error = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert error is not None and message in error.group(1)
    if field != "name":
        assert value_of(r.page, "name") == NEW["name"]  # what was typed is kept
    if field not in ("admin_name",) and r.page.inputs and field != "open_saturday":
        kept = value_of(r.page, field)
        assert kept == value or (kept or "").strip() == value.strip()
    assert _office(db, "TB") is None
    assert db.session.scalar(sa.select(Officer).where(Officer.username == "qt.tanbinh")) is None


def test_errors_are_translated(pages, as_province):
    from flask_babel import refresh

    refresh()  # the test's app context outlives requests; drop the locale the login cached
    pages.get("officer.commune_new", lang="en")  # the language is kept in the session
    r = pages.post("officer.commune_new", _data={**NEW, "code": "T"}, _expected_status=400,
                   _lang="en")
    assert "2 to 5 letters" in r.get_data(as_text=True)


def test_edit_a_commune(pages, db, as_province):
    vb = _office(db, "VB")
    page = pages.get("officer.commune_edit", code="vb").page
    assert value_of(page, "name") == "UBND xã Vĩnh Bửu"
    assert value_of(page, "code") is None  # the code is printed on slips: not editable
    data = {**NEW, "name": "Xã Vĩnh Bửu", "former_names": "Xã Vĩnh Bửu cũ",
            "sms_number": "0909000100"}
    pages.post("officer.commune_edit", code="VB", _data=data,
               _expected_redirect=pages.url("officer.communes"))
    db.session.refresh(vb)
    assert vb.name == "Xã Vĩnh Bửu" and vb.code == "VB" and vb.open_saturday is True
    entry = _audit(db, "office.update")[0]
    assert entry.before["name"] == "UBND xã Vĩnh Bửu" and entry.after["name"] == "Xã Vĩnh Bửu"
    assert "sms_number" not in entry.after  # unchanged fields are not logged


def test_edit_keeps_what_was_typed_on_error(pages, db, as_province):
    r = pages.post("officer.commune_edit", code="VB",
                   _data={**NEW, "name": "Tên mới", "map_url": "ftp://x"}, _expected_status=400)
    assert value_of(r.page, "name") == "Tên mới"
    assert _office(db, "VB").name == "UBND xã Vĩnh Bửu"


def test_an_unknown_commune_is_404(pages, as_province):
    pages.get("officer.commune_edit", code="ZZ", _expected_status=404)


def test_add_another_commune_admin(pages, db, as_province):
    page = pages.get("officer.commune_admin_new", code="VB").page
    assert "admin_username" in {i.get("name") for i in page.inputs}
    r = pages.post("officer.commune_admin_new", code="VB", _expected_status=200,
                   _data={"admin_username": "qt2", "admin_name": "Võ Thị Hai"})
    admin = db.session.scalars(sa.select(Officer).where(Officer.username == "qt2")).one()
    assert admin.office_id == _office(db, "VB").id and admin.role == "admin"
    assert admin.must_change_password
    assert admin.check_password(shown_password(r))
    assert "qt2" in pages.get("officer.commune_edit", code="VB").get_data(as_text=True)
    r = pages.post("officer.commune_admin_new", code="VB", _expected_status=400,
                   _data={"admin_username": "qt2", "admin_name": "Võ Thị Hai"})
    assert "đã có người dùng" in r.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "officer", "leader"])
def test_commune_roles_cannot_open_or_post_the_province_pages(
    pages, client, login, make_officer, db, role
):
    login(make_officer(role=role))
    for endpoint, values in (("officer.communes", {}), ("officer.commune_new", {}),
                             ("officer.commune_edit", {"code": "VB"}),
                             ("officer.commune_admin_new", {"code": "VB"}),
                             ("officer.commune_sms_settings", {"code": "VB"})):
        pages.get(endpoint, **values, _expected_status=403)
    pages.post("officer.commune_new", _data=NEW, _expected_status=403,
               _csrf_from="/officer/profile")
    pages.post("officer.commune_edit", code="VB", _data={**NEW, "name": "X"},
               _expected_status=403, _csrf_from="/officer/profile")
    pages.post("officer.commune_admin_new", code="VB", _expected_status=403,
               _data={"admin_username": "qt9", "admin_name": "Q"}, _csrf_from="/officer/profile")
    pages.post("officer.commune_sms_settings", code="VB", _expected_status=403,
               _data={"twilio_from": "+15005550006"}, _csrf_from="/officer/profile")
    assert _office(db, "TB") is None and _office(db, "VB").name == "UBND xã Vĩnh Bửu"
    assert _office(db, "VB").sms_settings == ""
    assert db.session.scalar(sa.select(Officer).where(Officer.username == "qt9")) is None


def test_signed_out_goes_to_the_login_page(client, db, make_office):
    make_office()
    r = client.get("/officer/communes")
    assert r.status_code == 302 and "/officer/login" in r.headers["Location"]


def test_posting_without_a_csrf_token_changes_nothing(pages, db, as_province):
    pages.post("officer.commune_new", _data=NEW, _csrf=False, _expected_status=400)
    assert _office(db, "TB") is None


def test_a_new_commune_changes_the_page_cache_version(pages, db, as_province):
    from app.models import SiteVersion

    before = db.session.get(SiteVersion, 1).content
    pages.post("officer.commune_new", _data=NEW, _expected_status=200)
    db.session.expire_all()
    assert db.session.get(SiteVersion, 1).content > before
