"""SMS commands of the hamlets' community digital teams (issue 16; rules in app/sms/hamlets.py).

* ``HT``: the hamlets and their keywords. ``HT <hamlet>``: that hamlet's members, phones and
  when they help. ``HT [<hamlet>] <procedure>``: a help request, handed to the member available
  first; without a hamlet, the sender's last one, else the reply asks which.
* ``XONG <n> [<code>]`` / ``BAN <n>``: from a member's registered phone (only their hamlet's
  requests) or an officer's public phone (any request of the office).

Each answer is one GSM-7 segment; :func:`answer` returns ``(body, flag)`` (``flag``: the
inbound goes to the officers' inbox too).
"""

from __future__ import annotations

from flask_babel import force_locale

from app import portal as portals
from app.extensions import db
from app.filters import phone_display
from app.models import HelpRequest, Office
from app.phones import is_vietnamese_mobile
from app.sms import guide as guides
from app.sms import hamlets as team
from app.sms.gsm import count_segments
from app.sms.parser import Command
from app.sms.public_budget import budget_reached
from app.sms.replies import render_sms


def _keywords(office: Office) -> str:
    return ", ".join(h.keyword for h in team.hamlets(office))


def _example(office: Office) -> str:
    found = team.hamlets(office)
    return found[-1].keyword if found else "AP1"


def _hamlet_reply(office: Office, hamlet, lang: str) -> str:
    members = team.active_members(hamlet)
    if not members:
        return render_sms("team", lang, case="hamlet_empty", hamlet=hamlet.name,
                          office_phone=phone_display(office.phone))
    with force_locale(lang):
        entries = [(m.name.split()[-1], phone_display(m.phone).replace(" ", ""),
                    team.when_text(m)) for m in members]
    # As many members as fit one segment; their hours first to go, then members.
    for with_hours in (True, False):
        for count in range(len(entries), 0, -1):
            parts = [f"{name} {phone}" + (f" ({when})" if with_hours and when else "")
                     for name, phone, when in entries[:count]]
            body = render_sms("team", lang, case="hamlet", hamlet=hamlet.name,
                              entries=", ".join(parts), keyword=hamlet.keyword)
            if count_segments(body).segments == 1:
                return body
    return body


def _list(office: Office, lang: str, words: str = "", *, ask: bool = False) -> str:
    """``HT``: the hamlets; ``ask``: which hamlet are you in (``words``: what named none)."""
    if not team.hamlets(office):
        return render_sms("team", lang, case="none", office_phone=phone_display(office.phone))
    case = "which" if words or ask else "list"
    return render_sms("team", lang, case=case, keywords=_keywords(office),
                      example=_example(office), words=words)


def _request(office: Office, phone: str, lang: str, hamlet, procedure) -> tuple[str, bool]:
    existing = team.open_request_for(office, phone)
    if existing is not None:  # one open request per phone: say who is on it
        req = existing
    else:
        if not is_vietnamese_mobile(phone) or budget_reached(office):
            # No member is texted a number from abroad, nor past the public SMS budget.
            return _list(office, lang), True
        req = team.create_request(office, hamlet, phone, procedure, lang)
    if req.member is None and req.officer is None:
        return render_sms("team", lang, case="nobody", n=req.id), True
    body = team.citizen_text(req, office, team.start_of_current(req, office))
    return body, False


def _ht(office: Office, phone: str, lang: str, cmd: Command) -> tuple[str, bool]:
    words = cmd.keyword or ""
    if not words:
        return _list(office, lang), False
    hamlet, rest = team.split_hamlet(office, words)
    if hamlet is not None and not rest:
        return _hamlet_reply(office, hamlet, lang), False
    procedure = guides.find_procedure(office, rest) if rest else None
    if hamlet is None:
        if procedure is None:
            return _list(office, lang, words=words[:20], ask=True), True
        hamlet = team.last_hamlet_for(office, phone)
        if hamlet is None:
            return _list(office, lang, ask=True), False
        return _request(office, phone, lang, hamlet, procedure)
    # A hamlet and words that are not a procedure's keyword: still help (the member asks).
    return _request(office, phone, lang, hamlet, procedure)


def _actor(office: Office, phone: str):
    members = team.members_for_phone(office, phone)
    officer = portals.registered_officer(office, phone)
    return members, officer


def _numbered(office: Office, phone: str, lang: str, cmd: Command) -> tuple[str, bool]:
    members, officer = _actor(office, phone)
    if not members and officer is None:
        return render_sms("team", lang, case="not_member"), True
    if cmd.number is None:
        return render_sms("team", lang, case="missing"), False
    req = db.session.get(HelpRequest, cmd.number)
    hamlet_ids = {m.hamlet_id for m in members}
    if req is None or req.office_id != office.id or (
            officer is None and req.hamlet_id not in hamlet_ids):
        return render_sms("team", lang, case="not_found", n=cmd.number), False
    if not req.is_open:
        return render_sms("team", lang, case="closed", n=req.id), False
    if cmd.name == "team_done":
        team.mark_done(req, cmd.code or "")
        return render_sms("team", lang, case="done", n=req.id, code=cmd.code or ""), False
    mine = officer is not None or (req.member_id is not None
                                   and req.member_id in {m.id for m in members})
    if not mine:
        return render_sms("team", lang, case="not_yours", n=req.id), False
    if not team.hand_back(req, office):
        return render_sms("team", lang, case="back_nobody", n=req.id), True
    if req.member is not None:
        return render_sms("team", lang, case="back_member", n=req.id,
                          name=req.member.name.split()[-1]), False
    return render_sms("team", lang, case="back_officer", n=req.id), False


def answer(office: Office, phone: str, lang: str, cmd: Command) -> tuple[str, bool]:
    if cmd.name == "team":
        return _ht(office, phone, lang, cmd)
    return _numbered(office, phone, lang, cmd)


__all__ = ["answer"]
