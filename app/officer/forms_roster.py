"""Forms for the duty roster: a weekly shift, a dated exception. The rules (end after start,
05:00–22:00, stand-in differs…) live in ``app.roster`` so every caller gets them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.vocabulary import EXCEPTION_LABELS, WEEKDAYS


class _Blankable:
    """Empty input is "not given" (left to InputRequired/Optional); unreadable input gets a
    plain Vietnamese message instead of WTForms' English one."""

    bad_message = ""

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as err:
            self.data = None
            raise ValueError(str(self.bad_message)) from err


class HourField(_Blankable, TimeField):
    bad_message = _l("Giờ không đúng dạng. Ví dụ: 07:30.")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S"], **kwargs)


class DayField(_Blankable, DateField):
    bad_message = _l("Ngày không đúng dạng. Ví dụ: 2026-09-02.")


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class ShiftForm(FlaskForm):
    officer = SelectField(
        _l("Cán bộ"), coerce=_int_or_none, validators=[DataRequired(_l("Chọn cán bộ."))]
    )
    weekday = SelectField(
        _l("Thứ"),
        coerce=int,
        choices=[SelectChoice(i, label) for i, label in enumerate(WEEKDAYS)],
        validators=[InputRequired(_l("Chọn thứ trong tuần."))],
    )
    start = HourField(
        _l("Từ giờ"), validators=[InputRequired(_l("Nhập giờ bắt đầu, ví dụ 07:00."))]
    )
    end = HourField(
        _l("Đến giờ"), validators=[InputRequired(_l("Nhập giờ kết thúc, ví dụ 11:30."))]
    )


class ExceptionForm(FlaskForm):
    day = DayField(_l("Ngày"), validators=[InputRequired(_l("Nhập ngày, ví dụ 2026-09-02."))])
    kind = SelectField(
        _l("Loại"), choices=[SelectChoice(k, v) for k, v in EXCEPTION_LABELS.items()]
    )
    officer = SelectField(_l("Cán bộ"), coerce=_int_or_none, validators=[Optional()])
    stand_in = SelectField(_l("Người trực thay"), coerce=_int_or_none, validators=[Optional()])
    start = HourField(_l("Từ giờ (không bắt buộc)"), validators=[Optional()])
    end = HourField(_l("Đến giờ (không bắt buộc)"), validators=[Optional()])
    note = StringField(_l("Ghi chú"), validators=[Length(max=255)])
