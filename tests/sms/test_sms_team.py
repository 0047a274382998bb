"""The hamlets' digital teams by SMS (issue 16): ``HT``, ``HT <hamlet>``, help requests
(``HT [<hamlet>] <procedure>``), ``XONG <n> [code]`` and ``BAN <n>`` from a member's phone, and
the hand-over chain (next member after an hour, then the officer on duty) with the clock moved.
Every text goes through the signed Twilio webhook; every reply and every text to a member,
officer or citizen is one GSM-7 segment."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.models import HelpAttempt, HelpRequest, Message, PhonePreference
from app.sms.gsm import count_segments, is_gsm7
from app.sms.hamlets import run_handover
from app.sms.parser import parse
from tests.support.sms_support import TOKEN, inbound_params, post_signed

INBOUND = "/sms/twilio"
CITIZEN = "+84912345678"
CITIZEN2 = "+84912345000"
LAN = "+84909000211"
HUNG = "+84909000212"
MAI = "+84909000221"  # ấp Một
OFFICER = "+84909000109"
THURSDAY = datetime(2026, 12, 3)

#: Every reply body seen, for the segment check at the end of each test.
SEEN: list[str] = []


@pytest.fixture(autouse=True)
def twilio_config(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")


@pytest.fixture
def commune(db, make_office, make_procedure, make_officer, make_shift):
    """VB with procedure KS, ấp Bốn (AP4: Lan 8–10 and Hùng 8–17 on weekdays), ấp Một (AP1:
    Mai, weekends only), and an officer at the desk Thursday 7:00–11:30."""
    from app.models import Hamlet, TeamMember, TeamSlot

    office = make_office()
    make_procedure(office=office, keyword="KS", name="Đăng ký khai sinh",
                   name_en="Birth registration")
    officer = make_officer(office=office, name="Lê Văn Cường", public_phone=OFFICER)
    make_shift(officer, 3, time(7, 0), time(11, 30))
    bon = Hamlet(office_id=office.id, name="Ấp Bốn", keyword="AP4", position=1)
    mot = Hamlet(office_id=office.id, name="Ấp Một", keyword="AP1", position=0)
    db.session.add_all([bon, mot])
    db.session.flush()
    lan = TeamMember(hamlet_id=bon.id, name="Nguyễn Thị Lan", phone=LAN, position=0)
    hung = TeamMember(hamlet_id=bon.id, name="Trần Văn Hùng", phone=HUNG, position=1)
    mai = TeamMember(hamlet_id=mot.id, name="Võ Thị Mai", phone=MAI, position=0)
    db.session.add_all([lan, hung, mai])
    db.session.flush()
    for wd in range(5):
        db.session.add(TeamSlot(member_id=lan.id, weekday=wd, start=time(8), end=time(10)))
        db.session.add(TeamSlot(member_id=hung.id, weekday=wd, start=time(8), end=time(17)))
    for wd in (5, 6):
        db.session.add(TeamSlot(member_id=mai.id, weekday=wd, start=time(8), end=time(11)))
    db.session.commit()
    return office


def text(client, body: str, sender: str = CITIZEN) -> str | None:
    response = post_signed(client, INBOUND, inbound_params(body, sender=sender))
    assert response.status_code == 200
    found = ET.fromstring(response.get_data(as_text=True)).find("Message")
    reply = found.text if found is not None else None
    if reply is not None:
        assert is_gsm7(reply) and count_segments(reply).segments == 1, reply
    return reply


def sent(db, phone: str) -> list[Message]:
    return list(db.session.scalars(sa.select(Message).where(
        Message.direction == "out", Message.phone == phone, Message.kind == "help",
    ).order_by(Message.id)))


def one_segment(messages: list[Message]) -> None:
    for m in messages:
        assert is_gsm7(m.body) and count_segments(m.body).segments == 1, m.body


def the_request(db) -> HelpRequest:
    return db.session.scalars(sa.select(HelpRequest).order_by(HelpRequest.id.desc())).first()


# ------------------------------------------------------------------------------ parsing


@pytest.mark.parametrize("typed, keyword", [
    ("HT", None), ("ht", None), ("  ht. ", None), ("Hỗ trợ", None), ("HT ap4", "AP4"),
    ("ht Ấp Bốn", "AP BON"), ("HT  AP4   KS.", "AP4 KS"), ("Nhờ hỗ trợ ấp bốn khai sinh ạ", "AP BON KHAI SINH"),
    ("HT KS", "KS"),
])
def test_ht_is_read_however_it_is_typed(typed, keyword):
    cmd = parse(typed, "VB")
    assert (cmd.name, cmd.keyword) == ("team", keyword)


@pytest.mark.parametrize("typed, name, number, code", [
    ("XONG 12", "team_done", 12, None), ("xong12", "team_done", 12, None),
    ("Xong số 12 ạ", "team_done", 12, None), ("XONG 12 VB-261203-0001", "team_done", 12, "VB-261203-0001"),
    ("xong 12 vb 261203 0001", "team_done", 12, "VB-261203-0001"), ("XONG", "team_done", None, None),
    ("BAN 7", "team_back", 7, None), ("bận 7", "team_back", 7, None), ("ban7", "team_back", 7, None),
])
def test_xong_and_ban_are_read_however_typed(typed, name, number, code):
    cmd = parse(typed, "VB")
    assert (cmd.name, cmd.number, cmd.code) == (name, number, code)


@pytest.mark.parametrize("typed", [
    "Bạn ơi cho hỏi", "Ban 7 nguoi den lam giay", "Hỗ trợ cho tôi về hồ sơ khai sinh của con tôi với",
    "HTX Vĩnh Bửu",
])
def test_everyday_words_go_to_an_officer(typed):
    assert parse(typed, "VB").name == "unknown"


# ------------------------------------------------------------------------------ HT, HT <hamlet>


def test_ht_lists_the_hamlets_and_their_keywords(client, commune):
    reply = text(client, "HT")
    assert "AP1, AP4" in reply and "HT AP4 KS" in reply


def test_ht_hamlet_gives_members_phones_and_hours(client, commune):
    reply = text(client, "hỗ trợ ấp bốn")
    assert reply.startswith("Ap Bon:")
    assert "Lan 0909000211" in reply and "Hung 0909000212" in reply
    assert "T2-T6 08:00-10:00" in reply
    assert text(client, "HT bon") == reply  # the name without "ấp" is enough


def test_ht_in_english(db, client, commune):
    db.session.add(PhonePreference(phone=CITIZEN, lang="en", opted_out=False))
    db.session.commit()
    assert "HT AP4 KS" in text(client, "HT")
    reply = text(client, "HT AP4")
    assert "Lan 0909000211" in reply and "Mon-Fri" in reply


def test_no_hamlets_yet(client, make_office):
    make_office()
    assert "chua co to cong nghe so" in text(client, "HT")


# ------------------------------------------------------------------------------ help requests


def test_a_help_request_goes_to_the_member_available_first(db, client, commune, clock):
    clock.local(THURSDAY.replace(hour=9))
    reply = text(client, "HT AP4 KS")
    assert reply == ("Nguyen Thi Lan (0909 000 211), to cong nghe so Ap Bon, se goi ban truoc "
                     "10:00. Giup nop: Dang ky khai sinh. So cua ban chi gui cho 1 nguoi nay.")
    req = the_request(db)
    assert (req.state, req.member.phone, req.hamlet.keyword, req.procedure.sms_keyword) == \
        ("assigned", LAN, "AP4", "KS")
    to_lan = sent(db, LAN)
    assert len(to_lan) == 1 and "0912 345 678" in to_lan[0].body
    assert f"XONG {req.id}" in to_lan[0].body and f"BAN {req.id}" in to_lan[0].body
    # Only Lan got the number.
    assert sent(db, HUNG) == [] and sent(db, OFFICER) == []
    one_segment(to_lan)


def test_the_same_phone_asking_again_is_told_who_is_on_it(db, client, commune, clock):
    clock.local(THURSDAY.replace(hour=9))
    first = text(client, "HT AP4 KS")
    assert text(client, "ht ap4 ks") == first
    assert db.session.scalar(sa.select(sa.func.count(HelpRequest.id))) == 1
    assert len(sent(db, LAN)) == 1


def test_without_a_hamlet_the_reply_asks_which_then_remembers(db, client, commune, clock):
    clock.local(THURSDAY.replace(hour=9))
    reply = text(client, "HT KS")
    assert "ap nao" in reply and "AP1, AP4" in reply
    assert db.session.scalar(sa.select(sa.func.count(HelpRequest.id))) == 0
    text(client, "HT AP4 KS")
    text(client, f"XONG {the_request(db).id}", sender=LAN)
    assert "Lan" in text(client, "HT KS")  # the sender's hamlet from last time
    assert db.session.scalar(sa.select(sa.func.count(HelpRequest.id))) == 2


def test_unknown_words_name_no_hamlet(client, commune):
    reply = text(client, "HT XYZ")
    assert reply.startswith("Khong thay ap XYZ.")


def test_out_of_hours_the_member_whose_slot_starts_first_is_asked_for_then(
        db, client, commune, clock):
    clock.local(THURSDAY.replace(hour=18))
    reply = text(client, "HT AP4 KS")
    assert "se goi ban tu 08:00 ngay 04/12" in reply
    req = the_request(db)
    assert req.member.phone == LAN
    to_lan = sent(db, LAN)[0]
    assert to_lan.next_attempt_at == datetime(2026, 12, 4, 1, 0)  # 08:00 in the commune
    # The hour counts from 8:00: nothing moves at 8:30.
    clock.local(datetime(2026, 12, 4, 8, 30))
    assert run_handover().moved == 0


def test_english_help_request(db, client, commune, clock):
    db.session.add(PhonePreference(phone=CITIZEN, lang="en", opted_out=False))
    db.session.commit()
    clock.local(THURSDAY.replace(hour=9))
    reply = text(client, "HT AP4 KS")
    assert "will call you by 10:00" in reply and "only to this one person" in reply


def test_a_number_from_abroad_asks_nobody(db, client, commune, clock):
    clock.local(THURSDAY.replace(hour=9))
    text(client, "HT AP4 KS", sender="+14155550100")
    assert db.session.scalar(sa.select(sa.func.count(HelpRequest.id))) == 0
    assert sent(db, LAN) == []


# ------------------------------------------------------------------------------ XONG, BAN


def test_xong_from_the_member_closes_it_with_the_dossier_code(db, client, commune, clock):
    clock.local(THURSDAY.replace(hour=9))
    text(client, "HT AP4 KS")
    req = the_request(db)
    reply = text(client, f"xong {req.id} vb 261203 0001", sender=LAN)
    assert reply == f"Da ghi: so {req.id} xong, ma ho so VB-261203-0001. Cam on!"
    db.session.refresh(req)
    assert (req.state, req.dossier_code) == ("done", "VB-261203-0001")
    assert [a.outcome for a in req.attempts] == ["done"]
    assert text(client, f"XONG {req.id}", sender=LAN).startswith(f"So {req.id} da dong")
    # Nothing moves afterwards.
    clock.local(THURSDAY.replace(hour=13))
    assert run_handover().moved == 0


def test_only_a_registered_member_of_that_hamlet(db, client, commune, clock):
    clock.local(THURSDAY.replace(hour=9))
    text(client, "HT AP4 KS")
    req = the_request(db)
    reply = text(client, f"XONG {req.id}", sender=CITIZEN2)
    assert reply.startswith("Chi so dien thoai cua to cong nghe so")
    inbound = db.session.scalars(sa.select(Message).where(
        Message.direction == "in", Message.phone == CITIZEN2)).one()
    assert inbound.needs_attention
    assert text(client, f"XONG {req.id}", sender=MAI).startswith(f"Khong co yeu cau so {req.id}")
    assert text(client, f"BAN {req.id}", sender=HUNG).startswith(f"So {req.id} dang giao")
    assert text(client, "XONG", sender=LAN).startswith("Soan XONG + so yeu cau")
    db.session.refresh(req)
    assert req.state == "assigned"


def test_the_whole_hand_over_chain_with_the_clock_moved(db, client, commune, clock):
    """Lan is asked at 9:00; no XONG by 10:00 → Hùng; Hùng hands it back → the officer on duty;
    the officer says XONG. The citizen hears each time who calls now."""
    clock.local(THURSDAY.replace(hour=9))
    text(client, "HT AP4 KS")
    req = the_request(db)
    n = req.id

    clock.local(THURSDAY.replace(hour=9, minute=59))
    assert run_handover().moved == 0

    clock.local(THURSDAY.replace(hour=10, minute=1))
    moved = run_handover()
    assert (moved.moved, moved.escalated) == (1, 0)
    db.session.refresh(req)
    assert (req.state, req.member.phone) == ("assigned", HUNG)
    to_hung = sent(db, HUNG)
    assert len(to_hung) == 1 and "0912 345 678" in to_hung[0].body
    to_citizen = sent(db, CITIZEN)
    assert len(to_citizen) == 1
    assert to_citizen[0].body.startswith(f"Ho tro so {n}: nay Tran Van Hung (0909 000 212)")
    assert run_handover().moved == 0  # a second pass sends nothing twice
    assert len(sent(db, HUNG)) == 1

    clock.local(THURSDAY.replace(hour=10, minute=20))
    assert text(client, f"BAN {n}", sender=HUNG) == (
        f"Da chuyen so {n} cho can bo xa truc. Cam on!")
    db.session.refresh(req)
    assert (req.state, req.officer.public_phone) == ("escalated", OFFICER)
    to_officer = sent(db, OFFICER)
    assert len(to_officer) == 1 and "chua ai nhan" in to_officer[0].body
    assert "can bo xa Le Van Cuong" in sent(db, CITIZEN)[-1].body

    assert text(client, f"XONG {n}", sender=OFFICER).startswith(f"Da ghi: so {n} xong")
    db.session.refresh(req)
    assert req.state == "done"
    assert [(a.member.phone if a.member else "officer", a.outcome) for a in req.attempts] == [
        (LAN, "timeout"), (HUNG, "handed_back"), ("officer", "done")]
    one_segment(sent(db, LAN) + sent(db, HUNG) + sent(db, OFFICER) + sent(db, CITIZEN))


def test_nobody_takes_it_then_the_officer_then_it_expires(db, client, commune, clock):
    clock.local(THURSDAY.replace(hour=9))
    text(client, "HT AP4 KS")
    req = the_request(db)
    clock.local(THURSDAY.replace(hour=10, minute=5))
    assert run_handover().moved == 1  # Lan → Hùng
    clock.local(THURSDAY.replace(hour=11, minute=10))
    assert run_handover().escalated == 1  # Hùng → the officer on duty till 11:30
    db.session.refresh(req)
    assert req.state == "escalated" and req.due_at is None
    clock.local(THURSDAY + timedelta(days=3, hours=10))
    assert run_handover().expired == 1
    db.session.refresh(req)
    assert req.state == "expired"
    assert [a.outcome for a in req.attempts] == ["timeout", "timeout", "timeout"]


def test_a_hamlet_with_nobody_waits_and_is_picked_up_later(db, client, commune, clock):
    """ấp Một helps only at weekends and the desk is closed on Saturday: on Friday evening the
    request waits for Mai's Saturday slot."""
    clock.local(datetime(2026, 12, 4, 19, 0))
    reply = text(client, "HT AP1 KS")
    assert "Vo Thi Mai" in reply and "tu 08:00 ngay 05/12" in reply


def test_cli_runs_the_hand_over(db, client, commune, clock, app):
    clock.local(THURSDAY.replace(hour=9))
    text(client, "HT AP4 KS")
    clock.local(THURSDAY.replace(hour=10, minute=30))
    result = app.test_cli_runner().invoke(args=["sms", "handover"])
    assert result.exit_code == 0, result.output
    assert "moved 1" in result.output
    assert db.session.scalar(sa.select(sa.func.count(HelpAttempt.id))) == 2
