"""Reconciling unknown outcomes: before a row in doubt is sent again, ask the provider.

A row is in doubt (``Claimed.maybe_sent``) when an earlier attempt may have been accepted
without our learning it: a worker died mid-send, a timeout, a 5xx. :func:`look_up` asks the
channel (:meth:`~app.sms.channels.base.Channel.find_sent`) whether it already took this exact
text to this phone; :func:`record_found` records what it found as sent, with the provider's id
and, when the channel reports it already final, its delivery status. The send loop
(``loop.py``) decides what follows: not found — send; the lookup failed — retry later, never a
blind send. The reasoning and its limits: docs/SMS_WORKER.md.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Message
from app.sms.channels import Channel, SendResult, SentLookup, TemporaryError
from app.sms.delivery import apply_status
from app.sms.worker.claims import Claimed, update_claimed, write

logger = logging.getLogger(__name__)

#: The lookup starts this long before the row was queued: the provider's clock and ours differ.
LOOKUP_SKEW = timedelta(minutes=5)
#: When the id found was recorded meanwhile for another row, look again this much later.
CONFLICT_PAUSE = timedelta(seconds=5)


class LookupFailed(Exception):
    """The provider could not be asked; ``error`` is why (a :class:`TemporaryError` with its
    reason, or anything unexpected). The row must not be sent blind."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def look_up(message: Claimed, channel: Channel, now: datetime) -> SendResult | None:
    """Ask ``channel`` whether it already accepted ``message`` (since it was queued, less
    :data:`LOOKUP_SKEW`), ignoring provider ids recorded on other rows. Return what it found,
    or None (not found, or a channel that cannot tell: the caller sends). Raises
    :class:`LookupFailed` when the channel cannot be asked."""
    since = (message.created_at or now - timedelta(days=1)) - LOOKUP_SKEW
    # Provider ids already recorded for this phone belong to other texts, even identical ones.
    exclude = frozenset(db.session.scalars(
        sa.select(Message.provider_id).where(
            Message.phone == message.phone, Message.direction == "out",
            Message.provider_id.is_not(None), Message.id != message.id)
    ))
    db.session.commit()  # no transaction stays open across the provider's HTTP calls
    try:
        found = channel.find_sent(SentLookup(message.phone, message.body, since, exclude))
    except Exception as exc:
        if not isinstance(exc, TemporaryError):
            logger.exception("SMS %s: unexpected error from %s.find_sent", message.id,
                             channel.name)
        logger.warning("SMS %s: could not check whether %s already accepted it; not sending "
                       "blind, retrying later: %s", message.id, channel.name, exc)
        raise LookupFailed(exc) from exc
    if found is None:
        logger.info("SMS %s: %s knows no earlier copy of it (or cannot tell); sending",
                    message.id, channel.name)
    return found


def record_found(message: Claimed, token: str, channel: Channel, found: SendResult,
                 now: datetime) -> str:
    """Record ``message`` as sent with the id the lookup ``found``; nothing is sent. Return the
    outcome: ``reconciled``; ``deferred`` when that id was meanwhile recorded for another row
    (asked again after :data:`CONFLICT_PAUSE`, no attempt used); ``taken_over`` when the claim
    is no longer ours."""
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
        done = update_claimed(
            message.id, token, status="sent", provider_id=sid, channel=channel.name,
            sent_at=now, attempts=attempts, last_error="", claimed_by=None, claimed_until=None)
        return "reconciled" if done else "taken_over"

    outcome = write(record)
    if outcome == "conflict":
        # Ask again on a later run (after this one: it only takes rows due when it started),
        # when that id is excluded; no attempt is used.
        done = write(lambda: update_claimed(
            message.id, token, status="queued", next_attempt_at=now + CONFLICT_PAUSE,
            claimed_by=None, claimed_until=None))
        return "deferred" if done else "taken_over"
    if outcome == "reconciled":
        logger.warning("SMS %s: %s had already accepted it as %s (status %s) in an attempt "
                       "whose outcome was unknown; recorded, not sent again",
                       message.id, channel.name, sid, found.status)
        if found.delivery.is_final:
            # Its delivery report may be long gone: record the final status it already has.
            apply_status(channel.name, sid, found.status)
    return outcome
