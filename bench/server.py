"""Servers for the benchmarks: a throw-away demo database, the real app and the reference app
under gunicorn on 127.0.0.1, and the signed requests the SMS webhook expects."""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
TWILIO_TOKEN = "bench-twilio-token"  # the bench server's own; never a real account's
# What a phone browser sends; the app compresses for it, the reference replays those bytes.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br", "User-Agent": "motcua-bench"}


def workers() -> int:
    """README's deployment uses ``-w 3`` on a small box; scale with the CPUs here."""
    return int(os.environ.get("BENCH_WORKERS") or max(2, (os.cpu_count() or 1) + 1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Demo:
    """The demo database and the facts the benchmarks need from it."""

    url: str
    slug: str
    code: str
    last4: str
    codes: list[str] = field(default_factory=list)
    sms_number: str = ""


def prepare_database(url: str) -> Demo:
    """Empty ``url`` and load the demo commune into it (``flask demo load``'s loader)."""
    os.environ.setdefault("APP_ENV", "testing")
    import sqlalchemy as sa

    from app import create_app
    from app.demo.loader import load_demo
    from app.extensions import db

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo(password=secrets.token_urlsafe(12))
        from app.models import Dossier, Office, Procedure

        slug = db.session.scalars(
            sa.select(Procedure.slug).where(Procedure.processing_days.is_not(None))
            .order_by(Procedure.position, Procedure.id)
        ).first()
        # The demo is a province of three communes: the lookups stay on the first one's (VB,
        # the default office), as when the demo was one commune.
        office = db.session.scalars(sa.select(Office).order_by(Office.id)).first()
        dossiers = db.session.scalars(
            sa.select(Dossier).where(Dossier.phone != "", Dossier.office_id == office.id)
            .order_by(Dossier.id)
        ).all()
        demo = Demo(
            url=url,
            slug=slug,
            code=dossiers[0].code,
            last4=dossiers[0].phone_last4,
            codes=[d.code for d in dossiers],
            sms_number=office.sms_number or "",
        )
        db.session.remove()
        db.engine.dispose()
    return demo


def sqlite_url() -> str:
    path = Path(tempfile.mkdtemp(prefix="motcua-bench-")) / "bench.sqlite3"
    return f"sqlite:///{path}"


def app_env(database_url: str) -> dict[str, str]:
    """The real app as deployed (APP_ENV=production), with two bench-only changes: rate limits
    off (one client IP would be refused after 60 lookups a minute, and we measure the pages,
    not the refusals) and a known Twilio token so the bench can sign webhooks."""
    env = dict(os.environ)
    env.update(
        {
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(32),
            # Production refuses to start without it (per-commune SMS settings at rest).
            "SETTINGS_ENCRYPTION_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": "0",
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "SMS_CHANNEL": "console",
            "PUBLIC_BASE_URL": "",
            "SESSION_COOKIE_SECURE": "0",
            # The page cache's shared level, as deployed (README): emptied before each server.
            "PAGE_CACHE_REDIS_URL": os.environ.get("BENCH_REDIS_URL",
                                                   "redis://127.0.0.1:6379/10"),
        }
    )
    if not fresh_shared_store(env["PAGE_CACHE_REDIS_URL"]):
        env["PAGE_CACHE_REDIS_URL"] = ""  # no Redis here: each worker builds its own pages
    return env


def fresh_shared_store(url: str) -> bool:
    """Empty the bench's Redis database for shared pages; False when there is none."""
    if not url:
        return False

    try:
        redis.Redis.from_url(url, socket_timeout=1).flushdb()
    except (redis.RedisError, OSError):
        return False
    return True


@contextmanager
def gunicorn(target: str, env: dict[str, str], name: str):
    """``gunicorn -w N target`` on 127.0.0.1:<free port>; yields the port."""
    port = free_port()
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(OUT / f"gunicorn-{name}.log", "wb")
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers()), "-b", f"{HOST}:{port}",
         "--access-logfile", "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
         "--graceful-timeout", "5", target],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(port, proc, name)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_ready(port: int, proc: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn ({name}) exited; see {OUT}/gunicorn-{name}.log")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/static/css/site.css")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn ({name}) did not start in 30 s")


# ----------------------------------------------------------------------------- requests


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


def twilio_form(n: int, demo: Demo) -> dict[str, str]:
    """The n-th inbound text: a unique MessageSid (a fresh message, not a retry), a spread of
    senders, and the commands citizens send most."""
    code = demo.codes[n % len(demo.codes)]
    body = (f"TT {code}", "DS", "LH", "HD KS", f"tt {code.lower()}")[n % 5]
    return {
        "MessageSid": f"SMbench{n:026d}",
        "AccountSid": "ACbench",
        "From": f"+8491{n % 10_000_000:07d}",
        "To": demo.sms_number or "+84909000100",
        "Body": body,
        "NumSegments": "1",
    }


def signed_webhook(n: int, demo: Demo, port: int, salt: str = "") -> Request:
    """POST /sms/twilio signed exactly as Twilio would (RequestValidator, our bench token)."""
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    form = twilio_form(n, demo)
    if salt:
        form["MessageSid"] = f"SM{salt}{n:026d}"[:34]
    url = f"http://{HOST}:{port}/sms/twilio"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    return Request(
        "POST",
        "/sms/twilio",
        {
            **BROWSER_HEADERS,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
        urlencode(form).encode(),
    )


def fetch(port: int, req: Request) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(req.method, req.path, body=req.body, headers=req.headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def capture(port: int, requests: dict[str, Request], path: Path) -> None:
    """Record what the real app answers to each request, for the reference app to replay."""
    captured = {}
    for req in requests.values():
        status, headers, body = fetch(port, req)
        assert status < 400, (req.path, status)
        keep = {k: v for k, v in headers.items() if k in ("content-type", "content-encoding")}
        captured[req.path.split("?")[0]] = {
            "status": status,
            "headers": keep,
            "body": base64.b64encode(body).decode(),
        }
    path.write_text(json.dumps(captured))
