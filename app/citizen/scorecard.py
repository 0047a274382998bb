"""The public scorecard (``/index``): the commune's headline rates for the last 12 months, as
shown at meetings and checked by citizens. No personal data — counts and rates only — the same
numbers as ``GET /api/v1/index`` (both come from ``app.metrics.public_index``). Works with
JavaScript off; the chart is inline SVG drawn on the server, its numbers in the table below it.
"""

from __future__ import annotations

from datetime import date

from flask import abort, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _

from app import metrics
from app.charts import bar_chart
from app.citizen import bp
from app.vocabulary import INDICATOR_DIFFERENCES, INDICATOR_LABELS, INDICATOR_NOTES
from app.web import current_office

#: The plain figure shown beside each Decision 766 indicator (keys of ``public_index``).
PLAIN_FIGURES = {
    "on_time": lambda d: d["on_time_rate"],
    "online": lambda d: d["online_share"],
    "satisfaction": lambda d: d["satisfaction"]["good_share"],
}


def percent(value: float | None) -> str:
    """An already-percent number (82.9) as "82,9%" in the page's language; "—" for no data."""
    return "—" if value is None else format_decimal(value, format="#,##0.#") + "%"


def differences(data: dict) -> list[str]:
    """One line per indicator whose plain figure and Decision 766 figure differ, saying why
    (issue 14: two numbers under one name, with no word on why, contradict each other)."""
    lines = []
    for indicator in data["index_766"]["indicators"]:
        plain, index = PLAIN_FIGURES[indicator["key"]](data), indicator["ratio"]
        if plain is not None and index is not None and percent(plain) != percent(index):
            lines.append(
                str(INDICATOR_DIFFERENCES[indicator["key"]])
                % {"plain": percent(plain), "index": percent(index)}
            )
    return lines


@bp.route("/index")
def scorecard():
    office = current_office()
    if office is None:  # an empty database: nothing to show yet, but no 500
        abort(503)
    data = metrics.public_index(office)
    chart = bar_chart(
        "chart-on-time",
        _("Tỷ lệ đúng hạn theo tháng (%)"),
        [f"{m['month'][5:].lstrip('0')}/{m['month'][2:4]}" for m in data["months"]],
        [m["on_time_rate"] for m in data["months"]],
        percent=True,
    )
    return render_template(
        "citizen/scorecard.html",
        data=data,
        chart=chart,
        percent=percent,
        number=lambda v: "—" if v is None else format_decimal(v, format="#,##0.##"),
        start=date.fromisoformat(data["period"]["from"]),
        end=date.fromisoformat(data["period"]["to"]),
        today=date.fromisoformat(data["as_of"]),
        differences=differences(data),
        names=INDICATOR_LABELS,
        notes=INDICATOR_NOTES,
        decision=metrics.DECISION_766,
        decision_date=metrics.DECISION_766_DATE,
        satisfaction_group=metrics.SATISFACTION_GROUP_POINTS,
    )
