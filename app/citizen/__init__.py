"""Citizen pages: home, guides, status lookup, contacts, feedback, scorecard. HTML-first,
within the 2G budget, every page usable with JavaScript off."""

from flask import Blueprint

bp = Blueprint("citizen", __name__)

# The view modules register their routes on ``bp`` when imported, so they come after it.
from app.citizen import (  # noqa: E402
    helpers_page,  # noqa: F401
    province,  # noqa: F401
    scorecard,  # noqa: F401
    send_guide,  # noqa: F401
    views,  # noqa: F401
)
