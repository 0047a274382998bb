"""The Android phone gateway channel, end to end over real HTTP.

Sending goes through the real PyPI client (``android-sms-gateway``) to
:class:`tests.support.fakes.android_gateway.FakeAndroidGateway` on 127.0.0.1; webhooks are signed by the
fake exactly as the phone signs them and posted to ``POST /sms/android`` (through the Flask test
client, and once over a real socket). Nothing leaves the machine, and nothing sleeps: the send
rate limiter runs on a fake clock.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa
from android_sms_gateway import ProcessState
from android_sms_gateway.errors import APIError
from werkzeug.serving import make_server

from app.models import GatewayStatus, Message, utcnow
from app.sms.android import inbound_id
from app.sms.android_cli import android_webhooks
from app.sms.channels import ChannelConfigError, get_channel
from app.sms.channels import android_channel as ac
from app.sms.channels.android_channel import (
    AndroidChannel,
    AndroidSettings,
    SendRateLimiter,
    register_webhooks,
    sign_webhook,
    verify_webhook,
)
from app.sms.channels.base import (
    Delivery,
    PermanentError,
    PermanentReason,
    TemporaryError,
    TemporaryReason,
)
from app.sms.fallback import fallback_channel, queue_fallback
from app.sms.outbox import queue_message
from app.sms.worker import run_once
from tests.support.fakes.android_gateway import DEFAULT_SIGNING_KEY, FakeAndroidGateway, sign

CITIZEN = "+84912345678"
BODY = "Ho so VB-240101-0001 da co ket qua, moi ong/ba den UBND xa nhan."


# -- fixtures -------------------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock that only moves when the limiter "sleeps"."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def phone() -> Iterator[FakeAndroidGateway]:
    with FakeAndroidGateway() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh_limiters() -> Iterator[None]:
    ac.reset_limiters()
    yield
    ac.reset_limiters()


@pytest.fixture
def android_config(app, db, phone, monkeypatch):
    """Point the app at the fake phone. The send rate is high so that nothing waits, except
    in the tests that install a fake-clock limiter."""
    values = {
        "ANDROID_GATEWAY_URL": phone.base_url,
        "ANDROID_GATEWAY_USER": phone.user,
        "ANDROID_GATEWAY_PASSWORD": phone.password,
        "ANDROID_WEBHOOK_SIGNING_KEY": DEFAULT_SIGNING_KEY,
        "ANDROID_SEND_RATE": 600000.0,
        "SMS_QUIET_START": "",  # the worker must not hold texts for the night in these tests
        "SMS_QUIET_END": "",
    }
    for key, value in values.items():
        monkeypatch.setitem(app.config, key, value)
    return values


@pytest.fixture
def office(make_office, db):
    office = make_office()
    office.sms_channel = "android"
    db.session.commit()
    return office


def channel_for(phone: FakeAndroidGateway, **kw) -> AndroidChannel:
    settings = AndroidSettings(phone.base_url, phone.user, phone.password, timeout=5.0)
    kw.setdefault("limiter", None)
    return AndroidChannel(settings, **kw)


def post(client, phone: FakeAndroidGateway, event: str, payload: dict, **kw):
    body, headers = phone.webhook(event, payload, **kw)
    return client.post("/sms/android", data=body, headers=headers)


def messages(db, **where) -> list[Message]:
    query = sa.select(Message).order_by(Message.id)
    for key, value in where.items():
        query = query.where(getattr(Message, key) == value)
    return list(db.session.scalars(query))


def queue_notice(db, office, phone_number: str = CITIZEN, body: str = BODY, **kw) -> Message:
    message = queue_message(office_id=office.id, phone=phone_number, body=body,
                            kind=kw.pop("kind", "notify"), **kw)
    db.session.commit()
    return message


# -- signatures -----------------------------------------------------------------------------------

RAW = b'{"event":"sms:received","payload":{"message":"TT"}}'
NOW = 1_750_000_000


@pytest.mark.parametrize(
    ("timestamp", "signature", "key", "expected"),
    [
        (str(NOW), sign(RAW, str(NOW), "k"), "k", True),
        (str(NOW - 299), sign(RAW, str(NOW - 299), "k"), "k", True),
        (str(NOW + 299), sign(RAW, str(NOW + 299), "k"), "k", True),
        (str(NOW), sign(RAW, str(NOW), "k").upper(), "k", True),  # hex case does not matter
        (str(NOW - 301), sign(RAW, str(NOW - 301), "k"), "k", False),  # stale: a replay
        (str(NOW + 301), sign(RAW, str(NOW + 301), "k"), "k", False),  # from the future
        (str(NOW), sign(RAW, str(NOW), "other"), "k", False),  # another key
        (str(NOW), sign(RAW + b" ", str(NOW), "k"), "k", False),  # body changed
        (str(NOW + 1), sign(RAW, str(NOW), "k"), "k", False),  # timestamp changed
        (str(NOW), "", "k", False),
        ("", sign(RAW, "", "k"), "k", False),
        (None, None, "k", False),
        (str(NOW), sign(RAW, str(NOW), ""), "", False),  # no key configured: refuse all
        ("17e8", sign(RAW, "17e8", "k"), "k", False),
        (f"{NOW}.0", sign(RAW, f"{NOW}.0", "k"), "k", False),
    ],
)
def test_verify_webhook(timestamp, signature, key, expected) -> None:
    assert verify_webhook(RAW, timestamp, signature, key, NOW) is expected


def test_sign_matches_the_fake_and_accepts_datetime_now() -> None:
    from datetime import UTC, datetime

    assert sign_webhook(RAW, "123", "k") == sign(RAW, "123", "k")
    when = datetime.fromtimestamp(NOW, UTC)
    assert verify_webhook(RAW, str(NOW), sign(RAW, str(NOW), "k"), "k", when)
    assert verify_webhook(RAW, str(NOW), sign(RAW, str(NOW), "k"), "k", when.replace(tzinfo=None))


# -- sending --------------------------------------------------------------------------------------


def test_send_ok_through_the_real_client(phone: FakeAndroidGateway) -> None:
    result = channel_for(phone).send(CITIZEN, BODY)

    [sent] = phone.messages
    assert result.provider_id == sent.id and len(sent.id) == 21
    assert result.status == "pending"
    assert sent.text == BODY and sent.phone_numbers == [CITIZEN]
    assert sent.with_delivery_report is True
    assert sent.raw["textMessage"] == {"text": BODY}
    assert phone.requests == [("POST", "/messages")]
    assert channel_for(phone).message_state(sent.id) == "pending"


def test_wrong_password_is_permanent(phone: FakeAndroidGateway) -> None:
    settings = AndroidSettings(phone.base_url, phone.user, "wrong", timeout=5.0)
    with pytest.raises(PermanentError) as err:
        AndroidChannel(settings, limiter=None).send(CITIZEN, BODY)
    assert err.value.code == "401"
    assert err.value.reason is PermanentReason.UNAUTHORIZED
    assert phone.unauthorised == 1 and phone.messages == []


def test_refused_number_is_permanent(phone: FakeAndroidGateway) -> None:
    phone.rejected.add("+842723800100")
    with pytest.raises(PermanentError) as err:
        channel_for(phone).send("+842723800100", BODY)
    assert err.value.code == "400"
    assert err.value.reason is PermanentReason.REJECTED
    assert "invalid phone number" in str(err.value)


@pytest.mark.parametrize("how", ["503", "refuse"])
def test_offline_is_temporary_then_back_online_sends(phone: FakeAndroidGateway, how) -> None:
    channel = channel_for(phone)
    phone.offline(how)
    with pytest.raises(TemporaryError) as err:
        channel.send(CITIZEN, BODY)
    assert (err.value.code == "503") if how == "503" else ("unreachable" in str(err.value))
    assert err.value.reason is TemporaryReason.UNAVAILABLE
    assert phone.messages == []

    phone.online()
    result = channel.send(CITIZEN, BODY)
    assert [m.id for m in phone.messages] == [result.provider_id]


# -- what the gateway's answers mean -------------------------------------------------------------

#: Every HTTP status the gateway is known to answer with, and what it must mean. Written out
#: here so that a wrong entry in HTTP_MEANINGS fails, and compared with it so that a new entry
#: there needs a line here.
KNOWN_STATUSES = {
    400: PermanentReason.REJECTED,  # invalid phone number, empty text: it does not say which
    401: PermanentReason.UNAUTHORIZED,
    403: PermanentReason.UNAUTHORIZED,
    429: TemporaryReason.THROTTLED,
    500: TemporaryReason.UNAVAILABLE,
    502: TemporaryReason.UNAVAILABLE,  # the cloud relay cannot reach the phone
    503: TemporaryReason.UNAVAILABLE,
    504: TemporaryReason.TIMEOUT,
}


def test_every_known_status_has_a_meaning_in_the_table() -> None:
    assert ac.HTTP_MEANINGS == KNOWN_STATUSES


@pytest.mark.parametrize(("status", "reason"), sorted(KNOWN_STATUSES.items()))
def test_each_gateway_answer_means_what_it_says(status: int, reason) -> None:
    from_client = ac.classify_error(APIError("refused", status, {"message": "no"}))
    response = requests.Response()
    response.status_code = status
    from_requests = ac.classify_error(requests.HTTPError(response=response))

    expected = TemporaryError if isinstance(reason, TemporaryReason) else PermanentError
    for error in (from_client, from_requests):
        assert type(error) is expected
        assert (error.reason, error.code) == (reason, str(status))
        assert error.maybe_sent is False


@pytest.mark.parametrize(("exc", "kind", "reason"), [
    (APIError("odd", 418), PermanentError, PermanentReason.REJECTED),  # any other 4xx
    (APIError("odd", 507), TemporaryError, TemporaryReason.UNAVAILABLE),  # any other 5xx
    (APIError("no status"), TemporaryError, TemporaryReason.UNAVAILABLE),
    (requests.ReadTimeout(), TemporaryError, TemporaryReason.TIMEOUT),
    (requests.ConnectTimeout(), TemporaryError, TemporaryReason.TIMEOUT),
    (requests.ConnectionError(), TemporaryError, TemporaryReason.UNAVAILABLE),
    (ValueError("bad JSON"), TemporaryError, TemporaryReason.UNAVAILABLE),
])
def test_other_failures_mean_what_they_say(exc: BaseException, kind: type, reason) -> None:
    error = ac.classify_error(exc)

    assert type(error) is kind and error.reason == reason


#: Every state of a gateway message (the client's ProcessState), and where the text is.
KNOWN_STATES = {
    "pending": Delivery.SENT,
    "processed": Delivery.SENT,
    "cancelling": Delivery.SENT,
    "sent": Delivery.SENT,
    "delivered": Delivery.DELIVERED,
    "failed": Delivery.FAILED,
    "cancelled": Delivery.FAILED,
}


def test_every_gateway_state_has_a_meaning() -> None:
    # A state the client learns later fails here until someone says what it means.
    assert {state.value.lower() for state in ProcessState} == set(KNOWN_STATES)
    assert ac.DELIVERY_MEANINGS == KNOWN_STATES
    for state in ProcessState:
        assert ac.delivery_of(state.value) is KNOWN_STATES[state.value.lower()]


def test_a_sent_text_is_on_its_way(phone: FakeAndroidGateway) -> None:
    result = channel_for(phone).send(CITIZEN, BODY)

    assert (result.status, result.delivery) == ("pending", Delivery.SENT)


def test_registry_builds_the_android_channel(app, android_config, monkeypatch) -> None:
    channel = get_channel("android")
    assert isinstance(channel, AndroidChannel) and channel.name == "android"
    assert channel.min_interval_seconds == pytest.approx(60 / 600000)
    monkeypatch.setitem(app.config, "ANDROID_GATEWAY_PASSWORD", "")
    with pytest.raises(ChannelConfigError, match="ANDROID_GATEWAY_PASSWORD"):
        get_channel("android")


def test_worker_keeps_texts_queued_while_the_phone_is_away(db, android_config, office,
                                                           phone) -> None:
    message = queue_notice(db, office)
    phone.offline("refuse")

    stats = run_once("w1")
    db.session.expire_all()
    row = db.session.get(Message, message.id)
    assert stats.retried == 1 and stats.sent == 0
    assert row.status == "queued" and row.attempts == 1
    assert "unreachable" in row.last_error

    phone.online()
    stats = run_once("w1", now=utcnow() + timedelta(hours=1))
    db.session.expire_all()
    row = db.session.get(Message, message.id)
    assert stats.sent == 1
    assert row.status == "sent" and row.channel == "android"
    assert row.provider_id == phone.messages[0].id


# -- rate -----------------------------------------------------------------------------------------


def test_rate_limiter_paces_sends(phone: FakeAndroidGateway) -> None:
    clock = FakeClock()
    limiter = SendRateLimiter(10, clock=clock, sleep=clock.sleep)
    channel = channel_for(phone, limiter=limiter)
    assert channel.min_interval_seconds == pytest.approx(6.0)

    for _ in range(3):
        channel.send(CITIZEN, BODY)

    assert clock.sleeps == [6.0, 6.0]  # one text every six seconds, no burst
    assert len(phone.messages) == 3


def test_rate_limiter_gives_the_text_back_when_the_wait_is_long(phone) -> None:
    clock = FakeClock()
    limiter = SendRateLimiter(10, clock=clock, sleep=clock.sleep)
    channel = channel_for(phone, limiter=limiter, max_wait=0)

    channel.send(CITIZEN, BODY)
    with pytest.raises(TemporaryError) as err:
        channel.send(CITIZEN, BODY)
    assert err.value.code == "rate" and err.value.retry_after == pytest.approx(6.0)
    assert err.value.reason is TemporaryReason.PACED
    assert len(phone.messages) == 1 and clock.sleeps == []

    clock.now += 6.0  # the slot is free again
    channel.send(CITIZEN, BODY)
    assert len(phone.messages) == 2


def test_worker_respects_the_send_rate(db, app, android_config, office, phone,
                                       monkeypatch) -> None:
    monkeypatch.setitem(app.config, "ANDROID_SEND_RATE", 10.0)
    clock = FakeClock()
    ac._limiters[(phone.base_url, phone.user, 10.0)] = SendRateLimiter(
        10, clock=clock, sleep=clock.sleep)
    for n in range(3):
        queue_notice(db, office, body=f"{BODY} {n}")

    stats = run_once("w1")

    assert stats.sent == 3
    assert clock.sleeps == [6.0, 6.0]
    assert [m.text for m in phone.messages] == [f"{BODY} {n}" for n in range(3)]


# -- receiving ------------------------------------------------------------------------------------


def test_receive_stores_and_queues_the_reply_on_android(client, db, android_config, office,
                                                        phone) -> None:
    payload = phone.received_payload("0912345678", "xin chao")
    response = post(client, phone, "sms:received", payload)

    assert response.status_code == 200, response.data
    [inbound] = messages(db, direction="in")
    assert inbound.channel == "android" and inbound.phone == CITIZEN
    assert inbound.body == "xin chao" and inbound.office_id == office.id
    assert inbound.provider_id.startswith(payload["messageId"] + "-")
    [reply] = messages(db, direction="out")
    assert reply.kind == "reply" and reply.reply_to_id == inbound.id
    assert reply.channel == "android" and reply.status == "queued"
    status = db.session.scalars(sa.select(GatewayStatus)).one()
    assert status.office_id == office.id and status.channel == "android"
    assert utcnow() - status.last_seen_at < timedelta(minutes=5)

    # The worker sends the reply back through the phone it came in on.
    assert run_once("w1").sent == 1
    [sent] = phone.messages
    assert sent.phone_numbers == [CITIZEN] and sent.text == reply.body


def test_reply_leaves_by_android_even_when_the_office_prefers_twilio(client, db, app,
                                                                     android_config, office,
                                                                     phone) -> None:
    office.sms_channel = "twilio"
    db.session.commit()
    post(client, phone, "sms:received", phone.received_payload(CITIZEN, "DS"))

    [reply] = messages(db, direction="out")
    assert reply.channel == "android"  # the worker honours a non-empty Message.channel
    assert run_once("w1").sent == 1
    assert len(phone.messages) == 1


def test_duplicate_deliveries_of_one_text_are_stored_once(client, db, android_config, office,
                                                          phone) -> None:
    payload = phone.received_payload(CITIZEN, "TT VB-240101-0001")
    envelope = phone.envelope("sms:received", payload)

    for _ in range(3):  # the phone's retries: the very same webhook
        assert post(client, phone, "sms:received", payload, envelope=envelope).status_code == 200
    # The relay emitting the same SMS again, in a new webhook (new envelope id).
    assert post(client, phone, "sms:received", payload).status_code == 200

    assert len(messages(db, direction="in")) == 1
    assert len(messages(db, direction="out")) == 1


def test_a_colliding_gateway_id_does_not_swallow_another_text(client, db, android_config,
                                                              office, phone) -> None:
    # The gateway's id is a 32-bit hash and its docs say it is not unique.
    first = phone.received_payload(CITIZEN, "DS", message_id="1a2b3c4d")
    second = phone.received_payload("+84987654321", "LH", message_id="1a2b3c4d")
    assert inbound_id({}, first) != inbound_id({}, second)

    post(client, phone, "sms:received", first)
    post(client, phone, "sms:received", second)

    assert [m.body for m in messages(db, direction="in")] == ["DS", "LH"]


def test_incomplete_event_is_400_and_stores_nothing(client, db, android_config, office,
                                                    phone) -> None:
    response = post(client, phone, "sms:received", {"message": "hi"})
    assert response.status_code == 400
    assert messages(db) == []


# -- delivery events ------------------------------------------------------------------------------


def test_delivery_events_update_the_outgoing_message(client, db, android_config, office,
                                                     phone) -> None:
    message = queue_notice(db, office)
    run_once("w1")
    [sent] = phone.messages

    assert post(client, phone, "sms:sent",
                phone.status_payload("sms:sent", sent.id)).status_code == 200
    assert post(client, phone, "sms:delivered",
                phone.status_payload("sms:delivered", sent.id)).status_code == 200
    # A late "sent" never takes a final state back.
    post(client, phone, "sms:sent", phone.status_payload("sms:sent", sent.id))

    db.session.expire_all()
    row = db.session.get(Message, message.id)
    assert row.status == "delivered" and row.delivered_at is not None
    assert phone.find(sent.id).state == "Sent"  # the fake's own state followed the events
    assert db.session.scalars(sa.select(GatewayStatus)).one().last_seen_at is not None


def test_failed_event_marks_the_message_failed(client, db, android_config, office,
                                               phone) -> None:
    message = queue_notice(db, office, kind="reply")
    run_once("w1")
    [sent] = phone.messages

    response = post(client, phone, "sms:failed",
                    phone.status_payload("sms:failed", sent.id, reason="RESULT_ERROR_NO_SERVICE"))

    assert response.status_code == 200
    db.session.expire_all()
    row = db.session.get(Message, message.id)
    assert row.status == "failed" and "RESULT_ERROR_NO_SERVICE" in row.last_error
    status = db.session.scalars(sa.select(GatewayStatus)).one()
    assert "RESULT_ERROR_NO_SERVICE" in status.last_error
    assert len(messages(db, direction="out")) == 1  # a reply has no fallback


def test_unknown_message_id_changes_nothing(client, db, android_config, office, phone) -> None:
    message = queue_notice(db, office)
    response = post(client, phone, "sms:delivered",
                    {"messageId": "not-ours", "phoneNumber": CITIZEN, "deliveredAt": "x"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Message, message.id).status == "queued"


def test_ping_only_refreshes_last_seen(client, db, android_config, office, phone) -> None:
    assert post(client, phone, "system:ping", {"health": {"status": "pass"}}).status_code == 200
    assert messages(db) == []
    assert db.session.scalars(sa.select(GatewayStatus)).one().last_seen_at is not None


# -- signatures on the webhook --------------------------------------------------------------------


def _forged(phone: FakeAndroidGateway, payload: dict) -> list[tuple[bytes, dict]]:
    good_body, good_headers = phone.webhook("sms:received", payload)
    stale_body, stale_headers = phone.webhook("sms:received", payload,
                                              timestamp=int(utcnow().timestamp()) - 3600)
    wrong_body, wrong_headers = phone.webhook("sms:received", payload, key="not-the-key")
    unsigned = {"Content-Type": "application/json"}
    no_ts = {k: v for k, v in good_headers.items() if k != "X-Timestamp"}
    return [
        (good_body, unsigned),
        (good_body, no_ts),
        (stale_body, stale_headers),
        (wrong_body, wrong_headers),
        (good_body.replace(b"xin chao", b"HUY"), good_headers),  # tampered body
    ]


def test_bad_missing_or_stale_signature_is_403_and_nothing_changes(client, db, android_config,
                                                                   office, phone) -> None:
    payload = phone.received_payload(CITIZEN, "xin chao")
    for body, headers in _forged(phone, payload):
        response = client.post("/sms/android", data=body, headers=headers)
        assert response.status_code == 403, headers
    assert messages(db) == []
    assert db.session.scalars(sa.select(GatewayStatus)).all() == []


def test_no_signing_key_configured_refuses_everything(client, db, app, android_config, office,
                                                      phone, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "ANDROID_WEBHOOK_SIGNING_KEY", "")
    response = post(client, phone, "sms:received", phone.received_payload(CITIZEN, "DS"))
    assert response.status_code == 403
    assert messages(db) == []


def test_webhook_needs_no_csrf_but_only_post(client, db, android_config, office) -> None:
    assert client.get("/sms/android").status_code == 405


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_signed_webhook_over_a_real_socket(app, db, android_config, office, phone) -> None:
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sms/android?office={office.code}"
        payload = phone.received_payload(CITIZEN, "LH")
        assert phone.post_webhook(url, "sms:received", payload).status_code == 200
        assert phone.post_webhook(url, "sms:received", payload, key="x").status_code == 403
    finally:
        server.shutdown()
        thread.join(timeout=5)
    db.session.expire_all()
    [inbound] = messages(db, direction="in")
    assert inbound.body == "LH" and inbound.channel == "android"


# -- fallback -------------------------------------------------------------------------------------


@pytest.fixture
def twilio_configured(app, monkeypatch):
    for key, value in {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t",
                       "TWILIO_FROM": "MOTCUA"}.items():
        monkeypatch.setitem(app.config, key, value)


def test_permanent_failure_falls_back_to_the_other_channel_once(db, android_config, office,
                                                                phone, twilio_configured) -> None:
    phone.rejected.add(CITIZEN)
    message = queue_notice(db, office, dedupe_key="event:1:" + CITIZEN)
    assert run_once("w1").failed == 1
    db.session.expire_all()
    failed = db.session.get(Message, message.id)
    assert failed.status == "failed"

    assert fallback_channel(failed) == "twilio"
    # The worker queued the copy in the same commit as the failure.
    copy = db.session.scalars(
        sa.select(Message).where(Message.dedupe_key == f"fallback:{failed.id}")
    ).one()
    assert copy.channel == "twilio" and copy.status == "queued"
    assert copy.body == failed.body
    assert queue_fallback(failed) is None  # once
    assert fallback_channel(copy) is None  # a copy never falls back again


def test_no_fallback_for_replies_or_without_the_other_channel(db, android_config, office,
                                                              phone) -> None:
    notice = queue_notice(db, office)
    assert fallback_channel(notice) is None  # Twilio is not configured
    reply = queue_notice(db, office, kind="reply", channel="android")
    assert fallback_channel(reply) is None


def test_failed_event_queues_the_fallback_for_a_notification(client, db, android_config, office,
                                                             phone, twilio_configured) -> None:
    message = queue_notice(db, office)
    run_once("w1")
    [sent] = phone.messages
    event = phone.envelope("sms:failed", phone.status_payload("sms:failed", sent.id))
    for _ in range(2):  # retried webhook
        post(client, phone, "sms:failed", {}, envelope=event)

    copies = messages(db, dedupe_key=f"fallback:{message.id}")
    assert len(copies) == 1 and copies[0].channel == "twilio"


# -- officer home ---------------------------------------------------------------------------------


def test_officer_home_shows_last_seen_and_waiting(client, pages, db, android_config, office,
                                                  phone, make_officer, login) -> None:
    officer = make_officer(office=office)
    login(officer)
    page = client.get("/officer/").get_data(as_text=True)
    assert "Điện thoại gửi tin nhắn" in page
    assert "Chưa liên lạc lần nào." in page and "Kiểm tra điện thoại" in page

    queue_notice(db, office)
    queue_notice(db, office, body="khac")
    post(client, phone, "system:ping", {})
    response = pages.get("officer.home")
    page = response.get_data(as_text=True)
    assert "Lần cuối liên lạc:" in page and "Đang hoạt động" in page
    assert "2 tin nhắn đang chờ gửi" in page


def test_officer_home_has_no_phone_panel_without_a_phone(client, db, make_office, make_officer,
                                                         login) -> None:
    office = make_office()
    login(make_officer(office=office))
    page = client.get("/officer/").get_data(as_text=True)
    assert "Điện thoại gửi tin nhắn" not in page


# -- webhook registration -------------------------------------------------------------------------


def test_register_webhooks_is_idempotent(app, android_config, phone) -> None:
    hooks = register_webhooks("https://motcua.example.vn/", config=app.config)
    register_webhooks("https://motcua.example.vn", config=app.config)

    assert len(hooks) == 5 and len(phone.webhooks) == 5
    assert {h["event"] for h in phone.webhooks.values()} == set(ac.WEBHOOK_EVENTS)
    assert {h["url"] for h in phone.webhooks.values()} == {"https://motcua.example.vn/sms/android"}


def test_cli_register_and_list(app, runner, android_config, phone) -> None:
    result = runner.invoke(android_webhooks, ["register", "--url", "https://motcua.example.vn",
                                              "--office", "VB"])
    assert result.exit_code == 0, result.output
    assert "registered 5 webhooks" in result.output
    assert {h["url"] for h in phone.webhooks.values()} == {
        "https://motcua.example.vn/sms/android?office=VB"}

    listed = runner.invoke(android_webhooks, ["list"])
    assert listed.exit_code == 0 and listed.output.count("/sms/android?office=VB") == 5

    phone.offline("503")
    failed = runner.invoke(android_webhooks, ["register", "--url", "https://motcua.example.vn"])
    assert failed.exit_code != 0 and "503" in failed.output


def test_cli_register_needs_a_url(app, runner, android_config, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    result = runner.invoke(android_webhooks, ["register"])
    assert result.exit_code != 0 and "--url" in result.output
