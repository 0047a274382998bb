"""Shared column helpers. Every ``*_at`` column holds naive UTC; views convert to the office's
time zone. Naive UTC behaves the same on SQLite (which has no time zones) and PostgreSQL.

``utcnow`` lives in ``app.clock`` (the one place that reads the time); it is re-exported here and
from ``app.models`` for the columns' defaults and for older callers."""

from __future__ import annotations

from app.clock import utcnow

__all__ = ["utcnow"]
