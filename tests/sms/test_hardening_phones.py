"""Issue 12, items 7 and 11: STOP is final (one phone however it is written, applied before any
flood limit, nothing queued to it but the one confirmation), and an inbox reply goes only to a
phone number with a thread in this commune."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.models import Message, PhonePreference
from app.sms.channels.console import ConsoleChannel
from app.sms.inbound import handle_inbound
from app.sms.outbox import queue_message
from app.sms.worker import run_once
from tests.support.helpers import csrf_token

E164, LOCAL = "+84912345678", "0912345678"
STRANGER = "+84987654321"


@pytest.fixture
def office(make_office):
    return make_office()


def text_in(office, phone: str, body: str, channel: str = "twilio"):
    return handle_inbound(office, phone, body, channel, uuid.uuid4().hex)


def _out(db, phone: str = E164, **where) -> list[Message]:
    query = sa.select(Message).where(Message.direction == "out", Message.phone == phone)
    for key, value in where.items():
        query = query.where(getattr(Message, key) == value)
    return list(db.session.scalars(query.order_by(Message.id)))


def _reply(client, phone: str, body: str = "Xã đã nhận hồ sơ, mời anh chị đến lấy."):
    url = f"/officer/inbox/{phone}"
    token = csrf_token(client, "/officer/inbox")  # the session's token, valid on every form
    return client.post(f"{url}/reply", data={"body": body, "csrf_token": token})


# ------------------------------------------------------------------------------ item 7


def test_opted_out_as_e164_then_an_officer_reply_to_the_local_form_is_not_sent(
        client, db, login, make_officer, office):
    text_in(office, E164, "DS")
    text_in(office, E164, "HUY")
    assert db.session.get(PhonePreference, E164).opted_out is True
    login(make_officer(office=office))
    r = _reply(client, LOCAL)
    assert r.status_code == 400
    assert "đã báo ngừng nhận tin" in r.get_data(as_text=True)
    assert _out(db, kind="manual") == [] and _out(db, LOCAL) == []


def test_a_gateway_writing_the_local_form_stops_texts_to_the_e164_number(db, office,
                                                                          make_dossier):
    dossier = make_dossier(office=office, phone=E164)
    before = len(_out(db, kind="notify"))
    result = text_in(office, LOCAL, "HUY", channel="android")
    assert result.body is not None  # the confirmation
    assert db.session.get(PhonePreference, E164).opted_out is True
    assert db.session.scalars(sa.select(Message).where(Message.phone == LOCAL)).first() is None
    from app.dossiers import change_status

    change_status(dossier, "processing", None)
    change_status(dossier, "ready", None)
    assert len(_out(db, kind="notify")) == before


@pytest.mark.parametrize("typed", [E164, LOCAL, "84912345678", "0912 345 678"])
def test_nothing_is_queued_to_an_opted_out_phone_however_it_is_written(db, office, typed):
    text_in(office, E164, "HUY")
    assert queue_message(office_id=office.id, phone=typed, body="x", kind="notify") is None
    assert queue_message(office_id=office.id, phone=typed, body="x", kind="manual") is None
    assert queue_message(office_id=office.id, phone=STRANGER, body="x", kind="notify")


def test_huy_after_30_texts_in_an_hour_is_applied(app, db, office, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_INBOUND_PER_HOUR", 30)
    for _ in range(30):
        text_in(office, E164, "DS", channel="android")
    flooded = text_in(office, E164, "DS", channel="android")
    assert flooded.limited and flooded.body is None
    stop = text_in(office, E164, "HUY", channel="android")
    assert not stop.limited
    assert db.session.get(PhonePreference, E164).opted_out is True
    inbound = db.session.get(Message, stop.inbound_id)
    assert inbound.kind == "stop"
    # the one confirmation, and nothing after it
    assert stop.body is not None
    assert text_in(office, E164, "HUY", channel="android").body is None
    assert queue_message(office_id=office.id, phone=E164, body="x", kind="notify") is None
    replies = _out(db, kind="reply")
    assert [m.reply_to_id for m in replies if m.reply_to_id == stop.inbound_id] == [
        stop.inbound_id]


def test_the_stop_confirmation_is_the_one_text_the_worker_still_sends(db, office, clock):
    clock.local(datetime(2024, 11, 18, 10, 0))  # a Monday morning: no quiet hours
    text_in(office, E164, "DS", channel="android")  # a reply, still waiting in the outbox
    stop = text_in(office, E164, "HUY", channel="android")
    stats = run_once("w1", channel=ConsoleChannel())
    statuses = {m.reply_to_id == stop.inbound_id: m.status for m in _out(db, kind="reply")}
    assert statuses == {True: "sent", False: "cancelled"}
    assert (stats.sent, stats.cancelled) == (1, 1)


# ------------------------------------------------------------------------------ item 11


def test_a_reply_to_a_phone_without_a_thread_is_404_and_queues_nothing(
        client, db, login, make_officer, office):
    text_in(office, E164, "DS")
    login(make_officer(office=office))
    r = _reply(client, STRANGER)
    assert r.status_code == 404
    assert "Xã chưa có tin nhắn nào với số này" in r.get_data(as_text=True)
    assert _out(db, STRANGER) == []


def test_a_reply_to_another_communes_thread_is_404(client, db, login, make_officer,
                                                     make_office, office):
    other = make_office(code="XA", name="UBND xã Khác")
    text_in(other, STRANGER, "DS")
    login(make_officer(office=office))
    assert _reply(client, STRANGER).status_code == 404
    assert _out(db, STRANGER, kind="manual") == []


def test_a_reply_to_a_local_form_goes_to_the_e164_thread(client, db, login, make_officer,
                                                         office):
    text_in(office, E164, "DS")
    login(make_officer(office=office))
    r = _reply(client, LOCAL)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/officer/inbox/{E164}")
    assert [m.phone for m in _out(db, kind="manual")] == [E164]
    assert db.session.scalars(sa.select(Message).where(Message.phone == LOCAL)).first() is None


@pytest.mark.parametrize("bad", ["VIETTEL", "12345"])
def test_a_reply_to_something_that_is_not_a_phone_is_400(client, db, login, make_officer,
                                                         office, bad):
    text_in(office, bad, "DS")  # a provider's sender id keeps its thread
    login(make_officer(office=office))
    r = _reply(client, bad)
    assert r.status_code == 400
    assert "không phải số điện thoại" in r.get_data(as_text=True)
    assert _out(db, bad, kind="manual") == []


def test_a_reply_to_garbage_is_404(client, db, login, make_officer, office):
    login(make_officer(office=office))
    assert _reply(client, "not-a-phone").status_code == 404
    assert db.session.scalars(sa.select(Message)).first() is None
