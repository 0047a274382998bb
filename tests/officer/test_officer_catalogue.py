"""One province catalogue on the officer side (issue 13): a commune edits only its local part
(offered, Saturday, note, officers in charge), which its citizens' guide shows under the
province facts; the province admin imports the catalogue file after seeing what will change."""

from __future__ import annotations

import io
import json

import pytest

from app import catalogue
from app.extensions import db as _db
from tests.officer.test_officer_guides import post
from tests.support.desk import sign_in
from tests.support.helpers import csrf_token


@pytest.fixture
def ks(make_procedure):
    return make_procedure(slug="khai-sinh", keyword="KS", name="Đăng ký khai sinh")


def test_commune_admin_edits_the_local_part_and_citizens_see_it(
    client, pages, ks, make_office, make_officer, login
):
    other = make_office("XX", name="Xã khác")
    make_officer(office=other, username="xx", procedures=[ks])
    admin = sign_in(client, make_officer, login, "admin")
    officer = make_officer(username="canbo2")
    pages.get("officer.guide_local", slug="khai-sinh")
    r = post(client, "/officer/guides/khai-sinh/local", {
        "offered": "y", "saturday": "y", "note": "Nộp ở phòng số 2", "note_en": "Room 2",
        "officers": [str(officer.id)],
    })
    assert r.status_code == 302
    _db.session.expire_all()
    local = ks.local(admin.office_id)
    assert local.saturday and local.note == "Nộp ở phòng số 2" and local.note_en == "Room 2"
    # The other commune's officer in charge stays; this commune's is the one chosen.
    assert {o.username for o in ks.officers} == {"xx", "canbo2"}
    html = client.get("/vb/procedures/khai-sinh").get_data(as_text=True)
    assert "Nộp ở phòng số 2" in html and "sáng thứ Bảy" in html and officer.name in html
    assert local.note_for("en") == "Room 2" and local.note_for("vi") == "Nộp ở phòng số 2"
    # The facts did not move.
    assert ks.content("vi").fee == "Miễn phí"


def test_an_officer_in_charge_writes_the_note_but_not_what_is_offered(
    client, ks, make_officer, login
):
    officer = sign_in(client, make_officer, login, "officer", procedures=[ks])
    r = post(client, "/officer/guides/khai-sinh/local", {"note": "Gọi trước khi đến"})
    assert r.status_code == 302
    _db.session.expire_all()
    local = ks.local(officer.office_id)
    assert local.note == "Gọi trước khi đến" and local.offered  # offered unchanged
    assert [o.id for o in ks.officers] == [officer.id]  # in charge unchanged


@pytest.mark.parametrize("role,in_charge", [("officer", False), ("leader", True)])
def test_others_only_read_the_local_part(client, ks, make_officer, login, role, in_charge):
    sign_in(client, make_officer, login, role, procedures=[ks] if in_charge else [])
    assert client.get("/officer/guides/khai-sinh/local").status_code == 200
    r = post(client, "/officer/guides/khai-sinh/local", {"note": "x"})
    assert r.status_code == 403


def test_a_note_too_long_is_refused(client, ks, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    r = post(client, "/officer/guides/khai-sinh/local", {"offered": "y", "note": "x" * 401})
    assert r.status_code == 400
    _db.session.expire_all()
    assert ks.local(ks.locals[0].office_id).note == ""


def test_not_offered_hides_the_guide_from_this_communes_citizens(
    client, ks, make_officer, login
):
    sign_in(client, make_officer, login, "admin")
    assert post(client, "/officer/guides/khai-sinh/local", {"note": ""}).status_code == 302
    assert client.get("/vb/procedures/khai-sinh").status_code == 404


def test_export_for_anyone_signed_in(client, ks, make_officer, login):
    assert client.get("/officer/catalogue/export.json").status_code == 302  # sign in first
    sign_in(client, make_officer, login, "leader")
    r = client.get("/officer/catalogue/export.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert [p["slug"] for p in r.get_json()["procedures"]] == ["khai-sinh"]


def test_province_admin_checks_then_imports_the_file(
    client, pages, ks, make_office, make_officer, login
):
    sign_in(client, make_officer, login, "province_admin")
    pages.get("officer.catalogue_import")
    data = catalogue.export_catalogue()
    data["procedures"][0]["content"]["vi"]["fee"] = "10.000 đồng"
    new = json.loads(json.dumps(data["procedures"][0]))
    new.update(slug="khai-tu", sms_keyword="KT")
    data["procedures"].append(new)
    token = csrf_token(client, "/officer/catalogue")
    r = client.post("/officer/catalogue", data={
        "csrf_token": token, "action": "check",
        "file": (io.BytesIO(json.dumps(data).encode()), "catalogue.json"),
    }, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Thủ tục mới: 1" in html and "Thủ tục cập nhật: 1" in html
    _db.session.expire_all()
    assert ks.content("vi").fee == "Miễn phí"  # nothing yet
    carried = json.loads(__import__("html").unescape(
        html.split('name="data" type="hidden" value="')[1].split('"')[0]))
    other = make_office("XX", name="Xã khác")
    r = post(client, "/officer/catalogue", {
        "csrf_token": token, "action": "apply", "data": json.dumps(carried), "offer_all": "y",
    })
    assert r.status_code == 302
    _db.session.expire_all()
    assert ks.content("vi").fee == "10.000 đồng" and ks.local(other.id).offered


def test_a_bad_file_says_why_and_changes_nothing(client, ks, make_officer, login):
    sign_in(client, make_officer, login, "province_admin")
    before = catalogue.export_catalogue()
    token = csrf_token(client, "/officer/catalogue")
    r = client.post("/officer/catalogue", data={
        "csrf_token": token, "action": "check",
        "file": (io.BytesIO(b"\xff not json"), "x.json"),
    }, content_type="multipart/form-data")
    assert r.status_code == 400 and "JSON" in r.get_data(as_text=True)
    r = post(client, "/officer/catalogue", {"csrf_token": token, "action": "apply",
                                            "data": '{"format": "x"}'})
    assert r.status_code == 400 and "Chưa thay đổi gì" in r.get_data(as_text=True)
    assert catalogue.export_catalogue() == before


@pytest.mark.parametrize("role", ["admin", "officer", "leader", "province_leader"])
def test_only_the_province_admin_imports(client, make_officer, login, role):
    sign_in(client, make_officer, login, role)
    assert client.get("/officer/catalogue").status_code == 403
