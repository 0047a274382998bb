"""Issue 12 through the real stack (tests/deploy/harness.py), items 2 and 4: the page cache
cannot be poisoned through a header nginx and gunicorn receive, and a saved session cookie
stops working the moment its officer signs out or has their password changed — on both
gunicorn workers, whichever one answers."""

from __future__ import annotations

import re
import secrets
import subprocess

import pytest
import requests

from tests.deploy.harness import FLASK, ROOT, Stack

pytestmark = pytest.mark.stack

EVIL = "evil.example"
# Two workers, each with its own page cache: enough tries that both get every request.
TRIES = 8


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action)="([^"]*)"', html)


def _sign_in(session: requests.Session, stack: Stack, username: str, password: str
             ) -> requests.Response:
    page = session.get(stack.url + "/officer/login", timeout=30)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    return session.post(
        stack.url + "/officer/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers={"Referer": stack.url + "/officer/login"}, allow_redirects=False, timeout=30,
    )


def _replay(stack: Stack, cookies, source: str) -> int:
    """The desk's status for someone who copied the cookies into a fresh browser. From the
    same address and browser (a shared commune PC): ``session_protection = "strong"`` already
    drops a session that moves to another address."""
    with stack.client(source) as thief:
        thief.cookies.update(cookies)
        return thief.get(stack.url + "/officer/", allow_redirects=False, timeout=30).status_code


def test_page_cache_poisoning_is_refused_through_nginx(stack: Stack):
    """As the attacker did it: ``GET //evil.example/`` with ``SCRIPT_NAME: //evil.example``
    (and a foreign Host, and the header spelt as nginx might pass it), cookie-less so that the
    page would be a FastPath candidate; then a visitor from another address gets clean links."""
    attacks = [
        ("//evil.example/", {"SCRIPT_NAME": "//" + EVIL, "Script-Name": "//" + EVIL}),
        ("/", {"SCRIPT_NAME": "//" + EVIL, "X-Forwarded-Prefix": "//" + EVIL}),
        ("/", {"Host": EVIL, "X-Forwarded-Host": EVIL}),
        ("/vb/contacts", {"SCRIPT_NAME": "//" + EVIL, "Host": EVIL}),
    ]
    for _ in range(TRIES):
        for path, headers in attacks:
            with stack.client("127.0.0.20") as attacker:
                attacker.get(stack.url + path, headers=headers, allow_redirects=False, timeout=30)
    for path in ("/", "/vb/contacts"):
        for _ in range(TRIES):
            page = stack.get(path, source="127.0.0.21")
            assert page.status_code == 200
            links = _links(page.text)
            assert links and not any(EVIL in link for link in links), (path, links)
            assert EVIL not in page.text, path


def test_a_saved_session_cookie_dies_at_sign_out_and_password_change(stack: Stack):
    """Sign in, copy the cookies, sign out: the copy is refused by every worker. Sign in
    again, copy, change the password with ``flask officer set-password`` (as the README's
    operator would): refused again."""
    username, password = "khoa", stack.demo_password
    with stack.client("127.0.0.22") as officer:
        assert _sign_in(officer, stack, username, password).status_code == 302
        saved = officer.cookies.copy()
        for _ in range(TRIES):
            assert _replay(stack, saved, "127.0.0.22") == 200  # a working copy while open
        page = officer.get(stack.url + "/officer/", timeout=30).text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        out = officer.post(stack.url + "/officer/logout", data={"csrf_token": token},
                           headers={"Referer": stack.url + "/officer/"},
                           allow_redirects=False, timeout=30)
        assert out.status_code == 302
    for _ in range(TRIES):
        assert _replay(stack, saved, "127.0.0.22") == 302  # to the sign-in page

    with stack.client("127.0.0.22") as officer:
        assert _sign_in(officer, stack, username, password).status_code == 302
        saved = officer.cookies.copy()
    assert _replay(stack, saved, "127.0.0.22") == 200
    new_password = "stack-" + secrets.token_hex(8)
    try:
        subprocess.run([str(FLASK), "--app", "wsgi", "officer", "set-password", username,
                        "--password", new_password], cwd=ROOT, env=stack.env, check=True,
                       capture_output=True)
        for _ in range(TRIES):
            assert _replay(stack, saved, "127.0.0.22") == 302
        with stack.client("127.0.0.24") as officer:
            assert _sign_in(officer, stack, username, new_password).status_code == 302
    finally:  # other checks sign in with the demo password
        subprocess.run([str(FLASK), "--app", "wsgi", "officer", "set-password", username,
                        "--password", password], cwd=ROOT, env=stack.env, check=True,
                       capture_output=True)
