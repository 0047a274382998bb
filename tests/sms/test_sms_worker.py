"""The outbox worker over real HTTP: the real Twilio SDK against the local stand-in.

Each test freezes the worker's clock (``now=``) instead of sleeping, so retries, quiet hours and
expired claims are exact. The concurrency tests use threads, each with its own app context and
so its own database session and connection, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import random
import threading
import time as _time
from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.dossiers import change_status
from app.models import Message, PhonePreference
from app.sms.channels import (
    FACTORIES,
    ChannelConfigError,
    PermanentError,
    PermanentReason,
    SendResult,
    TemporaryError,
    TemporaryReason,
    get_channel,
    register_channel,
)
from app.sms.channels.console import ConsoleChannel
from app.sms.channels.twilio_channel import TwilioChannel
from app.sms.outbox import queue_message, queue_status_notifications
from app.sms.worker import (
    UNKNOWN_OUTCOME,
    Stats,
    claim,
    loop,
    outbox_stats,
    process_claimed,
    run_once,
)
from app.sms.worker.reconcile import CONFLICT_PAUSE
from tests.support.fakes.twilio_server import DEFAULT_SENDER, Outcome

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 18 Nov 2024: 10:00 and 23:00 in Vietnam (UTC+7), as naive UTC like the columns.
DAY = datetime(2024, 11, 18, 3, 0)
NIGHT = datetime(2024, 11, 18, 16, 0)
MORNING = datetime(2024, 11, 19, 0, 0)  # 07:00 on Tuesday, when quiet hours end
PHONE = "+84912345678"


@pytest.fixture
def office(make_office):
    return make_office()


@pytest.fixture
def twilio(make_twilio_channel) -> TwilioChannel:
    return make_twilio_channel(timeout=2.0)


@pytest.fixture
def queue(db, office):
    """Queue one outgoing text and commit; returns its id."""

    def add(body: str = "Ho so VB-241118-0001 da co ket qua.", phone: str = PHONE,
            at: datetime = DAY, **kw) -> int:
        message = queue_message(office_id=kw.pop("office_id", office.id), phone=phone, body=body,
                                kind=kw.pop("kind", "notify"), send_after=at, **kw)
        message.created_at = at
        db.session.commit()
        return message.id

    return add


def row(db, message_id: int) -> Message:
    db.session.expire_all()
    return db.session.get(Message, message_id)


def outbound(db) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(Message).where(Message.direction == "out").order_by(Message.id)))


# -- success -----------------------------------------------------------------------------------


def test_success_records_provider_id_in_the_same_row(db, queue, twilio, fake_twilio):
    message_id = queue()

    stats = run_once("w1", channel=twilio, now=DAY)

    assert (stats.claimed, stats.sent, stats.retried, stats.failed) == (1, 1, 0, 0)
    [sent] = fake_twilio.messages
    assert (sent.to, sent.body) == (PHONE, "Ho so VB-241118-0001 da co ket qua.")
    assert sent.status_callback is None  # no PUBLIC_BASE_URL: nowhere to call back
    message = row(db, message_id)
    assert message.status == "sent"
    assert message.provider_id == sent.sid
    assert (message.attempts, message.sent_at, message.channel) == (1, DAY, "twilio")
    assert (message.claimed_by, message.claimed_until, message.last_error) == (None, None, "")


def test_status_callback_url_from_public_base_url(app, db, queue, twilio, fake_twilio,
                                                  monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://motcua.example.vn")
    queue()

    run_once("w1", channel=twilio, now=DAY)

    [sent] = fake_twilio.messages
    assert sent.status_callback == "https://motcua.example.vn/sms/twilio/status"


def test_nothing_due_nothing_sent(db, queue, twilio, fake_twilio):
    queue(at=DAY + timedelta(minutes=5))  # due later

    assert run_once("w1", channel=twilio, now=DAY).claimed == 0
    assert fake_twilio.requests_count == 0
    assert run_once("w1", channel=twilio, now=DAY + timedelta(minutes=5)).sent == 1


# -- temporary errors --------------------------------------------------------------------------


@pytest.mark.parametrize(("outcome", "error"), [(429, "429"), (500, "500"), (503, "500")])
def test_temporary_error_backs_off_then_succeeds(db, queue, twilio, fake_twilio, outcome, error):
    fake_twilio.answer_next(outcome)
    message_id = queue()

    first = run_once("w1", channel=twilio, now=DAY)

    assert (first.retried, first.sent) == (1, 0)
    message = row(db, message_id)
    assert message.status == "queued" and message.attempts == 1
    assert error in message.last_error
    # 30 s × 2^0 with jitter between half and all of it.
    assert DAY + timedelta(seconds=15) <= message.next_attempt_at <= DAY + timedelta(seconds=30)
    assert message.claimed_by is None
    # Not due yet: a run before the backoff ends sends nothing.
    assert run_once("w1", channel=twilio, now=DAY + timedelta(seconds=14)).claimed == 0
    assert fake_twilio.requests_count == 1

    second = run_once("w1", channel=twilio, now=DAY + timedelta(seconds=31))

    assert second.sent == 1
    message = row(db, message_id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    assert [m.sid for m in fake_twilio.messages] == [message.provider_id]


def test_429_gives_the_rest_of_the_batch_back_without_using_attempts(db, queue, twilio,
                                                                     fake_twilio):
    fake_twilio.answer_next(429)
    ids = [queue(body=f"text {i}", phone=f"+8491200000{i}") for i in range(5)]

    stats = run_once("w1", channel=twilio, now=DAY)

    assert stats.throttled and (stats.claimed, stats.retried, stats.sent) == (5, 1, 0)
    assert fake_twilio.requests_count == 1  # it stopped asking after "slow down"
    rest = [row(db, i) for i in ids[1:]]
    assert {(m.status, m.attempts, m.claimed_by) for m in rest} == {("queued", 0, None)}
    assert all(m.next_attempt_at == DAY + loop.THROTTLE_PAUSE for m in rest)
    assert run_once("w1", channel=twilio, now=DAY + timedelta(minutes=1)).sent == 5


def _wait_for(predicate, seconds: float = 5.0) -> None:
    deadline = _time.monotonic() + seconds
    while not predicate():
        assert _time.monotonic() < deadline, "the stand-in never got there"
        _time.sleep(0.02)


def test_timeout_is_retried_after_asking_whether_twilio_took_it(db, queue, make_twilio_channel,
                                                                fake_twilio):
    # The stand-in answers 500 after 1 s; the client gives up after 0.3 s: it cannot know.
    fake_twilio.answer_next(Outcome(status=500, code=20500, delay=1.0))
    message_id = queue()
    channel = make_twilio_channel(timeout=0.3)

    stats = run_once("w1", channel=channel, now=DAY)

    assert stats.retried == 1
    message = row(db, message_id)
    assert message.status == "queued" and message.attempts == 1
    assert message.last_error.startswith(UNKNOWN_OUTCOME)
    assert "unreachable" in message.last_error.lower()
    _wait_for(lambda: fake_twilio.requests_count == 1 and not fake_twilio.messages)
    retry = run_once("w1", channel=channel, now=DAY + timedelta(minutes=1))
    assert (retry.lookups, retry.reconciled, retry.sent) == (1, 0, 1)
    assert row(db, message_id).attempts == 2
    assert len(fake_twilio.messages) == 1


def test_a_timed_out_send_twilio_accepted_is_not_sent_again(db, queue, make_twilio_channel,
                                                           fake_twilio):
    # The stand-in accepts after 1 s; the client gave up after 0.3 s.
    fake_twilio.answer_next(Outcome.timeout(delay=1.0))
    message_id = queue()
    channel = make_twilio_channel(timeout=0.3)
    assert run_once("w1", channel=channel, now=DAY).retried == 1
    _wait_for(lambda: len(fake_twilio.messages) == 1)

    retry = run_once("w1", channel=channel, now=DAY + timedelta(minutes=1))

    assert (retry.lookups, retry.reconciled, retry.sent) == (1, 1, 0)
    [accepted] = fake_twilio.messages
    message = row(db, message_id)
    assert (message.status, message.provider_id, message.attempts) == ("sent", accepted.sid, 1)
    assert message.last_error == ""


def test_attempts_are_capped(app, db, queue, twilio, fake_twilio, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_MAX_ATTEMPTS", 3)
    fake_twilio.answer_to(PHONE, 500)
    message_id = queue()

    at = DAY
    outcomes = []
    for _ in range(4):
        stats = run_once("w1", channel=twilio, now=at)
        outcomes.append((stats.retried, stats.failed))
        at += timedelta(hours=2)

    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]
    message = row(db, message_id)
    assert (message.status, message.attempts) == ("failed", 3)
    assert "500" in message.last_error
    # Three sends; a 500 leaves the outcome unknown, so each retry first asked the list.
    assert (fake_twilio.requests_count, fake_twilio.lookups) == (5, 2)


def test_backoff_doubles_and_is_capped():
    rng = random.Random(4)
    for attempts, full in [(1, 30), (2, 60), (3, 120), (6, 960), (8, 3600), (50, 3600)]:
        for _ in range(20):
            wait = loop.backoff(attempts, rng).total_seconds()
            assert full / 2 <= wait <= full


# -- permanent errors --------------------------------------------------------------------------


def test_21610_fails_at_once_and_marks_the_phone_opted_out(db, queue, twilio, fake_twilio):
    fake_twilio.answer_to(PHONE, 21610)
    first, second = queue(body="one"), queue(body="two")

    stats = run_once("w1", channel=twilio, now=DAY)

    # The first refusal tells us the phone said STOP; the second text is not even tried.
    assert (stats.failed, stats.cancelled, stats.retried) == (1, 1, 0)
    assert fake_twilio.requests_count == 1
    failed = row(db, first)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "21610" in failed.last_error
    assert (row(db, second).status, row(db, second).last_error) == ("cancelled", "opted out")
    assert db.session.get(PhonePreference, PHONE).opted_out is True
    assert run_once("w1", channel=twilio, now=DAY + timedelta(days=1)).claimed == 0
    assert fake_twilio.requests_count == 1


@pytest.mark.parametrize("code", [21211, 21614])
def test_invalid_or_landline_number_fails_without_retry(db, queue, twilio, fake_twilio, code):
    fake_twilio.answer_to(PHONE, code)
    message_id = queue()

    assert run_once("w1", channel=twilio, now=DAY).failed == 1
    run_once("w1", channel=twilio, now=DAY + timedelta(days=1))

    message = row(db, message_id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert str(code) in message.last_error
    assert fake_twilio.requests_count == 1
    assert db.session.get(PhonePreference, PHONE) is None  # a bad number did not say STOP


class _PacedChannel(ConsoleChannel):
    """A channel that paces itself, like the Android phone: the second text must wait 6 s."""

    name = "paced"

    def __init__(self) -> None:
        self.calls = 0

    def send(self, to, body, *, status_callback=None):
        self.calls += 1
        if self.calls == 2:
            raise TemporaryError("send rate", TemporaryReason.PACED, retry_after=6.0)
        return super().send(to, body, status_callback=status_callback)


def test_a_channel_pacing_itself_uses_no_attempt(db, queue):
    ids = [queue(body=f"paced {i}", phone=f"+8491200000{i}") for i in range(3)]
    channel = _PacedChannel()

    stats = run_once("w1", channel=channel, now=DAY)

    assert (stats.sent, stats.deferred, stats.throttled) == (1, 1, True)
    waiting = [row(db, i) for i in ids[1:]]
    assert {(m.status, m.attempts) for m in waiting} == {("queued", 0)}
    assert {m.next_attempt_at for m in waiting} == {DAY + timedelta(seconds=6)}
    assert run_once("w1", channel=channel, now=DAY + timedelta(seconds=6)).sent == 2


def test_opted_out_phone_is_never_sent(db, queue, twilio, fake_twilio):
    message_id = queue()
    other = queue(phone="+84987654321")
    # STOP after it was queued (nothing is queued to a phone that already said it)
    db.session.add(PhonePreference(phone=PHONE, opted_out=True))
    db.session.commit()

    stats = run_once("w1", channel=twilio, now=DAY)

    assert (stats.cancelled, stats.sent) == (1, 1)
    assert [m.to for m in fake_twilio.messages] == ["+84987654321"]
    assert (row(db, message_id).status, row(db, message_id).last_error) == ("cancelled",
                                                                           "opted out")
    assert row(db, other).status == "sent"


class _RefusingChannel(ConsoleChannel):
    """Refuses every text to ``PHONE`` with ``error`` — a meaning and no provider code at all,
    as any channel may: the worker must act on the reason alone."""

    name = "refusing"

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.tries: list[str] = []

    def send(self, to, body, *, status_callback=None):
        self.tries.append(body)
        if to == PHONE:
            raise self.error
        return super().send(to, body, status_callback=status_callback)


def test_an_opted_out_refusal_marks_the_phone_whatever_the_provider(db, queue):
    channel = _RefusingChannel(PermanentError("recipient said STOP", PermanentReason.OPTED_OUT))
    first, second = queue(body="one"), queue(body="two")

    stats = run_once("w1", channel=channel, now=DAY)

    assert (stats.failed, stats.cancelled) == (1, 1)
    assert channel.tries == ["one"]
    assert db.session.get(PhonePreference, PHONE).opted_out is True
    assert (row(db, first).status, row(db, second).status) == ("failed", "cancelled")


@pytest.mark.parametrize("reason", sorted(set(PermanentReason) - {PermanentReason.OPTED_OUT}))
def test_other_refusals_fail_the_text_but_leave_the_phone_alone(db, queue, reason):
    channel = _RefusingChannel(PermanentError("refused", reason))
    message_id = queue(body="one")
    queue(body="two")

    stats = run_once("w1", channel=channel, now=DAY)

    assert (stats.failed, stats.cancelled) == (2, 0)  # each text is tried on its own
    assert row(db, message_id).last_error == "refused"
    assert db.session.get(PhonePreference, PHONE) is None


def test_a_throttled_answer_gives_the_batch_back_whatever_the_provider(db, queue):
    channel = _RefusingChannel(TemporaryError("slow down", TemporaryReason.THROTTLED))
    throttled = queue(body="first")
    rest = [queue(body=f"text {i}", phone=f"+8491200000{i}") for i in range(3)]

    stats = run_once("w1", channel=channel, now=DAY)

    assert stats.throttled and (stats.retried, stats.sent) == (1, 0)
    assert row(db, throttled).attempts == 1
    assert {(row(db, i).attempts, row(db, i).next_attempt_at) for i in rest} == {
        (0, DAY + loop.THROTTLE_PAUSE)}


@pytest.mark.parametrize("reason", [TemporaryReason.UNAVAILABLE, TemporaryReason.TIMEOUT])
def test_an_unavailable_provider_retries_that_text_and_goes_on(db, queue, reason):
    channel = _RefusingChannel(TemporaryError("down", reason))
    down = queue(body="first")
    other = queue(body="other", phone="+84912000009")

    stats = run_once("w1", channel=channel, now=DAY)

    assert not stats.throttled and (stats.retried, stats.sent) == (1, 1)
    assert (row(db, down).status, row(db, down).attempts) == ("queued", 1)
    assert row(db, other).status == "sent"


# -- quiet hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "quiet"),
    [(time(20, 59), False), (time(21, 0), True), (time(23, 30), True), (time(0, 0), True),
     (time(6, 59), True), (time(7, 0), False), (time(12, 0), False)],
)
def test_quiet_window_wraps_midnight(local, quiet):
    moment = datetime.combine(datetime(2024, 11, 18).date(), local, tzinfo=TZ)
    assert loop.in_quiet_hours(moment, time(21, 0), time(7, 0)) is quiet
    assert loop.in_quiet_hours(moment, time(7, 0), time(7, 0)) is False  # no window


@pytest.mark.parametrize("now", [NIGHT, datetime(2024, 11, 18, 18, 30)])  # 23:00, 01:30 local
def test_notification_at_night_waits_for_seven_in_the_morning(db, queue, twilio, fake_twilio,
                                                               now):
    message_id = queue(at=NIGHT)

    stats = run_once("w1", channel=twilio, now=now)

    assert (stats.deferred, stats.sent) == (1, 0)
    assert fake_twilio.requests_count == 0
    message = row(db, message_id)
    assert (message.status, message.attempts, message.claimed_by) == ("queued", 0, None)
    assert message.next_attempt_at == MORNING
    assert run_once("w1", channel=twilio, now=MORNING - timedelta(seconds=1)).claimed == 0
    assert run_once("w1", channel=twilio, now=MORNING).sent == 1


def test_quiet_hours_follow_the_config(app, db, queue, twilio, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_QUIET_START", "22:00")
    monkeypatch.setitem(app.config, "SMS_QUIET_END", "06:00")
    early = queue(at=NIGHT - timedelta(hours=2))  # 21:00 local: not quiet any more
    run_once("w1", channel=twilio, now=NIGHT - timedelta(hours=2))
    assert row(db, early).status == "sent"

    late = queue(at=NIGHT)
    run_once("w1", channel=twilio, now=NIGHT)
    assert row(db, late).next_attempt_at == MORNING - timedelta(hours=1)


def test_quiet_hours_are_those_of_the_rows_office(db, make_office, queue, twilio, fake_twilio):
    # 13:00 UTC: 20:00 in Vietnam (not quiet yet), 22:00 in Tokyo (quiet).
    at = datetime(2024, 11, 18, 13, 0)
    tokyo = make_office(code="TK", name="Tokyo", timezone="Asia/Tokyo")
    vietnam = queue(body="vietnam", at=at)
    japan = queue(body="tokyo", office_id=tokyo.id, at=at)

    stats = run_once("w1", channel=twilio, now=at)

    assert (stats.sent, stats.deferred) == (1, 1)
    assert row(db, vietnam).status == "sent"
    # Held for 07:00 in Tokyo (UTC+9): 22:00 UTC.
    assert row(db, japan).next_attempt_at == datetime(2024, 11, 18, 22, 0)


def test_an_office_without_a_time_zone_gets_the_default_one(db, make_office, queue, twilio):
    blank = make_office(code="BL", name="Blank", timezone="")
    message_id = queue(office_id=blank.id, at=NIGHT)

    run_once("w1", channel=twilio, now=NIGHT)

    assert row(db, message_id).next_attempt_at == MORNING  # Asia/Ho_Chi_Minh, like a new office


def test_reply_to_a_fresh_text_goes_out_at_night(db, office, queue, twilio, fake_twilio):
    inbound = Message(office_id=office.id, direction="in", phone=PHONE, body="TT VB-241118-0001",
                      status="received", created_at=NIGHT - timedelta(minutes=2))
    old = Message(office_id=office.id, direction="in", phone=PHONE, body="GY cam on",
                  status="received", created_at=NIGHT - timedelta(hours=3))
    db.session.add_all([inbound, old])
    db.session.commit()
    reply = queue(body="HS VB-241118-0001: Dang giai quyet.", kind="reply",
                  reply_to_id=inbound.id, at=NIGHT)
    late_reply = queue(body="Cam on ong/ba.", kind="reply", reply_to_id=old.id, at=NIGHT)
    notice = queue(body="Ho so da co ket qua.", at=NIGHT)

    stats = run_once("w1", channel=twilio, now=NIGHT)

    assert (stats.sent, stats.deferred) == (1, 2)
    assert [m.body for m in fake_twilio.messages] == ["HS VB-241118-0001: Dang giai quyet."]
    assert row(db, reply).status == "sent"
    assert row(db, late_reply).next_attempt_at == MORNING  # the citizen wrote hours ago
    assert row(db, notice).next_attempt_at == MORNING


# -- draining, several workers, a killed worker ------------------------------------------------


def test_run_once_drains_batch_after_batch(db, queue, twilio, fake_twilio):
    for i in range(120):
        queue(body=f"drain {i}", phone=f"+849120{i:05d}")

    stats = run_once("w1", batch=50, channel=twilio, now=DAY)

    assert (stats.batches, stats.claimed, stats.sent) == (3, 120, 120)
    assert Counter(m.body for m in fake_twilio.messages) == {f"drain {i}": 1 for i in range(120)}
    assert {m.status for m in outbound(db)} == {"sent"}


def _assert_each_sent_once(fake_twilio, db, n: int, prefix: str) -> None:
    counts = Counter((m.to, m.body) for m in fake_twilio.messages)
    duplicates = {key: c for key, c in counts.items() if c > 1}
    expected = {(f"+849130{i:05d}", f"{prefix} {i}") for i in range(n)}
    lost = expected - set(counts)
    assert duplicates == {} and lost == set()
    assert len(fake_twilio.messages) == n
    rows = outbound(db)
    assert {m.status for m in rows} == {"sent"}
    assert {m.provider_id for m in rows} == {m.sid for m in fake_twilio.messages}


def test_two_workers_at_once_send_each_message_exactly_once(app, db, queue, make_twilio_channel,
                                                            fake_twilio):
    n = 300
    for i in range(n):
        queue(body=f"pair {i}", phone=f"+849130{i:05d}")
    start = threading.Barrier(2)
    results: dict[str, Stats] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            channel = make_twilio_channel(timeout=5.0)  # one SDK client per worker
            with app.app_context():
                start.wait()
                results[name] = run_once(name, batch=10, channel=channel, now=DAY)
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert results["A"].sent + results["B"].sent == n
    assert results["A"].claimed > 0 and results["B"].claimed > 0  # both really worked
    assert results["A"].taken_over + results["B"].taken_over == 0
    _assert_each_sent_once(fake_twilio, db, n, "pair")


def test_killed_worker_rows_are_resumed_after_the_lease(db, queue, twilio, fake_twilio):
    n = 40
    for i in range(n):
        queue(body=f"kill {i}", phone=f"+849130{i:05d}")
    # Worker A claims everything, sends half, then dies without a word.
    token, rows = claim("A", batch=n, now=DAY)
    assert len(rows) == n
    process_claimed(token, rows[:20], channel=twilio, now=DAY)
    assert len(fake_twilio.messages) == 20

    # While A's lease runs, B leaves A's rows alone.
    assert run_once("B", channel=twilio, now=DAY + timedelta(seconds=59)).claimed == 0
    stats = run_once("B", channel=twilio, now=DAY + timedelta(seconds=61))

    assert (stats.claimed, stats.sent) == (20, 20)
    # Any of A's unrecorded rows might have been in flight: each was looked up first.
    assert (stats.lookups, stats.reconciled) == (20, 0)
    _assert_each_sent_once(fake_twilio, db, n, "kill")


# -- a send whose outcome is unknown: ask Twilio before sending again ---------------------------

AFTER_LEASE = DAY + timedelta(seconds=61)


def _die_after_send(twilio: TwilioChannel, now: datetime = DAY) -> tuple[int, str]:
    """Worker A claims the one due row and Twilio accepts its text, then A is killed before
    the commit that records the provider id: the row stays "sending" until the lease runs out."""
    _, [claimed] = claim("A", batch=1, now=now)
    accepted = twilio.send(claimed.phone, claimed.body)
    return claimed.id, accepted.provider_id


def test_killed_after_twilio_accepted_the_next_worker_records_it_without_sending(
        db, queue, twilio, fake_twilio):
    message_id = queue()
    message_id, sid = _die_after_send(twilio)

    stats = run_once("B", channel=twilio, now=AFTER_LEASE)

    assert (stats.claimed, stats.lookups, stats.reconciled, stats.sent) == (1, 1, 1, 0)
    assert [m.sid for m in fake_twilio.messages] == [sid]  # one text, not two
    message = row(db, message_id)
    assert (message.status, message.provider_id, message.channel) == ("sent", sid, "twilio")
    assert (message.attempts, message.sent_at, message.last_error) == (1, AFTER_LEASE, "")
    assert (message.claimed_by, message.claimed_until) == (None, None)
    # What B asked: this phone, from our sender, since the day the text was queued (UTC).
    [query] = fake_twilio.list_queries
    assert query["To"] == PHONE and query["From"] == DEFAULT_SENDER
    assert query["DateSent>"] == "2024-11-18"
    # Nothing left to do.
    assert run_once("C", channel=twilio, now=AFTER_LEASE + timedelta(hours=1)).claimed == 0


def test_claimed_but_never_sent_is_sent_once_after_the_lookup(db, queue, twilio, fake_twilio):
    message_id = queue()
    claim("A", batch=1, now=DAY)  # A dies before its send

    stats = run_once("B", channel=twilio, now=AFTER_LEASE)

    assert (stats.lookups, stats.reconciled, stats.sent) == (1, 0, 1)
    [sent] = fake_twilio.messages
    message = row(db, message_id)
    assert (message.status, message.provider_id, message.attempts) == ("sent", sent.sid, 1)
    assert message.last_error == ""


def test_an_identical_text_already_recorded_for_another_row_is_not_mistaken_for_this_one(
        db, queue, twilio, fake_twilio):
    body = "Ho so VB-241118-0001: moi ong/ba bo sung ban sao CCCD."
    first = queue(body=body)
    assert run_once("w1", channel=twilio, now=DAY).sent == 1
    second = queue(body=body, at=DAY + timedelta(minutes=1))
    claim("A", batch=1, now=DAY + timedelta(minutes=1))  # A dies before sending the second

    stats = run_once("B", channel=twilio, now=AFTER_LEASE + timedelta(minutes=1))

    assert (stats.lookups, stats.reconciled, stats.sent) == (1, 0, 1)
    assert [m.body for m in fake_twilio.messages] == [body, body]
    assert row(db, second).provider_id != row(db, first).provider_id
    assert {row(db, i).provider_id for i in (first, second)} == {
        m.sid for m in fake_twilio.messages}


def test_identical_texts_each_find_their_own_copy(db, queue, twilio, fake_twilio):
    body = "Ho so VB-241118-0001 da co ket qua."
    first = queue(body=body)
    assert run_once("w1", channel=twilio, now=DAY).sent == 1
    second = queue(body=body, at=DAY + timedelta(minutes=1))
    second, sid = _die_after_send(twilio, now=DAY + timedelta(minutes=1))

    stats = run_once("B", channel=twilio, now=AFTER_LEASE + timedelta(minutes=1))

    assert (stats.reconciled, stats.sent) == (1, 0)
    assert len(fake_twilio.messages) == 2
    assert row(db, second).provider_id == sid != row(db, first).provider_id


@pytest.mark.parametrize("failure", [500, 429, "timeout"])
def test_lookup_failing_keeps_the_row_queued_and_sends_nothing(db, queue, make_twilio_channel,
                                                               fake_twilio, failure):
    channel = make_twilio_channel(timeout=0.3)
    message_id = queue()
    claim("A", batch=1, now=DAY)
    fake_twilio.answer_next_list(Outcome.timeout(delay=1.0) if failure == "timeout" else failure)

    stats = run_once("B", channel=channel, now=AFTER_LEASE)

    assert (stats.lookups, stats.retried, stats.sent, stats.reconciled) == (1, 1, 0, 0)
    assert fake_twilio.messages == []  # never a blind send
    message = row(db, message_id)
    assert (message.status, message.attempts, message.claimed_by) == ("queued", 1, None)
    assert message.last_error.startswith(UNKNOWN_OUTCOME)
    assert "list failed" in message.last_error
    assert message.next_attempt_at > AFTER_LEASE
    # Still in doubt at the next try: asked again, then sent once.
    later = run_once("B", channel=channel, now=AFTER_LEASE + timedelta(hours=1))
    assert (later.lookups, later.sent) == (1, 1)
    assert len(fake_twilio.messages) == 1
    assert row(db, message_id).attempts == 2


def test_a_lookup_that_keeps_failing_ends_failed_without_a_send(app, db, queue, twilio,
                                                                fake_twilio, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_MAX_ATTEMPTS", 2)
    message_id = queue()
    claim("A", batch=1, now=DAY)
    fake_twilio.answer_next_list(500, 500)

    run_once("B", channel=twilio, now=AFTER_LEASE)
    last = run_once("B", channel=twilio, now=AFTER_LEASE + timedelta(hours=1))

    assert last.failed == 1
    assert fake_twilio.messages == []
    message = row(db, message_id)
    assert (message.status, message.attempts) == ("failed", 2)
    assert message.last_error.startswith(UNKNOWN_OUTCOME)


def test_the_doubt_survives_a_deferral(db, queue, twilio, fake_twilio):
    # A died mid-send at 20:58 local; B takes the row over at 23:00, in quiet hours: it waits
    # for 07:00 without asking anything…
    at = NIGHT - timedelta(hours=2, minutes=2)
    message_id = queue(at=at)
    _, sid = _die_after_send(twilio, now=at)
    deferred = run_once("B", channel=twilio, now=NIGHT)
    assert (deferred.deferred, deferred.lookups) == (1, 0)
    assert row(db, message_id).last_error.startswith(UNKNOWN_OUTCOME)

    # …and in the morning C still asks first.
    stats = run_once("C", channel=twilio, now=MORNING)

    assert (stats.reconciled, stats.sent) == (1, 0)
    assert [m.sid for m in fake_twilio.messages] == [sid]
    assert row(db, message_id).provider_id == sid


def test_a_reconciled_text_takes_the_status_twilio_reports(db, queue, twilio, fake_twilio):
    message_id = queue()
    message_id, sid = _die_after_send(twilio)
    fake_twilio.status_callback(sid, "delivered", url_override="http://127.0.0.1/x")  # not sent

    assert run_once("B", channel=twilio, now=AFTER_LEASE).reconciled == 1

    message = row(db, message_id)
    assert (message.status, message.provider_id) == ("delivered", sid)
    assert message.delivered_at is not None


class _StaleLookupChannel(ConsoleChannel):
    """Answers every lookup with one fixed id, as a lookup racing another row's might."""

    name = "stale"

    def __init__(self, sid: str) -> None:
        self.sid = sid
        self.sends = 0

    def find_sent(self, lookup):
        return SendResult(self.sid, "queued")

    def send(self, to, body, *, status_callback=None):
        self.sends += 1
        return super().send(to, body, status_callback=status_callback)


def test_an_id_recorded_meanwhile_for_another_row_is_looked_up_again_later(db, office, queue):
    other = queue(body="same", phone="+84900000001")
    channel = _StaleLookupChannel("SM-taken")
    db.session.get(Message, other).provider_id = "SM-taken"
    db.session.get(Message, other).channel = "stale"
    db.session.get(Message, other).status = "sent"
    db.session.commit()
    message_id = queue(body="same")
    claim("A", batch=1, now=DAY)

    stats = run_once("B", channel=channel, now=AFTER_LEASE)  # ends: no endless retaking

    assert (stats.lookups, stats.deferred, stats.reconciled, stats.sent) == (1, 1, 0, 0)
    assert channel.sends == 0
    message = row(db, message_id)
    assert (message.status, message.attempts, message.provider_id) == ("queued", 0, None)
    assert message.next_attempt_at == AFTER_LEASE + CONFLICT_PAUSE
    assert message.last_error.startswith(UNKNOWN_OUTCOME)  # still in doubt


def test_a_copy_twilio_does_not_list_yet_is_sent_again(db, queue, twilio, fake_twilio):
    """The documented limit: Twilio's list is eventually consistent. A text it accepted but
    does not list yet looks unsent, so it goes twice (at least once, never lost)."""
    message_id = queue()
    _die_after_send(twilio)
    fake_twilio.list_lag = 3600

    stats = run_once("B", channel=twilio, now=AFTER_LEASE)

    assert (stats.lookups, stats.reconciled, stats.sent) == (1, 0, 1)
    assert len(fake_twilio.messages) == 2
    assert row(db, message_id).status == "sent"


def test_a_worker_that_wakes_after_a_takeover_does_not_send(db, queue, twilio, fake_twilio):
    for i in range(10):
        queue(body=f"wake {i}", phone=f"+849130{i:05d}")
    token_a, rows_a = claim("A", batch=10, now=DAY)  # A freezes (SIGSTOP, a suspended VM)…
    stats_b = run_once("B", channel=twilio, now=DAY + timedelta(seconds=61))  # …B takes over
    assert stats_b.sent == 10

    stats_a = process_claimed(token_a, rows_a, channel=twilio, now=DAY + timedelta(seconds=62))

    assert (stats_a.taken_over, stats_a.sent) == (10, 0)
    _assert_each_sent_once(fake_twilio, db, 10, "wake")


def test_a_slow_batch_renews_its_claim_so_nobody_takes_the_rest(db, queue, twilio, fake_twilio):
    for i in range(5):
        queue(body=f"slow {i}", phone=f"+849130{i:05d}")
    token, rows = claim("A", batch=5, now=DAY)  # lease until DAY + 60 s
    # 57 s later only 3 s of lease are left, less than twice the 2 s timeout: A renews first.
    assert process_claimed(token, rows[:1], channel=twilio, now=DAY + timedelta(seconds=57)).sent

    # So at DAY + 61 s, when the first lease would have run out, B finds nothing to take…
    assert run_once("B", channel=twilio, now=DAY + timedelta(seconds=61)).claimed == 0
    # …and A finishes its batch.
    assert process_claimed(token, rows[1:], channel=twilio, now=DAY + timedelta(seconds=62)
                           ).sent == 4
    _assert_each_sent_once(fake_twilio, db, 5, "slow")


def test_same_worker_id_twice_still_claims_disjoint_rows(db, queue):
    for i in range(6):
        queue(body=f"same {i}", phone=f"+849130{i:05d}")

    token_1, rows_1 = claim("host-1", batch=3, now=DAY)
    token_2, rows_2 = claim("host-1", batch=3, now=DAY)

    assert token_1 != token_2
    assert not {r.id for r in rows_1} & {r.id for r in rows_2}
    assert len(rows_1) == len(rows_2) == 3


def test_a_short_lease_is_refused(db, twilio):
    with pytest.raises(ValueError, match="twice the send timeout"):
        run_once("w1", channel=twilio, now=DAY, lease=3)  # timeout is 2 s


# -- the outbox and the status change are one transaction ---------------------------------------


def test_status_change_queues_its_text_in_the_same_transaction(db, make_dossier, twilio,
                                                               fake_twilio):
    dossier = make_dossier(sms_consent=True)
    before = len(outbound(db))  # the "received" text

    change_status(dossier, "needs_supplement", None, note="Thiếu bản sao CCCD", commit=False)
    assert len(list(db.session.scalars(
        sa.select(Message).where(Message.direction == "out")))) == before + 1  # flushed, not saved
    db.session.rollback()

    assert len(outbound(db)) == before
    db.session.refresh(dossier)
    assert dossier.status == "received"

    event = change_status(dossier, "needs_supplement", None, note="Thiếu bản sao CCCD")
    texts = outbound(db)
    assert len(texts) == before + 1
    assert texts[-1].dedupe_key == f"event:{event.id}:{dossier.phone}"
    assert "con thieu giay to" in texts[-1].body
    # One message per event and phone, even if asked twice.
    assert queue_status_notifications(dossier, event) == []

    # The worker sends both texts at 10:00 local tomorrow (they were queued with the real clock).
    tomorrow = (datetime.now(TZ) + timedelta(days=1)).replace(hour=10, minute=0)
    stats = run_once("w1", channel=twilio, now=tomorrow.astimezone(ZoneInfo("UTC")).replace(
        tzinfo=None))
    assert stats.sent == before + 1
    assert sorted(m.body for m in fake_twilio.messages) == sorted(m.body for m in texts)


# -- channels from configuration ---------------------------------------------------------------


def test_get_channel_defaults_to_console(app, db):
    assert isinstance(get_channel(), ConsoleChannel)


def test_get_channel_twilio_needs_its_settings(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_CHANNEL", "twilio")
    for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM",
                "TWILIO_MESSAGING_SERVICE_SID"):
        monkeypatch.setitem(app.config, key, "")
    with pytest.raises(ChannelConfigError) as caught:
        get_channel()
    assert "TWILIO_ACCOUNT_SID" in str(caught.value)
    assert "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID" in str(caught.value)

    monkeypatch.setitem(app.config, "TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_SERVICE_SID", "MG" + "2" * 32)
    channel = get_channel()
    assert isinstance(channel, TwilioChannel)
    assert channel.messaging_service_sid == "MG" + "2" * 32 and channel.from_ is None


def test_get_channel_unknown_name_and_registered_factory(app, db, office, monkeypatch):
    with pytest.raises(ChannelConfigError, match="unknown SMS channel 'pigeon'"):
        get_channel("pigeon")

    monkeypatch.setitem(FACTORIES, "android", FACTORIES["console"])  # undone after the test
    register_channel("android", lambda config: ConsoleChannel())
    office.sms_channel = "android"
    assert isinstance(get_channel(office=office), ConsoleChannel)


def _twilio_settings(app, monkeypatch, fake_twilio) -> None:
    for key, value in {
        "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
        "TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
        "TWILIO_FROM": "MOTCUA",
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
    }.items():
        monkeypatch.setitem(app.config, key, value)


def test_office_channel_picks_twilio_while_the_default_is_console(app, db, make_office, queue,
                                                                  fake_twilio, monkeypatch):
    _twilio_settings(app, monkeypatch, fake_twilio)
    twilio_office = make_office(code="TB", name="UBND xã Tân Bình", sms_channel="twilio")
    by_twilio = queue(body="via twilio", office_id=twilio_office.id)
    by_console = queue(body="via console")

    stats = run_once("w1", now=DAY)  # no channel forced: config and office decide

    assert stats.sent == 2
    assert [m.body for m in fake_twilio.messages] == ["via twilio"]
    assert row(db, by_twilio).channel == "twilio"
    assert row(db, by_console).channel == "console"
    assert row(db, by_console).provider_id.startswith("CONSOLE-")


def test_unconfigured_office_channel_waits_without_using_attempts(app, db, make_office, queue,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_ACCOUNT_SID", "")
    broken = make_office(code="TB", name="UBND xã Tân Bình", sms_channel="twilio")
    message_id = queue(office_id=broken.id)

    stats = run_once("w1", now=DAY)

    assert stats.deferred == 1 and "TWILIO_ACCOUNT_SID" in stats.errors[0]
    message = row(db, message_id)
    assert (message.status, message.attempts) == ("queued", 0)
    assert "not configured" in message.last_error
    assert message.next_attempt_at == DAY + loop.UNCONFIGURED_PAUSE


# -- command line and dashboard numbers --------------------------------------------------------


def test_cli_worker_once_sends_on_the_configured_channel(app, runner, db, queue, fake_twilio,
                                                         monkeypatch):
    _twilio_settings(app, monkeypatch, fake_twilio)
    monkeypatch.setitem(app.config, "SMS_CHANNEL", "twilio")
    monkeypatch.setitem(app.config, "SMS_QUIET_START", "00:00")  # whatever the hour the test runs
    monkeypatch.setitem(app.config, "SMS_QUIET_END", "00:00")
    queue(at=DAY)

    result = runner.invoke(args=["sms", "worker", "--once", "--batch", "5", "--worker-id", "cron"])

    assert result.exit_code == 0, result.output
    assert "sent=1" in result.output
    assert len(fake_twilio.messages) == 1
    assert outbound(db)[0].status == "sent"


def test_cli_worker_on_the_console_shows_each_text_it_would_send(app, runner, db, queue,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "SMS_CHANNEL", "console")
    monkeypatch.setitem(app.config, "SMS_QUIET_START", "00:00")  # whatever the hour the test runs
    monkeypatch.setitem(app.config, "SMS_QUIET_END", "00:00")
    notice = "Ho so VB-241118-0001 da co ket qua."
    long_text = "HD KS: " + "mang CCCD, giay chung sinh, so ho khau. " * 5
    queue(body=notice)
    queue(body=long_text, phone="+84987654321")

    result = runner.invoke(args=["sms", "worker", "--once", "--worker-id", "dev"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        f"SMS to {PHONE} (1 segment, GSM-7, {len(notice)} chars)",
        f"  {notice}",
        f"SMS to +84987654321 (2 segments, GSM-7, {len(long_text)} chars)",
        f"  {long_text}",
    ]
    assert "sent=2" in lines[-1]  # the counters still close the run
    assert {m.status for m in outbound(db)} == {"sent"}


def test_cli_worker_refuses_to_start_with_a_bad_channel(app, runner, db, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_CHANNEL", "twilio")
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "")

    result = runner.invoke(args=["sms", "worker", "--once"])

    assert result.exit_code != 0
    assert "TWILIO_AUTH_TOKEN" in result.output


def test_outbox_stats_for_the_dashboard(db, office, queue, make_office, twilio, fake_twilio):
    fake_twilio.answer_to("+84900000003", 21211)
    queue(body="sent", phone="+84900000001", at=DAY - timedelta(hours=1))
    queue(body="later", phone="+84900000002", at=DAY + timedelta(hours=1))
    queue(body="bad", phone="+84900000003", at=DAY - timedelta(hours=1))
    run_once("w1", channel=twilio, now=DAY - timedelta(minutes=30))
    queue(body="due", phone="+84900000004", at=DAY - timedelta(minutes=10))
    stuck_id = queue(body="claimed", phone="+84900000005", at=DAY - timedelta(minutes=20))
    claim("dead", batch=1, now=DAY - timedelta(minutes=5))  # takes the oldest due: "claimed"
    other = make_office(code="TB", name="UBND xã Tân Bình")
    queue(body="elsewhere", phone="+84900000006", office_id=other.id)

    stats = outbox_stats(office.id, now=DAY)

    assert row(db, stuck_id).status == "sending"
    assert stats == {
        "queued": 2,
        "due": 1,
        "sending": 1,
        "stuck": 1,
        "failed_24h": 1,
        "sent_24h": 1,
        "oldest_queued_age": 600,
        "last_sent_at": DAY - timedelta(minutes=30),
    }
    assert outbox_stats(office.id, now=DAY + timedelta(days=2))["failed_24h"] == 0
