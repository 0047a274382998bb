"""Feedback inbox: filters, pagination, marking handled with a note (audited), roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Feedback, utcnow
from tests.support.desk import post, sign_in


@pytest.fixture
def make_feedback(db, make_office):
    def make(**kw) -> Feedback:
        office = kw.pop("office", None) or make_office()
        days_ago = kw.pop("days_ago", 0)
        item = Feedback(office_id=office.id, created_at=utcnow() - timedelta(days=days_ago), **kw)
        db.session.add(item)
        db.session.commit()
        return item

    return make


@pytest.mark.parametrize("role", ["officer", "leader", "admin"])
def test_inbox_renders_for_every_role(client, pages, make_feedback, make_officer, login, role):
    make_feedback(rating=2, comment="Chờ lâu quá")
    sign_in(client, make_officer, login, role)
    r = pages.get("officer.feedback_inbox")
    html = r.get_data(as_text=True)
    assert "Chờ lâu quá" in html
    assert ('name="note"' in html) is (role != "leader")


def _comments(client, query: str = "") -> set[str]:
    html = client.get("/officer/feedback" + query).get_data(as_text=True)
    return {c for c in ("A-web5", "B-sms1", "C-old", "D-done", "E-text") if c in html}


def test_filters(client, make_feedback, make_office, make_officer, login):
    me = sign_in(client, make_officer, login, "officer")
    make_feedback(rating=5, comment="A-web5", source="web")
    make_feedback(rating=1, comment="B-sms1", source="sms", phone="+84912345678")
    make_feedback(rating=3, comment="C-old", days_ago=40)
    make_feedback(
        rating=4,
        comment="D-done",
        handled_at=utcnow(),
        handled_by_id=me.id,
        handled_note="Đã gọi lại",
    )
    make_feedback(rating=None, comment="E-text", source="sms")
    make_feedback(rating=5, comment="other office", office=make_office("XX", name="Xã khác"))
    assert _comments(client) == {"A-web5", "B-sms1", "C-old", "D-done", "E-text"}
    assert _comments(client, "?rating=5") == {"A-web5"}
    assert _comments(client, "?rating=none") == {"E-text"}
    assert _comments(client, "?source=sms") == {"B-sms1", "E-text"}
    assert _comments(client, "?state=handled") == {"D-done"}
    assert _comments(client, "?state=open&period=30") == {"A-web5", "B-sms1", "E-text"}
    assert _comments(client, "?period=90&source=web") == {"A-web5", "C-old", "D-done"}
    # Junk in the query string is ignored, never a 500.
    assert _comments(client, "?rating=9&state=x&period=-1&page=abc") == _comments(client)
    assert "other office" not in client.get("/officer/feedback").get_data(as_text=True)


def test_pagination_keeps_filters(client, make_feedback, make_officer, login):
    sign_in(client, make_officer, login, "leader")
    for i in range(25):
        make_feedback(rating=4, comment=f"item-{i:02d}", source="web")
    make_feedback(rating=1, comment="sms-one", source="sms")
    first = client.get("/officer/feedback?source=web").get_data(as_text=True)
    assert "Trang 1 / 2" in first and "item-24" in first and "item-04" not in first
    assert "/officer/feedback?page=2&amp;source=web" in first
    second = client.get("/officer/feedback?source=web&page=2").get_data(as_text=True)
    assert "item-04" in second and "item-24" not in second and "sms-one" not in second


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_mark_handled_with_note(client, db, make_feedback, make_officer, login, role):
    me = sign_in(client, make_officer, login, role)
    item = make_feedback(rating=2, comment="Chờ lâu quá")
    r = post(
        client,
        f"/officer/feedback/{item.id}/handle",
        {"note": "Đã gọi lại, xin lỗi bà con", "state": "open", "page": "1"},
    )
    assert r.status_code == 302
    assert "state=open" in r.headers["Location"]
    db.session.refresh(item)
    assert item.handled_at is not None and item.handled_by_id == me.id
    assert item.handled_note == "Đã gọi lại, xin lỗi bà con"
    entry = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "feedback.handle")
    ).one()
    assert entry.officer_id == me.id and entry.after["note"] == "Đã gọi lại, xin lỗi bà con"
    assert entry.before["handled_at"] is None
    html = client.get("/officer/feedback?state=handled").get_data(as_text=True)
    assert "Đã gọi lại, xin lỗi bà con" in html


def test_empty_note_is_refused(client, db, make_feedback, make_officer, login):
    sign_in(client, make_officer, login, "officer")
    item = make_feedback(rating=2, comment="Chờ lâu quá")
    r = post(client, f"/officer/feedback/{item.id}/handle", {"note": "   "})
    assert r.status_code == 400
    assert "Ghi lại đã xử lý thế nào" in r.get_data(as_text=True)
    long = "x" * 1001
    r = post(client, f"/officer/feedback/{item.id}/handle", {"note": long})
    assert r.status_code == 400 and f">{long}</textarea>" in r.get_data(as_text=True)
    db.session.refresh(item)
    assert item.handled_at is None
    assert db.session.scalars(sa.select(AuditLog)).all() == []


def test_handle_needs_csrf_and_a_writer(app, client, db, make_feedback, make_officer, login):
    item = make_feedback(rating=2)
    sign_in(client, make_officer, login, "leader")
    assert post(client, f"/officer/feedback/{item.id}/handle", {"note": "x"}).status_code == 403
    db.session.refresh(item)
    assert item.handled_at is None


def test_handle_without_csrf_is_refused(client, db, make_feedback, make_officer, login):
    item = make_feedback(rating=2)
    sign_in(client, make_officer, login, "officer")
    r = post(client, f"/officer/feedback/{item.id}/handle", {"note": "x"}, csrf=False)
    assert r.status_code == 400
    db.session.refresh(item)
    assert item.handled_at is None


def test_other_office_feedback_is_404(client, make_feedback, make_office, make_officer, login):
    item = make_feedback(office=make_office("XX", name="Xã khác"))
    sign_in(client, make_officer, login, "officer")
    assert post(client, f"/officer/feedback/{item.id}/handle", {"note": "x"}).status_code == 404
