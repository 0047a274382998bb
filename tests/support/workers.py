"""What the page-cache tests share: a client that starts each request with an empty ``g`` (as
a gunicorn worker does), and a Redis database of their own or a skip."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient


class FreshClient(FlaskClient):
    """Each request with an empty ``g``, as in production (conftest keeps one app context)."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


def statements(db, do) -> list[str]:
    """The SQL statements ``do()`` sends to the database."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        do()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def redis_or_skip(url: str):
    """A client for ``url``, or skip the test when no Redis answers there (CI starts one)."""
    redis = pytest.importorskip("redis")
    r = redis.Redis.from_url(url)
    try:
        r.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url} (CI starts one)")
    return r
