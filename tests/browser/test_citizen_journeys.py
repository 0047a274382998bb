"""Every citizen journey in Chromium, with JavaScript off and again with it on (the ``page``
fixture is parametrised). The site must not need JavaScript for any of them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.browser


def _submit(page, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


def test_find_a_guide_by_search_and_read_it(page, live):
    page.goto("/vb/")  # the commune's home (/ is the province's list of communes)
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("#q", "khai sinh")
    with page.expect_navigation():
        page.press("#q", "Enter")
    assert "q=khai+sinh" in page.url
    link = page.locator("#results a", has_text=re.compile("khai sinh", re.I)).first
    assert link.count() == 1
    name = link.inner_text().strip()
    with page.expect_navigation():
        link.click()
    assert re.search(r"/vb/procedures/[a-z0-9-]+$", page.url)
    assert page.locator("h1").inner_text().strip() == name
    # The guide answers the citizen's three questions: what to bring, the steps, whom to call.
    assert page.locator("ul.docs li").count() >= 1
    assert page.locator("ol.steps li").count() >= 1
    assert page.locator("a[href^='tel:']").count() >= 1


def test_search_filters_by_field_without_js(page, live):
    page.goto("/vb/procedures")
    everything = page.locator("#results ul.list li").count()
    page.select_option("#field", "chung_thuc")
    _submit(page, "form.search button[type=submit]")
    assert "field=chung_thuc" in page.url
    some = page.locator("#results ul.list li").count()
    assert 0 < some < everything


def test_status_lookup_code_only_shows_no_personal_data(page, live):
    code, _last4, name = live.dossier("processing")
    page.goto("/vb/status")
    page.fill("#code", code.lower().replace("-", " "))  # any case, spaces instead of dashes
    _submit(page)
    result = page.locator("section.box")
    assert result.locator("h2").inner_text().strip() == code
    assert name not in page.content()
    assert page.locator("ol.timeline").count() == 0


def test_status_lookup_with_phone_digits_shows_timeline(page, live):
    code, last4, name = live.dossier("processing")
    page.goto("/vb/status")
    page.fill("#code", code)
    page.fill("#digits", last4)
    _submit(page)
    assert name in page.locator("main").inner_text()
    assert page.locator("ol.timeline li").count() >= 1


def test_status_lookup_wrong_digits_keeps_input(page, live):
    code, last4, name = live.dossier("processing")
    wrong = "0000" if last4 != "0000" else "1111"
    page.goto("/vb/status")
    page.fill("#code", code)
    page.fill("#digits", wrong)
    _submit(page)
    assert page.locator("[role=alert]").count() == 1
    assert page.input_value("#code") == code
    assert page.input_value("#digits") == wrong
    assert name not in page.content()


def test_read_contacts(page, live):
    page.goto("/vb/")  # the commune's home (/ is the province's list of communes)
    with page.expect_navigation():
        page.click("header nav a[href='/vb/contacts']")
    assert page.locator("main section.box").count() >= 4
    tels = page.locator("main a[href^='tel:']")
    assert tels.count() >= 4
    assert page.locator("main a[href$='.vcf']").count() == page.locator("main section.box").count()


def test_leave_feedback(page, live, js):
    from app.extensions import db
    from app.models import Feedback

    comment = f"Cán bộ nhiệt tình ({'js' if js else 'no js'})"
    page.goto("/vb/feedback")
    page.check("input[name=rating][value='5']")
    page.fill("#comment", comment)
    _submit(page)
    assert page.url.endswith("/vb/feedback/thanks")
    stored = live.query(
        lambda: db.session.scalars(sa.select(Feedback).where(Feedback.comment == comment)).all()
    )
    assert len(stored) == 1 and stored[0].rating == 5


def test_feedback_empty_form_is_refused_and_says_why(page, live):
    page.goto("/vb/feedback")
    _submit(page)
    assert page.url.endswith("/vb/feedback")
    assert page.locator("[role=alert]").count() == 1
    assert page.locator(".field-error").count() >= 1


def test_switch_language_and_it_is_remembered(page, live):
    page.goto("/vb/")  # the commune's home (/ is the province's list of communes)
    with page.expect_navigation():
        page.click("nav.lang a[hreflang=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.lang a[hreflang=vi]").count() == 1  # the way back
    page.goto("/vb/procedures")  # no ?lang=: the session remembers
    assert page.locator("html").get_attribute("lang") == "en"
    # Guides come from the database in the chosen language.
    assert "Birth registration" in page.locator("#results").inner_text()
    with page.expect_navigation():
        page.click("nav.lang a[hreflang=vi]")
    assert page.locator("html").get_attribute("lang") == "vi"


def test_live_search_loads_htmx_only_after_typing(new_context, live):
    """With JS on, typing on /procedures fetches htmx (lazily) and swaps in the results."""
    context = new_context(java_script_enabled=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/vb/procedures")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requested if "htmx" in u], "htmx fetched before anyone typed"
    everything = page.locator("#results ul.list li").count()

    with page.expect_request(lambda r: "/static/js/htmx.min.js" in r.url):
        with page.expect_response(
            lambda r: "/vb/procedures?" in r.url and r.request.headers.get("hx-request") == "true"
        ) as fragment:
            page.locator("#q").press_sequentially("chung thuc", delay=20)
    assert fragment.value.ok
    assert "<html" not in fragment.value.text()  # a fragment, not a whole page
    page.wait_for_function(
        "n => document.querySelectorAll('#results ul.list li').length < n", arg=everything
    )
    assert re.search(r"q=chung(\+|%20)thuc", page.url), page.url  # hx-push-url: shareable
    assert page.locator("#results ul.list li").count() >= 1
    assert len([u for u in requested if "htmx" in u]) == 1
