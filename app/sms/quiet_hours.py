"""Quiet hours: the night window in which no text is sent (``SMS_QUIET_START``–``SMS_QUIET_END``,
office-local). The worker holds texts back by this rule (``app.sms.worker.loop``) and the
send-guide page tells the citizen when the text will arrive by the same rule
(``app.sms.guide.guide_arrives_at``)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.clock import to_local


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
