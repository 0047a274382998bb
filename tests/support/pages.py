"""The ``pages`` fixture's client: requests by endpoint, page checks on every HTML answer.

In the manner of notifications-admin's ``client_request``: a test names the endpoint and its
arguments (``url_for`` builds the URL), says which status it expects, and every HTML page that
comes back goes through :func:`tests.support.helpers.check_html` (title, ``lang``, one h1, forms
with an action, no duplicate ids, no inline style; citizen pages also within the size budget,
no raster image, no third-party request). A test that must not check a page says why:
``_skip_page_check="the reason"``. Opting out is explicit, opting in is never needed.

Every endpoint whose page was checked is recorded in :data:`CHECKED`;
tests/test_every_page_checked.py fails, at the end of a whole-suite run, for any page no test
checked.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from tests.support.helpers import check_html, csrf_token

# endpoint -> the first test that page-checked it (this session).
CHECKED: dict[str, str] = {}
# endpoint -> every (status, mimetype) it answered through ``pages`` (this session).
SEEN: dict[str, set[tuple[int, str]]] = {}

_CITIZEN_BLUEPRINTS = ("citizen",)


class Pages:
    """``pages.get(endpoint, **values)`` / ``pages.post(endpoint, _data=..., **values)``.

    Keyword arguments without a leading underscore are ``url_for`` values (path parameters, or
    the query string for the rest); those with one steer the request and the checks:

    - ``_expected_status`` (GET: 200, POST: 302): asserted before anything else.
    - ``_expected_redirect``: the ``Location`` a redirect must carry (a path such as
      ``/officer/dossiers``; compared without scheme and host).
    - ``_follow_redirects``: follow them; the final page is checked and recorded.
    - ``_skip_page_check="reason"``: no page check (the reason is required, and read in review).
    - ``_lang``: the ``<html lang>`` the page must declare; by default the ``lang`` query value
      when it is a language the app offers, else the language remembered in the session, else
      the first of ``LANGUAGES`` (Vietnamese).
    - ``_headers``: extra request headers (``{"HX-Request": "true"}`` checks a fragment:
      ids, forms and styles only, since a fragment has no title or h1).
    - ``_citizen``: size budget and the other citizen-page rules; by default for the
      ``citizen`` blueprint's endpoints.
    - POST only: ``_data`` (the form), ``_csrf`` (default True: a valid token is added unless
      ``_data`` has one), ``_csrf_from`` (the page to read the token from; by default the
      endpoint itself when it answers GET, else the officer home page).

    Each call returns the werkzeug response with ``.page`` set to the parsed page
    (what :func:`tests.support.helpers.parse_page` returns) when it was checked, else ``None``.
    """

    def __init__(self, app: Flask, client: FlaskClient, nodeid: str) -> None:
        self.app = app
        self.client = client
        self._nodeid = nodeid

    # ------------------------------------------------------------------------------ URLs

    def url(self, endpoint: str, **values: Any) -> str:
        """The path (and query string) ``url_for`` builds for ``endpoint``."""
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def _endpoint_of(self, path: str, method: str = "GET") -> str | None:
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            return None
        return endpoint

    # ------------------------------------------------------------------------------ verbs

    def get(
        self,
        endpoint: str,
        *,
        _expected_status: int = 200,
        _expected_redirect: str | None = None,
        _follow_redirects: bool = False,
        _skip_page_check: str | None = None,
        _lang: str | None = None,
        _headers: dict[str, str] | None = None,
        _citizen: bool | None = None,
        **values: Any,
    ) -> TestResponse:
        url = self.url(endpoint, **values)
        response = self.client.get(url, headers=_headers, follow_redirects=_follow_redirects)
        return self._after(
            response, endpoint, values, _expected_status, _expected_redirect, _follow_redirects,
            _skip_page_check, _lang, _headers, _citizen,
        )

    def post(
        self,
        endpoint: str,
        *,
        _data: dict[str, Any] | None = None,
        _csrf: bool = True,
        _csrf_from: str | None = None,
        _expected_status: int = 302,
        _expected_redirect: str | None = None,
        _follow_redirects: bool = False,
        _skip_page_check: str | None = None,
        _lang: str | None = None,
        _headers: dict[str, str] | None = None,
        _citizen: bool | None = None,
        **values: Any,
    ) -> TestResponse:
        url = self.url(endpoint, **values)
        data = dict(_data or {})
        if _csrf and "csrf_token" not in data:
            data["csrf_token"] = csrf_token(self.client, self._csrf_page(endpoint, url, _csrf_from))
        response = self.client.post(
            url, data=data, headers=_headers, follow_redirects=_follow_redirects
        )
        return self._after(
            response, endpoint, values, _expected_status, _expected_redirect, _follow_redirects,
            _skip_page_check, _lang, _headers, _citizen,
        )

    def _csrf_page(self, endpoint: str, url: str, source: str | None) -> str:
        if source:
            return source if source.startswith("/") else self.url(source)
        rules = self.app.url_map.iter_rules(endpoint)
        if any("GET" in (rule.methods or ()) for rule in rules):
            return url
        return self.url("officer.home")

    # ------------------------------------------------------------------------------ checks

    def _after(
        self,
        response: TestResponse,
        endpoint: str,
        values: dict[str, Any],
        expected_status: int,
        expected_redirect: str | None,
        followed: bool,
        skip: str | None,
        lang: str | None,
        headers: dict[str, str] | None,
        citizen: bool | None,
    ) -> TestResponse:
        assert response.status_code == expected_status, (
            f"{endpoint}: expected {expected_status}, got {response.status_code}"
            f" (Location: {response.location})"
        )
        if expected_redirect is not None:
            location = re.sub(r"^https?://[^/]+", "", response.location or "")
            assert location == expected_redirect, f"{endpoint} redirected to {location}"
        # The page that came back (after redirects, when followed) is the one checked.
        final = endpoint
        if followed and response.history:
            final = self._endpoint_of(response.request.path) or endpoint
        SEEN.setdefault(final, set()).add((response.status_code, response.mimetype or ""))
        response.page = None  # type: ignore[attr-defined]
        if skip is not None:
            assert skip.strip(), "_skip_page_check needs a reason"
            return response
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            return response
        fragment = bool(headers and headers.get("HX-Request"))
        if citizen is None:
            citizen = final.split(".")[0] in _CITIZEN_BLUEPRINTS
        if lang is None and not self._is_path_argument(endpoint, "lang"):
            lang = values.get("lang")
        if lang not in self.app.config["LANGUAGES"]:
            lang = self._session_lang()  # ``?lang=fr`` is ignored by the app, so here too
        response.page = check_html(  # type: ignore[attr-defined]
            response, lang=lang, citizen=citizen, fragment=fragment
        )
        # A page counts as checked when its GET answer passed: a form re-rendered by a POST
        # is checked too, but is not the page a visitor opens.
        if not fragment and response.status_code == 200 and response.request.method == "GET":
            CHECKED.setdefault(final, self._nodeid)
        return response

    def _is_path_argument(self, endpoint: str, name: str) -> bool:
        return any(name in rule.arguments for rule in self.app.url_map.iter_rules(endpoint))

    def _session_lang(self) -> str:
        with self.client.session_transaction() as session:
            lang = session.get("lang")
        return lang if lang in self.app.config["LANGUAGES"] else self.app.config["LANGUAGES"][0]
