"""Forms of the officers' SMS pages: the inbox reply and the try-it page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.phones import normalise_phone


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Trả lời"),
        validators=[DataRequired(_l("Nhập nội dung tin trả lời.")),
                    Length(max=2000, message=_l("Tin dài quá."))],
    )


class TrySmsForm(FlaskForm):
    phone = StringField(
        _l("Số điện thoại gửi tin"),
        validators=[DataRequired(_l("Nhập số điện thoại.")), Length(max=30)],
    )
    text = TextAreaField(
        _l("Nội dung tin nhắn"),
        validators=[DataRequired(_l("Nhập nội dung tin nhắn.")),
                    Length(max=1600, message=_l("Tin nhắn tối đa 1600 ký tự."))],
    )

    def validate_phone(self, field) -> None:
        from wtforms.validators import ValidationError

        field.e164 = normalise_phone(field.data or "")
        if field.e164 is None:
            raise ValidationError(_l("Số điện thoại không đúng. Ví dụ: 0912 345 678."))
