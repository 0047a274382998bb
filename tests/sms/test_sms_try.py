"""The "try it without a phone" page: the real commands, the reply on screen, nothing written
or sent (a sandbox: tests/sms/test_hardening_ratings.py proves it cannot forge a rating)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.models import Message, PhonePreference
from tests.support.helpers import csrf_token

URL = "/officer/try-sms"


@pytest.fixture
def office(make_office):
    return make_office()


def _try(client, phone, text, token=None):
    token = token if token is not None else csrf_token(client, URL)
    return client.post(URL, data={"phone": phone, "text": text, "csrf_token": token})


def test_signed_out_goes_to_login_when_not_public(client, office):
    r = client.get(URL)
    assert r.status_code == 302 and "/officer/login" in r.headers["Location"]


def test_leader_may_not_use_it(client, login, make_officer, office):
    login(make_officer(role="leader"))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_officer_tries_a_text_and_sees_the_reply(client, pages, db, login, make_officer, office,
                                                 role):
    login(make_officer(role=role))
    pages.get("officer.try_sms")
    r = _try(client, "0912 345 678", "ds")
    assert r.status_code == 302 and r.headers["Location"].endswith(URL)
    html = client.get(URL).get_data(as_text=True)
    assert "Tu khoa thu tuc" in html and "GSM-7" in html and "1 phần tin" in html
    # a sandbox: nothing stored, nothing queued for the worker, no phone texted
    assert db.session.scalars(sa.select(Message)).first() is None


def test_effects_are_remembered_for_the_next_try_in_this_browser(client, db, login,
                                                                  make_officer, office):
    login(make_officer())
    _try(client, "0912345678", "HUY")
    assert db.session.get(PhonePreference, "+84912345678") is None
    _try(client, "0912345678", "DS")
    html = client.get(URL).get_data(as_text=True)
    assert "Không trả lời" in html
    assert 'value="0912345678"' in html  # the phone is kept for the next try


@pytest.mark.parametrize(
    "phone, text, error",
    [
        ("", "DS", "Nhập số điện thoại."),
        ("12345", "DS", "Số điện thoại không đúng."),
        ("0912 345 678", "", "Nhập nội dung tin nhắn."),
        ("0912 345 678", "x" * 1601, "Tin nhắn tối đa 1600 ký tự."),
    ],
)
def test_bad_input_is_400_and_kept(client, db, login, make_officer, office, phone, text, error):
    login(make_officer())
    r = _try(client, phone, text)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert error in html
    if phone:
        assert f'value="{phone}"' in html
    assert db.session.scalars(sa.select(Message)).first() is None


def test_csrf_missing_is_400(client, db, login, make_officer, office):
    login(make_officer())
    assert _try(client, "0912 345 678", "DS", token="").status_code == 400
    assert db.session.scalars(sa.select(Message)).first() is None


def test_public_in_development_without_login(client, pages, db, app, office, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_TRY_PAGE_PUBLIC", True)
    page = pages.get("officer.try_sms").page
    assert page.h1 == 1
    assert _try(client, "0912 345 678", "LH").status_code == 302
    assert "VP xa: 0272 380 0100" in client.get(URL).get_data(as_text=True)
    # another browser does not see what this one tried
    other = app.test_client()
    assert "VP xa" not in other.get(URL).get_data(as_text=True)


def test_never_public_in_production(client, app, office, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_TRY_PAGE_PUBLIC", True)
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    assert client.get(URL).status_code == 302


def test_the_tries_kept_in_the_session_fit_in_a_cookie(client, db, login, make_officer, office,
                                                       make_procedure):
    """The sandbox keeps the last tries in the session (a cookie: browsers drop one over 4 KB)."""
    make_procedure(keyword="KS")
    login(make_officer())
    texts = ["HD KS", "LH", "DS", "TT VB-241115-0007", "x" * 1600, "GY " + "ý kiến dài " * 100]
    for n, text in enumerate(texts):
        assert _try(client, f"0912 345 67{n}", text).status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 3500
    html = client.get(URL).get_data(as_text=True)
    assert html.count('class="box"') == 5  # the last five
