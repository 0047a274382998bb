"""Helpers for officer-desk tests: sign in as a role, post a form with the session's CSRF
token."""

from __future__ import annotations

from tests.support.helpers import csrf_token


def sign_in(client, make_officer, login, role: str = "officer", **kw):
    officer = make_officer(role=role, **kw)
    response = login(officer)
    assert response.status_code == 302, response.get_data(as_text=True)
    return officer


def post(client, url: str, data: dict | None = None, csrf: bool = True, **kw):
    """POST ``data`` to ``url`` with a valid CSRF token unless ``csrf`` is False."""
    data = dict(data or {})
    if csrf and "csrf_token" not in data:
        data["csrf_token"] = csrf_token(client, "/officer/")
    return client.post(url, data=data, **kw)
