"""While an officer has reported the online portal down, the citizen home page and every guide
show one line (app/portal.py), in both languages, within the 2G budget; the page cache drops
its pages the moment an outage opens or closes."""

from __future__ import annotations

import gzip
from datetime import datetime

import brotli
import pytest
from flask import g
from flask.testing import FlaskClient

from app import portal
from app.page_cache import page_cache
from tests.support import sms_support

demo = sms_support.demo  # the demo office and its 11 procedures, no dossiers

LINE_VI = "Cổng dịch vụ công đang lỗi từ 09:10: nộp tại xã, hoặc thử lại sau."
LINE_EN = "The online portal has been failing since 09:10: file at the desk, or try again later."


class FreshClient(FlaskClient):
    """Each request with an empty ``g``, as in production (conftest keeps one app context)."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def fresh(app, db):
    page_cache.clear()
    return FreshClient(app, app.response_class, use_cookies=False)


def down(office, portal_code="national", note=""):
    outage, _ = portal.report_down(office, portal_code, None, note=note)
    portal.commit()
    return outage


@pytest.mark.parametrize("lang, line", [("vi", LINE_VI), ("en", LINE_EN)])
def test_home_and_every_guide_show_the_line_while_the_portal_is_down(
        pages, demo, clock, lang, line):
    from app.lookup import list_procedures

    clock.local(datetime(2026, 12, 3, 9, 10))
    down(demo)
    clock.local(datetime(2026, 12, 3, 11, 0))
    procedures = list_procedures(demo)
    assert len(procedures) >= 11
    sizes = {}
    for endpoint, values in [("citizen.home", {})] + [
            ("citizen.guide", {"slug": p.slug}) for p in procedures]:
        response = pages.get(endpoint, lang=lang, **values)  # page checks: the 2G budget too
        html = response.get_data(as_text=True)
        assert html.count(line) == 1, (endpoint, values)
        body = response.get_data()
        sizes[pages.url(endpoint, **values)] = (len(body), len(gzip.compress(body, 9)),
                                                len(brotli.compress(body, quality=11)))
    print(f"\n[{lang}] bytes with the portal line: raw, gzip -9, brotli 11")
    largest = sorted(sizes.items(), key=lambda kv: -kv[1][1])[:3]
    for url, (raw, gz, br) in [("/vb/", sizes["/vb/"]), *largest]:
        print(f"  {raw:6d} {gz:6d} {br:6d}  {url}")


def test_no_line_when_nothing_is_reported_or_after_it_is_back(pages, demo, clock):
    clock.local(datetime(2026, 12, 3, 9, 10))
    assert "Cổng dịch vụ công đang lỗi" not in pages.get("citizen.home").get_data(as_text=True)
    down(demo)
    clock.local(datetime(2026, 12, 3, 9, 50))
    portal.report_up(demo, None, None)
    portal.commit()
    assert "đang lỗi" not in pages.get("citizen.home").get_data(as_text=True)


def test_the_provincial_portal_both_and_an_outage_from_yesterday(pages, demo, clock):
    clock.local(datetime(2026, 12, 2, 16, 20))
    down(demo, "provincial")
    clock.local(datetime(2026, 12, 3, 8, 0))
    html = pages.get("citizen.home").get_data(as_text=True)
    assert ("Cổng dịch vụ công của tỉnh đang lỗi từ 16:20 ngày 02/12: nộp tại xã, hoặc thử "
            "lại sau.") in html
    down(demo, "national")
    html = pages.get("citizen.home").get_data(as_text=True)
    assert "Cổng dịch vụ công quốc gia và của tỉnh đang lỗi từ 16:20 ngày 02/12" in html


def test_cached_pages_are_dropped_when_the_portal_goes_down_and_comes_back(
        app, fresh, demo, clock, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_CHECK_SECONDS", 0)
    clock.local(datetime(2026, 12, 3, 9, 0))
    slug = "dang-ky-khai-sinh"
    for url in ("/", f"/vb/procedures/{slug}"):
        first = fresh.get(url)
        hits = page_cache.hits
        assert fresh.get(url).get_data() == first.get_data()
        assert page_cache.hits == hits + 1  # served from memory: the test below means something
        assert "đang lỗi" not in first.get_data(as_text=True)

    clock.local(datetime(2026, 12, 3, 9, 10))
    outage = down(demo)
    for url in ("/", f"/vb/procedures/{slug}"):
        assert LINE_VI in fresh.get(url).get_data(as_text=True), url

    clock.local(datetime(2026, 12, 3, 10, 0))
    portal.report_up(demo, outage.portal, None)
    portal.commit()
    for url in ("/", f"/vb/procedures/{slug}"):
        assert "đang lỗi" not in fresh.get(url).get_data(as_text=True), url


def test_a_cached_guide_names_the_day_once_the_outage_is_from_yesterday(
        app, fresh, demo, clock, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_CHECK_SECONDS", 0)
    clock.local(datetime(2026, 12, 2, 16, 20))
    down(demo)
    url = "/vb/procedures/dang-ky-khai-sinh"
    assert "từ 16:20: nộp" in fresh.get(url).get_data(as_text=True)
    clock.local(datetime(2026, 12, 3, 7, 0))  # nothing changed in the database overnight
    assert "từ 16:20 ngày 02/12: nộp" in fresh.get(url).get_data(as_text=True)
