"""Accessibility in Chromium: axe-core on every citizen page and every officer page (signed in
as admin), no horizontal scrolling at 240×320 (KaiOS) and 360×640, and tap targets of at
least 24×24 CSS px (WCAG 2.2 AA, 2.5.8 Target Size (Minimum)).

axe-core is vendored (``vendor/axe.min.js``, npm ``axe-core``, MPL-2.0, licence header kept)
and injected with ``add_script_tag``. The site's CSP rightly refuses injected scripts, so
only the axe contexts are opened with Playwright's ``bypass_csp=True``; every other browser
test runs under the real CSP.

Officer pages are found from ``app.url_map`` (GET endpoints of the ``officer`` blueprint), so a
page added tomorrow is checked without touching this file; URL arguments are filled from the
demo data (``_ARGS``). An endpoint with an argument we cannot fill fails the test, so it is
never silently skipped.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.browser.conftest import HERE, citizen_pages

pytestmark = pytest.mark.browser

AXE = HERE / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
VIEWPORTS = [(240, 320), (360, 640)]
MIN_TARGET = 24  # CSS px, WCAG 2.2 SC 2.5.8


# ----------------------------------------------------------------------------- pages


def _demo_args(live) -> dict[str, str]:
    """Values for URL arguments of officer pages, taken from the demo data."""
    from app.extensions import db
    from app.models import DossierEvent, Feedback, Message, Officer, Procedure

    def read():
        # A dossier with a printed paper (an apology, issue 15), so its paper page opens too.
        paper = db.session.scalars(sa.select(DossierEvent).where(DossierEvent.kind == "apology")
                                   .order_by(DossierEvent.id)).first()
        return {
            "code": paper.dossier.code,
            "event_id": str(paper.id),
            "slug": db.session.scalars(
                sa.select(Procedure.slug).order_by(Procedure.position, Procedure.id)
            ).first(),
            "lang": "vi",
            "officer_id": str(
                db.session.scalars(sa.select(Officer.id).where(Officer.username == "canbo")).one()
            ),
            "item_id": str(db.session.scalars(sa.select(Feedback.id)).first()),
            "phone": db.session.scalars(sa.select(Message.phone).order_by(Message.id)).first(),
            "table": "summary",
        }

    return live.query(read)


# Where one argument name means different things: the portal's CSVs are named after its tables.
ENDPOINT_ARGS = {"officer.portal_csv": {"table": "outages"},
                 "officer.hamlet_figures_csv": {"table": "hamlets"}}


def officer_pages(live) -> list[tuple[str, str]]:
    """(endpoint, path) of every officer GET page, arguments filled from the demo data."""
    from flask import url_for

    args = _demo_args(live)
    pages, unfilled = [], []
    with live.app.test_request_context():
        for rule in live.app.url_map.iter_rules():
            if not rule.endpoint.startswith("officer.") or "GET" not in rule.methods:
                continue
            if rule.endpoint == "officer.login":
                continue  # a public page: checked with the citizen pages
            roles = getattr(live.app.view_functions[rule.endpoint], "required_roles", ())
            if roles and "admin" not in roles:
                continue  # the province's pages (issue 13): not for a commune admin
            values = {**args, **ENDPOINT_ARGS.get(rule.endpoint, {})}
            missing = [a for a in rule.arguments if a not in values]
            if missing:
                unfilled.append((rule.endpoint, missing))
                continue
            pages.append((rule.endpoint, url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})))
    assert not unfilled, f"officer pages with URL arguments the a11y test cannot fill: {unfilled}"
    return sorted(pages)


def _html_pages(page, pages):
    """Open each page; yield (name, path) for those that answered HTML (not CSV or vCard)."""
    for name, path in pages:
        # Ask first: a CSV or vCard answer would start a download instead of a page.
        probe = page.request.get(path, max_redirects=0)
        if "text/html" not in (probe.headers.get("content-type") or ""):
            assert probe.status == 200, (name, path, probe.status)
            continue
        response = page.goto(path)
        assert response is not None and response.status == 200, (name, path, response and response.status)
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        yield name, path


def _all_pages(live):
    return [("citizen", citizen_pages(live)), ("officer", officer_pages(live))]


def _context(new_context, admin_state, audience: str, **kw):
    if audience == "officer":
        kw["storage_state"] = admin_state
    return new_context(**kw)


# ----------------------------------------------------------------------------- axe


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


@pytest.mark.parametrize("audience", ["citizen", "officer"])
def test_axe_finds_no_serious_or_critical_violation(audience, new_context, admin_state, live):
    # bypass_csp: only so that axe itself can be injected; see the module docstring.
    context = _context(new_context, admin_state, audience, bypass_csp=True)
    page = context.new_page()
    pages = dict(_all_pages(live))[audience]
    problems, checked = {}, 0
    for name, path in _html_pages(page, pages):
        checked += 1
        violations = _axe(page)
        if violations:
            problems[f"{name} {path}"] = violations
    assert checked >= (10 if audience == "citizen" else 5)
    if problems:
        pytest.fail("axe violations:\n" + json.dumps(problems, ensure_ascii=False, indent=1))


# ----------------------------------------------------------------------------- small screens


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=["240x320", "360x640"])
@pytest.mark.parametrize("audience", ["citizen", "officer"])
def test_no_horizontal_scroll(audience, width, height, new_context, admin_state, live):
    context = _context(
        new_context, admin_state, audience, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    too_wide = {}
    for name, path in _html_pages(page, dict(_all_pages(live))[audience]):
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            culprits = page.evaluate(
                """w => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > w + 0.5)
                    .slice(0, 5).map(e => e.tagName.toLowerCase() +
                        (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))""",
                client,
            )
            too_wide[f"{name} {path}"] = (scroll, client, culprits)
    if too_wide:
        pytest.fail("horizontal scroll:\n" + json.dumps(too_wide, ensure_ascii=False, indent=1))


_TARGETS_JS = """min => {
    const out = [];
    for (const e of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
        if (e.type === 'hidden') continue;
        const r = e.getBoundingClientRect();
        const s = getComputedStyle(e);
        if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') continue;
        if (e.closest('.sr') || e.closest('.skip')) continue;  // visually hidden until focused
        if (r.width < min - 0.01 || r.height < min - 0.01) {
            out.push({tag: e.tagName.toLowerCase(), text: (e.innerText || e.name || e.id || '')
                .trim().slice(0, 40), w: Math.round(r.width * 10) / 10,
                h: Math.round(r.height * 10) / 10});
        }
    }
    return out;
}"""


@pytest.mark.parametrize("audience", ["citizen", "officer"])
def test_tap_targets_at_least_24px(audience, new_context, admin_state, live):
    context = _context(new_context, admin_state, audience, viewport={"width": 360, "height": 640})
    page = context.new_page()
    small = {}
    for name, path in _html_pages(page, dict(_all_pages(live))[audience]):
        found = page.evaluate(_TARGETS_JS, MIN_TARGET)
        if found:
            small[f"{name} {path}"] = found
    if small:
        pytest.fail("targets under 24×24 px:\n" + json.dumps(small, ensure_ascii=False, indent=1))
