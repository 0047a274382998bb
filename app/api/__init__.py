"""Open read-only JSON API (``/api/v1``) for portals, mini-apps and volunteers' tools."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import views  # noqa: E402,F401
