"""Recording writes in the audit log. Callers add the entry to the same transaction as the
change itself, so the log can never disagree with the data."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditLog, Officer


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def record(
    action: str,
    obj: Any,
    officer: Officer | None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditLog:
    """Add an audit entry for ``action`` on ``obj`` (not committed: the caller commits)."""
    entry = AuditLog(
        office_id=getattr(obj, "office_id", None) or (officer.office_id if officer else None),
        officer_id=officer.id if officer else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "code", None) or getattr(obj, "id", "") or ""),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(entry)
    return entry
