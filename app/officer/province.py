"""The province leader's table (issue 13, item 7): every commune side by side for a chosen
period — dossiers received, on-time rate, online share, overdue now, ratings, texts sent — sorted
on the server by links (``?sort=on_time&dir=asc``, no script) and downloadable as CSV with the
same columns, rows and order.

Every figure has the commune dashboard's definition (``app.metrics.commune_figures``); the
period chooser is the dashboard's. Province admin and province leader read it; nothing writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, abort, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from app import dossier_queries as dossier_list
from app import metrics
from app.auth import province_required
from app.clock import DEFAULT_TZ, local_date, utcnow
from app.extensions import db
from app.models import Office
from app.officer import bp
from app.officer.dashboard import PERIOD_LABELS, Link, num, parse_choice, pct
from app.search import fold


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy string
    value: Callable[[metrics.CommuneFigures], object]  # what the sort compares; None sorts last
    text: Callable[[metrics.CommuneFigures], str]  # what the cell shows


def _n(value: int) -> str:
    return format_decimal(value)


COLUMNS = (
    Column("name", _l("Xã, phường"), lambda r: fold(r.office.name),
           lambda r: r.office.name if r.office else str(_l("Cả tỉnh"))),
    Column("received", _l("Hồ sơ tiếp nhận"), lambda r: r.received, lambda r: _n(r.received)),
    Column("finished", _l("Đã xong"), lambda r: r.finished, lambda r: _n(r.finished)),
    Column("on_time", _l("Tỷ lệ đúng hạn"), lambda r: r.on_time_rate, lambda r: pct(r.on_time_rate)),
    Column("online", _l("Tỷ lệ nộp trực tuyến"), lambda r: r.online_share,
           lambda r: pct(r.online_share)),
    Column("overdue", _l("Quá hạn hiện nay"), lambda r: r.overdue, lambda r: _n(r.overdue)),
    Column("rating", _l("Điểm hài lòng trung bình"), lambda r: r.rating_mean,
           lambda r: num(r.rating_mean, 2)),
    Column("ratings", _l("Lượt chấm điểm"), lambda r: r.ratings, lambda r: _n(r.ratings)),
    Column("sms", _l("Tin nhắn đã gửi"), lambda r: r.sms_sent, lambda r: _n(r.sms_sent)),
)
BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_SORT = "name"


@dataclass
class Sort:
    key: str
    descending: bool

    @property
    def dir(self) -> str:
        return "desc" if self.descending else "asc"


def parse_sort(args) -> Sort:
    """``?sort=<column>&dir=asc|desc``; anything else falls back to the commune name, A to Z
    (a stale or hand-made link still shows the table)."""
    key = args.get("sort") if args.get("sort") in BY_KEY else DEFAULT_SORT
    return Sort(key, args.get("dir") == "desc")


def sort_rows(rows: list[metrics.CommuneFigures], sort: Sort) -> list[metrics.CommuneFigures]:
    """Sorted by the column, ties by name; a commune with no data for it ("—") comes last
    both ways."""
    column = BY_KEY[sort.key]
    by_name = sorted(rows, key=lambda r: (fold(r.office.name), r.office.code))
    known = [r for r in by_name if column.value(r) is not None]
    unknown = [r for r in by_name if column.value(r) is None]
    return sorted(known, key=column.value, reverse=sort.descending) + unknown


def total(rows: list[metrics.CommuneFigures]) -> metrics.CommuneFigures:
    """The province line: the sums, with rates computed from them (not a mean of rates)."""
    whole = metrics.CommuneFigures(None)
    for r in rows:
        for name in ("received", "online", "finished", "finished_on_time", "overdue", "ratings",
                     "rating_total", "good", "sms_sent"):
            setattr(whole, name, getattr(whole, name) + getattr(r, name))
    return whole


def _load():
    offices = list(db.session.scalars(sa.select(Office).order_by(Office.code)))
    today = local_date(utcnow(), offices[0].tz if offices else DEFAULT_TZ)
    choice, period = parse_choice(request.args, today, set(), set())
    sort = parse_sort(request.args)
    rows = sort_rows(metrics.commune_figures(offices, period), sort)
    return choice, period, sort, today, rows


def _cells(row: metrics.CommuneFigures) -> list[str]:
    return [c.text(row) for c in COLUMNS]


@bp.route("/province")
@province_required
def province():
    choice, period, sort, today, rows = _load()
    args = choice.args() if not choice.errors else {}
    headers = []
    for c in COLUMNS:
        # The current column's link turns the order round; another column starts with the
        # figure's "best first" reading for a name (A→Z) and "largest first" for a number.
        descending = not sort.descending if c.key == sort.key else c.key != "name"
        headers.append((
            c,
            Link(str(c.label), url_for("officer.province", sort=c.key,
                                       dir="desc" if descending else "asc", **args)),
            ("descending" if sort.descending else "ascending") if c.key == sort.key else None,
        ))
    html = render_template(
        "officer/province.html",
        choice=choice,
        period=period,
        period_labels=PERIOD_LABELS,
        today=today,
        sort=sort,
        headers=headers,
        rows=[(r, _cells(r)) for r in rows],
        total=_cells(total(rows)),
        csv_args={**args, "sort": sort.key, "dir": sort.dir},
        scorecard_url=lambda office: url_for("citizen.scorecard", office=office.slug),
    )
    return html, 400 if choice.errors else 200


@bp.route("/province.csv")
@province_required
def province_csv():
    choice, period, _sort, _today, rows = _load()
    if choice.errors:
        abort(400)
    out = io.StringIO()
    out.write("\ufeff")  # Excel on Windows reads UTF-8 only with a BOM
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([dossier_list.safe_cell(str(c.label)) for c in COLUMNS])
    for row in [*rows, total(rows)]:
        writer.writerow([dossier_list.safe_cell(cell) for cell in _cells(row)])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    name = f"chi-so-cac-xa-{period.start:%Y%m%d}-{period.last_day:%Y%m%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
