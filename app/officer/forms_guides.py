"""The guide editor's form: one language's words, lists one item per line. Length rules and
budgets are checked in ``app.guides`` so saving and restoring apply the same ones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.guides import CONFIRMABLE, Draft, lines

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
