"""The audit log page (admin and leader): who changed what, when, before → after, filtered by
officer or action, newest first. Read-only; entries are written by the domain functions."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from app.auth import roles_required
from app.extensions import db
from app.models import AuditLog, Officer
from app.officer import bp
from app.pagination import paginate, parse_page

PER_PAGE = 50


def _show(value) -> str:
    """A value as an officer reads it: lists joined, nothing shown as a dash, JSON otherwise."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value) or "–"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def diff(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """(key, before, after) for every key whose value differs (all keys of a create/delete)."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("", _show(before), _show(after))]
    keys = list(dict.fromkeys([*before, *after]))
    return [
        (k, _show(before.get(k)), _show(after.get(k)))
        for k in keys
        if before.get(k) != after.get(k) or k == "lang"
    ]


@bp.route("/audit")
@roles_required("admin", "leader")
def audit():
    office_id = current_user.office_id
    officers = list(
        db.session.scalars(
            sa.select(Officer).where(Officer.office_id == office_id).order_by(Officer.name)
        )
    )
    actions = list(
        db.session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.office_id == office_id)
            .distinct()
            .order_by(AuditLog.action)
        )
    )
    officer_id = request.args.get("officer", "")
    action = request.args.get("action", "")
    query = sa.select(AuditLog).where(AuditLog.office_id == office_id)
    if officer_id.isdigit():
        query = query.where(AuditLog.officer_id == int(officer_id))
    else:
        officer_id = ""
    if action in actions:
        query = query.where(AuditLog.action == action)
    else:
        action = ""
    page = paginate(
        query.order_by(AuditLog.at.desc(), AuditLog.id.desc()),
        parse_page(request.args.get("page")),
        PER_PAGE,
    )
    args = {k: v for k, v in (("officer", officer_id), ("action", action)) if v}
    return render_template(
        "officer/audit/audit.html",
        page=page,
        officers=officers,
        actions=actions,
        officer_id=officer_id,
        action=action,
        args=args,
        rows=[(e, diff(e.before, e.after)) for e in page.items],
    )
