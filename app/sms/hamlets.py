"""Hamlets' community digital teams and the help requests people send them (issue 16).

The commune asks each hamlet's team (tổ công nghệ số cộng đồng) to help neighbours file online.
This module knows who helps when (weekly slots and dated exceptions, like the duty roster),
hands a help request to the member available first, and moves it on when nobody takes it.

Decisions written down here:

* **One member at a time.** A request's phone goes to the member asked now, by SMS through the
  outbox (``dedupe_key`` per attempt, so a retried pass never texts twice). The citizen is told
  so. When the request moves on (``BAN``, or not taken within :data:`HANDOVER_AFTER`), the next
  member gets it and the citizen gets one text naming who will call now.
* **Available first.** A member whose slot covers now is asked at once; otherwise the one whose
  next slot starts soonest, and the hour to take it counts from that start (the text to them
  is held until then). Nobody in the hamlet: the officer on duty now (else the next one) with
  a public phone gets it (``escalated``): the officer calls, as the desk does.
* **Members are not officers.** They see a request's phone number and procedure, never a
  dossier nor an ID number; they act only by SMS from their registered phone, only on their
  hamlet's requests (``XONG`` any of them, ``BAN`` only the one they were asked).
* **Counts outlive the phone.** Every member asked is one :class:`HelpAttempt`; the leaders'
  tables read them. ``app.retention`` empties the phone after ``RETAIN_HELP_REQUEST_DAYS`` and
  keeps the row.
* **Dossier link.** A help request is linked to a dossier only by the code the member sends
  with ``XONG <n> <code>``; the dossier has no hamlet of its own. "Online share per hamlet" is
  therefore the share of those linked dossiers filed online.

Writes by the admin validate, record an audit entry and commit; the SMS and the periodic job
(:func:`run_handover`) commit with their reply / once per pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import record
from app.clock import local_to_utc, office_now, to_local, utcnow
from app.codes import fold
from app.extensions import db
from app.filters import phone_display
from app.models import (
    OPEN_HELP_STATES,
    Dossier,
    Hamlet,
    HelpAttempt,
    HelpRequest,
    Office,
    Officer,
    Procedure,
    TeamException,
    TeamMember,
    TeamSlot,
)
from app.phones import normalise_phone
from app.roster import next_duty, on_duty_now
from app.sms.gsm import count_segments
from app.sms.outbox import phone_lang, queue_message
from app.sms.replies import render_sms
from app.vocabulary import WEEKDAYS_SHORT

#: A member (or the officer) has this long to take a request (``XONG``) before the next one is
#: asked.
HANDOVER_AFTER = timedelta(hours=1)
#: A request nobody took (waiting, escalated, handed back) is closed as ``expired`` after this.
EXPIRE_AFTER = timedelta(days=3)
#: How far ahead a member's next slot is looked for.
HORIZON_DAYS = 7
EARLIEST = time(5, 0)
LATEST = time(22, 0)
KEYWORD_RE = re.compile(r"^[A-Z0-9]{2,12}$")
NAME_MAX = 80


# ----------------------------------------------------------------------------- availability


def _subtract(piece: tuple[time, time], holes: list[tuple[time, time]]) -> list[tuple[time, time]]:
    pieces = [piece]
    for lo, hi in holes:
        out = []
        for s, e in pieces:
            if hi <= s or lo >= e:
                out.append((s, e))
                continue
            if s < lo:
                out.append((s, lo))
            if hi < e:
                out.append((hi, e))
        pieces = out
    return pieces


def windows_on(member: TeamMember, day: date) -> list[tuple[time, time]]:
    """When ``member`` helps on ``day``: weekly slots less ``away``, plus ``extra``."""
    excs = [e for e in member.exceptions if e.day == day]
    if any(e.kind == "away" and (e.start is None or e.end is None) for e in excs):
        weekly: list[tuple[time, time]] = []
    else:
        weekly = [(s.start, s.end) for s in member.slots if s.weekday == day.weekday()]
    holes = [(e.start, e.end) for e in excs if e.kind == "away" and e.start and e.end]
    result = [p for w in weekly for p in _subtract(w, holes)]
    result += [(e.start, e.end) for e in excs if e.kind == "extra" and e.start and e.end]
    return sorted(result)


def next_available(member: TeamMember, now_local: datetime) -> datetime | None:
    """``now_local`` when the member helps now, else the start of their next window (aware,
    office time), None when nothing in the next :data:`HORIZON_DAYS` days."""
    tz = now_local.tzinfo
    for offset in range(HORIZON_DAYS + 1):
        day = now_local.date() + timedelta(days=offset)
        for start, end in windows_on(member, day):
            start_dt = datetime.combine(day, start, tzinfo=tz)
            end_dt = datetime.combine(day, end, tzinfo=tz)
            if end_dt <= now_local:
                continue
            return max(start_dt, now_local)
    return None


def available_now(member: TeamMember, now_local: datetime) -> bool:
    return member.active and next_available(member, now_local) == now_local


def pick_member(hamlet: Hamlet, now_local: datetime,
                exclude: set[int] | frozenset[int] = frozenset()) -> tuple[TeamMember, datetime] | None:
    """The active member of ``hamlet`` available first (ties: list order), not in ``exclude``."""
    best: tuple[datetime, int, int, TeamMember] | None = None
    for member in hamlet.members:
        if not member.active or not member.phone or member.id in exclude:
            continue
        when = next_available(member, now_local)
        if when is None:
            continue
        key = (when, member.position, member.id, member)
        if best is None or key[:3] < best[:3]:
            best = key
    return (best[3], best[0]) if best else None


# ----------------------------------------------------------------------------- reads


def hamlets(office: Office) -> list[Hamlet]:
    return list(db.session.scalars(
        sa.select(Hamlet).where(Hamlet.office_id == office.id)
        .order_by(Hamlet.position, Hamlet.name, Hamlet.id)
    ))


def active_members(hamlet: Hamlet) -> list[TeamMember]:
    return [m for m in hamlet.members if m.active and m.phone]


def _compact(text: str) -> str:
    return "".join(ch for ch in fold(text or "") if ch.isalnum())


def hamlet_names(hamlet: Hamlet) -> set[str]:
    """How a citizen may name the hamlet by SMS: its keyword, its name, its name without the
    word "ấp" (``AP4``, ``APBON``, ``BON``)."""
    names = {_compact(hamlet.keyword), _compact(hamlet.name)}
    folded = fold(hamlet.name).split()
    if len(folded) > 1 and folded[0] in ("AP", "THON", "XOM", "BAN", "KHOM", "TO"):
        names.add(_compact(" ".join(folded[1:])))
    return {n for n in names if n}


def find_hamlet(office: Office, words: str) -> Hamlet | None:
    wanted = _compact(words)
    if not wanted:
        return None
    for hamlet in hamlets(office):
        if wanted in hamlet_names(hamlet):
            return hamlet
    return None


def split_hamlet(office: Office, words: str) -> tuple[Hamlet | None, str]:
    """``AP 4 KS`` → (ấp Bốn, ``KS``): the longest run of leading (or else trailing) words that
    names a hamlet, and the rest."""
    parts = (words or "").split()
    for n in range(len(parts), 0, -1):
        hamlet = find_hamlet(office, " ".join(parts[:n]))
        if hamlet is not None:
            return hamlet, " ".join(parts[n:])
    for n in range(1, len(parts)):
        hamlet = find_hamlet(office, " ".join(parts[n:]))
        if hamlet is not None:
            return hamlet, " ".join(parts[:n])
    return None, " ".join(parts)


def members_for_phone(office: Office, phone: str) -> list[TeamMember]:
    if not phone:
        return []
    return list(db.session.scalars(
        sa.select(TeamMember).join(Hamlet, TeamMember.hamlet_id == Hamlet.id)
        .where(Hamlet.office_id == office.id, TeamMember.phone == phone,
               TeamMember.active.is_(True))
    ))


def open_request_for(office: Office, phone: str) -> HelpRequest | None:
    return db.session.scalars(
        sa.select(HelpRequest).where(
            HelpRequest.office_id == office.id, HelpRequest.phone == phone,
            HelpRequest.state.in_(OPEN_HELP_STATES),
        ).order_by(HelpRequest.id.desc())
    ).first()


def last_hamlet_for(office: Office, phone: str) -> Hamlet | None:
    """The hamlet of the sender's last help request (they said it once)."""
    return db.session.scalars(
        sa.select(Hamlet).join(HelpRequest, HelpRequest.hamlet_id == Hamlet.id).where(
            HelpRequest.office_id == office.id, HelpRequest.phone == phone,
        ).order_by(HelpRequest.id.desc())
    ).first()


def requests(office: Office, limit: int = 200) -> list[HelpRequest]:
    return list(db.session.scalars(
        sa.select(HelpRequest).where(HelpRequest.office_id == office.id)
        .order_by(HelpRequest.id.desc()).limit(limit)
    ))


def when_text(member: TeamMember, lang: str = "vi") -> str:
    """``T2-T6 17:00-20:00; T7 08:00-11:00``: a member's weekly slots, short (SMS, pages)."""
    by_hours: dict[tuple[time, time], list[int]] = {}
    for slot in member.slots:
        by_hours.setdefault((slot.start, slot.end), []).append(slot.weekday)
    parts = []
    for (start, end), days in sorted(by_hours.items(), key=lambda kv: (min(kv[1]), kv[0])):
        days = sorted(set(days))
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            label = f"{WEEKDAYS_SHORT[days[0]]}-{WEEKDAYS_SHORT[days[-1]]}"
        else:
            label = ",".join(str(WEEKDAYS_SHORT[d]) for d in days)
        parts.append(f"{label} {start:%H:%M}-{end:%H:%M}")
    return "; ".join(parts)


# ----------------------------------------------------------------------------- texts


def _proc_name(req: HelpRequest, lang: str) -> str:
    if req.procedure is None:
        return ""
    name = req.procedure.content(lang).name
    return name if len(name) <= 40 else name[:38].rsplit(" ", 1)[0] + ".."


def _hm(at_local: datetime) -> str:
    return f"{at_local.hour:02d}:{at_local.minute:02d}"


def _day_label(office: Office, at_local: datetime) -> str:
    """``""`` for today, else ``dd/mm``."""
    if at_local.date() == office_now(office).date():
        return ""
    return f"{at_local.day:02d}/{at_local.month:02d}"


def render_team(case: str, lang: str, **context) -> str:
    """``templates/sms/team.txt``, one segment: free words (the procedure's name, then the
    person's name) are shortened until it fits."""
    body = render_sms("team", lang, case=case, **context)
    for key in ("procedure", "name", "hamlet"):
        while count_segments(body).segments > 1 and context.get(key):
            value = context[key]
            context[key] = value[: max(0, len(value) - 6)].rstrip() if len(value) > 8 else ""
            body = render_sms("team", lang, case=case, **context)
    return body


def _who_context(req: HelpRequest, office: Office, start_local: datetime) -> dict:
    # The officer on duty has no deadline of their own: "within the hour" all the same.
    due_local = to_local(req.due_at, office.tz) if req.due_at else start_local + HANDOVER_AFTER
    person = req.member if req.member is not None else req.officer
    phone = (req.member.phone if req.member is not None
             else (req.officer.public_phone if req.officer else ""))
    return {
        "n": req.id,
        "name": person.name if person else "",
        "phone": phone_display(phone),
        "hamlet": req.hamlet.name if req.hamlet else "",
        "officer": req.member is None,
        "later": start_local > office_now(office) + timedelta(minutes=1),
        "start": _hm(start_local),
        "by": _hm(due_local),
        "day": _day_label(office, start_local),
    }


def citizen_text(req: HelpRequest, office: Office, start_local: datetime, *,
                 moved: bool = False) -> str:
    """What the citizen is told: who will call, when, and that only they got the number."""
    ctx = _who_context(req, office, start_local)
    ctx["procedure"] = _proc_name(req, req.lang)
    return render_team("moved" if moved else "asked", req.lang, **ctx)


def helper_text(req: HelpRequest, office: Office, start_local: datetime, lang: str) -> str:
    """What the member (or officer) asked is texted: the number to call, by when, the words."""
    ctx = _who_context(req, office, start_local)
    ctx.update(citizen=phone_display(req.phone), procedure=_proc_name(req, lang))
    return render_team("officer_task" if req.member is None else "member_task", lang, **ctx)


# ----------------------------------------------------------------------------- the chain


def _local(office: Office, at_utc: datetime) -> datetime:
    return to_local(at_utc, office.tz)


def _close_current(req: HelpRequest, outcome: str, now: datetime) -> HelpAttempt | None:
    current = next((a for a in reversed(req.attempts) if a.outcome == "asked"), None)
    if current is not None:
        current.outcome = outcome
        current.ended_at = now
    return current


def _officer_for(office: Office, now_local: datetime) -> tuple[Officer, datetime] | None:
    """The officer on duty now with a public phone, else the next one on duty."""
    for duty in on_duty_now(office, now_local):
        if duty.officer.public_phone:
            return duty.officer, now_local
    upcoming = next_duty(office, now_local)
    if upcoming is not None and upcoming[1].officer.public_phone:
        day, duty = upcoming
        return duty.officer, datetime.combine(day, duty.start, tzinfo=now_local.tzinfo)
    return None


def _ask(req: HelpRequest, office: Office, now: datetime, *, member: TeamMember | None,
         officer: Officer | None, start_local: datetime, tell_citizen: bool) -> None:
    start_utc = max(local_to_utc(start_local, office.tz), now)
    req.member, req.officer = member, officer
    req.member_id = member.id if member else None
    req.officer_id = officer.id if officer else None
    req.state = "assigned" if member is not None else "escalated"
    req.assigned_at = now
    req.due_at = start_utc + HANDOVER_AFTER if member is not None else None
    attempt = HelpAttempt(request=req, member_id=req.member_id, officer_id=req.officer_id,
                          asked_at=now, outcome="asked")
    db.session.add(attempt)
    db.session.flush()
    phone = member.phone if member is not None else officer.public_phone  # type: ignore[union-attr]
    queue_message(
        office_id=office.id, phone=phone, kind="help",
        body=helper_text(req, office, _local(office, start_utc), phone_lang(phone)),
        dedupe_key=f"help:{req.id}:{attempt.id}",
        send_after=start_utc if start_utc > now else None,
        officer_id=req.officer_id,
    )
    if tell_citizen and req.phone:
        queue_message(
            office_id=office.id, phone=req.phone, kind="help",
            body=citizen_text(req, office, _local(office, start_utc), moved=True),
            dedupe_key=f"help-citizen:{req.id}:{attempt.id}",
        )


def assign_next(req: HelpRequest, office: Office, now: datetime, *,
                tell_citizen: bool, stuck_state: str = "waiting") -> bool:
    """Ask the next member (one not asked yet), else the officer on duty. Returns False when
    nobody at all could be asked (the request stays ``stuck_state`` and is tried again)."""
    now_local = _local(office, now)
    tried = {a.member_id for a in req.attempts if a.member_id}
    picked = pick_member(req.hamlet, now_local, tried) if req.hamlet is not None else None
    if picked is not None:
        member, start = picked
        _ask(req, office, now, member=member, officer=None, start_local=start,
             tell_citizen=tell_citizen)
        return True
    officer = _officer_for(office, now_local) if req.state != "escalated" else None
    if officer is not None:
        _ask(req, office, now, member=None, officer=officer[0], start_local=officer[1],
             tell_citizen=tell_citizen)
        return True
    req.state = stuck_state
    req.member_id = req.officer_id = None
    req.member = req.officer = None
    req.due_at = now + HANDOVER_AFTER  # the job looks again
    return False


def create_request(office: Office, hamlet: Hamlet | None, phone: str,
                   procedure: Procedure | None, lang: str) -> HelpRequest:
    """A new help request, handed to the member available first. Not committed."""
    now = utcnow()
    req = HelpRequest(office_id=office.id, hamlet_id=hamlet.id if hamlet else None, phone=phone,
                      procedure_id=procedure.id if procedure else None, lang=lang,
                      created_at=now, state="waiting")
    req.hamlet, req.procedure = hamlet, procedure
    db.session.add(req)
    db.session.flush()
    assign_next(req, office, now, tell_citizen=False)
    return req


def start_of_current(req: HelpRequest, office: Office) -> datetime:
    """When the person asked now starts (office time): their slot's start, or now."""
    if req.due_at is not None:
        return _local(office, req.due_at - HANDOVER_AFTER)
    return office_now(office)


def mark_done(req: HelpRequest, code: str = "") -> None:
    now = utcnow()
    _close_current(req, "done", now)
    req.state, req.done_at, req.due_at = "done", now, None
    if code:
        req.dossier_code = code[:20]


def hand_back(req: HelpRequest, office: Office) -> bool:
    """The member asked gives it back: the next one is asked (True), or nobody (False)."""
    now = utcnow()
    _close_current(req, "handed_back", now)
    return assign_next(req, office, now, tell_citizen=True, stuck_state="handed_back")


@dataclass
class HandoverPass:
    moved: int = 0
    escalated: int = 0
    expired: int = 0
    stuck: int = 0
    ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"moved {self.moved}, escalated {self.escalated}, expired {self.expired}, "
                f"nobody to ask {self.stuck}")


def run_handover(now: datetime | None = None) -> HandoverPass:
    """The periodic job (SMS worker, ``flask sms handover``): requests not taken in time go to
    the next member, then to the officer on duty; requests nobody took for
    :data:`EXPIRE_AFTER` expire. Safe to run often: each move is keyed per attempt. Commits."""
    now = now or utcnow()
    done = HandoverPass()
    due = list(db.session.scalars(
        sa.select(HelpRequest).where(
            HelpRequest.state.in_(("assigned", "waiting", "handed_back")),
            HelpRequest.due_at.is_not(None), HelpRequest.due_at <= now,
        ).order_by(HelpRequest.id)
    ))
    for req in due:
        office = db.session.get(Office, req.office_id)
        if req.created_at <= now - EXPIRE_AFTER:
            continue  # expired below
        was_assigned = req.state == "assigned"
        if was_assigned:
            _close_current(req, "timeout", now)
        if assign_next(req, office, now, tell_citizen=True,
                       stuck_state="waiting" if not was_assigned else "waiting"):
            if req.state == "escalated":
                done.escalated += 1
            else:
                done.moved += 1
            done.ids.append(req.id)
        else:
            done.stuck += 1
    old = list(db.session.scalars(
        sa.select(HelpRequest).where(
            HelpRequest.state.in_(OPEN_HELP_STATES),
            HelpRequest.created_at <= now - EXPIRE_AFTER,
        )
    ))
    for req in old:
        _close_current(req, "timeout", now)
        req.state, req.due_at = "expired", None
        done.expired += 1
    db.session.commit()
    return done


# ----------------------------------------------------------------------------- admin writes


class TeamError(ValueError):
    """A change that breaks a rule; ``field`` names the form field to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _clean(text: str | None, limit: int = NAME_MAX) -> str:
    return " ".join((text or "").split())[:limit]


def add_hamlet(office: Office, actor: Officer, name: str, keyword: str) -> Hamlet:
    name = _clean(name)
    if not name:
        raise TeamError("name", _("Nhập tên ấp, ví dụ Ấp Bốn."))
    keyword = _compact(keyword)
    if not KEYWORD_RE.match(keyword):
        raise TeamError("keyword", _("Từ khóa SMS gồm 2–12 chữ cái hoặc số, không dấu, ví dụ AP4."))
    for other in hamlets(office):
        if keyword in hamlet_names(other) or _compact(other.keyword) == keyword:
            raise TeamError("keyword", _("Từ khóa này đã dùng cho %(name)s.", name=other.name))
    if db.session.scalars(sa.select(Procedure.id).where(
            Procedure.office_id == office.id, Procedure.sms_keyword == keyword)).first():
        raise TeamError("keyword", _("Từ khóa này trùng mã một thủ tục. Chọn từ khóa khác."))
    position = len(hamlets(office))
    hamlet = Hamlet(office_id=office.id, name=name, keyword=keyword, position=position)
    db.session.add(hamlet)
    db.session.flush()
    record("hamlet.add", hamlet, actor, after={"name": name, "keyword": keyword})
    db.session.commit()
    return hamlet


def remove_hamlet(hamlet: Hamlet, actor: Officer) -> None:
    record("hamlet.remove", hamlet, actor, before={"name": hamlet.name, "keyword": hamlet.keyword})
    db.session.delete(hamlet)
    db.session.commit()


def add_member(hamlet: Hamlet, actor: Officer, name: str, phone: str) -> TeamMember:
    name = _clean(name)
    if not name:
        raise TeamError("name", _("Nhập họ tên thành viên."))
    e164 = normalise_phone(phone or "")
    if not e164:
        raise TeamError("phone", _("Số điện thoại không đúng. Ví dụ: 0912 345 678."))
    if any(m.phone == e164 for m in hamlet.members):
        raise TeamError("phone", _("Số này đã có trong tổ của ấp."))
    member = TeamMember(hamlet_id=hamlet.id, name=name, phone=e164, active=True,
                        position=len(hamlet.members))
    member.hamlet = hamlet
    db.session.add(member)
    db.session.flush()
    record("team.member_add", member, actor,
           after={"hamlet": hamlet.keyword, "name": name, "phone": e164})
    db.session.commit()
    return member


def set_member_active(member: TeamMember, actor: Officer, active: bool) -> None:
    record("team.member_active", member, actor, before={"active": member.active},
           after={"active": active})
    member.active = active
    db.session.commit()


def remove_member(member: TeamMember, actor: Officer) -> None:
    record("team.member_remove", member, actor, before={"name": member.name,
                                                         "phone": member.phone})
    db.session.delete(member)
    db.session.commit()


def _check_times(start: time | None, end: time | None, required: bool) -> None:
    if start is None and end is None and not required:
        return
    if start is None:
        raise TeamError("start", _("Nhập giờ bắt đầu."))
    if end is None:
        raise TeamError("end", _("Nhập giờ kết thúc."))
    if end <= start:
        raise TeamError("end", _("Giờ kết thúc phải sau giờ bắt đầu."))
    if start < EARLIEST or end > LATEST:
        raise TeamError("start", _("Giờ giúp phải trong khoảng 5:00–22:00."))


def add_slot(member: TeamMember, actor: Officer, weekday: int | None, start: time | None,
             end: time | None) -> TeamSlot:
    if weekday is None or weekday not in range(7):
        raise TeamError("weekday", _("Chọn thứ trong tuần."))
    _check_times(start, end, required=True)
    assert start is not None and end is not None
    for other in member.slots:
        if other.weekday == weekday and other.start < end and start < other.end:
            raise TeamError("start", _("Thành viên này đã có giờ giúp trùng vào ngày đó."))
    slot = TeamSlot(member_id=member.id, weekday=weekday, start=start, end=end)
    slot.member = member
    db.session.add(slot)
    db.session.flush()
    record("team.slot_add", slot, actor, after={"member": member.id, "weekday": weekday,
                                                "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"})
    db.session.commit()
    return slot


def remove_slot(slot: TeamSlot, actor: Officer) -> None:
    record("team.slot_remove", slot, actor, before={"member": slot.member_id,
                                                    "weekday": slot.weekday})
    db.session.delete(slot)
    db.session.commit()


def add_exception(member: TeamMember, actor: Officer, *, day: date | None, kind: str,
                  start: time | None, end: time | None, note: str, today: date) -> TeamException:
    if day is None:
        raise TeamError("day", _("Nhập ngày."))
    if day < today:
        raise TeamError("day", _("Ngày đã qua. Chọn hôm nay hoặc một ngày sau."))
    if kind not in ("away", "extra"):
        raise TeamError("kind", _("Chọn loại thay đổi."))
    _check_times(start, end, required=kind == "extra")
    exc = TeamException(member_id=member.id, day=day, kind=kind, start=start, end=end,
                        note=_clean(note, 255))
    exc.member = member
    db.session.add(exc)
    db.session.flush()
    record("team.exception_add", exc, actor, after={"member": member.id, "day": day.isoformat(),
                                                    "kind": kind})
    db.session.commit()
    return exc


def remove_exception(exc: TeamException, actor: Officer) -> None:
    record("team.exception_remove", exc, actor, before={"member": exc.member_id,
                                                        "day": exc.day.isoformat()})
    db.session.delete(exc)
    db.session.commit()


# ----------------------------------------------------------------------------- figures


@dataclass
class Counts:
    asked: int = 0
    done: int = 0
    handed_back: int = 0
    unanswered: int = 0


@dataclass
class HamletFigures:
    hamlet: Hamlet | None
    requests: int = 0
    done: int = 0
    handed_back: int = 0
    unanswered: int = 0
    escalated: int = 0
    linked: int = 0  # done with a dossier code that names a dossier of the office
    online: int = 0  # of those, filed online

    @property
    def online_share(self) -> float | None:
        return self.online / self.linked if self.linked else None


def _linked_dossiers(office: Office, reqs: list[HelpRequest]) -> dict[str, Dossier]:
    codes = {r.dossier_code for r in reqs if r.dossier_code}
    if not codes:
        return {}
    return {d.code: d for d in db.session.scalars(
        sa.select(Dossier).where(Dossier.office_id == office.id, Dossier.code.in_(codes)))}


def _all_requests(office: Office) -> list[HelpRequest]:
    return list(db.session.scalars(
        sa.select(HelpRequest).where(HelpRequest.office_id == office.id)
        .order_by(HelpRequest.id)
    ))


def hamlet_figures(office: Office) -> list[HamletFigures]:
    reqs = _all_requests(office)
    dossiers = _linked_dossiers(office, reqs)
    rows = {h.id: HamletFigures(h) for h in hamlets(office)}
    for req in reqs:
        row = rows.get(req.hamlet_id) if req.hamlet_id else None
        if row is None:
            continue
        row.requests += 1
        row.done += req.state == "done"
        row.escalated += any(a.officer_id for a in req.attempts)
        row.handed_back += sum(a.outcome == "handed_back" for a in req.attempts)
        row.unanswered += sum(a.outcome == "timeout" for a in req.attempts)
        dossier = dossiers.get(req.dossier_code) if req.dossier_code else None
        if dossier is not None:
            row.linked += 1
            row.online += dossier.channel == "online"
    return list(rows.values())


def member_figures(office: Office) -> list[tuple[TeamMember, Counts]]:
    result = []
    for hamlet in hamlets(office):
        for member in hamlet.members:
            counts = Counts()
            for a in db.session.scalars(sa.select(HelpAttempt).where(
                    HelpAttempt.member_id == member.id)):
                counts.asked += 1
                counts.done += a.outcome == "done"
                counts.handed_back += a.outcome == "handed_back"
                counts.unanswered += a.outcome == "timeout"
            result.append((member, counts))
    return result


def online_after_help(office: Office) -> list[tuple[HelpRequest, Dossier]]:
    """Dossiers filed online that a member linked to a help request (``XONG <n> <code>``)."""
    reqs = [r for r in _all_requests(office) if r.state == "done" and r.dossier_code]
    dossiers = _linked_dossiers(office, reqs)
    return [(r, dossiers[r.dossier_code]) for r in reqs
            if r.dossier_code in dossiers and dossiers[r.dossier_code].channel == "online"]


__all__ = [
    "EXPIRE_AFTER", "HANDOVER_AFTER", "HandoverPass", "TeamError", "active_members",
    "add_exception", "add_hamlet", "add_member", "add_slot", "assign_next", "available_now",
    "citizen_text", "create_request", "find_hamlet", "hamlet_figures", "hamlets", "hand_back",
    "helper_text", "last_hamlet_for", "mark_done", "member_figures", "members_for_phone",
    "next_available", "online_after_help", "open_request_for", "pick_member", "remove_exception",
    "remove_hamlet", "remove_member", "remove_slot", "render_team", "requests", "run_handover",
    "set_member_active", "split_hamlet", "start_of_current", "when_text", "windows_on",
]
