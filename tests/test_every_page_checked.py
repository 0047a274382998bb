"""Every HTML page the app answers to GET was page-checked by some test through the ``pages``
fixture (tests/support/pages.py), in this session: a new page without a test, or a page whose
only tests opt out of the checks, fails here by name.

The conftest runs this module last and records which test modules were collected; when the
session is not the whole suite (one file, one folder, ``-k`` dropping a ``pages`` test) the
comparison would be meaningless, so the test skips and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest
from tests.support.pages import CHECKED, SEEN

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# GET endpoints that do not answer an HTML page, and what they answer instead.
NOT_HTML = {
    "static": "CSS, JS, icons",
    "healthz": "plain text for the load balancer",
    "api.dossier": "JSON",
    "api.index": "JSON",
    "api.openapi": "JSON",
    "api.procedure": "JSON",
    "api.procedures": "JSON",
    "citizen.vcard": "text/vcard",
    "officer.dashboard_csv": "CSV",
    "officer.dossiers_csv": "CSV",
    "officer.portal_csv": "CSV",
    "officer.hamlet_figures_csv": "CSV",
    **{f"province.{name}": "a redirect: an old address to its commune's page (issue 13)"
       for name in ("old_procedures", "old_guide", "old_send_guide", "old_status",
                    "old_contacts", "old_vcard", "old_feedback", "old_feedback_thanks",
                    "index")},
}


def _whole_suite_ran(config) -> str | None:
    """Why this session cannot judge, or None when it ran everything that uses ``pages``."""
    if hasattr(config, "workerinput"):
        return "split across xdist workers: each sees only its own pages"
    on_disk = {
        str(path.relative_to(ROOT))
        for path in TESTS.rglob("test_*.py")
        if "vendor" not in path.parts and "__pycache__" not in path.parts
    }
    missing = sorted(on_disk - conftest.COLLECTED_MODULES)
    if missing:
        return f"not the whole suite ({len(missing)} test modules not collected, e.g. {missing[0]})"
    if conftest.DESELECTED:
        return f"{len(conftest.DESELECTED)} tests using `pages` deselected"
    return None


def html_get_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.endpoint not in NOT_HTML
    }


def unchecked_pages(app, checked) -> list[str]:
    return sorted(html_get_endpoints(app) - set(checked))


def test_every_html_page_was_page_checked(app, request):
    reason = _whole_suite_ran(request.config)
    if reason:
        pytest.skip(reason)
    unchecked = unchecked_pages(app, CHECKED)
    assert not unchecked, (
        "HTML pages no test requested through the `pages` fixture with the page checks on: "
        f"{unchecked}. Add a test with pages.get(endpoint, ...) (tests/README.md)."
    )


def test_the_not_html_list_is_true(app):
    """An exemption above must name a real GET endpoint, and none of them may have answered
    an HTML page through ``pages`` — else its page would escape the checks."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert set(NOT_HTML) <= endpoints, sorted(set(NOT_HTML) - endpoints)
    html = sorted(
        endpoint
        for endpoint in NOT_HTML
        if ("text/html" in {mimetype for status, mimetype in SEEN.get(endpoint, ()) if status == 200})
    )
    assert not html, f"listed as not HTML, but answered an HTML page: {html}"


# --------------------------------------------------------------------- the fixture itself
# A small app of its own, so broken pages can be served on purpose.

GOOD = (
    '<!doctype html><html lang="{lang}"><head><title>Trang</title></head>'
    '<body><h1>Trang</h1><form action="/x" method="post"><input id="a"></form></body></html>'
)
BROKEN = {
    "two_h1": GOOD.replace("<h1>Trang</h1>", "<h1>A</h1><h1>B</h1>"),
    "no_title": GOOD.replace("<title>Trang</title>", "<title> </title>"),
    "wrong_lang": GOOD.replace('lang="{lang}"', 'lang="en"'),
    "form_without_action": GOOD.replace(' action="/x"', ""),
    "duplicate_ids": GOOD.replace('<input id="a">', '<input id="a"><input id="a">'),
    "inline_style": GOOD.replace("<h1>", '<h1 style="color:red">'),
}


@pytest.fixture
def toy():
    from flask import Flask, jsonify, redirect, request

    from tests.support.pages import Pages

    toy = Flask("toy")
    toy.config.update(SECRET_KEY="toy", LANGUAGES=["vi", "en"])

    @toy.get("/good")
    def good():
        return GOOD.format(lang=request.args.get("lang", "vi"))

    @toy.get("/broken/<kind>")
    def broken(kind):
        return BROKEN[kind].format(lang="vi")

    @toy.get("/json")
    def json():
        return jsonify(ok=True)

    @toy.get("/away")
    def away():
        return redirect("/good")

    yield Pages(toy, toy.test_client(), "toy-test")
    for endpoint in ("good", "broken", "json", "away"):
        CHECKED.pop(endpoint, None)
        SEEN.pop(endpoint, None)


def test_a_good_page_passes_and_is_recorded(toy):
    CHECKED.pop("good", None)
    response = toy.get("good")
    assert response.page.h1 == 1 and CHECKED["good"] == "toy-test"
    assert toy.get("good", lang="en").page.html_lang == "en"


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_every_broken_page_fails_by_default(toy, kind):
    with pytest.raises(AssertionError):
        toy.get("broken", kind=kind)
    assert "broken" not in CHECKED


def test_opting_out_needs_a_reason_and_is_not_recorded(toy):
    response = toy.get("broken", kind="two_h1", _skip_page_check="a test of the checks")
    assert response.page is None and "broken" not in CHECKED
    with pytest.raises(AssertionError, match="needs a reason"):
        toy.get("broken", kind="two_h1", _skip_page_check=" ")


def test_status_redirects_and_non_html(toy):
    with pytest.raises(AssertionError, match="expected 200, got 302"):
        toy.get("away")
    assert toy.get("away", _expected_status=302, _expected_redirect="/good").page is None
    assert "good" not in CHECKED
    followed = toy.get("away", _follow_redirects=True)
    assert followed.page is not None and "good" in CHECKED  # the page it landed on
    assert toy.get("json").page is None and "json" not in CHECKED
    assert (200, "application/json") in SEEN["json"]


def test_it_judges_only_a_whole_run(request, monkeypatch):
    every = {
        str(path.relative_to(ROOT)) for path in TESTS.rglob("test_*.py") if "vendor" not in path.parts
    }
    monkeypatch.setattr(conftest, "COLLECTED_MODULES", set(every))
    monkeypatch.setattr(conftest, "DESELECTED", [])
    assert _whole_suite_ran(request.config) is None
    monkeypatch.setattr(conftest, "DESELECTED", ["tests/citizen/test_scorecard.py::test_english"])
    assert "deselected" in _whole_suite_ran(request.config)
    monkeypatch.setattr(conftest, "DESELECTED", [])
    monkeypatch.setattr(conftest, "COLLECTED_MODULES", every - {"tests/api/test_api.py"})
    assert "not the whole suite" in _whole_suite_ran(request.config)


def test_an_unchecked_page_is_named(app):
    every = html_get_endpoints(app)
    assert {"citizen.home", "citizen.guide", "officer.dossier", "officer.login"} <= every
    assert not every & set(NOT_HTML)
    assert unchecked_pages(app, every) == []
    assert unchecked_pages(app, every - {"officer.roster"}) == ["officer.roster"]
