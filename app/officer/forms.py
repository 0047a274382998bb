"""Every form of the officer desk, one section per journey. Labels use ``_l`` so they
translate per request; rules that more than one caller needs live in the domain modules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.guides import CONFIRMABLE, Draft, lines
from app.models import CHANNELS, COMMUNE_ROLES, RESULT_RETURNS
from app.phones import normalise_phone
from app.vocabulary import (
    CHANNEL_LABELS,
    EXCEPTION_LABELS,
    PORTAL_LABELS,
    RESULT_RETURN_LABELS,
    ROLE_LABELS,
    WEEKDAYS,
)

# -- Sign-in

class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(_l("Nhập tên đăng nhập.")), Length(max=40)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Nhập mật khẩu.")), Length(max=200)])


class PasswordForm(FlaskForm):
    """Own password change; the rules (length, not the user name) are ``app.officers``'."""

    current = PasswordField(_l("Mật khẩu đang dùng"), validators=[DataRequired(_l("Nhập mật khẩu đang dùng.")), Length(max=200)])
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(_l("Nhập mật khẩu mới."))])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[DataRequired(_l("Nhập lại mật khẩu mới."))])


# -- Counter work: register a dossier, change its status, upload an import file. Choices that
# depend on the office or the dossier are filled in by the view before validation

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
    fee_paid = IntegerField(
        _l("Lệ phí đã thu (đồng, không bắt buộc)"),
        validators=[Optional(), NumberRange(min=0, max=100_000_000,
                                            message=_l("Lệ phí không đúng."))],
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


# -- Officers' public profiles (own profile, and the admin's edit of anyone's)

class CheckboxListField(SelectMultipleField):
    """Several checkboxes (works without JS, unlike a multi-select a farmer's PC can't use)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    public_phone = StringField(_l("Số điện thoại công khai"), validators=[Length(max=30)])
    title = StringField(_l("Chức danh (tiếng Việt)"), validators=[Length(max=120)])
    title_en = StringField(_l("Chức danh (tiếng Anh)"), validators=[Length(max=120)])
    procedures = CheckboxListField(_l("Thủ tục phụ trách"), coerce=int, choices=[])


class NewOfficerForm(FlaskForm):
    """The admin adds an officer of the commune; the password is a temporary one."""

    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(_l("Nhập tên đăng nhập.")), Length(max=40)])
    name = StringField(_l("Họ tên"), validators=[DataRequired(_l("Nhập họ tên.")), Length(max=120)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in COMMUNE_ROLES], default="officer")


class OfficerAdminForm(ProfileForm):
    name = StringField(_l("Họ tên"), validators=[DataRequired(_l("Nhập họ tên.")), Length(max=120)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in COMMUNE_ROLES])
    active = BooleanField(_l("Đang làm việc (được đăng nhập)"))


# -- The duty roster: a weekly shift, a dated exception. The rules (end after start,
# 05:00–22:00, stand-in differs…) live in ``app.roster`` so every caller gets them

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


# -- The guide editor: one language's words, lists one item per line. Length rules and budgets
# are checked in ``app.guides`` so saving and restoring apply the same ones

# Generous hard caps only against abuse; the readable limits come from app.guides.
_CAP = [Length(max=20000)]


FACT_LABELS = {
    "fee": _l("Lệ phí"),
    "documents": _l("Giấy tờ mang theo"),
    "steps": _l("Các bước"),
    "where": _l("Nộp ở đâu"),
    "legal_basis": _l("Căn cứ pháp lý"),
    "processing_days": _l("Thời gian giải quyết"),
    "online_mode": _l("Nộp trực tuyến"),
    "national_code": _l("Mã thủ tục"),
}


class GuideForm(FlaskForm):
    name = StringField(_l("Tên thủ tục"), validators=_CAP)
    summary = TextAreaField(_l("Tóm tắt (một đoạn ngắn)"), validators=_CAP)
    documents = TextAreaField(_l("Giấy tờ mang theo (mỗi dòng một loại)"), validators=_CAP)
    steps = TextAreaField(_l("Các bước (mỗi dòng một bước)"), validators=_CAP)
    fee = StringField(_l("Lệ phí"), validators=_CAP)
    time = StringField(_l("Thời gian giải quyết"), validators=_CAP)
    where = StringField(_l("Nộp ở đâu"), validators=_CAP)
    legal_basis = TextAreaField(_l("Căn cứ pháp lý"), validators=_CAP)
    sms_summary = TextAreaField(_l("Tóm tắt gửi qua tin nhắn"), validators=_CAP)
    officer_note = TextAreaField(
        _l("Ghi chú cho cán bộ (việc cần kiểm tra lại; người dân không thấy)"), validators=_CAP
    )
    sms_keyword = StringField(_l("Từ khoá tin nhắn (HD + từ khoá)"), validators=[Length(max=40)])
    to_confirm = SelectMultipleField(
        _l("Điều xã còn đang kiểm tra (cả hai thứ tiếng)"),
        choices=[(key, FACT_LABELS[key]) for key in CONFIRMABLE],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def fill(self, draft: Draft) -> None:
        for key in (
            "name",
            "summary",
            "fee",
            "time",
            "where",
            "legal_basis",
            "sms_summary",
            "officer_note",
            "sms_keyword",
        ):
            getattr(self, key).data = getattr(draft, key)
        self.to_confirm.data = list(draft.to_confirm)
        self.documents.data = "\n".join(draft.documents)
        self.steps.data = "\n".join(draft.steps)

    def draft(self) -> Draft:
        return Draft(
            name=self.name.data or "",
            summary=self.summary.data or "",
            documents=lines(self.documents.data),
            steps=lines(self.steps.data),
            fee=self.fee.data or "",
            time=self.time.data or "",
            where=self.where.data or "",
            legal_basis=self.legal_basis.data or "",
            sms_summary=self.sms_summary.data or "",
            officer_note=self.officer_note.data or "",
            sms_keyword=self.sms_keyword.data or "",
            to_confirm=list(self.to_confirm.data or []),
        )


# -- The SMS pages: the inbox reply and the try-it page

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
        field.e164 = normalise_phone(field.data or "")
        if field.e164 is None:
            raise ValidationError(_l("Số điện thoại không đúng. Ví dụ: 0912 345 678."))


# -- The online portal: report it down or back up (app.portal)

PORTAL_BACK = ("home", "portal")  # where the form was, to go back to after the report


class PortalDownForm(FlaskForm):
    portal = SelectField(_l("Cổng nào?"), choices=[SelectChoice(k, v) for k, v in PORTAL_LABELS.items()],
                         default="national")
    note = StringField(
        _l("Ghi chú (không bắt buộc)"),
        validators=[Optional(), Length(max=255, message=_l("Ghi chú tối đa 255 ký tự."))],
    )
    back = HiddenField(default="home")


class PortalUpForm(FlaskForm):
    portal = HiddenField(validators=[InputRequired()])
    back = HiddenField(default="home")

    def validate_portal(self, field) -> None:
        if field.data not in PORTAL_LABELS:
            raise ValidationError(_l("Cổng không đúng."))


# -- The desk's papers (app.papers): request for more papers, refusal, apology, acknowledgement

PAPER_TEXT_MAX = 500


def _paper_text(label, required_message):
    return TextAreaField(label, validators=[
        DataRequired(required_message),
        Length(max=PAPER_TEXT_MAX, message=_l("Dài quá %(max)d ký tự.")),
    ])


class SupplementForm(FlaskForm):
    papers = _paper_text(_l("Giấy tờ cần mang thêm"), _l("Ghi rõ giấy tờ còn thiếu."))
    reason = _paper_text(_l("Lý do"), _l("Ghi lý do cần giấy tờ này."))
    bring_by = DayField(_l("Mang đến trước ngày"),
                        validators=[InputRequired(_l("Nhập ngày, ví dụ 2026-12-10."))])


class RefusalForm(FlaskForm):
    reason = _paper_text(_l("Lý do từ chối (lời dễ hiểu)"), _l("Ghi rõ lý do từ chối."))


class ApologyForm(FlaskForm):
    reason = _paper_text(_l("Lý do chậm"), _l("Ghi lý do hồ sơ bị chậm."))
    new_date = DayField(_l("Ngày hẹn trả mới"),
                        validators=[InputRequired(_l("Nhập ngày, ví dụ 2026-12-10."))])


class AckForm(FlaskForm):
    """Acknowledge an online dossier: nothing but the CSRF token."""
