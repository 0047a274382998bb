"""Twilio webhooks, signed with the SDK's real RequestValidator: inbound texts answered with
TwiML, delivery callbacks, bad signatures, proxies, retries."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import Message, PhonePreference
from app.sms.channels.twilio_channel import TwilioChannel
from app.sms.gsm import count_segments
from app.sms.outbox import queue_message
from tests.support import sms_support
from tests.support.fakes.twilio_server import DEFAULT_SENDER
from tests.support.sms_support import TOKEN, inbound_params, new_sid, post_signed, signed

demo = sms_support.demo  # fixture shared by the SMS tests

INBOUND = "/sms/twilio"
STATUS = "/sms/twilio/status"
OWNER = "+84912345678"


@pytest.fixture(autouse=True)
def twilio_config(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")


def messages(db, direction: str | None = None) -> list[Message]:
    query = sa.select(Message).order_by(Message.id)
    if direction:
        query = query.where(Message.direction == direction)
    return list(db.session.scalars(query))


def twiml_body(response) -> str | None:
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    found = root.find("Message")
    return found.text if found is not None else None


# ------------------------------------------------------------------------------ inbound


@pytest.mark.parametrize(
    "text, expect",
    [
        ("DS", "Tu khoa thu tuc"),
        ("ds", "Tu khoa thu tuc"),
        ("HD KS", "(HD KS)"),
        ("hướng dẫn khai sinh", "(HD KS)"),
        ("TT", "Soan TT <ma ho so>"),
        ("TT VB-200101-0001", "Khong tim thay ho so VB-200101-0001"),
        ("alo alo", "Da chuyen tin toi can bo xa."),
        ("HUY", "Da ngung gui tin nhan"),
        ("GY cam on can bo", "Cam on ban da gop y"),
    ],
)
def test_inbound_is_answered_with_twiml_and_stored(db, demo, client, text, expect):
    params = inbound_params(text)
    response = post_signed(client, INBOUND, params)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    body = twiml_body(response)
    assert expect in body
    inbound, reply = messages(db, "in"), messages(db, "out")
    replies = [m for m in reply if m.kind == "reply"]
    assert [(m.channel, m.provider_id, m.body, m.phone) for m in inbound] == [
        ("twilio", params["MessageSid"], text, OWNER)
    ]
    # Sent inside the TwiML answer: stored as sent, never queued for the worker.
    assert [(m.status, m.channel, m.provider_id, m.body) for m in replies] == [
        ("sent", "twilio", None, body)
    ]


@pytest.mark.parametrize("opt_word", ["STOP", "START"])
def test_twilio_opt_words_get_an_empty_answer(db, demo, client, opt_word):
    response = post_signed(client, INBOUND, inbound_params(opt_word))
    assert response.status_code == 200 and twiml_body(response) is None
    assert len(messages(db, "in")) == 1


def test_retried_message_sid_is_answered_once_and_stored_once(db, demo, client):
    params = inbound_params("HD KS")
    first = post_signed(client, INBOUND, params)
    again = post_signed(client, INBOUND, params)
    assert first.status_code == again.status_code == 200
    # Twilio retries only when it did not get our answer, so it gets the same one again.
    assert twiml_body(again) == twiml_body(first)
    assert len(messages(db, "in")) == 1
    assert len([m for m in messages(db, "out") if m.kind == "reply"]) == 1


def test_office_is_chosen_by_the_to_number(db, demo, make_office, client):
    other = make_office("DT", name="UBND xã Đông Thạnh", sms_number="+84909000200")
    post_signed(client, INBOUND, inbound_params("DS", to="+84909000200"))
    post_signed(client, INBOUND, inbound_params("DS", to="+15005550006"))  # unknown: default
    assert [m.office_id for m in messages(db, "in")] == [other.id, demo.id]


def test_local_sender_number_is_normalised(db, demo, client):
    post_signed(client, INBOUND, inbound_params("DS", sender="84912345678"))
    assert messages(db, "in")[0].phone == OWNER


# ------------------------------------------------------------------------------ signatures


@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_missing_signature_is_403_and_stores_nothing(db, demo, client, path):
    response = client.post(path, data=inbound_params("DS"))
    assert response.status_code == 403
    assert not messages(db, "in")


def test_tampered_body_is_403(db, demo, client):
    params = inbound_params("DS")
    headers = signed("http://localhost" + INBOUND, params)
    response = client.post(INBOUND, data=params | {"Body": "HUY"}, headers=headers)
    assert response.status_code == 403
    assert not messages(db, "in")
    assert db.session.get(PhonePreference, OWNER) is None


def test_wrong_token_is_403(db, demo, client):
    response = post_signed(client, INBOUND, inbound_params("DS"), token="not-our-token")
    assert response.status_code == 403 and not messages(db, "in")


def test_signature_for_another_url_is_403(db, demo, client):
    response = post_signed(client, INBOUND, inbound_params("DS"),
                           sign_url="http://localhost/sms/other")
    assert response.status_code == 403


def test_no_auth_token_configured_refuses_everything(db, demo, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "")
    assert post_signed(client, INBOUND, inbound_params("DS")).status_code == 403


def test_behind_a_proxy_the_public_url_is_what_twilio_signed(db, demo, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://motcua.vinhbuu.gov.vn")
    params = inbound_params("DS")
    # Twilio signed the public https URL; the app sees http://10.0.0.5 from the proxy.
    ok = post_signed(client, INBOUND + "?src=tw", params, base="http://10.0.0.5:8000",
                     sign_url="https://motcua.vinhbuu.gov.vn/sms/twilio?src=tw")
    assert ok.status_code == 200 and twiml_body(ok).startswith("Tu khoa thu tuc")
    internal = post_signed(client, INBOUND, inbound_params("DS"), base="http://10.0.0.5:8000")
    assert internal.status_code == 403  # signed over the internal URL: not what Twilio signs
    assert len(messages(db, "in")) == 1


def test_webhooks_need_no_csrf_token(db, demo, client):
    # the app fixture has CSRF on; a signed Twilio post has no token and must still pass
    assert post_signed(client, INBOUND, inbound_params("DS")).status_code == 200


def test_signed_request_without_sender_is_400(db, demo, client):
    params = inbound_params("DS")
    del params["From"]
    assert post_signed(client, INBOUND, params).status_code == 400
    assert not messages(db, "in")


# ------------------------------------------------------------------------------ status callbacks


@pytest.fixture
def sent_via_fake(db, demo, fake_twilio, app, monkeypatch):
    """One outgoing text really sent through the channel to the local Twilio stand-in, the way
    the worker does it; returns (message, sid)."""
    channel = TwilioChannel(fake_twilio.account_sid, fake_twilio.auth_token, from_=DEFAULT_SENDER,
                            api_base_url=fake_twilio.base_url, timeout=5)
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", fake_twilio.auth_token)
    message = queue_message(office_id=demo.id, phone=OWNER, body="Xin chao", kind="manual")
    db.session.commit()
    result = channel.send(OWNER, message.body,
                          status_callback="http://localhost/sms/twilio/status")
    message.channel, message.provider_id, message.status = "twilio", result.provider_id, "sent"
    db.session.commit()
    return message, result.provider_id


def test_delivered_callback(db, client, fake_twilio, sent_via_fake):
    message, sid = sent_via_fake
    response = fake_twilio.deliver(sid, "delivered", client=client)
    assert response.status_code == 200
    db.session.refresh(message)
    assert message.status == "delivered" and message.delivered_at is not None


@pytest.mark.parametrize("status, code", [("failed", 30003), ("undelivered", None)])
def test_failed_callback_records_the_error(db, client, fake_twilio, sent_via_fake, status, code):
    message, sid = sent_via_fake
    assert fake_twilio.deliver(sid, status, client=client, error_code=code).status_code == 200
    db.session.refresh(message)
    assert message.status == "failed"
    assert str(code or 30008) in message.last_error


def test_opted_out_error_remembers_the_stop(db, client, fake_twilio, sent_via_fake):
    message, sid = sent_via_fake
    fake_twilio.deliver(sid, "failed", client=client, error_code=21610)
    assert db.session.get(PhonePreference, OWNER).opted_out is True


def test_late_sent_does_not_undo_delivered(db, client, fake_twilio, sent_via_fake):
    message, sid = sent_via_fake
    fake_twilio.deliver(sid, "delivered", client=client)
    fake_twilio.deliver(sid, "sent", client=client)
    db.session.refresh(message)
    assert message.status == "delivered"


def test_unknown_sid_is_200_and_changes_nothing(db, demo, client):
    before = [(m.id, m.status) for m in messages(db)]
    params = {"MessageSid": new_sid(), "MessageStatus": "delivered", "To": OWNER}
    response = post_signed(client, STATUS, params)
    assert response.status_code == 200
    assert [(m.id, m.status) for m in messages(db)] == before


def test_unsigned_callback_changes_nothing(db, client, fake_twilio, sent_via_fake):
    message, sid = sent_via_fake
    callback = fake_twilio.status_callback(sid, "delivered")
    response = client.post(STATUS, data=callback.params)  # no signature header
    assert response.status_code == 403
    db.session.refresh(message)
    assert message.status == "sent"


# ------------------------------------------------------------------------------ property


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.text(max_size=1600), n=st.integers(0, 9_999_999))
def test_any_signed_text_is_answered_within_budget(db, demo, client, text, n):
    params = inbound_params(text, sender=f"+8497{n:07d}")
    response = post_signed(client, INBOUND, params)
    assert response.status_code == 200
    body = twiml_body(response)
    if body is not None:
        inbound = db.session.scalars(
            sa.select(Message).where(Message.provider_id == params["MessageSid"])
        ).one()
        limit = {"status": 1, "guide": 3}.get(inbound.kind, 2)
        assert count_segments(body).segments <= limit
