"""Officers' public profiles: "my profile" for everyone, the officer list and any officer's
profile for the admin. What is saved here is what citizens see on / and /contacts at once.
The admin also adds an officer of the commune and resets an officer's password: both give a
temporary password, shown once, to be changed at the next sign-in (issue 13, item 5)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth import admin_required, any_role
from app.extensions import db
from app.filters import phone_display
from app.models import Officer
from app.officer import bp
from app.officer.forms import NewOfficerForm, OfficerAdminForm, ProfileForm
from app.officers import (
    ProfileError,
    create_officer,
    office_officers,
    office_procedures,
    reset_password,
    update_profile,
)
from app.web import current_lang


def _choices(office_id: int) -> list[tuple[int, str]]:
    lang = current_lang()
    return [SelectChoice(p.id, p.content(lang).name) for p in office_procedures(office_id)]


def _fill(form: ProfileForm, officer: Officer) -> None:
    form.public_phone.data = phone_display(officer.public_phone) if officer.public_phone else ""
    form.title.data = officer.title
    form.title_en.data = officer.title_en
    form.procedures.data = [p.id for p in officer.procedures]
    if isinstance(form, OfficerAdminForm):
        form.name.data = officer.name
        form.role.data = officer.role
        form.active.data = officer.active


def _save(form: ProfileForm, officer: Officer, admin: bool) -> bool:
    """Validate and save; on a rule error the message goes beside its field."""
    if not form.validate_on_submit():
        return False
    extra = {}
    if admin:
        extra = {"name": form.name.data, "role": form.role.data, "active": form.active.data}
    try:
        update_profile(
            officer,
            current_user._get_current_object(),
            public_phone=form.public_phone.data or "",
            title=form.title.data or "",
            title_en=form.title_en.data or "",
            procedure_ids=form.procedures.data or [],
            **extra,
        )
    except ProfileError as err:
        getattr(form, err.field, form.public_phone).errors.append(err.message)
        return False
    return True


@bp.route("/profile", methods=["GET", "POST"])
@any_role
def profile():
    officer = current_user._get_current_object()
    editable = officer.can_write()
    if request.method == "POST" and not editable:
        abort(403)
    form = ProfileForm()
    form.procedures.choices = _choices(officer.office_id)
    if request.method == "GET":
        _fill(form, officer)
    elif _save(form, officer, admin=False):
        flash(_("Đã lưu. Trang công khai đã cập nhật."))
        return redirect(url_for("officer.profile"))
    status = 400 if form.errors else 200
    return render_template(
        "officer/people/profile.html", form=form, editable=editable, officer=officer
    ), status


@bp.route("/officers")
@admin_required
def officers():
    return render_template(
        "officer/people/officers.html", officers=office_officers(current_user.office_id)
    )


def _same_commune(officer_id: int) -> Officer:
    """An officer of the admin's own commune; anyone else (another commune, the province) is
    not found."""
    officer = db.session.get(Officer, officer_id)
    if officer is None or officer.office_id is None or officer.office_id != current_user.office_id:
        abort(404)
    return officer


def _temporary(officer: Officer, password: str, created: bool):
    # Shown in this response only (no redirect, no flash: the session cookie is not the place
    # for a password); the page is no-store like every officer page.
    return render_template(
        "officer/people/temporary_password.html", officer=officer, password=password,
        created=created,
    )


@bp.route("/officers/new", methods=["GET", "POST"])
@admin_required
def officer_new():
    form = NewOfficerForm()
    if form.validate_on_submit():
        try:
            officer, password = create_officer(
                current_user.office_id, current_user._get_current_object(),
                username=form.username.data, name=form.name.data, role=form.role.data,
            )
        except ProfileError as err:
            getattr(form, err.field).errors.append(err.message)
        else:
            return _temporary(officer, password, created=True)
    status = 400 if form.errors else 200
    return render_template("officer/people/officer_new.html", form=form), status


@bp.route("/officers/<int:officer_id>/password-reset", methods=["POST"])
@admin_required
def officer_password_reset(officer_id: int):
    officer = _same_commune(officer_id)
    if officer.id == current_user.id:
        # One's own password is changed with the current one, not reset.
        return redirect(url_for("officer.password"))
    password = reset_password(officer, current_user._get_current_object())
    return _temporary(officer, password, created=False)


@bp.route("/officers/<int:officer_id>", methods=["GET", "POST"])
@admin_required
def officer_edit(officer_id: int):
    officer = _same_commune(officer_id)
    form = OfficerAdminForm()
    form.procedures.choices = _choices(officer.office_id)
    if request.method == "GET":
        _fill(form, officer)
    elif _save(form, officer, admin=True):
        flash(_("Đã lưu hồ sơ của %(name)s.", name=officer.name))
        return redirect(url_for("officer.officers"))
    status = 400 if form.errors else 200
    return render_template(
        "officer/people/officer_edit.html", form=form, officer=officer, editable=True
    ), status
