"""Configuration, read from the environment only. No secret lives in the repository.

Development and testing get safe defaults; anything else (``APP_ENV=production``) refuses to
start without a real ``SECRET_KEY`` — a forgotten key would let anyone forge session cookies.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from app.clock import DEFAULT_TIMEZONE

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-not-secret"
_HHMM = re.compile(r"\d{1,2}:[0-5]\d")


class ConfigError(RuntimeError):
    """The environment is not safe to run in."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: float, kind: type[int] | type[float], low: float,
            *, low_allowed: bool = True) -> int | float:
    """``kind(os.environ[name])``, or ``default`` when unset or empty.

    A value that is not a number, or is out of range, stops the start-up with the variable's
    name: read lazily, ``SMS_MAX_ATTEMPTS=six`` would only surface as a crash in the worker
    hours later, and ``TWILIO_TIMEOUT=-1`` would never surface at all."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name} must be {noun}, not {raw!r}") from None
    if not math.isfinite(value) or value < low or (value == low and not low_allowed):
        bound = f"at least {low:g}" if low_allowed else f"more than {low:g}"
        raise ConfigError(f"{name} must be {bound}, not {raw!r}")
    return value


def _hhmm(name: str, default: str) -> str:
    """A time of day ``H:MM``/``HH:MM``; empty means "none" (e.g. no quiet hours)."""
    raw = os.environ.get(name, default).strip()
    if raw and not (_HHMM.fullmatch(raw) and int(raw.split(":")[0]) < 24):
        raise ConfigError(f"{name} must be a time of day such as 21:00, not {raw!r}")
    return raw


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'motcua.sqlite3'}"
    # Heroku-style URLs and plain postgresql:// both go to psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def from_env(instance_path: Path, env: str | None = None) -> dict:
    """Build the Flask config mapping for ``env`` (default: ``APP_ENV`` or development)."""
    env = env or os.environ.get("APP_ENV", "development")
    secret = os.environ.get("SECRET_KEY")
    if env not in {"development", "testing"} and (not secret or secret == DEV_SECRET):
        raise ConfigError("SECRET_KEY must be set to a long random value outside development")
    # Encrypts each commune's SMS settings at rest (app/sms/office_settings.py). Kept apart from
    # SECRET_KEY so that rotating the session key does not make the stored settings unreadable.
    settings_key = os.environ.get("SETTINGS_ENCRYPTION_KEY") or ""
    if env not in {"development", "testing"} and not settings_key:
        raise ConfigError("SETTINGS_ENCRYPTION_KEY must be set to a long random value outside "
                          "development (it encrypts each commune's SMS settings)")
    production = env == "production"
    # A claim must outlive the slowest send it covers (app/sms/worker.py ``check_lease``); say
    # so now rather than when the worker starts. Defaults: DEFAULT_LEASE in the worker,
    # DEFAULT_SEND_TIMEOUT in app/sms/channels.
    claim_seconds = _number("SMS_CLAIM_SECONDS", 60.0, float, 1)
    twilio_timeout = _number("TWILIO_TIMEOUT", 10.0, float, 0, low_allowed=False)
    android_timeout = _number("ANDROID_TIMEOUT", 10.0, float, 0, low_allowed=False)
    if claim_seconds < 2 * max(twilio_timeout, android_timeout):
        raise ConfigError(
            f"SMS_CLAIM_SECONDS ({claim_seconds:g}) must be at least twice TWILIO_TIMEOUT and "
            f"ANDROID_TIMEOUT ({twilio_timeout:g}, {android_timeout:g}), or a slow send could "
            "outlive its claim and another worker send the text again"
        )
    return {
        "APP_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret or DEV_SECRET,
        "SETTINGS_ENCRYPTION_KEY": settings_key or "settings:" + (secret or DEV_SECRET),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Babel: Vietnamese is the source language; absolute path because Flask-Babel resolves
        # relative directories against the app package, not the project root.
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": DEFAULT_TIMEZONE,  # pages about no office (empty database)
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": ("vi", "en"),
        # Cookies: no JS access; Lax stops cross-site POSTs; Secure once behind HTTPS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production or _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 8,  # an officer's form may stay open all morning
        # Largest request body: a CSV import is at most 2 MB; anything bigger is refused (413).
        "MAX_CONTENT_LENGTH": 3 * 1024 * 1024,
        # Rate limits: in memory for one process; Redis in production (several workers).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Compression for 2G: brotli where accepted, else gzip.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Static files are streamed; Flask-Compress's streaming default has no gzip, so a
        # gzip-only phone browser would get the stylesheet uncompressed.
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/plain",
            "text/csv",
            "text/vcard",
            "application/javascript",
            "application/json",
            "image/svg+xml",
        ],
        "COMPRESS_MIN_SIZE": 300,
        "COMPRESS_BR_LEVEL": 5,
        # A 64 KB window: pages are ~10 KB, and the streaming compressor, not knowing the size,
        # would set up tables for 4 MB (22, the default) on every page: ~1 ms of a 6 ms page.
        "COMPRESS_BR_WINDOW": 16,
        "COMPRESS_BR_MODE": 1,  # text
        "COMPRESS_LEVEL": 6,
        # Rendered citizen pages kept in each worker's memory (app/page_cache.py): how many,
        # and how often a worker re-reads the version row that says what changed. 0 = off.
        "PAGE_CACHE_SIZE": _number("PAGE_CACHE_SIZE", 4096, int, 0),
        # …and how many bytes they may weigh, per worker (0 = only the page count bounds it).
        "PAGE_CACHE_MAX_BYTES": _number("PAGE_CACHE_MAX_BYTES", 64 * 1024 * 1024, int, 0),
        "PAGE_CACHE_CHECK_SECONDS": _number("PAGE_CACHE_CHECK_SECONDS",
                                            0.0 if env == "testing" else 1.0, float, 0),
        # The second level every worker and host shares (app/page_store.py): a Redis URL
        # (e.g. redis://127.0.0.1:6379/2), empty = each worker builds its own pages; and how
        # long a shared page is kept (a change makes new keys at once; this only frees memory).
        "PAGE_CACHE_REDIS_URL": os.environ.get("PAGE_CACHE_REDIS_URL", ""),
        "PAGE_CACHE_REDIS_SECONDS": _number("PAGE_CACHE_REDIS_SECONDS", 3600, int, 60),
        # Public facts about the deployment.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        "DEFAULT_OFFICE": os.environ.get("DEFAULT_OFFICE", "VB"),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "motcua-demo"),
        # SMS
        "SMS_CHANNEL": os.environ.get("SMS_CHANNEL", "console"),
        "TWILIO_ACCOUNT_SID": os.environ.get("TWILIO_ACCOUNT_SID", ""),
        "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN", ""),
        "TWILIO_FROM": os.environ.get("TWILIO_FROM", ""),
        "TWILIO_MESSAGING_SERVICE_SID": os.environ.get("TWILIO_MESSAGING_SERVICE_SID", ""),
        "TWILIO_API_BASE_URL": os.environ.get("TWILIO_API_BASE_URL", ""),
        "TWILIO_TIMEOUT": twilio_timeout,  # seconds one API call may take
        # Android phone gateway (capcom6/android-sms-gateway), see docs/ANDROID_GATEWAY.md.
        "ANDROID_GATEWAY_URL": os.environ.get("ANDROID_GATEWAY_URL", "").rstrip("/"),
        "ANDROID_GATEWAY_USER": os.environ.get("ANDROID_GATEWAY_USER", ""),
        "ANDROID_GATEWAY_PASSWORD": os.environ.get("ANDROID_GATEWAY_PASSWORD", ""),
        "ANDROID_WEBHOOK_SIGNING_KEY": os.environ.get("ANDROID_WEBHOOK_SIGNING_KEY", ""),
        # Texts a minute through the phone (stock Android allows about 100 an hour); 0 = no pacing.
        "ANDROID_SEND_RATE": _number("ANDROID_SEND_RATE", 10.0, float, 0),
        "ANDROID_TIMEOUT": android_timeout,  # seconds one gateway call may take
        "SMS_QUIET_START": _hhmm("SMS_QUIET_START", "21:00"),
        "SMS_QUIET_END": _hhmm("SMS_QUIET_END", "07:00"),
        "SMS_MAX_ATTEMPTS": _number("SMS_MAX_ATTEMPTS", 6, int, 1),
        "SMS_REMINDER_DAYS": _number("SMS_REMINDER_DAYS", 3, int, 0),  # 0 = no reminders
        # Texts from one phone in an hour that still get answers; the rest are stored, not
        # answered, so a loop with an auto-responder cannot cost the commune money.
        "SMS_INBOUND_PER_HOUR": _number("SMS_INBOUND_PER_HOUR", 30, int, 1),
        # Texts the public can trigger (guide form, answers to texts) per commune and day; when
        # spent, the form refuses politely and officers see an alert (app/sms/public_budget.py).
        "PUBLIC_SMS_DAILY_BUDGET": _number("PUBLIC_SMS_DAILY_BUDGET", 300, int, 0),
        # How long a worker's claim on an outbox row lasts before another worker may take it.
        "SMS_CLAIM_SECONDS": claim_seconds,
        "SMS_TRY_PAGE_PUBLIC": _bool("SMS_TRY_PAGE_PUBLIC", env == "development"),
        # Retention of personal data, in days (app/retention.py, `flask data purge`, daily;
        # Law 91/2025/QH15, Decree 356/2025). The inventory is in docs/SECURITY.md.
        "RETAIN_SMS_DAYS": _number("RETAIN_SMS_DAYS", 180, int, 1),
        "RETAIN_CLOSED_DOSSIER_PHONE_DAYS": _number("RETAIN_CLOSED_DOSSIER_PHONE_DAYS", 365, int, 1),
        "RETAIN_FEEDBACK_COMMENT_DAYS": _number("RETAIN_FEEDBACK_COMMENT_DAYS", 365, int, 1),
        "RETAIN_SIGNIN_LOG_DAYS": _number("RETAIN_SIGNIN_LOG_DAYS", 90, int, 1),
        # Help requests to the hamlets' teams (issue 16): the citizen's phone is emptied.
        "RETAIN_HELP_REQUEST_DAYS": _number("RETAIN_HELP_REQUEST_DAYS", 30, int, 1),
        # Uploaded CSVs kept between the import's preview and its confirmation (docs/IMPORT.md).
        "IMPORT_DIR": os.environ.get("IMPORT_DIR") or str(instance_path / "imports"),
        # Behind a proxy (deploy/): how many proxies in front of gunicorn append to
        # X-Forwarded-For. 0 trusts no forwarded header, so a client cannot choose its own
        # address; deploy/nginx sets 1. More hops than there are proxies lets clients spoof.
        "PROXY_HOPS": _number("PROXY_HOPS", 0, int, 0),
        # Host names this site answers to (comma-separated; ``.example.org`` includes its
        # subdomains). Empty = any well-formed host. Flask checks it too (TRUSTED_HOSTS).
        "TRUSTED_HOSTS": [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",")
                          if h.strip()] or None,
    }
