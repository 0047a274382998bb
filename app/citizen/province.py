"""The province's public scorecard (issue 13, item 7): the commune scorecard's headline figures
summed over every commune for the last 12 months, and one line per commune linking to its own
scorecard. Counts and rates only, no personal data; works with JavaScript off.

With one commune in the database this is simply that commune's scorecard. The figures come from
``metrics.province_public`` (grouped queries and one pass over the year's dossiers, whatever the
number of communes), the lines from ``metrics.commune_figures`` over the same days, so they add
up to the totals. A worker keeps the result while no dossier, event or feedback is added.
"""

from __future__ import annotations

import time
from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, render_template, url_for
from flask_babel import format_decimal

from app import metrics
from app.citizen import bp
from app.citizen import scorecard as commune_scorecard
from app.clock import local_date, utcnow
from app.extensions import db
from app.models import Dossier, DossierEvent, Feedback, Office
from app.search import fold
from app.vocabulary import INDICATOR_LABELS, INDICATOR_NOTES

#: How long a worker keeps the roll-up at most, even when nothing it can see has changed (a
#: due date moved by hand adds no event).
MEMO_SECONDS = 300
_memo: dict[tuple, tuple[float, dict]] = {}


def _fingerprint() -> tuple:
    """What changes whenever a figure of the roll-up can: the newest dossier, dossier event
    and feedback (every status change adds an event) and the communes; primary-key maxima,
    so one cheap query."""
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.max(Dossier.id)).scalar_subquery(),
        sa.select(sa.func.max(DossierEvent.id)).scalar_subquery(),
        sa.select(sa.func.max(Feedback.id)).scalar_subquery(),
        sa.select(sa.func.count(Office.id)).scalar_subquery(),
    )).one())


def province_data(offices: list[Office]) -> dict:
    """``metrics.province_public``, kept by this worker while nothing it counts has changed
    (about a second to build for 100 communes; a cache, not a store: any worker rebuilds the
    same numbers from the database)."""
    now_utc = utcnow()
    key = (id(current_app), local_date(now_utc, offices[0].tz), _fingerprint())
    hit = _memo.get(key)
    if hit is not None and time.monotonic() - hit[0] < MEMO_SECONDS:
        return hit[1]
    data = metrics.province_public(offices, now_utc)
    data["communes"] = [(r.office.name, r.office.slug, r) for r in data["communes"]]
    _memo.clear()
    _memo[key] = (time.monotonic(), data)
    return data


@bp.route("/province")
def province_index():
    offices = list(db.session.scalars(sa.select(Office).order_by(Office.id)))
    if not offices:  # an empty database: nothing to show yet, but no 500
        abort(503)
    if len(offices) == 1:
        return commune_scorecard.scorecard()
    data = province_data(offices)
    rows = sorted(data["communes"], key=lambda c: (fold(c[0]), c[1]))
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
        scorecard_url=lambda slug: url_for("citizen.scorecard", code=slug),
    )
