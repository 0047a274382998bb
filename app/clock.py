"""The one clock: the only place in ``app/`` that reads the current time, and every conversion
between the database's time and an office's local time.

Two kinds of time, never mixed up:

* **Stored time** is naive UTC: every ``*_at`` column holds it (``utcnow``). Naive UTC behaves
  the same on SQLite (no time zones) and PostgreSQL.
* **Office time** is an aware datetime in the office's own zone (``Office.timezone``; a
  province may one day host communes in another zone, so no zone is written into the code).
  Anything a person sees, and every calendar decision — the office's day, who is on duty now,
  whether a dossier is overdue, which month a dossier counts in — uses office time
  (``office_now``, ``office_today``).

Tests move time with time-machine (the ``clock`` fixture in tests/conftest.py), which moves
``datetime.now``; nothing here caches the time, so every function follows it.

Pure (no Flask, no database): an ``office`` is anything with a ``tz`` (``app.models.Office``,
or the page cache's small stand-in).
"""

from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TIMEZONE",
    "DEFAULT_TZ",
    "HasTimezone",
    "local_date",
    "local_midnight_utc",
    "local_to_utc",
    "office_now",
    "office_today",
    "to_local",
    "unix_time",
    "utcnow",
]

#: The zone of a new office and of pages that are about no office (an empty database). Vietnam
#: has one zone; the office row still carries its own, and code reads that.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_TZ = ZoneInfo(DEFAULT_TIMEZONE)


class HasTimezone(Protocol):
    """What the clock needs of an office: its zone."""

    @property
    def tz(self) -> ZoneInfo: ...


def utcnow() -> datetime:
    """Now, as naive UTC (what every ``*_at`` column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def unix_time() -> float:
    """Now, as seconds since the epoch: for file times and signed timestamps (a webhook's
    freshness window), which count in those. Intervals within one process use
    ``time.monotonic``, which no wall-clock change can move."""
    return _time.time()


def to_local(at_utc: datetime, tz: ZoneInfo) -> datetime:
    """Naive UTC (as stored) → aware local time. An aware datetime (already local, e.g. the
    pages' "now") is converted, not re-read as UTC: that would add the offset twice."""
    if at_utc.tzinfo is not None:
        return at_utc.astimezone(tz)
    return at_utc.replace(tzinfo=UTC).astimezone(tz)


def local_date(at_utc: datetime, tz: ZoneInfo) -> date:
    """The local calendar day of a stored (naive UTC) instant: 16:30 UTC on 1 December is
    already 2 December in Vietnam."""
    return to_local(at_utc, tz).date()


def local_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time in ``tz`` (naive, as people write it; or aware) → naive UTC, as
    stored."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=tz)
    return local.astimezone(UTC).replace(tzinfo=None)


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The naive UTC instant at which local ``day`` begins (a period's bound in queries)."""
    return local_to_utc(datetime.combine(day, time(0)), tz)


def office_now(office: HasTimezone) -> datetime:
    """Now in the office's zone, aware: what "on duty now" and the pages' clock read."""
    return to_local(utcnow(), office.tz)


def office_today(office: HasTimezone) -> date:
    """Today in the office's zone (a dossier is overdue from the local day after ``due_on``)."""
    return office_now(office).date()
