"""Scratch PostgreSQL databases for tests that run migrations from nothing."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


def pg_url() -> str | None:
    """The PostgreSQL server the suite runs on (``TEST_DATABASE_URL`` or ``DATABASE_URL``), as
    a psycopg URL; None on SQLite."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url if url.startswith("postgresql+psycopg://") else None


@contextmanager
def scratch_postgresql() -> Iterator[str]:
    """A new, empty database on that server, dropped afterwards; yields its URL."""
    base = sa.engine.make_url(pg_url())
    name = f"motcua_migtest_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
