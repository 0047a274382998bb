"""The send loop: take claimed rows one by one to an outcome, batch after batch, until stopped.

For each row: still ours and not opted out (``claims.row_state``)? quiet hours in its office's
time zone? which channel? a lease long enough for the send? in doubt — ask the provider first
(``reconcile``)? then send, and record the outcome in one commit: sent; a temporary error (by
its reason: throttled, paced, unavailable, timeout) back to the queue with backoff; a permanent
one failed (``opted_out`` also marks the phone, any other may queue a copy on the office's other
channel). :class:`Stats` counts what a run did; :func:`run_once` drains what is due now,
:func:`run_forever` is the service. The design: docs/SMS_WORKER.md.

The clock: ``run_once(now=…)`` freezes it for tests; otherwise every row reads
``app.clock.utcnow`` (``_setup``), and ``run_forever`` passes ``utcnow()`` to the reminders.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time as _time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.clock import to_local, utcnow
from app.deadlines import parse_hhmm
from app.extensions import db
from app.models import Message, Office, PhonePreference
from app.phones import undeliverable_reason
from app.sms.channels import (
    DEFAULT_SEND_TIMEOUT,
    Channel,
    ChannelConfigError,
    PermanentError,
    PermanentReason,
    TemporaryError,
    TemporaryReason,
    channel_name_for,
    get_channel,
)
from app.sms.fallback import queue_fallback
from app.sms.hamlets import run_handover
from app.sms.quiet_hours import in_quiet_hours, quiet_ends_at
from app.sms.reminders import queue_reminders
from app.sms.worker.claims import (
    Claimed,
    check_lease,
    claim,
    error_text,
    flag_unsure,
    lease_covers_send,
    lease_seconds,
    release,
    row_state,
    update_claimed,
    write,
)
from app.sms.worker.reconcile import LookupFailed, look_up, record_found

logger = logging.getLogger(__name__)

#: First retry after about 30 s, doubling each time, never more than an hour apart.
BACKOFF_BASE = 30.0
BACKOFF_CAP = 3600.0
#: A reply to a text received at most this long ago is sent even in quiet hours.
REPLY_FRESH = timedelta(minutes=30)
#: When the provider says "slow down" (a ``throttled`` error) the rest of the batch waits.
THROTTLE_PAUSE = timedelta(seconds=15)
#: A channel that is not configured: retry later without using attempts (an operator must act).
UNCONFIGURED_PAUSE = timedelta(minutes=15)
#: How often ``run_forever`` queues "your result is waiting" reminders.
REMIND_EVERY = 3600.0
#: How often ``run_forever`` moves help requests nobody took on (app/sms/hamlets.py).
HANDOVER_EVERY = 300.0


@dataclass
class Stats:
    """What one ``run_once`` did. ``taken_over`` counts rows another worker took over (or an
    officer cancelled) before we sent them: not sent by us, and not lost either.
    ``unrecorded`` counts sends whose outcome could not be written because the claim had passed
    to another worker meanwhile — only after a stall longer than the lease; a possible
    duplicate, logged as a warning. ``reconciled`` counts rows whose earlier attempt had an
    unknown outcome and that the channel reported as already accepted: recorded as sent with
    the provider's id, not sent again (not counted in ``sent``); ``lookups`` counts how many
    such questions were asked."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0
    taken_over: int = 0
    unrecorded: int = 0
    reconciled: int = 0
    lookups: int = 0
    batches: int = 0
    throttled: bool = False
    errors: list[str] = field(default_factory=list)

    def add(self, other: Stats) -> None:
        for name in ("claimed", "sent", "retried", "failed", "cancelled", "deferred",
                     "taken_over", "unrecorded", "reconciled", "lookups", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.throttled = self.throttled or other.throttled
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("errors")
        return data

    def __str__(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.as_dict().items())


# -- small pure helpers -------------------------------------------------------------------------


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Wait before the next try after ``attempts`` tries: 30 s × 2^(attempts−1), capped at an
    hour, with "equal jitter" (between half and all of it) so that texts that failed together
    (a provider outage) do not all come back at the same second."""
    exponent = min(max(attempts - 1, 0), 20)
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2**exponent)
    return timedelta(seconds=(rng or random).uniform(delay / 2, delay))


# -- one row ------------------------------------------------------------------------------------


class _OfficeInfo(NamedTuple):
    """What the loop needs of a row's office, read once per run: its time zone (quiet hours),
    its preferred channel and its own SMS settings (encrypted; issue 13)."""

    tz: ZoneInfo
    sms_channel: str
    code: str = ""
    sms_settings: str = ""


def _office_zone(name: str | None) -> ZoneInfo:
    """The office's time zone. A row always has an office and an office always names its zone;
    an orphan row (SQLite does not enforce the foreign key) or an empty name gets the zone a new
    office gets (the column's default), so the worker names no zone of its own."""
    return ZoneInfo(name or Office.__table__.c.timezone.default.arg)


class _Channels:
    """Channels built once per run and shared by its rows (one provider client per process).

    Keyed by the channel name and the office's settings token: communes with settings of their
    own get their own channel (their gateway, their sender), the rest share the app-wide one."""

    def __init__(self, fixed: Channel | None = None) -> None:
        self.fixed = fixed
        self.cache: dict[tuple[str, str], Channel] = {}

    def get(self, name: str | None, office: _OfficeInfo | None) -> Channel:
        if self.fixed is not None:
            return self.fixed
        chosen = channel_name_for(name or None, office)
        key = (chosen, office.sms_settings if office is not None else "")
        if key not in self.cache:
            self.cache[key] = get_channel(chosen, office)
        return self.cache[key]


class _Run:
    """State shared by the rows of one ``run_once``: clock, config, caches, totals."""

    def __init__(self, channels: _Channels, clock: Callable[[], datetime], lease: float) -> None:
        config = current_app.config
        self.channels = channels
        self.clock = clock
        self.lease = lease
        self.max_attempts = int(config.get("SMS_MAX_ATTEMPTS") or 6)
        self.quiet_start = parse_hhmm(config.get("SMS_QUIET_START"))
        self.quiet_end = parse_hhmm(config.get("SMS_QUIET_END"))
        self.public_base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
        self.offices: dict[int, _OfficeInfo] = {}
        self.stats = Stats()
        self.throttle_pause = THROTTLE_PAUSE

    def office(self, office_id: int) -> _OfficeInfo:
        """The office of a row, from this run's cache (one query per office per run)."""
        if office_id not in self.offices:
            row = db.session.execute(
                sa.select(Office.timezone, Office.sms_channel, Office.code, Office.sms_settings)
                .where(Office.id == office_id)
            ).first()
            tz = _office_zone(row.timezone if row else None)
            self.offices[office_id] = _OfficeInfo(
                tz, (row.sms_channel if row else "") or "", row.code if row else "",
                (row.sms_settings if row else "") or "")
        return self.offices[office_id]

    def status_callback(self, channel: Channel) -> str | None:
        """Where the provider should post delivery reports for a text, if it asks for that."""
        if channel.status_callback_path and self.public_base:
            return f"{self.public_base}{channel.status_callback_path}"
        return None

    def quiet_until(self, message: Claimed, office: _OfficeInfo, now: datetime) -> datetime | None:
        """When the quiet period ends, if ``message`` must wait for it; else None."""
        if self.quiet_start is None or self.quiet_end is None:
            return None
        tz = office.tz
        if not in_quiet_hours(to_local(now, tz), self.quiet_start, self.quiet_end):
            return None
        if message.reply_to_id is not None:
            received = db.session.scalar(
                sa.select(Message.created_at).where(
                    Message.id == message.reply_to_id, Message.direction == "in"
                )
            )
            if received is not None and now - received <= REPLY_FRESH:
                return None  # the citizen just texted us and is awake
        return quiet_ends_at(now, tz, self.quiet_end)


def _mark_opted_out(phone: str, now: datetime) -> None:
    """The provider says this phone told it STOP: no text of ours goes to it any more."""
    pref = db.session.get(PhonePreference, phone)
    if pref is None:
        db.session.add(PhonePreference(phone=phone, opted_out=True, updated_at=now))
    else:
        pref.opted_out = True
    db.session.flush()


def _retry_later(run: _Run, message: Claimed, token: str, exc: BaseException,
                 unsure: bool) -> str:
    """Give the row back for a later try after a temporary error (``exc``): backoff, one more
    attempt used, failed when attempts are spent; ``unsure`` keeps it flagged
    ``UNKNOWN_OUTCOME`` so the next try asks the provider first. What else happens depends on
    the error's reason: ``paced`` uses no attempt, ``throttled`` gives back the whole batch."""
    stats = run.stats
    message_id, attempts = message.id, message.attempts
    failed_at = run.clock()
    reason = exc.reason if isinstance(exc, TemporaryError) else None
    retry_after = exc.retry_after if isinstance(exc, TemporaryError) else None
    error = flag_unsure(error_text(exc), unsure)
    if reason is TemporaryReason.PACED:
        # The channel's own pacing (a phone's send rate): nothing reached the provider,
        # so no attempt is used; this row and the rest of the batch wait.
        pause = timedelta(seconds=float(retry_after or THROTTLE_PAUSE.total_seconds()))
        run.throttle_pause = pause
        stats.throttled = True
        values: dict[str, Any] = {
            "status": "queued", "last_error": error,
            "next_attempt_at": failed_at + pause, "claimed_by": None, "claimed_until": None,
        }
        done = write(lambda: update_claimed(message_id, token, **values))
        return _count(stats, "deferred" if done else "unrecorded")
    if reason is TemporaryReason.THROTTLED:
        stats.throttled = True
    spent = attempts + 1 >= run.max_attempts
    wait = (timedelta(seconds=float(retry_after)) if retry_after
            else backoff(attempts + 1))
    values = {
        "status": "failed" if spent else "queued",
        "attempts": attempts + 1,
        "last_error": error,
        # For a failed row this is when it failed: no further attempt is planned.
        "next_attempt_at": failed_at if spent else failed_at + wait,
        "claimed_by": None,
        "claimed_until": None,
    }
    done = write(lambda: update_claimed(message_id, token, **values))
    return _count(stats, ("failed" if spent else "retried") if done else "unrecorded")


def _look_up_first(run: _Run, message: Claimed, token: str, channel: Channel) -> str | None:
    """A row in doubt: ask the provider whether it already took the text. Return the outcome
    when that settled the row (recorded as sent, given back, or a failed lookup turned into a
    later try); None when the text was not found and must be sent."""
    run.stats.lookups += 1
    try:
        found = look_up(message, channel, run.clock())
    except LookupFailed as failed:  # never a blind send: like a temporary error, still in doubt
        return _retry_later(run, message, token, failed.error, unsure=True)
    if found is None:
        return None
    return _count(run.stats, record_found(message, token, channel, found, run.clock()))


def _still_ours_for_the_send(run: _Run, message_id: int, token: str, channel: Channel,
                             claimed_until: datetime | None) -> bool:
    timeout = getattr(channel, "timeout", None) or DEFAULT_SEND_TIMEOUT
    return lease_covers_send(message_id, token, claimed_until, send_timeout=timeout,
                             now=run.clock(), lease=run.lease)


def _process(run: _Run, message: Claimed, token: str) -> str:
    """Decide and do what ``message`` needs; return the outcome's name."""
    stats = run.stats
    message_id, phone, body, attempts = message.id, message.phone, message.body, message.attempts
    now = run.clock()

    state = row_state(message_id, phone, token)
    if not state.ours:
        logger.info("SMS %s was taken over or cancelled meanwhile; not sending", message_id)
        return _count(stats, "taken_over")

    if state.opted_out:
        done = write(lambda: update_claimed(
            message_id, token, status="cancelled", last_error="opted out",
            claimed_by=None, claimed_until=None))
        return _count(stats, "cancelled" if done else "taken_over")

    never = undeliverable_reason(phone)
    if never is not None:  # a demo citizen or junk: fail it for good, never call a provider
        logger.warning("SMS %s not sent: %s", message_id, never)
        done = write(lambda: update_claimed(
            message_id, token, status="failed", last_error=never, next_attempt_at=now,
            claimed_by=None, claimed_until=None))
        return _count(stats, "failed" if done else "taken_over")

    office = run.office(message.office_id)
    wait_until = run.quiet_until(message, office, now)
    if wait_until is not None:
        done = write(lambda: update_claimed(
            message_id, token, status="queued", next_attempt_at=wait_until,
            claimed_by=None, claimed_until=None))
        return _count(stats, "deferred" if done else "taken_over")

    try:
        channel = run.channels.get(message.channel, office)
    except ChannelConfigError as exc:
        logger.error("SMS %s not sent: %s", message_id, exc)
        stats.errors.append(str(exc))
        config_error = flag_unsure(error_text(exc), message.maybe_sent)
        done = write(lambda: update_claimed(
            message_id, token, status="queued", next_attempt_at=now + UNCONFIGURED_PAUSE,
            last_error=config_error, claimed_by=None, claimed_until=None))
        return _count(stats, "deferred" if done else "taken_over")

    if not _still_ours_for_the_send(run, message_id, token, channel, state.claimed_until):
        logger.info("SMS %s was taken over by another worker; not sending", message_id)
        return _count(stats, "taken_over")

    if message.maybe_sent:
        # An earlier attempt may have been accepted: ask the provider before sending again.
        settled = _look_up_first(run, message, token, channel)
        if settled is not None:
            return settled
        # Not found. The lookup took time: check the claim again before the send.
        state = row_state(message_id, phone, token)
        if not state.ours or not _still_ours_for_the_send(run, message_id, token, channel,
                                                          state.claimed_until):
            logger.info("SMS %s was taken over by another worker; not sending", message_id)
            return _count(stats, "taken_over")

    try:
        result = channel.send(phone, body, status_callback=run.status_callback(channel))
    except PermanentError as exc:
        failed_at = run.clock()
        opted_out, error = exc.reason is PermanentReason.OPTED_OUT, error_text(exc)

        def fail() -> bool:
            if opted_out:  # the recipient texted STOP to the provider
                _mark_opted_out(phone, failed_at)
            done = update_claimed(
                message_id, token, status="failed", attempts=attempts + 1,
                last_error=error, next_attempt_at=failed_at,
                claimed_by=None, claimed_until=None)
            if done and not opted_out:
                # An office with two channels (Twilio and the local phone) gets one more try
                # on the other, in the same commit as the failure (at most once: dedupe key).
                failed = db.session.get(Message, message_id)
                if failed is not None:
                    db.session.refresh(failed)
                    queue_fallback(failed)
            return done

        done = write(fail)
        return _count(stats, "failed" if done else "unrecorded")
    except Exception as exc:  # TemporaryError, or anything unexpected: try again later
        if not isinstance(exc, TemporaryError):
            logger.exception("SMS %s: unexpected error from channel %s", message_id, channel.name)
        # Unknown outcome (timeout, 5xx, an unexpected error) — or a row already in doubt whose
        # lookup found nothing: keep asking before each further try.
        unsure = message.maybe_sent or getattr(exc, "maybe_sent", True)
        return _retry_later(run, message, token, exc, unsure)

    sent_at = run.clock()
    done = write(lambda: update_claimed(
        message_id, token, status="sent", provider_id=result.provider_id, channel=channel.name,
        sent_at=sent_at, attempts=attempts + 1, last_error="",
        claimed_by=None, claimed_until=None))
    if not done:
        # Only possible when this worker stalled longer than the lease: the row may go twice.
        logger.warning("SMS %s sent as %s but its claim was taken over meanwhile",
                       message_id, result.provider_id)
        return _count(stats, "unrecorded")
    return _count(stats, "sent")


def _count(stats: Stats, outcome: str) -> str:
    setattr(stats, outcome, getattr(stats, outcome) + 1)
    return outcome


# -- runs ---------------------------------------------------------------------------------------


def _send_timeout(channel: Channel | None) -> float | None:
    if channel is not None:
        return getattr(channel, "timeout", None)
    return float(current_app.config.get("TWILIO_TIMEOUT") or DEFAULT_SEND_TIMEOUT)


def check_options(lease: float | None, channel: Channel | None = None) -> None:
    """Raise ValueError, with the reason, for options no run could work with. Called before
    the loop: inside it the error would be logged and retried forever (issue 12, item 16)."""
    check_lease(lease_seconds(lease), _send_timeout(channel))


def _setup(channel: Channel | None, now: datetime | None, lease: float | None) -> _Run:
    lease_s = lease_seconds(lease)
    check_lease(lease_s, _send_timeout(channel))
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    return _Run(_Channels(channel), clock, lease_s)


def _send_batch(
    run: _Run, token: str, rows: list[Claimed], should_stop: Callable[[], bool] | None
) -> bool:
    """Process claimed rows in order; False when the run must end early (throttled, stopping),
    in which case the rows not reached are given back at once."""
    for row in rows:
        if should_stop is not None and should_stop():
            release(token, run.clock())
            return False
        _process(run, row, token)
        if run.stats.throttled:
            release(token, run.clock() + run.throttle_pause)
            return False
    return True


def process_claimed(
    token: str,
    rows: list[Claimed],
    channel: Channel | None = None,
    now: datetime | None = None,
    *,
    lease: float | None = None,
) -> Stats:
    """Send rows that :func:`claim` returned with ``token``. ``run_once`` is claim + this; it is
    separate so that tests (and a worker that resumes after a pause) exercise the takeover
    rule: a row whose claim passed to another worker is skipped, never sent again."""
    run = _setup(channel, now, lease)
    _send_batch(run, token, rows, None)
    return run.stats


def run_once(
    worker_id: str,
    batch: int = 50,
    channel: Channel | None = None,
    now: datetime | None = None,
    *,
    lease: float | None = None,
    max_batches: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Stats:
    """Send everything that is due now, batch after batch, and return what happened.

    ``channel`` forces one channel for every row (tests, benchmarks); by default each row goes
    on its own ``channel``, else its office's, else ``SMS_CHANNEL``. ``now`` freezes the clock
    (tests). Rows that become due while this runs (retries) wait for the next run, so a run
    always ends. ``should_stop`` is polled between rows; a stopping run gives its remaining
    claims back at once.
    """
    run = _setup(channel, now, lease)
    stats = run.stats
    due_before = run.clock()
    while max_batches is None or stats.batches < max_batches:
        if should_stop is not None and should_stop():
            break
        token, rows = claim(worker_id, batch, now=run.clock(), lease=run.lease,
                            due_before=due_before)
        if not rows:
            break
        stats.batches += 1
        stats.claimed += len(rows)
        if not _send_batch(run, token, rows, should_stop):
            break
    if stats.claimed:
        logger.info("SMS worker %s: %s", worker_id, stats)
    return stats


def run_forever(
    worker_id: str,
    batch: int = 50,
    interval: float = 5.0,
    channel: Channel | None = None,
    *,
    lease: float | None = None,
    remind_every: float | None = REMIND_EVERY,
    stop: threading.Event | None = None,
) -> Stats:
    """Send due texts every ``interval`` seconds until SIGTERM/SIGINT (or ``stop`` is set).

    Also queues reminders every ``remind_every`` seconds (None: never). A database or channel
    error is logged and the loop goes on after a pause: the service must not die at 3 a.m.
    because PostgreSQL restarted. On a stop signal the current text is finished and the rest of
    the batch is handed back.
    """
    check_options(lease, channel)  # a bad lease would otherwise fail every pass, forever
    stop = stop or threading.Event()
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    total = Stats()
    last_remind: float | None = None
    last_handover: float | None = None
    try:
        while not stop.is_set():
            if remind_every and (last_remind is None
                                 or _time.monotonic() - last_remind >= remind_every):
                try:
                    queued = queue_reminders(utcnow())
                    if queued:
                        logger.info("queued %d reminders", queued)
                except Exception:
                    db.session.rollback()
                    logger.exception("queueing reminders failed")
                last_remind = _time.monotonic()
            if remind_every and (last_handover is None
                                 or _time.monotonic() - last_handover >= HANDOVER_EVERY):
                try:
                    moved = run_handover(utcnow())
                    if moved.moved or moved.escalated or moved.expired:
                        logger.info("help requests: %s", moved)
                except Exception:
                    db.session.rollback()
                    logger.exception("moving help requests on failed")
                last_handover = _time.monotonic()
            try:
                total.add(run_once(worker_id, batch, channel, lease=lease,
                                   should_stop=stop.is_set))
            except Exception:
                db.session.rollback()
                logger.exception("SMS worker %s: run failed; retrying in %ss", worker_id,
                                 interval)
            stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        db.session.remove()
    return total
