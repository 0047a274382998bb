"""Rendered pages shared by every worker and every host, in Redis: the page cache's second level.

:mod:`app.page_cache` keeps pages in each worker's memory. With many gunicorn workers on
several hosts, every worker used to build every page itself — for a province of 100 communes
× their guides × two languages, each worker rendered and compressed a few thousand pages
before it answered from memory, and recompressed each at brotli's strongest setting (~10 ms
a page). With ``PAGE_CACHE_REDIS_URL`` set, a page one worker builds is stored here too —
its HTML, headers and compressed forms, the strongest brotli once any worker has made it —
and every other worker takes it from here (one round trip) instead of building it.

What keeps it correct is the key: the same :class:`app.page_cache.Key` as in memory, which
holds the version counters read from the database, so a page stored before a change is simply
never asked for again and expires (``PAGE_CACHE_REDIS_SECONDS``; two minutes for a page that
shows the minute). Never stored here: personal pages (a full status lookup, ``no-store``).
Redis is a cache only: when it is slow or down, pages are built as before and the store is
left alone for ``DOWN_SECONDS``; nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time

import redis

log = logging.getLogger(__name__)

PREFIX = "motcua:page:"
DOWN_SECONDS = 10.0  # after an error, leave Redis alone this long
TIMEOUT = 0.25  # seconds per Redis call: a slow cache must not slow the page


def shared_key(key: tuple) -> str:
    """The Redis key for a page key: its fields are str, bytes, int, None and tuples of them,
    whose ``repr`` is the same in every process."""
    return PREFIX + hashlib.sha1(repr(tuple(key)).encode()).hexdigest()


class SharedPages:
    """The Redis client and its state, one per worker process."""

    def __init__(self) -> None:
        self._url = ""
        self._client: redis.Redis | None = None
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.errors = 0

    def client(self, url: str) -> redis.Redis | None:
        """The client for ``url`` (None: off, or resting after an error)."""
        if not url or time.monotonic() < self._down_until:
            return None
        if url != self._url or self._client is None:
            with self._lock:
                self._client = redis.Redis.from_url(
                    url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
                self._url = url
        return self._client

    def _failed(self, exc: Exception) -> None:
        self.errors += 1
        self._down_until = time.monotonic() + DOWN_SECONDS
        log.warning("page store: Redis unavailable (%s); pages are built locally for %.0f s",
                    exc, DOWN_SECONDS)

    def load(self, url: str, key: str) -> dict[str, bytes] | None:
        """The stored fields (``meta``, ``body`` and the compressed forms), or None."""
        client = self.client(url)
        if client is None:
            return None
        try:
            fields = client.hgetall(key)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            return None
        if not fields or b"meta" not in fields or b"body" not in fields:
            return None
        return {name.decode(): value for name, value in fields.items()}

    def save(self, url: str, key: str, meta: dict, body: bytes, forms: dict[str, bytes],
             seconds: int) -> None:
        """Store a page: its metadata (JSON), HTML and whichever compressed forms exist."""
        client = self.client(url)
        if client is None:
            return
        mapping = {"meta": json.dumps(meta, separators=(",", ":")), "body": body, **forms}
        try:
            pipe = client.pipeline(transaction=False)
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, seconds)
            pipe.execute()
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)

    def form(self, url: str, key: str, name: str) -> bytes | None:
        """One compressed form of a stored page (e.g. the strongest brotli), or None."""
        client = self.client(url)
        if client is None:
            return None
        try:
            return client.hget(key, name)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            return None

    def add_form(self, url: str, key: str, name: str, data: bytes) -> None:
        """Add a compressed form to a page still stored (never re-creates an expired one)."""
        client = self.client(url)
        if client is None:
            return
        try:
            if client.exists(key):
                client.hset(key, name, data)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)

    def reset(self) -> None:
        self._client, self._url, self._down_until = None, "", 0.0
        self.errors = 0


shared_pages = SharedPages()
