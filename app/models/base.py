"""Shared column helpers. Every ``*_at`` column holds naive UTC; views convert to the office's
time zone. Naive UTC behaves the same on SQLite (which has no time zones) and PostgreSQL.

``utcnow`` lives in ``app.clock`` (the one place that reads the time); it is re-exported here and
from ``app.models`` for the columns' defaults and for older callers."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached

from app.clock import utcnow

__all__ = ["column_values", "detached_copy", "utcnow"]


def column_values(row, *left_out: str) -> dict[str, Any]:
    """A row's column values, to keep between requests (app.page_cache): lists as tuples, so
    no request can change what the next one reads; ``left_out`` columns not at all (reading
    them on a copy then fails loudly)."""
    values = {a.key: getattr(row, a.key) for a in sa.inspect(type(row)).column_attrs
              if a.key not in left_out}
    return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


def detached_copy(model: type, values: dict[str, Any]):
    """A ``model`` object made from kept :func:`column_values`, detached as if just loaded and
    in no session: each request gets its own, so an edit in one never touches the next one's.
    A row that points to it takes it into its session when added."""
    row = model.__mapper__.class_manager.new_instance()
    row.__dict__.update(values)
    make_transient_to_detached(row)
    return row
