"""Communes set up without a shell (issue 13, item 5): create and edit a commune, give it an
admin with a temporary password, keep its own SMS settings encrypted.

The web pages (``app.officer.communes``) and the command line (``flask office …``) both come
here, so the rules (a code of 2–5 letters, office hours in order, a valid map link…) are the
same for both. Every write is audited in the same transaction; secrets never reach the log
(only their masked form).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _

from app.audit import record
from app.clock import DEFAULT_TIMEZONE
from app.deadlines import is_public_holiday
from app.extensions import db
from app.guides import offer
from app.models import Dossier, Office, Officer, Procedure
from app.phones import normalise_phone
from app.sms.channels import ChannelConfigError, office_sms_settings
from app.sms.office_settings import FIELDS as SMS_FIELDS
from app.sms.office_settings import SECRET_FIELDS, encrypt, masked, merge

CODE = re.compile(r"[A-Z]{2,5}")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
#: Letters and digits a person can read off a screen and type without mixing up (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY3479"
PASSWORD_LENGTH = 12


class CommuneError(ValueError):
    """A rule the input breaks; ``field`` names the form field the message goes beside.
    ``message`` is lazy: it is translated where it is shown (a page, or the command line
    under ``force_locale``), so these rules run outside a request too."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CommuneRow:
    office: Office
    officers: int
    dossiers: int
    admins: list[str]


def temporary_password() -> str:
    """12 characters from :data:`PASSWORD_ALPHABET` (about 67 bits), shown once."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


# -- checks ---------------------------------------------------------------------------------------


def clean_code(raw: str | None) -> str:
    code = (raw or "").strip().upper()
    if not CODE.fullmatch(code):
        raise CommuneError("code", _("Mã xã là 2 đến 5 chữ cái không dấu, ví dụ VB."))
    return code


def _phone(field: str, raw: str | None) -> str:
    text = (raw or "").strip()
    if not text:
        return ""
    number = normalise_phone(text)
    if number is None:
        raise CommuneError(field, _("Số điện thoại không đúng. Ví dụ: 0272 3891 234."))
    return number


def _url(field: str, raw: str | None) -> str:
    text = (raw or "").strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > 255:
        raise CommuneError(field, _("Đường dẫn phải bắt đầu bằng https://"))
    return text


def _text(field: str, raw: str | None, limit: int, required_message: str | None = None) -> str:
    text = (raw or "").strip()
    if required_message and not text:
        raise CommuneError(field, required_message)
    if len(text) > limit:
        raise CommuneError(field, _("Dài quá %(n)d ký tự.", n=limit))
    return text


def _timezone(raw: str | None) -> str:
    name = (raw or "").strip() or DEFAULT_TIMEZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommuneError("timezone", _("Múi giờ không đúng. Ví dụ: Asia/Ho_Chi_Minh.")) from None
    return name


def _hours(values: dict[str, Any]) -> dict[str, time]:
    hours = {name: values.get(name) for name in ("am_start", "am_end", "pm_start", "pm_end")}
    for name, value in hours.items():
        if not isinstance(value, time):
            raise CommuneError(name, _("Nhập giờ, ví dụ 07:30."))
    if not hours["am_start"] < hours["am_end"]:
        raise CommuneError("am_end", _("Giờ kết thúc buổi sáng phải sau giờ bắt đầu."))
    if not hours["am_end"] <= hours["pm_start"]:
        raise CommuneError("pm_start", _("Buổi chiều phải bắt đầu sau buổi sáng."))
    if not hours["pm_start"] < hours["pm_end"]:
        raise CommuneError("pm_end", _("Giờ kết thúc buổi chiều phải sau giờ bắt đầu."))
    return hours  # type: ignore[return-value]


def clean_commune(values: dict[str, Any], office: Office | None = None) -> dict[str, Any]:
    """The office columns from form (or command line) values; raises CommuneError."""
    out: dict[str, Any] = {}
    if office is None:
        code = clean_code(values.get("code"))
        taken = db.session.scalar(sa.select(Office.id).where(Office.code == code))
        if taken is not None:
            raise CommuneError("code", _("Mã %(code)s đã có xã khác dùng.", code=code))
        out["code"] = code
    out["name"] = _text("name", values.get("name"), 120, _("Nhập tên xã."))
    out["name_en"] = _text("name_en", values.get("name_en"), 120)
    former = "\n".join(
        line.strip() for line in (values.get("former_names") or "").splitlines() if line.strip()
    )
    out["former_names"] = _text("former_names", former, 2000)
    out["address"] = _text("address", values.get("address"), 255)
    out["phone"] = _phone("phone", values.get("phone"))
    out["sms_number"] = _phone("sms_number", values.get("sms_number"))
    if out["sms_number"]:
        other = db.session.scalar(
            sa.select(Office.code).where(Office.sms_number == out["sms_number"],
                                         Office.id != (office.id if office else -1))
        )
        if other is not None:
            raise CommuneError("sms_number",
                               _("Số này đã là số nhắn tin của xã %(code)s.", code=other))
    out["map_url"] = _url("map_url", values.get("map_url"))
    if "am_start" in values:
        out.update(_hours(values))
    if "open_saturday" in values:
        out["open_saturday"] = bool(values.get("open_saturday"))
    out["timezone"] = _timezone(values.get("timezone"))
    return out


def clean_admin(values: dict[str, Any]) -> dict[str, str]:
    """The first (or another) commune admin: username, name, phone; raises CommuneError."""
    username = (values.get("admin_username") or "").strip().lower()
    if not USERNAME.fullmatch(username):
        raise CommuneError("admin_username", _(
            "Tên đăng nhập 2 đến 40 ký tự: chữ thường không dấu, số, dấu chấm, gạch."))
    if db.session.scalar(sa.select(Officer.id).where(Officer.username == username)) is not None:
        raise CommuneError("admin_username", _("Tên đăng nhập này đã có người dùng."))
    name = _text("admin_name", values.get("admin_name"), 120, _("Nhập họ tên."))
    phone = _phone("admin_phone", values.get("admin_phone"))
    return {"username": username, "name": name, "phone": phone}


def _snapshot(office: Office) -> dict[str, Any]:
    return {name: getattr(office, name) for name in (
        "code", "name", "name_en", "former_names", "address", "phone", "sms_number", "map_url",
        "am_start", "am_end", "pm_start", "pm_end", "open_saturday", "timezone")}


def _audit(action: str, obj: Any, by: Officer | None, office: Office, **kw: Any) -> None:
    entry = record(action, obj, by, **kw)
    entry.office_id = office.id  # the commune it is about, not the province admin's (none)


# -- writes ---------------------------------------------------------------------------------------


def _new_admin(office: Office, admin: dict[str, str], by: Officer | None) -> tuple[Officer, str]:
    password = temporary_password()
    officer = Officer(office_id=office.id, username=admin["username"], name=admin["name"],
                      public_phone=admin["phone"], role="admin", must_change_password=True)
    officer.set_password(password)
    db.session.add(officer)
    db.session.flush()
    _audit("officer.create", officer, by, office,
           after={"username": officer.username, "name": officer.name, "role": "admin",
                  "public_phone": officer.public_phone, "must_change_password": True})
    return officer, password


def create_commune(values: dict[str, Any], admin_values: dict[str, Any] | None,
                   by: Officer | None) -> tuple[Office, Officer | None, str | None]:
    """Create a commune (and its first admin when ``admin_values`` is given); commits.

    Returns the office, the admin and the admin's temporary password (shown once, never
    stored in clear). Raises CommuneError for the first rule broken; nothing is written then.
    """
    fields = clean_commune(values)
    admin = clean_admin(admin_values) if admin_values is not None else None
    office = Office(**fields)
    db.session.add(office)
    db.session.flush()
    # A new commune offers every active procedure of the province catalogue (same transaction):
    # without them it would list no procedure and its admin could register no dossier. The
    # commune admin un-offers what the commune does not do at /officer/guides/<slug>/local.
    offered = 0
    for proc in db.session.scalars(sa.select(Procedure).where(Procedure.active)
                                   .order_by(Procedure.position, Procedure.id)):
        offer(proc, office)
        offered += 1
    db.session.flush()
    _audit("office.create", office, by, office,
           after={**_snapshot(office), "procedures_offered": offered})
    officer = password = None
    if admin is not None:
        officer, password = _new_admin(office, admin, by)
    db.session.commit()
    return office, officer, password


def update_commune(office: Office, values: dict[str, Any], by: Officer | None) -> Office:
    """Save a commune's details (not its code: printed slips carry it); commits."""
    fields = clean_commune(values, office)
    before = _snapshot(office)
    for name, value in fields.items():
        setattr(office, name, value)
    after = _snapshot(office)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        _audit("office.update", office, by, office,
               before={k: before[k] for k in changed}, after=changed)
    db.session.commit()
    return office


def add_commune_admin(office: Office, values: dict[str, Any],
                      by: Officer | None) -> tuple[Officer, str]:
    """Another admin for ``office`` with a temporary password (returned once); commits."""
    admin = clean_admin(values)
    officer, password = _new_admin(office, admin, by)
    db.session.commit()
    return officer, password


# -- SMS settings ---------------------------------------------------------------------------------


def sms_settings(office: Office) -> tuple[dict[str, str], bool]:
    """The office's settings as a page may show them (secrets masked), and whether the stored
    ones could be read (False: the encryption key changed; saving replaces them)."""
    try:
        return masked(office_sms_settings(office)), True
    except ChannelConfigError:
        return masked({}), False


#: The channels a commune may prefer for its notifications ("" = the app's ``SMS_CHANNEL``).
CHANNEL_CHOICES = ("", "android", "twilio")


def save_sms_settings(office: Office, submitted: dict[str, Any], clear: set[str],
                      by: Officer | None, channel: str | None = None) -> dict[str, str]:
    """Save the office's own SMS settings, encrypted; an empty secret keeps the stored one
    unless named in ``clear``; ``channel`` (when given) is the channel its notifications
    prefer. Commits; returns the masked result."""
    if channel is not None and channel not in CHANNEL_CHOICES:
        raise CommuneError("sms_channel", _("Chọn cách gửi tin."))
    try:
        stored = office_sms_settings(office)
    except ChannelConfigError:
        stored = {}
    values = {name: str(submitted.get(name) or "").strip() for name in SMS_FIELDS}
    if values["android_url"]:
        values["android_url"] = _url("android_url", values["android_url"])
    for name in ("twilio_from",):
        if values[name]:
            values[name] = _phone(name, values[name])
    for name in SMS_FIELDS:
        if len(values[name]) > 255:
            raise CommuneError(name, _("Dài quá %(n)d ký tự.", n=255))
    settings = merge(stored, values, clear)
    if settings.get("android_url") and not settings.get("android_password"):
        raise CommuneError("android_password", _("Nhập mật khẩu của điện thoại gửi tin."))
    key = current_app.config["SETTINGS_ENCRYPTION_KEY"]
    before, after = masked(stored), masked(settings)
    office.sms_settings = encrypt(settings, key)
    changed = [name for name in SMS_FIELDS if stored.get(name) != settings.get(name)]
    old_channel = office.sms_channel or ""
    if channel is not None and channel != old_channel:
        office.sms_channel = channel
        before["sms_channel"], after["sms_channel"] = old_channel, channel
        changed.append("sms_channel")
    if changed:
        _audit("office.sms_settings", office, by, office,
               before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    db.session.commit()
    return after


# -- reads ----------------------------------------------------------------------------------------


def commune_rows() -> list[CommuneRow]:
    """Every commune with its officer and dossier counts and its admins' usernames."""
    officers = dict(db.session.execute(
        sa.select(Officer.office_id, sa.func.count(Officer.id))
        .where(Officer.office_id.is_not(None), Officer.active.is_(True))
        .group_by(Officer.office_id)).all())
    dossiers = dict(db.session.execute(
        sa.select(Dossier.office_id, sa.func.count(Dossier.id)).group_by(Dossier.office_id)).all())
    admins: dict[int, list[str]] = {}
    for office_id, username in db.session.execute(
        sa.select(Officer.office_id, Officer.username)
        .where(Officer.role == "admin", Officer.active.is_(True)).order_by(Officer.username)
    ):
        admins.setdefault(office_id, []).append(username)
    return [CommuneRow(office, officers.get(office.id, 0), dossiers.get(office.id, 0),
                       admins.get(office.id, []))
            for office in db.session.scalars(sa.select(Office).order_by(Office.code))]


def commune_admins(office: Office) -> list[Officer]:
    return list(db.session.scalars(
        sa.select(Officer).where(Officer.office_id == office.id, Officer.role == "admin")
        .order_by(Officer.username)))


def holidays_ahead(today: date, days: int = 366) -> list[date]:
    """The national public holidays in the next ``days`` days (``app.deadlines``' calendar:
    every commune counts deadlines with it; there is no commune calendar to set)."""
    return [today + timedelta(days=n) for n in range(days)
            if is_public_holiday(today + timedelta(days=n))]


__all__ = ["SECRET_FIELDS", "CommuneError", "CommuneRow", "add_commune_admin", "clean_code",
           "commune_admins", "commune_rows", "create_commune", "holidays_ahead",
           "save_sms_settings", "sms_settings", "temporary_password", "update_commune"]
