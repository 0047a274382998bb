"""Issue 12 through the real stack: Debian's nginx → gunicorn (2 workers) → PostgreSQL, Redis
rate limits, ``APP_ENV=production``, ``PROXY_HOPS=1`` — every request over TLS through nginx,
from distinct source addresses (tests/deploy/harness.py).

Checked here: per-visitor limits (item 1), the 503 page and /healthz with the database gone
and with gunicorn gone (item 13), SIGTERM under load (item 17), Twilio signatures behind the
proxy, and what nginx itself adds (headers, static files, body size, HTTPS redirect).
"""

from __future__ import annotations

import re
import secrets
import signal
import threading
import time

import pytest
import requests
from twilio.request_validator import RequestValidator

from app.config import from_env
from app.health import UNAVAILABLE_PAGE
from app.signin import MAX_PER_IP
from app.web import HSTS, SECURITY_HEADERS
from tests.deploy.harness import ROOT, Stack
from tests.support.helpers import closed_port
from tests.support.sms_support import inbound_params, new_sid

pytestmark = pytest.mark.stack

# What every answer carries, whoever makes it (app or nginx): production sends HSTS too.
EXPECTED_HEADERS = dict([*SECURITY_HEADERS, HSTS])
MAX_BODY = from_env(ROOT / "instance", "development")["MAX_CONTENT_LENGTH"]


def assert_security_headers(response: requests.Response, what: str) -> None:
    for name, value in EXPECTED_HEADERS.items():
        # Exactly once: two copies would arrive joined ("DENY, DENY").
        assert response.headers.get(name) == value, (what, name, response.headers.get(name))


def assert_unavailable_page(response: requests.Response, what: str) -> None:
    assert response.status_code == 503, (what, response.status_code)
    assert response.content == UNAVAILABLE_PAGE.read_bytes(), what
    assert response.headers["Content-Type"].startswith("text/html"), what
    assert response.headers["Retry-After"] == "30", what
    assert response.headers["Cache-Control"] == "no-store", what
    assert_security_headers(response, what)


# ----------------------------------------------------------------------------- nginx itself


def test_pages_static_files_and_limits_through_nginx(stack: Stack):
    home = stack.get("/")
    assert home.status_code == 200
    assert_security_headers(home, "home")
    assert home.headers["Server"] == "nginx"  # server_tokens off: no version
    # Citizen pages carry their CSS inline (one request on 2G); the officer pages link the file.
    assert '<link rel="stylesheet"' not in home.text
    login = stack.get("/officer/login").text
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', login).group(1)

    # Fingerprinted: nginx serves it from app/static for a year, compressed, with the headers.
    static = stack.get(css, headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200
    assert static.headers["Cache-Control"] == "max-age=31536000"
    assert static.headers["Content-Encoding"] == "gzip"
    assert_security_headers(static, "static")
    assert "Expires" in static.headers  # nginx's `expires`; the app sends Cache-Control only
    # Without the hash, an hour (what the app itself says for such a URL).
    assert stack.get("/static/css/site.css").headers["Cache-Control"] == "max-age=3600"

    # Bodies over MAX_CONTENT_LENGTH never reach a worker.
    too_big = requests.post(stack.url + "/officer/login", data=b"x" * (MAX_BODY + 1),
                            verify=str(stack.cert), timeout=30)
    assert too_big.status_code == 413
    assert_security_headers(too_big, "413 from nginx")

    plain = requests.get(f"http://127.0.0.1:{stack.http_port}/vb/?x=1", allow_redirects=False,
                         timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://127.0.0.1/vb/?x=1"


# ----------------------------------------------------------------------------- item 1


def _sign_in(session: requests.Session, stack: Stack, username: str, password: str,
             headers: dict | None = None) -> requests.Response:
    page = session.get(stack.url + "/officer/login", timeout=30)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    return session.post(
        stack.url + "/officer/login",
        data={"username": username, "password": password, "csrf_token": token},
        # Browsers send it (Referrer-Policy: same-origin); Flask-WTF checks it over HTTPS.
        headers={"Referer": stack.url + "/officer/login", **(headers or {})},
        allow_redirects=False, timeout=30,
    )


def test_a_sign_in_flood_locks_out_only_its_sender(stack: Stack):
    """Issue 12, item 1, as the attacker did it: 20 failed sign-ins with random usernames from
    one address. That address is locked; an officer at another one signs in."""
    with stack.client("127.0.0.2") as attacker:
        for _ in range(MAX_PER_IP):
            r = _sign_in(attacker, stack, "x" + secrets.token_hex(5), "guess")
            assert r.status_code == 400
        locked = _sign_in(attacker, stack, "admin", stack.demo_password)
        assert locked.status_code == 400 and "Thử lại sau" in locked.text
    with stack.client("127.0.0.3") as officer:
        r = _sign_in(officer, stack, "admin", stack.demo_password)
        assert r.status_code == 302 and r.headers["Location"].endswith("/officer/")
        assert officer.get(stack.url + "/officer/", timeout=30).status_code == 200
    # Every failure is the attacker's; the officer's address is remembered only as a success
    # (issue 12, item 10: an address the account signed in from keeps working).
    failed = {row.ip for row in stack.sql("SELECT DISTINCT ip FROM login_attempt WHERE NOT succeeded")}
    assert failed == {"127.0.0.2"}
    ok = {row.ip for row in stack.sql("SELECT DISTINCT ip FROM login_attempt WHERE succeeded")}
    assert ok == {"127.0.0.3"}


def test_a_visitor_cannot_write_its_own_address(stack: Stack):
    """X-Forwarded-For written by the client is kept by nginx but skipped by the app: the
    address counted is the TCP peer nginx appended."""
    with stack.client("127.0.0.4") as liar:
        r = _sign_in(liar, stack, "nobody", "guess", headers={"X-Forwarded-For": "127.0.0.5"})
        assert r.status_code == 400
    ips = {row.ip for row in stack.sql("SELECT DISTINCT ip FROM login_attempt")}
    assert ips == {"127.0.0.4"}


def test_status_lookups_are_limited_per_visitor_in_redis(stack: Stack):
    # As printed on the slip (check letters); lookups by code alone: 30 an hour per visitor.
    row = stack.sql("SELECT code, code_check FROM dossier ORDER BY id LIMIT 1")[0]
    code = f"{row.code}-{row.code_check}" if row.code_check else row.code
    with stack.client("127.0.0.6") as busy:
        for _ in range(30):
            assert busy.get(f"{stack.url}/status?code={code}", timeout=30).status_code == 200
        refused = busy.get(f"{stack.url}/status?code={code}", timeout=30)
        assert refused.status_code == 429
        assert_security_headers(refused, "429")
    assert stack.get(f"/vb/status?code={code}", source="127.0.0.7").status_code == 200
    keys = stack.redis().keys("*")
    assert any(b"127.0.0.6" in k for k in keys), keys  # counted in Redis, per visitor
    assert not any(b"127.0.0.1" in k for k in keys), keys  # never per proxy


# ----------------------------------------------------------------------------- webhooks


def test_twilio_signatures_hold_behind_the_proxy(stack: Stack):
    """Twilio signs the public URL (PUBLIC_BASE_URL); gunicorn sees another one (a unix
    socket, http). Signed with Twilio's own RequestValidator."""
    validator = RequestValidator(stack.env["TWILIO_AUTH_TOKEN"])
    url = stack.public_base_url + "/sms/twilio"
    params = inbound_params("DS", sid=new_sid() + secrets.token_hex(2))
    with stack.client("127.0.0.8") as twilio:
        good = twilio.post(url, data=params, timeout=30,
                           headers={"X-Twilio-Signature": validator.compute_signature(url, params)})
        assert good.status_code == 200 and "<Response>" in good.text
        assert_security_headers(good, "TwiML")
        internal = validator.compute_signature("http://127.0.0.1/sms/twilio", params)
        other = dict(params, MessageSid=new_sid() + "ff", SmsSid=new_sid() + "ff")
        assert twilio.post(url, data=other, timeout=30,
                           headers={"X-Twilio-Signature": internal}).status_code == 403
        assert twilio.post(url, data=other, timeout=30).status_code == 403
    stored = stack.sql("SELECT provider_id FROM message WHERE provider_id IN (:a, :b)",
                       a=params["MessageSid"], b=other["MessageSid"])
    assert [row.provider_id for row in stored] == [params["MessageSid"]]


# ----------------------------------------------------------------------------- item 13


def _wait_answering(stack: Stack) -> requests.Response:
    """Wait until the app (not nginx) answers /healthz, whatever it says."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r = stack.get("/healthz")
        if r.headers.get("Content-Type", "").startswith("application/json"):
            return r
        time.sleep(0.1)
    raise AssertionError("gunicorn did not come up")


def test_database_down_answers_the_503_page(stack: Stack):
    """gunicorn running, PostgreSQL unreachable (a DATABASE_URL on a port where nothing
    listens): the app's 503 page and a 503 /healthz naming the database, through nginx."""
    stack.web.stop()
    stack.start_web(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed_port()}/motcua")
    try:
        health = _wait_answering(stack)
        assert health.status_code == 503
        assert health.json()["failed"] == ["database"]
        assert health.headers["Cache-Control"] == "no-store"
        for path in ("/", "/vb/procedures", "/vb/status?code=VB-241115-0007", "/officer/login",
                     "/no-such-page"):
            assert_unavailable_page(stack.get(path, source="127.0.0.9"), path)
        api = stack.get("/api/v1/procedures")
        assert api.status_code == 503 and api.json() == {"error": "unavailable", "status": 503}
    finally:
        stack.restart_web()
    assert stack.get("/healthz").json() == {
        "status": "ok", "checks": {"database": "ok", "redis": "ok"}, "failed": []}


def test_gunicorn_gone_answers_the_same_503_page_from_nginx(stack: Stack):
    """gunicorn and its socket stopped: nginx answers with the same file and the same
    headers as the app does."""
    stack.web.stop()
    stack.close_socket()
    try:
        for path in ("/", "/officer/login", "/healthz"):
            assert_unavailable_page(stack.get(path), f"nginx {path}")
        assert_unavailable_page(requests.post(stack.url + "/vb/feedback", data={"rating": "5"},
                                              verify=str(stack.cert), timeout=30), "nginx POST")
    finally:
        stack.open_socket()
        stack.start_web()
        stack.wait_healthy()


# ----------------------------------------------------------------------------- item 17


def _visitor(stack: Stack, source: str, paths: list[str], stop: threading.Event,
             results: list) -> None:
    with stack.client(source) as session:
        i = 0
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            started = time.monotonic()
            try:
                r = session.get(stack.url + path, timeout=90, allow_redirects=False)
                # A body cut short raises (urllib3 checks Content-Length); a page must also
                # be the whole page.
                complete = r.text.rstrip().endswith("</html>")
                outcome = r.status_code if complete else "incomplete"
            except requests.RequestException as error:
                outcome = type(error).__name__
            results.append((started, time.monotonic(), path, outcome))


def test_sigterm_under_load_loses_no_request(stack: Stack):
    """``systemctl restart motcua-web`` in the middle of traffic: SIGTERM to gunicorn's master
    while 24 visitors keep requesting pages. Requests being served finish (graceful_timeout);
    requests that arrive meanwhile wait in systemd's socket for the new workers. Nothing is
    reset, cut short or answered with the 503 page."""
    slugs = [row.slug for row in stack.sql("SELECT slug FROM procedure ORDER BY id")]
    code = stack.sql("SELECT code FROM dossier ORDER BY id DESC LIMIT 1")[0].code
    paths = ["/", "/vb/procedures", "/vb/contacts", "/vb/procedures?q=khai+sinh", "/vb/feedback",
             f"/vb/status?code={code}", *[f"/vb/procedures/{slug}" for slug in slugs]]
    errors_before = len(stack.nginx_errors())
    stop, results = threading.Event(), []
    # 24 visitors, each from its own address, each starting at another page.
    turns = [paths[k:] + paths[:k] for k in (n % len(paths) for n in range(24))]
    visitors = [threading.Thread(target=_visitor,
                                 args=(stack, f"127.0.1.{n + 1}", turns[n], stop, results))
                for n in range(24)]
    for thread in visitors:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(results) < 100 and time.monotonic() < deadline:
            time.sleep(0.1)  # traffic under way: every visitor connected, pages flowing
        old = stack.web
        signalled = time.monotonic()
        stop_took = old.stop(signal.SIGTERM)
        stack.start_web()
        stack.wait_healthy()  # the new workers are up (meanwhile the queue waited)...
        time.sleep(2)  # ...and serve a while
    finally:
        stop.set()
        for thread in visitors:
            thread.join(timeout=120)

    in_flight = [r for r in results if r[0] < signalled < r[1]]
    failed = [r for r in results if r[3] != 200]
    summary = (f"{len(results)} requests, {len(in_flight)} in flight at SIGTERM, "
               f"{len(failed)} failed, old master exited in {stop_took:.2f}s, "
               f"longest wait {max(r[1] - r[0] for r in results):.2f}s")
    print("\nSIGTERM under load:", summary)
    assert old.process.returncode == 0, "gunicorn did not exit cleanly"
    assert len(in_flight) >= 10, summary  # the signal really landed in the middle of traffic
    assert failed == [], (summary, failed[:5])
    # nginx logs a reset or refused upstream connection as [error]; none may appear.
    new_errors = stack.nginx_errors()[errors_before:]
    assert not re.search(r"\[(error|crit|alert|emerg)\]", new_errors), new_errors[-2000:]
