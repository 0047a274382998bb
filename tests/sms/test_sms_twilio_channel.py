"""The Twilio and console channels, end to end through the real SDK over real HTTP.

Every Twilio test talks to :class:`tests.support.fakes.twilio_server.FakeTwilio` on 127.0.0.1, so the
SDK's auth, form encoding and error parsing are exercised while no SMS can leave the machine.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from flask import Flask, request
from twilio.base.exceptions import TwilioRestException
from werkzeug.serving import make_server

from app.sms.channels import console
from app.sms.channels.base import (
    Channel,
    Delivery,
    PermanentError,
    PermanentReason,
    SendResult,
    SentLookup,
    TemporaryError,
    TemporaryReason,
)
from app.sms.channels.console import ConsoleChannel
from app.sms.channels.twilio_channel import (
    DELIVERY_MEANINGS,
    ERROR_MEANINGS,
    TwilioChannel,
    classify_twilio_error,
    delivery_of,
    twiml_reply,
    validate_request,
)
from tests.support.fakes.twilio_server import (
    DEFAULT_AUTH_TOKEN,
    DEFAULT_SENDER,
    FakeTwilio,
    Outcome,
)

pytest_plugins = ["tests.support.fakes.fixtures"]  # fake_twilio, make_twilio_channel

MakeChannel = Callable[..., TwilioChannel]

TO = "+84912345678"
BODY = "Ho so 2024-000123 da co ket qua, moi ong/ba den UBND xa nhan."
CALLBACK = "http://127.0.0.1:5000/sms/twilio/status?office=1"


# -- sending ----------------------------------------------------------------------------------


def test_send_returns_message_sid_and_fake_saw_the_request(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    result = make_twilio_channel().send(TO, BODY, status_callback=CALLBACK)

    assert isinstance(result, SendResult)
    assert result.provider_id.startswith("SM") and len(result.provider_id) == 34
    assert result.status == "queued"
    [message] = fake_twilio.messages
    assert message.sid == result.provider_id
    assert (message.to, message.from_, message.body) == (TO, DEFAULT_SENDER, BODY)
    assert message.status_callback == CALLBACK
    assert message.messaging_service_sid is None


def test_send_with_messaging_service_instead_of_from(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    service = "MG" + "a" * 32
    channel = make_twilio_channel(from_=None, messaging_service_sid=service)

    result = channel.send(TO, BODY)

    [message] = fake_twilio.messages
    assert message.messaging_service_sid == service
    assert message.from_ is None
    assert "From" not in message.form and "StatusCallback" not in message.form
    assert result.status == "accepted"  # what Twilio answers when a service picks the sender


def test_channel_needs_a_sender() -> None:
    with pytest.raises(ValueError):
        TwilioChannel("AC" + "0" * 32, "token", api_base_url="http://127.0.0.1:9")


def test_region_from_environment_still_reaches_the_base_url(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDK rewrites api.twilio.com to api.<edge>.<region>.twilio.com from the environment;
    # the base URL must win anyway, or a stray variable would send real texts from tests.
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")

    make_twilio_channel().send(TO, BODY)

    assert len(fake_twilio.messages) == 1


# -- temporary failures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (429, "20429"),
        (500, "20500"),
        (503, "20500"),
        (Outcome.error(63018), "63018"),
        (Outcome.error(63018, status=400), "63018"),  # throttling code wins over a 4xx
        (Outcome.error(20429, status=400), "20429"),
    ],
)
def test_retryable_answers_raise_temporary_error(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel, outcome: int | Outcome, code: str
) -> None:
    fake_twilio.answer_next(outcome)

    with pytest.raises(TemporaryError) as caught:
        make_twilio_channel().send(TO, BODY)

    assert caught.value.code == code
    assert fake_twilio.messages == []


def test_timeout_raises_temporary_error(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    fake_twilio.answer_next(Outcome.timeout(delay=2.0))

    with pytest.raises(TemporaryError) as caught:
        make_twilio_channel(timeout=0.5).send(TO, BODY)

    assert caught.value.reason is TemporaryReason.TIMEOUT


def test_unreachable_server_raises_temporary_error(make_twilio_channel: MakeChannel) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    channel = make_twilio_channel(api_base_url=f"http://127.0.0.1:{port}", timeout=2.0)

    with pytest.raises(TemporaryError) as caught:
        channel.send(TO, BODY)

    assert caught.value.reason is TemporaryReason.UNAVAILABLE


def test_success_after_scripted_failures(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    fake_twilio.answer_next(429, "500")
    channel = make_twilio_channel()

    for _ in range(2):
        with pytest.raises(TemporaryError):
            channel.send(TO, BODY)
    result = channel.send(TO, BODY)

    assert [m.sid for m in fake_twilio.messages] == [result.provider_id]
    assert fake_twilio.requests_count == 3


@pytest.mark.parametrize(
    ("outcome", "maybe_sent"),
    [(Outcome.timeout(delay=2.0), True), (500, True), (503, True), (429, False),
     (Outcome.error(63018, status=400), False)],
)
def test_errors_say_whether_twilio_may_have_taken_the_text(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel, outcome: Outcome | int,
    maybe_sent: bool,
) -> None:
    # After a read timeout or a 5xx the message may exist all the same; after a 429 it does not.
    fake_twilio.answer_next(outcome)

    with pytest.raises(TemporaryError) as caught:
        make_twilio_channel(timeout=0.5).send(TO, BODY)

    assert caught.value.maybe_sent is maybe_sent


def test_a_refused_connection_surely_sent_nothing(make_twilio_channel: MakeChannel) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(TemporaryError) as caught:
        make_twilio_channel(api_base_url=f"http://127.0.0.1:{port}", timeout=2.0).send(TO, BODY)

    assert caught.value.maybe_sent is False


# -- finding a text Twilio already accepted -----------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _lookup(body: str = BODY, to: str = TO, since: datetime | None = None,
            exclude: frozenset[str] = frozenset()) -> SentLookup:
    return SentLookup(to, body, since or _now() - timedelta(minutes=5), exclude)


def test_find_sent_returns_the_copy_twilio_accepted(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    channel = make_twilio_channel()
    channel.send(TO, "another text")
    channel.send("+84987654321", BODY)  # same text, another phone
    accepted = channel.send(TO, BODY)

    lookup = _lookup()
    found = channel.find_sent(lookup)

    assert found == SendResult(provider_id=accepted.provider_id, status="queued")
    [query] = fake_twilio.list_queries
    # Filtered by phone and sender on Twilio's side; the date is the UTC day of `since`
    # (not of "now": five minutes after midnight they differ), not a date-time.
    assert query["To"] == TO and query["From"] == DEFAULT_SENDER
    assert query["DateSent>"] == lookup.since.strftime("%Y-%m-%d")
    assert "DateSent" not in query and "DateSent<" not in query


def test_find_sent_just_after_midnight_asks_from_the_day_before(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel, time_machine
) -> None:
    time_machine.move_to(datetime(2026, 12, 3, 0, 2, tzinfo=UTC), tick=True)
    channel = make_twilio_channel()
    accepted = channel.send(TO, BODY)

    found = channel.find_sent(_lookup())  # since = 23:57 the day before

    assert found is not None and found.provider_id == accepted.provider_id
    [query] = fake_twilio.list_queries
    assert query["DateSent>"] == "2026-12-02"


def test_find_sent_ignores_what_is_not_this_text(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    channel = make_twilio_channel()
    assert channel.find_sent(_lookup()) is None  # nothing sent at all

    other_sender = make_twilio_channel(from_="UBNDXA").send(TO, BODY)
    channel.send(TO, BODY + " ")  # not the exact body
    recorded = channel.send(TO, BODY)  # already recorded on another row

    assert channel.find_sent(_lookup(exclude=frozenset({recorded.provider_id}))) is None
    found = make_twilio_channel(from_="UBNDXA").find_sent(_lookup())
    assert found is not None and found.provider_id == other_sender.provider_id


def test_find_sent_filters_the_day_on_twilio_and_the_time_itself(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    channel = make_twilio_channel()
    since = datetime(2024, 11, 18, 3, 0)  # naive UTC, like the database
    yesterday = channel.send(TO, BODY).provider_id
    fake_twilio.backdate(yesterday, datetime(2024, 11, 17, 23, 59, tzinfo=UTC))
    earlier_today = channel.send(TO, BODY).provider_id
    fake_twilio.backdate(earlier_today, datetime(2024, 11, 18, 2, 59, tzinfo=UTC))

    assert channel.find_sent(_lookup(since=since)) is None

    # Twilio's filter is by day: the earlier text of the same day comes back and is dropped
    # by the time check; yesterday's is not even listed.
    listed = [m.sid for m in channel.client.messages.list(to=TO, date_sent_after="2024-11-18")]
    assert listed == [earlier_today]
    later = channel.send(TO, BODY).provider_id
    fake_twilio.backdate(later, datetime(2024, 11, 18, 3, 0, 1, tzinfo=UTC))
    assert channel.find_sent(_lookup(since=since)) == SendResult(later, "queued")
    # Two copies (two attempts were both accepted): the oldest is the one recorded.
    assert channel.find_sent(_lookup(since=since - timedelta(hours=1))) == SendResult(
        earlier_today, "queued")


def test_find_sent_reads_every_page(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    channel = make_twilio_channel()
    first = channel.send(TO, BODY)
    for i in range(120):
        channel.send(TO, f"text {i}")

    found = channel.find_sent(_lookup())

    assert found is not None and found.provider_id == first.provider_id
    assert fake_twilio.lookups == 2  # 100 a page


def test_find_sent_with_a_messaging_service_matches_the_service(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    service = "MG" + "a" * 32
    channel = make_twilio_channel(from_=None, messaging_service_sid=service)
    make_twilio_channel(from_=None, messaging_service_sid="MG" + "b" * 32).send(TO, BODY)
    ours = channel.send(TO, BODY)

    found = channel.find_sent(_lookup())

    assert found is not None and found.provider_id == ours.provider_id
    assert "From" not in fake_twilio.list_queries[0]


@pytest.mark.parametrize(("failure", "code", "reason"), [
    (500, "500", TemporaryReason.UNAVAILABLE),
    (429, "20429", TemporaryReason.THROTTLED),
    (503, "503", TemporaryReason.UNAVAILABLE),
    (Outcome.timeout(delay=1.0), None, TemporaryReason.TIMEOUT),
])
def test_find_sent_raises_temporary_error_when_the_list_fails(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel, failure: Outcome | int,
    code: str | None, reason: TemporaryReason,
) -> None:
    channel = make_twilio_channel(timeout=0.3)
    channel.send(TO, BODY)
    fake_twilio.answer_next_list(failure)

    with pytest.raises(TemporaryError, match="list failed") as caught:
        channel.find_sent(_lookup())

    assert caught.value.code == code
    assert caught.value.reason is reason


def test_other_channels_cannot_tell_by_default() -> None:
    assert ConsoleChannel().find_sent(_lookup()) is None
    assert Channel().find_sent(_lookup()) is None


def test_errors_default_to_the_plainest_meaning_and_refuse_unknown_words() -> None:
    assert PermanentError("refused").reason is PermanentReason.REJECTED
    assert TemporaryError("down").reason is TemporaryReason.UNAVAILABLE
    assert TemporaryError("wait", "paced", retry_after=3.0).reason is TemporaryReason.PACED
    with pytest.raises(ValueError):
        TemporaryError("slow", "slow_down")  # a typo fails in the channel, not in the worker
    with pytest.raises(ValueError):
        PermanentError("no", TemporaryReason.THROTTLED)  # a temporary reason is not final


def test_list_endpoint_pages_like_twilio(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    channel = make_twilio_channel()
    sids = [channel.send(TO, f"text {i}").provider_id for i in range(5)]
    for i, sid in enumerate(sids):  # distinct times, so "newest first" is well defined
        fake_twilio.backdate(sid, datetime(2024, 11, 18, 3, i, tzinfo=UTC))

    # The SDK follows next_page_uri across pages of two.
    listed = channel.client.messages.list(to=TO, page_size=2)
    assert [m.sid for m in listed] == sids[::-1]

    url = f"{fake_twilio.base_url}/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    raw = requests.get(url, params={"To": TO, "PageSize": 2, "Page": 1},
                       auth=(fake_twilio.account_sid, DEFAULT_AUTH_TOKEN), timeout=5).json()
    assert set(raw) == {"messages", "first_page_uri", "next_page_uri", "previous_page_uri",
                        "page", "page_size", "start", "end", "uri"}
    assert (raw["page"], raw["page_size"], raw["start"], raw["end"]) == (1, 2, 2, 3)
    assert "Page=2" in raw["next_page_uri"] and "PageToken=PA" in raw["next_page_uri"]
    assert "Page=1" in raw["uri"] and "Page=0" in raw["first_page_uri"]
    assert "Page=0" in raw["previous_page_uri"]
    bad = requests.get(url, params={"DateSent>": "yesterday"},
                       auth=(fake_twilio.account_sid, DEFAULT_AUTH_TOKEN), timeout=5)
    assert bad.status_code == 400


# -- permanent failures -----------------------------------------------------------------------


@pytest.mark.parametrize(("code", "reason"), [
    (21610, PermanentReason.OPTED_OUT),
    (21211, PermanentReason.INVALID_NUMBER),
    (21614, PermanentReason.NOT_MOBILE),
    (21612, PermanentReason.UNROUTABLE),
    (21408, PermanentReason.UNROUTABLE),
    (21999, PermanentReason.REJECTED),  # a code we do not know
])
def test_refusals_raise_permanent_error_with_code(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel, code: int,
    reason: PermanentReason,
) -> None:
    fake_twilio.answer_next(code)

    with pytest.raises(PermanentError) as caught:
        make_twilio_channel().send(TO, BODY)

    assert caught.value.code == str(code)
    assert caught.value.reason is reason  # through the real SDK's exception, over HTTP
    assert fake_twilio.messages == []


def test_scripted_number_fails_while_others_succeed(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    opted_out = "+84987654321"
    fake_twilio.answer_to(opted_out, 21610)
    channel = make_twilio_channel()

    for _ in range(2):
        with pytest.raises(PermanentError, match="21610"):
            channel.send(opted_out, BODY)
    channel.send(TO, BODY)

    assert [m.to for m in fake_twilio.messages] == [TO]


def test_invalid_number_is_refused_by_the_fake_itself(make_twilio_channel: MakeChannel) -> None:
    with pytest.raises(PermanentError) as caught:
        make_twilio_channel().send("0912345678", BODY)  # not E.164

    assert caught.value.code == "21211"


def test_bad_credentials_are_permanent(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    # Retrying cannot fix a wrong token; the operator must, so it is not a TemporaryError.
    with pytest.raises(PermanentError) as caught:
        make_twilio_channel(auth_token="wrong-token").send(TO, BODY)

    assert caught.value.code == "20003"
    assert caught.value.reason is PermanentReason.UNAUTHORIZED
    assert fake_twilio.messages == []


# -- what Twilio's codes and words mean -------------------------------------------------------

#: Every Twilio error code we know, and what it must mean. Written out here, not read from
#: ERROR_MEANINGS, so that a wrong entry there fails; the test below also fails when a code is
#: added there without a line here.
KNOWN_CODES = {
    21610: PermanentReason.OPTED_OUT,
    21211: PermanentReason.INVALID_NUMBER,
    21614: PermanentReason.NOT_MOBILE,
    21612: PermanentReason.UNROUTABLE,
    21408: PermanentReason.UNROUTABLE,
    20003: PermanentReason.UNAUTHORIZED,
    20429: TemporaryReason.THROTTLED,
    63018: TemporaryReason.THROTTLED,
}


def _twilio_error(status: int, code: int | None) -> TwilioRestException:
    return TwilioRestException(status, "/2010-04-01/Accounts/AC/Messages.json", "refused",
                               code=code, method="POST")


def test_every_known_code_has_a_meaning_in_the_table() -> None:
    assert ERROR_MEANINGS == KNOWN_CODES


@pytest.mark.parametrize(("code", "reason"), sorted(KNOWN_CODES.items()))
def test_each_known_code_means_what_it_says(code: int, reason: PermanentReason | TemporaryReason
                                            ) -> None:
    # Twilio answers these with a 4xx (a 429 for 20429, a 401 for 20003).
    status = {20429: 429, 20003: 401}.get(code, 400)

    error = classify_twilio_error(_twilio_error(status, code))

    expected = TemporaryError if isinstance(reason, TemporaryReason) else PermanentError
    assert type(error) is expected
    assert (error.reason, error.code) == (reason, str(code))
    assert str(code) in str(error)  # people can still look Twilio's code up
    assert error.maybe_sent is False  # a 4xx: Twilio created nothing


@pytest.mark.parametrize(("status", "code", "kind", "reason", "maybe_sent"), [
    (429, None, TemporaryError, TemporaryReason.THROTTLED, False),  # slow down, whatever code
    (500, 20500, TemporaryError, TemporaryReason.UNAVAILABLE, True),
    (502, None, TemporaryError, TemporaryReason.UNAVAILABLE, True),  # a proxy in front
    (503, 21610, TemporaryError, TemporaryReason.UNAVAILABLE, True),  # a 5xx is never final
    (503, 63018, TemporaryError, TemporaryReason.THROTTLED, True),
    (400, 21999, PermanentError, PermanentReason.REJECTED, False),  # unknown code
    (400, None, PermanentError, PermanentReason.REJECTED, False),
    (401, None, PermanentError, PermanentReason.UNAUTHORIZED, False),
    (403, 99999, PermanentError, PermanentReason.UNAUTHORIZED, False),
    (404, 20404, PermanentError, PermanentReason.REJECTED, False),
])
def test_http_status_decides_when_the_code_does_not(status: int, code: int | None, kind: type,
                                                    reason: str, maybe_sent: bool) -> None:
    error = classify_twilio_error(_twilio_error(status, code))

    assert type(error) is kind
    assert error.reason == reason
    assert error.maybe_sent is maybe_sent


#: Every MessageStatus Twilio documents, and where the text is in our words.
KNOWN_STATUSES = {
    "accepted": Delivery.SENT,
    "scheduled": Delivery.SENT,
    "queued": Delivery.SENT,
    "sending": Delivery.SENT,
    "sent": Delivery.SENT,
    "delivered": Delivery.DELIVERED,
    "read": Delivery.DELIVERED,
    "undelivered": Delivery.FAILED,
    "failed": Delivery.FAILED,
    "canceled": Delivery.FAILED,
}


def test_every_twilio_status_has_a_meaning() -> None:
    assert DELIVERY_MEANINGS == KNOWN_STATUSES
    for status, delivery in KNOWN_STATUSES.items():
        assert delivery_of(status) is delivery
        assert delivery_of(status.upper() + " ") is delivery
    assert delivery_of("partially_delivered") is Delivery.SENT  # a new word: not final
    assert delivery_of(None) is Delivery.SENT


def test_a_text_found_already_delivered_says_so(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    channel = make_twilio_channel()
    sid = channel.send(TO, BODY).provider_id
    assert channel.find_sent(_lookup()).delivery is Delivery.SENT  # "queued"
    fake_twilio.status_callback(sid, "undelivered", url_override="http://127.0.0.1/x")

    found = channel.find_sent(_lookup())

    assert (found.status, found.delivery) == ("undelivered", Delivery.FAILED)
    assert found.delivery.is_final


# -- status callbacks -------------------------------------------------------------------------


@pytest.fixture
def status_app() -> Flask:
    """A minimal webhook that accepts only correctly signed callbacks."""
    app = Flask(__name__)
    app.config["received"] = []

    @app.post("/sms/twilio/status")
    def status() -> tuple[str, int]:
        signature = request.headers.get("X-Twilio-Signature")
        if not validate_request(DEFAULT_AUTH_TOKEN, request.url, request.form, signature):
            return "bad signature", 403
        app.config["received"].append(request.form.to_dict())
        return "", 204

    return app


@pytest.fixture
def status_server(status_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, status_app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_status_callback_signature_verifies_and_tampering_does_not(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    sid = make_twilio_channel().send(TO, BODY, status_callback=CALLBACK).provider_id

    callback = fake_twilio.status_callback(sid, "undelivered")
    signature = callback.headers["X-Twilio-Signature"]
    token = fake_twilio.auth_token

    assert callback.url == CALLBACK
    assert callback.params["MessageSid"] == sid
    assert callback.params["MessageStatus"] == "undelivered"
    assert callback.params["ErrorCode"] == "30008"
    assert validate_request(token, callback.url, callback.params, signature)
    tampered = {**callback.params, "MessageStatus": "delivered"}
    assert not validate_request(token, callback.url, tampered, signature)
    assert not validate_request(
        token, callback.url.replace("office=1", "office=2"), callback.params, signature
    )
    assert not validate_request("another-token", callback.url, callback.params, signature)
    assert not validate_request(token, callback.url, callback.params, None)
    assert not validate_request(token, callback.url, callback.params, "")


def test_deliver_through_flask_test_client(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel, status_app: Flask
) -> None:
    url = "https://motcua.example.vn/sms/twilio/status?office=1"
    sid = make_twilio_channel().send(TO, BODY, status_callback=url).provider_id

    response = fake_twilio.deliver(sid, "delivered", client=status_app.test_client())

    assert response.status_code == 204
    [received] = status_app.config["received"]
    assert received["MessageSid"] == sid and received["MessageStatus"] == "delivered"
    assert "ErrorCode" not in received


def test_deliver_over_http_and_fetch_shows_new_status(
    fake_twilio: FakeTwilio,
    make_twilio_channel: MakeChannel,
    status_app: Flask,
    status_server: str,
) -> None:
    channel = make_twilio_channel()
    sid = channel.send(TO, BODY, status_callback=CALLBACK).provider_id
    url = f"{status_server}/sms/twilio/status"

    response = fake_twilio.deliver(sid, "failed", url_override=url, error_code=30003)

    assert response.status_code == 204
    assert status_app.config["received"][0]["ErrorCode"] == "30003"
    fetched = channel.client.messages(sid).fetch()
    assert (fetched.status, fetched.error_code) == ("failed", 30003)


def test_deliver_refuses_hosts_off_this_machine(
    fake_twilio: FakeTwilio, make_twilio_channel: MakeChannel
) -> None:
    sid = make_twilio_channel().send(TO, BODY).provider_id

    with pytest.raises(ValueError, match="off this machine"):
        fake_twilio.deliver(sid, url_override="https://example.com/status")


# -- TwiML ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["Cam on ong/ba da gop y.", 'A & B <ok> "x"'])
def test_twiml_reply_has_one_message(body: str) -> None:
    root = ET.fromstring(twiml_reply(body))

    assert root.tag == "Response"
    [message] = list(root)
    assert message.tag == "Message"
    assert message.text == body


def test_twiml_reply_without_body_is_empty_response() -> None:
    root = ET.fromstring(twiml_reply(None))

    assert root.tag == "Response"
    assert list(root) == []


# -- console ----------------------------------------------------------------------------------


def test_console_channel_logs_and_sends_nothing(caplog: pytest.LogCaptureFixture) -> None:
    console.clear_outbox()
    caplog.set_level(logging.INFO, logger="app.sms.channels.console")

    result = ConsoleChannel().send(TO, BODY, status_callback=CALLBACK)

    assert result.status == "sent"
    assert result.provider_id.startswith("CONSOLE-") and len(result.provider_id) == 40
    assert BODY in caplog.text and TO in caplog.text
    [kept] = console.outbox
    assert (kept.provider_id, kept.to, kept.body) == (result.provider_id, TO, BODY)
    assert ConsoleChannel().send(TO, BODY).provider_id != result.provider_id


def test_console_channel_prints_each_text_for_whoever_runs_the_worker(
    capsys: pytest.CaptureFixture[str],
) -> None:
    long_body = "Ho so VB-241118-0001: " + "moi ong/ba mang CCCD ban chinh. " * 5

    ConsoleChannel().send(TO, BODY)
    ConsoleChannel().send("+84987654321", long_body)
    ConsoleChannel().send(TO, "Hồ sơ đã có kết quả")  # not sanitised: shows what it costs

    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"SMS to {TO} (1 segment, GSM-7, {len(BODY)} chars)",
        f"  {BODY}",
        f"SMS to +84987654321 (2 segments, GSM-7, {len(long_body)} chars)",
        f"  {long_body}",
        f"SMS to {TO} (1 segment, UCS-2, 19 chars)",
        "  Hồ sơ đã có kết quả",
    ]


def test_console_channel_indents_every_line_of_a_body() -> None:
    shown = console.describe(TO, "HD KS\nMang: CCCD\n\nLe phi: 0d")

    assert shown.splitlines()[1:] == ["  HD KS", "  Mang: CCCD", "  ", "  Le phi: 0d"]


def test_console_channel_prints_where_it_is_told(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()

    ConsoleChannel(out=out).send(TO, BODY)

    assert out.getvalue() == f"SMS to {TO} (1 segment, GSM-7, {len(BODY)} chars)\n  {BODY}\n"
    assert capsys.readouterr().out == ""


def test_console_channel_records_the_text_even_when_it_cannot_print() -> None:
    console.clear_outbox()
    closed = io.StringIO()
    closed.close()  # like a worker piped into `head` that has exited

    result = ConsoleChannel(out=closed).send(TO, BODY)

    assert result.status == "sent"
    assert [m.provider_id for m in console.outbox] == [result.provider_id]
