"""Demo hamlets of Vĩnh Bửu (ấp Một to ấp Bốn) with their community digital teams, a few help
requests in every state, and one past portal outage (issue 16). Names and phones are made up;
the members' phones look like the officers' demo numbers, the citizens' are demo numbers that
are never texted (app/phones.py). Idempotent: nothing is added when the office has hamlets.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.clock import local_to_utc, office_today, utcnow
from app.extensions import db
from app.models import (
    Dossier,
    Hamlet,
    HelpAttempt,
    HelpRequest,
    Office,
    Officer,
    PortalOutage,
    Procedure,
    TeamException,
    TeamMember,
    TeamSlot,
)
from app.phones import DEMO_PHONE_PREFIX

# name, SMS keyword, members: (name, phone, [(weekdays, start, end)])
HAMLETS = [
    ("Ấp Một", "AP1", [
        ("Nguyễn Văn Tâm", "+84909000201", [((0, 1, 2, 3, 4), "17:00", "20:00")]),
        ("Lê Thị Thu", "+84909000202", [((5, 6), "08:00", "11:00")]),
    ]),
    ("Ấp Hai", "AP2", [
        ("Phạm Minh Trí", "+84909000203", [((0, 2, 4), "07:00", "11:00")]),
        ("Huỳnh Thị Ngọc", "+84909000204", [((1, 3), "13:30", "17:00"), ((5,), "08:00", "11:00")]),
    ]),
    ("Ấp Ba", "AP3", [
        ("Trần Quốc Bảo", "+84909000205", [((0, 1, 2, 3, 4), "18:00", "21:00")]),
    ]),
    ("Ấp Bốn", "AP4", [
        ("Võ Thị Lan", "+84909000206", [((0, 1, 2, 3, 4), "07:00", "11:00")]),
        ("Đặng Văn Hùng", "+84909000207", [((0, 1, 2, 3, 4), "13:30", "20:00")]),
        ("Ngô Thị Mai", "+84909000208", [((5, 6), "07:00", "17:00")]),
    ]),
]


def _hm(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def load_teams(office: Office) -> list[Hamlet]:
    """The four hamlets, their members and weekly slots (and one member away next week)."""
    existing = list(db.session.scalars(sa.select(Hamlet).where(Hamlet.office_id == office.id)))
    if existing:
        return []
    made = []
    for position, (name, keyword, members) in enumerate(HAMLETS):
        hamlet = Hamlet(office_id=office.id, name=name, keyword=keyword, position=position)
        db.session.add(hamlet)
        db.session.flush()
        for m_pos, (m_name, phone, slots) in enumerate(members):
            member = TeamMember(hamlet_id=hamlet.id, name=m_name, phone=phone, active=True,
                                position=m_pos)
            db.session.add(member)
            db.session.flush()
            for weekdays, start, end in slots:
                for wd in weekdays:
                    db.session.add(TeamSlot(member_id=member.id, weekday=wd, start=_hm(start),
                                            end=_hm(end)))
        made.append(hamlet)
    lan = db.session.scalars(sa.select(TeamMember).where(TeamMember.phone == "+84909000206")).one()
    db.session.add(TeamException(member_id=lan.id, day=office_today(office) + timedelta(days=7),
                                 kind="away", note="Đi đám cưới"))
    db.session.flush()
    return made


def _request(office: Office, hamlet: Hamlet, proc: Procedure | None, n: int, created: datetime,
             state: str, steps: list[tuple[TeamMember | Officer, str]], code: str = "") -> None:
    req = HelpRequest(office_id=office.id, hamlet_id=hamlet.id, procedure_id=proc.id if proc else None,
                      phone=f"{DEMO_PHONE_PREFIX}9{n:05d}", lang="vi", state=state,
                      created_at=created, assigned_at=created, dossier_code=code)
    db.session.add(req)
    db.session.flush()
    at = created
    for who, outcome in steps:
        is_member = isinstance(who, TeamMember)
        db.session.add(HelpAttempt(
            request_id=req.id, member_id=who.id if is_member else None,
            officer_id=None if is_member else who.id, asked_at=at, outcome=outcome,
            ended_at=None if outcome == "asked" else at + timedelta(minutes=50)))
        if outcome == "asked":
            req.member_id = who.id if is_member else None
            req.officer_id = None if is_member else who.id
            req.due_at = at + timedelta(hours=1) if is_member else None
        at += timedelta(hours=1)
    if state == "done":
        req.done_at = at
    if state in ("waiting", "handed_back"):
        req.due_at = utcnow() + timedelta(hours=1)


def load_help_requests(office: Office, officer: Officer | None) -> int:
    """A few help requests in every state, over the last weeks."""
    if db.session.scalars(sa.select(HelpRequest.id).where(
            HelpRequest.office_id == office.id).limit(1)).first():
        return 0
    hamlets = {h.keyword: h for h in db.session.scalars(
        sa.select(Hamlet).where(Hamlet.office_id == office.id))}
    if len(hamlets) < 4:
        return 0
    members = {m.phone: m for h in hamlets.values() for m in h.members}
    procs = {p.sms_keyword: p for p in db.session.scalars(
        sa.select(Procedure).where(Procedure.office_id == office.id))}
    ks, ct = procs.get("KS"), procs.get("CT") or procs.get("KS")
    online = db.session.scalars(sa.select(Dossier).where(
        Dossier.office_id == office.id, Dossier.channel == "online").order_by(Dossier.id)).all()
    now = utcnow()

    def ago(days: int, hour: int = 9) -> datetime:
        day = office_today(office) - timedelta(days=days)
        return min(local_to_utc(datetime.combine(day, time(hour)), office.tz), now)

    lan, hung, mai = (members["+84909000206"], members["+84909000207"],
                      members["+84909000208"])
    tam, thu = members["+84909000201"], members["+84909000202"]
    tri, bao = members["+84909000203"], members["+84909000205"]
    rows = [
        (hamlets["AP4"], ks, ago(20), "done", [(lan, "done")], online[0].code if online else ""),
        (hamlets["AP4"], ct, ago(15), "done", [(lan, "timeout"), (hung, "done")],
         online[1].code if len(online) > 1 else ""),
        (hamlets["AP1"], ks, ago(12, 18), "done", [(tam, "done")], ""),
        (hamlets["AP2"], ct, ago(9), "done", [(tri, "handed_back")] + (
            [(officer, "done")] if officer else []), online[2].code if len(online) > 2 else ""),
        (hamlets["AP3"], ks, ago(6, 19), "expired", [(bao, "timeout")], ""),
        (hamlets["AP1"], ct, ago(0, 8), "assigned", [(thu, "timeout"), (tam, "asked")], ""),
        (hamlets["AP4"], ks, ago(0, 8), "assigned", [(lan, "asked")], ""),
        (hamlets["AP3"], ct, ago(1, 10), "handed_back", [(bao, "handed_back")], ""),
        (hamlets["AP2"], None, ago(0, 7), "waiting", [], ""),
    ]
    if officer is not None:
        rows.append((hamlets["AP4"], ct, ago(2, 9), "escalated",
                     [(hung, "timeout"), (mai, "handed_back"), (officer, "asked")], ""))
    for n, (hamlet, proc, created, state, steps, code) in enumerate(rows, start=1):
        _request(office, hamlet, proc, n, created, state, steps, code)
    return len(rows)


def load_past_outage(office: Office, officer: Officer | None) -> None:
    """One past outage of the national portal, last month, for the hours-down table."""
    if db.session.scalars(sa.select(PortalOutage.id).where(
            PortalOutage.office_id == office.id).limit(1)).first():
        return
    start = local_to_utc(datetime.combine(office_today(office) - timedelta(days=30), time(9, 10)),
                         office.tz)
    db.session.add(PortalOutage(office_id=office.id, portal="national", started_at=start,
                                ended_at=start + timedelta(hours=5, minutes=20),
                                reported_by_id=officer.id if officer else None,
                                ended_by_id=officer.id if officer else None,
                                note="Không đăng nhập được VNeID"))


def load_demo_teams(office: Office, officer: Officer | None) -> str:
    """Everything of issue 16 the demo shows; called by ``app.demo.loader.load_demo``."""
    made = load_teams(office)
    requests = load_help_requests(office, officer)
    load_past_outage(office, officer)
    return f"{len(made)} hamlets, {requests} help requests"


__all__ = ["HAMLETS", "load_demo_teams", "load_help_requests", "load_past_outage", "load_teams"]
