"""The counter officer's core journey in Chromium, JavaScript off and on: sign in, register a
dossier, open (print) the slip, mark the result ready, and see the citizen's SMS queued."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_register_slip_ready_and_sms_queued(page, live, js):
    from app.extensions import db
    from app.models import Dossier, Message

    applicant = f"Lê Văn Thử {'JS' if js else 'NOJS'}"

    sign_in(page, live, "admin")
    assert re.search(r"/officer/?$", page.url)

    # Register at the counter (nav link, not a typed URL: the officer would click it).
    with page.expect_navigation():
        page.click("header nav a[href='/officer/dossiers/new']")
    page.select_option("#procedure", index=1)
    page.fill("#applicant_name", applicant)
    page.fill("#phone", "0912 345 678")
    page.check("#sms_consent")
    with page.expect_navigation():  # not "Xem giấy tờ cần nhận", which only shows the checklist
        page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()

    # The slip: code, QR code (inline SVG), the applicant's name.
    match = re.search(r"/officer/dossiers/([A-Z]+-\d{6}-\d{4})/slip$", page.url)
    assert match, page.url
    code = match.group(1)
    # Printed with its check letters (issue 12, item 5): the code alone finds it.
    slip_code = page.locator(".slip-code").inner_text().strip()
    assert re.fullmatch(re.escape(code) + r"-[A-Z]{3}", slip_code), slip_code
    assert page.locator(".slip svg").count() == 1
    assert applicant in page.locator(".slip").inner_text()
    print_button = page.locator("button.js-print")
    # The print button is revealed by print.js only when scripts run; Ctrl+P works anyway.
    assert print_button.is_visible() is js

    # Open the dossier, mark the result ready.
    with page.expect_navigation():
        page.click(f"main a[href='/officer/dossiers/{code}']")
    page.select_option("#status", "ready")
    page.fill("#note", "Mời ông đến nhận kết quả.")
    with page.expect_navigation():
        page.click("main form[action$='/status'] button[type=submit]")
    assert page.url.endswith(f"/officer/dossiers/{code}")
    assert page.locator("[role=status]").count() == 1  # the flash message

    # The SMS for "received" and "ready" are in the outbox, and the dossier page shows them.
    def rows():
        d = db.session.scalars(sa.select(Dossier).where(Dossier.code == code)).one()
        msgs = db.session.scalars(
            sa.select(Message).where(Message.dossier_id == d.id).order_by(Message.id)
        ).all()
        return d.status, [(m.direction, m.status, m.body) for m in msgs]

    status, messages = live.query(rows)
    assert status == "ready"
    assert [m[:2] for m in messages] == [("out", "queued"), ("out", "queued")]
    table = page.locator("main table tbody tr")
    assert table.count() == 2
    ready_body = messages[1][2]
    assert code in ready_body
    assert ready_body in table.nth(1).inner_text()
