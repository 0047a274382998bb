"""Claiming outbox rows: who may send a row, until when, and the writes allowed while it is ours.

A worker takes due rows in one atomic statement (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, one conditional ``UPDATE`` on SQLite), holds them under a lease it renews before a
send could outlive it, gives back what it will not send (:func:`release`), and writes an
outcome only while the claim is still its own (:func:`update_claimed`). A row whose claim ran out
while ``sending`` is flagged :data:`UNKNOWN_OUTCOME` by the claim statement itself, so that the
next attempt asks the provider first. Why this never sends a row twice, and where that ends:
docs/SMS_WORKER.md.
"""

from __future__ import annotations

import logging
import time as _time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased

from app.clock import utcnow
from app.extensions import db
from app.models import Message, PhonePreference

logger = logging.getLogger(__name__)

#: Seconds a claim lasts when neither ``--lease`` nor ``SMS_CLAIM_SECONDS`` says otherwise.
#: Must be well above the channel's timeout (:func:`check_lease`).
DEFAULT_LEASE = 60
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


# -- the lease ----------------------------------------------------------------------------------


def lease_seconds(lease: float | None) -> float:
    """``lease``, else ``SMS_CLAIM_SECONDS``, else :data:`DEFAULT_LEASE`."""
    return float(lease or current_app.config.get("SMS_CLAIM_SECONDS") or DEFAULT_LEASE)


def check_lease(lease: float, channel_timeout: float | None) -> None:
    """Refuse a lease that a slow send could outlive (the no-double-send argument needs it)."""
    if lease <= 0:
        raise ValueError("lease must be positive")
    if channel_timeout and lease < 2 * channel_timeout:
        raise ValueError(
            f"claim lease {lease:g}s must be at least twice the send timeout "
            f"{channel_timeout:g}s, or a slow send could outlive its claim"
        )


# -- last_error ---------------------------------------------------------------------------------


def error_text(exc: BaseException) -> str:
    """``exc`` as it goes into ``last_error``."""
    text = str(exc) or type(exc).__name__
    return text[:ERROR_MAX]


def flag_unsure(text: str, unsure: bool) -> str:
    """``text`` for ``last_error``, flagged :data:`UNKNOWN_OUTCOME` when ``unsure``."""
    if unsure and not text.startswith(UNKNOWN_OUTCOME):
        text = UNKNOWN_OUTCOME + text
    return text[:ERROR_MAX]


# -- database writes that survive a busy database ----------------------------------------------


def write(fn: Callable[[], Any]) -> Any:
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


def update_claimed(message_id: int, token: str, **values: Any) -> bool:
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
    until = now + timedelta(seconds=lease_seconds(lease))
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
            chosen = (sa.select(Message.id).where(_due(due_before, now)).order_by(*order)
                      .limit(batch))
            db.session.execute(
                sa.update(Message)
                .where(Message.id.in_(chosen), _due(due_before, now))
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    write(do)
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

    return write(do)


# -- holding a claim ----------------------------------------------------------------------------


class RowState(NamedTuple):
    ours: bool
    opted_out: bool
    claimed_until: datetime | None


def row_state(message_id: int, phone: str, token: str) -> RowState:
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
    # The answer to the STOP itself is the one text an opted-out phone still gets.
    stop = aliased(Message)
    confirms_stop = sa.exists().where(stop.id == Message.reply_to_id, stop.direction == "in",
                                      stop.kind == "stop")
    current = db.session.execute(
        sa.select(Message.claimed_by, Message.status, Message.claimed_until,
                  opted_out.label("opted_out"), confirms_stop.label("confirms_stop"))
        .where(Message.id == message_id)
    ).first()
    if current is None:
        return RowState(False, False, None)
    ours = current.claimed_by == token and current.status == "sending"
    return RowState(ours, bool(current.opted_out) and not current.confirms_stop,
                    current.claimed_until)


def lease_covers_send(message_id: int, token: str, claimed_until: datetime | None, *,
                      send_timeout: float, now: datetime, lease: float) -> bool:
    """Make sure the claim outlives the coming send: when less than twice ``send_timeout`` is
    left, renew it for ``lease`` seconds — for the whole batch, about once per half lease — with
    a conditional update that fails if another worker has taken the row over. False: the row
    is no longer ours."""
    if claimed_until is not None and claimed_until - now >= timedelta(seconds=2 * send_timeout):
        return True
    until = now + timedelta(seconds=lease)

    def renew() -> bool:
        mine = update_claimed(message_id, token, claimed_until=until)
        if mine:  # the rest of the batch too, while we are at it
            db.session.execute(
                sa.update(Message)
                .where(Message.claimed_by == token, Message.status == "sending")
                .values(claimed_until=until)
                .execution_options(synchronize_session=False)
            )
        return mine

    return bool(write(renew))


# -- for the officers' dashboard ----------------------------------------------------------------


def outbox_stats(office_id: int, now: datetime | None = None) -> dict[str, Any]:
    """How the outbox of ``office_id`` is doing, for the dashboard: the claim rules seen from
    outside.

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
