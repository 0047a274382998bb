""""Your result is waiting": one reminder per dossier that is ready but not collected.

A result left at the desk helps nobody, and many applicants do not read the first text. After
``SMS_REMINDER_DAYS`` working days (weekends and public holidays do not count: the desk was
closed) the applicant's own phone gets one reminder, if they consented to texts and have not
said STOP. ``dedupe_key = "remind:<dossier id>:1"`` (unique) makes "at most one" hold even with
several workers queueing reminders at the same moment. ``SMS_REMINDER_DAYS = 0`` turns
reminders off.

Called by ``flask --app wsgi sms remind`` (cron) and hourly by the worker loop; the texts are
queued at once and the worker holds them for the morning during quiet hours.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from app.clock import local_date, utcnow
from app.deadlines import working_days_between
from app.extensions import db
from app.filters import fmt_date
from app.models import Dossier, Message
from app.sms.outbox import is_opted_out, phone_lang, queue_message
from app.sms.replies import render_one_segment, status_reply_context

logger = logging.getLogger(__name__)

#: Results ready longer ago than this are not reminded of: an old import (or a dossier whose
#: "returned" was never recorded) must not text people about something long settled.
LOOKBACK = timedelta(days=60)
#: One reminder per dossier; the number is in the key so a second one could be added later.
REMINDER_NUMBER = 1
#: Passes tried when the database is busy.
RETRIES = 5


def reminder_key(dossier_id: int, number: int = REMINDER_NUMBER) -> str:
    return f"remind:{dossier_id}:{number}"


def reminder_body(dossier: Dossier, lang: str) -> str:
    """The reminder text for ``dossier`` in ``lang``, one GSM-7 segment."""
    office = dossier.office
    context = status_reply_context(dossier, full=True)
    context.update(
        procedure=dossier.procedure.content(lang).name,
        ready_on=fmt_date(local_date(dossier.finished_at, office.tz))
        if dossier.finished_at else "",
    )
    return render_one_segment("remind_ready", lang, context)


def due_for_reminder(dossier: Dossier, now: datetime, days: int) -> bool:
    """Ready for at least ``days`` working days (office local dates) and still not collected."""
    if dossier.status != "ready" or dossier.finished_at is None:
        return False
    tz = dossier.office.tz
    ready_on = local_date(dossier.finished_at, tz)
    return working_days_between(ready_on, local_date(now, tz)) >= days


def queue_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due at ``now`` (naive UTC) and commit; return how many.

    Safe to run as often as you like and from several processes at once: a dossier already
    reminded is skipped, and a concurrent insert of the same key loses on the unique
    constraint inside its own savepoint without disturbing the others. On SQLite two writers
    can deadlock on the file lock (one gets "database is locked" at once); the whole pass is
    then simply run again — what the other process queued is skipped.
    """
    now = now or utcnow()
    days = int(current_app.config.get("SMS_REMINDER_DAYS") or 0)
    if days <= 0:
        return 0
    for attempt in range(1, RETRIES + 1):
        try:
            return _queue_reminders(now, days)
        except OperationalError:
            db.session.rollback()
            if attempt == RETRIES:
                raise
            time.sleep(0.05 * attempt)
    return 0  # pragma: no cover


def _queue_reminders(now: datetime, days: int) -> int:
    key = sa.literal("remind:", sa.String) + sa.cast(Dossier.id, sa.String) + sa.literal(
        f":{REMINDER_NUMBER}", sa.String
    )
    already = sa.select(Message.id).where(Message.dedupe_key == key).correlate(Dossier)
    candidates = db.session.scalars(
        sa.select(Dossier)
        .where(
            Dossier.status == "ready",
            Dossier.sms_consent.is_(True),
            Dossier.phone != "",
            Dossier.finished_at.is_not(None),
            # N working days take at least N calendar days: a cheap first filter.
            Dossier.finished_at <= now - timedelta(days=days),
            Dossier.finished_at >= now - LOOKBACK,
            ~already.exists(),
        )
        .order_by(Dossier.id)
    ).all()
    queued = 0
    for dossier in candidates:
        if not due_for_reminder(dossier, now, days) or is_opted_out(dossier.phone):
            continue
        lang = phone_lang(dossier.phone, dossier.lang)
        body = reminder_body(dossier, lang)
        try:
            with db.session.begin_nested():
                message = queue_message(
                    office_id=dossier.office_id,
                    phone=dossier.phone,
                    body=body,
                    kind="reminder",
                    dedupe_key=reminder_key(dossier.id),
                    dossier_id=dossier.id,
                )
                if message is not None:
                    db.session.flush()
        except IntegrityError:  # another process queued it a moment ago
            continue
        if message is not None:
            queued += 1
    db.session.commit()
    if queued:
        logger.info("queued %d reminders", queued)
    return queued
