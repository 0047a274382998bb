"""Issue 13, item 5: every officer changes their own password on the web; an admin adds an
officer or resets one's password with a temporary password, shown once, that must be changed
before anything else."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from app.models import AuditLog, Officer
from app.officers import PASSWORD_MIN, temporary_password
from tests.conftest import PASSWORD
from tests.support.desk import sign_in
from tests.support.helpers import csrf_token

NEW = "ruong lua xanh 2026"


def _change(pages, current=PASSWORD, new=NEW, confirm=None, status=302):
    return pages.post(
        "officer.password",
        _data={"current": current, "new": new, "confirm": new if confirm is None else confirm},
        _expected_status=status,
    )


def test_password_page(pages, make_officer, login, client):
    sign_in(client, make_officer, login, "leader")
    page = pages.get("officer.password")
    assert page.page is not None
    html = page.get_data(as_text=True)
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html


class Browser(FlaskClient):
    """Every request starts with an empty ``g``, as in production (see
    tests/officer/test_hardening_sessions.py): otherwise Flask-Login's cached user of the test's
    one app context would carry over from request to request and client to client (so it is
    emptied after the request too, for the test's other client)."""

    def open(self, *args, **kwargs):
        vars(g).clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            vars(g).clear()


def _signed_in(app, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(app, app.response_class, use_cookies=True)
    r = browser.post("/officer/login", data={"username": username, "password": password,
                                             "csrf_token": csrf_token(browser, "/officer/login")})
    assert r.status_code == 302, r.status_code
    return browser


def test_own_change_ends_other_sessions_and_keeps_this_one(app, make_officer, db):
    officer = make_officer(username="lan", role="leader")
    here, other = _signed_in(app, "lan"), _signed_in(app, "lan")  # two PCs
    assert other.get("/officer/").status_code == 200

    r = here.post("/officer/password", data={"current": PASSWORD, "new": NEW, "confirm": NEW,
                                             "csrf_token": csrf_token(here, "/officer/password")})
    assert r.status_code == 302 and r.headers["Location"].endswith("/officer/")
    assert here.get("/officer/").status_code == 200  # this browser stays signed in
    assert "/officer/login" in other.get("/officer/").headers["Location"]  # the other does not
    db.session.refresh(officer)
    assert officer.check_password(NEW) and not officer.check_password(PASSWORD)
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "officer.password")).one()
    assert entry.officer_id == officer.id and entry.object_id == str(officer.id)
    assert NEW not in repr(entry.after)
    # The new password signs in; the old one no longer does.
    _signed_in(app, "lan", NEW)
    with pytest.raises(AssertionError):
        _signed_in(app, "lan", PASSWORD)


@pytest.mark.parametrize(
    "current,new,confirm,message",
    [
        ("sai roi nhe", NEW, None, "Mật khẩu đang dùng không đúng."),
        (PASSWORD, "ngan", None, f"Mật khẩu mới cần ít nhất {PASSWORD_MIN} ký tự."),
        (PASSWORD, "Lan.Nguyen", None, "Mật khẩu mới không được trùng tên đăng nhập."),
        (PASSWORD, PASSWORD, None, "Mật khẩu mới phải khác mật khẩu đang dùng."),
        (PASSWORD, NEW, NEW + "x", "Hai lần nhập mật khẩu mới không giống nhau."),
        ("", NEW, None, "Nhập mật khẩu đang dùng."),
    ],
)
def test_refused_changes_say_why(pages, make_officer, login, client, db, current, new, confirm,
                                 message):
    officer = sign_in(client, make_officer, login, "officer", username="lan.nguyen")
    r = _change(pages, current, new, confirm, status=400)
    assert message in r.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.check_password(PASSWORD)
    assert client.get("/officer/").status_code == 200  # still signed in


def test_errors_in_english(pages, make_officer, login, client):
    sign_in(client, make_officer, login, "officer")
    g.pop("_flask_babel", None)  # the test's one app context caches the locale of sign-in
    r = pages.post("officer.password", lang="en",
                   _data={"current": "wrong one", "new": NEW, "confirm": NEW},
                   _expected_status=400)
    assert "current password is wrong" in r.get_data(as_text=True).lower()


def test_temporary_password_shape():
    words = {temporary_password() for _ in range(50)}
    assert len(words) == 50
    for word in words:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", word)
        assert not set(word) & set("01ilo")


# ----------------------------------------------------------------------------- forced change


@pytest.fixture
def temporary(make_officer, db):
    officer = make_officer(username="moi", role="officer", must_change_password=True)
    return officer


def test_temporary_password_must_be_changed_first(pages, client, login, temporary, db):
    r = login(temporary)
    assert r.headers["Location"].endswith("/officer/password")
    # Every other page, read or write, leads to the form; nothing is written.
    for url in ("/officer/", "/officer/dossiers", "/officer/profile", "/officer/inbox"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/officer/password"), url
    token = csrf_token(client, "/officer/password")
    r = client.post("/officer/profile", data={"public_phone": "0912 345 678", "csrf_token": token})
    assert r.headers["Location"].endswith("/officer/password")
    db.session.refresh(temporary)
    assert temporary.public_phone != "+84912345678"
    page = pages.get("officer.password").get_data(as_text=True)
    assert "mật khẩu tạm" in page
    assert "/officer/dossiers" not in page  # no menu until it is changed

    _change(pages)
    db.session.refresh(temporary)
    assert temporary.must_change_password is False
    assert client.get("/officer/dossiers").status_code == 200
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "officer.password")).one()
    assert entry.after == {"was_temporary": True}


def test_sign_out_works_with_a_temporary_password(client, login, temporary):
    login(temporary)
    token = csrf_token(client, "/officer/password")
    r = client.post("/officer/logout", data={"csrf_token": token})
    assert r.headers["Location"].endswith("/officer/login")
    assert "/officer/login" in client.get("/officer/password").headers["Location"]


# ----------------------------------------------------------------------------- the admin


def _temporary_in(html: str) -> str:
    match = re.search(r"<code>([a-z2-9-]{14})</code>", html)
    assert match, html
    return match.group(1)


def test_admin_adds_an_officer_who_must_change_the_password(app, pages, make_officer, login,
                                                            client, db):
    admin = sign_in(client, make_officer, login, "admin")
    assert 'href="/officer/officers/new"' in pages.get("officer.officers").get_data(as_text=True)
    pages.get("officer.officer_new")
    r = pages.post("officer.officer_new", _data={"username": "Tran.Mai", "name": "Trần Thị Mai",
                                                 "role": "leader"}, _expected_status=200)
    temp = _temporary_in(r.get_data(as_text=True))
    mai = db.session.scalars(sa.select(Officer).where(Officer.username == "tran.mai")).one()
    assert (mai.office_id, mai.role, mai.must_change_password) == (admin.office_id, "leader", True)
    assert mai.check_password(temp) and temp not in mai.password_hash
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "officer.create")).one()
    assert entry.officer_id == admin.id and entry.office_id == admin.office_id
    assert temp not in repr(entry.after)
    # Shown once: nowhere else afterwards.
    assert temp not in client.get(f"/officer/officers/{mai.id}").get_data(as_text=True)

    fresh = Browser(app, app.response_class, use_cookies=True)
    r = fresh.post("/officer/login", data={"username": "tran.mai", "password": temp,
                                           "csrf_token": csrf_token(fresh, "/officer/login")})
    assert r.headers["Location"].endswith("/officer/password")
    assert fresh.get("/officer/dossiers").headers["Location"].endswith("/officer/password")


@pytest.mark.parametrize(
    "data,message",
    [
        ({"username": "binh", "name": "Ai đó", "role": "officer"}, "đã có người dùng"),
        ({"username": "có dấu", "name": "Ai đó", "role": "officer"}, "chữ thường không dấu"),
        ({"username": "moi", "name": "Ai đó", "role": "province_admin"}, "Not a valid choice"),
        ({"username": "moi", "name": "", "role": "officer"}, "Nhập họ tên."),
    ],
)
def test_adding_an_officer_refused(pages, make_officer, login, client, db, data, message):
    make_officer(username="binh")
    sign_in(client, make_officer, login, "admin")
    before = db.session.scalar(sa.select(sa.func.count(Officer.id)))
    r = pages.post("officer.officer_new", _data=data, _expected_status=400)
    html = r.get_data(as_text=True)
    assert message in html or "Chọn" in html
    assert db.session.scalar(sa.select(sa.func.count(Officer.id))) == before


def test_admin_resets_a_password(app, pages, make_officer, login, client, db):
    binh = make_officer(username="binh")
    other = _signed_in(app, "binh")
    admin = sign_in(client, make_officer, login, "admin")
    edit = pages.get("officer.officer_edit", officer_id=binh.id).get_data(as_text=True)
    assert f"/officer/officers/{binh.id}/password-reset" in edit
    r = pages.post("officer.officer_password_reset", officer_id=binh.id, _expected_status=200,
                   _csrf_from=f"/officer/officers/{binh.id}")
    temp = _temporary_in(r.get_data(as_text=True))
    db.session.refresh(binh)
    assert binh.must_change_password and binh.check_password(temp)
    assert "/officer/login" in other.get("/officer/").headers["Location"]  # old session ended
    entry = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "officer.password_reset")).one()
    assert entry.officer_id == admin.id and entry.object_id == str(binh.id)
    # One's own password is changed, not reset.
    r = pages.post("officer.officer_password_reset", officer_id=admin.id,
                   _csrf_from=f"/officer/officers/{admin.id}",
                   _expected_redirect="/officer/password")
    assert f"/officer/officers/{admin.id}/password-reset" not in client.get(
        f"/officer/officers/{admin.id}").get_data(as_text=True)


def test_reset_needs_csrf_and_the_admin(client, make_officer, login, db):
    binh = make_officer(username="binh")
    sign_in(client, make_officer, login, "admin")
    assert client.post(f"/officer/officers/{binh.id}/password-reset").status_code == 400
    db.session.refresh(binh)
    assert not binh.must_change_password
