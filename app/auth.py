"""Who may do what. Roles: admin (everything), officer (counter work, own profile, guides in
their charge, inboxes), leader (read everything, write nothing)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app
from flask_login import current_user, login_required

from app.extensions import db
from app.models import ROLES, Officer, Procedure


def load_officer(user_id: str) -> Officer | None:
    """Flask-Login's loader for ``Officer.get_id()`` (``<id>:<session generation>``). A cookie
    from before a sign-out, a password change or a deactivation carries an older generation and
    loads nobody; so does one in the old id-only form."""
    officer_id, _, generation = user_id.partition(":")
    if not (officer_id.isdigit() and generation.isdigit()):
        return None
    officer = db.session.get(Officer, int(officer_id))
    if officer is None or not officer.active:
        return None
    if officer.session_generation != int(generation):
        return None
    return officer


def roles_required(*roles: str) -> Callable:
    """Signed-out users go to the login page; signed-in users without the role get 403.

    The view gets ``required_roles`` (the tuple of roles): the officer roles matrix
    (tests/officer/test_roles_commune_matrix.py) reads it to know who may open every officer
    endpoint, and the menu and the province home use it to show only pages one may open."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


# Commune desk: by role name, so province staff (no commune, ``office_id`` None) get 403 here.
any_role = roles_required("admin", "officer", "leader")
writer_required = roles_required("admin", "officer")
admin_required = roles_required("admin")
# Province pages (issue 13): the province admin sets up communes, the catalogue and commune
# admins; the province leader reads every commune side by side. Neither uses a commune's desk.
province_admin_required = roles_required("province_admin")
province_required = roles_required("province_admin", "province_leader")
#: Pages for every signed-in officer, commune or province (own password, the landing pages).
signed_in = roles_required(*ROLES)


def may_open(endpoint: str) -> bool:
    """Whether the signed-in officer's role may open ``endpoint`` (its view's
    ``required_roles``); False for an endpoint that does not exist or declares no roles."""
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "required_roles", None)
    return bool(roles) and getattr(current_user, "role", None) in roles


def can_edit_guide(officer: Officer, procedure: Procedure) -> bool:
    return officer.role == "admin" or (
        officer.role == "officer" and any(o.id == officer.id for o in procedure.officers)
    )
