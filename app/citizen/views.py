"""Citizen pages. Views parse, call one service, render; POST → redirect → GET.

Every page answers a plain GET with a full page. ``/procedures`` also answers htmx's
``HX-Request`` with just the results fragment (and says ``Vary: HX-Request`` so caches keep
the two apart).
"""

from __future__ import annotations

import re

import vobject
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import lookup as svc
from app import portal
from app.citizen import bp
from app.citizen.forms import FeedbackForm
from app.clock import office_now, office_today
from app.codes import example_code, normalise_code
from app.extensions import limiter
from app.feedback import save_web_feedback
from app.filters import phone_display
from app.guesses import DIGITS_PER_ADDRESS, code_only_limit, digits_key, digits_limit
from app.guides import guide_context
from app.models import FIELDS
from app.page_cache import cached_page, page_cache
from app.papers import next_step
from app.roster import duties_on, next_duty, on_duty_now, weekly_hours
from app.web import current_lang, current_office, office_by_slug

SEARCH_MAX = 100


def _office():
    office = current_office()
    if office is None:  # an empty database: nothing to show yet, but no 500
        abort(503)
    return office


def _grouped(procedures):
    groups: dict[str, list] = {}
    for proc in procedures:
        groups.setdefault(proc.field, []).append(proc)
    return [(f, groups[f]) for f in FIELDS if f in groups]


@bp.route("/")
@cached_page("content", per="minute")
def home():
    return commune_home()


def commune_home():
    """The commune's home page (also ``/`` when the database holds one commune)."""
    office = _office()
    now = office_now(office)
    procedures = svc.list_procedures(office)
    return render_template(
        "citizen/home.html",
        groups=_grouped(procedures),
        on_duty=on_duty_now(office, now),
        next_duty=next_duty(office, now),
        now=now,
        portal_notice=_portal_notice(office),
    )


def _portal_notice(office):
    """The outage banner, from the commune's open outages kept per worker (app.page_cache)."""
    return portal.notice(office, page_cache.kept(
        office.id, "open_outages", lambda: portal.open_outage_facts(office)))


@bp.route("/procedures")
@cached_page("content")
def procedures():
    office = _office()
    q = (request.args.get("q") or "").strip()[:SEARCH_MAX]
    field_ = request.args.get("field") or ""
    if field_ not in FIELDS:
        field_ = ""
    results = svc.list_procedures(office, q, field_)
    context = {"q": q, "field": field_, "results": results, "groups": _grouped(results)}
    # htmx's back button (historyCacheSize 0) re-fetches the pushed URL with HX-Request *and*
    # HX-History-Restore-Request, and swaps the answer into <body>: that one needs the full page.
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        response = make_response(render_template("citizen/_results.html", **context))
    else:
        response = make_response(render_template("citizen/procedures.html", **context))
    response.headers["Vary"] = "HX-Request, HX-History-Restore-Request"
    return response


@bp.route("/procedures/<slug>")
# Per day: the portal notice names the day an outage began once that day is over.
@cached_page("content", per="day")
def guide(slug: str):
    office = _office()
    if len(slug) > 80 or not re.fullmatch(r"[a-z0-9-]+", slug):
        abort(404)
    found = svc.read_guide(office, slug)
    if found is None:
        abort(404)
    return render_template(
        "citizen/guide.html",
        procedure=found.procedure,
        content=found.procedure.content(current_lang()),
        portal_notice=_portal_notice(office),
        **guide_context(found.procedure, office, found.local, found.officers),
    )


def _other_commune(code: str | None, office):
    """The commune a code's prefix names when it is not ``office`` (None for this one's codes,
    and for a prefix no commune has: those are simply not found)."""
    if not code or code.partition("-")[0] == office.code:
        return None
    return office_by_slug(code.partition("-")[0])


def _digits_key() -> str:
    """The dossier's one counter of phone-digit guesses (app.guesses): the code as the view
    reads it (office prefix implied), so ``241115-7`` and ``VB-241115-0007`` share it, and the
    API and SMS spend the same one."""
    office = current_office()
    return digits_key(normalise_code(request.args.get("code", "")[:40],
                                     office.code if office else None))


def _code_only_exempt() -> bool:
    return "code" not in request.args or bool(request.args.get("digits", "").strip())


def _digits_pair_key() -> str:
    """Bucket for one address's guesses at one code: a stranger is stopped at half the code's
    budget, so one stranger alone cannot lock the citizen out (issue 12, item 10)."""
    return f"{_digits_key()}:{request.remote_addr or '-'}"


@bp.route("/status")
@limiter.limit("60/minute")
@digits_limit(_digits_key, exempt_when=lambda: not request.args.get("digits"))
# Checked before the code's cap (the lower decorator registers first): a guess this address
# may not make must not use up the citizen's share of that cap.
@limiter.limit(DIGITS_PER_ADDRESS, key_func=_digits_pair_key,
               exempt_when=lambda: not request.args.get("digits"))
@code_only_limit(exempt_when=_code_only_exempt)
@cached_page("content", "dossiers", per="day", fast=False)  # its rate limits run every time
def status():
    office = _office()
    lookup = svc.Lookup(
        raw_code=(request.args.get("code") or "")[:40],
        raw_digits=(request.args.get("digits") or "")[:10],
    )
    if "code" in request.args:
        lookup.code = normalise_code(lookup.raw_code, office.code)
        digits = re.sub(r"\D", "", lookup.raw_digits)
        if not lookup.raw_code.strip():
            lookup.errors["code"] = _("Nhập mã hồ sơ ghi trên giấy hẹn.")
        elif lookup.code is None:
            lookup.errors["code"] = _("Mã hồ sơ không đúng dạng. Ví dụ: %(code)s",
                                        code=example_code(office.code))
        if lookup.raw_digits.strip() and len(digits) != 4:
            lookup.errors["digits"] = _("Nhập đúng 4 số cuối điện thoại đã khai khi nộp hồ sơ.")
        elsewhere = _other_commune(lookup.code, office)
        if elsewhere is not None and not lookup.errors:
            # Another commune's code: a pointer there, never its data under this name.
            lookup.elsewhere = elsewhere
        elif not lookup.errors:
            # With digits the plain code will do (they are the proof, 10 guesses an hour per
            # dossier); alone, a new code needs its check letters (app.codes).
            dossier = svc.find_dossier(lookup.code, proven=bool(digits), office=office)
            if digits:
                # "No such code" and "wrong digits" get the same answer: a stranger cannot
                # learn which codes exist or guess a phone number from the difference.
                if svc.digits_match(dossier, digits):
                    lookup.dossier, lookup.full = dossier, True
                else:
                    lookup.errors["form"] = _(
                        "Không tìm thấy hồ sơ với mã và 4 số điện thoại này. Kiểm tra lại giấy hẹn."
                    )
            elif dossier is None:
                lookup.errors["form"] = _("Không tìm thấy hồ sơ %(code)s. Kiểm tra lại mã trên giấy hẹn.",
                                          code=lookup.code)
            else:
                lookup.dossier = dossier
    step = next_step(lookup.dossier, office_today(office)) if lookup.dossier else None
    response = make_response(
        render_template("citizen/status.html", lookup=lookup, office=office, step=step),
        400 if lookup.errors and "form" not in lookup.errors else 200,
    )
    if lookup.full:
        # Personal data: never in a shared cache or the browser's back-forward store.
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/contacts")
@cached_page("content", per="minute")
def contacts():
    office = _office()
    now = office_now(office)
    officers = svc.list_officers(office)
    today = duties_on(office, now.date())
    return render_template(
        "citizen/contacts.html",
        officers=officers,
        hours={o.id: weekly_hours(o) for o in officers},
        today_ids={d.officer.id for d in today},
        on_duty_ids={d.officer.id for d in on_duty_now(office, now)},
        now=now,
    )


@bp.route("/contacts/<int:officer_id>.vcf")
def vcard(officer_id: int):
    office = _office()
    officer = next((o for o in svc.list_officers(office) if o.id == officer_id), None)
    if officer is None:
        abort(404)
    card = vobject.vCard()
    card.add("fn").value = officer.name
    parts = officer.name.split()
    card.add("n").value = vobject.vcard.Name(family=parts[0], given=" ".join(parts[1:]))
    card.add("title").value = officer.display_title(current_lang())
    card.add("org").value = [office.name]
    tel = card.add("tel")
    tel.value = officer.public_phone
    tel.type_param = "CELL"
    card.add("note").value = _("Một cửa %(office)s", office=office.name)
    response = make_response(card.serialize())
    response.mimetype = "text/vcard"
    filename = re.sub(r"[^A-Za-z0-9]+", "-", phone_display(officer.public_phone)).strip("-")
    response.headers["Content-Disposition"] = f'attachment; filename="can-bo-{filename}.vcf"'
    return response


@bp.route("/feedback", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def feedback():
    office = _office()
    form = FeedbackForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    if form.validate_on_submit():
        save_web_feedback(office, form.rating.data, form.comment.data, form.code.data,
                          form.digits.data)
        if form.rating.data and not (form.code.data and form.digits.data):
            # Said from what was typed only (never from whether the digits were right).
            flash(_("Điểm của bạn không được tính vào chỉ số hài lòng vì thiếu mã hồ sơ và 4 số "
                    "cuối điện thoại; ý kiến vẫn được gửi tới cán bộ."))
        return redirect(url_for("citizen.feedback_thanks"))
    status = 400 if form.errors else 200
    return render_template("citizen/feedback.html", form=form), status


@bp.route("/feedback/thanks")
@cached_page("content")
def feedback_thanks():
    _office()
    return render_template("citizen/feedback_thanks.html")
