"""Officers' public profiles: "my profile" for everyone, the officer list and any officer's
profile for the admin. What is saved here is what citizens see on / and /contacts at once."""

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
from app.officer.forms import OfficerAdminForm, ProfileForm
from app.officers import ProfileError, office_officers, office_procedures, update_profile
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


@bp.route("/officers/<int:officer_id>", methods=["GET", "POST"])
@admin_required
def officer_edit(officer_id: int):
    officer = db.session.get(Officer, officer_id)
    if officer is None or officer.office_id != current_user.office_id:
        abort(404)
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
