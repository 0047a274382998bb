"""The short guide by SMS: ``HD <keyword>`` and the guide page's "send this guide to my phone".

A guide text is at most two GSM-7 segments (``app.budgets.SMS_GUIDE_SEGMENTS``; docs/DESIGN.md,
Budgets) and always ends with the guide's link, because the link is the one part a citizen cannot get any other way. When the
procedure's words do not fit, the free parts are shortened — the time first, then the fee,
then the summary — never the name or the link.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.budgets import SMS_GUIDE_SEGMENTS
from app.clock import to_local
from app.codes import fold
from app.deadlines import parse_hhmm
from app.extensions import db
from app.filters import phone_display
from app.models import Office, Procedure, utcnow
from app.phones import is_vietnamese_mobile
from app.sms.gsm import count_segments, truncate_to_segments
from app.sms.outbox import is_opted_out, queue_message
from app.sms.public_budget import budget_reached
from app.sms.quiet_hours import in_quiet_hours, quiet_ends_at
from app.sms.replies import render_sms
from app.web import public_url

# A keyword a citizen typed is echoed back in the "unknown keyword" reply: keep it short.
KEYWORD_ECHO = 12


def active_procedures(office: Office) -> list[Procedure]:
    return list(
        db.session.scalars(
            sa.select(Procedure)
            .where(Procedure.office_id == office.id, Procedure.active)
            .order_by(Procedure.position, Procedure.id)
        )
    )


def keywords(office: Office) -> str:
    """``KS, KT, KH, …`` in the order of the guide list."""
    return ", ".join(p.sms_keyword for p in active_procedures(office))


def find_procedure(office: Office, keyword: str) -> Procedure | None:
    """The procedure a citizen meant by ``keyword`` (already folded upper-case by the parser).

    Tried in order: the SMS keyword itself (``KS``), with spaces removed (``K S``), a keyword
    among the words (``KS GIAY``), the words of the procedure's name (``KHAI SINH`` finds
    *Đăng ký khai sinh*), and a keyword one typo away (``KSS``, ``HKDD``).
    """
    procedures = active_procedures(office)
    wanted = fold(keyword or "").strip()
    if not wanted or not procedures:
        return None
    by_keyword = {fold(p.sms_keyword): p for p in procedures}
    compact = "".join(ch for ch in wanted if ch.isalnum())
    if compact in by_keyword:
        return by_keyword[compact]
    for word in wanted.split():
        if word in by_keyword:
            return by_keyword[word]
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in wanted).split() if w]
    if words:
        for proc in procedures:
            names = " ".join(fold(c.name) for c in proc.contents)
            name_words = "".join(ch if ch.isalnum() else " " for ch in names).split()
            if all(w in name_words for w in words) and len(" ".join(words)) >= 4:
                return proc
    close = difflib.get_close_matches(compact, list(by_keyword), n=1, cutoff=0.75)
    return by_keyword[close[0]] if close and len(compact) >= 3 else None


def guide_link(procedure: Procedure, lang: str, office: Office | None = None) -> str:
    """``PUBLIC_BASE_URL/<commune>/procedures/<slug>``, under ``office`` (the commune the text
    is from; by default the page's or the default commune); the request's own host when
    ``PUBLIC_BASE_URL`` is not set."""
    return public_url("citizen.guide", slug=procedure.slug, office=office) + (
        "?lang=en" if lang == "en" else "")


def _cut(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters on a word boundary, with ``..`` when cut."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    if length < 4:
        return ""
    head = text[: length - 2]
    if " " in head and not text[length - 2].isspace():
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.-") + ".."


def _fits(body: str, budget: int) -> bool:
    return count_segments(body).segments <= budget


def guide_reply(office: Office, procedure: Procedure, lang: str) -> str:
    """The guide text for ``procedure`` in ``lang``, GSM-7, at most ``SMS_GUIDE_SEGMENTS``."""
    content = procedure.content(lang)
    summary = content.sms_summary or ""
    if not summary and content.documents:
        summary = "; ".join(content.documents)
    ctx = {
        "case": "found",
        "name": content.name,
        "keyword": procedure.sms_keyword,
        "summary": summary,
        # The SMS summary is written to say what to bring, the fee and the time in plain words:
        # the formal fee and time are only for a procedure without one (never said twice).
        "fee": content.fee if not procedure.is_howto and not content.sms_summary else "",
        "time": content.time if not procedure.is_howto and not content.sms_summary else "",
        "link": guide_link(procedure, lang, office),
        "office_phone": phone_display(office.phone),
    }
    body = render_sms("guide", lang, **ctx)
    for key in ("time", "fee", "summary", "name"):
        if _fits(body, SMS_GUIDE_SEGMENTS):
            break
        full = ctx[key]
        # Bisect the longest cut of this part that fits; the count only grows with length.
        low, high = 0, len(full)
        while low < high:
            middle = (low + high + 1) // 2
            trial = render_sms("guide", lang, **(ctx | {key: _cut(full, middle)}))
            if _fits(trial, SMS_GUIDE_SEGMENTS):
                low = middle
            else:
                high = middle - 1
        ctx[key] = _cut(full, low)
        body = render_sms("guide", lang, **ctx)
    # A link longer than the whole budget (a misconfigured PUBLIC_BASE_URL) is the only way here.
    return truncate_to_segments(body, SMS_GUIDE_SEGMENTS)


def keyword_reply(office: Office, lang: str, keyword: str | None) -> str:
    """The reply to ``HD`` without a keyword, or with one no procedure answers to."""
    procs = active_procedures(office)
    example = procs[0].sms_keyword if procs else "KS"
    ctx = {
        "case": "unknown" if keyword else "missing",
        "keyword": _cut(keyword or "", KEYWORD_ECHO),
        "keywords": keywords(office),
        "example": example,
    }
    return truncate_to_segments(render_sms("guide", lang, **ctx), 2)


def guide_arrives_at(office: Office, now: datetime) -> datetime | None:
    """When a guide queued at ``now`` (naive UTC) can go out, as the office's local time, if
    the quiet hours (``SMS_QUIET_START``–``SMS_QUIET_END``) hold it back; None when the worker
    sends it at once. The same rule the worker applies (``app.sms.worker.loop``): a guide asked
    for on the web is no reply to a fresh text, so it waits for the morning like any other."""
    config = current_app.config
    start = parse_hhmm(config.get("SMS_QUIET_START"))
    end = parse_hhmm(config.get("SMS_QUIET_END"))
    if end is None or not in_quiet_hours(to_local(now, office.tz), start, end):
        return None
    return to_local(quiet_ends_at(now, office.tz, end), office.tz)


class GuideRefused(ValueError):
    """The guide cannot be texted to this phone; the message says why, translated, and
    ``status`` is the HTTP status the form answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def send_guide(office: Office, procedure: Procedure, phone: str, lang: str, today: date) -> bool:
    """Queue the guide text for ``phone`` through the outbox (kind ``guide``) and commit.

    At most once per phone, procedure and day (``dedupe_key``): a double click or a reload of
    the form does not text the citizen twice. Returns False when it was already queued today.
    Raises :class:`GuideRefused` for a phone that said STOP: we never text it.
    """
    if not is_vietnamese_mobile(phone):  # SMS pumping: app/sms/public_budget.py
        raise GuideRefused(
            _("Chỉ gửi được tới số di động Việt Nam. Ví dụ: 0912 345 678.")
        )
    if is_opted_out(phone):
        raise GuideRefused(
            _("Số này đã báo ngừng nhận tin nhắn. Muốn nhận lại, nhắn BATLAI tới số của xã.")
        )
    if budget_reached(office):
        raise GuideRefused(
            _("Hôm nay xã đã gửi hết số tin nhắn hướng dẫn được phép. Hướng dẫn vẫn có trên "
              "trang này; ngày mai bạn có thể thử lại."),
            status=429,
        )
    key = f"guide:{phone}:{procedure.id}:{today.isoformat()}"
    body = guide_reply(office, procedure, lang)
    message = queue_message(
        office_id=office.id, phone=phone, body=body, kind="guide", dedupe_key=key,
        send_after=utcnow(),
    )
    if message is None:
        return False
    try:
        db.session.commit()
    except IntegrityError:  # the same form posted twice at once: the other one won
        db.session.rollback()
        return False
    return True


__all__ = [
    "GuideRefused",
    "find_procedure",
    "guide_arrives_at",
    "guide_link",
    "guide_reply",
    "keyword_reply",
    "keywords",
    "send_guide",
]
