"""Texts the public can make us send, and their daily budget (issue 12, item 3: SMS pumping).

A stranger can make the commune send a text in two ways: the "send this guide to my phone"
form (kind ``guide``) and a text to the commune's number, which is answered (kind ``reply``).
SMS pumping turns either into money for whoever owns the numbers texted, so:

* they go only to Vietnamese mobile numbers (``app.phones.is_vietnamese_mobile``) — premium
  1900 numbers, landlines, foreign and satellite numbers get nothing;
* at most ``PUBLIC_SMS_DAILY_BUDGET`` of them a day per commune (the office's own day). When the
  day's budget is spent the guide form says so politely (the guide stays on the page), a text
  is still stored and shown in the officers' inbox but not answered — except a STOP/START
  confirmation, which the law on advertising texts requires — and every officer's home page
  shows an alert until the next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_login import current_user

from app.clock import local_midnight_utc, office_today
from app.extensions import db
from app.models import Message, Office
from app.sms import bp

PUBLIC_KINDS = ("guide", "reply")
#: Replies that are sent whatever the budget: opting out must always be confirmed.
ALWAYS_ANSWERED = ("stop", "start")


@dataclass(frozen=True)
class BudgetState:
    used: int
    budget: int

    @property
    def reached(self) -> bool:
        return self.used >= self.budget


def budget_state(office: Office) -> BudgetState:
    """Public-triggered texts queued or sent today (the office's day), against the budget."""
    today = office_today(office)
    start = local_midnight_utc(today, office.tz)
    used = db.session.scalar(
        sa.select(sa.func.count(Message.id)).where(
            Message.office_id == office.id, Message.direction == "out",
            Message.kind.in_(PUBLIC_KINDS), Message.channel != "try",  # the officers' sandbox
            Message.created_at >= start,
            Message.created_at < local_midnight_utc(today + timedelta(days=1), office.tz),
        )
    ) or 0
    return BudgetState(used, int(current_app.config["PUBLIC_SMS_DAILY_BUDGET"]))


def budget_reached(office: Office) -> bool:
    return budget_state(office).reached


@bp.app_context_processor
def _budget_panel() -> dict:
    # A callable: only the officer home page, which shows the alert, pays for the query.
    def public_sms_budget() -> BudgetState | None:
        if not getattr(current_user, "is_authenticated", False):
            return None
        office = db.session.get(Office, current_user.office_id)
        return budget_state(office) if office is not None else None

    return {"public_sms_budget": public_sms_budget}


__all__ = ["ALWAYS_ANSWERED", "PUBLIC_KINDS", "BudgetState", "budget_reached", "budget_state"]
