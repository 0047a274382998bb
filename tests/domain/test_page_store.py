"""The page cache's shared level (app/page_store.py): a page one worker builds is taken by every
other worker from Redis, never outlives the data it shows, and never holds a personal page.

"Another worker" is this process with its own memory emptied (``page_cache.clear()``): what it
can know of the page is then only what Redis holds."""

from __future__ import annotations

import brotli
import pytest
import sqlalchemy as sa

from app.models import ProcedureContent
from app.page_cache import BR_UPGRADE_AFTER, page_cache
from app.page_store import PREFIX, shared_pages
from tests.support.workers import FreshClient, redis_or_skip

URL = "redis://127.0.0.1:6379/13"
GUIDE = "/vb/procedures/dang-ky-khai-sinh"
BR = {"Accept-Encoding": "br"}


@pytest.fixture
def redis_db():
    r = redis_or_skip(URL)
    r.flushdb()
    yield r
    r.flushdb()


@pytest.fixture
def shared(app, db, redis_db):
    """The session app with the shared level on (db 13), both levels empty."""
    app.config["PAGE_CACHE_REDIS_URL"] = URL
    page_cache.clear()
    shared_pages.reset()
    yield redis_db
    app.config["PAGE_CACHE_REDIS_URL"] = ""
    page_cache.clear()
    shared_pages.reset()


@pytest.fixture
def client(app, shared):
    return FreshClient(app, app.response_class, use_cookies=False)


@pytest.fixture
def guide(make_procedure):
    return make_procedure(slug="dang-ky-khai-sinh", keyword="KS", name="Đăng ký khai sinh")


def other_worker() -> None:
    page_cache.clear()


def test_a_page_built_by_one_worker_is_taken_by_the_next(client, shared, guide):
    built, taken = page_cache.misses, page_cache.shared_hits
    first = client.get(GUIDE, headers=BR)
    assert first.status_code == 200 and page_cache.misses == built + 1
    assert len(shared.keys(PREFIX + "*")) == 1
    other_worker()
    misses = page_cache.misses
    again = client.get(GUIDE, headers=BR)
    assert page_cache.misses == misses and page_cache.shared_hits == taken + 1  # not built
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Đăng ký khai sinh" in brotli.decompress(again.get_data()).decode()
    plain = client.get(GUIDE, headers={"Accept-Encoding": "gzip"})  # a form not stored yet
    assert plain.status_code == 200 and plain.headers["Content-Encoding"] == "gzip"


def test_an_edit_is_never_answered_from_the_shared_store(db, client, shared, guide):
    client.get(GUIDE)
    content = db.session.scalars(sa.select(ProcedureContent).where(
        ProcedureContent.procedure_id == guide.id, ProcedureContent.lang == "vi")).one()
    content.summary = "Tóm tắt mới sau khi sửa"
    db.session.commit()  # moves the version: every worker's key changes
    other_worker()
    page = client.get(GUIDE, headers={"Accept-Encoding": ""})
    assert "Tóm tắt mới sau khi sửa" in page.get_data(as_text=True)
    assert len(shared.keys(PREFIX + "*")) == 2  # the old page stays only until it expires


def test_the_strongest_brotli_is_made_once_for_every_worker(client, shared, guide):
    for _ in range(BR_UPGRADE_AFTER + 2):
        client.get(GUIDE, headers=BR)
    (key,) = shared.keys(PREFIX + "*")
    strongest = shared.hget(key, "br11")
    body = shared.hget(key, "body")
    assert strongest == brotli.compress(body, quality=11, mode=brotli.MODE_TEXT)
    other_worker()
    answer = client.get(GUIDE, headers=BR)
    assert answer.get_data() == strongest  # taken as it is, not recompressed
    assert int(answer.headers["Content-Length"]) == len(strongest)


def test_personal_pages_never_leave_the_worker(client, shared, make_dossier):
    dossier = make_dossier(applicant_name="Lê Thị Riêng Tư", phone="+84912345678")
    page = client.get(f"/vb/status?code={dossier.code}&digits=5678")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "Riêng Tư" in page.get_data(as_text=True)
    assert shared.keys(PREFIX + "*") == []  # the full lookup: in this worker's memory only
    public = client.get(f"/vb/status?code={dossier.code}")  # the code alone: no personal data
    assert public.status_code == 200 and "Riêng Tư" not in public.get_data(as_text=True)
    assert len(shared.keys(PREFIX + "*")) == 1


def test_pages_that_show_the_minute_expire_within_two_minutes(client, shared, make_procedure):
    make_procedure()
    assert client.get("/vb/contacts").status_code == 200
    keys = shared.keys(PREFIX + "*")
    assert keys and all(0 < shared.ttl(k) <= 120 for k in keys)


def test_a_redis_that_is_down_costs_nothing_but_the_sharing(app, client, guide):
    app.config["PAGE_CACHE_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    first = client.get(GUIDE)
    assert first.status_code == 200 and shared_pages.errors == 1
    other_worker()
    assert client.get(GUIDE).get_data() == first.get_data()
    assert shared_pages.errors == 1  # left alone for a while after the error
