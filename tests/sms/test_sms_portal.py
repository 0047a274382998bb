"""``CONG`` by SMS: anyone asks whether the online portal works; ``CONG LOI`` / ``CONG OK`` from
an active officer's public phone report it down or back up (app/portal.py). Parsed however it
is typed, answered in one GSM-7 segment in both languages, through the signed Twilio webhook."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Message, PhonePreference, PortalOutage
from app.sms.gsm import count_segments, is_gsm7
from app.sms.parser import parse
from tests.support import sms_support
from tests.support.sms_support import TOKEN, inbound_params, post_signed

english = sms_support.english

INBOUND = "/sms/twilio"
OFFICER_PHONE = "+84909000201"
CITIZEN = "+84912345678"


@pytest.fixture(autouse=True)
def twilio_config(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")


@pytest.fixture
def office(make_office):
    return make_office()


@pytest.fixture
def officer(make_officer, office):
    return make_officer(public_phone=OFFICER_PHONE, office=office)


def text(client, body: str, sender: str = CITIZEN) -> str | None:
    response = post_signed(client, INBOUND, inbound_params(body, sender=sender))
    assert response.status_code == 200
    found = ET.fromstring(response.get_data(as_text=True)).find("Message")
    return found.text if found is not None else None


def outages(db) -> list[PortalOutage]:
    return list(db.session.scalars(sa.select(PortalOutage).order_by(PortalOutage.id)))


# ------------------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    "typed, action, portal",
    [
        ("CONG", None, None),
        ("cong", None, None),
        ("Cổng", None, None),
        ("  cổng  ?", None, None),
        ("PORTAL", None, None),
        ("Cong dich vu cong", None, None),
        ("cong dvc", None, None),
        ("CONG LOI", "DOWN", None),
        ("cổng lỗi", "DOWN", None),
        ("Cổng bị lỗi ạ", "DOWN", None),
        ("congloi", "DOWN", None),
        ("CONG  LOI  TINH", "DOWN", "provincial"),
        ("cong tinh loi", "DOWN", "provincial"),
        ("Cổng lỗi quốc gia", "DOWN", "national"),
        ("cong hong", "DOWN", None),
        ("portal down", "DOWN", None),
        ("CONG OK", "UP", None),
        ("congok", "UP", None),
        ("cổng hết lỗi", "UP", None),
        ("cong chay lai tinh", "UP", "provincial"),
        ("Xin chào, cổng ok nhé", "UP", None),
    ],
)
def test_cong_is_read_however_it_is_typed(typed, action, portal):
    command = parse(typed, "VB")
    assert command.name == "portal", command
    assert (command.keyword, command.portal) == (action, portal)


@pytest.mark.parametrize(
    "typed",
    ["Công an xã ở đâu", "cong loi ok", "CONG TINH QG", "cộng 2 hồ sơ", "Cong viec cua toi",
     "Cổng ok rồi"],
)
def test_other_words_after_cong_go_to_an_officer(typed):
    assert parse(typed, "VB").name == "unknown"


# ------------------------------------------------------------------------------ webhook


def test_cong_from_anyone_says_nothing_is_reported(client, office):
    body = text(client, "cong")
    assert body.startswith("Chua co bao loi Cong dich vu cong.")
    assert count_segments(body).segments == 1 and is_gsm7(body)


def test_cong_loi_from_an_officers_phone_opens_an_outage_and_cong_answers_it(
        db, client, office, officer, clock):
    clock.local(datetime(2026, 12, 3, 9, 10))
    reply = text(client, "Cổng lỗi", sender=OFFICER_PHONE)
    assert reply.startswith("Da ghi: Cong Dich vu cong quoc gia loi tu 09:10.")
    [outage] = outages(db)
    assert outage.portal == "national" and outage.ended_at is None
    assert outage.reported_by_id == officer.id and outage.reported_phone == OFFICER_PHONE
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "portal.down")).one()
    assert audit.officer_id == officer.id

    clock.local(datetime(2026, 12, 3, 9, 40))
    body = text(client, "CONG")
    assert body == "Cong dich vu cong loi tu 09:10. Nop tai xa, hoac thu lai sau."
    # Reported again: the first report's time stays the truth.
    again = text(client, "congloi", sender=OFFICER_PHONE)
    assert again.startswith("Cong Dich vu cong quoc gia da duoc bao loi tu 09:10.")
    assert len(outages(db)) == 1


def test_cong_ok_closes_it_and_the_answer_is_back_to_normal(db, client, office, officer, clock):
    clock.local(datetime(2026, 12, 3, 9, 10))
    text(client, "CONG LOI", sender=OFFICER_PHONE)
    clock.local(datetime(2026, 12, 3, 10, 35))
    reply = text(client, "cổng ok", sender=OFFICER_PHONE)
    assert reply == "Da ghi: Cong Dich vu cong quoc gia hoat dong lai luc 10:35. Cam on!"
    [outage] = outages(db)
    assert outage.ended_at == datetime(2026, 12, 3, 3, 35)  # naive UTC
    assert outage.ended_by_id == officer.id and outage.ended_phone == OFFICER_PHONE
    assert text(client, "CONG").startswith("Chua co bao loi")
    assert text(client, "CONG OK", sender=OFFICER_PHONE).startswith(
        "Khong co bao loi nao dang mo.")


def test_the_provincial_portal_and_both_at_once(db, client, office, officer, clock):
    clock.local(datetime(2026, 12, 3, 8, 5))
    text(client, "CONG LOI TINH", sender=OFFICER_PHONE)
    assert text(client, "CONG").startswith("Cong dich vu cong cua tinh loi tu 08:05.")
    clock.local(datetime(2026, 12, 3, 9, 0))
    text(client, "CONG LOI", sender=OFFICER_PHONE)
    assert text(client, "CONG").startswith("Cong dich vu cong quoc gia va cua tinh loi tu 08:05.")
    text(client, "CONG OK TINH", sender=OFFICER_PHONE)
    assert text(client, "CONG").startswith("Cong dich vu cong loi tu 09:00.")


def test_an_outage_left_open_overnight_says_its_day(db, client, office, officer, clock):
    clock.local(datetime(2026, 12, 2, 16, 20))
    text(client, "CONG LOI", sender=OFFICER_PHONE)
    clock.local(datetime(2026, 12, 3, 7, 30))
    assert text(client, "CONG").startswith("Cong dich vu cong loi tu 16:20 ngay 02/12.")


@pytest.mark.parametrize("who", ["citizen", "leader", "inactive", "other_office"])
def test_only_an_active_writers_public_phone_of_the_office_may_report(
        db, client, office, make_officer, make_office, who):
    phone = "+84909000299"
    if who == "leader":
        make_officer(role="leader", public_phone=phone, office=office)
    elif who == "inactive":
        make_officer(public_phone=phone, office=office, active=False)
    elif who == "other_office":
        make_officer(public_phone=phone, office=make_office("XX", sms_number="+84909000999"))
    reply = text(client, "CONG LOI", sender=phone)
    assert reply.startswith("Chi so dien thoai cong khai cua can bo xa moi bao loi cong duoc.")
    assert outages(db) == []
    # The text is the officers' to read: someone says the portal fails.
    inbound = db.session.scalars(sa.select(Message).where(Message.direction == "in")).one()
    assert inbound.needs_attention and inbound.kind == "portal"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_cong_reply_is_one_gsm7_segment(db, client, office, officer, clock, english,
                                              lang):
    for phone in (CITIZEN, OFFICER_PHONE, "+84909000298"):
        db.session.add(PhonePreference(phone=phone, lang=lang))
    db.session.commit()
    clock.local(datetime(2026, 12, 2, 16, 20))
    bodies = [text(client, "CONG"), text(client, "CONG LOI TINH", sender=OFFICER_PHONE)]
    clock.local(datetime(2026, 12, 3, 7, 30))
    bodies += [
        text(client, "CONG LOI", sender=OFFICER_PHONE),
        text(client, "CONG LOI", sender=OFFICER_PHONE),
        text(client, "CONG"),  # both down, since yesterday: the longest answer
        text(client, "CONG OK", sender=OFFICER_PHONE),  # both closed: the longest report
        text(client, "CONG OK", sender=OFFICER_PHONE),
        text(client, "CONG LOI", sender="+84909000298"),
        text(client, "HELP"),
        text(client, "alo alo"),
    ]
    for body in bodies:
        info = count_segments(body)
        assert info.encoding == "GSM-7" and info.segments == 1, (len(body), body)
    if lang == "en":
        assert bodies[4].startswith("The national and provincial portals have been failing "
                                    "since 16:20 on 02/12.")
    assert "CONG" in bodies[-2] and "CONG" in bodies[-1]  # the help text lists it
