"""Public scorecard (/index): within the citizen budget, no personal data, works with JS off,
linked from the footer and the home page, the same numbers as the API."""

from __future__ import annotations

import gzip
import re

import pytest
import sqlalchemy as sa

from app import metrics
from app.budgets import HTML_BUDGET
from app.demo.loader import NAMES, OFFICERS, load_demo
from app.models import Dossier, Office


@pytest.fixture
def demo(db):
    load_demo("demo-password-1")
    return db.session.scalars(sa.select(Office)).first()


def test_budget_and_page_checks_with_demo_data(client, pages, demo):
    r = pages.get("citizen.scorecard")
    page = r.page  # title, lang, one h1, no style=, no images, ≤ 8 KB gzipped
    assert not page.scripts  # nothing to run: works with JavaScript off
    assert len(gzip.compress(r.get_data(), 9)) <= HTML_BUDGET
    assert r.headers.get("ETag")


def test_no_personal_data(client, demo, db):
    html = client.get("/vb/index").get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    for name in NAMES:
        assert name not in main
    for officer in OFFICERS:
        assert officer[1] not in main and officer[4][-6:] not in main
    for code, phone in db.session.execute(sa.select(Dossier.code, Dossier.phone)):
        assert code not in html and phone[-7:] not in html


def test_shows_the_public_index(client, demo):
    data = metrics.public_index(demo)
    html = client.get("/vb/index").get_data(as_text=True)
    assert f'<dd class="big">{data["received"]}</dd>' in html
    assert data["months"][-1]["month"][5:] + "/" + data["months"][-1]["month"][:4] in html
    assert html.count("<tr>") >= 12 + 3  # the 12 months and the three 766 indicators
    svg = re.search(r"<svg\b.*?</svg>", html, flags=re.S).group(0)
    assert "style" not in svg and 'role="img"' in svg
    assert 'href="/api/v1/index"' in html


def test_empty_office(pages, make_office):
    make_office()
    r = pages.get("citizen.scorecard")
    assert "—" in r.get_data(as_text=True)  # no data is not 0 %


def test_english(pages, demo):
    pages.get("citizen.scorecard", lang="en")


def test_no_office_is_503(client):
    assert client.get("/index").status_code == 503
    assert client.get("/vb/index").status_code == 404  # no such commune (yet)


def test_linked_from_footer_and_home(client, make_office):
    make_office()
    html = client.get("/").get_data(as_text=True)
    links = re.findall(r'<a href="/vb/index">Chỉ số phục vụ</a>', html)
    assert len(links) == 2  # the bottom links line and the footer
    footer = html[html.index("<footer") :]
    assert footer.index('href="/vb/index"') < footer.index('href="/officer/login"')
    other = client.get("/vb/contacts").get_data(as_text=True)
    assert '<a href="/vb/index">' in other[other.index("<footer") :]
