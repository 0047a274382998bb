"""Officers' public profiles: the phone, title and procedures citizens see on the home and
contacts pages. An officer edits their own; the admin edits anyone's, including role and
whether the account is active. Every change is audited and committed here, once. Also who a
citizen should call about a dossier (the slip and the SMS texts say the same)."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit import record
from app.extensions import db
from app.models import COMMUNE_ROLES, Dossier, Officer, Procedure
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
            .where(Procedure.office_id == office_id)
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
    for officer in dossier.procedure.officers:
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


# ----------------------------------------------------------------------------- passwords
# Issue 13, item 5: every officer changes their own password on the web; an admin creates an
# officer or resets one's password with a temporary password, shown once, that must be changed
# at the next sign-in (``Officer.must_change_password``; the desk allows nothing else until then).

PASSWORD_MIN = 10
PASSWORD_MAX = 200
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
# No 0/o, 1/l/i: read aloud or copied from a note without mistakes.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """Three groups of four, e.g. ``k7mp-2xqa-9tnb``: 14 characters, about 59 bits."""
    return "-".join(
        "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(4)) for _ in range(3)
    )


def password_problem(officer: Officer, new: str) -> str | None:
    """Why ``new`` cannot be ``officer``'s password (translated), or None."""
    if len(new) < PASSWORD_MIN:
        return _("Mật khẩu mới cần ít nhất %(n)d ký tự.", n=PASSWORD_MIN)
    if len(new) > PASSWORD_MAX:
        return _("Mật khẩu mới dài quá %(n)d ký tự.", n=PASSWORD_MAX)
    if new.strip().casefold() == officer.username.casefold():
        return _("Mật khẩu mới không được trùng tên đăng nhập.")
    if officer.check_password(new):
        return _("Mật khẩu mới phải khác mật khẩu đang dùng.")
    return None


def change_own_password(officer: Officer, current: str, new: str, confirm: str) -> None:
    """The officer's own change: the current password, then the new one twice. Ends every
    other session (``set_password``); the caller signs this browser in again."""
    if not officer.check_password(current):
        raise ProfileError("current", _("Mật khẩu đang dùng không đúng."))
    problem = password_problem(officer, new)
    if problem:
        raise ProfileError("new", problem)
    if new != confirm:
        raise ProfileError("confirm", _("Hai lần nhập mật khẩu mới không giống nhau."))
    was_temporary = officer.must_change_password
    officer.set_password(new)
    officer.must_change_password = False
    record("officer.password", officer, officer, after={"was_temporary": was_temporary})
    db.session.commit()


def reset_password(officer: Officer, actor: Officer) -> str:
    """A temporary password for ``officer`` (returned once, never stored in clear): their open
    sessions end and they must choose their own at the next sign-in."""
    password = temporary_password()
    officer.set_password(password)
    officer.must_change_password = True
    record("officer.password_reset", officer, actor, after={"must_change_password": True})
    db.session.commit()
    return password


def create_officer(
    office_id: int, actor: Officer, *, username: str, name: str, role: str
) -> tuple[Officer, str]:
    """A new officer of the admin's commune with a temporary password (returned once)."""
    username = (username or "").strip().lower()
    if not USERNAME_RE.fullmatch(username):
        raise ProfileError(
            "username",
            _("Tên đăng nhập 3–40 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang."),
        )
    if db.session.scalar(sa.select(Officer.id).where(Officer.username == username)):
        raise ProfileError("username", _("Tên đăng nhập này đã có người dùng."))
    if not (name or "").strip():
        raise ProfileError("name", _("Nhập họ tên."))
    if role not in COMMUNE_ROLES:
        raise ProfileError("role", _("Chọn vai trò."))
    password = temporary_password()
    officer = Officer(
        office_id=office_id, username=username, name=name.strip()[:120], role=role,
        must_change_password=True,
    )
    officer.set_password(password)
    db.session.add(officer)
    db.session.flush()
    record("officer.create", officer, actor, after={"username": username, "role": role})
    db.session.commit()
    return officer, password
