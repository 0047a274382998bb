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


def test_every_html_page_was_page_checked(app, request):
    reason = _whole_suite_ran(request.config)
    if reason:
        pytest.skip(reason)
    unchecked = sorted(html_get_endpoints(app) - set(CHECKED))
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
