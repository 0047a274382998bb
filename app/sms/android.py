"""What the Android phone gateway tells us, and what the office sees of it.

The webhook view (``app.sms.webhooks.android``) checks the signature and hands the parsed event
to :func:`apply_event`; nothing here talks to the phone (that is ``channels.android_channel``).

* ``sms:received`` → :func:`app.sms.inbound.handle_inbound` with ``channel="android"``; the
  reply is pinned to ``android`` so it leaves from the number the citizen texted.
* ``sms:sent`` / ``sms:delivered`` / ``sms:failed`` → the outgoing row with that gateway id
  moves forward (:func:`app.sms.delivery.apply_status`: never backwards, unknown ids ignored);
  a notification that failed on the phone is queued once on the other channel
  (:mod:`app.sms.fallback`).
* every event, ``system:ping`` included, moves the office's :class:`GatewayStatus` "last seen".

**The inbound id.** The gateway's ``messageId`` for a received SMS is a 32-bit hash of
(sender, time, text, SIM) and its docs warn it is not unique. Relays deliver one text several
times (docs/DESIGN.md), so we dedupe on it — but qualified with a digest of the device, sender,
reception time and text, so that a hash collision (two different texts, another office's phone)
is not swallowed as a "duplicate". A retried webhook carries the same payload, hence the same id.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import GatewayStatus, Message, Office, utcnow
from app.phones import normalise_phone
from app.sms.channels import (
    ChannelConfigError,
    channel_name_for,
    office_config,
    office_sms_settings,
)
from app.sms.channels.android_channel import is_configured, verify_webhook
from app.sms.delivery import apply_status
from app.sms.fallback import queue_fallback
from app.sms.inbound import handle_inbound

logger = logging.getLogger(__name__)

CHANNEL = "android"
BODY_MAX = 1600
#: Gateway event → our delivery status word (as ``apply_status`` reads it).
STATUS_EVENTS = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}
ERROR_MAX = 255
#: Silence longer than this is worth a warning on the officer home (with the app's ping on,
#: the phone speaks every few minutes; without it, a quiet afternoon is normal).
STALE_AFTER = timedelta(hours=2)


class BadEvent(ValueError):
    """A signed event we cannot use (missing fields): answered 400, nothing stored."""


@dataclass(frozen=True)
class EventResult:
    event: str
    message_id: int | None = None  # the stored inbound, or the updated outbound row
    reply_id: int | None = None
    duplicate: bool = False
    changed: bool = False


# -- which office ---------------------------------------------------------------------------------


def office_for(code: str | None, recipient: str | None) -> Office | None:
    """The office a webhook is for: ``?office=CODE`` (set by the registration command), else the
    office whose SMS number is the SIM that received it, else ``DEFAULT_OFFICE``, else the first."""
    if code:
        office = db.session.scalars(sa.select(Office).where(Office.code == code.upper())).first()
        if office is not None:
            return office
    number = normalise_phone(recipient or "") if recipient else None
    if number:
        office = db.session.scalars(sa.select(Office).where(Office.sms_number == number)).first()
        if office is not None:
            return office
    office = db.session.scalars(
        sa.select(Office).where(Office.code == current_app.config.get("DEFAULT_OFFICE"))
    ).first()
    return office or db.session.scalars(sa.select(Office).order_by(Office.id)).first()


# -- whose signature (issue 13) ------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    """A webhook whose signature checked out: signed with ``office``'s own key, or (``office``
    None) with the app-wide ``ANDROID_WEBHOOK_SIGNING_KEY``."""

    office: Office | None


def own_signing_key(office: Office) -> str | None:
    """The office's own webhook signing key, ``""`` when it has none, None when its settings
    cannot be read (then nothing may be accepted for it)."""
    try:
        return office_sms_settings(office).get("android_signing_key", "")
    except ChannelConfigError:
        logger.error("Android webhook: the SMS settings of %s cannot be read", office.code)
        return None


def check_signature(raw: bytes, timestamp: str | None, signature: str | None,
                    code: str | None, now: float) -> Signed | None:
    """Which key signed this webhook, or None (refuse it).

    A commune with a signing key of its own accepts only events signed with that key: another
    commune's key, or the app-wide one, cannot post as it. ``?office=CODE`` says which commune
    to check; without it, each commune's own key is tried (the key names the commune), then the
    app-wide key, whose events are routed by :func:`office_for` after the body is read.
    """
    app_key = current_app.config.get("ANDROID_WEBHOOK_SIGNING_KEY") or ""
    named = None
    if code:
        named = db.session.scalars(sa.select(Office).where(Office.code == code.upper())).first()
    if named is not None:
        key = own_signing_key(named)
        if key is None:
            return None
        if key:
            return Signed(named) if verify_webhook(raw, timestamp, signature, key, now) else None
        return Signed(None) if verify_webhook(raw, timestamp, signature, app_key, now) else None
    for office in db.session.scalars(
        sa.select(Office).where(Office.sms_settings != "").order_by(Office.id)
    ):
        key = own_signing_key(office)
        if key and verify_webhook(raw, timestamp, signature, key, now):
            return Signed(office)
    return Signed(None) if verify_webhook(raw, timestamp, signature, app_key, now) else None


# -- last seen ------------------------------------------------------------------------------------


def touch(office_id: int, *, error: str | None = None, now: datetime | None = None) -> None:
    """Record that the office's phone just spoke (the caller commits). ``error`` replaces the
    last error; ``None`` keeps it."""
    status = db.session.scalars(
        sa.select(GatewayStatus).where(
            GatewayStatus.office_id == office_id, GatewayStatus.channel == CHANNEL
        )
    ).first()
    if status is None:
        status = GatewayStatus(office_id=office_id, channel=CHANNEL, last_error="")
        db.session.add(status)
    status.last_seen_at = now or utcnow()
    if error is not None:
        status.last_error = error[:ERROR_MAX]


# -- events ---------------------------------------------------------------------------------------


def inbound_id(envelope: dict[str, Any], payload: dict[str, Any]) -> str:
    """``<messageId>-<digest>``: the gateway's id, made safe against its hash collisions."""
    message_id = str(payload.get("messageId") or "").strip()[:24]
    parts = [
        str(envelope.get("deviceId") or ""),
        str(payload.get("phoneNumber") or payload.get("sender") or ""),
        str(payload.get("receivedAt") or ""),
        str(payload.get("message") or ""),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    return f"{message_id}-{digest}"


def _received(office: Office, envelope: dict[str, Any], payload: dict[str, Any]) -> EventResult:
    sender = str(payload.get("phoneNumber") or payload.get("sender") or "").strip()
    if not payload.get("messageId") or not sender or "message" not in payload:
        raise BadEvent("sms:received without messageId, phoneNumber or message")
    phone = normalise_phone(sender) or sender
    text = str(payload.get("message") or "")[:BODY_MAX]
    office_id = office.id
    result = handle_inbound(office, phone, text, CHANNEL, inbound_id(envelope, payload))
    if result.reply_id is not None:
        # Pin the reply to the phone it answers (the outbox would otherwise use the office's
        # preferred channel). Only while it is still waiting: a worker may already hold it.
        db.session.execute(
            sa.update(Message)
            .where(Message.id == result.reply_id, Message.channel == "",
                   Message.status == "queued")
            .values(channel=CHANNEL)
            .execution_options(synchronize_session=False)
        )
    touch(office_id)
    db.session.commit()
    return EventResult("sms:received", result.inbound_id, result.reply_id, result.duplicate,
                       changed=not result.duplicate)


def _status(office: Office, event: str, payload: dict[str, Any]) -> EventResult:
    provider_id = str(payload.get("messageId") or "").strip()[:64]
    if not provider_id:
        raise BadEvent(f"{event} without messageId")
    office_id = office.id
    changed = apply_status(CHANNEL, provider_id, STATUS_EVENTS[event])  # commits when changed
    message = db.session.scalars(
        sa.select(Message).where(Message.channel == CHANNEL, Message.provider_id == provider_id,
                                 Message.direction == "out")
    ).first()
    error = None
    if event == "sms:failed":
        reason = str(payload.get("reason") or "unknown")
        error = f"{provider_id}: {reason}"
        if changed and message is not None:
            message.last_error = f"android failed: {reason}"[:ERROR_MAX]
            queue_fallback(message)
    touch(message.office_id if message is not None else office_id, error=error)
    db.session.commit()
    return EventResult(event, message.id if message is not None else None, changed=changed)


def apply_event(office: Office, envelope: dict[str, Any]) -> EventResult:
    """Apply one signed gateway event; commits. Unknown events only refresh "last seen"."""
    event = str(envelope.get("event") or "")
    payload = envelope.get("payload")
    if not isinstance(payload, dict):
        payload = {}
    if event == "sms:received":
        return _received(office, envelope, payload)
    if event in STATUS_EVENTS:
        return _status(office, event, payload)
    touch(office.id)
    db.session.commit()
    return EventResult(event)


# -- the officer home panel -----------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayPanel:
    last_seen_at: datetime | None
    last_error: str
    waiting: int  # texts queued (or being sent) that will leave by the phone
    stale: bool  # not heard from for STALE_AFTER (or never): someone should look at the phone


def panel(office: Office) -> GatewayPanel | None:
    """What the home page shows about the phone, or None when the office does not use one."""
    status = db.session.scalars(
        sa.select(GatewayStatus).where(
            GatewayStatus.office_id == office.id, GatewayStatus.channel == CHANNEL
        )
    ).first()
    uses_phone = channel_name_for(None, office) == CHANNEL
    try:
        configured = is_configured(office_config(office))
    except ChannelConfigError:
        configured = False
    if status is None and not uses_phone and not configured:
        return None
    pinned = Message.channel == CHANNEL
    routed = sa.and_(Message.channel == "", sa.true() if uses_phone else sa.false())
    waiting = db.session.scalar(
        sa.select(sa.func.count(Message.id)).where(
            Message.office_id == office.id,
            Message.direction == "out",
            Message.status.in_(("queued", "sending")),
            sa.or_(pinned, routed),
        )
    ) or 0
    seen = status.last_seen_at if status else None
    return GatewayPanel(
        last_seen_at=seen,
        stale=seen is None or utcnow() - seen > STALE_AFTER,
        last_error=status.last_error if status else "",
        waiting=waiting,
    )
