"""Load test: 60 s of mixed citizen traffic and signed SMS webhooks against the real app under
gunicorn on 127.0.0.1 (demo database), from a bounded threaded generator. Zero errors expected.

    .venv/bin/python -m bench.load                 # 60 s, 16 users, SQLite
    .venv/bin/python -m bench.load --seconds 20 --users 8
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python -m bench.load --pg   # emptied first!

Each simulated user keeps its own cookies and picks its next action by weight (``MIX``): the
pages citizens open most, a search, status lookups with and without the phone digits, the
stylesheet (as a first visit would), feedback (GET the form, POST it with its CSRF token,
follow the redirect) and inbound SMS webhooks, each a new message signed like Twilio's.
Rate limits are switched off for the run (one client IP would otherwise be refused after 60
lookups a minute — tests/domain/test_security.py proves the limits); everything else is production.
An error is a socket error, a timeout, a 5xx, or any status other than the one expected.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from urllib.parse import urlencode

import brotli

from bench.server import (
    BROWSER_HEADERS,
    HOST,
    app_env,
    gunicorn,
    prepare_database,
    signed_webhook,
    sqlite_url,
    workers,
)

# (action, weight): roughly what a commune's traffic looks like — guides and the home page
# most, lookups next, a little feedback; SMS arrive beside the web traffic.
MIX = [
    ("home", 18),
    ("procedures", 6),
    ("search", 8),
    ("guide", 20),
    ("status", 4),
    ("status-code", 10),
    ("status-digits", 10),
    ("contacts", 8),
    ("css", 6),
    ("feedback", 2),
    ("sms", 8),
]


class User:
    """One citizen (or the SMS provider): its own connection and cookies."""

    def __init__(self, port: int, demo, seq, rng: random.Random) -> None:
        self.port, self.demo, self.seq, self.rng = port, demo, seq, rng
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookie = ""
        self.css = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        h = dict(BROWSER_HEADERS, **(headers or {}))
        if self.cookie:
            h["Cookie"] = self.cookie
        try:
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            raise
        encoding = resp.headers.get("Content-Encoding")
        if encoding == "br":
            data = brotli.decompress(data)
        elif encoding == "gzip":
            data = gzip.decompress(data)
        for value in resp.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        if resp.will_close:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        return resp.status, data

    def act(self, action: str) -> list[tuple[str, int, int, float]]:
        """Run one action; return (label, status, expected, ms) for each request it made."""
        d = self.demo
        code = self.rng.choice(d.codes)
        simple = {
            "home": "/",
            "procedures": "/vb/procedures",
            "search": "/vb/procedures?" + urlencode({"q": self.rng.choice(
                ["khai sinh", "chung thuc", "ket hon", "ho kinh doanh", "vneid", "ban sao"])}),
            "guide": f"/vb/procedures/{self.rng.choice(d.slugs)}",
            "status": "/vb/status",
            "status-code": f"/vb/status?code={code}",
            "status-digits": f"/vb/status?code={d.code}&digits={d.last4}",
            "contacts": "/vb/contacts",
        }
        if action in simple:
            return [self._timed(action, "GET", simple[action], 200)]
        if action == "css":
            return [self._timed("css", "GET", d.css, 200)]
        if action == "sms":
            req = signed_webhook(next(self.seq), d, self.port, salt=d.salt)
            return [self._timed("sms", "POST", req.path, 200, req.body, req.headers)]
        if action == "feedback":
            out = [self._timed("feedback-form", "GET", "/feedback", 200)]
            token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', self.last)
            body = urlencode({"csrf_token": token.group(1).decode() if token else "",
                              "rating": str(self.rng.randint(1, 5)),
                              "comment": "Thử tải: cán bộ nhiệt tình."}).encode()
            out.append(self._timed("feedback-post", "POST", "/feedback", 302, body,
                                   {"Content-Type": "application/x-www-form-urlencoded"}))
            out.append(self._timed("feedback-thanks", "GET", "/feedback/thanks", 200))
            return out
        raise ValueError(action)

    def _timed(self, label, method, path, expected, body=None, headers=None):
        started = time.perf_counter()
        try:
            status, self.last = self.request(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            return (f"{label} ({type(exc).__name__})", 0, expected,
                    (time.perf_counter() - started) * 1000)
        return label, status, expected, (time.perf_counter() - started) * 1000


def run(port: int, demo, seconds: float, users: int) -> dict:
    actions = [a for a, _w in MIX]
    weights = [w for _a, w in MIX]
    seq = itertools.count()
    lock = threading.Lock()
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: Counter = Counter()
    errors: Counter = Counter()
    deadline = time.monotonic() + seconds

    def loop(i: int) -> None:
        rng = random.Random(i)
        user = User(port, demo, seq, rng)
        mine: list[tuple[str, int, int, float]] = []
        while time.monotonic() < deadline:
            mine += user.act(rng.choices(actions, weights)[0])
        with lock:
            for label, status, expected, ms in mine:
                latencies[label].append(ms)
                statuses[(label, status)] += 1
                if status != expected:
                    errors[f"{label}: {status or 'socket'} (expected {expected})"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {"seconds": elapsed, "latencies": latencies, "statuses": statuses, "errors": errors}


def summary(result: dict, users: int, db: str) -> str:
    lat = result["latencies"]
    total = sum(len(v) for v in lat.values())
    every = sorted(x for v in lat.values() for x in v)

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else 0.0

    lines = [
        f"load test: {result['seconds']:.0f} s, {users} users, {db}, gunicorn -w {workers()} "
        f"(sync) on {HOST}",
        f"{'request':16} {'count':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7}",
    ]
    for label in sorted(lat):
        v = sorted(lat[label])
        lines.append(f"{label:16} {len(v):7d} {len(v) / result['seconds']:7.1f} {pct(v, .5):7.1f} "
                     f"{pct(v, .95):7.1f} {pct(v, .99):7.1f} {v[-1]:7.1f}")
    lines.append(f"{'all':16} {total:7d} {total / result['seconds']:7.1f} {pct(every, .5):7.1f} "
                 f"{pct(every, .95):7.1f} {pct(every, .99):7.1f} {every[-1] if every else 0:7.1f}")
    errors = result["errors"]
    lines.append(f"errors: {sum(errors.values())}" + (
        "" if not errors else " — " + "; ".join(f"{k} ×{n}" for k, n in errors.most_common(8))))
    if every:
        lines.append(f"mean latency {statistics.fmean(every):.1f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--pg", action="store_true",
                        help="use BENCH_DATABASE_URL (PostgreSQL; emptied and loaded)")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL") if args.pg else sqlite_url()
    if not url:
        parser.error("--pg needs BENCH_DATABASE_URL")
    demo = prepare_database(url)
    demo.slugs = _slugs(url)
    demo.salt = f"ld{int(time.time()) % 100000}"
    with gunicorn("wsgi:app", app_env(demo.url), "load") as port:
        from bench.server import Request, fetch

        _s, _h, home = fetch(port, Request("GET", "/", dict(BROWSER_HEADERS)))
        html = brotli.decompress(home) if _h.get("content-encoding") == "br" else home
        demo.css = re.search(rb'href="(/static/css/site\.css\?v=[^"]+)"', html).group(1).decode()
        print(f"running {args.seconds:g} s against 127.0.0.1:{port} …", flush=True)
        result = run(port, demo, args.seconds, args.users)
    print(summary(result, args.users, "PostgreSQL" if args.pg else "SQLite"))
    return 1 if result["errors"] else 0


def _slugs(url: str) -> list[str]:
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.models import Procedure

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        slugs = list(db.session.scalars(sa.select(Procedure.slug)))
        db.engine.dispose()
    return slugs


if __name__ == "__main__":
    sys.exit(main())
