"""The province's public scorecard (issue 13, item 7): the commune scorecard's headline figures
summed over every commune for the last 12 months, and one line per commune linking to its own
scorecard. Counts and rates only, no personal data; works with JavaScript off.

With one commune in the database this is simply that commune's scorecard. The sums come from
``metrics.public_index`` with ``Scope(None)`` (every commune; about 30 queries whatever their
number) and the lines from ``metrics.commune_figures`` (a handful of grouped queries), over the
same 12 months, so the lines add up to the totals.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, render_template, url_for
from flask_babel import format_decimal

from app import metrics
from app.citizen import bp
from app.citizen import scorecard as commune_scorecard
from app.clock import local_date, utcnow
from app.extensions import db
from app.models import Office
from app.search import fold
from app.vocabulary import INDICATOR_LABELS, INDICATOR_NOTES


def scorecard_url(office: Office) -> str:
    """A commune's own scorecard (``/<code>/index`` once communes have their addresses)."""
    return url_for("citizen.scorecard", code=office.slug)


@bp.route("/province")
def province_index():
    offices = list(db.session.scalars(sa.select(Office)))
    if not offices:  # an empty database: nothing to show yet, but no 500
        abort(503)
    if len(offices) == 1:
        return commune_scorecard.scorecard()
    offices.sort(key=lambda o: (fold(o.name), o.code))
    now_utc = utcnow()
    # Every commune keeps Vietnam's time; the first one's zone gives "today".
    data = metrics.public_index(offices[0], now_utc, metrics.Scope(None))
    period = metrics.public_period(local_date(now_utc, offices[0].tz))
    rows = metrics.commune_figures(offices, period, now_utc)
    return render_template(
        "citizen/province_index.html",
        data=data,
        rows=rows,
        percent=commune_scorecard.percent,
        rate=lambda value: commune_scorecard.percent(metrics.pct(value)),
        number=lambda v: "—" if v is None else format_decimal(v, format="#,##0.##"),
        start=date.fromisoformat(data["period"]["from"]),
        end=date.fromisoformat(data["period"]["to"]),
        today=date.fromisoformat(data["as_of"]),
        names=INDICATOR_LABELS,
        notes=INDICATOR_NOTES,
        decision=metrics.DECISION_766,
        decision_date=metrics.DECISION_766_DATE,
        scorecard_url=scorecard_url,
    )
