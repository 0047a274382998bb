"""Each commune's own SMS settings (issue 13): encrypted at rest, never shown back in full,
and used for that commune's texts — out through its gateway or Twilio sender, in through its
gateway, verified with its own signing key (another commune's key cannot post as it).

The providers are the local stand-ins (tests/support/fakes): two Android gateway phones and
one Twilio account with a sender number per commune."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Message, Office, Officer
from app.offices import CommuneError, save_sms_settings, sms_settings
from app.sms import office_settings as settings_mod
from app.sms.channels import ChannelConfigError, get_channel, office_config
from app.sms.channels import android_channel as ac
from app.sms.office_settings import (
    UnreadableSettings,
    config_overrides,
    decrypt,
    encrypt,
    mask,
    merge,
)
from app.sms.outbox import queue_message
from app.sms.worker import run_once
from tests.conftest import PASSWORD
from tests.support.fakes.android_gateway import FakeAndroidGateway
from tests.support.fakes.twilio_server import FakeTwilio
from tests.support.sms_support import TOKEN, inbound_params, post_signed

CITIZEN = "+84912345678"
KEY = "a-test-settings-key"
SECRETS = {
    "android_url": "http://192.168.1.20:8080",
    "android_user": "sms",
    "android_password": "gateway-password-4321",
    "android_signing_key": "signing-key-of-the-commune-9876",
    "twilio_from": "+15005550006",
}


# -- the pure module ------------------------------------------------------------------------------


def test_settings_round_trip_and_the_token_holds_no_secret_in_clear():
    token = encrypt(SECRETS, KEY)
    assert decrypt(token, KEY) == SECRETS
    for value in SECRETS.values():
        assert value not in token
    assert encrypt({}, KEY) == "" and decrypt("", KEY) == {}
    assert encrypt(SECRETS, KEY) != token  # a fresh IV each time


def test_another_key_cannot_read_them():
    token = encrypt(SECRETS, KEY)
    with pytest.raises(UnreadableSettings):
        decrypt(token, "another-key")
    with pytest.raises(UnreadableSettings):
        decrypt("not a token", KEY)


def test_mask_shows_at_most_the_last_four_characters():
    assert mask("gateway-password-4321") == "••••4321"
    assert mask("short") == "••••"  # a short secret shows nothing of itself
    assert mask("") == ""


def test_merge_keeps_a_stored_secret_when_the_box_is_left_empty():
    stored = {"android_url": "http://a", "android_password": "old-password-1111"}
    merged = merge(stored, {"android_url": "http://b", "android_password": ""})
    assert merged == {"android_url": "http://b", "android_password": "old-password-1111"}
    assert merge(stored, {"android_url": "http://b"}, {"android_password"}) == {
        "android_url": "http://b"}
    assert merge(stored, {"android_password": "new"})["android_password"] == "new"
    assert "android_url" not in merge(stored, {"android_url": ""})  # plain fields: as typed


def test_overrides_take_the_android_block_whole():
    assert config_overrides({}) == {}
    over = config_overrides({"android_url": "http://a/", "android_password": "p"})
    # No user of its own: never the app-wide user (or password) sent to the commune's URL.
    assert over == {"ANDROID_GATEWAY_URL": "http://a", "ANDROID_GATEWAY_USER": "",
                    "ANDROID_GATEWAY_PASSWORD": "p"}
    assert config_overrides({"android_signing_key": "k"}) == {"ANDROID_WEBHOOK_SIGNING_KEY": "k"}
    assert config_overrides({"twilio_from": "+1500"}) == {
        "TWILIO_FROM": "+1500", "TWILIO_MESSAGING_SERVICE_SID": ""}


# -- two communes with their own gateways and senders ---------------------------------------------


@pytest.fixture
def phone_a() -> Iterator[FakeAndroidGateway]:
    with FakeAndroidGateway(user="gw-a", password="pass-a-123456", signing_key="key-of-a") as f:
        yield f


@pytest.fixture
def phone_b() -> Iterator[FakeAndroidGateway]:
    with FakeAndroidGateway(user="gw-b", password="pass-b-654321", signing_key="key-of-b") as f:
        yield f


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(auth_token=TOKEN) as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh_limiters() -> Iterator[None]:
    ac.reset_limiters()
    yield
    ac.reset_limiters()


@pytest.fixture
def app_wide(app, monkeypatch, fake_twilio):
    """The deployment's own settings: a Twilio account, and an app-wide Android key/gateway
    that neither commune below should use."""
    values = {
        "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
        "TWILIO_FROM": "+15005550000",
        "ANDROID_GATEWAY_URL": "http://127.0.0.1:9",  # nothing listens: using it would fail
        "ANDROID_GATEWAY_PASSWORD": "app-wide-password",
        "ANDROID_WEBHOOK_SIGNING_KEY": "app-wide-key",
        "ANDROID_SEND_RATE": 600000.0,
        "SMS_QUIET_START": "",
        "SMS_QUIET_END": "",
        "PUBLIC_BASE_URL": "",
    }
    for key, value in values.items():
        monkeypatch.setitem(app.config, key, value)
    return values


def _settings(phone: FakeAndroidGateway, sender: str) -> dict[str, str]:
    return {"android_url": phone.base_url, "android_user": phone.user,
            "android_password": phone.password, "android_signing_key": phone.signing_key,
            "twilio_from": sender}


@pytest.fixture
def communes(db, make_office, app_wide, phone_a, phone_b):
    a = make_office("VB")
    b = make_office("TB", name="UBND xã Tân Bình", sms_number="+84909000200")
    save_sms_settings(a, _settings(phone_a, "+15005550001"), set(), None)
    save_sms_settings(b, _settings(phone_b, "+15005550002"), set(), None)
    return a, b


def _post(client, phone, payload, *, office=None, key=None):
    body, headers = phone.webhook("sms:received", payload, key=key)
    url = "/sms/android" + (f"?office={office}" if office else "")
    return client.post(url, data=body, headers=headers)


def _messages(db, **where):
    query = sa.select(Message).order_by(Message.id)
    for name, value in where.items():
        query = query.where(getattr(Message, name) == value)
    return list(db.session.scalars(query))


def test_settings_are_stored_encrypted(db, communes, phone_b):
    _, b = communes
    assert b.sms_settings and phone_b.password not in b.sms_settings
    assert phone_b.signing_key not in b.sms_settings
    shown, readable = sms_settings(b)
    assert readable and shown["android_password"] == "••••4321" and shown["android_url"]


def test_a_text_to_b_is_answered_through_bs_phone(client, db, communes, phone_a, phone_b):
    _, b = communes
    response = _post(client, phone_b, phone_b.received_payload(CITIZEN, "DS"), office="TB")
    assert response.status_code == 200, response.data
    [inbound] = _messages(db, direction="in")
    assert inbound.office_id == b.id
    [reply] = _messages(db, direction="out")
    assert reply.office_id == b.id and reply.channel == "android"
    assert run_once("w1").sent == 1
    assert [m.phone_numbers for m in phone_b.messages] == [[CITIZEN]]
    assert phone_a.messages == []


def test_bs_key_names_b_without_the_office_query(client, db, communes, phone_a, phone_b):
    _, b = communes
    assert _post(client, phone_b, phone_b.received_payload(CITIZEN, "DS")).status_code == 200
    [inbound] = _messages(db, direction="in")
    assert inbound.office_id == b.id
    run_once("w1")
    assert len(phone_b.messages) == 1 and phone_a.messages == []


def test_as_key_cannot_post_as_b(client, db, communes, phone_b):
    payload = phone_b.received_payload(CITIZEN, "DS")
    assert _post(client, phone_b, payload, office="TB", key="key-of-a").status_code == 403
    # Nor with the app-wide key, to B by its number or by name.
    payload["recipient"] = "+84909000200"
    assert _post(client, phone_b, payload, key="app-wide-key").status_code == 403
    assert _post(client, phone_b, payload, office="TB", key="app-wide-key").status_code == 403
    assert _post(client, phone_b, payload, key="nobodys-key").status_code == 403
    assert _messages(db) == []


def test_a_commune_without_a_key_still_takes_the_app_wide_one(client, db, communes, make_office,
                                                              phone_a):
    c = make_office("LT", name="UBND xã Long Thạnh", sms_number="+84909000300")
    payload = phone_a.received_payload(CITIZEN, "DS")
    assert _post(client, phone_a, payload, office="LT", key="app-wide-key").status_code == 200
    [inbound] = _messages(db, direction="in")
    assert inbound.office_id == c.id
    assert _post(client, phone_a, phone_a.received_payload(CITIZEN, "HD"), office="LT",
                 key="key-of-a").status_code == 403


def test_notifications_leave_from_each_communes_twilio_sender(db, communes, fake_twilio):
    a, b = communes
    for office in (a, b):
        queue_message(office_id=office.id, phone=CITIZEN, body=f"Tin cua {office.code}",
                      kind="status", channel="twilio")
    db.session.commit()
    assert run_once("w1").sent == 2
    sent = {m.body: m.from_ for m in fake_twilio.messages}
    assert sent == {"Tin cua VB": "+15005550001", "Tin cua TB": "+15005550002"}


def test_a_commune_without_settings_uses_the_app_wide_ones(db, app_wide, make_office,
                                                           fake_twilio):
    office = make_office("LT", sms_number="+84909000300")
    assert office_config(office)["TWILIO_FROM"] == "+15005550000"
    queue_message(office_id=office.id, phone=CITIZEN, body="Tin chung", kind="status",
                  channel="twilio")
    db.session.commit()
    assert run_once("w1").sent == 1
    assert [m.from_ for m in fake_twilio.messages] == ["+15005550000"]


def test_twilio_inbound_to_bs_sender_is_bs(client, db, communes):
    _, b = communes
    response = post_signed(client, "/sms/twilio", inbound_params("DS", to="+15005550002"))
    assert response.status_code == 200
    [inbound] = _messages(db, direction="in")
    assert inbound.office_id == b.id


def test_new_settings_are_used_at_once(client, db, communes, phone_b):
    """Channels are kept per settings token: saved settings make a new token, so the next
    send uses the new gateway without any cache to clear (on every worker)."""
    _, b = communes
    with FakeAndroidGateway(user="gw-new", password="pass-new-000", signing_key="key-new") as new:
        save_sms_settings(b, _settings(new, "+15005550002"), set(), None)
        queue_message(office_id=b.id, phone=CITIZEN, body="Moi", kind="status",
                      channel="android")
        db.session.commit()
        assert run_once("w1").sent == 1
        assert [m.text for m in new.messages] == ["Moi"] and phone_b.messages == []
        # The old key no longer posts as B.
        assert _post(client, phone_b, phone_b.received_payload(CITIZEN, "DS"),
                     office="TB").status_code == 403
        assert _post(client, new, new.received_payload(CITIZEN, "DS"),
                     office="TB").status_code == 200


def test_unreadable_settings_stop_the_channel_not_fall_back(app, db, communes, monkeypatch):
    _, b = communes
    monkeypatch.setitem(app.config, "SETTINGS_ENCRYPTION_KEY", "a-changed-key")
    with pytest.raises(ChannelConfigError, match="SETTINGS_ENCRYPTION_KEY"):
        get_channel("android", b)
    shown, readable = sms_settings(b)
    assert not readable and shown["android_password"] == ""


# -- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def commune_admin(db, make_officer, login, app_wide):
    admin = make_officer(username="qt", role="admin")
    login(admin)
    return admin


def _office(db, code="VB"):
    return db.session.scalars(sa.select(Office).where(Office.code == code)).one()


FORM = {
    "android_url": "http://192.168.1.20:8080",
    "android_user": "sms",
    "android_password": "gateway-password-4321",
    "android_signing_key": "signing-key-of-the-commune-9876",
    "twilio_from": "+1 500 555 0006",
    "twilio_messaging_service_sid": "",
}


def test_the_commune_admin_saves_and_never_sees_the_secrets_again(pages, db, commune_admin):
    page = pages.get("officer.sms_settings_page")
    assert "Chưa lưu" in page.get_data(as_text=True)
    pages.post("officer.sms_settings_page", _data=FORM,
               _expected_redirect=pages.url("officer.sms_settings_page"))
    office = _office(db)
    assert "gateway-password-4321" not in office.sms_settings
    html = pages.get("officer.sms_settings_page").get_data(as_text=True)
    assert "gateway-password-4321" not in html and "signing-key-of-the-commune-9876" not in html
    assert "••••4321" in html and "••••9876" in html
    assert 'value="http://192.168.1.20:8080"' in html and "+15005550006" in html
    # Saved again with the secret boxes empty: the stored secrets stay.
    pages.post("officer.sms_settings_page", _data={**FORM, "android_password": "",
                                                   "android_signing_key": ""})
    db.session.refresh(office)
    assert office_config(office)["ANDROID_GATEWAY_PASSWORD"] == "gateway-password-4321"
    assert office_config(office)["ANDROID_WEBHOOK_SIGNING_KEY"] == (
        "signing-key-of-the-commune-9876")
    # The audit log names what changed, masked.
    entries = list(db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "office.sms_settings")))
    assert len(entries) == 1 and entries[0].office_id == office.id
    logged = str(entries[0].before) + str(entries[0].after)
    assert "gateway-password-4321" not in logged and "••••4321" in logged


def test_the_admin_picks_the_channel_for_notifications(pages, db, commune_admin):
    page = pages.get("officer.sms_settings_page").page
    assert "sms_channel" in {i.get("name") for i in page.inputs}
    pages.post("officer.sms_settings_page", _data={**FORM, "sms_channel": "android"})
    assert _office(db).sms_channel == "android"
    entry = db.session.scalars(sa.select(AuditLog).where(
        AuditLog.action == "office.sms_settings")).one()
    assert entry.before["sms_channel"] == "" and entry.after["sms_channel"] == "android"
    r = pages.post("officer.sms_settings_page", _data={**FORM, "sms_channel": "pigeon"},
                   _expected_status=400)
    assert re.search(r'id="sms_channel-error">Chọn cách gửi tin', r.get_data(as_text=True))
    assert _office(db).sms_channel == "android"


def test_the_secret_boxes_can_be_cleared(pages, db, commune_admin):
    pages.post("officer.sms_settings_page", _data=FORM)
    pages.post("officer.sms_settings_page", _data={
        **FORM, "android_url": "", "android_user": "", "android_password": "",
        "clear_android_password": "y",
        "android_signing_key": "", "clear_android_signing_key": "y", "twilio_from": ""})
    assert _office(db).sms_settings == ""  # nothing left: the app-wide settings apply


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("android_url", "192.168.1.20", "https://"),
        ("twilio_from", "12", "Số điện thoại không đúng"),
        ("android_password", "", "Nhập mật khẩu"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_stored(pages, db, commune_admin, field, value,
                                                        message):
    r = pages.post("officer.sms_settings_page", _data={**FORM, field: value},
                   _expected_status=400)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', r.get_data(as_text=True))
    assert _office(db).sms_settings == ""


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_other_commune_roles_cannot_see_or_change_them(pages, db, make_officer, login, role):
    login(make_officer(role=role))
    pages.get("officer.sms_settings_page", _expected_status=403)
    pages.post("officer.sms_settings_page", _data=FORM, _expected_status=403,
               _csrf_from="/officer/profile")
    assert _office(db).sms_settings == ""


def test_the_province_admin_edits_a_communes_settings(pages, db, login, make_office, app_wide):
    make_office()
    tb = make_office("TB", sms_number="+84909000200")
    province = Officer(office_id=None, username="tinh", name="Trần Tỉnh", role="province_admin")
    province.set_password(PASSWORD)
    db.session.add(province)
    db.session.commit()
    login(province)
    html = pages.get("officer.commune_edit", code="TB").get_data(as_text=True)
    assert pages.url("officer.commune_sms_settings", code="TB") in html
    pages.get("officer.commune_sms_settings", code="TB")
    pages.post("officer.commune_sms_settings", code="TB", _data=FORM,
               _expected_redirect=pages.url("officer.commune_sms_settings", code="TB"))
    db.session.refresh(tb)
    assert office_config(tb)["TWILIO_FROM"] == "+15005550006"
    assert _office(db, "VB").sms_settings == ""
    # A province admin has no commune of its own: the commune admin's page is not theirs.
    pages.get("officer.sms_settings_page", _expected_status=403)


def test_the_domain_refuses_a_gateway_without_a_password(db, make_office, app_wide):
    office = make_office()
    with pytest.raises(CommuneError) as err:
        save_sms_settings(office, {"android_url": "http://192.168.1.20:8080"}, set(), None)
    assert err.value.field == "android_password"


def test_the_module_is_pure():
    """app.sms.office_settings reads no app state: the key comes from the caller."""
    source = settings_mod.__loader__.get_source(settings_mod.__name__)
    assert "current_app" not in source and "app.models" not in source


# -- the command line -----------------------------------------------------------------------------


def test_register_webhooks_on_the_communes_own_phone(runner, communes, phone_a, phone_b):
    from app.sms.cli import android_webhooks

    result = runner.invoke(android_webhooks, ["register", "--url", "https://motcua.example.vn",
                                              "--office", "TB"])
    assert result.exit_code == 0, result.output
    assert {h["url"] for h in phone_b.webhooks.values()} == {
        "https://motcua.example.vn/sms/android?office=TB"}
    assert phone_a.webhooks == {}


def test_the_worker_starts_when_only_communes_have_gateways(app, runner, db, make_office,
                                                            monkeypatch, phone_b):
    from app.sms.cli import sms_cli

    monkeypatch.setitem(app.config, "SMS_CHANNEL", "android")
    monkeypatch.setitem(app.config, "ANDROID_GATEWAY_URL", "")
    monkeypatch.setitem(app.config, "SMS_QUIET_START", "")
    monkeypatch.setitem(app.config, "SMS_QUIET_END", "")
    result = runner.invoke(sms_cli, ["worker", "--once"])
    assert result.exit_code != 0 and "ANDROID_GATEWAY_URL" in result.output  # nobody can send
    office = make_office()
    save_sms_settings(office, _settings(phone_b, ""), set(), None)
    queue_message(office_id=office.id, phone=CITIZEN, body="Xin chao", kind="status")
    db.session.commit()
    result = runner.invoke(sms_cli, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert [m.text for m in phone_b.messages] == ["Xin chao"]
