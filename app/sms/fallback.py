"""The other channel, once: when a notification fails for good on the office's preferred
channel, try it again on the other one.

An office can keep Twilio (outbound only in Vietnam, needs a registered sender) and the local
Android phone at once. ``Office.sms_channel`` picks which one notifications take; when that one
refuses a text permanently (Twilio: not a mobile number, region not enabled; the phone: the
carrier rejected it) and the other channel is configured, the citizen should still hear that
the result is ready.

Rules, in one place so the worker and the webhooks agree:

* only outbound texts that were *routed* to the preferred channel: notifications, reminders,
  guides, officers' messages. A reply to an inbound text is pinned to the channel the text came
  in on (the citizen answers to that number), so it never falls back; neither does a row the
  code pinned to a channel on purpose, nor a fallback copy itself;
* only on a permanent failure (the caller decides: the worker's ``PermanentError`` branch, a
  provider's ``failed`` delivery report), never on "attempts spent" — that usually means the
  phone is away, and the queue waits for it;
* once: the copy is a new row with ``dedupe_key = "fallback:<id>"`` (unique), so a second call
  — a retried webhook, two workers — adds nothing. The failed row stays as it was, for the
  record.
"""

from __future__ import annotations

import logging

from app.extensions import db
from app.models import Message, Office
from app.sms.channels import ChannelConfigError, channel_name_for, get_channel
from app.sms.outbox import queue_message

logger = logging.getLogger(__name__)

#: Which channel backs up which. The console channel has no fallback (nothing leaves).
OTHER = {"twilio": "android", "android": "twilio"}
#: Kinds that are pinned to the channel they must leave by.
PINNED_KINDS = frozenset({"reply"})
FALLBACK_PREFIX = "fallback:"


def failed_on(message: Message, office: Office | None = None) -> str:
    """The channel ``message`` went (or was going) out on: its own, else the office's."""
    if office is None and message.office_id is not None:
        office = db.session.get(Office, message.office_id)
    return channel_name_for(message.channel or None, office)


def is_configured(name: str, office: Office | None = None) -> bool:
    """True when channel ``name`` can be built from the current settings (the office's own
    SMS settings over the app-wide ones)."""
    try:
        get_channel(name, office)
    except ChannelConfigError:
        return False
    except Exception:  # a broken channel is not a usable fallback
        logger.exception("channel %s cannot be built", name)
        return False
    return True


def fallback_channel(message: Message, office: Office | None = None) -> str | None:
    """The channel to re-queue ``message`` on after a permanent failure, or None.

    None for inbound rows, replies and other pinned rows, for a row that is itself a fallback
    copy, when the failed channel has no counterpart, or when the counterpart is not configured.
    """
    if message.direction != "out" or message.kind in PINNED_KINDS:
        return None
    if (message.dedupe_key or "").startswith(FALLBACK_PREFIX):
        return None
    office = office or (db.session.get(Office, message.office_id) if message.office_id else None)
    preferred = channel_name_for(None, office)
    used = failed_on(message, office)
    if message.channel and message.channel != preferred:
        return None  # pinned on purpose to a channel that is not the office's choice
    other = OTHER.get(used)
    if other is None or not is_configured(other, office):
        return None
    return other


def queue_fallback(message: Message, office: Office | None = None) -> Message | None:
    """Add the fallback copy of ``message`` to the session (the caller commits) and return it;
    None when there is no fallback or the copy already exists."""
    other = fallback_channel(message, office)
    if other is None:
        return None
    copy = queue_message(
        office_id=message.office_id,
        phone=message.phone,
        body=message.body,
        kind=message.kind,
        dedupe_key=f"{FALLBACK_PREFIX}{message.id}",
        dossier_id=message.dossier_id,
        event_id=message.event_id,
        officer_id=message.officer_id,
        channel=other,
    )
    if copy is not None:
        logger.info("SMS %s failed on %s; queued again on %s", message.id,
                    failed_on(message, office), other)
        db.session.flush()
    return copy

