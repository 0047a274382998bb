"""The duty roster page: everyone sees the weekly shifts, the dated exceptions and the next
seven days as citizens will see them; only the admin changes them. The admin also gets a
banner (here and on the desk home) when an office-hours slot has no one on duty."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app import roster
from app.auth import admin_required, any_role
from app.clock import office_now, office_today
from app.extensions import db
from app.models import DutyException, DutyShift, Officer
from app.officer import bp
from app.officer.forms import ExceptionForm, ShiftForm
from app.officers import office_officers
from app.vocabulary import EXCEPTION_LABELS

GAP_DAYS = 7


def _gaps() -> list:
    """Uncovered office-hours slots in the next week, for the admin only (others can't fix it)."""
    if not current_user.is_authenticated or current_user.role != "admin":
        return []
    now = office_now(current_user.office)
    return roster.uncovered_slots(current_user.office, now.date(), GAP_DAYS, now=now.time())


@bp.context_processor
def _roster_banner() -> dict:
    # A callable, so pages that don't show the banner don't pay for the queries.
    return {"roster_gaps": _gaps}


def _forms() -> tuple[ShiftForm, ExceptionForm]:
    shift_form, exc_form = ShiftForm(prefix="shift"), ExceptionForm(prefix="exc")
    active = [
        SelectChoice(o.id, o.name) for o in office_officers(current_user.office_id) if o.active
    ]
    shift_form.officer.choices = [SelectChoice("", _("– Chọn cán bộ –")), *active]
    exc_form.officer.choices = [SelectChoice("", _("– Không chọn (nghỉ lễ) –")), *active]
    exc_form.stand_in.choices = [SelectChoice("", _("– Không có –")), *active]
    for f in (
        shift_form.officer,
        shift_form.weekday,
        exc_form.officer,
        exc_form.stand_in,
        exc_form.kind,
    ):
        f.validate_choice = False  # app.roster checks the officer, with a clearer message
    return shift_form, exc_form


def _page(shift_form: ShiftForm, exc_form: ExceptionForm, status: int = 200):
    office = current_user.office
    now = office_now(office)
    week = [(now.date() + timedelta(days=i)) for i in range(GAP_DAYS)]
    shifts = roster.weekly_shifts(office)
    by_day = {wd: [s for s in shifts if s.weekday == wd] for wd in range(7)}
    return render_template(
        "officer/roster/roster.html",
        by_day=by_day,
        exceptions=roster.upcoming_exceptions(office, now.date()),
        week=[
            (day, roster.desk_open_on(office, day), roster.duties_on(office, day)) for day in week
        ],
        shift_form=shift_form,
        exc_form=exc_form,
        kind_labels=EXCEPTION_LABELS,
        can_edit=current_user.role == "admin",
    ), status


@bp.route("/roster", endpoint="roster")
@any_role
def roster_page():
    return _page(*_forms())


@bp.route("/roster/shifts", methods=["POST"])
@admin_required
def roster_shift_add():
    shift_form, exc_form = _forms()
    if shift_form.validate_on_submit():
        try:
            roster.add_shift(
                current_user.office,
                current_user._get_current_object(),
                shift_form.officer.data,
                shift_form.weekday.data,
                shift_form.start.data,
                shift_form.end.data,
            )
        except roster.RosterError as err:
            getattr(shift_form, err.field).errors.append(err.message)
        else:
            flash(_("Đã thêm ca trực."))
            return redirect(url_for("officer.roster"))
    return _page(shift_form, exc_form, 400)


@bp.route("/roster/shifts/<int:shift_id>/remove", methods=["POST"])
@admin_required
def roster_shift_remove(shift_id: int):
    shift = db.session.get(DutyShift, shift_id)
    owner = db.session.get(Officer, shift.officer_id) if shift else None
    if shift is None or owner is None or owner.office_id != current_user.office_id:
        abort(404)
    roster.remove_shift(shift, current_user._get_current_object())
    flash(_("Đã xoá ca trực."))
    return redirect(url_for("officer.roster"))


@bp.route("/roster/exceptions", methods=["POST"])
@admin_required
def roster_exception_add():
    shift_form, exc_form = _forms()
    if exc_form.validate_on_submit():
        f = exc_form
        try:
            roster.add_exception(
                current_user.office,
                current_user._get_current_object(),
                day=f.day.data,
                kind=f.kind.data,
                officer_id=f.officer.data,
                stand_in_id=f.stand_in.data,
                start=f.start.data,
                end=f.end.data,
                note=f.note.data or "",
                today=office_today(current_user.office),
            )
        except roster.RosterError as err:
            getattr(exc_form, err.field).errors.append(err.message)
        else:
            flash(_("Đã thêm thay đổi lịch trực."))
            return redirect(url_for("officer.roster"))
    return _page(shift_form, exc_form, 400)


@bp.route("/roster/exceptions/<int:exc_id>/remove", methods=["POST"])
@admin_required
def roster_exception_remove(exc_id: int):
    exc = db.session.get(DutyException, exc_id)
    if exc is None or exc.office_id != current_user.office_id:
        abort(404)
    roster.remove_exception(exc, current_user._get_current_object())
    flash(_("Đã xoá thay đổi lịch trực."))
    return redirect(url_for("officer.roster"))
