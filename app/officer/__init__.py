"""Officer desk: sign in, counter work, contacts and roster, guides, inboxes, dashboards."""

from flask import Blueprint

bp = Blueprint("officer", __name__)

from app.officer import views  # noqa: E402,F401
from app.officer import dossiers  # noqa: E402,F401
from app.officer import people  # noqa: E402,F401
from app.officer import roster_views  # noqa: E402,F401
from app.officer import guides  # noqa: E402,F401
from app.officer import feedback  # noqa: E402,F401
from app.officer import audit_views  # noqa: E402,F401
from app.officer import inbox  # noqa: E402,F401
from app.officer import try_sms  # noqa: E402,F401
from app.officer import dashboard  # noqa: E402,F401
