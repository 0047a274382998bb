"""Load the demo commune, Xã Vĩnh Bửu, Tây Ninh (office prefix VB): procedures with vi/en guides,
officers with phones and a weekly roster, 40+ dossiers over the last 12 months, feedback.

Idempotent: each part is created only when missing, so ``demo load`` can run on every start.
Phone numbers are made up for the demo; replace them with the commune's real ones.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app import papers
from app.clock import local_date, local_to_utc, office_today, utcnow
from app.deadlines import add_working_days, next_working_day
from app.demo.hamlets import load_demo_teams
from app.demo.procedures import PROCEDURES
from app.dossiers import change_status, register_dossier
from app.extensions import db
from app.models import (
    Dossier,
    DutyException,
    DutyShift,
    Feedback,
    Message,
    Office,
    Officer,
    Procedure,
    ProcedureContent,
)
from app.phones import DEMO_PHONE_PREFIX
from app.search import fold

OFFICE = {
    "code": "VB",
    "name": "UBND xã Vĩnh Bửu",
    "name_en": "Vinh Buu Commune People's Committee",
    "address": "Trung tâm Phục vụ hành chính công xã Vĩnh Bửu, tỉnh Tây Ninh",
    "phone": "+842723800100",
    "sms_number": "+84909000100",
}

# username, name, title (vi), title (en), phone, role, SMS keywords in charge
OFFICERS = [
    ("admin", "Trần Thị Bình", "Công chức Văn phòng – Thống kê", "Office and statistics officer",
     "+84909000101", "admin", []),
    ("canbo", "Lê Văn Cường", "Công chức Tư pháp – Hộ tịch", "Justice and civil status officer",
     "+84909000102", "officer", ["KS", "KT", "KH", "HN", "TL", "NCM"]),
    ("hoa", "Võ Thị Hoa", "Công chức Tư pháp – Hộ tịch", "Justice and civil status officer",
     "+84909000103", "officer", ["CT", "CK", "CTD", "VNEID"]),
    ("khoa", "Đỗ Minh Khoa", "Công chức Kinh tế", "Economy officer",
     "+84909000104", "officer", ["HKD"]),
    ("lanhdao", "Phạm Văn Dũng", "Phó Chủ tịch UBND xã", "Vice-chairman of the commune",
     "+84909000105", "leader", []),
]

# Weekly roster at the desk: (username, weekday, start, end). Mornings and afternoons covered.
ROSTER = [
    ("canbo", 0, "07:00", "11:30"), ("hoa", 0, "13:30", "17:00"),
    ("hoa", 1, "07:00", "11:30"), ("canbo", 1, "13:30", "17:00"),
    ("canbo", 2, "07:00", "11:30"), ("khoa", 2, "13:30", "17:00"),
    ("khoa", 3, "07:00", "11:30"), ("hoa", 3, "13:30", "17:00"),
    ("hoa", 4, "07:00", "11:30"), ("canbo", 4, "13:30", "17:00"),
]

NAMES = [
    "Nguyễn Văn Tám", "Trần Thị Lan", "Lê Văn Hùng", "Phạm Thị Mai", "Huỳnh Văn Sáu",
    "Võ Thị Hồng", "Đặng Văn Lộc", "Bùi Thị Thu", "Ngô Văn Phúc", "Dương Thị Hạnh",
    "Lý Văn Tài", "Đỗ Thị Yến", "Hồ Văn Nam", "Mai Thị Cúc", "Phan Văn Bảy",
]

NEEDS = [
    "Xã không tìm thấy giấy chứng sinh trên máy tính. Mang bản chính đến xã.",
    "Tờ khai chưa có chữ ký của người đi đăng ký.",
    "Tờ khai thiếu ngày sinh của con. Đến xã ghi thêm.",
]
REJECT = "Giấy tờ không phải bản chính, không chứng thực được."


def _hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _office() -> Office:
    office = db.session.scalars(sa.select(Office).where(Office.code == OFFICE["code"])).first()
    if office is None:
        office = Office(**OFFICE)
        db.session.add(office)
        db.session.flush()
    return office


def _procedures(office: Office) -> dict[str, Procedure]:
    by_keyword: dict[str, Procedure] = {}
    for position, data in enumerate(PROCEDURES):
        proc = db.session.scalars(
            sa.select(Procedure).where(Procedure.office_id == office.id, Procedure.slug == data["slug"])
        ).first()
        if proc is None:
            proc = Procedure(
                office_id=office.id,
                national_code=data.get("national_code"),
                slug=data["slug"],
                field=data["field"],
                sms_keyword=data["sms_keyword"],
                processing_days=data.get("processing_days"),
                same_day_cutoff=data.get("same_day_cutoff"),
                online_mode=data.get("online_mode", "offline"),
                portal_url=data.get("portal_url") or office.portal_url,
                fee_vnd=data.get("fee_vnd"),
                to_confirm=list(data.get("to_confirm", [])),
                position=position,
            )
            for lang, content in data["content"].items():
                proc.contents.append(make_content(lang, content))
            db.session.add(proc)
        by_keyword[proc.sms_keyword] = proc
    db.session.flush()
    return by_keyword


def make_content(lang: str, content: dict) -> ProcedureContent:
    row = ProcedureContent(lang=lang)
    for key in ProcedureContent.EDITABLE:
        setattr(row, key, content.get(key, [] if key in ("documents", "steps") else ""))
    row.search_text = fold(" ".join([row.name, row.summary, " ".join(row.documents)]))
    return row


def _officers(office: Office, password: str, procs: dict[str, Procedure]) -> dict[str, Officer]:
    result = {}
    for username, name, title, title_en, phone, role, keywords in OFFICERS:
        officer = db.session.scalars(sa.select(Officer).where(Officer.username == username)).first()
        if officer is None:
            officer = Officer(office_id=office.id, username=username, name=name, title=title,
                              title_en=title_en, public_phone=phone, role=role)
            officer.set_password(password)
            officer.procedures = [procs[k] for k in keywords if k in procs]
            db.session.add(officer)
        result[username] = officer
    db.session.flush()
    if not db.session.scalars(sa.select(DutyShift).limit(1)).first():
        for username, weekday, start, end in ROSTER:
            db.session.add(DutyShift(officer_id=result[username].id, weekday=weekday,
                                     start=_hm(start), end=_hm(end)))
    return result


def _dossiers(office: Office, procs: dict[str, Procedure], officers: dict[str, Officer]) -> int:
    if db.session.scalars(sa.select(Dossier).where(Dossier.office_id == office.id).limit(1)).first():
        return 0
    rng = random.Random(20241115)
    real = [p for p in procs.values() if not p.is_howto]
    weights = [8 if p.field == "chung_thuc" else 4 if p.field == "ho_tich" else 1 for p in real]
    now = utcnow()
    count = 0
    # 48 dossiers spread over the last 12 months, newest last; recent ones still open.
    for i in range(48):
        days_ago = int(360 - i * 7.4) + rng.randint(0, 3)
        local_day = local_date(now - timedelta(days=days_ago), office.tz)
        while local_day.weekday() >= 5:
            local_day -= timedelta(days=1)
        hour = rng.choice([7, 8, 9, 10, 14, 15, 16])
        received = datetime.combine(local_day, time(hour, rng.randint(0, 59)))
        received_utc = local_to_utc(received, office.tz)
        if received_utc > now:
            received_utc = now - timedelta(hours=1)
        proc = rng.choices(real, weights)[0]
        phone = f"{DEMO_PHONE_PREFIX}{rng.randint(0, 999999):06d}"  # never delivered (app/phones.py)
        dossier = register_dossier(
            office=office, procedure=proc, applicant_name=rng.choice(NAMES), phone=phone,
            channel=rng.choices(["counter", "online", "post"], [70, 26, 4])[0],
            sms_consent=rng.random() < 0.7, lang="vi", officer=officers["canbo"],
            received_at=received_utc, commit=False,
        )
        _advance(dossier, officers, rng, now, i)
        count += 1
    count += _desk_papers(office, procs, officers, now)
    # The demo's history is history: every text its events caused is stored as delivered in
    # the same transaction, so not one of them is ever queued for the worker — only events
    # after the load would be (and their demo numbers are refused by the worker).
    db.session.execute(
        sa.update(Message)
        .where(Message.office_id == office.id, Message.status == "queued",
               Message.dossier_id.in_(sa.select(Dossier.id).where(Dossier.office_id == office.id)))
        .values(status="delivered", attempts=1, sent_at=Message.created_at,
                delivered_at=Message.created_at, channel="console")
    )
    return count


def _desk_papers(office: Office, procs: dict[str, Procedure], officers: dict[str, Officer],
                 now: datetime) -> int:
    """The desk's papers (issue 15): every slip lists the papers received; of the overdue
    dossiers two have an apology with a new date, one waits for more papers, one is refused,
    the rest still owe an apology; and one online dossier waits for acknowledgement. Returns
    the dossiers added (the online one)."""
    today = office_today(office)
    every = list(db.session.scalars(
        sa.select(Dossier).where(Dossier.office_id == office.id).order_by(Dossier.id)))
    for n, dossier in enumerate(every):
        docs = dossier.procedure.content("vi").documents or []
        papers.record_receipt(dossier, [
            {"name": d, "form": ("lookup" if "căn cước" in d.lower() or "CCCD" in d
                                 else "copy" if n % 3 == 0 else "original")} for d in docs
        ], dossier.procedure.fee_vnd)
    overdue = [d for d in every if d.is_overdue(today)]
    who = officers["canbo"]
    for n, dossier in enumerate(overdue[:4]):
        if n < 2 or (n == 2 and dossier.status == "needs_supplement"):
            papers.apologise(dossier, who, reason="Chờ xác minh thông tin với xã nơi cư trú trước",
                             new_date=add_working_days(today, 3 + n), today=today, commit=False)
        elif n == 2:
            papers.request_supplement(dossier, who, papers="Bản chính giấy chứng sinh",
                                      reason="Bản sao đã nộp bị mờ, không đọc được ngày sinh",
                                      bring_by=add_working_days(today, 5), today=today,
                                      commit=False)
        else:
            papers.refuse(dossier, who, reason="Việc này do công an xã giải quyết, không phải "
                          "bộ phận một cửa. Mời đến công an xã.", commit=False)
    online = next((p for p in procs.values() if not p.is_howto and p.online_mode == "full"),
                  None) or next(p for p in procs.values() if not p.is_howto)
    register_dossier(
        office=office, procedure=online, applicant_name="Võ Thị Mai",
        phone=f"{DEMO_PHONE_PREFIX}000777", channel="online", sms_consent=True, lang="vi",
        officer=None, received_at=now - timedelta(hours=1), commit=False,
    )
    return 1


def _advance(dossier: Dossier, officers: dict[str, Officer], rng: random.Random, now: datetime, i: int) -> None:
    """Walk a dossier along a realistic path; the newest stay open, a few run late."""
    who = officers["hoa"] if dossier.procedure.field == "chung_thuc" else officers["canbo"]
    at = dossier.received_at
    due_end = local_to_utc(datetime.combine(dossier.due_on, time(9, 0)), dossier.office.tz)

    def step(status: str, when: datetime, note: str = "", result_return: str | None = None) -> bool:
        nonlocal at
        if when > now:
            return False
        at = max(when, at + timedelta(minutes=5))
        change_status(dossier, status, who, note=note, at=at, commit=False,
                      result_return=result_return)
        return True

    recent = i >= 42
    late = i in (7, 19, 33, 44)  # some finish late, one is overdue now
    if i % 23 == 5:
        step("withdrawn", at + timedelta(hours=2))
        return
    if i % 17 == 3:
        step("rejected", at + timedelta(hours=1), REJECT)
        return
    if i == 46:  # one newly received dossier nobody has picked up yet
        return
    if not step("processing", at + timedelta(minutes=30)):
        return
    if i % 6 == 2 and not recent:
        step("needs_supplement", at + timedelta(hours=1), rng.choice(NEEDS))
        step("processing", at + timedelta(days=1))
    if recent and i != 47:
        if i == 45:
            step("needs_supplement", at + timedelta(hours=1), NEEDS[0])
        return  # still open (one is overdue when its due date has passed)
    done = due_end + timedelta(days=2 if late else 0) if late else min(due_end, at + timedelta(hours=3))
    if not step("ready", done):
        return
    if i != 47:
        # Online dossiers get their result back online or by post (fully online for Decision
        # 766), the others at the desk. Not drawn from ``rng``: the rest of the data stays as it was.
        how = ("online" if i % 2 else "post") if dossier.channel == "online" else "desk"
        step("returned", done + timedelta(days=rng.randint(0, 2), hours=1), result_return=how)


def _feedback(office: Office) -> int:
    if db.session.scalars(sa.select(Feedback).where(Feedback.office_id == office.id).limit(1)).first():
        return 0
    dossiers = list(db.session.scalars(sa.select(Dossier).where(Dossier.status == "returned").limit(6)))
    items = [
        (5, "Cán bộ hướng dẫn tận tình, làm nhanh trong ngày."),
        (4, "Nhận được tin nhắn báo có kết quả, rất tiện."),
        (5, ""),
        (3, "Phải chờ lâu buổi sáng thứ Hai."),
        (2, "Không biết tạo tài khoản VNeID, mong xã hướng dẫn thêm."),
        (None, "Đề nghị có người trực điện thoại giờ trưa."),
        (4, "Hướng dẫn ngắn, dễ hiểu."),
    ]
    now = utcnow()
    for n, (rating, comment) in enumerate(items):
        db.session.add(Feedback(
            office_id=office.id, rating=rating, comment=comment,
            dossier_id=dossiers[n].id if n < len(dossiers) else None,
            # As if given with the code and phone digits: the demo's index has ratings to show.
            proven=rating is not None and n < len(dossiers),
            created_at=now - timedelta(days=40 * n + 3),
        ))
    return len(items)


def load_demo(password: str) -> str:
    """Create whatever part of the demo commune is missing; return a one-line summary."""
    office = _office()
    procs = _procedures(office)
    officers = _officers(office, password, procs)
    dossiers = _dossiers(office, procs, officers)
    feedback = _feedback(office)
    if not db.session.scalars(sa.select(DutyException).limit(1)).first():
        # One example of a dated exception: the civil status officer on leave next working day,
        # covered by a colleague.
        day = next_working_day(office_today(office))
        db.session.add(DutyException(office_id=office.id, day=day, kind="standin",
                                     officer_id=officers["canbo"].id,
                                     stand_in_id=officers["hoa"].id, note="Nghỉ phép"))
    teams = load_demo_teams(office, officers.get("canbo"))  # issue 16: app/demo/hamlets.py
    db.session.commit()
    return (f"office {office.code}: {len(procs)} procedures, {len(officers)} officers, "
            f"{dossiers} new dossiers, {feedback} new feedback, {teams}")



