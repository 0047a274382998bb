"""Forms for officers' public profiles (own profile, and the admin's edit of anyone's)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import ROLES
from app.vocabulary import ROLE_LABELS


class CheckboxListField(SelectMultipleField):
    """Several checkboxes (works without JS, unlike a multi-select a farmer's PC can't use)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    public_phone = StringField(_l("Số điện thoại công khai"), validators=[Length(max=30)])
    title = StringField(_l("Chức danh (tiếng Việt)"), validators=[Length(max=120)])
    title_en = StringField(_l("Chức danh (tiếng Anh)"), validators=[Length(max=120)])
    procedures = CheckboxListField(_l("Thủ tục phụ trách"), coerce=int, choices=[])


class OfficerAdminForm(ProfileForm):
    name = StringField(_l("Họ tên"), validators=[DataRequired(_l("Nhập họ tên.")), Length(max=120)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    active = BooleanField(_l("Đang làm việc (được đăng nhập)"))
