"""Hamlets and their community digital teams (issue 16): the commune admin adds hamlets,
members and the times they help; everyone signed in reads them, the help requests (the
citizen's phone only for the admin) and the leaders' figures, each table also as CSV. The rules
live in app/sms/hamlets.py."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app import portal as portals
from app.auth import admin_required, any_role
from app.clock import office_today
from app.dossier_queries import safe_cell
from app.extensions import db
from app.filters import fmt_datetime, phone_display
from app.models import Hamlet, TeamException, TeamMember, TeamSlot
from app.officer import bp
from app.officer.forms import DayField, HourField
from app.sms import hamlets as team
from app.vocabulary import WEEKDAYS, portal_label


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class HamletForm(FlaskForm):
    name = StringField(_l("Tên ấp"), validators=[DataRequired(_l("Nhập tên ấp, ví dụ Ấp Bốn.")),
                                                 Length(max=80)])
    keyword = StringField(_l("Từ khóa SMS"), validators=[
        DataRequired(_l("Nhập từ khóa SMS, ví dụ AP4.")), Length(max=20)])


class MemberForm(FlaskForm):
    hamlet = SelectField(_l("Ấp"), coerce=_int_or_none, validate_choice=False,
                         validators=[DataRequired(_l("Chọn ấp."))])
    name = StringField(_l("Họ tên"), validators=[DataRequired(_l("Nhập họ tên thành viên.")),
                                                 Length(max=80)])
    phone = StringField(_l("Số điện thoại (công khai)"), validators=[
        DataRequired(_l("Nhập số điện thoại.")), Length(max=20)])


class SlotForm(FlaskForm):
    member = SelectField(_l("Thành viên"), coerce=_int_or_none, validate_choice=False,
                         validators=[DataRequired(_l("Chọn thành viên."))])
    weekday = SelectField(_l("Thứ"), coerce=_int_or_none, validate_choice=False,
                          choices=[SelectChoice(i, label) for i, label in enumerate(WEEKDAYS)],
                          validators=[InputRequired(_l("Chọn thứ trong tuần."))])
    start = HourField(_l("Từ giờ"), validators=[InputRequired(_l("Nhập giờ bắt đầu, ví dụ 07:00."))])
    end = HourField(_l("Đến giờ"), validators=[InputRequired(_l("Nhập giờ kết thúc, ví dụ 11:30."))])


TEAM_EXCEPTION_LABELS = {"away": _l("Vắng"), "extra": _l("Giúp thêm")}


class TeamExceptionForm(FlaskForm):
    member = SelectField(_l("Thành viên"), coerce=_int_or_none, validate_choice=False,
                         validators=[DataRequired(_l("Chọn thành viên."))])
    day = DayField(_l("Ngày"), validators=[InputRequired(_l("Nhập ngày, ví dụ 2026-09-02."))])
    kind = SelectField(_l("Loại"), validate_choice=False,
                       choices=[SelectChoice(k, v) for k, v in TEAM_EXCEPTION_LABELS.items()])
    start = HourField(_l("Từ giờ (không bắt buộc)"), validators=[Optional()])
    end = HourField(_l("Đến giờ (không bắt buộc)"), validators=[Optional()])
    note = StringField(_l("Ghi chú"), validators=[Length(max=255)])


def _forms(**given):
    office = current_user.office
    hamlet_list = team.hamlets(office)
    members = [m for h in hamlet_list for m in h.members]
    forms = {
        "hamlet_form": given.get("hamlet_form") or HamletForm(prefix="hamlet"),
        "member_form": given.get("member_form") or MemberForm(prefix="member"),
        "slot_form": given.get("slot_form") or SlotForm(prefix="slot"),
        "exc_form": given.get("exc_form") or TeamExceptionForm(prefix="exc"),
    }
    forms["member_form"].hamlet.choices = [SelectChoice("", _("– Chọn ấp –")),
                                           *[SelectChoice(h.id, h.name) for h in hamlet_list]]
    member_choices = [SelectChoice("", _("– Chọn thành viên –")),
                      *[SelectChoice(m.id, f"{m.name} ({m.hamlet.name})") for m in members]]
    forms["slot_form"].member.choices = member_choices
    forms["exc_form"].member.choices = member_choices
    return hamlet_list, forms


def _page(status: int = 200, **given):
    hamlet_list, forms = _forms(**given)
    return render_template(
        "officer/hamlets/hamlets.html", hamlets=hamlet_list, can_edit=current_user.role == "admin",
        when_text=team.when_text, today=office_today(current_user.office),
        exc_labels=TEAM_EXCEPTION_LABELS, **forms,
    ), status


def _mine_hamlet(hamlet_id: int | None) -> Hamlet | None:
    hamlet = db.session.get(Hamlet, hamlet_id) if hamlet_id else None
    return hamlet if hamlet is not None and hamlet.office_id == current_user.office_id else None


def _mine_member(member_id: int | None) -> TeamMember | None:
    member = db.session.get(TeamMember, member_id) if member_id else None
    if member is None or member.hamlet.office_id != current_user.office_id:
        return None
    return member


def _actor():
    return current_user._get_current_object()


@bp.route("/hamlets")
@any_role
def hamlets():
    return _page()


@bp.route("/hamlets/add", methods=["POST"])
@admin_required
def hamlet_add():
    form = HamletForm(prefix="hamlet")
    if form.validate_on_submit():
        try:
            team.add_hamlet(current_user.office, _actor(), form.name.data, form.keyword.data)
        except team.TeamError as err:
            getattr(form, err.field).errors.append(err.message)
        else:
            flash(_("Đã thêm ấp."))
            return redirect(url_for("officer.hamlets"))
    return _page(400, hamlet_form=form)


@bp.route("/hamlets/<int:hamlet_id>/remove", methods=["POST"])
@admin_required
def hamlet_remove(hamlet_id: int):
    hamlet = _mine_hamlet(hamlet_id)
    if hamlet is None:
        abort(404)
    team.remove_hamlet(hamlet, _actor())
    flash(_("Đã xoá ấp."))
    return redirect(url_for("officer.hamlets"))


@bp.route("/hamlets/members/add", methods=["POST"])
@admin_required
def team_member_add():
    form = MemberForm(prefix="member")
    if form.validate_on_submit():
        hamlet = _mine_hamlet(form.hamlet.data)
        if hamlet is None:
            form.hamlet.errors.append(_("Chọn ấp."))
        else:
            try:
                team.add_member(hamlet, _actor(), form.name.data, form.phone.data)
            except team.TeamError as err:
                getattr(form, err.field).errors.append(err.message)
            else:
                flash(_("Đã thêm thành viên."))
                return redirect(url_for("officer.hamlets"))
    return _page(400, member_form=form)


@bp.route("/hamlets/members/<int:member_id>/active", methods=["POST"])
@admin_required
def team_member_active(member_id: int):
    member = _mine_member(member_id)
    if member is None:
        abort(404)
    team.set_member_active(member, _actor(), not member.active)
    flash(_("Đã mở lại thành viên.") if member.active else _("Đã tạm ngừng thành viên."))
    return redirect(url_for("officer.hamlets"))


@bp.route("/hamlets/members/<int:member_id>/remove", methods=["POST"])
@admin_required
def team_member_remove(member_id: int):
    member = _mine_member(member_id)
    if member is None:
        abort(404)
    team.remove_member(member, _actor())
    flash(_("Đã xoá thành viên."))
    return redirect(url_for("officer.hamlets"))


@bp.route("/hamlets/slots/add", methods=["POST"])
@admin_required
def team_slot_add():
    form = SlotForm(prefix="slot")
    if form.validate_on_submit():
        member = _mine_member(form.member.data)
        if member is None:
            form.member.errors.append(_("Chọn thành viên."))
        else:
            try:
                team.add_slot(member, _actor(), form.weekday.data, form.start.data, form.end.data)
            except team.TeamError as err:
                getattr(form, err.field).errors.append(err.message)
            else:
                flash(_("Đã thêm giờ giúp."))
                return redirect(url_for("officer.hamlets"))
    return _page(400, slot_form=form)


@bp.route("/hamlets/slots/<int:slot_id>/remove", methods=["POST"])
@admin_required
def team_slot_remove(slot_id: int):
    slot = db.session.get(TeamSlot, slot_id)
    if slot is None or _mine_member(slot.member_id) is None:
        abort(404)
    team.remove_slot(slot, _actor())
    flash(_("Đã xoá giờ giúp."))
    return redirect(url_for("officer.hamlets"))


@bp.route("/hamlets/exceptions/add", methods=["POST"])
@admin_required
def team_exception_add():
    form = TeamExceptionForm(prefix="exc")
    if form.validate_on_submit():
        member = _mine_member(form.member.data)
        if member is None:
            form.member.errors.append(_("Chọn thành viên."))
        else:
            try:
                team.add_exception(member, _actor(), day=form.day.data, kind=form.kind.data,
                                   start=form.start.data, end=form.end.data,
                                   note=form.note.data or "",
                                   today=office_today(current_user.office))
            except team.TeamError as err:
                getattr(form, err.field).errors.append(err.message)
            else:
                flash(_("Đã thêm thay đổi."))
                return redirect(url_for("officer.hamlets"))
    return _page(400, exc_form=form)


@bp.route("/hamlets/exceptions/<int:exc_id>/remove", methods=["POST"])
@admin_required
def team_exception_remove(exc_id: int):
    exc = db.session.get(TeamException, exc_id)
    if exc is None or _mine_member(exc.member_id) is None:
        abort(404)
    team.remove_exception(exc, _actor())
    flash(_("Đã xoá thay đổi."))
    return redirect(url_for("officer.hamlets"))


# ----------------------------------------------------------------------------- help requests


STATE_LABELS = {
    "waiting": _l("Đang chờ người giúp"),
    "assigned": _l("Đã giao thành viên"),
    "escalated": _l("Chuyển cán bộ trực"),
    "done": _l("Xong"),
    "handed_back": _l("Trả lại, chờ người khác"),
    "expired": _l("Không ai nhận"),
}
OUTCOME_LABELS = {
    "asked": _l("đang được nhờ"),
    "done": _l("xong"),
    "handed_back": _l("trả lại"),
    "timeout": _l("không trả lời"),
    "passed": _l("chuyển"),
}


@bp.route("/hamlets/requests")
@any_role
def help_requests():
    office = current_user.office
    return render_template(
        "officer/hamlets/requests.html", requests=team.requests(office),
        show_phone=current_user.role == "admin", state_labels=STATE_LABELS,
        outcome_labels=OUTCOME_LABELS, tz=office.tz,
    )


# ----------------------------------------------------------------------------- figures


FIGURE_TABLES = ("hamlets", "members", "online", "portal")
CSV_NAMES = {
    "hamlets": "ho-tro-theo-ap.csv",
    "members": "ho-tro-theo-thanh-vien.csv",
    "online": "ho-so-nop-truc-tuyen-sau-ho-tro.csv",
    "portal": "cong-dvc-gio-loi-theo-thang.csv",
}


def _share(value: float | None) -> str:
    return format_percent(value, "#,##0%") if value is not None else "–"


def _figures() -> dict[str, tuple[str, list[str], list[list[str]]]]:
    office = current_user.office
    tz = office.tz
    hamlet_rows = team.hamlet_figures(office)
    member_rows = team.member_figures(office)
    online = team.online_after_help(office)
    months = portals.monthly_hours(office)
    return {
        "hamlets": (
            _("Nhờ hỗ trợ theo ấp"),
            [_("Ấp"), _("Yêu cầu"), _("Xong"), _("Trả lại"), _("Không trả lời"),
             _("Chuyển cán bộ"), _("Hồ sơ đã gắn"), _("Trong đó nộp trực tuyến"),
             _("Tỉ lệ trực tuyến")],
            [[r.hamlet.name, format_decimal(r.requests), format_decimal(r.done),
              format_decimal(r.handed_back), format_decimal(r.unanswered),
              format_decimal(r.escalated), format_decimal(r.linked), format_decimal(r.online),
              _share(r.online_share)] for r in hamlet_rows],
        ),
        "members": (
            _("Nhờ hỗ trợ theo thành viên"),
            [_("Ấp"), _("Thành viên"), _("Được nhờ"), _("Xong"), _("Trả lại"),
             _("Không trả lời")],
            [[m.hamlet.name, m.name, format_decimal(c.asked), format_decimal(c.done),
              format_decimal(c.handed_back), format_decimal(c.unanswered)]
             for m, c in member_rows],
        ),
        "online": (
            _("Hồ sơ nộp trực tuyến sau khi được giúp"),
            [_("Yêu cầu số"), _("Ấp"), _("Mã hồ sơ"), _("Thủ tục"), _("Ngày nộp")],
            [[str(r.id), r.hamlet.name if r.hamlet else "", d.code,
              d.procedure.content("vi").name, fmt_datetime(d.received_at, tz)]
             for r, d in online],
        ),
        "portal": (
            _("Cổng dịch vụ công lỗi theo tháng"),
            [_("Tháng"), _("Cổng"), _("Số lần lỗi"), _("Số giờ lỗi")],
            [[f"{m.month.month:02d}/{m.month.year}", str(portal_label(m.portal)),
              format_decimal(m.outages), format_decimal(round(m.hours, 1), format="#,##0.0")]
             for m in months],
        ),
    }


@bp.route("/hamlets/figures")
@any_role
def hamlet_figures():
    return render_template("officer/hamlets/figures.html", tables=_figures(),
                           names=FIGURE_TABLES)


@bp.route("/hamlets/figures/<table>.csv")
@any_role
def hamlet_figures_csv(table: str):
    if table not in FIGURE_TABLES:
        abort(404)
    _title, headers, rows = _figures()[table]
    out = io.StringIO()
    out.write("\ufeff")  # Excel on Windows reads UTF-8 only with a BOM
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(str(cell)) for cell in row])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{CSV_NAMES[table]}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("masked_phone")
def masked_phone(e164: str) -> str:
    """``0912 *** 678``: officers other than the admin see that a phone was given, not which."""
    shown = phone_display(e164 or "")
    if len(shown) < 8:
        return shown
    return shown[:4] + " *** " + shown[-3:]
