"""Officers' public profiles: the phone, title and procedures citizens see on the home and
contacts pages. An officer edits their own; the admin edits anyone's, including role and
whether the account is active. Every change is audited and committed here, once. Also who a
citizen should call about a dossier (the slip and the SMS texts say the same)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit import record
from app.extensions import db
from app.models import COMMUNE_ROLES, Dossier, Officer, Procedure, offered_in
from app.phones import normalise_phone


class ProfileError(ValueError):
    """A profile change that breaks a rule; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _snapshot(officer: Officer) -> dict:
    return {
        "name": officer.name,
        "public_phone": officer.public_phone,
        "title": officer.title,
        "title_en": officer.title_en,
        "procedures": sorted(p.slug for p in officer.procedures),
        "role": officer.role,
        "active": officer.active,
    }


def office_procedures(office_id: int) -> list[Procedure]:
    return list(
        db.session.scalars(
            sa.select(Procedure)
            .where(offered_in(office_id))
            .options(selectinload(Procedure.contents))
            .order_by(Procedure.position, Procedure.id)
        )
    )


def office_officers(office_id: int) -> list[Officer]:
    return list(
        db.session.scalars(
            sa.select(Officer)
            .where(Officer.office_id == office_id)
            .options(selectinload(Officer.procedures).selectinload(Procedure.contents))
            .order_by(Officer.active.desc(), Officer.name)
        )
    )


def contact_officer(dossier: Dossier) -> Officer | None:
    """Who the citizen should call: the officer in charge, else the procedure's first."""
    if dossier.officer is not None and dossier.officer.public_phone:
        return dossier.officer
    for officer in dossier.procedure.officers_in(dossier.office_id):
        if officer.public_phone and officer.active:
            return officer
    return None


def update_profile(
    officer: Officer,
    actor: Officer,
    *,
    public_phone: str,
    title: str,
    title_en: str,
    procedure_ids: list[int],
    name: str | None = None,
    role: str | None = None,
    active: bool | None = None,
) -> bool:
    """Apply a profile edit; False when nothing changed (no audit entry then).

    ``name``, ``role`` and ``active`` are the admin's to change. An admin cannot demote or
    deactivate themselves: the office would be left without anyone who can fix the roster.
    """
    phone = ""
    if (public_phone or "").strip():
        phone = normalise_phone(public_phone) or ""
        if not phone:
            raise ProfileError(
                "public_phone",
                _("Số điện thoại không đúng. Ví dụ: 0912 345 678 hoặc 0272 3800 100."),
            )
    if officer.id == actor.id and (
        (role is not None and role != officer.role and officer.role == "admin") or active is False
    ):
        raise ProfileError(
            "role", _("Không thể tự bỏ quyền quản trị hoặc tự khoá tài khoản của mình.")
        )
    if role is not None and role not in COMMUNE_ROLES:
        raise ProfileError("role", _("Chọn vai trò."))
    if name is not None and not name.strip():
        raise ProfileError("name", _("Nhập họ tên."))
    procedures = [p for p in office_procedures(officer.office_id) if p.id in set(procedure_ids)]

    before = _snapshot(officer)
    officer.public_phone = phone
    officer.title = (title or "").strip()[:120]
    officer.title_en = (title_en or "").strip()[:120]
    officer.procedures = procedures
    if name is not None:
        officer.name = name.strip()[:120]
    if role is not None:
        officer.role = role
    if active is not None:
        officer.active = active
    after = _snapshot(officer)
    if before == after:
        db.session.rollback()
        return False
    changed = [k for k in after if before[k] != after[k]]
    record(
        "officer.profile",
        officer,
        actor,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    db.session.commit()
    return True
