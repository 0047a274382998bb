"""Behind nginx: ``PROXY_HOPS`` decides which address is the visitor's (issue 12, item 1).

Every request reaches gunicorn from the proxy, so without ProxyFix every visitor had the proxy's
address: one sign-in throttle, one status-lookup bucket and one audit IP for the whole commune.
Here requests arrive as nginx sends them — from ``127.0.0.1`` with ``X-Forwarded-For`` — and
each per-address rule must see the visitor; with ``PROXY_HOPS=0`` (the default) the header is
ignored, so a client talking to gunicorn directly cannot pick its own address.
"""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa
from flask import request

from app import create_app
from app.audit import record
from app.config import ConfigError
from app.extensions import db as _db
from app.extensions import limiter
from app.models import AuditLog, LoginAttempt
from app.signin import MAX_PER_IP
from tests.conftest import PASSWORD
from tests.support.helpers import csrf_token

NGINX = "127.0.0.1"  # the TCP peer gunicorn sees behind deploy/nginx
VISITOR_A = "203.0.113.7"
VISITOR_B = "198.51.100.9"


def _app(base, hops: int):
    proxied = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": base.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PROXY_HOPS": hops,
        }
    )

    # What the request looks like to the code behind the middleware, including what the
    # audit log stores: every per-address rule reads one of these.
    @proxied.get("/_seen")
    def seen():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host,
                "root": request.script_root}

    @proxied.get("/_audit")
    def audit():
        entry = record("proxy.test", None, None, after={"x": 1})
        _db.session.commit()
        return {"ip": entry.ip}

    return proxied


@pytest.fixture
def behind_nginx(app, db):
    """A client of an app built with ``PROXY_HOPS=1``, on the session's database. Creating it
    re-binds the shared limiter; it goes back to the session app's storage afterwards."""
    proxied = _app(app, hops=1)
    limiter.reset()
    yield proxied.test_client()
    limiter.init_app(app)
    limiter.reset()


def _via_nginx(ip: str, forwarded_for: str | None = None) -> dict:
    """What nginx sends for a visitor at ``ip``: ``$proxy_add_x_forwarded_for`` appends the TCP
    peer to anything the client wrote itself."""
    chain = f"{forwarded_for}, {ip}" if forwarded_for else ip
    return {
        "environ_base": {"REMOTE_ADDR": NGINX},
        # The Referer a browser sends (Referrer-Policy: same-origin): over HTTPS, Flask-WTF
        # checks it on every POST.
        "headers": {"X-Forwarded-For": chain, "X-Forwarded-Proto": "https",
                    "Referer": "https://localhost/officer/login"},
    }


def _sign_in(client, username: str, password: str, **how):
    token = csrf_token(client, "/officer/login")
    return client.post("/officer/login", data={"username": username, "password": password,
                                               "csrf_token": token}, **how)


def test_a_sign_in_flood_from_one_visitor_does_not_lock_out_another(behind_nginx, db,
                                                                     make_officer):
    """The issue's attack: 20 failed sign-ins with random usernames locked every officer out for
    15 minutes, because all of them came "from" nginx. Now only the attacker is locked."""
    make_officer(username="lan")
    for _ in range(MAX_PER_IP):
        r = _sign_in(behind_nginx, secrets.token_hex(6), "guess", **_via_nginx(VISITOR_A))
        assert r.status_code == 400
    assert "Thử lại sau" in _sign_in(behind_nginx, "lan", PASSWORD,
                                     **_via_nginx(VISITOR_A)).get_data(as_text=True)
    assert _sign_in(behind_nginx, "lan", PASSWORD, **_via_nginx(VISITOR_B)).status_code == 302
    ips = set(db.session.scalars(sa.select(LoginAttempt.ip).where(~LoginAttempt.succeeded)))
    assert ips == {VISITOR_A}


def test_without_proxy_hops_forwarded_for_is_ignored(client, db, make_officer):
    """``PROXY_HOPS=0``: a client writing X-Forwarded-For itself changes nothing — every guess
    counts against its real address, whatever it claims."""
    make_officer(username="lan")
    for i in range(MAX_PER_IP):
        r = _sign_in(client, secrets.token_hex(6), "guess",
                     environ_base={"REMOTE_ADDR": "10.7.7.7"},
                     headers={"X-Forwarded-For": f"192.0.2.{i + 1}"})
        assert r.status_code == 400
    assert set(db.session.scalars(sa.select(LoginAttempt.ip))) == {"10.7.7.7"}
    locked = _sign_in(client, "lan", PASSWORD, environ_base={"REMOTE_ADDR": "10.7.7.7"},
                      headers={"X-Forwarded-For": "192.0.2.200"})
    assert locked.status_code == 400 and "Thử lại sau" in locked.get_data(as_text=True)


def test_one_hop_trusts_only_the_address_nginx_appended(app, db):
    """With one proxy, only the right-most X-Forwarded-For entry (nginx's) counts: what the
    client wrote before it is skipped. Host and prefix never come from headers."""
    client = _app(app, hops=1).test_client()
    try:
        seen = client.get("/_seen", **_via_nginx(VISITOR_A, forwarded_for="10.6.6.6"),
                          ).get_json()
        assert seen == {"addr": VISITOR_A, "scheme": "https", "host": "localhost", "root": ""}
        spoof = client.get("/_seen", environ_base={"REMOTE_ADDR": NGINX}, headers={
            "X-Forwarded-For": VISITOR_A, "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Prefix": "//evil.example", "X-Forwarded-Port": "8443",
        }).get_json()
        assert spoof == {"addr": VISITOR_A, "scheme": "http", "host": "localhost", "root": ""}
    finally:
        limiter.init_app(app)


def test_zero_hops_trusts_nothing(app, db):
    client = _app(app, hops=0).test_client()
    try:
        seen = client.get("/_seen", **_via_nginx(VISITOR_A)).get_json()
        assert seen == {"addr": NGINX, "scheme": "http", "host": "localhost", "root": ""}
    finally:
        limiter.init_app(app)


def test_status_lookups_are_limited_per_visitor(behind_nginx, make_office):
    """Flask-Limiter's per-address limit (60 lookups a minute) counts each visitor, not the
    proxy: one busy visitor is refused, the next one is not."""
    make_office()
    for _ in range(60):
        assert behind_nginx.get("/vb/status", **_via_nginx(VISITOR_A)).status_code == 200
    assert behind_nginx.get("/vb/status", **_via_nginx(VISITOR_A)).status_code == 429
    assert behind_nginx.get("/vb/status", **_via_nginx(VISITOR_B)).status_code == 200


def test_the_audit_log_keeps_the_visitors_address(behind_nginx, db):
    assert behind_nginx.get("/_audit", **_via_nginx(VISITOR_A)).get_json() == {"ip": VISITOR_A}
    assert db.session.scalars(sa.select(AuditLog.ip)).all() == [VISITOR_A]


def test_negative_hops_refuse_to_start(app):
    with pytest.raises(ConfigError):
        create_app({"APP_ENV": "testing", "PROXY_HOPS": -1,
                    "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    limiter.init_app(app)
