"""The commune admin manages hamlets, their digital team members and the times they help
(issue 16); officers and leaders read them, the help requests (the citizen's phone masked
except for the admin) and the leaders' figures with a CSV per table. Writes need CSRF and the
admin role, are audited, and bad input gets a translated error that keeps what was typed."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Hamlet, HelpAttempt, HelpRequest, TeamMember, TeamSlot
from tests.support.desk import post, sign_in

THURSDAY_9 = datetime(2026, 12, 3, 9, 0)


@pytest.fixture
def bon(db, make_office):
    office = make_office()
    hamlet = Hamlet(office_id=office.id, name="Ấp Bốn", keyword="AP4")
    db.session.add(hamlet)
    db.session.flush()
    member = TeamMember(hamlet_id=hamlet.id, name="Võ Thị Lan", phone="+84909000206")
    db.session.add(member)
    db.session.flush()
    db.session.add(TeamSlot(member_id=member.id, weekday=3, start=time(7), end=time(11)))
    db.session.commit()
    return hamlet


def test_the_admin_adds_a_hamlet_a_member_a_slot_and_an_exception(
        db, pages, client, make_officer, login, clock):
    clock.local(THURSDAY_9)
    sign_in(client, make_officer, login, role="admin")
    page = pages.get("officer.hamlets")
    assert "Chưa có ấp nào." in page.get_data(as_text=True)
    pages.post("officer.hamlet_add", _data={"hamlet-name": "Ấp Bốn", "hamlet-keyword": "ap 4"},
               _expected_redirect="/officer/hamlets")
    hamlet = db.session.scalars(sa.select(Hamlet)).one()
    assert (hamlet.name, hamlet.keyword) == ("Ấp Bốn", "AP4")
    pages.post("officer.team_member_add",
               _data={"member-hamlet": hamlet.id, "member-name": "Võ Thị Lan",
                      "member-phone": "0909 000 206"},
               _expected_redirect="/officer/hamlets")
    member = db.session.scalars(sa.select(TeamMember)).one()
    assert member.phone == "+84909000206"
    pages.post("officer.team_slot_add",
               _data={"slot-member": member.id, "slot-weekday": 0, "slot-start": "17:00",
                      "slot-end": "20:00"}, _expected_redirect="/officer/hamlets")
    pages.post("officer.team_exception_add",
               _data={"exc-member": member.id, "exc-day": "2026-12-10", "exc-kind": "away",
                      "exc-note": "Đi đám cưới"}, _expected_redirect="/officer/hamlets")
    html = pages.get("officer.hamlets").get_data(as_text=True)
    assert "Võ Thị Lan" in html and "0909 000 206" in html and "17:00–20:00" in html
    assert "Đi đám cưới" in html
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["hamlet.add", "team.member_add", "team.slot_add", "team.exception_add"]


def test_bad_input_gets_a_translated_error_and_keeps_what_was_typed(
        db, pages, client, make_officer, login, bon, make_procedure, clock):
    clock.local(THURSDAY_9)
    make_procedure(keyword="KS")
    sign_in(client, make_officer, login, role="admin")
    for data, message in [
        ({"hamlet-name": "Ấp Năm", "hamlet-keyword": "AP4"}, "Từ khóa này đã dùng cho Ấp Bốn."),
        ({"hamlet-name": "Ấp Năm", "hamlet-keyword": "KS"}, "trùng mã một thủ tục"),
        ({"hamlet-name": "Ấp Năm", "hamlet-keyword": "Ấ"}, "2–12 chữ cái"),
    ]:
        html = pages.post("officer.hamlet_add", _data=data, _expected_status=400,
                          _csrf_from="/officer/hamlets").get_data(as_text=True)
        assert message in html and 'value="Ấp Năm"' in html
    member = bon.members[0]
    html = pages.post("officer.team_member_add", _data={
        "member-hamlet": bon.id, "member-name": "Trần Văn Hùng", "member-phone": "12ab"},
        _expected_status=400).get_data(as_text=True)
    assert "Số điện thoại không đúng" in html and 'value="Trần Văn Hùng"' in html
    html = pages.post("officer.team_slot_add", _data={
        "slot-member": member.id, "slot-weekday": 3, "slot-start": "10:00", "slot-end": "09:00"},
        _expected_status=400).get_data(as_text=True)
    assert "Giờ kết thúc phải sau giờ bắt đầu." in html
    html = pages.post("officer.team_exception_add", _data={
        "exc-member": member.id, "exc-day": "2026-12-01", "exc-kind": "away"},
        _expected_status=400).get_data(as_text=True)
    assert "Ngày đã qua." in html
    html = pages.post("officer.team_slot_add", _data={
        "slot-member": "x", "slot-weekday": "9", "slot-start": "x", "slot-end": ""},
        _expected_status=400).get_data(as_text=True)
    assert "Chọn thành viên." in html
    assert db.session.scalar(sa.select(sa.func.count(Hamlet.id))) == 1


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_others_read_but_may_not_change(db, pages, client, make_officer, login, bon, role):
    sign_in(client, make_officer, login, role=role)
    html = pages.get("officer.hamlets").get_data(as_text=True)
    assert "Võ Thị Lan" in html and "Thêm ấp" not in html
    pages.post("officer.hamlet_add", _data={"hamlet-name": "Ấp Năm", "hamlet-keyword": "AP5"},
               _expected_status=403)
    pages.post("officer.team_member_remove", member_id=bon.members[0].id, _expected_status=403)
    assert db.session.scalar(sa.select(sa.func.count(TeamMember.id))) == 1


def test_writes_need_csrf_and_the_same_office(db, client, make_officer, make_office, login, bon):
    sign_in(client, make_officer, login, role="admin")
    response = post(client, "/officer/hamlets/add",
                    {"hamlet-name": "Ấp Năm", "hamlet-keyword": "AP5"}, csrf=False)
    assert response.status_code in (400, 403)
    other = make_office(code="TB", name="UBND xã Tân Bình")
    admin2 = make_officer(role="admin", office=other, username="admin2")
    post(client, "/officer/logout")
    login(admin2)
    response = post(client, f"/officer/hamlets/{bon.id}/remove")
    assert response.status_code == 404
    assert db.session.get(Hamlet, bon.id) is not None


def test_pausing_and_removing_a_member(db, pages, client, make_officer, login, bon):
    sign_in(client, make_officer, login, role="admin")
    member = bon.members[0]
    pages.post("officer.team_member_active", member_id=member.id,
               _expected_redirect="/officer/hamlets")
    db.session.refresh(member)
    assert member.active is False
    pages.post("officer.team_slot_remove", slot_id=member.slots[0].id,
               _expected_redirect="/officer/hamlets")
    pages.post("officer.team_member_remove", member_id=member.id,
               _expected_redirect="/officer/hamlets")
    pages.post("officer.hamlet_remove", hamlet_id=bon.id, _expected_redirect="/officer/hamlets")
    assert db.session.scalar(sa.select(sa.func.count(Hamlet.id))) == 0


def _requests(db, bon, make_officer, make_dossier):
    member = bon.members[0]
    dossier = make_dossier(channel="online")
    done = HelpRequest(office_id=bon.office_id, hamlet_id=bon.id, phone="+84912345678",
                       state="done", dossier_code=dossier.code)
    open_ = HelpRequest(office_id=bon.office_id, hamlet_id=bon.id, phone="+84912340000",
                        state="assigned", member_id=member.id)
    db.session.add_all([done, open_])
    db.session.flush()
    db.session.add_all([
        HelpAttempt(request_id=done.id, member_id=member.id, outcome="timeout"),
        HelpAttempt(request_id=done.id, member_id=member.id, outcome="done"),
        HelpAttempt(request_id=open_.id, member_id=member.id, outcome="asked"),
    ])
    db.session.commit()
    return dossier


def test_the_help_request_list_masks_the_phone_except_for_the_admin(
        db, pages, client, make_officer, login, bon, make_dossier):
    _requests(db, bon, make_officer, make_dossier)
    officer = sign_in(client, make_officer, login, role="officer")
    html = pages.get("officer.help_requests").get_data(as_text=True)
    assert "0912 *** 678" in html and "0912 345 678" not in html
    assert "Đã giao thành viên" in html and "Võ Thị Lan: không trả lời" in html
    post(client, "/officer/logout")
    admin = make_officer(role="admin", username="admin9")
    login(admin)
    assert "0912 345 678" in pages.get("officer.help_requests").get_data(as_text=True)
    assert officer.id


def test_leaders_figures_and_their_csv(db, pages, client, make_officer, login, bon, make_dossier):
    dossier = _requests(db, bon, make_officer, make_dossier)
    sign_in(client, make_officer, login, role="leader")
    html = pages.get("officer.hamlet_figures").get_data(as_text=True)
    for title in ("Nhờ hỗ trợ theo ấp", "Nhờ hỗ trợ theo thành viên",
                  "Hồ sơ nộp trực tuyến sau khi được giúp", "Cổng dịch vụ công lỗi theo tháng"):
        assert title in html
    assert dossier.code in html
    rows = {}
    for table in ("hamlets", "members", "online", "portal"):
        response = client.get(f"/officer/hamlets/figures/{table}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows[table] = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    # Ấp Bốn: 2 requests, 1 done, 0 handed back, 1 unanswered, 0 escalated, 1 linked, 1 online
    assert rows["hamlets"][1] == ["Ấp Bốn", "2", "1", "0", "1", "0", "1", "1", "100%"]
    assert rows["members"][1] == ["Ấp Bốn", "Võ Thị Lan", "3", "1", "0", "1"]
    assert rows["online"][1][2] == dossier.code
    assert len(rows["portal"]) == 1 + 12 * 2
    assert client.get("/officer/hamlets/figures/nope.csv").status_code == 404
