"""Citizen pages: home, guides, status lookup, contacts, feedback, scorecard. HTML-first,
within the 2G budget, every page usable with JavaScript off.

Every page lives under its commune: ``/vb/``, ``/vb/procedures/<slug>`` (the office code in
lower case, issue 13). The URL preprocessor below loads that office into ``g.office`` (what
``app.web.current_office`` returns) and ``url_defaults`` puts the current commune back into
every ``url_for("citizen.…")``, so templates build links without naming it. The province home
(``/``) and the old addresses (``/procedures``, ``/status?code=…``) are in
:mod:`app.citizen.province`.
"""

from flask import Blueprint, abort, current_app

from app.page_cache import page_cache
from app.web import current_office, page_office, set_current_office

bp = Blueprint("citizen", __name__, url_prefix="/<office:office>")


@bp.url_value_preprocessor
def _load_office(endpoint, values) -> None:
    slug = (values or {}).pop("office", None)
    office = page_cache.office(slug)  # office_by_slug, kept per worker while unchanged
    if office is None:
        abort(404)  # an unknown commune: the app's translated 404 page
    set_current_office(office)


@bp.url_defaults
def _office_in_urls(endpoint, values) -> None:
    if "office" in values:
        office = values["office"]
        if hasattr(office, "slug"):
            values["office"] = office.slug
        return
    office = page_office() or current_office()
    # An empty database: links to the default commune's address, which says so itself.
    values["office"] = office.slug if office is not None else (
        current_app.config["DEFAULT_OFFICE"].lower())


# The view modules register their routes on ``bp`` when imported, so they come after it.
from app.citizen import (  # noqa: E402
    helpers_page,  # noqa: F401
    scorecard,  # noqa: F401
    send_guide,  # noqa: F401
    views,  # noqa: F401
)
