"""The desk's papers (issue 15): receipt with papers ticked, request for more papers (clock
paused), refusal, apology with a new date, online acknowledgement within 8 working hours, the
process control sheet; every write with CSRF and roles (leader 403)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.deadlines import add_working_days
from app.models import Dossier, Message
from app.sms.gsm import count_segments, is_gsm7
from tests.support.helpers import csrf_token

# Thursday 3 December 2026, 9:00 in the commune.
NOW = datetime(2026, 12, 3, 9, 0)


@pytest.fixture
def desk(clock, make_office, make_procedure, make_officer):
    clock.local(NOW)
    office = make_office()
    proc = make_procedure(office=office, name="Đăng ký khai sinh", processing_days=3,
                          fee_vnd=8000)
    officer = make_officer("can_bo", role="officer", procedures=[proc], office=office,
                           name="Lê Văn Cường", public_phone="+84909000102")
    leader = make_officer("lanh_dao", role="leader", office=office)
    admin = make_officer("quan_tri", role="admin", office=office)
    return {"office": office, "proc": proc, "officer": officer, "leader": leader,
            "admin": admin}


def _token(client) -> str:
    return csrf_token(client, "/officer/")


def _sms(dossier) -> list[Message]:
    from app.extensions import db

    return list(db.session.scalars(sa.select(Message).where(
        Message.dossier_id == dossier.id, Message.direction == "out").order_by(Message.id)))


def _post(client, url, prefix, **fields):
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    data[f"{prefix}-csrf_token"] = _token(client)
    return client.post(url, data=data)


# ----------------------------------------------------------------------------- receipt


def test_register_with_papers_ticked_prints_them_on_the_slip(db, client, login, desk):
    login(desk["officer"])
    page = client.post("/officer/dossiers/new", data={
        "csrf_token": csrf_token(client, "/officer/dossiers/new"),
        "procedure": str(desk["proc"].id), "step": "papers"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="paper-0"' in html and "Giấy chứng sinh" in html
    response = client.post("/officer/dossiers/new", data={
        "csrf_token": csrf_token(client, "/officer/dossiers/new"),
        "procedure": str(desk["proc"].id), "applicant_name": "Trần Thị Lan",
        "phone": "0912345678", "channel": "counter", "lang": "vi", "fee_paid": "8000",
        "paper-0": "original", "paper-1": "lookup", "paper-2": "forged"})
    assert response.status_code == 302
    d = db.session.scalars(sa.select(Dossier)).one()
    first = d.events[0]
    assert first.kind == "receipt"
    assert first.data == {"papers": [{"name": "Giấy chứng sinh", "form": "original"},
                                     {"name": "CCCD", "form": "lookup"}], "fee_paid": 8000}
    for fmt in ("a5", "a4", "58mm"):
        slip = client.get(f"/officer/dossiers/{d.code}/slip?format={fmt}").get_data(as_text=True)
        assert "Bản chính" in slip and "Tra trên cơ sở dữ liệu" in slip
        assert "8.000 đ" in slip and "Người nộp hồ sơ" in slip and "Cán bộ tiếp nhận" in slip


def test_bad_fee_is_a_translated_error(db, client, login, desk):
    login(desk["officer"])
    response = client.post("/officer/dossiers/new", data={
        "csrf_token": csrf_token(client, "/officer/dossiers/new"),
        "procedure": str(desk["proc"].id), "applicant_name": "Lan", "channel": "counter",
        "lang": "vi", "fee_paid": "-5"})
    assert response.status_code == 400
    assert "Lệ phí không đúng." in response.get_data(as_text=True)


# ----------------------------------------------------------------------------- supplement


def test_supplement_pauses_the_clock_and_texts_one_segment(db, client, login, desk,
                                                           make_dossier, clock):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"])
    assert d.due_on == date(2026, 12, 8)  # Thu + 3 working days
    login(desk["officer"])
    response = _post(client, f"/officer/dossiers/{d.code}/supplement", "sup",
                     papers="Bản chính giấy chứng sinh", reason="Bản sao bị mờ",
                     bring_by="2026-12-10")
    assert response.status_code == 302
    db.session.refresh(d)
    assert d.status == "needs_supplement"
    event = d.events[-1]
    assert event.kind == "supplement" and event.officer_id == desk["officer"].id
    assert event.data["days_left"] == 3  # Fri, Mon, Tue were still left
    assert d.due_on == add_working_days(date(2026, 12, 10), 3)  # if brought on the last day
    body = _sms(d)[-1].body
    assert count_segments(body).segments == 1 and is_gsm7(body)
    assert "10/12/2026" in body and "0909 000 102" in body
    paper = client.get(response.headers["Location"])
    assert paper.status_code == 200 and "Bản sao bị mờ" in paper.get_data(as_text=True)
    # The papers come on Tuesday 8 December: the 3 days left count from then.
    clock.local(datetime(2026, 12, 8, 10, 0))
    from app.dossiers import change_status

    change_status(d, "processing", desk["officer"])
    db.session.refresh(d)
    assert d.status == "processing" and d.due_on == date(2026, 12, 11)


@pytest.mark.parametrize("bring_by, error", [
    ("2026-12-03", "Chọn một ngày sau hôm nay."),
    ("2026-12-05", "Ngày này là ngày nghỉ. Chọn một ngày làm việc."),
    ("ngày mai", "Ngày không đúng dạng."),
    ("", "Nhập ngày, ví dụ 2026-12-10."),
])
def test_supplement_bad_dates_are_translated_errors(db, client, login, desk, make_dossier,
                                                    bring_by, error):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"])
    login(desk["officer"])
    response = _post(client, f"/officer/dossiers/{d.code}/supplement", "sup",
                     papers="Giấy chứng sinh", reason="Thiếu", bring_by=bring_by)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    db.session.refresh(d)
    assert d.status == "received"


# ----------------------------------------------------------------------------- refusal


def test_refusal_prints_and_texts_the_reason(db, client, login, desk, make_dossier):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"])
    login(desk["officer"])
    response = _post(client, f"/officer/dossiers/{d.code}/refuse", "ref",
                     reason="Cháu sinh ở xã khác, đăng ký tại xã nơi cha mẹ ở")
    assert response.status_code == 302
    db.session.refresh(d)
    assert d.status == "rejected" and d.events[-1].kind == "refusal"
    assert d.events[-1].data["stage"] == "reception"
    body = _sms(d)[-1].body
    assert count_segments(body).segments == 1 and "tu choi" in body
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Từ chối tiếp nhận hồ sơ" in html


def test_refusal_without_reason_is_refused(db, client, login, desk, make_dossier):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"])
    login(desk["officer"])
    response = _post(client, f"/officer/dossiers/{d.code}/refuse", "ref", reason="  ")
    assert response.status_code == 400
    assert "Ghi rõ lý do từ chối." in response.get_data(as_text=True)


# ----------------------------------------------------------------------------- apology


def test_apology_keeps_each_and_shows_the_new_date(db, client, login, desk, make_dossier,
                                                   clock):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"],
                     received_at=datetime(2026, 11, 20, 2, 0))
    assert d.is_overdue(date(2026, 12, 3))
    login(desk["officer"])
    home = client.get("/officer/").get_data(as_text=True)
    assert "chưa có phiếu xin lỗi" in home
    response = _post(client, f"/officer/dossiers/{d.code}/apology", "apo",
                     reason="Chờ xác minh với xã khác", new_date="2026-12-09")
    assert response.status_code == 302
    db.session.refresh(d)
    assert d.promised_on == date(2026, 12, 9) and d.current_due == date(2026, 12, 9)
    assert d.is_overdue(date(2026, 12, 3))  # still late for the metrics
    body = _sms(d)[-1].body
    assert count_segments(body).segments == 1 and "09/12/2026" in body
    assert "xin loi" in body.lower()
    _post(client, f"/officer/dossiers/{d.code}/apology", "apo", reason="Lại chậm",
          new_date="2026-12-11")
    db.session.refresh(d)
    assert [e.kind for e in d.events].count("apology") == 2
    assert d.promised_on == date(2026, 12, 11)
    sheet = client.get(f"/officer/dossiers/{d.code}/control").get_data(as_text=True)
    assert sheet.count("Phiếu xin lỗi và hẹn lại ngày trả kết quả") == 2
    # The TT reply and the API give the new date.
    from app.sms.inbound import status_reply

    reply = status_reply(d.office, d, d.code, d.phone, "vi")
    assert "11/12/2026" in reply and count_segments(reply).segments == 1
    api = client.get(f"/api/v1/dossiers/{d.code}?phone_last4=5678").get_json()
    assert api["due_on"] == "2026-12-11" and api["next_step"]["kind"] == "wait"


@pytest.mark.parametrize("new_date, error", [
    ("2026-12-02", "Chọn một ngày sau hôm nay."),
    ("2026-12-06", "Ngày này là ngày nghỉ. Chọn một ngày làm việc."),
    ("xx", "Ngày không đúng dạng."),
])
def test_apology_date_is_validated(db, client, login, desk, make_dossier, new_date, error):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"],
                     received_at=datetime(2026, 11, 20, 2, 0))
    login(desk["officer"])
    response = _post(client, f"/officer/dossiers/{d.code}/apology", "apo", reason="Chậm",
                     new_date=new_date)
    assert response.status_code == 400 and error in response.get_data(as_text=True)


def test_apology_before_the_due_date_must_move_it_later(db, client, login, desk,
                                                        make_dossier):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"])  # due 8/12
    login(desk["officer"])
    response = _post(client, f"/officer/dossiers/{d.code}/apology", "apo", reason="Chậm",
                     new_date="2026-12-07")
    assert response.status_code == 400
    assert "Ngày hẹn mới phải sau ngày hẹn trả hiện nay." in response.get_data(as_text=True)


# ----------------------------------------------------------------------------- online


def test_online_dossier_waits_for_acknowledgement_with_hours_left(db, client, login, desk,
                                                                  make_dossier, clock):
    # Received online Wednesday 2 Dec at 16:00: 1 hour that day, 4.5 on Thursday morning,
    # 2.5 after lunch → 16:00 Thursday.
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"], channel="online",
                     received_at=datetime(2026, 12, 2, 9, 0))
    from app import papers

    assert papers.ack_deadline(d) == datetime(2026, 12, 3, 16, 0)
    login(desk["officer"])
    home = client.get("/officer/").get_data(as_text=True)
    assert d.code in home and "còn 5 giờ làm việc" in home  # 9:00 → 16:00, lunch off
    response = client.post(f"/officer/dossiers/{d.code}/ack", data={
        "ack-csrf_token": _token(client)})
    assert response.status_code == 302
    db.session.refresh(d)
    assert d.acknowledged_at is not None and d.events[-1].kind == "ack"
    assert "chờ xác nhận" not in client.get("/officer/").get_data(as_text=True)


# ----------------------------------------------------------------------------- roles + CSRF


WRITES = [("supplement", "sup", {"papers": "Giấy", "reason": "Thiếu", "bring_by": "2026-12-10"}),
          ("refuse", "ref", {"reason": "Sai xã"}),
          ("apology", "apo", {"reason": "Chậm", "new_date": "2026-12-10"}),
          ("ack", "ack", {})]


@pytest.mark.parametrize("action, prefix, fields", WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("role, expected", [("leader", 403), ("officer", 302), ("admin", 302),
                                            ("anon", 302)])
def test_roles(db, client, login, desk, make_dossier, action, prefix, fields, role, expected):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"], channel="online")
    if role != "anon":
        login(desk[role])
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    data[f"{prefix}-csrf_token"] = _token(client) if role != "anon" else "x"
    response = client.post(f"/officer/dossiers/{d.code}/{action}", data=data)
    if role == "anon":
        assert response.status_code in (302, 400)
        assert "/officer/dossiers/" not in response.headers.get("Location", "/login")
    else:
        assert response.status_code == expected
    db.session.refresh(d)
    changed = len(d.events) > 1
    assert changed == (role in ("officer", "admin"))


@pytest.mark.parametrize("action, prefix, fields", WRITES, ids=[w[0] for w in WRITES])
def test_csrf_required(db, client, login, desk, make_dossier, action, prefix, fields):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"], channel="online")
    login(desk["officer"])
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    response = client.post(f"/officer/dossiers/{d.code}/{action}", data=data)
    assert response.status_code == 400
    db.session.refresh(d)
    assert len(d.events) == 1


# ----------------------------------------------------------------------------- pages


def test_paper_pages(pages, login, desk, make_dossier, db):
    d = make_dossier(procedure=desk["proc"], officer=desk["officer"],
                     received_at=datetime(2026, 11, 20, 2, 0))
    from app import papers

    event = papers.apologise(d, desk["officer"], reason="Chậm", new_date=date(2026, 12, 9),
                             today=date(2026, 12, 3))
    login(desk["leader"])  # leaders read and print
    for fmt in ("a5", "a4"):
        pages.get("officer.paper", code=d.code, event_id=event.id, format=fmt)
        pages.get("officer.control_sheet", code=d.code, format=fmt)
    pages.get("officer.paper", code=d.code, event_id=d.events[0].id, _expected_status=404)
