"""When a dependency is down: the ``/healthz`` probe, and the static 503 page.

A database that is down (restarting, disk full, network cut) used to reach gunicorn as an
unhandled exception: a bare "Internal Server Error" with none of the security headers. Now any
request that fails because the database cannot be reached answers with
``app/static/errors/503.html`` — the same file nginx serves when gunicorn itself is down
(deploy/nginx) — and the same security headers as every other answer. Building that answer
touches neither the database nor Jinja: the error page template's context (the office name
in the footer) would need the very database that is missing.

``/healthz`` is for nginx and monitoring: 200 when the database (and Redis, when the rate
limits live there) answer, else 503 naming what failed. Never rate limited, never cached.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, request

from app.extensions import db, limiter
from app.web import STATIC_DIR, security_header_items

logger = logging.getLogger(__name__)

UNAVAILABLE_PAGE = STATIC_DIR / "errors" / "503.html"
RETRY_AFTER = "30"  # seconds: a database restart or failover, not a long outage
# Seconds /healthz waits for Redis: a probe that hangs is as bad as a failure. The database's
# limit is libpq's connect_timeout in DATABASE_URL (README, Deploy).
CHECK_TIMEOUT = 2.0

REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
SQLITE_UNAVAILABLE = ("SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR",
                      "SQLITE_FULL")


def _page() -> bytes:
    # Read when needed (1 KB, only when things are already going wrong), so that an edit to
    # the file shows at once, here as in nginx.
    return UNAVAILABLE_PAGE.read_bytes()


def unavailable_response() -> Response:
    """503 with the static page (or JSON under ``/api/``), ``Retry-After`` and the security
    headers, set here rather than left to ``after_request`` so the answer stands alone."""
    if request.path.startswith("/api/"):
        response = Response(b'{"error":"unavailable","status":503}\n', status=503,
                            mimetype="application/json")
    else:
        response = Response(_page(), status=503, mimetype="text/html")
    response.headers["Retry-After"] = RETRY_AFTER
    response.headers["Cache-Control"] = "no-store"
    for name, value in security_header_items():
        response.headers[name] = value
    return response


def database_unreachable(error: BaseException | None) -> bool:
    """The database could not be reached, dropped the connection or has no free connection —
    not a bad query.

    SQLAlchemy marks a disconnect it recognises (in any DBAPI class) with
    ``connection_invalidated`` and raises its own ``TimeoutError`` when the pool stays
    exhausted. psycopg keeps ``OperationalError`` for the server's state (refused or lost
    connection, shutdown, too many connections, disk full), while SQLite also uses it for
    "no such table" and syntax errors, so there only its error codes for a file that cannot be
    opened, is locked or cannot be written count."""
    if isinstance(error, sa.exc.TimeoutError):
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlite_code = getattr(error.orig, "sqlite_errorname", None)
    if sqlite_code is not None:
        return sqlite_code.startswith(SQLITE_UNAVAILABLE)
    return isinstance(error, sa.exc.OperationalError)


def _database_error(error: sa.exc.DBAPIError):
    if not database_unreachable(error):
        # A real bug: Flask's 500 path logs it and renders the 500 page — which reads the
        # office, so PostgreSQL's aborted transaction must be rolled back first.
        db.session.rollback()
        raise error
    logger.error("database unavailable on %s %s: %s", request.method, request.path,
                 str(error.orig).strip() or type(error.orig).__name__)
    try:
        db.session.rollback()  # return the broken connection to the pool, invalidated
    except sa.exc.SQLAlchemyError:
        pass  # nothing more to undo on a connection that is gone
    return unavailable_response()


def _pool_timeout(error: sa.exc.TimeoutError):
    # Every pooled connection busy for pool_timeout seconds: overloaded, not broken.
    logger.error("database pool exhausted on %s %s", request.method, request.path)
    return unavailable_response()


def _check_database() -> None:
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _check_redis(uri: str) -> None:
    import redis  # function-level import: optional, only when a Redis URI is configured

    if uri.startswith("redis+unix://"):
        uri = "unix://" + uri[len("redis+unix://"):]
    client = redis.Redis.from_url(uri, socket_timeout=CHECK_TIMEOUT,
                                  socket_connect_timeout=CHECK_TIMEOUT)
    try:
        if not client.ping():
            raise RuntimeError("no PONG")
    finally:
        client.close()


def checks() -> dict[str, Any]:
    """``{"status": "ok" | "unavailable", "checks": {name: "ok" | error}, "failed": [...]}``."""
    results: dict[str, str] = {}
    wanted = [("database", _check_database)]
    storage = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if storage.startswith(REDIS_SCHEMES):
        wanted.append(("redis", lambda: _check_redis(storage)))
    for name, check in wanted:
        started = time.monotonic()
        try:
            check()
        except Exception as error:  # any failure means "not healthy"
            # The class name only: a connection string or host in the message is not for
            # whoever can reach /healthz.
            results[name] = f"failed: {type(error).__name__}"
            logger.warning("healthz: %s failed after %.2fs: %s", name,
                           time.monotonic() - started, error)
        else:
            results[name] = "ok"
    failed = [name for name, result in results.items() if result != "ok"]
    return {"status": "unavailable" if failed else "ok", "checks": results, "failed": failed}


@limiter.exempt
def healthz() -> Response:
    report = checks()
    response = current_app.json.response(report)
    response.status_code = 503 if report["failed"] else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(sa.exc.DBAPIError, _database_error)
    app.register_error_handler(sa.exc.TimeoutError, _pool_timeout)
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
