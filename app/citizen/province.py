"""The province home (``/``) and the old one-commune addresses (issue 13, item 1).

``/`` lists the communes, searchable by name — including the names they had before the 2025
mergers — each with its address, phone and who is on duty now, plus a province-wide status
box: a dossier code's prefix names its commune, so the person is sent to that commune's status
page. With one commune in the database (or a request to a commune's own host name), ``/`` is
that commune's home, with no extra click.

Every address that existed before (``/procedures/…``, ``/status?code=…`` — the QR codes
already printed on slips —, ``/contacts``, ``/feedback``, ``/index``) redirects permanently to
the default commune, or for a status lookup to the commune the code's prefix names, keeping
the query string.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.citizen.views import commune_home
from app.clock import office_now
from app.codes import normalise_code
from app.extensions import db
from app.models import Office
from app.page_cache import cached_page
from app.roster import on_duty_now
from app.search import fold
from app.web import current_office, host_office, office_by_slug, set_current_office

bp = Blueprint("province", __name__)

SEARCH_MAX = 100


def _communes() -> list[Office]:
    return list(db.session.scalars(sa.select(Office).order_by(Office.name, Office.id)))


def office_of_code(raw: str) -> Office | None:
    """The commune a dossier code's prefix names (``VB-261013-0001-FVB`` → VB), else None."""
    code = normalise_code((raw or "")[:40], None)
    if not code:
        return None
    return office_by_slug(code.partition("-")[0])


def matches(office: Office, words: list[str]) -> bool:
    """Every typed word is in the commune's name, English name or one of its former names,
    accents ignored ("vinh buu" finds "Vĩnh Bửu")."""
    haystack = fold(" ".join([office.name, office.name_en or "", *office.former_name_list]))
    return all(w in haystack for w in words)


@bp.route("/")
@cached_page("content", per="minute", office=None)
def home():
    own = host_office()
    communes = _communes() if own is None else [own]
    if not communes:  # an empty database: nothing to show yet, but no 500
        abort(503)
    if len(communes) == 1:
        # One commune (or its own host name): ``/`` is its home, no extra click.
        set_current_office(communes[0])
        return commune_home()
    q = (request.args.get("q") or "").strip()[:SEARCH_MAX]
    words = fold(q).split()
    shown = [o for o in communes if matches(o, words)] if words else communes
    rows = [(o, on_duty_now(o, office_now(o))) for o in shown]
    return render_template("citizen/province.html", rows=rows, q=q, total=len(communes),
                           site_name=_("Một cửa các xã"))


# ----------------------------------------------------------------------------- old addresses


def _moved(endpoint: str, office: Office | None = None, **values):
    """A permanent redirect to ``endpoint`` of ``office`` (the default commune), keeping the
    query string; 308 for a form post so it is posted again, 301 otherwise."""
    office = office or current_office()
    if office is None:  # an empty database: nothing to show yet, but no 500
        abort(503)
    url = url_for(endpoint, office=office.slug, **values)
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return redirect(url, 301 if request.method in ("GET", "HEAD") else 308)


@bp.route("/procedures")
def old_procedures():
    return _moved("citizen.procedures")


@bp.route("/procedures/<slug>")
def old_guide(slug: str):
    return _moved("citizen.guide", slug=slug[:80])


@bp.route("/procedures/<slug>/sms", methods=["GET", "POST"])
def old_send_guide(slug: str):
    return _moved("citizen.send_guide", slug=slug[:80])


@bp.route("/status")
def old_status():
    """Also the province home's status box. The QR code on every slip printed so far
    carries ``/status?code=VB-…``: the code's prefix names the commune."""
    return _moved("citizen.status", office_of_code(request.args.get("code", "")))


@bp.route("/contacts")
def old_contacts():
    return _moved("citizen.contacts")


@bp.route("/contacts/<int:officer_id>.vcf")
def old_vcard(officer_id: int):
    return _moved("citizen.vcard", officer_id=officer_id)


@bp.route("/feedback", methods=["GET", "POST"])
def old_feedback():
    return _moved("citizen.feedback")


@bp.route("/feedback/thanks")
def old_feedback_thanks():
    return _moved("citizen.feedback_thanks")


@bp.route("/index")
def index():
    """The public scorecard. For now the default commune's; with several communes this is
    where the province roll-up goes (issue 13, item 7)."""
    return _moved("citizen.scorecard")
