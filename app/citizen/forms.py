"""Citizen forms. The status lookup is a GET form (bookmarkable, works from a QR code) and is
validated in ``app.citizen.lookup``; feedback is a POST form with CSRF."""

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.codes import example_code, normalise_code
from app.models import COMMENT_MAX

RATINGS = [
    ("5", _l("5 – Rất hài lòng")),
    ("4", _l("4 – Hài lòng")),
    ("3", _l("3 – Bình thường")),
    ("2", _l("2 – Chưa hài lòng")),
    ("1", _l("1 – Rất không hài lòng")),
]


class FeedbackForm(FlaskForm):
    # A blank rating (`rating=%20`) is no rating, not a crash in int() (issue 12, item 12).
    rating = RadioField(_l("Bạn chấm mấy điểm?"), choices=RATINGS, validators=[Optional()],
                        filters=[lambda value: value.strip() or None if isinstance(value, str)
                                 else value])
    comment = TextAreaField(
        _l("Ý kiến của bạn"),
        validators=[
            Optional(),
            Length(max=COMMENT_MAX, message=_l("Ý kiến dài quá %(max)d ký tự. Vui lòng viết ngắn lại.")),
        ],
    )
    code = StringField(_l("Mã hồ sơ (nếu có)"), validators=[Optional(), Length(max=40)])
    # With the code, the proof that the rating is the applicant's: only then does it count in
    # the commune's satisfaction index (docs/SECURITY.md, issue 12 item 6).
    digits = StringField(_l("4 số cuối điện thoại đã khai khi nộp hồ sơ (nếu có)"),
                         validators=[Optional(), Length(max=10)])

    def validate_digits(self, field):
        if field.data and not re.fullmatch(r"\d{4}", re.sub(r"\D", "", field.data)):
            raise ValidationError(_l("Nhập đúng 4 số cuối điện thoại đã khai khi nộp hồ sơ."))

    def validate_code(self, field):
        # The office prefix may be left out, as on the status page (the receipt's "241115-7").
        if field.data and not normalise_code(field.data, current_app.config["DEFAULT_OFFICE"]):
            raise ValidationError(_l("Mã hồ sơ không đúng dạng. Ví dụ: %(code)s",
                                     code=example_code(current_app.config["DEFAULT_OFFICE"])))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.rating.data and not (self.comment.data or "").strip():
            self.comment.errors = [*self.comment.errors, _l("Hãy chấm điểm hoặc viết ý kiến.")]
            return False
        return ok
