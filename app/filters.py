"""Jinja filters for dates in the office's time zone, money, phones and statuses."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.deadlines import to_local

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

STATUS_LABELS = {
    "received": _l("Đã tiếp nhận"),
    "processing": _l("Đang giải quyết"),
    "needs_supplement": _l("Cần bổ sung hồ sơ"),
    "ready": _l("Đã có kết quả, mời nhận"),
    "returned": _l("Đã trả kết quả"),
    "rejected": _l("Từ chối giải quyết"),
    "withdrawn": _l("Đã rút hồ sơ"),
}
CHANNEL_LABELS = {
    "counter": _l("Tại quầy"),
    "online": _l("Trực tuyến"),
    "post": _l("Bưu chính"),
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
WEEKDAYS = (_l("Thứ Hai"), _l("Thứ Ba"), _l("Thứ Tư"), _l("Thứ Năm"), _l("Thứ Sáu"), _l("Thứ Bảy"), _l("Chủ nhật"))
WEEKDAYS_SHORT = (_l("T2"), _l("T3"), _l("T4"), _l("T5"), _l("T6"), _l("T7"), _l("CN"))
ROLE_LABELS = {"admin": _l("Quản trị"), "officer": _l("Cán bộ"), "leader": _l("Lãnh đạo")}


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value, TZ).date()
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_local(value, TZ)
    return f"{local.hour:02d}:{local.minute:02d} {local.day:02d}/{local.month:02d}/{local.year}"


def fmt_time(value: time | None) -> str:
    return f"{value.hour}:{value.minute:02d}" if value else ""


def fmt_vnd(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value:,}".replace(",", ".") + " đ"


def phone_display(e164: str) -> str:
    """+84912345678 → 0912 345 678, the way people write it in Vietnam."""
    if e164.startswith("+84") and len(e164) >= 11:
        local = "0" + e164[3:]
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    return e164


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=fmt_date,
        datetime=fmt_datetime,
        hm=fmt_time,
        vnd=fmt_vnd,
        phone=phone_display,
        status_label=lambda s: STATUS_LABELS.get(s, s),
        channel_label=lambda s: CHANNEL_LABELS.get(s, s),
        online_label=lambda s: ONLINE_LABELS.get(s, s),
        field_label=lambda s: FIELD_LABELS.get(s, s),
        weekday=lambda i: WEEKDAYS[i],
        weekday_short=lambda i: WEEKDAYS_SHORT[i],
        role_label=lambda s: ROLE_LABELS.get(s, s),
    )
    app.jinja_env.globals.update(STATUS_LABELS=STATUS_LABELS, FIELD_LABELS=FIELD_LABELS)
    app.jinja_env.add_extension("jinja2.ext.do")
