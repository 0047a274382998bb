"""Forms for counter work: register a dossier, change its status, upload an import file.

Labels use ``_l`` so they translate per request. Choices that depend on the office or the
dossier are filled in by the view before validation.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.models import CHANNELS, RESULT_RETURNS
from app.phones import normalise_phone
from app.vocabulary import CHANNEL_LABELS, RESULT_RETURN_LABELS

LANG_CHOICES = [("vi", "Tiếng Việt"), ("en", "English")]
NOTE_MAX = 2000


class RegisterForm(FlaskForm):
    """A dossier received at the counter. The phone is optional (no law requires it), but a
    citizen who agrees to SMS must give one. ``phone_e164`` holds the normalised number."""

    procedure = SelectField(
        _l("Thủ tục"),
        coerce=int,
        validate_choice=True,
        validators=[DataRequired(_l("Chọn thủ tục."))],
    )
    applicant_name = StringField(
        _l("Họ tên người nộp"),
        validators=[
            DataRequired(_l("Nhập họ tên người nộp.")),
            Length(max=120, message=_l("Họ tên dài quá %(max)d ký tự.")),
        ],
    )
    phone = StringField(
        _l("Số điện thoại (không bắt buộc)"),
        validators=[Length(max=30, message=_l("Số điện thoại dài quá."))],
    )
    channel = SelectField(
        _l("Hình thức nộp"), choices=[(c, CHANNEL_LABELS[c]) for c in CHANNELS], default="counter"
    )
    sms_consent = BooleanField(_l("Người nộp đồng ý nhận tin nhắn SMS về hồ sơ này"), default=False)
    lang = SelectField(_l("Ngôn ngữ tin nhắn"), choices=LANG_CHOICES, default="vi")
    note = TextAreaField(
        _l("Ghi chú nội bộ (không bắt buộc)"),
        validators=[Length(max=NOTE_MAX, message=_l("Ghi chú dài quá %(max)d ký tự."))],
    )

    phone_e164: str = ""

    def validate_phone(self, field) -> None:
        raw = (field.data or "").strip()
        if not raw:
            self.phone_e164 = ""
            if self.sms_consent.data:
                raise ValidationError(_l("Người nộp đồng ý nhận tin nhắn: hãy nhập số điện thoại."))
            return
        phone = normalise_phone(raw)
        if phone is None:
            raise ValidationError(
                _l("Số điện thoại không đúng. Ví dụ: 0912 345 678 hoặc +84 912 345 678.")
            )
        self.phone_e164 = phone


class StatusForm(FlaskForm):
    """Move a dossier on. ``status`` choices are ``app.dossiers.allowed_next`` only; the domain
    function checks again, so a forged choice is refused there too."""

    status = SelectField(_l("Chuyển sang"), validators=[DataRequired(_l("Chọn tình trạng mới."))])
    note = TextAreaField(
        _l("Ghi chú cho người dân"),
        validators=[Length(max=NOTE_MAX, message=_l("Ghi chú dài quá %(max)d ký tự."))],
    )
    internal_note = TextAreaField(
        _l("Ghi chú nội bộ"),
        validators=[Length(max=NOTE_MAX, message=_l("Ghi chú dài quá %(max)d ký tự."))],
    )
    # Required when the result is handed over: Decision 766 counts a dossier as fully online
    # only when its result went back online or by post (app.metrics.index_766).
    result_return = SelectField(
        _l("Trả kết quả bằng cách nào"),
        choices=[("", _l("— Chọn —"))] + [(r, RESULT_RETURN_LABELS[r]) for r in RESULT_RETURNS],
        default="",
    )

    def validate_result_return(self, field) -> None:
        if self.status.data == "returned" and not field.data:
            raise ValidationError(
                _l("Chọn cách trả kết quả: tại bộ phận một cửa, qua bưu chính hay trực tuyến.")
            )
        if self.status.data != "returned":
            field.data = ""  # only a returned dossier records it


class ImportUploadForm(FlaskForm):
    """Step 1: the file to check (dry run). Nothing is saved until step 2."""

    file = FileField(_l("Tệp CSV xuất từ hệ thống một cửa của tỉnh"))


class ImportConfirmForm(FlaskForm):
    """Step 2: apply the file checked in step 1 (kept on the server under ``token``)."""

    token = HiddenField(validators=[DataRequired(), Length(max=64)])
    filename = HiddenField(validators=[Length(max=200)])
