"""Who may do what. Roles: admin (everything), officer (counter work, own profile, guides in
their charge, inboxes), leader (read everything, write nothing)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Officer, Procedure


def load_officer(officer_id: str) -> Officer | None:
    officer = db.session.get(Officer, int(officer_id)) if officer_id.isdigit() else None
    return officer if officer is not None and officer.active else None


def roles_required(*roles: str) -> Callable:
    """Signed-out users go to the login page; signed-in users without the role get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


any_role = roles_required("admin", "officer", "leader")
writer_required = roles_required("admin", "officer")
admin_required = roles_required("admin")


def can_edit_guide(officer: Officer, procedure: Procedure) -> bool:
    return officer.role == "admin" or (
        officer.role == "officer" and any(o.id == officer.id for o in procedure.officers)
    )
