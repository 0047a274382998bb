"""What the page-cache tests share: a client that starts each request with an empty ``g`` (as
a gunicorn worker does), and a Redis database of their own or a skip."""

from __future__ import annotations

import pytest
from flask import g
from flask.testing import FlaskClient


class FreshClient(FlaskClient):
    """Each request with an empty ``g``, as in production (conftest keeps one app context)."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


def redis_or_skip(url: str):
    """A client for ``url``, or skip the test when no Redis answers there (CI starts one)."""
    redis = pytest.importorskip("redis")
    r = redis.Redis.from_url(url)
    try:
        r.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url} (CI starts one)")
    return r
