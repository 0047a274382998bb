"""Shared column helpers. Every ``*_at`` column holds naive UTC; views convert to the office's
time zone. Naive UTC behaves the same on SQLite (which has no time zones) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as naive UTC (what every ``*_at`` column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)
