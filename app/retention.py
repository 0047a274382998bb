"""Personal data kept only as long as it is needed (issue 12, item 19).

Law 91/2025/QH15 on personal data protection and Decree 356/2025/ND-CP (in force from
1 January 2026) require personal data to be kept no longer than its purpose needs. Each kind
has a retention period in settings; ``flask data purge`` (run daily by deploy/systemd's
``motcua-daily`` unit, after the reminders) erases what is older. The inventory — what is
kept, why, how long, who sees it — is in docs/SECURITY.md.

What is erased, and what is kept so that the commune's figures (Decision 766 index, dashboard)
stay true: a row is emptied, not deleted, when it is counted somewhere.

* SMS (``RETAIN_SMS_DAYS``): body, phone and dedupe key of every text, in or out, once
  finished (never one still queued or being sent); the row stays for the counts.
* Phone numbers on closed dossiers (``RETAIN_CLOSED_DOSSIER_PHONE_DAYS`` after it was returned,
  rejected or withdrawn): the phone, the SMS consent, and the ``DK`` subscriptions to it.
* Feedback (``RETAIN_FEEDBACK_COMMENT_DAYS``): the comment, the sender's phone and the
  officer's note; the rating stays.
* Sign-in log (``RETAIN_SIGNIN_LOG_DAYS``): failed sign-ins (username, address) are deleted.
* Help requests to the hamlets' teams (``RETAIN_HELP_REQUEST_DAYS``, from the request): the
  citizen's phone is emptied, and so are the body and phone of the texts that carried it (to
  the member, the officer and the citizen); the row, its attempts and the dossier code a member
  linked stay for the leaders' counts (asked, done, handed back, unanswered, filed online).

Idempotent: a second run the same day finds nothing left to erase and reports zeros.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.models import (
    Dossier,
    Feedback,
    HelpRequest,
    LoginAttempt,
    Message,
    SiteVersion,
    Subscription,
)

CLOSED_STATUSES = ("returned", "rejected", "withdrawn")
UNFINISHED_SMS = ("queued", "sending")
SETTINGS = {
    "sms": "RETAIN_SMS_DAYS",
    "closed_dossier_phones": "RETAIN_CLOSED_DOSSIER_PHONE_DAYS",
    "feedback_comments": "RETAIN_FEEDBACK_COMMENT_DAYS",
    "signin_log": "RETAIN_SIGNIN_LOG_DAYS",
    "help_requests": "RETAIN_HELP_REQUEST_DAYS",
}


@dataclass
class Purged:
    sms: int = 0
    closed_dossier_phones: int = 0
    subscriptions: int = 0
    feedback_comments: int = 0
    signin_log: int = 0
    help_requests: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in asdict(self).items())


def cutoff(kind: str, now: datetime) -> datetime:
    return now - timedelta(days=int(current_app.config[SETTINGS[kind]]))


def _update(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def purge(now: datetime | None = None) -> Purged:
    """Erase personal data older than its retention period; commit once; return the counts."""
    now = now or utcnow()
    done = Purged()

    done.sms = _update(
        sa.update(Message)
        .where(Message.created_at < cutoff("sms", now),
               Message.status.not_in(UNFINISHED_SMS),
               sa.or_(Message.body != "", Message.phone != "", Message.dedupe_key.is_not(None)))
        .values(body="", phone="", dedupe_key=None)
    )

    closed_before = cutoff("closed_dossier_phones", now)
    closed = (
        sa.select(Dossier.id)
        .where(Dossier.status.in_(CLOSED_STATUSES),
               sa.func.coalesce(Dossier.closed_at, Dossier.finished_at) < closed_before)
    )
    done.subscriptions = db.session.execute(
        sa.delete(Subscription).where(Subscription.dossier_id.in_(closed))
        .execution_options(synchronize_session=False)
    ).rowcount
    done.closed_dossier_phones = _update(
        sa.update(Dossier)
        .where(Dossier.id.in_(closed), sa.or_(Dossier.phone != "", Dossier.sms_consent))
        .values(phone="", sms_consent=False)
    )
    if done.closed_dossier_phones:
        # A bulk update skips the page cache's flush hook: move the dossiers' version by hand,
        # so no worker keeps answering a full status page for phone digits that are gone.
        _update(sa.update(SiteVersion).where(SiteVersion.id == 1)
                .values(dossiers=SiteVersion.dossiers + 1))

    done.feedback_comments = _update(
        sa.update(Feedback)
        .where(Feedback.created_at < cutoff("feedback_comments", now),
               sa.or_(Feedback.comment != "", Feedback.phone != "", Feedback.handled_note != ""))
        .values(comment="", phone="", handled_note="")
    )

    done.signin_log = db.session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.at < cutoff("signin_log", now))
        .execution_options(synchronize_session=False)
    ).rowcount
    help_before = cutoff("help_requests", now)
    done.help_requests = _update(
        sa.update(HelpRequest)
        .where(HelpRequest.created_at < help_before, HelpRequest.erased.is_(False))
        .values(phone="", erased=True)
    )
    _update(
        sa.update(Message)
        .where(Message.kind == "help", Message.created_at < help_before,
               Message.status.not_in(UNFINISHED_SMS),
               sa.or_(Message.body != "", Message.phone != ""))
        .values(body="", phone="", dedupe_key=None)
    )
    db.session.commit()
    return done


__all__ = ["SETTINGS", "Purged", "cutoff", "purge"]
