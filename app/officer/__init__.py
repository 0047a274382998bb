"""Officer desk: sign in, counter work, contacts and roster, guides, inboxes, dashboards."""

from flask import Blueprint

bp = Blueprint("officer", __name__)

# The view modules register their routes on ``bp`` when imported, so they come after it.
from app.officer import (  # noqa: E402
    audit,  # noqa: F401
    dashboard,  # noqa: F401
    dossiers,  # noqa: F401
    feedback,  # noqa: F401
    guides,  # noqa: F401
    inbox,  # noqa: F401
    people,  # noqa: F401
    roster,  # noqa: F401
    signin,  # noqa: F401
    try_sms,  # noqa: F401
)
