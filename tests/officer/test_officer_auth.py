"""Officer sign-in: passwords, throttling per account and per IP, deactivation, safe
redirects, logout by POST with CSRF, cookie flags and the production secret-key guard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import DEV_SECRET, ConfigError
from app.models import LoginAttempt, utcnow
from app.signin import MAX_PER_ACCOUNT, MAX_PER_ACCOUNT_AND_IP, MAX_PER_IP
from tests.conftest import PASSWORD
from tests.support.helpers import csrf_token

WAIT_RE = re.compile(r"Thử lại sau (\d+) phút")


def _post_login(client, username, password, ip="10.0.0.1", next_=None):
    token = csrf_token(client, "/officer/login")
    url = "/officer/login" + (f"?next={next_}" if next_ else "")
    return client.post(
        url,
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_login_page_renders(client, pages, make_office):
    make_office()
    page = pages.get("officer.login").page
    assert any(i.get("name") == "password" and i.get("type") == "password" for i in page.inputs)


def test_good_login_opens_the_desk(client, pages, make_officer):
    officer = make_officer(username="lan")
    r = _post_login(client, "lan", PASSWORD)
    assert r.status_code == 302 and r.headers["Location"].endswith("/officer/")
    home = pages.get("officer.home")
    assert officer.name in home.get_data(as_text=True)


def test_username_is_case_insensitive(client, make_officer):
    make_officer(username="lan")
    assert _post_login(client, "LAN", PASSWORD).status_code == 302


def test_wrong_password_is_refused_and_counted(client, db, make_officer):
    make_officer(username="lan")
    r = _post_login(client, "lan", "not the password")
    assert r.status_code == 400
    assert "Sai tên đăng nhập hoặc mật khẩu" in r.get_data(as_text=True)
    assert client.get("/officer/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 1


def test_missing_fields_are_errors(client, make_office):
    make_office()
    r = _post_login(client, "", "")
    assert r.status_code == 400
    assert "Nhập tên đăng nhập." in r.get_data(as_text=True)


def test_throttle_per_account_even_from_another_ip(client, make_officer):
    make_officer(username="lan")
    for i in range(MAX_PER_ACCOUNT):
        assert _post_login(client, "lan", "wrong", ip=f"10.0.1.{i}").status_code == 400
    # The right password, from an address the officer never used, is refused while the
    # account is under attack from many (tests/officer/test_hardening_signin.py: not from their own).
    r = _post_login(client, "lan", PASSWORD, ip="10.9.9.9")
    assert r.status_code == 400
    match = WAIT_RE.search(r.get_data(as_text=True))
    assert match and 1 <= int(match.group(1)) <= 15
    assert client.get("/officer/").status_code == 302


def test_throttle_says_how_long_to_wait(client, db, make_officer):
    make_officer(username="lan")
    ten_minutes_ago = utcnow() - timedelta(minutes=10)
    for _ in range(MAX_PER_ACCOUNT_AND_IP):
        db.session.add(LoginAttempt(username="lan", ip="10.0.0.5", at=ten_minutes_ago))
    db.session.commit()
    r = _post_login(client, "lan", PASSWORD, ip="10.0.0.5")
    assert WAIT_RE.search(r.get_data(as_text=True)).group(1) == "5"


def test_old_failures_no_longer_lock(client, db, make_officer):
    make_officer(username="lan")
    long_ago = utcnow() - timedelta(minutes=16)
    for _ in range(MAX_PER_ACCOUNT):
        db.session.add(LoginAttempt(username="lan", ip="10.0.0.5", at=long_ago))
    db.session.commit()
    assert _post_login(client, "lan", PASSWORD).status_code == 302


def test_throttle_per_ip(client, db, make_officer):
    make_officer(username="lan")
    now = utcnow()
    for i in range(MAX_PER_IP):
        db.session.add(LoginAttempt(username=f"guess{i}", ip="10.0.2.2", at=now))
    db.session.commit()
    r = _post_login(client, "lan", PASSWORD, ip="10.0.2.2")
    assert r.status_code == 400 and WAIT_RE.search(r.get_data(as_text=True))
    # Another IP is not affected: the account itself is fine.
    assert _post_login(client, "lan", PASSWORD, ip="10.0.3.3").status_code == 302


def test_success_clears_the_account_counter(client, db, make_officer):
    make_officer(username="lan")
    for _ in range(MAX_PER_ACCOUNT_AND_IP - 1):
        _post_login(client, "lan", "wrong")
    assert _post_login(client, "lan", PASSWORD).status_code == 302
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.username == "lan", ~LoginAttempt.succeeded)
    )
    assert count == 0


def test_deactivated_officer_cannot_sign_in(client, make_officer):
    make_officer(username="lan", active=False)
    r = _post_login(client, "lan", PASSWORD)
    assert r.status_code == 400
    assert client.get("/officer/").status_code == 302


def test_deactivation_ends_an_open_session(app, client, db, make_officer, login):
    officer = make_officer(username="lan")
    assert login(officer).status_code == 302
    assert client.get("/officer/").status_code == 200
    officer.active = False
    db.session.commit()
    # A fresh app context per request, as in production: the user is loaded from the session
    # cookie again (the fixture's long-lived context would keep the loaded user in ``g``).
    with app.app_context():
        r = client.get("/officer/")
    assert r.status_code == 302 and "/officer/login" in r.headers["Location"]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_open_redirect_refused(client, make_officer, target):
    make_officer(username="lan")
    r = _post_login(client, "lan", PASSWORD, next_=target)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert "evil" not in location and location.endswith("/officer/")


def test_same_site_next_is_followed(client, make_officer):
    make_officer(username="lan")
    r = _post_login(client, "lan", PASSWORD, next_="/officer/profile")
    assert r.headers["Location"].endswith("/officer/profile")


def test_signed_out_user_is_sent_to_login_with_next(client, make_office):
    make_office()
    r = client.get("/officer/profile")
    assert r.status_code == 302
    assert "/officer/login" in r.headers["Location"] and "next=" in r.headers["Location"]


def test_logout_needs_post_and_csrf(client, make_officer, login):
    officer = make_officer()
    login(officer)
    assert client.get("/officer/logout").status_code == 405
    assert client.post("/officer/logout").status_code == 400  # no CSRF token
    assert client.get("/officer/").status_code == 200  # still signed in
    token = csrf_token(client, "/officer/")
    r = client.post("/officer/logout", data={"csrf_token": token})
    assert r.status_code == 302 and "/officer/login" in r.headers["Location"]
    assert client.get("/officer/").status_code == 302


def test_login_without_csrf_is_refused(client, make_officer):
    make_officer(username="lan")
    r = client.post("/officer/login", data={"username": "lan", "password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/officer/").status_code == 302


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_flags(client, make_officer, login):
    officer = make_officer()
    cookie = _session_cookie(login(officer))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development and tests


def test_secure_cookie_in_production(app, db, make_office, monkeypatch):
    make_office()
    monkeypatch.setenv("SECRET_KEY", "a-long-random-value-for-this-test-only-0123456789")
    monkeypatch.setenv("SETTINGS_ENCRYPTION_KEY", "another-long-random-value-for-this-test-only")
    prod = create_app(
        {"APP_ENV": "production", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["REMEMBER_COOKIE_SECURE"] is True
    r = prod.test_client().get("/officer/login", base_url="https://localhost")
    cookie = _session_cookie(r)  # the CSRF token is kept in the session
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in r.headers


@pytest.mark.parametrize("secret", [None, "", DEV_SECRET])
def test_production_refuses_to_start_without_secret_key(monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError):
        create_app({"APP_ENV": "production"})


def test_password_is_hashed_with_scrypt(make_officer):
    officer = make_officer()
    assert officer.password_hash.startswith("scrypt:")
    assert PASSWORD not in officer.password_hash
    assert officer.check_password(PASSWORD) and not officer.check_password(PASSWORD + "x")
