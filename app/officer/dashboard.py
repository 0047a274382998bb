"""Leader dashboard: where the commune stands for a chosen period, with the Decision 766
figures beside the plain ones, month-by-month charts (inline SVG drawn here, no script), the
overdue list, and every table as CSV.

Every number comes from ``app.metrics`` (the definitions live there, once). This module only
reads the period chooser, builds the tables the page and the CSV share — so a CSV is exactly
what the page shows — and renders. Everyone signed in may read it; nothing here writes.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Response, abort, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import dossier_queries as dossier_list
from app import metrics
from app.auth import any_role
from app.charts import Chart, bar_chart
from app.clock import office_today
from app.filters import fmt_date
from app.officer import bp
from app.vocabulary import INDICATOR_LABELS, INDICATOR_NOTES, status_label
from app.web import current_lang

PERIOD_LABELS = {
    "month": _l("Tháng này"),
    "quarter": _l("Quý này"),
    "year": _l("Năm nay"),
    "custom": _l("Từ ngày… đến ngày…"),
}
MAX_CUSTOM_DAYS = 5 * 366
EARLIEST = date(2000, 1, 1)
LEVEL_LABELS = {
    "very_satisfied": _l("Rất hài lòng (5 điểm)"),
    "satisfied": _l("Hài lòng (3–4 điểm)"),
    "not_satisfied": _l("Không hài lòng (1–2 điểm)"),
}
TABLES = ("summary", "index", "overdue", "satisfaction", "received", "on-time", "online")


# ----------------------------------------------------------------------------- period chooser


@dataclass
class Choice:
    """What the leader asked for. Bad custom dates are errors shown beside the boxes, with
    what was typed kept; a bad procedure or officer id is simply ignored (a stale link)."""

    period: str = "month"
    raw_from: str = ""
    raw_to: str = ""
    procedure_id: int | None = None
    officer_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict:
        values = {
            "period": self.period,
            "from": self.raw_from if self.period == "custom" else None,
            "to": self.raw_to if self.period == "custom" else None,
            "procedure": self.procedure_id,
            "officer": self.officer_id,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}


def parse_day(text: str) -> date | None:
    """``2025-03-31`` (what a date box sends) or ``31/03/2025`` (how people write it)."""
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def _id(value: str | None, allowed: set[int]) -> int | None:
    return int(value) if value and value.isdigit() and int(value) in allowed else None


def parse_choice(args, today: date, procedure_ids: set[int], officer_ids: set[int]):
    """(choice, period). With errors the period falls back to this month, so the page still
    shows numbers while it says what to fix."""
    choice = Choice(
        period=args.get("period") if args.get("period") in PERIOD_LABELS else "month",
        raw_from=(args.get("from") or "")[:20],
        raw_to=(args.get("to") or "")[:20],
        procedure_id=_id(args.get("procedure"), procedure_ids),
        officer_id=_id(args.get("officer"), officer_ids),
    )
    if choice.period == "quarter":
        return choice, metrics.quarter_period(today)
    if choice.period == "year":
        return choice, metrics.year_period(today)
    if choice.period == "custom":
        start, end = parse_day(choice.raw_from), parse_day(choice.raw_to)
        fmt = _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 31/03/2025.")
        if not choice.raw_from.strip():
            choice.errors["from"] = _("Nhập ngày bắt đầu.")
        elif start is None or start < EARLIEST:
            choice.errors["from"] = fmt
        if not choice.raw_to.strip():
            choice.errors["to"] = _("Nhập ngày kết thúc.")
        elif end is None or end < EARLIEST:
            choice.errors["to"] = fmt
        if not choice.errors:
            if end < start:
                choice.errors["to"] = _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
            elif (end - start).days > MAX_CUSTOM_DAYS:
                choice.errors["to"] = _("Chọn tối đa 5 năm.")
            elif end.year > today.year + 1:
                choice.errors["to"] = _("Ngày kết thúc quá xa trong tương lai.")
        if not choice.errors:
            return choice, metrics.Period(start, end + timedelta(days=1))
    return choice, metrics.month_period(today)


# ----------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    name: str
    caption: str
    headers: list[str]
    rows: list[list[object]]


def num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits)


def pct(value: float | None) -> str:
    return "—" if value is None else num(value * 100) + "%"


def of(n: int, d: int) -> str:
    return _("%(n)s trên %(d)s", n=format_decimal(n), d=format_decimal(d))


def month_label(first: date) -> str:
    return f"{first.month:02d}/{first.year}"


def build_tables(fig: metrics.Figures, months: list[metrics.Month], lang: str) -> dict[str, Table]:
    """Every table on the page, in order; the CSV export writes the same rows."""
    sat, sms, idx = fig.satisfaction, fig.sms, fig.index
    summary = Table(
        "summary",
        _("Số liệu chính"),
        [_("Chỉ số"), _("Kết quả"), _("Cách tính")],
        [
            [
                _("Hồ sơ tiếp nhận"),
                format_decimal(fig.received),
                _("Hồ sơ nhận trong kỳ, kể cả hồ sơ sau đó bị rút."),
            ],
            [
                _("Trong đó: người nộp đã rút"),
                format_decimal(fig.withdrawn),
                _("Hồ sơ người nộp xin rút lại. Không tính vào các số về giải quyết."),
            ],
            [
                _("Đã giải quyết xong"),
                format_decimal(fig.finished),
                _(
                    "Hồ sơ đã có kết quả, đã trả kết quả hoặc bị từ chối, tính theo ngày có kết quả "
                    "nằm trong kỳ."
                ),
            ],
            [
                _("Đang giải quyết"),
                format_decimal(fig.in_progress),
                _(
                    "Hồ sơ chưa có kết quả vào cuối kỳ (hoặc hôm nay, nếu kỳ chưa hết). Không tính hồ "
                    "sơ đã rút."
                ),
            ],
            [
                _("Quá hạn hiện nay"),
                format_decimal(len(fig.overdue)),
                _(
                    "Hồ sơ chưa có kết quả mà đã qua ngày hẹn trả, tính đến hôm nay, dù nhận từ "
                    "lúc nào."
                ),
            ],
            [
                _("Trong đó: đã có phiếu xin lỗi, hẹn lại"),
                format_decimal(fig.overdue_with_apology),
                _("Hồ sơ quá hạn đã có phiếu xin lỗi và ngày hẹn mới chưa qua. Vẫn tính là trễ."),
            ],
            [
                _("Trong đó: chưa xin lỗi"),
                format_decimal(fig.overdue_without_apology),
                _("Hồ sơ quá hạn chưa có phiếu xin lỗi, hoặc ngày hẹn mới cũng đã qua."),
            ],
            [
                _("Hồ sơ bị từ chối"),
                format_decimal(fig.refused),
                _("Hồ sơ bị từ chối tiếp nhận hoặc giải quyết trong kỳ, đếm riêng (vẫn tính là đã "
                  "giải quyết xong)."),
            ],
            [
                _("Tỷ lệ đúng hạn"),
                f"{pct(fig.on_time_rate)} ({of(fig.finished_on_time, fig.finished)})",
                _("Hồ sơ xong đúng hoặc trước ngày hẹn trả, chia cho hồ sơ xong trong kỳ."),
            ],
            [
                _("Tỷ lệ nộp trực tuyến"),
                f"{pct(fig.online_share)} ({of(fig.online, fig.received)})",
                _(
                    "Hồ sơ nộp qua mạng, chia cho hồ sơ tiếp nhận trong kỳ. Mục tiêu %(t)s.",
                    t=pct(metrics.ONLINE_SHARE_TARGET),
                ),
            ],
            [
                _("Số ngày làm việc trung bình để xong"),
                num(fig.avg_working_days),
                _(
                    "Số ngày làm việc từ ngày nhận đến ngày có kết quả, trung bình trên hồ sơ xong "
                    "trong kỳ. 0 là xong trong ngày."
                ),
            ],
            [
                _("Tin nhắn đã gửi"),
                format_decimal(sms.sent),
                _("Tin nhắn gửi cho người dân, tạo trong kỳ, đã chuyển cho nhà mạng."),
            ],
            [
                _("Tin nhắn đã đến máy"),
                format_decimal(sms.delivered),
                _(
                    "Nhà mạng báo đã đến máy người nhận (báo cáo của nhà mạng không luôn chính xác)."
                ),
            ],
            [
                _("Tin nhắn gửi lỗi"),
                format_decimal(sms.failed),
                _("Tin nhắn không gửi được sau các lần thử."),
            ],
            [
                _("Tin nhắn đang chờ gửi"),
                format_decimal(sms.waiting),
                _("Tin nhắn chưa gửi (ngoài giờ gửi tin hoặc đang thử lại)."),
            ],
            [
                _("Số phần tin nhắn đã dùng"),
                format_decimal(sms.segments),
                _(
                    "Tin dài được tính thành nhiều phần; nhà mạng tính tiền theo từng phần. Chỉ tính "
                    "tin đã gửi."
                ),
            ],
            [
                _("Điểm hài lòng trung bình"),
                num(sat.mean, 2),
                _("Trung bình điểm 1–5 người dân chấm trong kỳ."),
            ],
            [
                _("Số lượt chấm điểm"),
                format_decimal(sat.count),
                _("Số góp ý có chấm điểm, gửi trong kỳ (qua trang web hoặc tin nhắn)."),
            ],
            [
                _("Tỷ lệ chấm 4–5 điểm"),
                pct(sat.good_share),
                _("Lượt chấm 4 hoặc 5 điểm, chia cho số lượt chấm trong kỳ."),
            ],
            [
                _("Góp ý chưa xử lý"),
                format_decimal(fig.feedback_open),
                _("Góp ý chưa có cán bộ đánh dấu đã xử lý, dù gửi từ lúc nào."),
            ],
        ],
    )
    index = Table(
        "index",
        _("Chỉ số phục vụ theo Quyết định 766/QĐ-TTg"),
        [_("Chỉ số"), _("Tỷ lệ"), _("Mục tiêu"), _("Điểm"), _("Cách tính")],
        [
            [
                INDICATOR_LABELS[i.key],
                f"{pct(i.ratio)} ({of(int(max(i.numerator, 0)), i.denominator)})"
                if i.key != "satisfaction"
                else pct(i.ratio),
                pct(i.target),
                _("%(p)s / %(max)s", p=num(i.points, 2), max=i.max_points),
                INDICATOR_NOTES[i.key],
            ]
            for i in idx.indicators
        ]
        + [
            [
                _("Cộng"),
                "",
                "",
                _("%(p)s / %(max)s", p=num(idx.points, 2), max=idx.max_points),
                _(
                    "Ba chỉ số đo được từ số liệu của xã; các chỉ số khác của Quyết định 766 do tỉnh "
                    "chấm."
                ),
            ]
        ],
    )
    overdue = Table(
        "overdue",
        _("Hồ sơ quá hạn hiện nay"),
        [
            _("Mã hồ sơ"),
            _("Thủ tục"),
            _("Ngày nhận"),
            _("Hẹn trả"),
            _("Số ngày làm việc trễ"),
            _("Cán bộ phụ trách"),
            _("Tình trạng"),
            _("Hẹn lại (phiếu xin lỗi)"),
        ],
        [
            [
                Link(r.code, url_for("officer.dossier", code=r.code)),
                r.procedure.content(lang).name,
                fmt_date(r.received_at),
                fmt_date(r.due_on),
                format_decimal(r.working_days_late),
                r.officer_name or _("(chưa giao)"),
                str(status_label(r.status)),
                fmt_date(r.promised_on) if r.promised_on else _("Chưa xin lỗi"),
            ]
            for r in fig.overdue
        ],
    )
    levels = Table(
        "satisfaction",
        _("Mức hài lòng theo 3 mức của Cổng Dịch vụ công"),
        [_("Mức"), _("Số lượt"), _("Tỷ lệ")],
        [
            [LEVEL_LABELS[k], format_decimal(v), pct(metrics.ratio(v, sat.count))]
            for k, v in sat.levels.items()
        ],
    )
    received = Table(
        "received",
        _("Hồ sơ tiếp nhận theo tháng"),
        [_("Tháng"), _("Hồ sơ tiếp nhận")],
        [[month_label(m.month), format_decimal(m.received)] for m in months],
    )
    on_time = Table(
        "on-time",
        _("Tỷ lệ đúng hạn theo tháng"),
        [_("Tháng"), _("Xong trong tháng"), _("Đúng hạn"), _("Tỷ lệ đúng hạn")],
        [
            [
                month_label(m.month),
                format_decimal(m.finished),
                format_decimal(m.finished_on_time),
                pct(m.on_time_rate),
            ]
            for m in months
        ],
    )
    online = Table(
        "online",
        _("Tỷ lệ nộp trực tuyến theo tháng"),
        [_("Tháng"), _("Hồ sơ tiếp nhận"), _("Nộp trực tuyến"), _("Tỷ lệ trực tuyến")],
        [
            [
                month_label(m.month),
                format_decimal(m.received),
                format_decimal(m.online),
                pct(m.online_share),
            ]
            for m in months
        ],
    )
    return {t.name: t for t in (summary, index, overdue, levels, received, on_time, online)}


def build_charts(months: list[metrics.Month]) -> dict[str, Chart]:
    labels = [f"{m.month.month}/{m.month.year % 100:02d}" for m in months]
    return {
        "received": bar_chart(
            "chart-received", _("Hồ sơ tiếp nhận theo tháng"), labels, [m.received for m in months]
        ),
        "on-time": bar_chart(
            "chart-on-time",
            _("Tỷ lệ đúng hạn theo tháng (%)"),
            labels,
            [metrics.pct(m.on_time_rate) for m in months],
            percent=True,
        ),
        "online": bar_chart(
            "chart-online",
            _("Tỷ lệ nộp trực tuyến theo tháng (%)"),
            labels,
            [metrics.pct(m.online_share) for m in months],
            percent=True,
        ),
    }


# ----------------------------------------------------------------------------- views


def _load():
    office = current_user.office
    today = office_today(office)
    procedures, officers = dossier_list.filter_choices(office)
    choice, period = parse_choice(
        request.args, today, {p.id for p in procedures}, {o.id for o in officers}
    )
    scope = metrics.Scope(office.id, choice.procedure_id, choice.officer_id)
    fig = metrics.figures(office, period, scope)
    chart_period = metrics.chart_months(period)
    months = metrics.monthly(office, chart_period, scope)
    tables = build_tables(fig, months, current_lang())
    return office, procedures, officers, choice, period, fig, chart_period, months, tables


@bp.route("/dashboard")
@any_role
def dashboard():
    office, procedures, officers, choice, period, fig, chart_period, months, tables = _load()
    html = render_template(
        "officer/dashboard.html",
        choice=choice,
        period=period,
        chart_period=chart_period,
        period_labels=PERIOD_LABELS,
        procedures=procedures,
        officers=officers,
        fig=fig,
        tables=tables,
        charts=build_charts(months),
        fmt_pct=pct,
        fmt_num=num,
    )
    return html, 400 if choice.errors else 200


@bp.route("/dashboard/<table>.csv")
@any_role
def dashboard_csv(table: str):
    if table not in TABLES:
        abort(404)
    office, _p, _o, choice, period, _f, _c, _m, tables = _load()
    if choice.errors:
        abort(400)
    t = tables[table]
    out = io.StringIO()
    out.write("\ufeff")  # Excel on Windows reads UTF-8 only with a BOM
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([dossier_list.safe_cell(h) for h in t.headers])
    for row in t.rows:
        writer.writerow([dossier_list.safe_cell(str(cell)) for cell in row])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    name = f"chi-so-{table}-{period.start:%Y%m%d}-{period.last_day:%Y%m%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Officer names and dossier codes: not for shared caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _dashboard_panel() -> dict:
    # A callable: only the home page, which shows the panel, pays for the two queries.
    def summary() -> metrics.HomeSummary:
        return metrics.home_summary(current_user.office)

    return {"dashboard_summary": summary}
