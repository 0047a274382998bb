"""Citizen pages: home, guides, status lookup, contacts, feedback, scorecard. HTML-first,
within the 2G budget, every page usable with JavaScript off."""

from flask import Blueprint

bp = Blueprint("citizen", __name__)

from app.citizen import views  # noqa: E402,F401
from app.citizen import send_guide  # noqa: E402,F401
from app.citizen import scorecard  # noqa: E402,F401
