"""Officer desk: sign in, counter work, contacts and roster, guides, inboxes, dashboards."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from app.extensions import db
from app.models import Office
from app.sms.public_budget import BudgetState, budget_state
from app.web import current_lang, office_name

bp = Blueprint("officer", __name__)


@bp.context_processor
def _own_commune() -> dict:
    # The desk is named after the signed-in officer's own commune, not the public one; province
    # staff have none (the generic name shows).
    if not getattr(current_user, "is_authenticated", False):
        return {}
    office = current_user.office
    return {"office": office, "site_name": office_name(office, current_lang()) if office else None}


@bp.context_processor
def _public_sms_budget() -> dict:
    # A callable: only the officer home page, which shows the alert (issue 12, item 3), pays
    # for the query.
    def public_sms_budget() -> BudgetState | None:
        if not getattr(current_user, "is_authenticated", False) or current_user.office_id is None:
            return None
        office = db.session.get(Office, current_user.office_id)
        return budget_state(office) if office is not None else None

    return {"public_sms_budget": public_sms_budget}


# What an officer with a temporary password may still open (issue 13, item 5).
PASSWORD_FIRST_ALLOWED = frozenset({"officer.password", "officer.logout", "officer.login"})


@bp.before_request
def _password_first():
    """An officer with a temporary password (``must_change_password``) changes it before
    anything else: every other officer page, read or write, sends them to the form."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_FIRST_ALLOWED
    ):
        return redirect(url_for("officer.password"))
    return None


@bp.after_request
def _no_store(response):
    # Officer pages show names, phones and histories, and commune PCs are shared: the browser
    # must not keep them, not even to revalidate (no-cache would keep them on disk, where the
    # next person's Back button or a disk search finds them). Issue 12, item 14.
    response.headers["Cache-Control"] = "no-store"
    return response


# The view modules register their routes on ``bp`` when imported, so they come after it.
from app.officer import (  # noqa: E402
    audit,  # noqa: F401
    communes,  # noqa: F401
    dashboard,  # noqa: F401
    dossiers,  # noqa: F401
    feedback,  # noqa: F401
    guides,  # noqa: F401
    hamlets,  # noqa: F401
    inbox,  # noqa: F401
    papers,  # noqa: F401
    people,  # noqa: F401
    portal,  # noqa: F401
    roster,  # noqa: F401
    signin,  # noqa: F401
    try_sms,  # noqa: F401
)
