"""Request hygiene: input that no page means to accept is refused with a clear 4xx, before it
can reach a database driver or the URL builder and turn into a 500 (issue 12, item 12).

* ``HostGuard`` (WSGI, outermost): a ``Host`` header that is too long, not a host name, or not
  in ``TRUSTED_HOSTS`` gets a static 400 page. Werkzeug cannot bind its URL map to such a
  host (``label too long``), so inside Flask not even the error page could be built.
* ``refuse_nul`` (``before_request``): a NUL character in the query or a form field → 400 with
  a translated message; in the path → 404 (no page has such an address). PostgreSQL text cannot hold NUL, and no form here
  has a use for it. The signed SMS webhooks are exempt: a text is never refused for its bytes;
  they strip NUL and lone surrogates themselves (``scrub``), store the text and answer 2xx.
* ``scrub``: a string made storable (NUL removed, lone surrogates → U+FFFD).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, request
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.sansio.utils import host_is_trusted

from app.web import HSTS, SECURITY_HEADERS

HOST_MAX = 255  # RFC 1035: 253 characters of name, plus room for ":port"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(
    rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]{{2,45}}\])(?::[0-9]{{1,5}})?"
)
_SURROGATES = re.compile("[\ud800-\udfff]")
# Endpoints that take what a phone or provider sends, signed, and must never lose it.
NUL_EXEMPT = frozenset({"sms.twilio_inbound", "sms.android_webhook"})

BAD_HOST_PAGE = (
    "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Yêu cầu không hợp lệ"
    "</title><h1>Yêu cầu không hợp lệ</h1><p>Tên máy chủ (Host) trong yêu cầu không đúng.</p>"
    "<p lang=\"en\">Bad request: the Host header is not a valid name for this site.</p></html>"
).encode()


def host_ok(host: str, trusted: Iterable[str] | None = None) -> bool:
    """A syntactically valid ``name[:port]`` or ``[ipv6][:port]``, and, when ``trusted`` is
    given, one of those names (``.example.org`` also allows its subdomains)."""
    if not host or len(host) > HOST_MAX or not _HOST.fullmatch(host):
        return False
    return not trusted or host_is_trusted(host, list(trusted))


class HostGuard:
    """Answer a bad ``Host`` with a static 400 (security headers included) before anything
    else reads it: the page cache, ProxyFix or Flask."""

    def __init__(self, wsgi_app, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.trusted = app.config.get("TRUSTED_HOSTS") or None
        self.headers = [*SECURITY_HEADERS]
        if app.config.get("SESSION_COOKIE_SECURE"):
            self.headers.append(HSTS)

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is None:  # HTTP/1.0 without Host: werkzeug uses SERVER_NAME, which we set
            return self.wsgi_app(environ, start_response)
        if host_ok(host, self.trusted):
            return self.wsgi_app(environ, start_response)
        start_response("400 Bad Request", [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(BAD_HOST_PAGE))),
            ("Cache-Control", "no-store"),
            *self.headers,
        ])
        return [BAD_HOST_PAGE]


class BadCharacters(BadRequest):
    """A NUL character in the request; answered with the translated ``nul`` error page."""


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def refuse_nul() -> None:
    if request.endpoint in NUL_EXEMPT:
        return
    if "\x00" in request.path:
        raise NotFound()  # no page has NUL in its address (and a path part may reach a query)
    if (
        _has_nul(k for k in request.args)
        or _has_nul(v for _, v in request.args.items(multi=True))
        or (request.method == "POST" and (
            _has_nul(k for k in request.form)
            or _has_nul(v for _, v in request.form.items(multi=True))
        ))
    ):
        raise BadCharacters()


def scrub(text: str) -> str:
    """``text`` without NUL and with each lone surrogate (``\\ud800``…, which JSON allows but
    UTF-8 cannot encode) replaced by U+FFFD, so it can be stored and hashed."""
    return _SURROGATES.sub("\ufffd", text.replace("\x00", ""))


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
