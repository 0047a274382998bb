"""Officers' SMS inbox: threads per phone (flagged first), the thread page, replies through the
outbox with an audit entry, "mark handled", the home panel, and who may do what."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Message, PhonePreference
from app.sms.inbound import handle_inbound
from tests.support.helpers import csrf_token

A, B, C = "+84912345678", "+84987654321", "+84911222333"


def text_in(office, phone: str, body: str):
    return handle_inbound(office, phone, body, "try", uuid.uuid4().hex)


@pytest.fixture
def office(make_office):
    return make_office()


@pytest.fixture
def traffic(db, office):
    """A: asked for the list (answered); B: an unknown text (flagged); C: feedback (flagged)
    then the list."""
    text_in(office, A, "DS")
    unknown = text_in(office, B, "alo, ho so cua toi sao roi")
    text_in(office, C, "GY can them ghe ngoi")
    text_in(office, C, "DS")
    return {"unknown": unknown}


@pytest.fixture
def officer(make_officer, office):
    return make_officer(username="canbo", role="officer")


def test_signed_out_goes_to_login(client, office):
    for url in ("/officer/inbox", f"/officer/inbox/{A}"):
        r = client.get(url)
        assert r.status_code == 302 and "/officer/login" in r.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "officer", "leader"])
def test_every_role_reads_the_inbox(client, pages, login, make_officer, traffic, role):
    login(make_officer(role=role))
    page = pages.get("officer.inbox").page
    html = client.get("/officer/inbox").get_data(as_text=True)
    order = [html.index(p) for p in ("0987 654 321", "0911 222 333", "0912 345 678")]
    # flagged threads first (B then C by newest flagged... C's last message is newer), then A
    assert order[2] == max(order)
    assert "cần xem" in html
    assert page.h1 == 1
    thread = pages.get("officer.inbox_thread", phone=B)
    text = thread.get_data(as_text=True)
    assert "alo, ho so cua toi sao roi" in text and "Da chuyen tin toi can bo xa" in text
    can_write = role != "leader"
    assert ("Gửi trả lời" in text) is can_write
    assert ("Đánh dấu đã xử lý" in text) is can_write


def test_threads_are_ordered_flagged_then_newest(db, office, traffic):
    from app.sms.inbox import threads

    page = threads(office.id, 1)
    assert [t.phone for t in page.items] == [C, B, A]
    assert [t.flagged for t in page.items] == [1, 1, 0]
    assert [t.total for t in page.items] == [4, 2, 2]
    assert page.items[0].last_direction == "out"


def test_unknown_thread_is_404(client, login, officer, traffic):
    login(officer)
    assert client.get("/officer/inbox/+84900000000").status_code == 404
    assert client.get("/officer/inbox/not a phone").status_code == 404


def _reply(client, phone, body, token=None):
    token = token if token is not None else csrf_token(client, f"/officer/inbox/{phone}")
    return client.post(f"/officer/inbox/{phone}/reply", data={"body": body, "csrf_token": token})


def test_officer_reply_is_queued_sanitised_and_audited(client, db, login, officer, traffic,
                                                       sent_sms):
    login(officer)
    r = _reply(client, B, "Chào anh, hồ sơ đang được giải quyết – hẹn thứ Sáu “nhé”.")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/officer/inbox/{B}")
    manual = [m for m in sent_sms(B) if m.kind == "manual"]
    assert len(manual) == 1
    m = manual[0]
    assert m.body == 'Chao anh, ho so dang duoc giai quyet - hen thu Sau "nhe".'
    assert (m.status, m.officer_id, m.segments, m.encoding) == ("queued", officer.id, 1, "GSM-7")
    assert m.reply_to_id == traffic["unknown"].inbound_id
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "sms.reply")).one()
    assert entry.officer_id == officer.id and entry.after["phone"] == B
    page = client.get(f"/officer/inbox/{B}").get_data(as_text=True)
    assert "1 phần tin" in page and "Đã xếp tin trả lời vào hàng gửi" in page


@pytest.mark.parametrize(
    "body, error",
    [
        ("", "Nhập nội dung tin trả lời."),
        ("   ", "Nhập nội dung tin trả lời."),
        ("ồ " * 300, "Tin dài quá: 4 phần tin, tối đa 3."),
        ("x" * 2001, "Tin dài quá."),
    ],
)
def test_bad_reply_keeps_the_text_and_is_400(client, db, login, officer, traffic, sent_sms,
                                             body, error):
    login(officer)
    r = _reply(client, B, body)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert error in html
    if body.strip():
        assert body[:50] in html  # kept
    assert not [m for m in sent_sms(B) if m.kind == "manual"]


def test_long_reply_shows_the_sanitised_preview(client, login, officer, traffic):
    login(officer)
    html = _reply(client, B, "ồ " * 300).get_data(as_text=True)
    assert re.search(r"Sẽ gửi.*o o o", html)


def test_reply_to_an_opted_out_phone_is_refused(client, db, login, officer, traffic, sent_sms):
    db.session.merge(PhonePreference(phone=B, opted_out=True))
    db.session.commit()
    login(officer)
    r = _reply(client, B, "Xin chao")
    assert r.status_code == 400 and "ngừng nhận tin" in r.get_data(as_text=True)
    assert not [m for m in sent_sms(B) if m.kind == "manual"]


def test_reply_without_csrf_is_400(client, login, officer, traffic, sent_sms):
    login(officer)
    assert _reply(client, B, "Xin chao", token="").status_code == 400
    assert not [m for m in sent_sms(B) if m.kind == "manual"]


def test_leader_cannot_reply_or_mark(client, db, login, make_officer, traffic, sent_sms):
    login(make_officer(role="leader"))
    token = csrf_token(client, f"/officer/inbox/{B}")
    assert _reply(client, B, "Xin chao", token=token).status_code == 403
    r = client.post(f"/officer/inbox/{B}/handled/{traffic['unknown'].inbound_id}",
                    data={"csrf_token": token})
    assert r.status_code == 403
    assert db.session.get(Message, traffic["unknown"].inbound_id).handled_at is None


def test_mark_handled(client, db, login, officer, traffic, office):
    from app.sms.inbox import flagged_count

    login(officer)
    assert flagged_count(office.id) == 2
    msg_id = traffic["unknown"].inbound_id
    token = csrf_token(client, f"/officer/inbox/{B}")
    r = client.post(f"/officer/inbox/{B}/handled/{msg_id}", data={"csrf_token": token})
    assert r.status_code == 302
    assert db.session.get(Message, msg_id).handled_at is not None
    assert flagged_count(office.id) == 1
    assert db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "sms.handled")
    ).one().officer_id == officer.id
    html = client.get(f"/officer/inbox/{B}").get_data(as_text=True)
    assert "đã xử lý" in html


def test_mark_handled_refuses_a_message_of_another_thread(client, db, login, officer, traffic):
    login(officer)
    token = csrf_token(client, f"/officer/inbox/{A}")
    r = client.post(f"/officer/inbox/{A}/handled/{traffic['unknown'].inbound_id}",
                    data={"csrf_token": token})
    assert r.status_code == 404


def test_mark_handled_on_an_unflagged_message_is_400(client, db, login, officer, traffic):
    login(officer)
    first_a = db.session.scalars(
        sa.select(Message).where(Message.phone == A, Message.direction == "in")
    ).first()
    token = csrf_token(client, f"/officer/inbox/{A}")
    r = client.post(f"/officer/inbox/{A}/handled/{first_a.id}", data={"csrf_token": token})
    assert r.status_code == 400 and "không cần xử lý" in r.get_data(as_text=True)


def test_messages_of_another_office_are_not_shown(client, db, login, officer, make_office):
    other = make_office("DT", name="UBND xã Đông Thạnh", sms_number="+84909000200")
    text_in(other, A, "alo")
    login(officer)
    assert "0912 345 678" not in client.get("/officer/inbox").get_data(as_text=True)
    assert client.get(f"/officer/inbox/{A}").status_code == 404


def test_home_panel_counts_flagged_texts(client, login, officer, traffic):
    login(officer)
    html = client.get("/officer/").get_data(as_text=True)
    assert "2 tin nhắn cần cán bộ xem" in html
    assert 'href="/officer/inbox"' in html
