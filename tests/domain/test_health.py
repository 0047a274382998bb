"""A dependency down (issue 12, item 13): the static 503 page with the security headers, and
``/healthz`` for nginx and monitoring.

The apps here point at a database that is not there — a PostgreSQL URL on a port where nothing
listens, and an SQLite file in a directory that does not exist — with exceptions handled as in
production (``PROPAGATE_EXCEPTIONS=False``): what a visitor gets is what gunicorn would send.
"""

from __future__ import annotations

import os

import pytest

from app import create_app
from app.extensions import limiter
from app.health import UNAVAILABLE_PAGE
from app.web import security_header_items
from tests.support.helpers import closed_port

# Only PING is sent: no key is read or written.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _app(base, **config):
    return create_app({
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": base.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_STORAGE_URI": "memory://",
        "PROPAGATE_EXCEPTIONS": False,
        **config,
    })


@pytest.fixture
def other_app(app, db):
    """``make(**config)``: another app (another database or limiter storage); the shared
    limiter is bound back to the session app afterwards."""
    yield lambda **config: _app(app, **config)
    limiter.init_app(app)
    limiter.reset()


def _headers_of(app) -> list[tuple[str, str]]:
    with app.app_context():
        return security_header_items()


def assert_unavailable_page(app, response, what: str) -> None:
    assert response.status_code == 503, (what, response.status_code)
    assert response.mimetype == "text/html", what
    assert response.get_data() == UNAVAILABLE_PAGE.read_bytes(), what
    assert response.headers["Retry-After"].isdigit(), what
    assert response.headers["Cache-Control"] == "no-store", what
    for name, value in _headers_of(app):
        assert response.headers.get(name) == value, (what, name)


@pytest.fixture(params=["postgresql", "sqlite"])
def dead_db(request, other_app, tmp_path):
    if request.param == "postgresql":
        url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/motcua"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-dir' / 'motcua.sqlite3'}"
    # Production mode: HSTS and Secure cookies, as behind nginx.
    return other_app(SQLALCHEMY_DATABASE_URI=url, SESSION_COOKIE_SECURE=True)


CITIZEN_AND_OFFICER = [
    "/",
    "/vb/procedures",
    "/vb/procedures/dang-ky-khai-sinh",
    "/vb/status?code=VB-241115-0007",
    "/vb/status?code=VB-241115-0007&digits=5678",
    "/vb/contacts",
    "/vb/feedback",
    "/vb/",
    "/officer/login",
    "/no-such-page",  # the 404 page needs the office for its footer, i.e. the database
]


def test_every_page_answers_the_static_503_page_with_our_headers(dead_db):
    client = dead_db.test_client()
    for path in CITIZEN_AND_OFFICER:
        assert_unavailable_page(dead_db, client.get(path), path)
    # A form posted without its token: the CSRF error page needs the database as well.
    assert_unavailable_page(dead_db, client.post("/vb/feedback", data={"rating": "5"}),
                            "POST /feedback")
    assert_unavailable_page(dead_db, client.get("/", headers={"HX-Request": "true"}), "htmx")


def test_the_api_answers_json_503(dead_db):
    response = dead_db.test_client().get("/api/v1/procedures")
    assert response.status_code == 503
    assert response.get_json() == {"error": "unavailable", "status": 503}
    for name, value in _headers_of(dead_db):
        assert response.headers.get(name) == value, name


def test_static_files_still_load(dead_db):
    """The 503 page's stylesheet comes from the app too when nginx does not serve /static/."""
    client = dead_db.test_client()
    assert client.get("/static/css/site.css").status_code == 200
    assert client.get("/static/errors/503.html").get_data() == UNAVAILABLE_PAGE.read_bytes()


def test_healthz_names_the_database_when_it_is_down(dead_db):
    response = dead_db.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["failed"] == ["database"]
    assert body["checks"]["database"].startswith("failed: ")
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no connection details
    assert response.headers["Cache-Control"] == "no-store"


def test_a_bad_query_is_still_a_500_not_a_503(other_app):
    """Only an unreachable database is "unavailable"; a broken query is a bug and stays a 500
    (logged, with the ordinary error page)."""
    app = other_app()

    @app.get("/_bad_sql")
    def bad_sql():
        import sqlalchemy as sa

        from app.extensions import db

        db.session.execute(sa.text("SELECT no_such_column FROM no_such_table"))

    response = app.test_client().get("/_bad_sql")
    assert response.status_code == 500
    assert response.get_data() != UNAVAILABLE_PAGE.read_bytes()


def test_healthz_ok(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}, "failed": []}
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    for name, value in _headers_of(app):
        assert response.headers.get(name) == value, name


def test_healthz_is_never_rate_limited(other_app, db):
    """Even with a default limit on every route, the probe is exempt (nginx and the monitor
    ask it from one address, often)."""
    app = other_app(RATELIMIT_DEFAULT="2/minute", RATELIMIT_ENABLED=True)

    @app.get("/_plain")
    def plain():
        return "ok"

    client = app.test_client()
    try:
        assert [client.get("/_plain").status_code for _ in range(3)] == [200, 200, 429]
        assert {client.get("/healthz").status_code for _ in range(10)} == {200}
    finally:
        # The shared limiter keeps default limits across init_app: drop them for later tests.
        limiter.limit_manager.set_default_limits([])


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one)")


def test_healthz_checks_redis_when_the_limits_live_there(other_app, db):
    _redis_or_skip()
    response = other_app(RATELIMIT_STORAGE_URI=REDIS_URL).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_healthz_names_redis_when_it_is_down(other_app, db):
    app = other_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["redis"] and body["checks"]["database"] == "ok"
