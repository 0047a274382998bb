"""Real-browser fixtures: the app on a real HTTP server thread, Debian's Chromium driven by
Playwright, and pages with JavaScript off and on.

Decisions, written here so nobody has to guess them:

- The browser tests always use their **own SQLite database** loaded with the demo commune
  (``app.demo.loader.load_demo``), whatever ``DATABASE_URL`` says. What they prove — journeys,
  bytes on the wire, accessibility — does not depend on the database engine, and the unit
  suite already runs on SQLite and PostgreSQL. So in CI's PostgreSQL pass they are skipped
  (they ran, identically, in the SQLite pass a minute earlier); ``BROWSER_TESTS=always``
  runs them anyway.
- Chromium is Debian's ``/usr/bin/chromium``; nothing is ever downloaded (never
  ``playwright install``). Without it the tests are skipped with that reason.
- The server has its own limiter storage (``memory://``) and the limits are reset before each
  browser test, so one test's lookups cannot rate-limit the next.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEMO_PASSWORD = "motcua-demo-browser"


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium; CI installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements.txt)"
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite") and os.environ.get("BROWSER_TESTS") != "always":
        return (
            "browser tests use their own SQLite database and already ran in the SQLite pass "
            "(BROWSER_TESTS=always to run them here too)"
        )
    return None


def pytest_collection_modifyitems(config, items) -> None:
    reason = _skip_reason()
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# ----------------------------------------------------------------------------- live server


@dataclass
class Live:
    """The running demo site. ``url`` has no trailing slash."""

    url: str
    app: object
    password: str = DEMO_PASSWORD
    hits: list | None = None  # every request path the server saw, in order (budget checks)

    def query(self, fn):
        """Run ``fn()`` inside the server app's context (to read or prepare demo data)."""
        with self.app.app_context():
            return fn()

    def dossier(self, status: str = "processing") -> tuple[str, str, str]:
        """(code as printed, with its check letters; last four phone digits; applicant name) of a demo dossier in ``status``."""
        import sqlalchemy as sa

        from app.extensions import db
        from app.models import Dossier

        def find():
            d = db.session.scalars(
                sa.select(Dossier)
                .where(Dossier.status == status, Dossier.phone != "")
                .order_by(Dossier.id)
            ).first()
            assert d is not None, f"demo data has no {status} dossier with a phone"
            return d.public_code, d.phone_last4, d.applicant_name

        return self.query(find)

    def slug(self) -> str:
        """A guide that takes dossiers (birth registration in the demo)."""
        import sqlalchemy as sa

        from app.extensions import db
        from app.models import Procedure

        return self.query(
            lambda: db.session.scalars(
                sa.select(Procedure.slug)
                .where(Procedure.processing_days.is_not(None))
                .order_by(Procedure.position, Procedure.id)
            ).first()
        )


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Iterator[Live]:
    from werkzeug.serving import make_server

    from app import create_app
    from app.demo.loader import load_demo
    from app.extensions import db

    path = tmp_path_factory.mktemp("browser") / "demo.sqlite3"
    app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SMS_CHANNEL": "console",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "PUBLIC_BASE_URL": "",
        }
    )
    with app.app_context():
        db.create_all()
        load_demo(password=DEMO_PASSWORD)
        db.session.remove()
    hits: list[str] = []
    wsgi_app = app.wsgi_app

    def counting(environ, start_response):
        hits.append(environ.get("PATH_INFO", ""))
        return wsgi_app(environ, start_response)

    app.wsgi_app = counting
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Live(url=f"http://127.0.0.1:{server.server_port}", app=app, hits=hits)
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _fresh_limits(request):
    """Each browser test starts with empty rate-limit counters (the server's own storage)."""
    if "live" in request.fixturenames:
        from app.extensions import limiter

        request.getfixturevalue("live")
        limiter.reset()
    yield


# ----------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(params=[False, True], ids=["js-off", "js-on"])
def js(request) -> bool:
    return request.param


@pytest.fixture
def new_context(browser, live):
    """Factory for fresh browser contexts (own cache and cookies) on the live site."""
    contexts = []

    def make(**kw):
        kw.setdefault("base_url", live.url)
        kw.setdefault("viewport", {"width": 360, "height": 640})
        kw.setdefault("locale", "vi-VN")
        context = browser.new_context(**kw)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, js):
    """A page in a fresh context with JavaScript ``js`` (parametrised: off, then on)."""
    context = new_context(java_script_enabled=js)
    return context.new_page()


def sign_in(page, live: Live, username: str = "admin") -> None:
    """Sign in through the real form; lands on the officer home page."""
    page.goto("/officer/login")
    page.fill("#username", username)
    page.fill("#password", live.password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/officer/login" not in page.url, "sign-in failed"


@pytest.fixture(scope="session")
def admin_state(browser, live, tmp_path_factory) -> str:
    """Cookies of a signed-in admin, saved once and reused (fewer logins, faster tests)."""
    context = browser.new_context(base_url=live.url)
    page = context.new_page()
    sign_in(page, live, "admin")
    path = tmp_path_factory.mktemp("state") / "admin.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


def citizen_pages(live: Live) -> list[tuple[str, str]]:
    """(name, path) of every public HTML page, as a first-time visitor would open them.

    Built from ``app.url_map`` (every GET endpoint of the ``citizen`` blueprint, URL arguments
    filled from the demo data), so a page added later is measured and checked without editing
    the tests; downloads (``.vcf``) are left out. Then the variants that matter: a search, a
    status lookup with a code and with the phone digits, the English home page, and the
    officer sign-in page (public, linked from every footer)."""
    from flask import url_for

    code, last4, _name = live.dossier("processing")
    args = {"slug": live.slug(), "code": code, "office": "vb"}
    pages: list[tuple[str, str]] = []
    unfilled = []
    with live.app.test_request_context():
        for rule in sorted(live.app.url_map.iter_rules(), key=lambda r: r.rule):
            if not rule.endpoint.startswith("citizen.") or "GET" not in rule.methods:
                continue
            if "." in rule.rule.rsplit("/", 1)[-1]:
                continue  # a download, not a page
            missing = [a for a in rule.arguments if a not in args]
            if missing:
                unfilled.append((rule.endpoint, missing))
                continue
            name = rule.endpoint.split(".", 1)[1].replace("_", "-")
            pages.append((name, url_for(rule.endpoint, **{a: args[a] for a in rule.arguments})))
    assert not unfilled, f"citizen pages with URL arguments the tests cannot fill: {unfilled}"
    pages += [
        ("search", "/vb/procedures?q=khai+sinh"),
        ("status-code", f"/vb/status?code={code}"),
        ("status-digits", f"/vb/status?code={code}&digits={last4}"),
        ("home-en", "/vb/?lang=en"),
        ("province", "/"),  # the province's list of communes (issue 13)
        ("province-index", "/index"),
        ("officer-login", "/officer/login"),
    ]
    return pages
