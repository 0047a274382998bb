"""The words shown for the app's codes, and the office hours, written once for every audience:
pages (as Jinja filters), SMS texts, the open API and CSV exports.

The codes themselves (``STATUSES``, ``CHANNELS``, ``FIELDS``, ``ROLES``…) stay with the models;
this module only says what each is called. Labels are lazy (``lazy_gettext``): each is
translated when it is shown, in the reader's language — the request's on a page, the
recipient's in an SMS (rendered under ``force_locale``), the ``lang`` parameter in the API.
Vietnamese is the source language, so a msgid is the Vietnamese word itself.
"""

from __future__ import annotations

from datetime import time
from typing import Protocol

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

__all__ = [
    "CHANNEL_LABELS",
    "EXCEPTION_LABELS",
    "FIELD_LABELS",
    "INDICATOR_DIFFERENCES",
    "INDICATOR_LABELS",
    "INDICATOR_NOTES",
    "ONLINE_LABELS",
    "PORTAL_LABELS",
    "RESULT_RETURN_LABELS",
    "PAPER_FORM_LABELS",
    "EVENT_KIND_LABELS",
    "ROLE_LABELS",
    "SMS_STATUS_LABELS",
    "STATUS_LABELS",
    "WEEKDAYS",
    "WEEKDAYS_SHORT",
    "HasHours",
    "channel_label",
    "field_label",
    "hm",
    "hours_long",
    "hours_short",
    "hours_sms",
    "online_label",
    "portal_label",
    "result_return_label",
    "role_label",
    "sms_status_label",
    "status_label",
]

STATUS_LABELS = {
    "received": _l("Đã tiếp nhận"),
    "processing": _l("Đang giải quyết"),
    "needs_supplement": _l("Cần bổ sung hồ sơ"),
    "ready": _l("Đã có kết quả, mời nhận"),
    "returned": _l("Đã trả kết quả"),
    "rejected": _l("Từ chối giải quyết"),
    "withdrawn": _l("Đã rút hồ sơ"),
}
#: Where a status's words read two ways without marks (``app.sms.wording``): "Can bo sung ho
#: so" (needs more papers / officer …), "moi nhan" (please collect / just received), an SMS
#: says it otherwise. The other statuses use ``STATUS_LABELS``.
SMS_STATUS_LABELS = {
    "needs_supplement": _l("Còn thiếu giấy tờ"),
    "ready": _l("Đã có kết quả, đến xã nhận"),
}
CHANNEL_LABELS = {
    "counter": _l("Tại quầy"),
    "online": _l("Trực tuyến"),
    "post": _l("Bưu chính"),
}
#: How a result went back (``app.models.RESULT_RETURNS``).
RESULT_RETURN_LABELS = {
    "desk": _l("Nhận tại bộ phận một cửa"),
    "post": _l("Gửi qua bưu chính"),
    "online": _l("Trả trực tuyến (bản điện tử)"),
}
#: How a paper was received at the counter (app.papers.PAPER_FORMS).
PAPER_FORM_LABELS = {
    "original": _l("Bản chính"),
    "copy": _l("Bản sao"),
    "lookup": _l("Tra trên cơ sở dữ liệu"),
}
#: The desk's papers as they appear in a dossier's history (app.models.EVENT_KINDS).
EVENT_KIND_LABELS = {
    "receipt": _l("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "supplement": _l("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": _l("Phiếu từ chối tiếp nhận, giải quyết hồ sơ"),
    "apology": _l("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "ack": _l("Xác nhận đã nhận hồ sơ trực tuyến"),
}
ONLINE_LABELS = {
    "full": _l("Nộp trực tuyến toàn trình"),
    "partial": _l("Nộp trực tuyến một phần"),
    "offline": _l("Nộp trực tiếp tại xã"),
}
FIELD_LABELS = {
    "ho_tich": _l("Hộ tịch"),
    "chung_thuc": _l("Chứng thực"),
    "ho_kinh_doanh": _l("Hộ kinh doanh"),
    "dich_vu_cong": _l("Dịch vụ công trực tuyến"),
}
#: The online portals an outage is about (``app.models.PORTALS``).
PORTAL_LABELS = {
    "national": _l("Cổng Dịch vụ công quốc gia"),
    "provincial": _l("Cổng Dịch vụ công của tỉnh"),
}
#: The Decision 766 indicators the commune's data measures (``app.metrics.index_766``): their
#: names, what each counts, and — where a plain figure of the same name is shown beside it —
#: one line on why the two differ (``%(plain)s`` and ``%(index)s`` are the two percentages).
INDICATOR_LABELS = {
    "on_time": _l("Giải quyết đúng hạn"),
    "online": _l("Hồ sơ trực tuyến toàn trình"),
    "satisfaction": _l("Mức độ hài lòng"),
}
INDICATOR_NOTES = {
    "on_time": _l(
        "Hồ sơ nhận trong kỳ đã xong đúng hoặc trước hẹn, cộng hồ sơ đang giải quyết chưa quá "
        "hạn, chia cho hồ sơ nhận trong kỳ (không tính hồ sơ đã rút)."
    ),
    "online": _l(
        "Hồ sơ nộp qua mạng của thủ tục làm được trực tuyến toàn trình và đã trả kết quả trực "
        "tuyến hoặc qua bưu chính, chia cho mọi hồ sơ nhận trong kỳ của các thủ tục đó."
    ),
    "satisfaction": _l(
        "100% trừ tỷ lệ hồ sơ trễ hạn hoặc bị chấm 1–2 điểm (hồ sơ vừa trễ vừa bị chấm thấp chỉ "
        "trừ một lần), trên hồ sơ nhận trong kỳ (không tính hồ sơ đã rút). Mục tiêu 90%. Tối đa "
        "6 trong 18 điểm của nhóm hài lòng; 12 điểm còn lại do tỉnh chấm."
    ),
}
INDICATOR_DIFFERENCES = {
    "on_time": _l(
        "Đúng hẹn %(plain)s chỉ tính hồ sơ đã xong; %(index)s theo Quyết định 766 tính mọi hồ sơ "
        "nhận trong kỳ, kể cả hồ sơ đang giải quyết."
    ),
    "online": _l(
        "Nộp qua mạng %(plain)s tính mọi hồ sơ; %(index)s theo Quyết định 766 chỉ tính thủ tục "
        "làm được toàn trình, khi kết quả cũng trả qua mạng hoặc bưu chính."
    ),
    "satisfaction": _l(
        "Hài lòng %(plain)s là lượt chấm 4–5 điểm; %(index)s theo Quyết định 766 tính trên mọi "
        "hồ sơ, trừ hồ sơ trễ hẹn hoặc bị chấm 1–2 điểm."
    ),
}
ROLE_LABELS = {"admin": _l("Quản trị"), "officer": _l("Cán bộ"), "leader": _l("Lãnh đạo"),
               "province_admin": _l("Quản trị tỉnh"), "province_leader": _l("Lãnh đạo tỉnh")}
#: Dated changes to the duty roster (``app.models.EXCEPTION_KINDS``).
EXCEPTION_LABELS = {
    "leave": _l("Nghỉ phép"),
    "holiday": _l("Nghỉ lễ (cơ quan đóng cửa)"),
    "extra": _l("Trực thêm"),
    "standin": _l("Trực thay"),
}
#: Monday first, as ``date.weekday()`` counts. The short forms (T2 = "thứ hai") are what people
#: write on a door and in a text.
WEEKDAYS = (
    _l("Thứ Hai"), _l("Thứ Ba"), _l("Thứ Tư"), _l("Thứ Năm"), _l("Thứ Sáu"), _l("Thứ Bảy"),
    _l("Chủ nhật"),
)
WEEKDAYS_SHORT = (_l("T2"), _l("T3"), _l("T4"), _l("T5"), _l("T6"), _l("T7"), _l("CN"))
MONDAY, FRIDAY, SATURDAY = 0, 4, 5


def status_label(code: str) -> LazyString | str:
    """The status's words (lazy), or the code itself when it has none."""
    return STATUS_LABELS.get(code, code)


def sms_status_label(code: str) -> LazyString | str:
    """The status's words in an SMS: ``SMS_STATUS_LABELS``, else ``status_label``."""
    return SMS_STATUS_LABELS[code] if code in SMS_STATUS_LABELS else status_label(code)


def channel_label(code: str) -> LazyString | str:
    return CHANNEL_LABELS.get(code, code)


def result_return_label(code: str | None) -> LazyString | str:
    """How the result went back; "" when it was not recorded."""
    return RESULT_RETURN_LABELS.get(code or "", code or "")


def online_label(code: str) -> LazyString | str:
    return ONLINE_LABELS.get(code, code)


def field_label(code: str) -> LazyString | str:
    return FIELD_LABELS.get(code, code)


def portal_label(code: str) -> LazyString | str:
    return PORTAL_LABELS.get(code, code)


def role_label(code: str) -> LazyString | str:
    return ROLE_LABELS.get(code, code)


# ----------------------------------------------------------------------------- office hours


class HasHours(Protocol):
    """What the hours formatter needs of an office (``app.models.Office``)."""

    am_start: time | None
    am_end: time | None
    pm_start: time | None
    pm_end: time | None
    open_saturday: bool


def hm(value: time) -> str:
    """``7:00``, ``13:30``: a time of day on a page."""
    return f"{value.hour}:{value.minute:02d}"


def _hm_sms(value: time) -> str:
    """``7h``, ``11h30``, ``11h05``: a time the way a commune writes it on its door (and
    short: a text is billed per 160 characters)."""
    return f"{value.hour}h{value.minute:02d}" if value.minute else f"{value.hour}h"


def _session(start: time | None, end: time | None) -> tuple[time, time] | None:
    return (start, end) if start is not None and end is not None else None


def _sessions(office: HasHours) -> tuple[tuple[time, time] | None, list[tuple[time, time]]]:
    """The morning session (None if the office has none) and every session Monday to Friday.
    Saturday, where the office opens, is the morning only (as the duty roster has it)."""
    morning = _session(office.am_start, office.am_end)
    afternoon = _session(office.pm_start, office.pm_end)
    return morning, [s for s in (morning, afternoon) if s is not None]


def hours_short(office: HasHours) -> str:
    """Office hours for an SMS, GSM-friendly and short: ``T2-T6 7h-11h30, 13h30-17h; T7
    7h-11h30`` (the Saturday part only where the office opens on Saturday morning). Weekday
    abbreviations are translated in the current locale: call it under the recipient's
    (``hours_sms`` defers it to rendering time)."""
    morning, sessions = _sessions(office)
    week = ", ".join(f"{_hm_sms(start)}-{_hm_sms(end)}" for start, end in sessions)
    days = f"{WEEKDAYS_SHORT[MONDAY]}-{WEEKDAYS_SHORT[FRIDAY]}"
    text = f"{days} {week}" if week else str(days)
    if office.open_saturday and morning is not None:
        text += f"; {WEEKDAYS_SHORT[SATURDAY]} {_hm_sms(morning[0])}-{_hm_sms(morning[1])}"
    return text


def hours_sms(office: HasHours) -> LazyString:
    """``hours_short`` as a lazy string for an SMS context: the weekday words are translated
    when the template renders, in the recipient's language, not the request's."""
    return LazyString(hours_short, office)


def hours_long(office: HasHours) -> str:
    """Office hours on a page: ``Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00; sáng Thứ Bảy:
    7:00–11:30`` (the Saturday part only where the office opens on Saturday morning)."""
    morning, sessions = _sessions(office)
    week = ", ".join(f"{hm(start)}–{hm(end)}" for start, end in sessions)
    weekdays = _("Thứ Hai – Thứ Sáu")  # not inside the f-string: pybabel would not see it
    text = f"{weekdays}: {week}"
    if office.open_saturday and morning is not None:
        saturday = _("sáng Thứ Bảy")
        text += f"; {saturday}: {hm(morning[0])}–{hm(morning[1])}"
    return text
