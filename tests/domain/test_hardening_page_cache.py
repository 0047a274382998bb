"""Issue 12, item 2: the page cache never stores a page whose bytes depend on something not in
its key. ``GET //evil.example/`` with ``SCRIPT_NAME: //evil.example`` (gunicorn's default
``forwarder_headers`` take that header from its forwarder) once stored a home page whose every
link pointed at ``//evil.example/…``, served to every later visitor, on both ways of answering
(Flask's and the cookie-less FastPath)."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask.testing import FlaskClient

from app.page_cache import page_cache

EVIL = "//evil.example"


class FreshClient(FlaskClient):
    """Each request with an empty ``g``, as in production (conftest keeps one app context)."""

    def open(self, *args, **kwargs):
        vars(g).clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db, make_procedure):
    make_procedure(slug="dang-ky-khai-sinh", keyword="KS", name="Đăng ký khai sinh")
    page_cache.clear()
    before = app.config["PAGE_CACHE_CHECK_SECONDS"], app.config["PUBLIC_BASE_URL"]
    app.config["PAGE_CACHE_CHECK_SECONDS"] = 60  # let FastPath answer repeats
    page_cache.forget_version()
    yield FreshClient(app, app.response_class, use_cookies=False)
    app.config["PAGE_CACHE_CHECK_SECONDS"], app.config["PUBLIC_BASE_URL"] = before
    page_cache.clear()


def links(response) -> list[str]:
    return re.findall(r'(?:href|src|action)="([^"]*)"', response.get_data(as_text=True))


def poison(client, path: str = "/", **environ) -> None:
    """What gunicorn hands the app for ``GET //evil.example/`` + ``SCRIPT_NAME: //evil.example``:
    the prefix moved from the path to SCRIPT_NAME."""
    r = client.get(path, environ_overrides={"SCRIPT_NAME": EVIL, **environ})
    assert r.status_code == 200


PAGES = ["/", "/vb/procedures", "/vb/procedures/dang-ky-khai-sinh", "/vb/contacts", "/vb/feedback/thanks"]


@pytest.mark.parametrize("path", PAGES)
def test_a_script_name_from_a_header_never_reaches_the_next_visitor(client, path):
    poison(client, path)
    poison(client, path)  # twice: a second identical request would be a FastPath candidate
    for _ in range(2):  # through Flask, then (had anything been stored) FastPath
        clean = client.get(path)
        assert clean.status_code == 200
        assert links(clean) and not any("evil" in link for link in links(clean)), links(clean)


def test_the_poisoned_request_is_rendered_but_not_stored(client):
    poison(client)
    assert len(page_cache) == 0
    client.get("/")
    assert len(page_cache) == 1


def test_a_foreign_host_is_kept_apart_and_never_served_to_others(client):
    client.get("/", headers={"Host": "evil.example"})
    before = page_cache.hits
    client.get("/")
    assert page_cache.hits == before  # not the page stored for the other Host


def test_with_public_base_url_links_follow_it_and_foreign_hosts_are_not_stored(app, client):
    app.config["PUBLIC_BASE_URL"] = "https://motcua.example.gov.vn"
    poison(client, HTTP_HOST="motcua.example.gov.vn")
    page = client.get("/", headers={"Host": "motcua.example.gov.vn"})
    assert not any("evil" in link for link in links(page))
    assert len(page_cache) == 1  # SCRIPT_NAME was set from the setting: the page is clean
    client.get("/", headers={"Host": "evil.example"})
    client.get("/vb/contacts", headers={"Host": "evil.example:443"})
    assert len(page_cache) == 1  # a Host that is not the public one: rendered, not stored


def test_a_prefix_in_public_base_url_is_every_links_prefix(app, client):
    app.config["PUBLIC_BASE_URL"] = "https://motcua.example.gov.vn/vb"
    page = client.get("/", headers={"Host": "motcua.example.gov.vn"},
                      environ_overrides={"SCRIPT_NAME": EVIL})
    assert all(link.startswith("/vb/") for link in links(page) if link.startswith("/")), links(page)
    assert len(page_cache) == 1
