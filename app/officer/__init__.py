"""Officer desk: sign in, counter work, contacts and roster, guides, inboxes, dashboards."""

from flask import Blueprint

bp = Blueprint("officer", __name__)


@bp.after_request
def _no_store(response):
    # Officer pages show names, phones and histories, and commune PCs are shared: the browser
    # must not keep them, not even to revalidate (no-cache would keep them on disk, where the
    # next person's Back button or a disk search finds them). Issue 12, item 14.
    response.headers["Cache-Control"] = "no-store"
    return response


# The view modules register their routes on ``bp`` when imported, so they come after it.
from app.officer import (  # noqa: E402
    audit_views,  # noqa: F401
    dashboard,  # noqa: F401
    dossiers,  # noqa: F401
    feedback,  # noqa: F401
    guides,  # noqa: F401
    inbox,  # noqa: F401
    people,  # noqa: F401
    roster_views,  # noqa: F401
    try_sms,  # noqa: F401
    views,  # noqa: F401
)
