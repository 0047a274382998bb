"""Is the online portal working? Officers report it down or back up (a panel on the desk home,
and this page), and everyone signed in reads the history: every outage, and the hours down per
month the commune can send to the province, each table as CSV. The rules live in app/portal.py.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app import portal as portals
from app.auth import any_role, writer_required
from app.dossier_queries import safe_cell
from app.filters import fmt_datetime, phone_display
from app.models import PORTALS, PortalOutage
from app.officer import bp
from app.officer.forms import PORTAL_BACK, PortalDownForm, PortalUpForm
from app.vocabulary import portal_label

TABLES = ("outages", "months")


@dataclass
class Panel:
    """What the desk home and the portal page show: the open outages and the report forms
    (``down_form`` is None when every portal is already reported down)."""

    open: list[PortalOutage]
    down_form: PortalDownForm | None
    can_write: bool


def _panel(down_form: PortalDownForm | None = None) -> Panel:
    office = current_user.office
    open_ = portals.open_outages(office)
    free = [p for p in PORTALS if p not in {o.portal for o in open_}]
    form = None
    if free:
        form = down_form or PortalDownForm(formdata=None)
        form.portal.choices = [SelectChoice(p, portal_label(p)) for p in free]
    return Panel(open_, form, current_user.can_write())


@bp.context_processor
def _portal_panel() -> dict:
    # A callable: only the pages that show the panel pay for the query.
    return {"portal_panel": _panel, "portal_reporter": reporter}


def reporter(outage: PortalOutage, ended: bool = False) -> str:
    """Who reported (the officer's name, else the phone the text came from)."""
    officer = outage.ended_by if ended else outage.reported_by
    phone = outage.ended_phone if ended else outage.reported_phone
    name = officer.name if officer is not None else ""
    if not phone:
        return name
    if name:
        return _("%(name)s (tin nhắn từ %(phone)s)", name=name, phone=phone_display(phone))
    return _("tin nhắn từ %(phone)s", phone=phone_display(phone))


def _tables() -> dict[str, tuple[list[str], list[list[str]]]]:
    office = current_user.office
    outages = portals.history(office)
    months = portals.monthly_hours(office)
    tz = office.tz
    return {
        "outages": (
            [_("Cổng"), _("Bắt đầu lỗi"), _("Hết lỗi"), _("Số giờ lỗi"), _("Người báo lỗi"),
             _("Người báo hết lỗi"), _("Ghi chú")],
            [
                [
                    str(portal_label(o.portal)),
                    fmt_datetime(o.started_at, tz),
                    fmt_datetime(o.ended_at, tz) if o.ended_at else _("đang lỗi"),
                    format_decimal(round(portals.duration_hours(o), 1), format="#,##0.0"),
                    reporter(o),
                    reporter(o, ended=True) if o.ended_at else "",
                    o.note,
                ]
                for o in outages
            ],
        ),
        "months": (
            [_("Tháng"), _("Cổng"), _("Số lần lỗi"), _("Số giờ lỗi")],
            [
                [
                    f"{m.month.month:02d}/{m.month.year}",
                    str(portal_label(m.portal)),
                    format_decimal(m.outages),
                    format_decimal(round(m.hours, 1), format="#,##0.0"),
                ]
                for m in months
            ],
        ),
    }


def _page(down_form: PortalDownForm | None = None, status: int = 200):
    return render_template("officer/portal.html", panel=_panel(down_form), tables=_tables()), \
        status


def _back(value: str | None) -> str:
    return url_for("officer.portal" if value == "portal" else "officer.home")


@bp.route("/portal")
@any_role
def portal():
    return _page()


@bp.route("/portal/down", methods=["POST"])
@writer_required
def portal_down():
    form = PortalDownForm()
    form.portal.choices = [SelectChoice(p, portal_label(p)) for p in PORTALS]
    if not form.validate_on_submit():
        return _page(form, 400)
    outage, opened = portals.report_down(
        current_user.office, form.portal.data, current_user._get_current_object(),
        note=form.note.data or "",
    )
    portals.commit()
    if opened:
        flash(_("Đã ghi: %(portal)s đang lỗi. Trang chủ và các trang hướng dẫn đã báo cho người "
                "dân.", portal=portal_label(outage.portal)))
    else:
        flash(_("%(portal)s đã được báo lỗi từ trước.", portal=portal_label(outage.portal)))
    return redirect(_back(form.back.data if form.back.data in PORTAL_BACK else None))


@bp.route("/portal/up", methods=["POST"])
@writer_required
def portal_up():
    form = PortalUpForm()
    if not form.validate_on_submit():
        return _page(status=400)
    closed = portals.report_up(current_user.office, form.portal.data,
                               current_user._get_current_object())
    portals.commit()
    if closed:
        flash(_("Đã ghi: %(portal)s hoạt động lại.", portal=portal_label(form.portal.data)))
    else:
        flash(_("%(portal)s không có báo lỗi nào đang mở.", portal=portal_label(form.portal.data)))
    return redirect(_back(form.back.data))


@bp.route("/portal/<table>.csv")
@any_role
def portal_csv(table: str):
    if table not in TABLES:
        abort(404)
    headers, rows = _tables()[table]
    out = io.StringIO()
    out.write("\ufeff")  # Excel on Windows reads UTF-8 only with a BOM
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(str(cell)) for cell in row])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    name = "cong-dvc-loi.csv" if table == "outages" else "cong-dvc-gio-loi-theo-thang.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # officers' names and phones
    return response
