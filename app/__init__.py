"""MotCua Lite: the commune one-stop desk on 2G, on SMS and at the counter.

``create_app`` is the only place that wires extensions, blueprints, filters, error pages and
CLI commands together.
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from app import filters, health, hygiene, models, page_cache  # noqa: F401  (models: registered with SQLAlchemy)
from app.api import bp as api_bp
from app.auth import load_officer
from app.citizen import bp as citizen_bp
from app.citizen.province import bp as province_bp
from app.cli import register as register_cli
from app.codes import example_code
from app.config import ROOT, ConfigError, from_env
from app.extensions import babel, compress, csrf, db, limiter, login, migrate
from app.officer import bp as officer_bp
from app.sms.webhooks import bp as sms_bp
from app.web import (
    LAZY_HTMX,
    SITE_CSS,
    MotCuaFlask,
    OfficeConverter,
    assets,
    choose_locale,
    conditional_get,
    current_lang,
    current_office,
    lang_url,
    office_name,
    page_timezone_name,
    remember_language,
    security_headers,
)


def create_app(config: dict | None = None) -> MotCuaFlask:
    """Application factory. ``config`` overrides the environment (tests pass ``APP_ENV``)."""
    instance = ROOT / "instance"
    app = MotCuaFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(instance),
        instance_relative_config=False,
    )
    env = (config or {}).get("APP_ENV")
    app.config.update(from_env(Path(app.instance_path), env))
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=choose_locale, timezone_selector=page_timezone_name)
    # Flask-Login's own context processor loads the user on every render (a citizen page
    # never reads it); the proxy loads it only where a template does.
    login.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    limiter.init_app(app)
    compress.init_app(app)

    login.user_loader(load_officer)
    login.login_view = "officer.login"
    login.login_message = None  # the login page says it itself, translated
    login.session_protection = "strong"

    filters.init_app(app)
    page_cache.init_app(app)
    health.init_app(app)
    hygiene.init_app(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)

    # Cookie-less visitors get pages already in memory before Flask runs (app/page_cache.py).
    app.wsgi_app = page_cache.FastPath(app.wsgi_app, app)
    # The proxy's headers are applied outside FastPath, so both ways of answering see the
    # same request: the client's address, scheme and host. Inside it, FastPath would read
    # the proxy's view (nginx's address, http) while Flask, which stored the page, read the
    # client's — the first per-address or per-scheme rule added to FastPath or to the page
    # key would then differ between the two paths. FastPath answers pay only ProxyFix's few
    # dict operations for it.
    app.wsgi_app = _behind_proxies(app.wsgi_app, app.config["PROXY_HOPS"])
    # Outermost: a Host werkzeug cannot even bind URLs to is refused before anyone reads it.
    app.wsgi_app = hygiene.HostGuard(app.wsgi_app, app)

    app.before_request(remember_language)
    # Order: after_request runs in reverse; conditional_get must see the body before
    # Flask-Compress (registered above) encodes it.
    app.after_request(conditional_get)
    app.after_request(security_headers)

    @app.context_processor
    def inject() -> dict:
        office = current_office()
        lang = current_lang()
        return {
            "asset_url": assets.url,
            "lang": lang,
            "lang_url": lang_url,
            "lazy_htmx_script": LAZY_HTMX,
            "site_css": SITE_CSS,
            "example_code": example_code(office.code if office else None),
            "has_endpoint": lambda name: name in app.view_functions,
            "office": office,
            "site_name": office_name(office, lang) if office else None,
        }

    return app


def _behind_proxies(wsgi_app, hops: int):
    """Trust exactly ``hops`` proxies (``PROXY_HOPS``): the client address is the one the
    outermost of them saw (``X-Forwarded-For``, counted from the right, so whatever a client
    wrote there itself is skipped), the scheme the one our nginx saw (``X-Forwarded-Proto``,
    which deploy/nginx sets, never appends). Host and prefix are never taken from headers:
    nginx passes the host itself, and a prefix would move every link (SCRIPT_NAME poisoning).
    0 trusts nothing — a client talking to gunicorn directly cannot choose its address."""
    if hops < 0:
        raise ConfigError("PROXY_HOPS must be 0 or more")
    if hops == 0:
        return wsgi_app
    return ProxyFix(wsgi_app, x_for=hops, x_proto=1, x_host=0, x_port=0, x_prefix=0)


def _register_blueprints(app: MotCuaFlask) -> None:
    app.url_map.converters["office"] = OfficeConverter
    app.register_blueprint(province_bp)
    app.register_blueprint(citizen_bp)
    app.register_blueprint(officer_bp, url_prefix="/officer")
    app.register_blueprint(sms_bp, url_prefix="/sms")
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def _register_errors(app: MotCuaFlask) -> None:
    def render_error(code: int, kind: str):
        if request.path.startswith("/api/"):
            return {"error": kind, "status": code}, code
        try:
            return render_template("errors/error.html", code=code, kind=kind), code
        except Exception as error:
            # The page's footer needs the office from the database: with the database gone,
            # a 404 or CSRF page would otherwise fail inside its handler and reach the client
            # as the WSGI server's bare 500, without our headers.
            if health.database_unreachable(error):
                return health.unavailable_response()
            raise

    for code, kind in (
        (400, "bad_request"),
        (403, "forbidden"),
        (404, "not_found"),
        (405, "method_not_allowed"),
        (413, "too_large"),
        (429, "too_many"),
        (500, "server_error"),
        (503, "unavailable"),
    ):
        app.register_error_handler(code, lambda e, c=code, k=kind: render_error(c, k))

    @app.errorhandler(hygiene.BadCharacters)
    def bad_characters(e):  # a NUL in a form or the query: say so, don't let it reach the database
        return render_error(400, "nul")

    @app.errorhandler(CSRFError)
    def csrf_error(e):  # the form expired or was forged: say so, don't 500
        return render_error(400, "csrf")


def _register_cli(app: MotCuaFlask) -> None:
    register_cli(app)
