"""Issue 12, items 9 and 10 on the officers' sign-in: the same password-hash work for unknown
usernames, and no stranger can lock the real officer out."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from app.models import LoginAttempt
from app.signin import MAX_PER_ACCOUNT, MAX_PER_ACCOUNT_AND_IP, _dummy_hash, authenticate
from tests.conftest import PASSWORD
from tests.support.helpers import csrf_token

WAIT_RE = re.compile(r"Thử lại sau (\d+) phút")
OWN_PC, STRANGER = "10.0.0.1", "10.6.6.6"


def _post_login(client, username, password, ip):
    token = csrf_token(client, "/officer/login")
    return client.post("/officer/login",
                       data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def _sign_out(client):
    client.post("/officer/logout", data={"csrf_token": csrf_token(client, "/officer/")})


# ------------------------------------------------------------------------------ item 9


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Every scrypt derivation werkzeug makes (the dummy hash made beforehand)."""
    _dummy_hash()
    calls = []
    real = hashlib.scrypt

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", spy)
    return calls


@pytest.mark.parametrize("case", ["unknown", "wrong password", "deactivated", "no password"])
def test_every_failed_sign_in_costs_one_scrypt(db, make_officer, scrypt_calls, case):
    officer = make_officer(username="lan")
    if case == "deactivated":
        officer.active = False
    if case == "no password":
        officer.password_hash = ""
    db.session.commit()
    username = "nobody" if case == "unknown" else "lan"
    password = "wrong" if case == "wrong password" else PASSWORD
    scrypt_calls.clear()  # making the officer hashed their password
    assert authenticate(username, password, OWN_PC) is None
    assert len(scrypt_calls) == 1


def test_a_good_sign_in_costs_one_scrypt_too(db, make_officer, scrypt_calls):
    make_officer(username="lan")
    scrypt_calls.clear()
    assert authenticate("lan", PASSWORD, OWN_PC) is not None
    assert len(scrypt_calls) == 1


# ------------------------------------------------------------------------------ item 10


def test_a_stranger_cannot_lock_the_officer_out(client, make_officer):
    make_officer(username="lan")
    for _ in range(2 * MAX_PER_ACCOUNT_AND_IP):
        assert _post_login(client, "lan", "guess", STRANGER).status_code == 400
    # the stranger is locked out, with a time to wait …
    r = _post_login(client, "lan", PASSWORD, STRANGER)
    assert r.status_code == 400 and WAIT_RE.search(r.get_data(as_text=True))
    # … the officer, at another address, is not (first sign-in from there, too)
    assert _post_login(client, "lan", PASSWORD, OWN_PC).status_code == 302


def test_many_strangers_cannot_lock_the_officer_out_of_their_own_pc(client, db, make_officer):
    make_officer(username="lan")
    assert _post_login(client, "lan", PASSWORD, OWN_PC).status_code == 302
    _sign_out(client)
    for i in range(MAX_PER_ACCOUNT):
        _post_login(client, "lan", "guess", f"10.7.0.{i}")
    # under attack: an address the account never used is refused, even with the password …
    r = _post_login(client, "lan", PASSWORD, "10.8.8.8")
    assert r.status_code == 400 and WAIT_RE.search(r.get_data(as_text=True))
    # … the officer's own PC is not
    assert _post_login(client, "lan", PASSWORD, OWN_PC).status_code == 302


def test_the_officers_own_pc_keeps_its_own_limit(client, db, make_officer):
    make_officer(username="lan")
    assert _post_login(client, "lan", PASSWORD, OWN_PC).status_code == 302
    _sign_out(client)
    for _ in range(MAX_PER_ACCOUNT_AND_IP):
        _post_login(client, "lan", "typo", OWN_PC)
    r = _post_login(client, "lan", PASSWORD, OWN_PC)
    assert r.status_code == 400 and WAIT_RE.search(r.get_data(as_text=True))


def test_one_success_row_per_account_and_address(client, db, make_officer):
    make_officer(username="lan")
    for _ in range(3):
        assert _post_login(client, "lan", PASSWORD, OWN_PC).status_code == 302
        _sign_out(client)
    rows = db.session.scalars(sa.select(LoginAttempt)).all()
    assert [(r.username, r.ip, r.succeeded) for r in rows] == [("lan", OWN_PC, True)]
