"""Issue 12, item 4: sign-out, a password change and deactivation end the officer's sessions at
once. Each test saves the session cookie, does the thing, then replays the saved cookie from a
fresh client — as someone who copied it off a shared commune PC would."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from app.models import Officer
from tests.support.helpers import csrf_token


class Browser(FlaskClient):
    """A client whose every request starts with an empty ``g``, as in production. The ``db``
    fixture holds one app context for the whole test, so Flask-Login's ``g._login_user`` (and
    Flask-WTF's token) would otherwise carry the previous request's officer into the next one —
    and into another client's request."""

    def open(self, *args, **kwargs):
        vars(g).clear()
        return super().open(*args, **kwargs)


def _browser(app) -> Browser:
    return Browser(app, app.response_class, use_cookies=True)


def _signed_in_cookie(app, officer, login) -> tuple[str, Browser]:
    """Sign in; return the session cookie's value and the client holding it."""
    client = _browser(app)
    token = csrf_token(client, "/officer/login")
    from tests.conftest import PASSWORD

    r = client.post("/officer/login", data={"username": officer.username, "password": PASSWORD,
                                            "csrf_token": token})
    assert r.status_code == 302
    assert client.get("/officer/").status_code == 200
    return client.get_cookie("session").value, client


def _replay(app, cookie: str) -> int:
    thief = _browser(app)
    thief.set_cookie("session", cookie)
    return thief.get("/officer/").status_code


def test_a_saved_cookie_is_dead_after_sign_out(app, db, make_officer, login):
    officer = make_officer(username="lan")
    saved, client = _signed_in_cookie(app, officer, login)
    assert _replay(app, saved) == 200  # the copy works while the session is open
    token = csrf_token(client, "/officer/")
    assert client.post("/officer/logout", data={"csrf_token": token}).status_code == 302
    assert _replay(app, saved) == 302  # to the sign-in page


def test_sign_out_ends_the_officers_other_sessions_too(app, db, make_officer, login):
    officer = make_officer(username="lan")
    other, _ = _signed_in_cookie(app, officer, login)
    _, client = _signed_in_cookie(app, officer, login)
    client.post("/officer/logout", data={"csrf_token": csrf_token(client, "/officer/")})
    assert _replay(app, other) == 302
    # Signing in again works, and the new session is good.
    fresh, _ = _signed_in_cookie(app, officer, login)
    assert _replay(app, fresh) == 200


def test_a_saved_cookie_is_dead_after_set_password(app, db, runner, make_officer, login):
    officer = make_officer(username="lan")
    saved, _ = _signed_in_cookie(app, officer, login)
    result = runner.invoke(args=["officer", "set-password", "lan", "--password", "new-pass-1"])
    assert result.exit_code == 0, result.output
    assert _replay(app, saved) == 302


def test_any_password_change_ends_sessions(app, db, make_officer, login):
    """``Officer.set_password`` itself moves the generation, so every way of changing a
    password (the CLI today, a web form later) ends the sessions."""
    officer = make_officer(username="lan")
    saved, _ = _signed_in_cookie(app, officer, login)
    officer = db.session.get(Officer, officer.id)
    officer.set_password("another-pass-2")
    db.session.commit()
    assert _replay(app, saved) == 302


def test_deactivation_ends_sessions_even_after_reactivation(app, db, runner, make_officer,
                                                           login):
    officer = make_officer(username="lan")
    saved, _ = _signed_in_cookie(app, officer, login)
    assert runner.invoke(args=["officer", "deactivate", "lan"]).exit_code == 0
    assert _replay(app, saved) == 302
    db.session.expire_all()
    db.session.execute(sa.update(Officer).where(Officer.id == officer.id).values(active=True))
    db.session.commit()
    assert _replay(app, saved) == 302  # back at work: a new sign-in, not the old cookie


def test_admin_deactivating_an_officer_ends_their_session(app, db, make_officer, login):
    admin = make_officer(username="admin", role="admin")
    lan = make_officer(username="lan", office=admin.office)
    saved, _ = _signed_in_cookie(app, lan, login)
    _, admin_client = _signed_in_cookie(app, admin, login)
    db.session.expire_all()
    lan = db.session.get(Officer, lan.id)
    page = f"/officer/officers/{lan.id}"
    r = admin_client.post(page, data={
        "csrf_token": csrf_token(admin_client, page), "name": lan.name, "role": lan.role,
        "public_phone": "", "title": lan.title, "title_en": "",
    })  # "active" left unticked
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(Officer, lan.id).active is False
    db.session.execute(sa.update(Officer).where(Officer.id == lan.id).values(active=True))
    db.session.commit()
    assert _replay(app, saved) == 302


def test_a_cookie_in_the_old_id_only_form_loads_nobody(app, db, make_officer):
    from app.auth import load_officer

    officer = make_officer(username="lan")
    assert load_officer(str(officer.id)) is None
    assert load_officer(f"{officer.id}:{officer.session_generation}") is not None
    assert load_officer(f"{officer.id}:x") is None
    assert load_officer(":") is None
