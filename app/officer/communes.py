"""Communes set up from the web (issue 13, item 5): the province admin lists, creates and edits
communes and gives each its admins; a commune admin keeps its own SMS settings.

The rules live in :mod:`app.offices` (the command line uses them too); here only forms and
pages. A new admin's temporary password is shown once, on the answer to the POST that made it
(never put in the session cookie, never stored in clear).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length

from app.auth import admin_required, province_admin_required
from app.clock import DEFAULT_TIMEZONE, DEFAULT_TZ, local_date, office_today, utcnow
from app.extensions import db
from app.models import Office
from app.officer import bp
from app.officer.forms import HourField
from app.offices import (
    CommuneError,
    add_commune_admin,
    commune_admins,
    commune_rows,
    create_commune,
    holidays_ahead,
    save_sms_settings,
    sms_settings,
    update_commune,
)

# -- forms ----------------------------------------------------------------------------------------


class CommuneForm(FlaskForm):
    name = StringField(_l("Tên xã, phường"), validators=[Length(max=120)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Length(max=120)])
    former_names = TextAreaField(_l("Tên cũ trước khi sáp nhập (mỗi dòng một tên)"),
                                 validators=[Length(max=2000)])
    address = StringField(_l("Địa chỉ trụ sở"), validators=[Length(max=255)])
    phone = StringField(_l("Số điện thoại"), validators=[Length(max=30)])
    sms_number = StringField(_l("Số nhận tin nhắn"), validators=[Length(max=30)])
    map_url = StringField(_l("Đường dẫn bản đồ"), validators=[Length(max=255)])
    am_start = HourField(_l("Sáng từ"))
    am_end = HourField(_l("Sáng đến"))
    pm_start = HourField(_l("Chiều từ"))
    pm_end = HourField(_l("Chiều đến"))
    open_saturday = BooleanField(_l("Làm việc sáng thứ Bảy"))
    timezone = StringField(_l("Múi giờ"), validators=[Length(max=40)])


class AdminFields:
    admin_username = StringField(_l("Tên đăng nhập của quản trị xã"), validators=[Length(max=40)])
    admin_name = StringField(_l("Họ tên"), validators=[Length(max=120)])
    admin_phone = StringField(_l("Số điện thoại"), validators=[Length(max=30)])


class NewCommuneForm(CommuneForm, AdminFields):
    code = StringField(_l("Mã xã (2–5 chữ cái, in trên phiếu hẹn)"), validators=[Length(max=5)])


class CommuneAdminForm(FlaskForm, AdminFields):
    pass


class SmsSettingsForm(FlaskForm):
    sms_channel = SelectField(_l("Gửi tin báo qua"), choices=[
        SelectChoice("", _l("Theo cài đặt chung của tỉnh")),
        SelectChoice("android", _l("Điện thoại Android của xã")),
        SelectChoice("twilio", "Twilio"),
    ], validate_choice=False)  # app.offices checks it, with a translated message
    android_url = StringField(_l("Địa chỉ điện thoại gửi tin (Android)"),
                              validators=[Length(max=255)])
    android_user = StringField(_l("Tên đăng nhập điện thoại"), validators=[Length(max=255)])
    android_password = PasswordField(_l("Mật khẩu điện thoại"), validators=[Length(max=255)])
    clear_android_password = BooleanField(_l("Xoá mật khẩu đã lưu"))
    android_signing_key = PasswordField(_l("Khoá ký webhook"), validators=[Length(max=255)])
    clear_android_signing_key = BooleanField(_l("Xoá khoá đã lưu"))
    twilio_from = StringField(_l("Số gửi Twilio"), validators=[Length(max=30)])
    twilio_messaging_service_sid = StringField(_l("Mã dịch vụ nhắn tin Twilio (nếu có)"),
                                               validators=[Length(max=64)])


COMMUNE_FIELDS = ("name", "name_en", "former_names", "address", "phone", "sms_number", "map_url",
                  "am_start", "am_end", "pm_start", "pm_end", "open_saturday", "timezone")
ADMIN_FIELDS = ("admin_username", "admin_name", "admin_phone")
SMS_FIELDS = ("android_url", "android_user", "android_password", "android_signing_key",
              "twilio_from", "twilio_messaging_service_sid")


def _values(form: FlaskForm, names: tuple[str, ...]) -> dict:
    return {name: getattr(form, name).data for name in names}


def _error_on(form: FlaskForm, err: CommuneError) -> None:
    target = getattr(form, err.field, None)
    if target is None:
        target = next(iter(f for f in form if f.name != "csrf_token"))
    target.errors = [*target.errors, err.message]


def _office(code: str) -> Office:
    office = db.session.scalars(db.select(Office).where(Office.code == code.upper())).first()
    if office is None:
        abort(404)
    return office


def _fill(form: CommuneForm, office: Office) -> None:
    for name in COMMUNE_FIELDS:
        getattr(form, name).data = getattr(office, name)


def _defaults(form: CommuneForm) -> None:
    defaults = {column: Office.__table__.c[column].default.arg
                for column in ("am_start", "am_end", "pm_start", "pm_end")}
    for name, value in defaults.items():
        getattr(form, name).data = value
    form.timezone.data = DEFAULT_TIMEZONE


def _actor():
    return current_user._get_current_object()


# -- the province admin's pages -------------------------------------------------------------------


@bp.route("/communes")
@province_admin_required
def communes():
    return render_template("officer/communes/list.html", rows=commune_rows())


@bp.route("/communes/new", methods=["GET", "POST"])
@province_admin_required
def commune_new():
    form = NewCommuneForm()
    if request.method == "GET":
        _defaults(form)
    elif form.validate_on_submit():
        values = {"code": form.code.data, **_values(form, COMMUNE_FIELDS)}
        try:
            office, admin, password = create_commune(values, _values(form, ADMIN_FIELDS),
                                                     _actor())
        except CommuneError as err:
            db.session.rollback()
            _error_on(form, err)
        else:
            return render_template("officer/communes/created.html", commune=office, admin=admin,
                                   password=password, new_commune=True)
    status = 400 if form.errors else 200
    return render_template("officer/communes/edit.html", form=form, commune=None,
                           holidays=holidays_ahead(local_date(utcnow(), DEFAULT_TZ)),
                           admins=[]), status


@bp.route("/communes/<code>", methods=["GET", "POST"])
@province_admin_required
def commune_edit(code: str):
    office = _office(code)
    form = CommuneForm()
    if request.method == "GET":
        _fill(form, office)
    elif form.validate_on_submit():
        try:
            update_commune(office, _values(form, COMMUNE_FIELDS), _actor())
        except CommuneError as err:
            db.session.rollback()
            _error_on(form, err)
        else:
            flash(_("Đã lưu thông tin %(name)s.", name=office.name))
            return redirect(url_for("officer.communes"))
    status = 400 if form.errors else 200
    return render_template("officer/communes/edit.html", form=form, commune=office,
                           holidays=holidays_ahead(office_today(office)),
                           admins=commune_admins(office)), status


@bp.route("/communes/<code>/admins/new", methods=["GET", "POST"])
@province_admin_required
def commune_admin_new(code: str):
    office = _office(code)
    form = CommuneAdminForm()
    if form.validate_on_submit():
        try:
            admin, password = add_commune_admin(office, _values(form, ADMIN_FIELDS), _actor())
        except CommuneError as err:
            db.session.rollback()
            _error_on(form, err)
        else:
            return render_template("officer/communes/created.html", commune=office, admin=admin,
                                   password=password, new_commune=False)
    status = 400 if form.errors else 200
    return render_template("officer/communes/admin_new.html", form=form, commune=office), status


# -- SMS settings: the commune admin for their commune, the province admin for any ---------------


def _sms_page(office: Office, action: str, back: str | None):
    form = SmsSettingsForm()
    if request.method == "POST" and form.validate_on_submit():
        clear = {name for name in ("android_password", "android_signing_key")
                 if getattr(form, f"clear_{name}").data}
        try:
            save_sms_settings(office, _values(form, SMS_FIELDS), clear, _actor(),
                              channel=form.sms_channel.data)
        except CommuneError as err:
            db.session.rollback()
            _error_on(form, err)
        else:
            flash(_("Đã lưu cài đặt tin nhắn của %(name)s.", name=office.name))
            return redirect(action)
    current, readable = sms_settings(office)
    if request.method == "GET":
        form.sms_channel.data = office.sms_channel or ""
        for name in SMS_FIELDS:
            if name not in ("android_password", "android_signing_key"):
                getattr(form, name).data = current[name]
    status = 400 if form.errors else 200
    return render_template("officer/communes/sms_settings.html", form=form, commune=office,
                           current=current, readable=readable, action=action,
                           back=back), status


@bp.route("/sms-settings", methods=["GET", "POST"])
@admin_required
def sms_settings_page():
    office = db.session.get(Office, current_user.office_id)
    if office is None:
        abort(404)
    return _sms_page(office, url_for("officer.sms_settings_page"), None)


@bp.route("/communes/<code>/sms-settings", methods=["GET", "POST"])
@province_admin_required
def commune_sms_settings(code: str):
    office = _office(code)
    return _sms_page(office, url_for("officer.commune_sms_settings", code=office.code),
                     url_for("officer.commune_edit", code=office.code))
