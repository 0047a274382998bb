"""Jinja filters for dates in the office's time zone, money, phones and the app's words.

Dates: a stored ``*_at`` (naive UTC) is shown in the zone of the office the page is about
(``app.web.page_timezone``: the signed-in officer's office on the desk, the public office on
citizen pages, the default zone when there is none). Code that knows the office better — a CSV
export, an SMS — passes ``tz`` itself. The words for statuses, channels, fields… live in
``app.vocabulary``; the filters only expose them to templates.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import get_translations
from jinja2 import pass_context

from app import vocabulary as words
from app.clock import to_local
from app.web import page_timezone


def fmt_date(value: date | datetime | None, tz: ZoneInfo | None = None) -> str:
    """``02/12/2026``; a stored datetime is first read as a local day in ``tz`` (default: the
    page's office zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value, tz or page_timezone()).date()
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def fmt_datetime(value: datetime | None, tz: ZoneInfo | None = None) -> str:
    """``16:30 01/12/2026`` in ``tz`` (default: the page's office zone)."""
    if value is None:
        return ""
    local = to_local(value, tz or page_timezone())
    return f"{local.hour:02d}:{local.minute:02d} {local.day:02d}/{local.month:02d}/{local.year}"


def fmt_time(value: time | None) -> str:
    return words.hm(value) if value else ""


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
        # A date kept as ISO text in a paper's data ("2026-12-10" → "10/12/2026").
        isodate=lambda v: fmt_date(date.fromisoformat(v)) if v else "",
        datetime=fmt_datetime,
        hm=fmt_time,
        vnd=fmt_vnd,
        phone=phone_display,
        status_label=words.status_label,
        channel_label=words.channel_label,
        result_return_label=words.result_return_label,
        online_label=words.online_label,
        field_label=words.field_label,
        weekday=lambda i: words.WEEKDAYS[i],
        weekday_short=lambda i: words.WEEKDAYS_SHORT[i],
        role_label=words.role_label,
        portal_label=words.portal_label,
        office_hours=words.hours_long,
    )
    app.jinja_env.globals.update(
        STATUS_LABELS=words.STATUS_LABELS, FIELD_LABELS=words.FIELD_LABELS,
        PAPER_FORM_LABELS=words.PAPER_FORM_LABELS, EVENT_KIND_LABELS=words.EVENT_KIND_LABELS,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    _fast_gettext(app)


# The template's translations, looked up once per render instead of once per ``_()``: a guide
# page says ``_()`` some thirty times, and Flask-Babel's lookup (request globals, domain, locale)
# was a tenth of an uncached page's cost. A template rendered inside ``force_locale`` still gets
# that locale (the context processor runs inside it); an imported macro, which has no context,
# falls back to Flask-Babel's own lookup.
_TRANSLATIONS = "_babel_translations"


def _translations(context):
    found = context.get(_TRANSLATIONS) if context is not None else None
    return found if found is not None else get_translations()


def _fast_gettext(app: Flask) -> None:
    @pass_context
    def gettext(context, s):
        return _translations(context).ugettext(s)

    @pass_context
    def ngettext(context, s, p, n):
        return _translations(context).ungettext(s, p, n)

    @pass_context
    def pgettext(context, c, s):
        return _translations(context).upgettext(c, s)

    @pass_context
    def npgettext(context, c, s, p, n):
        return _translations(context).unpgettext(c, s, p, n)

    app.jinja_env.install_gettext_callables(
        gettext=gettext, ngettext=ngettext, newstyle=True, pgettext=pgettext,
        npgettext=npgettext)
    app.context_processor(lambda: {_TRANSLATIONS: get_translations()})
