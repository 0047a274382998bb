"""The open read-only API (``/api/v1``): procedures and their guides, one dossier's status,
and the public service index — for a provincial portal, a chat-app mini-app or a community
volunteer's tool. Described by ``/api/v1/openapi.json`` (``app.api.openapi``).

* GET only; nothing here writes, so the blueprint is exempt from CSRF (there is no session
  to ride on: CORS below never allows credentials).
* Rate-limited per IP across the whole API (``API_LIMIT``); a dossier lookup with phone digits
  has the status page's own tighter limit per code, so digits cannot be guessed here either.
* CORS: ``Access-Control-Allow-Origin: *`` on every API response, errors included, so a
  browser tool can read a 404 or a 429; preflight (OPTIONS) is answered for GET.
* ETags come from the app (``app.web.conditional_get``); personal answers say ``no-store``.
* Errors are JSON (``{"error": ..., "status": ...}``) from the app's error handler; a bad
  parameter also names it (``"field"``).
"""

from __future__ import annotations

import re

from flask import abort, jsonify, request
from flask_babel import force_locale

from app import metrics
from app.api import bp
from app.api.openapi import document
from app.api.parameters import (
    API_LIMIT,
    COMMUNE_PATTERN,
    DIGITS_PATTERN,
    DIGITS_PER_ADDRESS,
    DOSSIER_CODE_PATTERN,
    LANGS,
    PROCEDURE_CODE_PATTERN,
)
from app.clock import office_today, to_local
from app.codes import normalise_code
from app.extensions import csrf, limiter
from app.guesses import code_only_limit, digits_key, digits_limit
from app.guides import online_guide_for
from app.lookup import digits_match, find_dossier, list_procedures
from app.models import NATIONAL_STATUS, Procedure
from app.papers import next_step
from app.vocabulary import field_label, status_label
from app.web import current_office, office_by_slug, public_url, set_current_office

HIDE_DUE = ("returned", "rejected", "withdrawn")  # as on the status page

csrf.exempt(bp)
api_limit = limiter.shared_limit(API_LIMIT, scope="api")


def _full(pattern: str) -> re.Pattern[str]:
    """``pattern`` (``^…$``, as in the document) matched against the whole string only."""
    return re.compile(pattern.removeprefix("^").removesuffix("$"))


_PROCEDURE_CODE = _full(PROCEDURE_CODE_PATTERN)
_DOSSIER_CODE = _full(DOSSIER_CODE_PATTERN)
_DIGITS = _full(DIGITS_PATTERN)
_COMMUNE = _full(COMMUNE_PATTERN)


class BadParameter(Exception):
    def __init__(self, field: str):
        self.field = field


@bp.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    return jsonify(error="bad_request", status=400, field=exc.field), 400


@bp.after_app_request
def _cors(response):
    """CORS and ``Allow`` on every /api/ response, including 404s for unknown paths (which
    no blueprint handler sees)."""
    if not request.path.startswith("/api/"):
        return response
    h = response.headers
    h["Access-Control-Allow-Origin"] = "*"
    h["Access-Control-Expose-Headers"] = (
        "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    )
    if request.method == "OPTIONS":
        h["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        h["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
        h["Access-Control-Max-Age"] = "86400"
    if response.status_code == 405:
        # The app's JSON error page replaces werkzeug's response and its Allow header.
        h.setdefault("Allow", "GET, HEAD, OPTIONS")
    return response


def _office(default=None):
    """The commune asked for (``?commune=vb``), else ``default``, else the default commune
    (or the one whose own host name was asked). Links in the answer point at it."""
    slug = request.args.get("commune")
    if slug is not None:
        if not _COMMUNE.fullmatch(slug):
            raise BadParameter("commune")
        office = office_by_slug(slug)
        if office is None:
            abort(404)
    else:
        office = default or current_office()
    if office is None:  # an empty database: nothing to serve yet
        abort(503)
    set_current_office(office)
    return office


def _lang() -> str:
    lang = request.args.get("lang", "vi")
    if lang not in LANGS:
        raise BadParameter("lang")
    return lang


def _procedure_url(proc: Procedure) -> str:
    return public_url("api.procedure", code=proc.national_code or proc.slug,
                      commune=current_office().slug)


def _procedure_summary(proc: Procedure, lang: str) -> dict:
    content = proc.content(lang)
    return {
        "code": proc.national_code or proc.slug,
        "national_code": proc.national_code,
        "slug": proc.slug,
        "sms_keyword": proc.sms_keyword,
        "field": proc.field,
        "field_label": str(field_label(proc.field)),
        "lang": content.lang,
        "name": content.name,
        "summary": content.summary,
        "takes_dossiers": not proc.is_howto,
        "processing_days": proc.processing_days,
        "online_mode": proc.online_mode,
        "fee_vnd": proc.fee_vnd,
        "guide_url": public_url("citizen.guide", slug=proc.slug),
        "url": _procedure_url(proc),
    }


@bp.route("/procedures")
@api_limit
def procedures():
    lang = _lang()
    office = _office()
    with force_locale(lang):
        items = [_procedure_summary(p, lang) for p in list_procedures(office)]
    return jsonify(office=office.code, lang=lang, procedures=items)


def _online_guide_url(proc, office) -> str | None:
    guide = online_guide_for(proc, office)
    return public_url("citizen.guide", slug=guide.slug) if guide else None


@bp.route("/procedures/<code>")
@api_limit
def procedure(code: str):
    lang = _lang()
    if not _PROCEDURE_CODE.fullmatch(code):
        raise BadParameter("code")
    office = _office()
    code = code.strip()
    proc = next((p for p in list_procedures(office) if code in (p.national_code, p.slug)), None)
    if proc is None:
        abort(404)
    content = proc.content(lang)
    with force_locale(lang):
        data = _procedure_summary(proc, lang)
    data.update(
        documents=list(content.documents or []),
        steps=list(content.steps or []),
        fee=content.fee,
        time=content.time,
        where=content.where,
        legal_basis=content.legal_basis,
        # The officers' note (officer_note) is never published; to_confirm says which facts
        # are still being checked, so a client can tell people to call before they go.
        to_confirm=list(proc.to_confirm or []),
        online_guide_url=_online_guide_url(proc, office),
        same_day_cutoff=proc.same_day_cutoff,
        portal_url=proc.portal_url or None,
        officers=[
            {"name": o.name, "title": o.display_title(lang), "phone": o.public_phone}
            for o in proc.officers_in(office.id)
            if o.active and o.public_phone
        ],
        updated_at=to_local(content.updated_at, office.tz).isoformat(timespec="seconds"),
    )
    return jsonify(data)


def _digits_key() -> str:
    """The dossier's one counter of digit guesses, shared with the status page and SMS."""
    office = current_office()
    code = (request.view_args or {}).get("code", "")[:40]
    return digits_key(normalise_code(code, office.code if office else None))


def _digits_pair_key() -> str:
    # One address's guesses at one code (issue 12, item 10): see app.citizen.views.
    return f"{_digits_key()}:{request.remote_addr or '-'}"


@bp.route("/dossiers/<code>")
@api_limit
@digits_limit(_digits_key, exempt_when=lambda: "phone_last4" not in request.args)
# Checked first (the lower decorator registers first): a refused guess costs the code nothing.
@limiter.limit(
    DIGITS_PER_ADDRESS, key_func=_digits_pair_key,
    exempt_when=lambda: "phone_last4" not in request.args,
)
@code_only_limit(exempt_when=lambda: "phone_last4" in request.args)
def dossier(code: str):
    """The status page's privacy rule: without the right last four phone digits, only the
    procedure, the status and the due day. With digits, a wrong number and an unknown code get
    the same 404, so a stranger learns nothing from the difference."""
    lang = _lang()
    if not _DOSSIER_CODE.fullmatch(code):
        raise BadParameter("code")
    digits = request.args.get("phone_last4")
    if digits is not None and not _DIGITS.fullmatch(digits):
        raise BadParameter("phone_last4")
    canonical = normalise_code(code, None)
    own = office_by_slug(canonical.partition("-")[0]) if canonical else None
    office = _office(own)
    if own is not None and own.id != office.id:
        # Another commune's code: say whose it is, never its data under this one's name.
        return jsonify(error="other_commune", status=404, commune=own.slug,
                       url=public_url("api.dossier", code=code, commune=own.slug)), 404
    # With digits the plain code will do; alone, a new code needs its check letters. Only
    # this commune's dossiers are found.
    found = (find_dossier(canonical, proven=digits is not None, office=office)
             if canonical else None)
    full = False
    if digits is not None:
        full = digits_match(found, digits[:4])
        if not full:
            abort(404)
    elif found is None:
        abort(404)
    d = found
    with force_locale(lang):
        data = {
            "code": d.public_code,  # whoever found it knew the letters or proved the phone
            "procedure": {
                "code": d.procedure.national_code or d.procedure.slug,
                "name": d.procedure.content(lang).name,
            },
            "status": d.status,
            "status_label": str(status_label(d.status)),
            "national_status": NATIONAL_STATUS.get(d.status),
            # The date the citizen was last given (an apology's new date when later).
            "due_on": None if d.status in HIDE_DUE else d.current_due.isoformat(),
            "full": full,
        }
        if full:
            tz = office.tz
            data.update(
                applicant_name=d.applicant_name,
                channel=d.channel,
                received_at=to_local(d.received_at, tz).isoformat(timespec="seconds"),
                events=[
                    {
                        "status": e.status,
                        "status_label": str(status_label(e.status)),
                        "at": to_local(e.at, tz).isoformat(timespec="seconds"),
                        "note": e.note,
                    }
                    for e in d.events
                ],
                legal_due_on=d.due_on.isoformat(),
                next_step=_next_step(d, office),
                officer={"name": d.officer.name, "phone": d.officer.public_phone}
                if d.officer and d.officer.public_phone
                else None,
            )
    response = jsonify(data)
    if full:
        # Personal data: never in a shared cache or the browser's store.
        response.headers["Cache-Control"] = "no-store"
    return response


def _next_step(d, office) -> dict:
    """The one thing the citizen does next (app.papers.next_step), as JSON."""
    step = next_step(d, office_today(office))
    return {
        "kind": step.kind,
        "papers": step.papers or None,
        "by": step.by.isoformat() if step.by else None,
        "since": step.since.isoformat() if step.since else None,
        "reason": step.reason or None,
    }


@bp.route("/index")
@api_limit
def index():
    """The public service index: the scorecard's numbers (last 12 months, no personal data)."""
    return jsonify(metrics.public_index(_office()))


@bp.route("/openapi.json")
@api_limit
def openapi():
    return jsonify(document())
