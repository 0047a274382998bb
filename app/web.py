"""Cross-cutting web plumbing: language choice, the office (and time zone) a page is about,
fingerprinted assets, security headers, conditional GETs, and the two inline blocks whose
hashes the CSP allows: the lazy htmx loader and the stylesheet."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BaseConverter

from app.clock import DEFAULT_TIMEZONE
from app.extensions import db
from app.models import Office

STATIC_DIR = Path(__file__).resolve().parent / "static"

# The only inline script on citizen pages. htmx (~16 KB gzipped) would blow the 14 KB
# first-visit budget on its own, so it is fetched only when someone starts typing in a box
# that asks for it (data-htmx). Its hash goes into the CSP, so no 'unsafe-inline' is needed.
LAZY_HTMX = (
    "(function(){var d=document,l=0;function f(e){var t=e.target;"
    "if(l||!t.closest||!t.closest('[data-htmx]'))return;l=1;"
    "var s=d.createElement('script');s.src=d.documentElement.getAttribute('data-htmx-src');"
    "s.onload=function(){htmx.trigger(t,'input')};d.head.appendChild(s)}"
    "d.addEventListener('input',f,true);d.addEventListener('focusin',function(e){"
    "var t=e.target;if(t.closest&&t.closest('[data-htmx]')&&!l){f(e)}},true)})();"
)


def _sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


LAZY_HTMX_HASH = _sha256_source(LAZY_HTMX)


def _inline_css(text: str) -> str:
    """The stylesheet as it goes into ``<style>``: comments and line breaks dropped (the file
    is already written compactly, so this is all the minifying it needs)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "".join(line.strip() for line in text.splitlines())


# Citizen pages carry the whole stylesheet inline (base.html), so a first visit on 2G is one
# request and paints after one round trip instead of two (HTML, then a render-blocking CSS
# file: ~1.8 s at 800 ms RTT). It is ~1.6 KB compressed, part of the page's bytes and so of its
# ETag: a repeat visit still gets a 304. Its hash goes into the CSP — no 'unsafe-inline'.
# Read once at import, so the hash in the CSP and the text in the page cannot differ: a CSS
# edit needs a restart (a deploy restarts; the debug reloader does not watch static/).
# Officer pages link the same file (cached a year) instead: officers come back daily.
SITE_CSS = _inline_css((STATIC_DIR / "css" / "site.css").read_text(encoding="utf-8"))
SITE_CSS_HASH = _sha256_source(SITE_CSS)


def choose_locale() -> str:
    """``?lang=`` (remembered in the session) > session > Vietnamese, the source language.

    Accept-Language is ignored on purpose: many phones in the commune are set to English by the
    shop that sold them, while their owners read Vietnamese.
    """
    langs = current_app.config["LANGUAGES"]
    # ``?lang=`` is read here too, not only in ``remember_language``: a request refused before
    # that hook runs (rate limit, CSRF) must still answer in the language that was asked for.
    lang = request.args.get("lang") or getattr(g, "lang", None)
    if lang in langs:
        return lang
    lang = session.get("lang")
    return lang if lang in langs else langs[0]


def remember_language() -> None:
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        g.lang = lang
        if session.get("lang") != lang:
            session["lang"] = lang


def current_lang() -> str:
    return str(get_locale() or "vi")


class OfficeConverter(BaseConverter):
    """``/<office:office>/``: a commune's code in lower case (``vb``)."""

    regex = "[a-z]{1,5}"


class Assets:
    """``asset_url('css/site.css')`` → ``/static/css/site.css?v=<hash>``; cached for a year."""

    def __init__(self) -> None:
        self._hashes: dict[str, str] = {}

    def url(self, filename: str) -> str:
        digest = self._hashes.get(filename)
        if digest is None or current_app.debug:
            digest = hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:10]
            self._hashes[filename] = digest
        return url_for("static", filename=filename, v=digest)


assets = Assets()


# No inline script except the hashed lazy loader; no inline style except the hashed stylesheet
# (no style= attributes: a hash does not cover them); nothing from other origins (2G budget
# and privacy); forms post only to us; no framing (clickjacking).
CSP = (
    "default-src 'self'; "
    f"script-src 'self' {LAZY_HTMX_HASH}; "
    f"style-src 'self' {SITE_CSS_HASH}; img-src 'self' data:; connect-src 'self'; "
    "font-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def security_header_items() -> list[tuple[str, str]]:
    """Every security header this app sends (HSTS once cookies are Secure, i.e. behind HTTPS)."""
    items = list(SECURITY_HEADERS)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        items.append(HSTS)
    return items


def security_headers(response: Response) -> Response:
    """Headers on every response (see SECURITY_HEADERS). A page from the page cache already
    carries them."""
    if getattr(response, "complete_headers", False):
        return response
    h = response.headers
    for name, value in security_header_items():
        h.setdefault(name, value)
    return response


def conditional_get(response: Response) -> Response:
    """Strong ETag on HTML and JSON GETs so a repeat visit on 2G costs a 304 when nothing
    changed. Runs before Flask-Compress, which suffixes the ETag per encoding."""
    if getattr(response, "complete_headers", False):
        return response  # the page cache set the ETag and answered If-None-Match itself
    if (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype in ("text/html", "application/json", "text/vcard", "text/csv")
        and not response.is_streamed
        and "no-store" not in (response.headers.get("Cache-Control") or "")
    ):
        response.headers.setdefault("Cache-Control", "no-cache")
        response.add_etag()
        response.make_conditional(request)
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per secret key instead of on
    every request (it is stateless; building it is a measurable share of a cached page)."""

    _signer: tuple | None = None

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()),
               app.config.get("SESSION_COOKIE_NAME"))
        signer = self._signer
        if signer is None or signer[0] != key:
            signer = self._signer = (key, super().get_signing_serializer(app))
        return signer[1]


class MotCuaFlask(Flask):
    session_interface = SessionInterface()

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        # Static URLs carry their content hash (Assets.url), so a year is safe.
        return 31536000 if request.args.get("v") else 3600


def public_url(endpoint: str, **values) -> str:
    """An absolute link to ``endpoint`` for anything that leaves the page: API links, the QR
    code on a slip, a guide's link in a text (issue 12, item 15).

    With ``PUBLIC_BASE_URL`` set it is that base + the route's path, never the request's
    ``Host`` or ``SCRIPT_NAME``, which a client (or a forwarder that trusts it) chooses — a link
    built from them could point a citizen, or a cached answer, at someone else's site.
    Without it (development), the request's own URL; outside a request, the path alone.
    A citizen page is under its commune: ``office=`` (an Office or its slug), by default the
    page's commune (the default commune outside a request)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if endpoint.startswith("citizen.") and values.get("office") is None:
        # Every citizen page lives under its commune (``/vb/...``).
        values.pop("office", None)
        office = (page_office() or current_office()) if has_request_context() else default_office()
        values["office"] = (office.slug if office is not None
                            else current_app.config["DEFAULT_OFFICE"].lower())
    elif hasattr(values.get("office"), "slug"):
        values["office"] = values["office"].slug
    if not has_request_context():
        path = current_app.url_map.bind("localhost").build(endpoint, values)
        return base + path
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    root = request.script_root
    if root and path.startswith(root + "/"):
        path = path[len(root):]
    return base + path


def lang_url(lang: str) -> str:
    """The current page in another language (a plain link: works with no JS)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return request.script_root + request.path + "?" + urlencode(args, doseq=True)


def default_office():
    """The default commune (``DEFAULT_OFFICE``), else the first office; None in an empty
    database."""
    return db.session.scalars(
        sa.select(Office).where(Office.code == current_app.config["DEFAULT_OFFICE"])
    ).first() or db.session.scalars(sa.select(Office).order_by(Office.id)).first()


def office_by_slug(slug: str | None):
    """The office whose address is ``/<slug>/`` (its code, any case); None if there is none."""
    if not slug or len(slug) > 5 or not slug.isascii() or not slug.isalpha():
        return None
    return db.session.scalars(sa.select(Office).where(Office.code == slug.upper())).first()


def host_office():
    """The office whose own host name (``Office.hostname``) this request came to, else None.
    Only hosts that passed ``TRUSTED_HOSTS`` (app.hygiene) get this far."""
    if not has_request_context():
        return None
    host = (request.host or "").rpartition(":")[0] if request.host.count(":") == 1 else request.host
    host = (host or "").lower()
    if not host:
        return None
    return db.session.scalars(sa.select(Office).where(Office.hostname == host)).first()


def current_office():
    """The commune the page is about, once per request: the one the URL names (``/vb/...``,
    set by the citizen blueprint's URL preprocessor), else the one whose own host name was
    asked, else the default commune (``DEFAULT_OFFICE``). Kept on the request, not on ``g``:
    an app context (and its ``g``) may outlive one request (tests, CLI)."""
    if has_request_context():
        try:
            return request.motcua_office
        except AttributeError:
            office = request.motcua_office = host_office() or default_office()
            return office
    if "office" not in g:
        g.office = default_office()
    return g.office


def set_current_office(office) -> None:
    """What :func:`current_office` answers for the rest of this request."""
    if has_request_context():
        request.motcua_office = office
    else:
        g.office = office


def page_office():
    """The office the page being rendered is about: the signed-in officer's own office on the
    officer desk (``/officer/...``), the public office (``current_office``) everywhere else;
    None outside a request (CLI, the SMS worker) or while the database has no office."""
    if not has_request_context():
        return None
    if request.blueprint == "officer" and current_user.is_authenticated:
        return current_user.office
    return current_office()


def page_timezone_name() -> str:
    """The zone of ``page_office``, else the configured default (``BABEL_DEFAULT_TIMEZONE``):
    what dates on a page are shown in, and Flask-Babel's timezone selector."""
    office = page_office()
    if office is not None:
        return office.timezone
    if has_app_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return DEFAULT_TIMEZONE


def page_timezone() -> ZoneInfo:
    return ZoneInfo(page_timezone_name())


def office_name(office, lang: str) -> str:
    return office.name_en if lang == "en" and office.name_en else office.name
