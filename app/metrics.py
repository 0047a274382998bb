"""The service index: every number the leader's dashboard, the public scorecard and the open
API show, defined in one place.

Plain rules shared by every figure
----------------------------------
* A period is a range of **local calendar days** in the office's time zone, ``start``
  included and ``end`` excluded. ``*_at`` columns hold naive UTC, so the period is turned into
  UTC bounds once (``utc_bounds``): a dossier received at 23:30 on 31 March in Vietnam is a
  March dossier even though it is 16:30 UTC; one received at 00:30 on 1 April (17:30 UTC on
  31 March) is an April dossier.
* A filter (``Scope``) may narrow everything to one procedure and/or one officer in charge
  (``Dossier.officer_id``). SMS follow the filter through the dossier they are about; feedback
  through its procedure (procedure filter) and its dossier (officer filter). With a filter,
  messages and feedback tied to no dossier or procedure are left out.
* **Withdrawn dossiers** (the citizen took the papers back) count in "received" and in the
  two online figures, because those describe how dossiers *arrive*. They are left out of every
  figure that judges how the office *handled* dossiers: finished, in progress, overdue,
  on time, days to finish, and the 766 on-time and satisfaction scores. A withdrawal is the
  citizen's choice, not a result the office delivered late or early.
* "Finished" means the office gave an answer: the result is ready, has been handed over, or
  the dossier was refused (``FINISHED_STATUSES``). Its date is ``finished_at`` (set when it
  became ready or rejected), read as a local date.
* "On time" means finished on or before the due day (``due_on``, a local date).
* "Overdue" is not a status: a dossier still open whose due day is before today (local).
* Rates are ``None`` when there is nothing to divide by: the pages say "no data", never 0 %.

The Decision 766/QĐ-TTg figures (what the province sees) are beside the plain ones in
``Index766``; their definitions are on ``index_766``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.clock import local_date, local_midnight_utc, utcnow
from app.deadlines import working_days_between
from app.extensions import db
from app.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Dossier,
    Feedback,
    Message,
    Office,
    Procedure,
)

# Decision 766/QĐ-TTg of 23 June 2022: the points of each indicator we can measure, and the ratio
# at which the full points are earned (docs/DOMAIN.md). Satisfaction's target is 90 %. The notes
# name no target for on-time handling or full-online dossiers, so they need 100 % for full points
# (the points are then simply ratio × max). The satisfaction *group* is worth 18 points, but the
# one indicator the commune's data measures — satisfaction with dossier handling — is worth at
# most 6 of them; the other two (complaints handled on time, satisfaction with that handling) are
# scored by the province.
DECISION_766 = "766/QĐ-TTg"
DECISION_766_DATE = date(2022, 6, 23)
SATISFACTION_GROUP_POINTS = 18
POINTS_766 = {"on_time": 20, "online": 12, "satisfaction": 6}
TARGETS_766 = {"on_time": 1.0, "online": 1.0, "satisfaction": 0.9}
#: How a result must go back for a dossier to count as fully online (Decision 766).
FULL_ONLINE_RETURNS = ("online", "post")
# Tracked beside the 766 points: the share of dossiers filed online, target 50 %.
ONLINE_SHARE_TARGET = 0.5

# A 1–5 rating on the national portal's three levels, for reports: 5 is "very satisfied",
# 3 ("so-so") and 4 are "satisfied", 1–2 are "not satisfied" and count as a complaint.
PORTAL_LEVELS = ("very_satisfied", "satisfied", "not_satisfied")
COMPLAINT_MAX_RATING = 2

# Outbound SMS statuses: "sent" counts what reached the carrier (sent or delivered); the cost
# is the segments of those messages. Queued or retrying messages are counted as "waiting".
SMS_SENT = ("sent", "delivered")
SMS_WAITING = ("queued", "sending")

MAX_SERIES_MONTHS = 36


def ratio(numerator: int | float, denominator: int | float) -> float | None:
    """``numerator ÷ denominator``, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


# ----------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """Local calendar days ``start`` (included) to ``end`` (excluded)."""

    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        result, month = [], self.start.replace(day=1)
        while month < self.end:
            result.append(month)
            month = add_months(month, 1)
        return result


def add_months(first: date, n: int) -> date:
    """The first day of the month ``n`` months after the month of ``first``."""
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_period(day: date) -> Period:
    first = day.replace(day=1)
    return Period(first, add_months(first, 1))


def quarter_period(day: date) -> Period:
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(first, add_months(first, 3))


def year_period(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year + 1, 1, 1))


def last_12_months(day: date) -> Period:
    """The current month (so far) and the eleven before it: what the public scorecard shows."""
    first = day.replace(day=1)
    return Period(add_months(first, -11), add_months(first, 1))


def utc_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return local_midnight_utc(period.start, tz), local_midnight_utc(period.end, tz)


# ----------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """Whose dossiers: an office, optionally one procedure and/or one officer in charge."""

    office_id: int
    procedure_id: int | None = None
    officer_id: int | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.procedure_id or self.officer_id)

    def dossiers(self) -> list[sa.ColumnElement[bool]]:
        clauses = [Dossier.office_id == self.office_id]
        if self.procedure_id:
            clauses.append(Dossier.procedure_id == self.procedure_id)
        if self.officer_id:
            clauses.append(Dossier.officer_id == self.officer_id)
        return clauses


def _finish_time() -> sa.ColumnElement:
    # A returned dossier keeps the finished_at of its "ready" step; closed_at covers a row
    # imported as returned without one.
    return sa.func.coalesce(Dossier.finished_at, Dossier.closed_at)


# ----------------------------------------------------------------------------- figures


@dataclass
class OverdueRow:
    """An open dossier past its due day, for the leader's list (no applicant data)."""

    code: str
    procedure: Procedure
    officer_name: str
    received_at: datetime
    due_on: date
    status: str
    working_days_late: int  # working days after the due day up to today; 0 = late since a day off
    days_late: int  # calendar days after the due day
    # The new date of the latest apology (app.papers) when it is today or later: the citizen
    # was told. None: no apology in force — the desk owes one (Decree 118/2025).
    promised_on: date | None = None


@dataclass
class Sms:
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    waiting: int = 0
    segments: int = 0  # of the messages sent: what the carrier bills


@dataclass
class Satisfaction:
    count: int = 0  # feedback items with a rating
    total: int = 0  # sum of ratings
    good: int = 0  # rated 4 or 5
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PORTAL_LEVELS, 0))

    @property
    def mean(self) -> float | None:
        return ratio(self.total, self.count)

    @property
    def good_share(self) -> float | None:
        return ratio(self.good, self.count)


@dataclass
class Indicator:
    """One Decision 766 indicator: numerator ÷ denominator against a target, in points."""

    key: str
    numerator: float
    denominator: int
    max_points: int
    target: float

    @property
    def ratio(self) -> float | None:
        value = ratio(self.numerator, self.denominator)
        return None if value is None else max(0.0, min(1.0, value))

    @property
    def points(self) -> float | None:
        """Full points once the ratio reaches the target, else ratio ÷ target × max."""
        if self.ratio is None:
            return None
        return round(self.max_points * min(1.0, self.ratio / self.target), 2)


@dataclass
class Index766:
    on_time: Indicator
    online: Indicator
    satisfaction: Indicator
    late: int  # dossiers counted as late in the satisfaction score
    complaints: int  # dossiers with a 1–2 rating
    late_or_complaint: int = 0  # dossiers subtracted from satisfaction: each once
    refused: int = 0  # refused (từ chối), counted apart: they count as answered, not granted

    @property
    def indicators(self) -> list[Indicator]:
        return [self.on_time, self.online, self.satisfaction]

    @property
    def points(self) -> float:
        return round(sum(i.points or 0 for i in self.indicators), 2)

    @property
    def max_points(self) -> int:
        return sum(i.max_points for i in self.indicators)


@dataclass
class Figures:
    """The headline numbers for one period and scope."""

    period: Period
    today: date
    received: int
    withdrawn: int
    online: int
    finished: int
    finished_on_time: int
    working_days_total: int
    in_progress: int
    overdue: list[OverdueRow]
    sms: Sms
    satisfaction: Satisfaction
    feedback_open: int
    index: Index766
    refused: int = 0  # refused in the period (từ chối tiếp nhận / giải quyết), counted apart

    @property
    def overdue_with_apology(self) -> int:
        return sum(1 for r in self.overdue if r.promised_on is not None)

    @property
    def overdue_without_apology(self) -> int:
        return len(self.overdue) - self.overdue_with_apology

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.finished_on_time, self.finished)

    @property
    def online_share(self) -> float | None:
        return ratio(self.online, self.received)

    @property
    def avg_working_days(self) -> float | None:
        return ratio(self.working_days_total, self.finished)

    @property
    def finished_late(self) -> int:
        return self.finished - self.finished_on_time


@dataclass
class Month:
    """One month of the series (the same definitions as the headline figures)."""

    month: date
    received: int
    online: int
    finished: int
    finished_on_time: int

    # The same two definitions as the headline figures, not a copy of them.
    on_time_rate = Figures.on_time_rate
    online_share = Figures.online_share


def arrivals(scope: Scope, start_utc: datetime, end_utc: datetime) -> tuple[int, int, int]:
    """(received, received online, withdrawn) among dossiers received in ``[start, end)``.

    Received: every dossier whose ``received_at`` falls in the period, withdrawn ones too.
    Online: of those, the ones that came through the ``online`` channel.
    """
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Dossier.channel == "online"),
            sa.func.count().filter(Dossier.status == "withdrawn"),
        ).where(*scope.dossiers(), Dossier.received_at >= start_utc, Dossier.received_at < end_utc)
    ).one()
    return row[0] or 0, row[1] or 0, row[2] or 0


def finished_rows(
    scope: Scope, start_utc: datetime, end_utc: datetime, tz: ZoneInfo
) -> list[tuple[date, date, int]]:
    """Dossiers finished in ``[start, end)``: (finish day, due day, working days taken).

    Working days taken: working days after the local day of receipt up to and including the
    day of the answer; 0 means answered the same day (or before the next working day).
    """
    finish = _finish_time()
    rows = db.session.execute(
        sa.select(Dossier.received_at, Dossier.due_on, finish).where(
            *scope.dossiers(),
            Dossier.status.in_(FINISHED_STATUSES),
            finish >= start_utc,
            finish < end_utc,
        )
    )
    result = []
    for received_at, due_on, finished_at in rows:
        done = local_date(finished_at, tz)
        result.append((done, due_on, working_days_between(local_date(received_at, tz), done)))
    return result


def in_progress_at(scope: Scope, moment_utc: datetime) -> int:
    """Dossiers open at ``moment`` (received before it, not yet answered then), withdrawn
    ones excluded. For a period that has ended this is the backlog on its last evening; for
    the current period, the backlog now."""
    finish = _finish_time()
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                *scope.dossiers(),
                Dossier.status != "withdrawn",
                Dossier.received_at < moment_utc,
                sa.or_(finish.is_(None), finish >= moment_utc),
            )
        )
        or 0
    )


def overdue_now(scope: Scope, today: date) -> list[OverdueRow]:
    """Every dossier open today whose due day has passed, whenever it was received (a leader
    must see all of them, not only this period's), the longest late first."""
    dossiers = db.session.scalars(
        sa.select(Dossier)
        .where(*scope.dossiers(), Dossier.status.in_(OPEN_STATUSES), Dossier.due_on < today)
        .options(
            selectinload(Dossier.procedure).selectinload(Procedure.contents),
            selectinload(Dossier.officer),
        )
        .order_by(Dossier.due_on, Dossier.id)
    )
    return [
        OverdueRow(
            code=d.code,
            procedure=d.procedure,
            officer_name=d.officer.name if d.officer else "",
            received_at=d.received_at,
            due_on=d.due_on,
            status=d.status,
            working_days_late=working_days_between(d.due_on, today),
            days_late=(today - d.due_on).days,
            promised_on=d.promised_on if d.promised_on and d.promised_on >= today else None,
        )
        for d in dossiers
    ]


def sms_figures(scope: Scope, start_utc: datetime, end_utc: datetime) -> Sms:
    """Outbound texts created in the period: sent (reached the carrier: sent or delivered),
    delivered (the carrier says so; "probably delivered" in Vietnam), failed, still waiting,
    and the segments of the sent ones (the bill)."""
    sent = Message.status.in_(SMS_SENT)
    query = (
        sa.select(
            sa.func.count().filter(sent),
            sa.func.count().filter(Message.status == "delivered"),
            sa.func.count().filter(Message.status == "failed"),
            sa.func.count().filter(Message.status.in_(SMS_WAITING)),
            sa.func.coalesce(sa.func.sum(Message.segments).filter(sent), 0),
        )
        .select_from(Message)
        .where(
            Message.office_id == scope.office_id,
            Message.direction == "out",
            # The try-it page's replies were stored as "sent" before it became a sandbox; they
            # never reached a phone and never cost anything.
            Message.channel != "try",
            Message.created_at >= start_utc,
            Message.created_at < end_utc,
        )
    )
    if scope.filtered:
        query = query.join(Dossier, Dossier.id == Message.dossier_id).where(*scope.dossiers())
    row = db.session.execute(query).one()
    return Sms(*(int(v or 0) for v in row))


def _feedback_scope(query: sa.Select, scope: Scope) -> sa.Select:
    query = query.select_from(Feedback).where(Feedback.office_id == scope.office_id)
    if scope.procedure_id:
        query = query.where(Feedback.procedure_id == scope.procedure_id)
    if scope.officer_id:
        query = query.join(Dossier, Dossier.id == Feedback.dossier_id).where(
            Dossier.officer_id == scope.officer_id
        )
    return query


def satisfaction(scope: Scope, start_utc: datetime, end_utc: datetime) -> Satisfaction:
    """Ratings (1–5) given in the period: how many, their mean, the share of 4–5, and the
    portal's three levels (5 very satisfied; 3–4 satisfied; 1–2 not satisfied).

    Only ``proven`` ratings (from the dossier's phone, docs/SECURITY.md): an anonymous web form
    must not move a public index."""
    rating = Feedback.rating
    row = db.session.execute(
        _feedback_scope(
            sa.select(
                sa.func.count(rating),
                sa.func.coalesce(sa.func.sum(rating), 0),
                sa.func.count().filter(rating >= 4),
                sa.func.count().filter(rating == 5),
                sa.func.count().filter(rating.between(3, 4)),
                sa.func.count().filter(rating <= COMPLAINT_MAX_RATING),
            ).where(
                rating.is_not(None),
                Feedback.proven,
                Feedback.created_at >= start_utc,
                Feedback.created_at < end_utc,
            ),
            scope,
        )
    ).one()
    count, total, good, very, fine, bad = (int(v or 0) for v in row)
    return Satisfaction(
        count=count,
        total=total,
        good=good,
        levels={"very_satisfied": very, "satisfied": fine, "not_satisfied": bad},
    )


def feedback_open(scope: Scope) -> int:
    """Feedback nobody has marked handled yet, whenever it came: the inbox's to-do count."""
    return (
        db.session.scalar(
            _feedback_scope(sa.select(sa.func.count()), scope).where(Feedback.handled_at.is_(None))
        )
        or 0
    )


def index_766(
    scope: Scope, start_utc: datetime, end_utc: datetime, today: date, tz: ZoneInfo
) -> Index766:
    """The Decision 766 figures for dossiers received in the period.

    * On-time handling (20 points): dossiers answered on or before their due day, plus those
      still open and not yet past it, ÷ dossiers received (withdrawn left out).
    * Online (12 points): fully-online dossiers — filed through the online channel for a
      procedure that can be done fully online (``online_mode`` "full") **and** whose result went
      back online or by post (``result_return``, ``FULL_ONLINE_RETURNS``) — ÷ dossiers received
      for such procedures (withdrawn included: this is about how they arrived).
    * Satisfaction with dossier handling (6 of the group's 18 points): 100 % − the share of
      dossiers that were late or drew a complaint, target 90 %. Late: answered after the due
      day, or open and past it. Complaint: the dossier has a rating of 1–2 ("not satisfied" on
      the portal's scale), given at any time from the dossier's phone (``Feedback.proven``).
      A late dossier with a low rating is subtracted once, not twice (docs/DOMAIN.md).
    Points: full once the ratio reaches the target, else ratio ÷ target × the indicator's max.
    """
    finish = _finish_time()
    rows = db.session.execute(
        sa.select(
            Dossier.id,
            Dossier.status,
            Dossier.due_on,
            finish,
            Dossier.channel,
            Procedure.online_mode,
            Dossier.result_return,
        )
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(*scope.dossiers(), Dossier.received_at >= start_utc, Dossier.received_at < end_utc)
    ).all()
    handled = [r for r in rows if r.status != "withdrawn"]
    on_time = 0
    late_ids: set[int] = set()
    for r in handled:
        if r.status in FINISHED_STATUSES and r[3] is not None:
            ok = local_date(r[3], tz) <= r.due_on
        else:  # open (a finished row always has a finish time; be safe anyway)
            ok = today <= r.due_on
        on_time += ok
        if not ok:
            late_ids.add(r.id)
    ids = [r.id for r in handled]
    complaint_ids: set[int] = set()
    if ids:
        complaint_ids = set(
            db.session.scalars(
                sa.select(Feedback.dossier_id).distinct().where(
                    Feedback.dossier_id.in_(ids), Feedback.rating <= COMPLAINT_MAX_RATING,
                    Feedback.proven,
                )
            )
        )
    eligible = [r for r in rows if r.online_mode == "full"]
    full_online = sum(
        1 for r in eligible if r.channel == "online" and r.result_return in FULL_ONLINE_RETURNS
    )
    n = len(handled)
    # 100 % − (late or complaint) / n: a dossier both late and rated low counts once.
    bad = late_ids | complaint_ids
    satisfied = n - len(bad)
    return Index766(
        on_time=Indicator("on_time", on_time, n, POINTS_766["on_time"], TARGETS_766["on_time"]),
        online=Indicator(
            "online", full_online, len(eligible), POINTS_766["online"], TARGETS_766["online"]
        ),
        satisfaction=Indicator(
            "satisfaction", satisfied, n, POINTS_766["satisfaction"], TARGETS_766["satisfaction"]
        ),
        late=len(late_ids),
        complaints=len(complaint_ids),
        late_or_complaint=len(bad),
        refused=sum(1 for r in handled if r.status == "rejected"),
    )


def figures(
    office: Office, period: Period, scope: Scope | None = None, now_utc: datetime | None = None
) -> Figures:
    """Every headline figure for ``period`` (local days) and ``scope``; ``now_utc`` fixes
    "now" (naive UTC) for tests and reports."""
    scope = scope or Scope(office.id)
    tz = office.tz
    now_utc = now_utc or utcnow()
    today = local_date(now_utc, tz)
    start_utc, end_utc = utc_bounds(period, tz)
    received, online, withdrawn = arrivals(scope, start_utc, end_utc)
    done = finished_rows(scope, start_utc, end_utc, tz)
    return Figures(
        period=period,
        today=today,
        received=received,
        withdrawn=withdrawn,
        online=online,
        finished=len(done),
        finished_on_time=sum(1 for day, due, _ in done if day <= due),
        working_days_total=sum(days for _, _, days in done),
        in_progress=in_progress_at(scope, min(end_utc, now_utc)),
        overdue=overdue_now(scope, today),
        sms=sms_figures(scope, start_utc, end_utc),
        satisfaction=satisfaction(scope, start_utc, end_utc),
        feedback_open=feedback_open(scope),
        index=index_766(scope, start_utc, end_utc, today, tz),
        refused=refused_in(scope, start_utc, end_utc),
    )


def refused_in(scope: Scope, start_utc: datetime, end_utc: datetime) -> int:
    """Dossiers refused (status rejected) with the refusal in ``[start, end)``."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            *scope.dossiers(), Dossier.status == "rejected",
            Dossier.finished_at >= start_utc, Dossier.finished_at < end_utc,
        )
    ) or 0


def chart_months(period: Period) -> Period:
    """The months a chart shows for ``period``: at least the twelve months ending with the
    period's last month (a single month makes no trend), at most the last 36."""
    last = period.last_day.replace(day=1)
    first = min(period.start.replace(day=1), add_months(last, -11))
    first = max(first, add_months(last, -(MAX_SERIES_MONTHS - 1)))
    return Period(first, add_months(last, 1))


def monthly(office: Office, period: Period, scope: Scope | None = None) -> list[Month]:
    """Month by month over ``period`` (whole months), with the headline definitions:
    received and online by the local month of receipt; finished and on time by the local month
    of the answer."""
    scope = scope or Scope(office.id)
    tz = office.tz
    result = []
    for first in period.months():
        start_utc, end_utc = utc_bounds(Period(first, add_months(first, 1)), tz)
        received, online, _ = arrivals(scope, start_utc, end_utc)
        done = finished_rows(scope, start_utc, end_utc, tz)
        result.append(
            Month(
                month=first,
                received=received,
                online=online,
                finished=len(done),
                finished_on_time=sum(1 for day, due, _ in done if day <= due),
            )
        )
    return result


# ----------------------------------------------------------------------------- public


def pct(value: float | None) -> float | None:
    """A ratio as a percentage with one decimal, for JSON and pages."""
    return None if value is None else round(value * 100, 1)


def public_index(office: Office, now_utc: datetime | None = None) -> dict:
    """The commune's headline rates for the last 12 months, with no personal data: what the
    public scorecard and ``GET /api/v1/index`` show (the same dictionary for both)."""
    now_utc = now_utc or utcnow()
    today = local_date(now_utc, office.tz)
    # The current month and the eleven before it, ending today: the data ends today, so the page
    # must not say "to 31/12".
    period = Period(last_12_months(today).start, today + timedelta(days=1))
    fig = figures(office, period, now_utc=now_utc)
    months = monthly(office, period)
    idx = fig.index
    return {
        "office": office.code,
        "period": {"from": period.start.isoformat(), "to": period.last_day.isoformat()},
        "as_of": today.isoformat(),
        "received": fig.received,
        "finished": fig.finished,
        "finished_on_time": fig.finished_on_time,
        "in_progress": fig.in_progress,
        "overdue_now": len(fig.overdue),
        "overdue_with_apology": fig.overdue_with_apology,
        "overdue_without_apology": fig.overdue_without_apology,
        "refused": fig.refused,
        "on_time_rate": pct(fig.on_time_rate),
        "online_share": pct(fig.online_share),
        "online_share_target": pct(ONLINE_SHARE_TARGET),
        "avg_working_days": None
        if fig.avg_working_days is None
        else round(fig.avg_working_days, 1),
        "satisfaction": {
            "ratings": fig.satisfaction.count,
            "mean": None if fig.satisfaction.mean is None else round(fig.satisfaction.mean, 2),
            "good_share": pct(fig.satisfaction.good_share),
            "levels": dict(fig.satisfaction.levels),
        },
        "index_766": {
            "points": idx.points,
            "max_points": idx.max_points,
            "refused": idx.refused,
            "indicators": [
                {
                    "key": i.key,
                    "numerator": i.numerator,
                    "denominator": i.denominator,
                    "ratio": pct(i.ratio),
                    "target": pct(i.target),
                    "points": i.points,
                    "max_points": i.max_points,
                }
                for i in idx.indicators
            ],
        },
        "months": [
            {
                "month": m.month.strftime("%Y-%m"),
                "received": m.received,
                "online": m.online,
                "finished": m.finished,
                "finished_on_time": m.finished_on_time,
                "on_time_rate": pct(m.on_time_rate),
                "online_share": pct(m.online_share),
            }
            for m in months
        ],
    }


@dataclass
class HomeSummary:
    on_time_rate: float | None
    finished: int
    overdue: int


def home_summary(office: Office, now_utc: datetime | None = None) -> HomeSummary:
    """This month's on-time rate and today's overdue count, for the officer home panel (the
    same definitions as the dashboard, without the rest of its queries)."""
    now_utc = now_utc or utcnow()
    today = local_date(now_utc, office.tz)
    scope = Scope(office.id)
    start_utc, end_utc = utc_bounds(month_period(today), office.tz)
    done = finished_rows(scope, start_utc, end_utc, office.tz)
    overdue = (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                *scope.dossiers(), Dossier.status.in_(OPEN_STATUSES), Dossier.due_on < today
            )
        )
        or 0
    )
    on_time = sum(1 for day, due, _ in done if day <= due)
    return HomeSummary(on_time_rate=ratio(on_time, len(done)), finished=len(done), overdue=overdue)
