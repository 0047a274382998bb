"""Delivery reports from a provider (Twilio's status callback): move an outgoing message to
``sent``, ``delivered`` or ``failed``.

Callbacks arrive late, twice, or out of order (``sent`` after ``delivered``), so a status only
moves forward: a final state (delivered, failed) is never taken back by a later ``sent``.
Vietnamese carriers' receipts are unreliable (docs/DESIGN.md): ``delivered`` means "probably
delivered". An unknown message id changes nothing (the worker may not have saved the id yet,
or the text was sent by another system on the same account).
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Message, PhonePreference, utcnow

#: Twilio MessageStatus → ours. ``read`` is WhatsApp's; ``canceled`` a scheduled send undone.
TWILIO_STATUS = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}
_FINAL = frozenset({"delivered", "failed", "cancelled"})
#: Twilio error 21610: the recipient texted STOP to Twilio; Twilio blocks every later text.
OPTED_OUT_CODE = "21610"


def apply_status(channel: str, provider_id: str, provider_status: str,
                 error_code: str | None = None) -> bool:
    """Record one delivery report; return True when a message changed. Commits."""
    ours = TWILIO_STATUS.get((provider_status or "").strip().lower())
    if not provider_id or ours is None:
        return False
    message = db.session.scalars(
        sa.select(Message).where(
            Message.channel == channel, Message.provider_id == provider_id,
            Message.direction == "out",
        ).with_for_update()
    ).first()
    if message is None or message.status in _FINAL or message.status == ours:
        return False
    message.status = ours
    now = utcnow()
    if ours == "sent" and message.sent_at is None:
        message.sent_at = now
    if ours == "delivered":
        message.delivered_at = now
        message.sent_at = message.sent_at or now
    if ours == "failed":
        code = (error_code or "").strip()[:20]
        message.last_error = f"{channel} {provider_status}" + (f" code {code}" if code else "")
        if code == OPTED_OUT_CODE:
            pref = db.session.get(PhonePreference, message.phone)
            if pref is None:
                db.session.add(PhonePreference(phone=message.phone, opted_out=True))
            else:
                pref.opted_out = True
    db.session.commit()
    return True
