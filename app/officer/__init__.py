"""Officer desk: sign in, counter work, contacts and roster, guides, inboxes, dashboards."""

from flask import Blueprint

bp = Blueprint("officer", __name__)

from app.officer import views  # noqa: E402,F401
from app.officer import dossiers  # noqa: E402,F401
