"""Issue 12, items 3 and 18: texts the public can trigger go only to Vietnamese mobile numbers
and within a daily budget per commune; the demo's citizens can never be texted."""

from __future__ import annotations

from datetime import datetime

import phonenumbers
import pytest
import sqlalchemy as sa
from flask import g

from app.dossiers import change_status
from app.models import Dossier, Message
from app.phones import DEMO_PHONE_PREFIX, is_demo_phone, is_vietnamese_mobile
from app.sms.worker import run_once
from tests.support import sms_support
from tests.support.desk import sign_in
from tests.support.helpers import csrf_token

demo = sms_support.demo
SLUG = "dang-ky-khai-sinh"
FORM = f"/vb/procedures/{SLUG}/sms"


def send_guide(client, phone: str, ip: str = "10.0.0.1"):
    # The ``db`` fixture keeps an app context open, so ``g`` (where Flask-WTF keeps the token
    # it generated) outlives a request here; in production each request has its own.
    g.pop("csrf_token", None)
    token = csrf_token(client, FORM)
    return client.post(FORM, data={"phone": phone, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def outgoing(db, kind: str) -> list[Message]:
    return list(db.session.scalars(
        sa.select(Message).where(Message.kind == kind, Message.direction == "out")))


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("+84912345678", True), ("0987 654 321", True), ("+84 391 234 567", True),
        ("+44 7911 123456", False),  # a UK mobile
        ("+1 900 555 1234", False),  # US premium
        ("+881 6 1234 5678", False),  # satellite
        ("+84 1900 1234", False),  # Vietnamese premium-rate
        ("+84 1800 1234", False),  # toll-free
        ("024 3825 1234", False),  # a Hanoi landline
        ("+84 272 3800 100", False),  # a landline
        (DEMO_PHONE_PREFIX + "123456", False),
    ],
)
def test_only_vietnamese_mobiles(phone, ok) -> None:
    assert is_vietnamese_mobile(phonenumbers.format_number(
        phonenumbers.parse(phone, "VN"), phonenumbers.PhoneNumberFormat.E164)) is ok


@pytest.mark.parametrize("phone", ["+44 7911 123456", "+1 900 555 1234", "+881 6 1234 5678",
                                   "+84 1900 1234", "1900 1234", "+84 1800 1234",
                                   "024 3825 1234"])
def test_the_guide_form_refuses_what_is_not_a_vietnamese_mobile(client, db, demo, phone) -> None:
    response = send_guide(client, phone)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert ("Chỉ gửi được tới số di động Việt Nam" in html
            or "Số điện thoại không đúng" in html), html
    assert f'value="{phone}"' in html  # what was typed is kept
    assert outgoing(db, "guide") == []


def test_the_refusal_is_translated(client, db, demo) -> None:
    client.get(f"{FORM}?lang=en")
    response = send_guide(client, "+44 7911 123456")
    assert response.status_code == 400
    assert "Vietnamese mobile" in response.get_data(as_text=True)


def test_answers_to_texts_from_abroad_or_premium_numbers_are_not_sent(app, client, db, demo,
                                                                      monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", sms_support.TOKEN)
    for sender in ("+447911123456", "+19005551234", "+8419001234", "+84912345678"):
        response = sms_support.post_signed(client, "/sms/twilio",
                                           sms_support.inbound_params("HD KS", sender=sender))
        assert response.status_code == 200
    stored = db.session.scalars(sa.select(Message.phone).where(Message.direction == "in")).all()
    assert len(stored) == 4  # every text is kept for the officers
    assert [m.phone for m in outgoing(db, "reply")] == ["+84912345678"]


def test_the_daily_budget(app, client, db, demo, clock, make_officer, login, monkeypatch
                          ) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_SMS_DAILY_BUDGET", 3)
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", sms_support.TOKEN)
    clock.local(datetime(2026, 3, 9, 9, 0))
    assert send_guide(client, "0912 000 001", ip="10.0.0.1").status_code == 302
    assert send_guide(client, "0912 000 002", ip="10.0.0.2").status_code == 302
    # An answered text counts too: the third public-triggered text of the day.
    reply = sms_support.post_signed(client, "/sms/twilio",
                                    sms_support.inbound_params("HD KS", sender="+84912000003"))
    assert "<Message>" in reply.get_data(as_text=True)

    refused = send_guide(client, "0912 000 004", ip="10.0.0.4")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "đã gửi hết số tin nhắn hướng dẫn" in html and 'value="0912 000 004"' in html
    assert len(outgoing(db, "guide")) == 2

    # A text over budget is stored and flagged for an officer, not answered …
    sms_support.post_signed(client, "/sms/twilio",
                            sms_support.inbound_params("TT VB-1", sender="+84912000005"))
    last_in = db.session.scalars(sa.select(Message).where(Message.direction == "in")
                                 .order_by(Message.id.desc())).first()
    assert last_in.needs_attention and last_in.phone == "+84912000005"
    assert [m.phone for m in outgoing(db, "reply")] == ["+84912000003"]
    # … but STOP is always confirmed.
    stop = sms_support.post_signed(client, "/sms/twilio",
                                   sms_support.inbound_params("HUY", sender="+84912000006"))
    assert stop.status_code == 200
    assert "+84912000006" in [m.phone for m in outgoing(db, "reply")]

    # The admin sees why on the officer home page.
    sign_in(client, make_officer, login, role="admin", username="root")
    home = client.get("/officer/").get_data(as_text=True)
    assert 'role="alert"' in home and "Đã hết hạn mức tin nhắn công khai hôm nay" in home

    # The next day in the commune, the budget starts again.
    clock.local(datetime(2026, 3, 10, 9, 5))
    assert "hạn mức tin nhắn công khai" not in client.get("/officer/").get_data(as_text=True)
    again = send_guide(client, "0912 000 007", ip="10.0.0.7")
    assert again.status_code == 302, again.get_data(as_text=True)


def test_no_alert_below_the_budget(client, db, demo, make_officer, login) -> None:
    sign_in(client, make_officer, login, role="admin", username="root")
    assert "hạn mức tin nhắn công khai" not in client.get("/officer/").get_data(as_text=True)


# -- item 18: the demo ---------------------------------------------------------------------------


@pytest.fixture
def loaded(runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def test_demo_citizens_have_numbers_that_can_never_be_delivered(db, loaded) -> None:
    phones = db.session.scalars(sa.select(Dossier.phone)).all()
    assert len(phones) >= 40
    for phone in phones:
        assert is_demo_phone(phone), phone
        assert not phonenumbers.is_valid_number(phonenumbers.parse(phone, "VN")), phone


def test_demo_history_never_enters_the_outbox(app, db, loaded) -> None:
    queued = db.session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.direction == "out", Message.status.in_(("queued", "sending"))))
    assert queued == 0
    app.config["SMS_QUIET_START"], quiet = "", app.config["SMS_QUIET_START"]
    try:
        assert run_once("w1").claimed == 0
    finally:
        app.config["SMS_QUIET_START"] = quiet


def test_the_worker_refuses_demo_numbers(app, db, loaded, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "SMS_QUIET_START", "")
    monkeypatch.setitem(app.config, "SMS_QUIET_END", "")
    dossier = db.session.scalars(sa.select(Dossier).where(
        Dossier.status == "processing", Dossier.sms_consent.is_(True))).first()
    change_status(dossier, "ready", None)  # a new event after the load: it is queued …
    [message] = db.session.scalars(sa.select(Message).where(
        Message.dossier_id == dossier.id, Message.status == "queued")).all()
    stats = run_once("w1")
    db.session.expire_all()
    assert stats.failed == 1 and stats.sent == 0  # … and refused, never handed to a channel
    assert message.status == "failed" and message.last_error == "demo number: never sent"


def test_the_officers_sandbox_does_not_spend_the_budget(db, demo) -> None:
    from app.sms.outbox import queue_message
    from app.sms.public_budget import budget_state

    queue_message(office_id=demo.id, phone="+84912000001", body="x", kind="reply", channel="try")
    queue_message(office_id=demo.id, phone="+84912000002", body="x", kind="guide")
    queue_message(office_id=demo.id, phone="+84912000003", body="x", kind="notify")
    db.session.commit()
    assert budget_state(demo).used == 1
