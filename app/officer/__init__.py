"""Officer desk: sign in, counter work, contacts and roster, guides, inboxes, dashboards."""

from flask import Blueprint
from flask_login import current_user

from app.extensions import db
from app.models import Office
from app.sms.public_budget import BudgetState, budget_state

bp = Blueprint("officer", __name__)


@bp.context_processor
def _public_sms_budget() -> dict:
    # A callable: only the officer home page, which shows the alert (issue 12, item 3), pays
    # for the query.
    def public_sms_budget() -> BudgetState | None:
        if not getattr(current_user, "is_authenticated", False):
            return None
        office = db.session.get(Office, current_user.office_id)
        return budget_state(office) if office is not None else None

    return {"public_sms_budget": public_sms_budget}


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
    dashboard,  # noqa: F401
    dossiers,  # noqa: F401
    feedback,  # noqa: F401
    guides,  # noqa: F401
    inbox,  # noqa: F401
    people,  # noqa: F401
    portal,  # noqa: F401
    province,  # noqa: F401
    roster,  # noqa: F401
    signin,  # noqa: F401
    try_sms,  # noqa: F401
)
