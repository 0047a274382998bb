"""The page cache's memory bound (``PAGE_CACHE_MAX_BYTES``, least recently used out first,
FastPath's records too) and its two-step brotli: a page is stored at a fast level and
recompressed at the strongest once it is asked for again."""

from __future__ import annotations

import brotli
import pytest
from flask import url_for

from app.page_cache import BR_UPGRADE_AFTER, ENTRY_OVERHEAD, page_cache
from tests.support.workers import FreshClient

BR = {"Accept-Encoding": "br"}


@pytest.fixture
def client(app, db):
    page_cache.clear()
    yield FreshClient(app, app.response_class, use_cookies=True)
    page_cache.clear()


@pytest.fixture
def guides(make_procedure):
    return [make_procedure(slug=f"thu-tuc-{n}", keyword=f"TT{n}", name=f"Thủ tục {n}")
            for n in range(4)]


@pytest.fixture
def max_bytes(app):
    before = app.config["PAGE_CACHE_MAX_BYTES"]

    def set_(value: int) -> None:
        app.config["PAGE_CACHE_MAX_BYTES"] = value

    yield set_
    app.config["PAGE_CACHE_MAX_BYTES"] = before


def stored_paths() -> list[str]:
    return [key.path for key in page_cache._entries]


@pytest.fixture
def url(app, guides):
    """A guide's address, whatever the citizen routes look like (``/procedures/…`` or under
    the commune's code)."""
    def build(n: int) -> str:
        with app.test_request_context():
            return url_for("citizen.guide", slug=f"thu-tuc-{n}")
    return build


def test_the_byte_bound_pushes_out_the_least_recently_used(client, guides, max_bytes, url):
    client.get(url(0))
    one = page_cache.nbytes
    assert one > ENTRY_OVERHEAD
    max_bytes(int(2.5 * one))  # room for two pages of this size
    client.get(url(1))
    client.get(url(0))  # used again: now the most recent
    client.get(url(2))
    assert stored_paths() == [url(0), url(2)]
    assert page_cache.nbytes <= 2.5 * one
    assert page_cache.nbytes == sum(e.charge for e in page_cache._entries.values())


def test_a_pushed_out_page_leaves_the_fast_path_too(client, guides, max_bytes, url):
    client.get(url(0))  # cookie-less: FastPath remembers it
    assert any(where[1] == url(0) for where in page_cache._fast)
    max_bytes(page_cache.nbytes)  # room for one page
    client.get(url(1))
    assert stored_paths() == [url(1)]
    assert not any(where[1] == url(0) for where in page_cache._fast)
    # …and the page is still served, rendered afresh.
    response = client.get(url(0))
    assert response.status_code == 200 and "Thủ tục 0" in response.get_data(as_text=True)


def test_a_page_heavier_than_the_bound_is_served_but_not_stored(client, guides, max_bytes, url):
    max_bytes(1000)
    response = client.get(url(0))
    assert response.status_code == 200
    assert len(page_cache) == 0 and page_cache.nbytes == 0


def test_zero_means_only_the_page_count_bounds_it(client, guides, max_bytes, url):
    max_bytes(0)
    for n in range(4):
        client.get(url(n))
    assert len(page_cache) == 4


def test_brotli_is_fast_first_and_strongest_once_asked_again(client, url):
    url = url(0)  # noqa: F811 (the fixture's answer)
    first = client.get(url, headers=BR)
    # The first answers from memory carry the bytes the first visitor got…
    for _ in range(BR_UPGRADE_AFTER):
        assert client.get(url, headers=BR).get_data() == first.get_data()
    # …then the page has proved popular: its strongest form from here on.
    strong = client.get(url, headers=BR)
    html = brotli.decompress(first.get_data())
    assert brotli.decompress(strong.get_data()) == html
    assert strong.get_data() == brotli.compress(html, quality=11, mode=brotli.MODE_TEXT)
    assert len(strong.get_data()) < len(first.get_data())
    assert strong.headers["Content-Length"] == str(len(strong.get_data()))
    assert client.get(url, headers=BR).get_data() == strong.get_data()
    # Same page, same ETag: a browser holding the first answer gets its 304.
    assert first.headers["ETag"] == strong.headers["ETag"]
    again = client.get(url, headers={**BR, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
