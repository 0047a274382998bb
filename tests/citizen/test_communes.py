"""A province in one deployment (issue 13, items 1-2, citizen side): every commune at its own
address, the province home, old addresses redirecting, and nothing of one commune shown under
another's name — on the status page, in the API or from the page cache."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from app.models import Feedback
from app.page_cache import page_cache

MONDAY_0900 = datetime(2026, 3, 9, 9, 0)


@pytest.fixture
def two(db, make_office, make_procedure, make_dossier):
    """Vĩnh Bửu (VB, the default) and Xuân Bình (XB), each with a guide and a dossier."""
    vb = make_office()
    xb = make_office(code="XB", name="UBND xã Xuân Bình", name_en="Xuan Binh Commune",
                     address="Ấp 2, xã Xuân Bình", phone="+842723800200",
                     former_names="Xã Bình Hòa\nXã Tân Xuân")
    # One province catalogue (issue 13, item 4): the same guide, each commune's own local note.
    vb_proc = make_procedure(slug="khai-sinh", office=vb, name="Đăng ký khai sinh")
    xb_proc = make_procedure(slug="khai-sinh", office=xb)
    vb_proc.local(vb.id).note = "Ghi chú riêng VB"
    xb_proc.local(xb.id).note = "Ghi chú riêng XB"
    db.session.commit()
    vb_dossier = make_dossier(vb_proc, office=vb, applicant_name="Trần Thị Lan")
    xb_dossier = make_dossier(xb_proc, office=xb, applicant_name="Lê Văn Xuân",
                              phone="+84912340000")
    page_cache.clear()
    return {"vb": vb, "xb": xb, "vb_proc": vb_proc, "xb_proc": xb_proc,
            "vb_dossier": vb_dossier, "xb_dossier": xb_dossier}


def text(response) -> str:
    return response.get_data(as_text=True)


# ----------------------------------------------------------------------------- addresses


def test_each_commune_has_its_own_pages(pages, two):
    vb = text(pages.get("citizen.guide", office="vb", slug="khai-sinh"))
    xb = text(pages.get("citizen.guide", office="xb", slug="khai-sinh"))
    assert "Ghi chú riêng VB" in vb and "Ghi chú riêng XB" not in vb
    assert "Ghi chú riêng XB" in xb and "Ghi chú riêng VB" not in xb and "Xuân Bình" in xb
    assert "Đăng ký khai sinh" in vb and "Đăng ký khai sinh" in xb  # the province's facts
    home = pages.get("citizen.home", office="xb")
    assert home.request.path == "/xb/"
    # Links on a commune's page stay in that commune.
    assert 'href="/xb/procedures/khai-sinh"' in text(home)
    assert 'href="/xb/status"' in text(home)


def test_an_unknown_commune_is_a_translated_404(pages, two):
    response = pages.get("citizen.status", office="zz", lang="en", _expected_status=404)
    assert "not found" in text(response).lower()


def test_an_unknown_commune_is_a_404_in_vietnamese_too(pages, two):
    response = pages.get("citizen.home", office="zz", _expected_status=404)
    assert "Không tìm thấy trang" in text(response)


def test_with_one_commune_the_root_is_its_home(client, make_office, make_procedure):
    make_office()
    make_procedure(slug="khai-sinh")
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/vb/procedures/khai-sinh"' in text(response)
    assert "Chọn xã của bạn" not in text(response)


def test_province_home_lists_every_commune_with_phone_and_duty(pages, two, make_officer,
                                                               clock, db):
    from app.models import DutyShift

    clock.local(MONDAY_0900)
    officer = make_officer(office=two["xb"], name="Phạm Văn Trực", public_phone="+84909000222")
    db.session.add(DutyShift(officer_id=officer.id, weekday=0, start=time(7, 0),
                             end=time(11, 30)))
    db.session.commit()
    response = pages.get("province.home")
    html = text(response)
    assert "Chọn xã của bạn" in html
    assert 'href="/vb/"' in html and 'href="/xb/"' in html
    assert "Ấp 2, xã Xuân Bình" in html and "tel:+842723800200" in html
    assert "Phạm Văn Trực" in html


@pytest.mark.parametrize("q", ["xuan binh", "Xuân Bình", "binh hoa", "TÂN XUÂN"])
def test_province_home_finds_a_commune_by_its_name_or_a_former_one(pages, two, q):
    html = text(pages.get("province.home", q=q))
    assert 'href="/xb/"' in html and 'href="/vb/"' not in html


def test_province_home_says_when_nothing_matches(pages, two):
    html = text(pages.get("province.home", q="khong co xa nay", lang="en"))
    assert 'href="/xb/"' not in html and 'href="/vb/"' not in html
    assert "No commune found" in html


def test_province_status_box_sends_the_code_to_its_commune(client, two):
    code = two["xb_dossier"].public_code
    response = client.get(f"/status?code={code}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/xb/status?code={code}"


# ----------------------------------------------------------------------------- old addresses


@pytest.mark.parametrize("old, new", [
    ("/procedures", "/vb/procedures"),
    ("/procedures?q=khai", "/vb/procedures?q=khai"),
    ("/procedures/khai-sinh", "/vb/procedures/khai-sinh"),
    ("/procedures/khai-sinh/sms", "/vb/procedures/khai-sinh/sms"),
    ("/contacts", "/vb/contacts"),
    ("/contacts/7.vcf", "/vb/contacts/7.vcf"),
    ("/feedback?code=VB-1", "/vb/feedback?code=VB-1"),
    ("/feedback/thanks", "/vb/feedback/thanks"),
    ("/status", "/vb/status"),
])
def test_old_addresses_redirect_to_the_default_commune(client, two, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new


def test_an_old_form_post_is_redirected_as_a_post(client, two):
    from tests.support.helpers import csrf_token

    token = csrf_token(client, "/vb/feedback")  # a page opened before: its token still holds
    response = client.post("/feedback", data={"rating": "5", "csrf_token": token})
    assert response.status_code == 308 and response.headers["Location"] == "/vb/feedback"


def test_a_printed_slip_qr_still_leads_to_the_dossier(client, two):
    """Slips printed before carry ``/status?code=…`` (app.officer.dossiers.status_url)."""
    dossier = two["xb_dossier"]
    response = client.get(f"/status?code={dossier.public_code}&digits=0000",
                          follow_redirects=True)
    assert response.request.path == "/xb/status"
    assert "Lê Văn Xuân" in text(response)


def test_the_slip_qr_now_carries_the_commune(app, two):
    from app.officer.dossiers import status_url

    with app.test_request_context("/officer/"):
        url = status_url(two["xb_dossier"].public_code)
    assert "/xb/status?code=XB-" in url


# ----------------------------------------------------------------------------- scoping


def test_status_page_points_to_the_right_commune_and_shows_nothing(pages, two):
    xb = two["xb_dossier"]
    for digits in ("", "0000"):
        response = pages.get("citizen.status", office="vb", code=xb.public_code,
                             digits=digits)
        html = text(response)
        assert "Lê Văn Xuân" not in html and "Đăng ký khai sinh XB" not in html
        assert "UBND xã Xuân Bình" in html
        assert f'href="/xb/status?code={xb.public_code}"' in html
    own = text(pages.get("citizen.status", office="xb", code=xb.public_code, digits="0000"))
    assert "Lê Văn Xuân" in own


def test_a_code_without_prefix_is_read_as_this_communes(pages, two):
    vb = two["vb_dossier"]
    short = vb.code.split("-", 1)[1]
    html = text(pages.get("citizen.status", office="xb", code=short, digits="5678"))
    assert "Trần Thị Lan" not in html  # read as XB-…: not found there


def test_api_answers_for_the_codes_own_commune_and_points_elsewhere(client, two):
    xb = two["xb_dossier"]
    own = client.get(f"/api/v1/dossiers/{xb.public_code}?phone_last4=0000")
    assert own.status_code == 200 and own.get_json()["applicant_name"] == "Lê Văn Xuân"
    other = client.get(f"/api/v1/dossiers/{xb.public_code}?phone_last4=0000&commune=vb")
    assert other.status_code == 404
    body = other.get_json()
    assert body["error"] == "other_commune" and body["commune"] == "xb"
    assert "Lê Văn Xuân" not in other.get_data(as_text=True)
    assert body["url"].endswith(f"/api/v1/dossiers/{xb.public_code}?commune=xb")


def test_api_procedures_and_index_per_commune(client, two):
    listing = client.get("/api/v1/procedures?commune=xb").get_json()
    assert listing["office"] == "XB"
    assert listing["procedures"][0]["guide_url"].endswith("/xb/procedures/khai-sinh")
    assert client.get("/api/v1/procedures").get_json()["office"] == "VB"
    assert client.get("/api/v1/procedures?commune=zz").status_code == 404
    assert client.get("/api/v1/procedures?commune=1").status_code == 400
    assert client.get("/api/v1/index?commune=xb").get_json()["office"] in ("XB", "UBND xã Xuân Bình")


def test_feedback_belongs_to_the_commune_of_its_page(client, two, db):
    from tests.support.helpers import csrf_token

    token = csrf_token(client, "/xb/feedback")
    response = client.post("/xb/feedback", data={"csrf_token": token, "rating": "5",
                                                  "comment": "Tốt"})
    assert response.status_code == 302 and response.headers["Location"] == "/xb/feedback/thanks"
    item = db.session.query(Feedback).one()
    assert item.office_id == two["xb"].id


# ----------------------------------------------------------------------------- page cache


def test_an_edit_in_one_commune_keeps_the_others_pages(client, two, db):
    client.get("/vb/procedures/khai-sinh")
    client.get("/xb/procedures/khai-sinh")
    two["xb_proc"].local(two["xb"].id).note = "Thứ Bảy mở cửa buổi sáng"  # XB's local part
    db.session.commit()
    hits, misses = page_cache.hits, page_cache.misses
    client.get("/vb/procedures/khai-sinh")
    assert (page_cache.hits, page_cache.misses) == (hits + 1, misses)  # VB: from memory
    xb = client.get("/xb/procedures/khai-sinh")
    assert page_cache.misses == misses + 1 and "Thứ Bảy mở cửa buổi sáng" in text(xb)  # fresh


def test_an_edit_of_the_province_guide_shows_in_every_commune(client, two, db):
    client.get("/vb/procedures/khai-sinh")
    client.get("/xb/procedures/khai-sinh")
    two["vb_proc"].content("vi").fee = "50.000 đồng"  # the province's facts: one guide
    db.session.commit()
    assert "50.000 đồng" in text(client.get("/vb/procedures/khai-sinh"))
    assert "50.000 đồng" in text(client.get("/xb/procedures/khai-sinh"))


def test_a_dossier_of_one_commune_keeps_the_others_status_pages(client, two, make_dossier):
    url = f"/vb/status?code={two['vb_dossier'].public_code}"
    client.get(url)
    make_dossier(two["xb_proc"], office=two["xb"])
    hits = page_cache.hits
    client.get(url)
    assert page_cache.hits == hits + 1


def test_an_edit_of_something_with_no_commune_empties_every_commune(client, two, db):
    client.get("/vb/procedures/khai-sinh")
    client.get("/xb/procedures/khai-sinh")
    from app.models import Office

    db.session.add(Office(code="TN", name="UBND xã Tân Nhựt"))  # a commune added: all move
    db.session.commit()
    misses = page_cache.misses
    client.get("/vb/procedures/khai-sinh")
    client.get("/xb/procedures/khai-sinh")
    assert page_cache.misses == misses + 2


def test_province_home_moves_with_any_commune(client, two, db):
    client.get("/")
    two["xb"].address = "Ấp 3, xã Xuân Bình"
    db.session.commit()
    assert "Ấp 3, xã Xuân Bình" in text(client.get("/"))


def test_fast_path_keeps_communes_apart(app, client, two, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_CHECK_SECONDS", 3600)
    page_cache.forget_version()
    for _ in range(2):
        vb = text(client.get("/vb/procedures/khai-sinh"))
        xb = text(client.get("/xb/procedures/khai-sinh"))
    assert "Ghi chú riêng VB" in vb and "Ghi chú riêng XB" in xb
    assert "Ghi chú riêng XB" not in vb and "Ghi chú riêng VB" not in xb
    assert page_cache.fast_hits >= 2


def test_a_communes_own_host_name_serves_its_home_at_the_root(app, client, two, db,
                                                              monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", [])
    two["xb"].hostname = "xuanbinh.example.vn"
    db.session.commit()
    own = client.get("/", headers={"Host": "xuanbinh.example.vn"})
    assert own.status_code == 200
    assert 'href="/xb/procedures/khai-sinh"' in text(own)
    assert "Chọn xã của bạn" in text(client.get("/"))  # any other host: the province home
