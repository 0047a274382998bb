"""What an attacker meets: security headers on every kind of response, CSRF on every form,
signed webhooks, officer pages closed to strangers, and a status lookup that cannot be used to
enumerate dossiers or guess phone numbers (rate limits per IP and per code, in memory and in
Redis; one answer for "no such code" and "wrong digits").

Routes are enumerated from ``app.url_map``: an endpoint added tomorrow is covered without
editing this file. docs/SECURITY.md maps each promise to the test here that proves it.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import csrf, limiter
from app.web import LAZY_HTMX, SITE_CSS
from tests.support.workers import redis_or_skip

# ----------------------------------------------------------------------------- helpers


def _dummy_args(rule) -> dict[str, object]:
    """Plausible values for a rule's URL arguments: the decorators under test (login, CSRF,
    signature) run before any lookup, so the values need not exist."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        kind = type(converter).__name__ if converter else ""
        if kind == "IntegerConverter":
            values[name] = 1
        elif name == "code":
            values[name] = "VB-241115-0007"
        elif name == "lang":
            values[name] = "vi"
        elif name == "office":  # a commune's address (/vb/...): it must exist
            values[name] = "vb"
        elif name == "phone":
            values[name] = "+84912345678"
        elif name == "filename":
            values[name] = "css/site.css"
        else:
            values[name] = "x"
    return values


def _url(app, rule) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for(rule.endpoint, **_dummy_args(rule))


def _is_csrf_exempt(app, endpoint: str) -> bool:
    view = app.view_functions[endpoint]
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else None
    return (
        f"{view.__module__}.{view.__name__}" in csrf._exempt_views
        or blueprint in csrf._exempt_blueprints
    )


def _post_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods), key=lambda r: r.endpoint
    )


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# ----------------------------------------------------------------------------- headers


def _assert_security_headers(response, label: str) -> None:
    csp = _csp(response)
    assert csp, f"{label}: no Content-Security-Policy"
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, label
    assert csp["default-src"] == ["'self'"], label
    assert csp["frame-ancestors"] == ["'none'"], label
    assert csp["object-src"] == ["'none'"], label
    assert csp["script-src"] == ["'self'", _sha256(LAZY_HTMX)], label
    assert csp["style-src"] == ["'self'", _sha256(SITE_CSS)], label
    assert response.headers.get("X-Content-Type-Options") == "nosniff", label
    assert response.headers.get("X-Frame-Options") == "DENY", label
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), label


@pytest.fixture
def site(db, make_office, make_procedure, make_dossier):
    office = make_office()
    proc = make_procedure(slug="dang-ky-khai-sinh", office=office)
    dossier = make_dossier(procedure=proc, office=office, phone="+84912345678")
    return {"slug": proc.slug, "code": dossier.code, "public_code": dossier.public_code}


def test_headers_on_every_kind_of_response(client, site):
    responses = {
        "html": client.get("/"),
        "html-fragment": client.get("/vb/procedures?q=a", headers={"HX-Request": "true"}),
        "static css": client.get("/static/css/site.css"),
        "static js": client.get("/static/js/htmx.min.js"),
        "vcard-or-404": client.get("/vb/contacts/999999.vcf"),
        "404": client.get("/no-such-page"),
        "404 guide": client.get("/vb/procedures/no-such-guide"),
        "400 form": client.get("/vb/status?code=%%%"),
        "400 csrf": client.post("/vb/feedback", data={"comment": "x"}),
        "405": client.put("/"),
        "302 officer": client.get("/officer/"),
        "304": client.get("/", headers={"If-None-Match": client.get("/").headers["ETag"]}),
    }
    api = [r.rule for r in client.application.url_map.iter_rules() if r.rule.startswith("/api/")]
    responses["json 404"] = client.get("/api/v1/no-such-thing")
    if "/api/v1/procedures" in api:
        responses["json"] = client.get("/api/v1/procedures")
    expected_status = {"html": 200, "static css": 200, "404": 404, "400 csrf": 400, "405": 405,
                       "304": 304, "302 officer": 302, "json 404": 404}
    for label, response in responses.items():
        if label in expected_status:
            assert response.status_code == expected_status[label], (label, response.status_code)
        _assert_security_headers(response, label)
    assert responses["json 404"].is_json
    if "json" in responses:
        assert responses["json"].status_code == 200 and responses["json"].is_json


def test_headers_on_a_server_error(tmp_path):
    """A 500 answers with the error page and the same headers (no stack trace, no leak)."""
    app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "PROPAGATE_EXCEPTIONS": False,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    from app.extensions import db

    with app.app_context():
        db.create_all()
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"secret internals" not in response.data
    _assert_security_headers(response, "500")


def test_the_only_inline_script_is_the_hashed_lazy_loader(client, site):
    """Every inline <script> on every page matches a hash in the CSP — and there is only one:
    ``app.web.LAZY_HTMX``. An inline script added without its hash would be blocked by the
    browser; this test says so before a citizen finds out. The same for styles: the only inline
    style is the stylesheet in one <style> element (``app.web.SITE_CSS``), allowed by its
    hash; never a ``style=`` attribute (a hash cannot allow one without 'unsafe-hashes')."""
    inline, styles = set(), []
    for path in ("/", "/vb/procedures", f"/vb/procedures/{site['slug']}", "/vb/status", "/vb/contacts",
                 "/vb/feedback", "/officer/login", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"inline event handler on {path}"
        assert not re.search(r"<[^>]+\sstyle\s*=", html), f"inline style attribute on {path}"
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            if "src=" not in attrs:
                inline.add(body)
        found = re.findall(r"<style([^>]*)>(.*?)</style>", html, re.S)
        assert len(found) <= 1, f"more than one <style> on {path}"
        styles += [(path, attrs, body) for attrs, body in found]
    assert inline == {LAZY_HTMX}
    assert styles and all(attrs == "" and body == SITE_CSS for _p, attrs, body in styles), [
        (p, a, b[:40]) for p, a, b in styles if a or b != SITE_CSS]
    assert "/officer/login" not in {p for p, _a, _b in styles}  # officers get the cached file
    csp = _csp(client.get("/vb/procedures"))
    assert _sha256(LAZY_HTMX) in csp["script-src"]
    assert csp["style-src"] == ["'self'", _sha256(SITE_CSS)]


def test_session_cookie_is_httponly_and_samesite(client, site):
    client.get("/vb/feedback")  # a form: the CSRF token lives in the session
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax"


# ----------------------------------------------------------------------------- officer pages


def test_every_officer_page_sends_strangers_to_sign_in(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("officer.") or "GET" not in rule.methods:
            continue
        if rule.endpoint == "officer.login":
            continue
        url = _url(app, rule)
        response = client.get(url)
        assert response.status_code == 302, (rule.endpoint, response.status_code)
        location = response.headers["Location"]
        assert location.split("?")[0].endswith("/officer/login"), (rule.endpoint, location)
        checked += 1
    assert checked >= 5


# ----------------------------------------------------------------------------- CSRF, webhooks


def test_every_post_without_csrf_token_is_refused(app, client, make_officer, login):
    """Signed in as an admin (the real CSRF scenario: a forged form rides on a live session),
    every POST endpoint without a token answers 400; the signed webhooks (CSRF-exempt) answer
    403 to an unsigned request instead."""
    admin = make_officer(username="root", role="admin")
    assert login(admin).status_code == 302
    webhooks, forms = [], []
    for rule in _post_rules(app):
        url = _url(app, rule)
        response = client.post(url, data={"x": "1"})
        if _is_csrf_exempt(app, rule.endpoint):
            webhooks.append(rule.endpoint)
            assert response.status_code == 403, (rule.endpoint, response.status_code)
        else:
            forms.append(rule.endpoint)
            assert response.status_code == 400, (rule.endpoint, response.status_code)
    assert "citizen.feedback" in forms and "officer.login" in forms
    # The only CSRF-exempt POSTs are provider webhooks under /sms/ (each must check a signature).
    assert all(e.startswith("sms.") for e in webhooks), webhooks
    assert "sms.twilio_inbound" in webhooks or not any(
        r.endpoint == "sms.twilio_inbound" for r in app.url_map.iter_rules()
    )


def test_twilio_webhook_needs_the_right_signature(app, client, site, monkeypatch):
    if "sms.twilio_inbound" not in app.view_functions:
        pytest.skip("the Twilio webhook does not exist yet")
    from app.sms.channels.twilio_channel import compute_signature

    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "right-token")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    url = "http://localhost/sms/twilio"
    form = {"MessageSid": "SM" + "1" * 32, "From": "+84912345678", "To": "+84909000100",
            "Body": "DS"}
    wrong = compute_signature("wrong-token", url, form)
    assert client.post("/sms/twilio", data=form).status_code == 403
    assert client.post("/sms/twilio", data=form,
                       headers={"X-Twilio-Signature": wrong}).status_code == 403
    right = compute_signature("right-token", url, form)
    response = client.post("/sms/twilio", data=form, headers={"X-Twilio-Signature": right})
    assert response.status_code == 200
    _assert_security_headers(response, "twiml")


# ----------------------------------------------------------------------------- status lookup


def _lookup(client, code: str, digits: str | None = None, ip: str = "10.0.0.1"):
    query = f"/vb/status?code={code}" + (f"&digits={digits}" if digits is not None else "")
    return client.get(query, environ_base={"REMOTE_ADDR": ip})


def test_no_such_code_and_wrong_digits_get_the_same_answer(client, site):
    real = site["code"]
    ghost = re.sub(r"\d{4}$", lambda m: f"{(int(m.group()) + 4321) % 10000:04d}", real)
    a = _lookup(client, real, "0000")
    b = _lookup(client, ghost, "0000")
    assert a.status_code == b.status_code == 200
    assert a.headers.get("Cache-Control") == b.headers.get("Cache-Control")
    same_a = a.get_data(as_text=True).replace(real, "CODE")
    same_b = b.get_data(as_text=True).replace(ghost, "CODE")
    assert same_a == same_b
    assert "Trần Thị Lan" not in same_a


@pytest.fixture(params=["memory", "redis"])
def limited_client(request, app, db):
    """A client whose rate limits live in ``memory://`` or in Redis (db 15, flushed after).

    Flask-Limiter keeps one storage per ``Limiter`` object, so the Redis app re-binds the shared
    limiter; it is re-bound to the session app's storage afterwards."""
    if request.param == "memory":
        limiter.reset()
        yield app.test_client(), None
        limiter.reset()
        return
    url = "redis://127.0.0.1:6379/15"
    r = redis_or_skip(url)
    r.flushdb()
    redis_app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": url,
        }
    )
    try:
        yield redis_app.test_client(), r
    finally:
        r.flushdb()
        limiter.init_app(app)  # back to the session app's own (memory) storage


def test_status_lookup_is_rate_limited_per_ip(limited_client, site):
    """Lookups by code alone: 30 an hour per address (issue 12, item 5); any lookup: 60 a
    minute per address."""
    client, redis = limited_client
    for _ in range(30):
        assert _lookup(client, site["public_code"], ip="10.1.1.1").status_code == 200
    blocked = _lookup(client, site["public_code"], ip="10.1.1.1")
    assert blocked.status_code == 429
    _assert_security_headers(blocked, "429")
    assert _lookup(client, site["public_code"], ip="10.1.1.2").status_code == 200  # others fine
    for _ in range(60):
        assert client.get("/vb/status", environ_base={"REMOTE_ADDR": "10.1.1.3"}).status_code == 200
    assert client.get("/vb/status", environ_base={"REMOTE_ADDR": "10.1.1.3"}).status_code == 429
    if redis is not None:
        assert redis.keys("*"), "the limits were not stored in Redis"


def test_phone_digit_guesses_are_rate_limited_per_code(limited_client, site):
    """Ten guesses of the phone digits per code per hour, whatever the IP: a botnet cannot
    try all 10,000 endings of one dossier."""
    client, redis = limited_client
    code = site["code"]
    for i in range(10):
        assert _lookup(client, code, f"{i:04d}", ip=f"10.2.0.{i + 1}").status_code == 200
    assert _lookup(client, code, "1234", ip="10.2.0.99").status_code == 429
    # Another way of writing the same code counts against the same bucket.
    assert _lookup(client, code.lower().replace("-", " "), "1234", ip="10.2.0.98").status_code == 429
    # The code alone (no personal data shown) is not limited by the per-code bucket.
    assert _lookup(client, code, ip="10.2.0.97").status_code == 200
    if redis is not None:
        assert any(b"digits" in k for k in redis.keys("*")), redis.keys("*")


def test_lookup_compares_digits_in_constant_time(site, db, monkeypatch):
    """The comparison goes through ``hmac.compare_digest`` and does the same work when the
    dossier does not exist (checked by substituting a recording compare)."""
    import app.lookup as svc
    from app.models import Dossier

    calls = []
    real = svc.hmac.compare_digest

    def recording(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(svc.hmac, "compare_digest", recording)
    dossier = db.session.scalars(sa.select(Dossier)).first()
    assert svc.digits_match(dossier, dossier.phone_last4) is True
    assert svc.digits_match(dossier, "0000") is (dossier.phone_last4 == "0000")
    assert svc.digits_match(None, "0000") is False
    assert calls == [(4, 4), (4, 4), (4, 4)]
