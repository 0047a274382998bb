"""Issue 13, "Done means", end to end through the web: the province admin creates a commune
and its first admin; that admin changes the temporary password, adds an officer and a shift,
registers a dossier; the citizen finds it on the new commune's pages only, and a text to the
new commune's own gateway is answered by that commune, through that gateway."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.models import Dossier, DutyShift, Message, Office, Officer, ProcedureLocal
from app.sms.channels import android_channel as ac
from app.sms.worker import run_once
from tests.conftest import PASSWORD
from tests.support.fakes.android_gateway import FakeAndroidGateway
from tests.support.helpers import csrf_token

MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
CITIZEN = "+84912345678"
NEW_PASSWORD = "dong lua chin vang 2026"
TB = {
    "code": "tb",
    "name": "UBND xã Tân Bình",
    "name_en": "Tan Binh Commune",
    "former_names": "",
    "address": "Ấp 2, xã Tân Bình",
    "phone": "0272 3891 234",
    "sms_number": "0909 111 222",
    "map_url": "",
    "am_start": "07:00",
    "am_end": "11:30",
    "pm_start": "13:00",
    "pm_end": "17:00",
    "timezone": "Asia/Ho_Chi_Minh",
    "admin_username": "qt.tanbinh",
    "admin_name": "Lê Văn Quản",
    "admin_phone": "0912 000 111",
}


@pytest.fixture
def province(db, make_office, make_procedure):
    """Like the demo: one commune (VB) with a procedure in the province catalogue (and one
    the province retired), and the province admin ``tinh``."""
    vb = make_office("VB")
    proc = make_procedure(slug="khai-sinh", keyword="KS", office=vb, name="Đăng ký khai sinh")
    retired = make_procedure(slug="cu", keyword="CU", office=vb, active=False)
    admin = Officer(office_id=None, username="tinh", name="Trần Tỉnh", role="province_admin")
    admin.set_password(PASSWORD)
    db.session.add(admin)
    db.session.commit()
    return {"vb": vb, "proc": proc, "retired": retired, "admin": admin}


@pytest.fixture
def tb_phone(app, monkeypatch) -> Iterator[FakeAndroidGateway]:
    """The new commune's Android gateway phone. The app-wide gateway points where nothing
    listens, so a reply that went out any other way than through this phone would fail."""
    for key, value in {"ANDROID_GATEWAY_URL": "http://127.0.0.1:9",
                       "ANDROID_GATEWAY_PASSWORD": "app-wide-password",
                       "ANDROID_WEBHOOK_SIGNING_KEY": "app-wide-key",
                       "ANDROID_SEND_RATE": 600000.0,
                       "SMS_QUIET_START": "", "SMS_QUIET_END": "",
                       "PUBLIC_BASE_URL": ""}.items():
        monkeypatch.setitem(app.config, key, value)
    ac.reset_limiters()
    with FakeAndroidGateway(user="gw-tb", password="pass-tb-123456",
                            signing_key="key-of-tan-binh") as phone:
        yield phone
    ac.reset_limiters()


def _sign_in(client, username, password):
    token = csrf_token(client, "/officer/login")
    return client.post("/officer/login",
                       data={"username": username, "password": password, "csrf_token": token})


def _post(client, url, data, token_from="/officer/"):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, token_from)})


def _one(db, model, *where):
    return db.session.scalars(sa.select(model).where(*where)).one()


def test_a_new_commune_from_creation_to_its_first_answered_text(client, db, clock, province,
                                                                tb_phone):
    clock.local(MONDAY_9AM)  # a weekday office hour

    # 1. The province admin creates Tân Bình and its first admin on the web.
    assert _sign_in(client, "tinh", PASSWORD).status_code == 302
    r = _post(client, "/officer/communes/new", TB, token_from="/officer/communes/new")
    assert r.status_code == 200, r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    temporary = re.search(r'<code id="temp-password">([^<]+)</code>', html).group(1)
    tb = _one(db, Office, Office.code == "TB")
    assert tb.sms_number == "+84909111222"
    # It offers the province catalogue at once (not what the province retired).
    offered = {loc.procedure_id for loc in db.session.scalars(
        sa.select(ProcedureLocal).where(ProcedureLocal.office_id == tb.id,
                                        ProcedureLocal.offered.is_(True)))}
    assert offered == {province["proc"].id}
    r = _post(client, "/officer/logout", {}, token_from="/officer/communes")
    assert r.headers["Location"].endswith("/officer/login")

    # 2. Its admin signs in with the temporary password and must change it first.
    r = _sign_in(client, "qt.tanbinh", temporary)
    assert r.status_code == 302 and r.headers["Location"].endswith("/officer/password")
    assert client.get("/officer/dossiers").headers["Location"].endswith("/officer/password")
    r = _post(client, "/officer/password",
              {"current": temporary, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
              token_from="/officer/password")
    assert r.status_code == 302, r.get_data(as_text=True)
    admin = _one(db, Officer, Officer.username == "qt.tanbinh")
    assert admin.office_id == tb.id and admin.must_change_password is False
    assert client.get("/officer/dossiers").status_code == 200

    # 3. … adds an officer, and a Monday-morning shift for them.
    r = _post(client, "/officer/officers/new",
              {"username": "tran.mai", "name": "Trần Thị Mai", "role": "officer"},
              token_from="/officer/officers/new")
    assert r.status_code == 200, r.get_data(as_text=True)
    mai = _one(db, Officer, Officer.username == "tran.mai")
    assert mai.office_id == tb.id and mai.must_change_password is True
    r = _post(client, "/officer/roster/shifts", {"shift-officer": mai.id, "shift-weekday": "0",
                                                 "shift-start": "07:00", "shift-end": "11:30"})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert _one(db, DutyShift, DutyShift.officer_id == mai.id).weekday == 0
    roster = client.get("/officer/roster").get_data(as_text=True)
    assert "Trần Thị Mai" in roster and "7:00" in roster

    # 4. … registers a dossier with the citizen's phone, for a procedure of the catalogue.
    form = client.get("/officer/dossiers/new").get_data(as_text=True)
    assert f'value="{province["proc"].id}"' in form
    r = _post(client, "/officer/dossiers/new", {
        "procedure": str(province["proc"].id), "applicant_name": "Nguyễn Thị Hoa",
        "phone": "0912 345 678", "sms_consent": "y", "channel": "counter", "lang": "vi",
        "note": ""}, token_from="/officer/dossiers/new")
    assert r.status_code == 302, r.get_data(as_text=True)
    dossier = _one(db, Dossier)
    assert dossier.office_id == tb.id and dossier.code.startswith("TB-")
    assert r.headers["Location"].endswith(f"/officer/dossiers/{dossier.code}/slip")

    # 5. The citizen finds it on Tân Bình's status page with the last four phone digits …
    query = {"code": dossier.code, "digits": CITIZEN[-4:]}
    r = client.get("/tb/status", query_string=query)
    assert r.status_code == 200 and "Nguyễn Thị Hoa" in r.get_data(as_text=True)
    # … and not under Vĩnh Bửu: a pointer to Tân Bình, none of the dossier's data.
    r = client.get("/vb/status", query_string=query)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Nguyễn Thị Hoa" not in page
    assert "UBND xã Tân Bình" in page and "/tb/status" in page
    r = client.get(f"/api/v1/dossiers/{dossier.code}", query_string={"commune": "vb"})
    assert r.status_code == 404
    assert r.get_json()["error"] == "other_commune" and r.get_json()["commune"] == "tb"
    r = client.get(f"/api/v1/dossiers/{dossier.code}",
                   query_string={"commune": "tb", "phone_last4": CITIZEN[-4:]})
    assert r.status_code == 200 and r.get_json()["applicant_name"] == "Nguyễn Thị Hoa"

    # 6. Its admin gives Tân Bình its own gateway phone on the SMS settings page …
    r = _post(client, "/officer/sms-settings", {
        "sms_channel": "android", "android_url": tb_phone.base_url,
        "android_user": tb_phone.user, "android_password": tb_phone.password,
        "android_signing_key": tb_phone.signing_key, "twilio_from": "",
        "twilio_messaging_service_sid": ""}, token_from="/officer/sms-settings")
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.refresh(tb)
    assert tb.sms_channel == "android" and tb_phone.password not in tb.sms_settings

    # … and a text "TT <code>" to that phone is answered by Tân Bình, through that phone.
    before = db.session.scalar(sa.select(sa.func.max(Message.id))) or 0
    body, headers = tb_phone.webhook(
        "sms:received", tb_phone.received_payload(CITIZEN, f"TT {dossier.code}"))
    r = client.post("/sms/android", data=body, headers=headers)  # its key names the commune
    assert r.status_code == 200, r.get_data(as_text=True)
    [inbound] = db.session.scalars(sa.select(Message).where(
        Message.id > before, Message.direction == "in"))
    assert inbound.office_id == tb.id
    [reply] = db.session.scalars(sa.select(Message).where(
        Message.id > before, Message.direction == "out"))
    assert reply.office_id == tb.id and reply.channel == "android" and reply.phone == CITIZEN
    assert dossier.code.split("-", 1)[1] in reply.body
    assert run_once("journey").sent >= 1
    sent = [m for m in tb_phone.messages if m.text == reply.body]
    assert [m.phone_numbers for m in sent] == [[CITIZEN]]
