"""Inbound SMS: store the text, read the command, answer it — the one code path every channel
(the Twilio webhook, the Android gateway) goes through; the try-it page runs the same commands
through ``simulate_inbound``, which writes nothing.

``handle_inbound`` stores the inbound ``Message``, runs the command, queues the reply through
the outbox (``kind="reply"``) and commits once. Decisions written down here:

* **Idempotent per (channel, provider id).** Gateways and webhooks deliver the same text more
  than once (docs/DESIGN.md, "Facts from the field"). A second call with the same pair returns the
  first call's result and stores nothing; a race between two calls is settled by the unique
  constraint (the loser's ``IntegrityError`` is rolled back and it reads the winner's row).
* **Personal data only to the dossier's phone.** Like VietOpenCPS's secret, the phone number
  registered on the dossier is the proof: that phone gets the note and the officer's name,
  any other phone only the status and the due date — and finds a dossier printed with check
  letters (app.codes) only by its code with the letters. ``TT <code> <last 4 digits>`` from
  another phone (a relative's) gets the details when the digits are right; each such text
  spends one of the dossier's 10 guesses an hour, shared with the web and the API
  (app.guesses), and once they are spent the digits are not even compared.
* **Ratings and subscriptions only from the dossier's phone.** ``DG`` feeds the satisfaction
  index and ``DK`` sends personal news, so a stranger who saw a receipt can do neither.
* **STOP is final until START.** After ``HUY``/``STOP`` nothing is texted to the phone, not
  even replies; the confirmation is sent once (a second ``HUY`` gets no answer). The phone is
  normalised to E.164 first, so ``0912…`` from a gateway and ``+84912…`` from Twilio are one
  phone, and ``queue_message`` refuses anything else to it (docs/SECURITY.md). Twilio answers
  its own opt-out words (STOP, START, …) itself and blocks the number, so on the Twilio channel
  those words are recorded but not answered a second time by us.
* **Flooding.** More than ``SMS_INBOUND_PER_HOUR`` (default 30) texts from one phone in an hour
  are still stored (nothing a citizen writes is lost; officers see it in the inbox) but not
  answered: a loop with an auto-responder cannot cost the commune money. A retried delivery of
  the same text is recognised before counting, so retries are never limited, and ``HUY`` is
  never limited: opting out works however many texts came before it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import portal as portals
from app.clock import office_now, office_today, utcnow
from app.codes import fold, search_code
from app.extensions import db
from app.feedback import add_sms_comment, rate_by_sms
from app.filters import fmt_time, phone_display
from app.guesses import spend_digit_guess
from app.lookup import digits_match, find_dossier, find_dossier_for_phone
from app.models import (
    Dossier,
    Message,
    Office,
    PhonePreference,
    Subscription,
)
from app.phones import is_vietnamese_mobile, normalise_phone
from app.roster import next_duty, on_duty_now
from app.sms import guide as guides
from app.sms import team as teams
from app.sms.gsm import count_segments, truncate_to_segments
from app.sms.outbox import queue_message
from app.sms.parser import Command, parse
from app.sms.public_budget import ALWAYS_ANSWERED, budget_reached
from app.sms.replies import render_one_segment, render_sms, status_reply_context
from app.vocabulary import WEEKDAYS_SHORT, hours_sms

logger = logging.getLogger(__name__)

#: Replies other than the status (1) and the guide (3) stay within two segments.
OTHER_SEGMENTS = 2
#: Twilio answers these itself (and blocks the number after STOP); see the module docstring.
TWILIO_OPT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "START", "YES", "UNSTOP"}
)
PHONE_MAX = 20  # Message.phone


@dataclass(frozen=True)
class InboundResult:
    """What happened to one inbound text. ``body`` is the reply (None: no reply, because the
    phone said STOP, the sender is flooding, or Twilio answers the word itself)."""

    inbound_id: int
    reply_id: int | None
    command: Command
    body: str | None
    encoding: str = "GSM-7"
    units: int = 0
    segments: int = 0
    duplicate: bool = False
    limited: bool = False
    fallback: bool = False  # an unexpected error: stored, flagged and answered with help


@dataclass
class _Reply:
    """A reply being built: its body and what it is about."""

    body: str | None
    dossier_id: int | None = None
    flag: bool = False  # the inbound needs an officer's attention
    stop_confirmation: bool = False  # the one text an opted-out phone still gets


# ------------------------------------------------------------------------------ helpers


def _pref(phone: str) -> PhonePreference:
    pref = db.session.get(PhonePreference, phone)
    if pref is None:
        pref = PhonePreference(phone=phone, lang="vi", opted_out=False)
        db.session.add(pref)
    return pref


def _example(office: Office) -> str:
    today = office_today(office)
    return f"{office.code}-{today:%y%m%d}-0001"


def _render(template: str, lang: str, max_segments: int = OTHER_SEGMENTS, **context: Any) -> str:
    return truncate_to_segments(render_sms(template, lang, **context), max_segments)


_DIGITS_AFTER = re.compile(r"[ .,:;/_-]*([0-9]{4})[ .!?]*")


def _digits_after_code(text: str, default_prefix: str) -> str | None:
    """The four phone digits written right after the code (``TT VB-261116-0001 5678``)."""
    folded = fold(text)
    found = search_code(folded, default_prefix)
    if found is None:
        return None
    match = _DIGITS_AFTER.fullmatch(folded, found.end)
    return match[1] if match else None


def status_reply(office: Office, dossier: Dossier | None, code: str | None, phone: str,
                 lang: str, *, full: bool = False) -> str:
    """The one-segment answer to ``TT <code>`` (also used by the templates test)."""
    base = {
        "example": _example(office),
        "office_phone": phone_display(office.phone),
        "code": code or "",
        "full": False,
    }
    if dossier is None:
        base["case"] = "not_found" if code else "missing"
        return render_one_segment("status", lang, base)
    full = full or (bool(dossier.phone) and dossier.phone == phone)
    ctx = status_reply_context(dossier, full=full)
    ctx.update(
        case="found",
        procedure=dossier.procedure.content(lang).name,
        example=base["example"],
    )
    return render_one_segment("status", lang, ctx)


# ------------------------------------------------------------------------------ commands


def _status(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    dossier = find_dossier_for_phone(cmd.code, phone)
    full = False
    digits = _digits_after_code(cmd.text or "", office.code) if cmd.code else None
    owner = dossier is not None and bool(dossier.phone) and dossier.phone == phone
    if digits and cmd.code and not owner and spend_digit_guess(cmd.code):
        # A guess like the web's: counted whether or not the dossier exists, compared in
        # constant time; right digits prove the asker as the plain code's owner would be.
        claimed = find_dossier(cmd.code, proven=True)
        if digits_match(claimed, digits):
            dossier, full = claimed, True
    # A code that cannot exist (impossible date) is "not found", echoed as read, like one that
    # names no dossier: the citizen sees what we read instead of the usage again.
    body = status_reply(office, dossier, cmd.code or cmd.code_read or None, phone, lang,
                        full=full)
    return _Reply(body, dossier.id if dossier else None)


def _guide(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    procedure = guides.find_procedure(office, cmd.keyword or "")
    if procedure is None:
        return _Reply(guides.keyword_reply(office, lang, cmd.keyword))
    return _Reply(guides.guide_reply(office, procedure, lang))


def _list(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    procs = guides.active_procedures(office)
    example = procs[0].sms_keyword if procs else "KS"
    return _Reply(_render("list", lang, keywords=guides.keywords(office), example=example))


def _contact(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    now = office_now(office)
    ctx: dict[str, Any] = {
        "case": "none",
        "hours": hours_sms(office),
        "office_phone": phone_display(office.phone),
    }
    duties = [d for d in on_duty_now(office, now) if d.officer.public_phone]
    if duties:
        officer = duties[0].officer
        ctx.update(case="now", name=officer.name, phone=phone_display(officer.public_phone))
    else:
        upcoming = next_duty(office, now)
        if upcoming is not None and upcoming[1].officer.public_phone:
            day, duty = upcoming
            ctx.update(
                case="next",
                weekday=WEEKDAYS_SHORT[day.weekday()],
                day=f"{day.day:02d}/{day.month:02d}",
                start=fmt_time(duty.start),
                name=duty.officer.name,
                phone=phone_display(duty.officer.public_phone),
            )
    body = render_sms("contact", lang, **ctx)
    if count_segments(body).segments > 1 and ctx.get("name"):
        # One segment if at all possible: call the officer by the given name, as people do.
        ctx["name"] = ctx["name"].split()[-1]
        body = render_sms("contact", lang, **ctx)
    return _Reply(truncate_to_segments(body, OTHER_SEGMENTS))


def _feedback(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    comment = (cmd.text or "").strip()
    if not comment:
        return _Reply(_render("feedback", lang, case="empty"))
    dossier = add_sms_comment(office, phone, comment)
    return _Reply(_render("feedback", lang, case="thanks"), dossier.id if dossier else None,
                  flag=True)


def _owner_case(dossier: Dossier | None, cmd: Command, phone: str) -> str:
    if cmd.code is None:
        return "missing"
    if dossier is None:
        return "not_found"
    if not dossier.phone or dossier.phone != phone:
        return "not_owner"
    return "ok"


def _rate(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    dossier = find_dossier_for_phone(cmd.code, phone)
    case = _owner_case(dossier, cmd, phone)
    if case == "ok" and cmd.rating is None:
        case = "missing"
    ctx = {"code": cmd.code or "", "example": cmd.code or _example(office)}
    if case != "ok":
        return _Reply(_render("rate", lang, case=case, **ctx), dossier.id if dossier else None)
    assert dossier is not None
    rate_by_sms(dossier, phone, cmd.rating, cmd.text or "")
    return _Reply(_render("rate", lang, case="thanks", rating=cmd.rating, **ctx), dossier.id)


def _subscribe(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    dossier = find_dossier_for_phone(cmd.code, phone)
    case = _owner_case(dossier, cmd, phone)
    ctx = {"code": cmd.code or "", "example": _example(office),
           "office_phone": phone_display(office.phone)}
    if case == "ok":
        assert dossier is not None
        exists = db.session.scalars(
            sa.select(Subscription.id).where(
                Subscription.dossier_id == dossier.id, Subscription.phone == phone
            )
        ).first()
        if exists is None:
            db.session.add(Subscription(dossier_id=dossier.id, phone=phone))
    return _Reply(_render("subscribe", lang, case=case, **ctx), dossier.id if dossier else None)


def _portal(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    """``CONG``: is the portal working (anyone). ``CONG LOI`` / ``CONG OK``: a report, only from
    an active admin's or officer's public phone (app/portal.py says why)."""
    if cmd.keyword is None:
        notice = portals.notice(office)
        if notice is None:
            return _Reply(_render("portal", lang, 1, case="up",
                                  office_phone=phone_display(office.phone)))
        return _Reply(_render("portal", lang, 1, case="down", **notice.context()))
    officer = portals.registered_officer(office, phone)
    if officer is None:  # a citizen saying it fails: worth an officer's look, changes nothing
        return _Reply(_render("portal", lang, 1, case="not_registered"), flag=True)
    if cmd.keyword == "DOWN":
        outage, opened = portals.report_down(office, cmd.portal or "national", officer,
                                             phone=phone)
        return _Reply(_render("portal", lang, 1, case="reported" if opened else "already",
                              portals=[outage.portal],
                              **portals.since_context(office, outage.started_at)))
    closed = portals.report_up(office, cmd.portal, officer, phone=phone)
    if not closed:
        return _Reply(_render("portal", lang, 1, case="none_open"))
    return _Reply(_render("portal", lang, 1, case="closed", portals=[o.portal for o in closed],
                          time=office_now(office).strftime("%H:%M")))


def _team(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    """``HT …``, ``XONG <n>``, ``BAN <n>``: the hamlets' digital teams (app/sms/team.py)."""
    body, flag = teams.answer(office, phone, lang, cmd)
    return _Reply(body, flag=flag)


def _help(office: Office, phone: str, lang: str, cmd: Command) -> _Reply:
    unknown = cmd.name == "unknown"
    body = render_one_segment("help", lang, {"case": "unknown" if unknown else "help"})
    return _Reply(body, flag=unknown)


_HANDLERS = {
    "status": _status,
    "guide": _guide,
    "list": _list,
    "contact": _contact,
    "feedback": _feedback,
    "rate": _rate,
    "subscribe": _subscribe,
    "help": _help,
    "portal": _portal,
    "team": _team,
    "team_done": _team,
    "team_back": _team,
    "unknown": _help,
}


def _answer(office: Office, phone: str, text: str, channel: str, cmd: Command) -> _Reply:
    """Run ``cmd`` for ``phone``; the reply is None when nothing may be texted back."""
    pref = _pref(phone)
    twilio_word = channel == "twilio" and fold(text).strip(" .!") in TWILIO_OPT_WORDS
    if cmd.name == "stop":
        already = pref.opted_out
        pref.opted_out = True
        if already or twilio_word:
            return _Reply(None)
        sms_number = phone_display(office.sms_number or office.phone)
        return _Reply(_render("stop", pref.lang, sms_number=sms_number), stop_confirmation=True)
    if cmd.name == "start":
        pref.opted_out = False
        return _Reply(None if twilio_word else _render("start", pref.lang))
    if cmd.name in ("lang_en", "lang_vi"):
        pref.lang = "en" if cmd.name == "lang_en" else "vi"
        reply = _Reply(_render("lang", pref.lang))
    else:
        reply = _HANDLERS.get(cmd.name, _help)(office, phone, pref.lang or "vi", cmd)
    if pref.opted_out:  # the command still counts (feedback is stored), the phone gets nothing
        reply.body = None
    return reply


# ------------------------------------------------------------------------------ the entry point


def _existing(channel: str, provider_id: str | None) -> Message | None:
    if provider_id is None:
        return None
    return db.session.scalars(
        sa.select(Message).where(
            Message.channel == channel, Message.provider_id == provider_id,
            Message.direction == "in",
        )
    ).first()


def _result(inbound: Message, reply: Message | None, command: Command, **flags: bool
            ) -> InboundResult:
    if reply is None:
        return InboundResult(inbound.id, None, command, None, **flags)
    info = count_segments(reply.body)
    return InboundResult(inbound.id, reply.id, command, reply.body, info.encoding, info.units,
                         info.segments, **flags)


def _replay(inbound: Message, default_prefix: str) -> InboundResult:
    """The result of a text already handled (a retried webhook, a gateway's duplicate)."""
    reply = db.session.scalars(
        sa.select(Message).where(Message.reply_to_id == inbound.id, Message.direction == "out",
                                 Message.kind == "reply")
    ).first()
    return _result(inbound, reply, parse(inbound.body, default_prefix), duplicate=True,
                   limited=inbound.kind == "limited")


def _over_limit(phone: str, inbound_id: int) -> bool:
    limit = int(current_app.config.get("SMS_INBOUND_PER_HOUR", 30))
    count = db.session.scalar(
        sa.select(sa.func.count(Message.id)).where(
            Message.direction == "in", Message.phone == phone, Message.id != inbound_id,
            Message.created_at >= utcnow() - timedelta(hours=1),
        )
    )
    return (count or 0) >= limit


def handle_inbound(
    office: Office,
    phone: str,
    text: str,
    channel: str,
    provider_id: str | None,
    *,
    reply_sent_by: str | None = None,
) -> InboundResult:
    """Store one inbound text, answer it through the outbox, commit once; return the reply.

    ``phone`` is the sender (E.164 when the channel gives it). ``reply_sent_by`` names a channel
    that delivers the reply itself — Twilio's TwiML answer, the try-it page's screen — so the
    reply is stored as already ``sent`` on that channel and the outbox worker never sends it
    again; without it the reply is ``queued`` for the worker.
    """
    # PostgreSQL text cannot hold NUL; a phone's junk byte must not fail the whole text.
    phone = (phone or "").replace("\x00", "").strip()[:PHONE_MAX]
    # One phone, one thread, one STOP: ``0912…`` from a gateway is ``+84912…`` from Twilio.
    phone = normalise_phone(phone) or phone
    text = (text or "").replace("\x00", "")
    office_id, prefix = office.id, office.code
    found = _existing(channel, provider_id)
    if found is not None:
        return _replay(found, prefix)
    info = count_segments(text)
    inbound = Message(
        office_id=office_id, direction="in", phone=phone, body=text, kind="unknown",
        channel=channel, provider_id=provider_id, encoding=info.encoding,
        segments=info.segments, status="received",
    )
    db.session.add(inbound)
    try:
        db.session.flush()
    except IntegrityError:
        # Another worker stored the same text a moment ago (its commit made our insert fail).
        db.session.rollback()
        found = _existing(channel, provider_id)
        if found is None:
            raise
        return _replay(found, prefix)

    command = parse(text, prefix)
    inbound.kind = command.name
    # STOP is applied whatever the flood (issue 12, item 7): a phone that texted 30 times in
    # an hour can still opt out, and gets its one confirmation.
    if command.name != "stop" and _over_limit(phone, inbound.id):
        inbound.kind = "limited"
        db.session.commit()
        return _result(inbound, None, command, limited=True)

    fallback = False
    try:
        with db.session.begin_nested():
            answer = _answer(office, phone, text, channel, command)
    except Exception:  # never lose the text nor fail the webhook over one bad command
        logger.exception("SMS command failed for inbound %s", inbound.id)
        fallback = True
        answer = _Reply(render_one_segment("help", "vi", {"case": "unknown"}), flag=True)
        pref = db.session.get(PhonePreference, phone)
        if pref is not None and pref.opted_out:
            answer.body = None
    if answer.body is not None and channel != "try" and command.name not in ALWAYS_ANSWERED:
        # SMS pumping (app/sms/public_budget.py): an answer is a text the public triggered.
        if not is_vietnamese_mobile(phone):
            answer.body = None  # stored and listed for officers; no text abroad or to a 1900
        elif budget_reached(office):
            answer.body = None
            answer.flag = True  # an officer answers it from the inbox
    inbound.needs_attention = answer.flag
    inbound.dossier_id = answer.dossier_id
    reply = None
    if answer.body is not None:
        reply = queue_message(
            office_id=office_id, phone=phone, body=answer.body, kind="reply",
            dedupe_key=f"reply:{inbound.id}", dossier_id=answer.dossier_id,
            # A reply leaves by the channel the text came in on (the citizen texted that number).
            reply_to_id=inbound.id, channel=reply_sent_by or channel,
            stop_confirmation=answer.stop_confirmation,
        )
        if reply is not None and reply_sent_by:
            reply.status = "sent"
            reply.sent_at = utcnow()
            reply.next_attempt_at = None
    db.session.commit()
    return _result(inbound, reply, command, fallback=fallback)


@dataclass(frozen=True)
class Simulation:
    """The try-it page's answer: what ``handle_inbound`` would reply, and the phone's sandbox
    state (language, STOP) after the text — kept by the caller, never in the database."""

    command: Command
    body: str | None
    flag: bool
    lang: str
    opted_out: bool


def simulate_inbound(office: Office, phone: str, text: str, *, lang: str = "vi",
                     opted_out: bool = False) -> Simulation:
    """Answer ``text`` from ``phone`` as a real text would be answered, and write nothing.

    The try-it page is a sandbox (issue 12, item 6): an officer must not be able to forge a
    citizen's ``DG`` rating, subscribe a phone, opt a real number out or swell the dashboard's
    "texts sent". The command runs inside a savepoint that is always rolled back, starting from
    the sandbox state the caller kept (``lang``, ``opted_out``) rather than the real phone's.
    Nothing is stored, queued, counted or rate limited per phone.
    """
    text = (text or "").replace("\x00", "")
    command = parse(text, office.code)
    savepoint = db.session.begin_nested()
    try:
        pref = _pref(phone)
        pref.lang, pref.opted_out = (lang if lang in ("vi", "en") else "vi"), bool(opted_out)
        answer = _answer(office, phone, text, "try", command)
        lang, opted_out = pref.lang, pref.opted_out
    finally:
        savepoint.rollback()
    return Simulation(command, answer.body, answer.flag, lang, opted_out)


__all__ = ["InboundResult", "Simulation", "handle_inbound", "simulate_inbound", "status_reply"]
