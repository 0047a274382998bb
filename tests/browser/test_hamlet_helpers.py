"""Issue 16, "done means": with JavaScript off, a citizen finds a hamlet's helper from the home
page in at most two taps — the home page's "Nhờ hỗ trợ nộp trên mạng" link (tap 1), then the
helper's phone, a ``tel:`` link (tap 2) — on the demo commune (app/demo/hamlets.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_hamlets_helper_is_two_taps_from_home_without_js(new_context, live):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/vb/")  # the commune's home (/ is the province's list of communes)
    link = page.get_by_role("link", name="Nhờ hỗ trợ nộp trên mạng")
    assert link.count() == 1 and link.is_visible()
    with page.expect_navigation():
        link.click()  # tap 1
    assert page.locator("h1").inner_text().strip() == "Nhờ hỗ trợ nộp trên mạng"
    section = page.locator("section", has=page.locator("h2", has_text="Ấp Bốn"))
    assert section.count() == 1
    phone = section.locator("a[href^='tel:']").first
    assert phone.is_visible()  # tap 2 calls the helper
    assert phone.get_attribute("href") == "tel:+84909000206"
    assert "Võ Thị Lan" in section.inner_text()
