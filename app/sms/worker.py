"""The outbox worker: sends queued SMS, retries what failed for a while, never sends a row twice.

How a row travels::

    queued ──claim──▶ sending ──send ok──▶ sent (provider id, sent_at, channel)
      ▲                  │  ├─temporary error──▶ queued, later (backoff)  … or failed when
      │                  │  │                                              attempts are spent
      │                  │  ├─permanent error──▶ failed (21610 also marks the phone opted out)
      │                  │  ├─phone said STOP──▶ cancelled
      └──quiet hours─────┘  └─lease expired (worker died) ──▶ claimable by another worker

    outcome unknown (claim ran out while sending, timeout, 5xx) ──▶ next attempt asks the
      provider first: already accepted ──▶ sent (its id, no second send); not found ──▶ send;
      cannot ask ──▶ queued, later

**Claiming.** A worker takes a batch of due rows in one short transaction: it writes
``status="sending"``, ``claimed_by`` (a token unique to this claim: the worker id plus a random
suffix, so two processes started with the same ``--worker-id`` still cannot mistake each other's
rows) and ``claimed_until = now + lease``. On PostgreSQL the rows are chosen with ``SELECT … FOR
UPDATE SKIP LOCKED`` so concurrent workers take disjoint batches without waiting on each other;
on SQLite (which runs one writer at a time) one conditional ``UPDATE … WHERE id IN (…) AND
<still due>`` does the same. Rows whose lease has expired — a worker was killed — are due again.

**Never two sends of one row by our workers.** Just before each send the worker re-reads the
row: it must still be ``sending`` and claimed by our token (else another worker took it over, or
an officer cancelled it, and we do not send), and the claim must still run for at least twice
the channel's timeout — if not, the worker first renews it with a conditional update (``WHERE
id = … AND claimed_by = <our token> AND status = 'sending'``; no row touched means taken over).
So nobody else can claim the row until after our send has ended, since the send is bounded by
the channel's timeout (10 s by default, against a 60 s lease; :func:`check_lease` refuses a
lease under twice the timeout). The outcome — status, provider id, attempts, time — is then
written in one commit, again only while the claim is ours. The guarantee therefore holds as
long as a worker is not frozen (SIGSTOP, a suspended VM) for longer than one send timeout
between that re-check and its commit, and the workers' clocks agree to within that margin
(run NTP). A worker that does stall that long finds the row taken over and records nothing
(``Stats.unrecorded``, logged as a warning).

**An attempt whose outcome is unknown is looked up before anything is sent again.** The
provider may accept a text without our learning it: the worker died, or its connection dropped,
after the provider accepted the text but before the commit that records the provider id; or
the answer came after our timeout, or was a 5xx. Twilio's API has no idempotency key, so:

* *Flag, without a schema change.* Such a row's ``last_error`` starts with
  :data:`UNKNOWN_OUTCOME`. The claim statement itself writes it on every row it takes over from
  a claim that ran out while ``sending`` (a CASE on the row's old status inside the same
  ``UPDATE``, so it is atomic with the takeover on SQLite and PostgreSQL alike); a temporary
  error the channel marks ``maybe_sent`` (read timeout, dropped connection, 5xx) or an
  unexpected exception sets it too. It survives deferrals (quiet hours, a release, an
  unconfigured channel) and further crashes, and goes only with a known result (a send
  recorded, a refusal, an opt-out; a row whose attempts run out while still in doubt ends
  ``failed`` with the flag). A row of a dead worker's batch that was never reached is flagged
  as well: we cannot tell which one was in flight, and a lookup is cheap.
* *Look up.* Before sending a flagged row the worker asks :meth:`Channel.find_sent` whether the
  provider accepted this exact text to this phone since the row was queued (minus
  :data:`LOOKUP_SKEW` for clock differences), ignoring provider ids already recorded on other
  rows — two identical texts to one phone are two texts. Twilio lists the phone's messages from
  our sender (``DateSent>`` that day; the exact body and creation time are checked
  client-side, since the filter is by day). Found: the row is recorded ``sent`` with that id
  (and the status Twilio reports when already final), nothing is sent, ``Stats.reconciled``
  counts it and a warning is logged. Not found: the text is sent. The lookup failing
  (network, 5xx, 429, anything): the row goes back to the queue like after a temporary error
  (an attempt is used, backoff, ``failed`` when attempts are spent) — never a blind send.

What this does not cover (there, delivery stays at least once — never lost):

* Twilio's list is eventually consistent: a text accepted but not listed yet when we ask looks
  unsent and goes twice. We ask after the lease ran out (60 s) or after the retry backoff
  (15 s or more), when it is normally listed, but Twilio promises no delay. Nor does Twilio
  document whether the ``DateSent`` filter returns a message still waiting in its queue (no
  ``date_sent`` yet); a long Twilio queue (a slow alphanumeric sender) could hide one.
* A channel that cannot answer returns None and the text is sent, as before: the console, and
  the Android gateway (its message ids are generated on the phone, so we have none to look up,
  and its list does not return the text to match on).
* A worker frozen past its lease (see above) can still send after another worker took the row
  over and looked it up.
* A text Twilio altered or redacted does not match; beyond the first ``LOOKUP_LIMIT`` (300,
  in ``twilio_channel``) messages to one phone since that day, nothing is read.
* The reverse error is possible but narrow: an identical text to the same phone, accepted in
  the window and recorded on no row (an earlier duplicate copy of this very text, another
  system on the same account and sender), would be taken for ours, so the row would be
  recorded without a send.

What limits the damage of any duplicate: the window is one HTTP call per worker (rows are
committed one by one, never in batches), and ``dedupe_key`` (unique) guarantees that one event
can only ever have one row — so a duplicate is at most one extra copy of one text, never a
second notification queued for the same event.

**Quiet hours.** Notifications and reminders are not sent between ``SMS_QUIET_START`` and
``SMS_QUIET_END`` (default 21:00–07:00) in the office's time zone: the row goes back to the queue
for the end of the quiet period, without using an attempt. A reply to a text the citizen sent in
the last :data:`REPLY_FRESH` (including an officer's reply from the inbox) goes at once, night
or not: the citizen has just texted us and is waiting for the answer.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time as _time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from app.deadlines import parse_hhmm, to_local
from app.extensions import db
from app.models import Message, Office, PhonePreference, utcnow
from app.sms.channels import (
    DEFAULT_SEND_TIMEOUT,
    Channel,
    ChannelConfigError,
    PermanentError,
    SendResult,
    SentLookup,
    TemporaryError,
    channel_name_for,
    get_channel,
)

logger = logging.getLogger(__name__)

#: Seconds a claim lasts. Must be well above the channel's timeout (see module docstring).
DEFAULT_LEASE = 60
#: First retry after about 30 s, doubling each time, never more than an hour apart.
BACKOFF_BASE = 30.0
BACKOFF_CAP = 3600.0
#: A reply to a text received at most this long ago is sent even in quiet hours.
REPLY_FRESH = timedelta(minutes=30)
#: When the provider says "slow down" (HTTP 429, Twilio 20429/63018) the rest of the batch waits.
THROTTLE_PAUSE = timedelta(seconds=15)
THROTTLE_CODES = frozenset({"20429", "63018"})
#: TemporaryError code of a channel that paces itself (``retry_after`` says how long to wait).
LOCAL_RATE_CODE = "rate"
#: A channel that is not configured: retry later without using attempts (an operator must act).
UNCONFIGURED_PAUSE = timedelta(minutes=15)
#: How often ``run_forever`` queues "your result is waiting" reminders.
REMIND_EVERY = 3600.0
#: Tries for one database write when the database is busy (SQLite's lock, a PG deadlock).
WRITE_TRIES = 30

ERROR_MAX = 255  # Message.last_error length
#: ``last_error`` starts with this while an earlier attempt may have been accepted by the
#: provider without our knowing (a worker died mid-send, a timeout, a 5xx): the next attempt
#: asks the channel (``find_sent``) before sending. Kept in ``last_error`` so that no schema
#: change is needed and the flag survives deferrals, releases and further crashes.
UNKNOWN_OUTCOME = "outcome unknown: "
#: … followed by this when the flag was set because the row's claim ran out while ``sending``.
CLAIM_RAN_OUT = "claim ran out while sending ("
#: The lookup starts this long before the row was queued: the provider's clock and ours differ.
LOOKUP_SKEW = timedelta(minutes=5)
#: When the id found was recorded meanwhile for another row, look again this much later.
CONFLICT_PAUSE = timedelta(seconds=5)


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


def in_quiet_hours(local: datetime, start: time | None, end: time | None) -> bool:
    """True when the local time falls in [start, end); the window may wrap past midnight.
    No window (either bound missing, or start == end) means never quiet."""
    if start is None or end is None or start == end:
        return False
    now = local.time().replace(tzinfo=None)
    if start < end:
        return start <= now < end
    return now >= start or now < end


def quiet_ends_at(now: datetime, tz: ZoneInfo, end: time) -> datetime:
    """The next ``end`` o'clock in ``tz`` after ``now`` (naive UTC), as naive UTC."""
    local = to_local(now, tz)
    candidate = datetime.combine(local.date(), end, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    return candidate.astimezone(UTC).replace(tzinfo=None)


def check_lease(lease: float, channel_timeout: float | None) -> None:
    """Refuse a lease that a slow send could outlive (the no-double-send argument needs it)."""
    if lease <= 0:
        raise ValueError("lease must be positive")
    if channel_timeout and lease < 2 * channel_timeout:
        raise ValueError(
            f"claim lease {lease:g}s must be at least twice the send timeout "
            f"{channel_timeout:g}s, or a slow send could outlive its claim"
        )


def _lease_seconds(lease: float | None) -> float:
    return float(lease or current_app.config.get("SMS_CLAIM_SECONDS") or DEFAULT_LEASE)


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:ERROR_MAX]


def _unsure(text: str, unsure: bool) -> str:
    """``text`` for ``last_error``, flagged :data:`UNKNOWN_OUTCOME` when ``unsure``."""
    if unsure and not text.startswith(UNKNOWN_OUTCOME):
        text = UNKNOWN_OUTCOME + text
    return text[:ERROR_MAX]


# -- database writes that survive a busy database ----------------------------------------------


def _write(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` (statements on ``db.session``) and commit; retry the whole unit when the
    database is busy (SQLite's single writer lock) or a unique insert raced another worker.

    Every write the worker makes is conditional on its claim, so re-running one is harmless.
    Giving up early would be worse than waiting: an unrecorded send would be sent again.
    """
    delay = 0.02
    for attempt in range(1, WRITE_TRIES + 1):
        try:
            result = fn()
            db.session.commit()
            return result
        except (OperationalError, IntegrityError) as exc:
            db.session.rollback()
            if attempt == WRITE_TRIES:
                raise
            logger.debug("outbox write retry %d after %s", attempt, exc)
            _time.sleep(delay)
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")  # pragma: no cover


def _update_claimed(message_id: int, token: str, **values: Any) -> bool:
    """Update one row only while ``token`` still holds its claim; True when it did."""
    result = db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id, Message.claimed_by == token,
               Message.status == "sending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# -- claiming -----------------------------------------------------------------------------------


def _due(due_before: datetime, now: datetime):
    """Outgoing rows that may be claimed: queued and due, or claimed by a worker whose lease
    has run out (it died or hung)."""
    return sa.and_(
        Message.direction == "out",
        sa.or_(
            sa.and_(
                Message.status == "queued",
                sa.or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= due_before),
            ),
            sa.and_(
                Message.status == "sending",
                sa.or_(Message.claimed_until.is_(None), Message.claimed_until < now),
            ),
        ),
    )


def new_token(worker_id: str) -> str:
    """A claim token: readable (who) and unique (which claim). Fits ``claimed_by`` (64)."""
    return f"{worker_id[:50]}:{uuid.uuid4().hex[:12]}"


class Claimed(NamedTuple):
    """What the worker needs of a claimed row, read once: ORM objects would be expired (and
    re-read) by every commit of the batch.

    ``maybe_sent``: an earlier attempt may have been accepted by the provider (``last_error``
    carries :data:`UNKNOWN_OUTCOME`), so the channel is asked before sending; ``ran_out``:
    that is because the previous claim ran out while the row was ``sending`` (its attempt was
    never counted)."""

    id: int
    office_id: int
    phone: str
    body: str
    attempts: int
    channel: str
    reply_to_id: int | None
    created_at: datetime | None = None
    maybe_sent: bool = False
    ran_out: bool = False


def claim(
    worker_id: str,
    batch: int = 50,
    now: datetime | None = None,
    lease: float | None = None,
    due_before: datetime | None = None,
) -> tuple[str, list[Claimed]]:
    """Claim up to ``batch`` due rows for ``worker_id`` and return (token, rows).

    The claim is committed before anything is sent, so a crash after this point leaves rows that
    another worker takes over once ``claimed_until`` passes. Only rows carrying this claim's
    token are returned: what another worker claimed at the same moment is not ours.
    """
    now = now or utcnow()
    due_before = due_before or now
    token = new_token(worker_id)
    until = now + timedelta(seconds=_lease_seconds(lease))
    order = (Message.next_attempt_at, Message.id)
    # A row still "sending" is one whose claim ran out: its worker died or hung, maybe in the
    # middle of a send the provider accepted. Flag it in the same statement (the CASE reads the
    # row as it was before this update, on SQLite and PostgreSQL alike), so whoever sends it
    # asks the provider first — even after further deferrals or crashes.
    ran_out_note = (sa.literal(UNKNOWN_OUTCOME + CLAIM_RAN_OUT, sa.String)
                    + sa.func.coalesce(Message.claimed_by, "?") + sa.literal(")", sa.String))
    values = {
        "status": "sending", "claimed_by": token, "claimed_until": until,
        "last_error": sa.case((Message.status == "sending", ran_out_note),
                              else_=Message.last_error),
    }

    def do() -> None:
        if db.engine.dialect.name == "postgresql":
            ids = list(
                db.session.scalars(
                    sa.select(Message.id)
                    .where(_due(due_before, now))
                    .order_by(*order)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            )
            if ids:
                db.session.execute(
                    sa.update(Message)
                    .where(Message.id.in_(ids))
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
        else:
            # SQLite: one statement, so choosing and marking happen under one write lock; the
            # repeated condition keeps it correct on any database that lacks SKIP LOCKED.
            chosen = sa.select(Message.id).where(_due(due_before, now)).order_by(*order).limit(batch)
            db.session.execute(
                sa.update(Message)
                .where(Message.id.in_(chosen), _due(due_before, now))
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    _write(do)
    rows = db.session.execute(
        sa.select(Message.id, Message.office_id, Message.phone, Message.body, Message.attempts,
                  Message.channel, Message.reply_to_id, Message.created_at, Message.last_error)
        .where(Message.claimed_by == token, Message.status == "sending")
        .order_by(Message.next_attempt_at, Message.id)
    ).all()
    db.session.commit()  # end the read transaction: no snapshot or lock is held while sending
    return token, [
        Claimed(r.id, r.office_id, r.phone, r.body, r.attempts or 0, r.channel or "",
                r.reply_to_id, r.created_at,
                (r.last_error or "").startswith(UNKNOWN_OUTCOME),
                (r.last_error or "").startswith(UNKNOWN_OUTCOME + CLAIM_RAN_OUT))
        for r in rows
    ]


def release(token: str, next_attempt_at: datetime, last_error: str | None = None) -> int:
    """Give back every row still claimed by ``token`` (a stopping or throttled worker), so that
    other workers need not wait for the lease to run out. Attempts are not used."""
    values: dict[str, Any] = {
        "status": "queued", "claimed_by": None, "claimed_until": None,
        "next_attempt_at": next_attempt_at,
    }
    if last_error is not None:
        values["last_error"] = last_error[:ERROR_MAX]

    def do() -> int:
        return db.session.execute(
            sa.update(Message)
            .where(Message.claimed_by == token, Message.status == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount

    return _write(do)


# -- one row ------------------------------------------------------------------------------------


class _OfficeInfo(NamedTuple):
    tz: ZoneInfo
    sms_channel: str


DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class _Channels:
    """Channels built once per run and shared by its rows (a Twilio client per process)."""

    def __init__(self, fixed: Channel | None = None) -> None:
        self.fixed = fixed
        self.cache: dict[str, Channel] = {}

    def get(self, name: str | None, office: _OfficeInfo | None) -> Channel:
        if self.fixed is not None:
            return self.fixed
        chosen = channel_name_for(name or None, office)
        if chosen not in self.cache:
            self.cache[chosen] = get_channel(chosen)
        return self.cache[chosen]


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
        if office_id not in self.offices:
            row = db.session.execute(
                sa.select(Office.timezone, Office.sms_channel).where(Office.id == office_id)
            ).first()
            tz = ZoneInfo(row.timezone) if row and row.timezone else DEFAULT_TZ
            self.offices[office_id] = _OfficeInfo(tz, (row.sms_channel if row else "") or "")
        return self.offices[office_id]

    def status_callback(self, channel: Channel) -> str | None:
        if channel.name == "twilio" and self.public_base:
            return f"{self.public_base}/sms/twilio/status"
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
    pref = db.session.get(PhonePreference, phone)
    if pref is None:
        db.session.add(PhonePreference(phone=phone, opted_out=True, updated_at=now))
    else:
        pref.opted_out = True
    db.session.flush()


class _RowState(NamedTuple):
    ours: bool
    opted_out: bool
    claimed_until: datetime | None


def _row_state(message_id: int, phone: str, token: str) -> _RowState:
    """One read, right before acting on a row: is it still claimed by ``token`` (not taken over
    by another worker after our lease ran out, not cancelled by an officer), and has its phone
    said STOP meanwhile?

    No commit follows: on SQLite a plain read holds no lock, on PostgreSQL (READ COMMITTED) an
    open read-only transaction holds no row lock, and the outcome is written in the same
    transaction after the send. A commit and a new connection checkout here would cost two
    more round trips per text.
    """
    opted_out = (
        sa.select(PhonePreference.opted_out)
        .where(PhonePreference.phone == phone)
        .scalar_subquery()
    )
    current = db.session.execute(
        sa.select(Message.claimed_by, Message.status, Message.claimed_until,
                  opted_out.label("opted_out"))
        .where(Message.id == message_id)
    ).first()
    if current is None:
        return _RowState(False, False, None)
    ours = current.claimed_by == token and current.status == "sending"
    return _RowState(ours, bool(current.opted_out), current.claimed_until)


def _lease_covers_send(run: _Run, message_id: int, token: str, channel: Channel,
                       claimed_until: datetime | None) -> bool:
    """Make sure the claim outlives the coming send: when less than twice the channel's
    timeout is left, renew it — for the whole batch, about once per half lease — with a
    conditional update that fails if another worker has taken the row over."""
    now = run.clock()
    timeout = getattr(channel, "timeout", None) or DEFAULT_SEND_TIMEOUT
    if claimed_until is not None and claimed_until - now >= timedelta(seconds=2 * timeout):
        return True
    until = now + timedelta(seconds=run.lease)

    def renew() -> bool:
        mine = _update_claimed(message_id, token, claimed_until=until)
        if mine:  # the rest of the batch too, while we are at it
            db.session.execute(
                sa.update(Message)
                .where(Message.claimed_by == token, Message.status == "sending")
                .values(claimed_until=until)
                .execution_options(synchronize_session=False)
            )
        return mine

    return bool(_write(renew))


def _retry_later(run: _Run, message: Claimed, token: str, exc: BaseException,
                 unsure: bool) -> str:
    """Give the row back for a later try after a temporary error (``exc``): backoff, one more
    attempt used, failed when attempts are spent; ``unsure`` keeps it flagged
    :data:`UNKNOWN_OUTCOME` so the next try asks the provider first."""
    stats = run.stats
    message_id, attempts = message.id, message.attempts
    failed_at = run.clock()
    code = exc.code if isinstance(exc, TemporaryError) else None
    retry_after = getattr(exc, "retry_after", None)
    error = _unsure(_error_text(exc), unsure)
    if code == LOCAL_RATE_CODE:
        # The channel's own pacing (the Android phone's send rate): nothing reached the
        # provider, so no attempt is used; this row and the rest of the batch wait.
        pause = timedelta(seconds=float(retry_after or THROTTLE_PAUSE.total_seconds()))
        run.throttle_pause = pause
        stats.throttled = True
        values: dict[str, Any] = {
            "status": "queued", "last_error": error,
            "next_attempt_at": failed_at + pause, "claimed_by": None, "claimed_until": None,
        }
        done = _write(lambda: _update_claimed(message_id, token, **values))
        return _count(stats, "deferred" if done else "unrecorded")
    if code in THROTTLE_CODES:
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
    done = _write(lambda: _update_claimed(message_id, token, **values))
    return _count(stats, ("failed" if spent else "retried") if done else "unrecorded")


def _reconcile(run: _Run, message: Claimed, token: str, channel: Channel) -> str | None:
    """Ask ``channel`` whether it already accepted this text (an earlier attempt whose outcome
    is unknown). Found: record the row as sent with the provider's id and return the outcome;
    not found (or a channel that cannot tell): None, the caller sends. The lookup failing:
    the row goes back for a later try — never a blind send."""
    stats = run.stats
    since = (message.created_at or run.clock() - timedelta(days=1)) - LOOKUP_SKEW
    # Provider ids already recorded for this phone belong to other texts, even identical ones.
    exclude = frozenset(db.session.scalars(
        sa.select(Message.provider_id).where(
            Message.phone == message.phone, Message.direction == "out",
            Message.provider_id.is_not(None), Message.id != message.id)
    ))
    db.session.commit()  # no transaction stays open across the provider's HTTP calls
    stats.lookups += 1
    try:
        found = channel.find_sent(SentLookup(message.phone, message.body, since, exclude))
    except Exception as exc:
        if not isinstance(exc, TemporaryError):
            logger.exception("SMS %s: unexpected error from %s.find_sent", message.id,
                             channel.name)
        logger.warning("SMS %s: could not check whether %s already accepted it; not sending "
                       "blind, retrying later: %s", message.id, channel.name, exc)
        return _retry_later(run, message, token, exc, unsure=True)
    if found is None:
        logger.info("SMS %s: %s knows no earlier copy of it (or cannot tell); sending",
                    message.id, channel.name)
        return None
    return _record_found(run, message, token, channel, found)


def _record_found(run: _Run, message: Claimed, token: str, channel: Channel,
                  found: SendResult) -> str:
    stats = run.stats
    now = run.clock()
    sid = found.provider_id
    # The attempt of a claim that ran out was never counted; a timed-out one was.
    attempts = max(message.attempts + (1 if message.ran_out else 0), 1)

    def record() -> str:
        # Two identical texts to one phone looked up at once may both find the same id.
        other = db.session.scalar(
            sa.select(Message.id).where(Message.channel == channel.name,
                                        Message.provider_id == sid,
                                        Message.id != message.id).limit(1))
        if other is not None:
            return "conflict"
        done = _update_claimed(
            message.id, token, status="sent", provider_id=sid, channel=channel.name,
            sent_at=now, attempts=attempts, last_error="", claimed_by=None, claimed_until=None)
        return "reconciled" if done else "taken_over"

    outcome = _write(record)
    if outcome == "conflict":
        # Ask again on a later run (after this one: it only takes rows due when it started),
        # when that id is excluded; no attempt is used.
        done = _write(lambda: _update_claimed(
            message.id, token, status="queued", next_attempt_at=now + CONFLICT_PAUSE,
            claimed_by=None, claimed_until=None))
        return _count(stats, "deferred" if done else "taken_over")
    if outcome == "reconciled":
        logger.warning("SMS %s: %s had already accepted it as %s (status %s) in an attempt "
                       "whose outcome was unknown; recorded, not sent again",
                       message.id, channel.name, sid, found.status)
        from app.sms.delivery import TWILIO_STATUS, apply_status

        if TWILIO_STATUS.get(found.status.lower()) in ("delivered", "failed"):
            apply_status(channel.name, sid, found.status)  # its callback may be long gone
    return _count(stats, outcome)


def _process(run: _Run, message: Claimed, token: str) -> str:
    """Decide and do what ``message`` needs; return the outcome's name."""
    stats = run.stats
    message_id, phone, body, attempts = message.id, message.phone, message.body, message.attempts
    now = run.clock()

    state = _row_state(message_id, phone, token)
    if not state.ours:
        logger.info("SMS %s was taken over or cancelled meanwhile; not sending", message_id)
        return _count(stats, "taken_over")

    if state.opted_out:
        done = _write(lambda: _update_claimed(
            message_id, token, status="cancelled", last_error="opted out",
            claimed_by=None, claimed_until=None))
        return _count(stats, "cancelled" if done else "taken_over")

    office = run.office(message.office_id)
    wait_until = run.quiet_until(message, office, now)
    if wait_until is not None:
        done = _write(lambda: _update_claimed(
            message_id, token, status="queued", next_attempt_at=wait_until,
            claimed_by=None, claimed_until=None))
        return _count(stats, "deferred" if done else "taken_over")

    try:
        channel = run.channels.get(message.channel, office)
    except ChannelConfigError as exc:
        logger.error("SMS %s not sent: %s", message_id, exc)
        stats.errors.append(str(exc))
        config_error = _unsure(_error_text(exc), message.maybe_sent)
        done = _write(lambda: _update_claimed(
            message_id, token, status="queued", next_attempt_at=now + UNCONFIGURED_PAUSE,
            last_error=config_error, claimed_by=None, claimed_until=None))
        return _count(stats, "deferred" if done else "taken_over")

    if not _lease_covers_send(run, message_id, token, channel, state.claimed_until):
        logger.info("SMS %s was taken over by another worker; not sending", message_id)
        return _count(stats, "taken_over")

    if message.maybe_sent:
        # An earlier attempt may have been accepted: ask the provider before sending again.
        settled = _reconcile(run, message, token, channel)
        if settled is not None:
            return settled
        # Not found. The lookup took time: check the claim again before the send.
        state = _row_state(message_id, phone, token)
        if not state.ours or not _lease_covers_send(run, message_id, token, channel,
                                                    state.claimed_until):
            logger.info("SMS %s was taken over by another worker; not sending", message_id)
            return _count(stats, "taken_over")

    try:
        result = channel.send(phone, body, status_callback=run.status_callback(channel))
    except PermanentError as exc:
        failed_at = run.clock()
        opted_out, error = exc.code == "21610", _error_text(exc)

        def fail() -> bool:
            if opted_out:  # the recipient texted STOP to the provider
                _mark_opted_out(phone, failed_at)
            done = _update_claimed(
                message_id, token, status="failed", attempts=attempts + 1,
                last_error=error, next_attempt_at=failed_at,
                claimed_by=None, claimed_until=None)
            if done and not opted_out:
                # An office with both Twilio and the local phone gets one more try on the
                # other channel, in the same commit as the failure (at most once: dedupe key).
                from app.sms.fallback import queue_fallback

                failed = db.session.get(Message, message_id)
                if failed is not None:
                    db.session.refresh(failed)
                    queue_fallback(failed)
            return done

        done = _write(fail)
        return _count(stats, "failed" if done else "unrecorded")
    except Exception as exc:  # TemporaryError, or anything unexpected: try again later
        if not isinstance(exc, TemporaryError):
            logger.exception("SMS %s: unexpected error from channel %s", message_id, channel.name)
        # Unknown outcome (timeout, 5xx, an unexpected error) — or a row already in doubt whose
        # lookup found nothing: keep asking before each further try.
        unsure = message.maybe_sent or getattr(exc, "maybe_sent", True)
        return _retry_later(run, message, token, exc, unsure)

    sent_at = run.clock()
    done = _write(lambda: _update_claimed(
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


def _setup(channel: Channel | None, now: datetime | None, lease: float | None) -> _Run:
    lease_s = _lease_seconds(lease)
    if channel is not None:
        timeout = getattr(channel, "timeout", None)
    else:
        timeout = float(current_app.config.get("TWILIO_TIMEOUT") or DEFAULT_SEND_TIMEOUT)
    check_lease(lease_s, timeout)
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
    from app.sms.reminders import queue_reminders

    stop = stop or threading.Event()
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    total = Stats()
    last_remind: float | None = None
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


# -- for the officers' dashboard ----------------------------------------------------------------


def outbox_stats(office_id: int, now: datetime | None = None) -> dict[str, Any]:
    """How the outbox of ``office_id`` is doing, for the dashboard.

    ``queued`` (waiting, including texts held for the morning), ``due`` (waiting and due now),
    ``sending`` (claimed by a worker), ``stuck`` (claimed, lease run out: a worker died; another
    will take them), ``failed_24h`` and ``sent_24h``, ``oldest_queued_age`` (seconds since the
    oldest due text was queued, None when nothing is due — the number to alert on: no worker
    running), ``last_sent_at`` (naive UTC or None).
    """
    now = now or utcnow()
    day_ago = now - timedelta(hours=24)
    out = sa.and_(Message.office_id == office_id, Message.direction == "out")

    def count(*conditions) -> int:
        return db.session.scalar(sa.select(sa.func.count(Message.id)).where(out, *conditions)) or 0

    due = sa.and_(Message.status == "queued",
                  sa.or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
    oldest = db.session.scalar(sa.select(sa.func.min(Message.created_at)).where(out, due))
    return {
        "queued": count(Message.status == "queued"),
        "due": count(due),
        "sending": count(Message.status == "sending"),
        "stuck": count(Message.status == "sending", Message.claimed_until < now),
        "failed_24h": count(
            Message.status == "failed",
            sa.func.coalesce(Message.next_attempt_at, Message.created_at) >= day_ago,
        ),
        "sent_24h": count(Message.status.in_(("sent", "delivered")), Message.sent_at >= day_ago),
        "oldest_queued_age": int((now - oldest).total_seconds()) if oldest else None,
        "last_sent_at": db.session.scalar(sa.select(sa.func.max(Message.sent_at)).where(out)),
    }
