"""The outbox: outgoing SMS written in the same transaction as what caused them.

A status change calls ``queue_status_notifications`` before its commit, so the change and the
text to the citizen are saved together or not at all. The worker (``app.sms.worker``) sends
queued rows later, with retries. ``dedupe_key`` (unique) makes "one message per event and
phone" a database guarantee, not a hope.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Dossier, DossierEvent, Message, PhonePreference, Subscription, utcnow
from app.phones import normalise_phone
from app.sms.gsm import count_segments
from app.sms.replies import render_one_segment, status_reply_context

# Statuses the citizen is told about by SMS. "processing" and "returned" are not news to them.
NOTIFY_STATUSES = ("received", "needs_supplement", "ready", "rejected")
#: Papers (app.papers) with their own text: what, why or when, who to call.
PAPER_TEMPLATES = {"supplement": "paper_supplement", "refusal": "paper_refusal",
                   "apology": "paper_apology"}


def is_opted_out(phone: str) -> bool:
    """Did this phone say STOP? ``0912…``, ``84912…`` and ``+84912…`` are one phone."""
    pref = db.session.get(PhonePreference, normalise_phone(phone) or phone)
    return bool(pref and pref.opted_out)


def phone_lang(phone: str, default: str = "vi") -> str:
    pref = db.session.get(PhonePreference, phone)
    return pref.lang if pref else default


def queue_message(
    *,
    office_id: int,
    phone: str,
    body: str,
    kind: str,
    dedupe_key: str | None = None,
    dossier_id: int | None = None,
    event_id: int | None = None,
    reply_to_id: int | None = None,
    officer_id: int | None = None,
    channel: str = "",
    send_after: datetime | None = None,
    stop_confirmation: bool = False,
) -> Message | None:
    """Add one outgoing message to the session (the caller commits). Returns None when the
    dedupe key was already used (that message exists and must not go twice), or when the
    phone said STOP: nothing is ever queued to an opted-out phone except the one confirmation
    of its STOP (``stop_confirmation``, from ``app.sms.inbound``).

    ``phone`` is stored in E.164 whatever way it was typed, so a STOP given as ``+84912…``
    holds for a text addressed to ``0912…``; a provider's sender id stays as it is."""
    phone = normalise_phone(phone) or phone
    if not stop_confirmation and is_opted_out(phone):
        return None
    if dedupe_key and db.session.scalars(
        sa.select(Message.id).where(Message.dedupe_key == dedupe_key)
    ).first():
        return None
    info = count_segments(body)
    message = Message(
        office_id=office_id,
        direction="out",
        phone=phone,
        body=body,
        kind=kind,
        channel=channel,
        encoding=info.encoding,
        segments=info.segments,
        status="queued",
        next_attempt_at=send_after or utcnow(),
        dedupe_key=dedupe_key,
        dossier_id=dossier_id,
        event_id=event_id,
        reply_to_id=reply_to_id,
        officer_id=officer_id,
    )
    db.session.add(message)
    return message


def status_recipients(dossier: Dossier) -> list[str]:
    """The dossier's own phone when the citizen consented, plus phones that subscribed with
    ``DK <code>``; never a phone that said STOP."""
    phones = []
    if dossier.sms_consent and dossier.phone:
        phones.append(dossier.phone)
    for sub in db.session.scalars(sa.select(Subscription).where(Subscription.dossier_id == dossier.id)):
        if sub.phone not in phones:
            phones.append(sub.phone)
    return [p for p in phones if not is_opted_out(p)]


def queue_status_notifications(dossier: Dossier, event: DossierEvent) -> list[Message]:
    """Queue the texts that ``event`` causes (nothing for statuses citizens need not hear)."""
    template = PAPER_TEMPLATES.get(event.kind, "notify_status")
    if event.status not in NOTIFY_STATUSES and event.kind not in PAPER_TEMPLATES:
        return []
    queued = []
    for phone in status_recipients(dossier):
        lang = phone_lang(phone, dossier.lang if phone == dossier.phone else "vi")
        context = status_reply_context(dossier, full=True, event=event)
        # The procedure's name in the recipient's language, like the rest of the text.
        context["procedure"] = dossier.procedure.content(lang).name
        body = render_one_segment(template, lang, context)
        message = queue_message(
            office_id=dossier.office_id,
            phone=phone,
            body=body,
            kind="notify",
            dedupe_key=f"event:{event.id}:{phone}",
            dossier_id=dossier.id,
            event_id=event.id,
        )
        if message is not None:
            queued.append(message)
    if queued:
        db.session.flush()
    return queued
