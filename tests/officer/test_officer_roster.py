"""The roster page: everyone reads it, only the admin changes it; the admin is warned about
uncovered slots here and on the desk home; changes show on the public pages at once."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.models import AuditLog, DutyException, DutyShift
from tests.support.desk import post, sign_in

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a Monday morning
BANNER = "Có buổi làm việc chưa có người trực"


@pytest.fixture(autouse=True)
def fixed_clock(clock):
    clock.local(NOW)


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("role", ["officer", "leader", "admin"])
def test_roster_renders_for_every_role(client, pages, make_officer, make_shift, login, role):
    lan = make_officer(name="Trần Thị Lan")
    make_shift(lan, 0)
    sign_in(client, make_officer, login, role)
    r = pages.get("officer.roster")
    page = r.page
    html = r.get_data(as_text=True)
    assert "Trần Thị Lan" in html
    has_forms = any("/roster/shifts" in (f.get("action") or "") for f in page.forms)
    assert has_forms is (role == "admin")


def test_banner_warns_admin_only(client, make_officer, make_shift, login):
    lan = make_officer()
    make_shift(lan, 0, time(7, 0), time(11, 30))  # Monday morning only: the rest is uncovered
    sign_in(client, make_officer, login, "admin")
    for url in ("/officer/roster", "/officer/"):
        html = client.get(url).get_data(as_text=True)
        assert BANNER in html, url
        assert "Thứ Hai 02/03/2026, 13:30–17:00" in html
        assert "Thứ Hai 02/03/2026, 7:00–11:30" not in html


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_no_banner_for_other_roles(client, make_officer, login, role):
    sign_in(client, make_officer, login, role)
    assert BANNER not in client.get("/officer/roster").get_data(as_text=True)
    assert BANNER not in client.get("/officer/").get_data(as_text=True)


def test_no_banner_when_every_slot_is_covered(client, make_officer, make_shift, login):
    admin = sign_in(client, make_officer, login, "admin")
    for wd in range(5):
        make_shift(admin, wd, time(7, 0), time(11, 30))
        make_shift(admin, wd, time(13, 30), time(17, 0))
    assert BANNER not in client.get("/officer/").get_data(as_text=True)
    assert BANNER not in client.get("/officer/roster").get_data(as_text=True)


def test_admin_adds_a_shift_and_contacts_show_it(client, db, make_officer, login):
    admin = sign_in(client, make_officer, login, "admin")
    lan = make_officer(name="Trần Thị Lan")
    r = post(
        client,
        "/officer/roster/shifts",
        {
            "shift-officer": lan.id,
            "shift-weekday": "0",
            "shift-start": "07:00",
            "shift-end": "11:30",
        },
    )
    assert r.status_code == 302
    shift = db.session.scalars(sa.select(DutyShift)).one()
    assert (shift.officer_id, shift.weekday, shift.start, shift.end) == (
        lan.id,
        0,
        time(7),
        time(11, 30),
    )
    entry = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "roster.shift_add")
    ).one()
    assert entry.officer_id == admin.id
    contacts = client.get("/vb/contacts").get_data(as_text=True)
    assert "T2 7:00–11:30" in contacts and "đang trực" in contacts  # Monday 8:00


@pytest.mark.parametrize(
    "start,end,message",
    [
        ("11:30", "07:00", "Giờ kết thúc phải sau giờ bắt đầu."),
        ("04:00", "07:00", "Ca trực phải trong khoảng 5:00–22:00."),
        ("7h", "11:30", "Giờ không đúng dạng"),
        ("", "11:30", "Nhập giờ bắt đầu"),
    ],
)
def test_bad_shift_is_refused_with_the_input_kept(
    client, db, make_officer, login, start, end, message
):
    sign_in(client, make_officer, login, "admin")
    lan = make_officer()
    r = post(
        client,
        "/officer/roster/shifts",
        {"shift-officer": lan.id, "shift-weekday": "2", "shift-start": start, "shift-end": end},
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert message in html
    assert f'value="{end}"' in html and '<option selected value="2">' in html
    assert _count(db, DutyShift) == 0


def test_shift_without_officer_is_refused(client, db, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    r = post(
        client,
        "/officer/roster/shifts",
        {"shift-officer": "", "shift-weekday": "0", "shift-start": "07:00", "shift-end": "09:00"},
    )
    assert r.status_code == 400 and "Chọn cán bộ." in r.get_data(as_text=True)


def test_shift_post_without_csrf_is_refused(client, db, make_officer, login):
    admin = sign_in(client, make_officer, login, "admin")
    r = post(
        client,
        "/officer/roster/shifts",
        {
            "shift-officer": admin.id,
            "shift-weekday": "0",
            "shift-start": "07:00",
            "shift-end": "09:00",
        },
        csrf=False,
    )
    assert r.status_code == 400 and _count(db, DutyShift) == 0


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_only_admin_edits_the_roster(client, db, make_officer, make_shift, login, role):
    me = sign_in(client, make_officer, login, role)
    shift = make_shift(me, 0)
    data = {
        "shift-officer": me.id,
        "shift-weekday": "1",
        "shift-start": "07:00",
        "shift-end": "09:00",
    }
    assert post(client, "/officer/roster/shifts", data).status_code == 403
    assert post(client, f"/officer/roster/shifts/{shift.id}/remove").status_code == 403
    assert (
        post(
            client, "/officer/roster/exceptions", {"exc-day": "2026-03-03", "exc-kind": "holiday"}
        ).status_code
        == 403
    )
    assert _count(db, DutyShift) == 1 and _count(db, DutyException) == 0


def test_admin_removes_a_shift(client, db, make_officer, make_shift, login):
    admin = sign_in(client, make_officer, login, "admin")
    shift = make_shift(admin, 0)
    assert post(client, f"/officer/roster/shifts/{shift.id}/remove", csrf=False).status_code == 400
    assert _count(db, DutyShift) == 1
    assert post(client, f"/officer/roster/shifts/{shift.id}/remove").status_code == 302
    assert _count(db, DutyShift) == 0
    assert post(client, f"/officer/roster/shifts/{shift.id}/remove").status_code == 404


def test_admin_adds_a_stand_in_and_home_shows_it(client, db, make_officer, make_shift, login):
    sign_in(client, make_officer, login, "admin")
    lan = make_officer(name="Trần Thị Lan", public_phone="+84909000101")
    minh = make_officer(name="Lê Văn Minh", public_phone="+84909000102")
    make_shift(lan, 0, time(7, 0), time(11, 30))
    r = post(
        client,
        "/officer/roster/exceptions",
        {
            "exc-day": "2026-03-02",
            "exc-kind": "standin",
            "exc-officer": lan.id,
            "exc-stand_in": minh.id,
            "exc-note": "Chị Lan đi tập huấn",
        },
    )
    assert r.status_code == 302
    exc = db.session.scalars(sa.select(DutyException)).one()
    assert (exc.kind, exc.officer_id, exc.stand_in_id, exc.note) == (
        "standin",
        lan.id,
        minh.id,
        "Chị Lan đi tập huấn",
    )
    home = client.get("/").get_data(as_text=True)
    assert "trực thay Trần Thị Lan" in home and "0909 000 102" in home
    roster = client.get("/officer/roster").get_data(as_text=True)
    assert "Chị Lan đi tập huấn" in roster


@pytest.mark.parametrize(
    "data,message",
    [
        ({"exc-kind": "standin", "exc-officer": "LAN"}, "Chọn người trực thay."),
        (
            {"exc-kind": "standin", "exc-officer": "LAN", "exc-stand_in": "LAN"},
            "Người trực thay phải khác cán bộ nghỉ.",
        ),
        ({"exc-kind": "extra", "exc-officer": "LAN"}, "Nhập giờ bắt đầu."),
        ({"exc-kind": "leave"}, "Chọn một cán bộ đang làm việc."),
        ({"exc-kind": "leave", "exc-officer": "LAN", "exc-day": "2026-03-01"}, "Ngày đã qua."),
        ({"exc-kind": "leave", "exc-officer": "LAN", "exc-day": "02/03"}, "Ngày không đúng dạng."),
        ({"exc-kind": "leave", "exc-officer": "LAN", "exc-day": ""}, "Nhập ngày"),
    ],
)
def test_bad_exception_is_refused(client, db, make_officer, login, data, message):
    sign_in(client, make_officer, login, "admin")
    lan = make_officer()
    form = {"exc-day": "2026-03-03", "exc-note": "ghi chú giữ lại"}
    form.update({k: (lan.id if v == "LAN" else v) for k, v in data.items()})
    r = post(client, "/officer/roster/exceptions", form)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert message in html and 'value="ghi chú giữ lại"' in html
    assert _count(db, DutyException) == 0


def test_holiday_closes_the_day_and_is_removable(client, db, make_officer, make_shift, login):
    admin = sign_in(client, make_officer, login, "admin")
    make_shift(admin, 1)
    assert (
        post(
            client,
            "/officer/roster/exceptions",
            {"exc-day": "2026-03-03", "exc-kind": "holiday", "exc-note": "Nghỉ bù"},
        ).status_code
        == 302
    )
    exc = db.session.scalars(sa.select(DutyException)).one()
    assert exc.officer_id is None and exc.day == date(2026, 3, 3)
    html = client.get("/officer/roster").get_data(as_text=True)
    assert "Nghỉ bù" in html
    assert post(client, f"/officer/roster/exceptions/{exc.id}/remove").status_code == 302
    assert _count(db, DutyException) == 0
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"roster.exception_add", "roster.exception_remove"} <= actions
