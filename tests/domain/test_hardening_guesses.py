"""Issue 12, item 8: one counter of phone-digit guesses per dossier — 10 an hour — whether the
guesses come from the status page, the API or SMS, and every code or digits pattern matched in
full (a trailing ``%0A`` passed the API's ``$`` and gave a third counter)."""

from __future__ import annotations

import uuid

import pytest

from app.sms.inbound import handle_inbound

OWNER = "+84912345678"  # last four: 5678
RELATIVE = "+84987654321"
STATUS_ONLY = "Chi tiet chi gui toi so da khai"  # the reply to a phone not on the dossier


@pytest.fixture
def dossier(make_dossier, make_procedure, make_office):
    office = make_office()
    proc = make_procedure(office=office, slug="dang-ky-khai-sinh", name="Đăng ký khai sinh")
    return make_dossier(procedure=proc, office=office, phone=OWNER,
                        applicant_name="Trần Thị Lan")


def web(client, code: str, digits: str, ip: str):
    return client.get("/vb/status", query_string={"code": code, "digits": digits},
                      environ_base={"REMOTE_ADDR": ip})


def api(client, code: str, digits: str, ip: str):
    return client.get(f"/api/v1/dossiers/{code}", query_string={"phone_last4": digits},
                      environ_base={"REMOTE_ADDR": ip})


def sms(dossier, text: str, phone: str = RELATIVE):
    return handle_inbound(dossier.office, phone, text, "try", uuid.uuid4().hex)


def test_web_api_and_sms_spend_one_counter(client, dossier):
    """4 wrong guesses on the page, 4 on the API, 3 by SMS, each from another address or
    phone and each code written another way: the 11th — even with the right digits — is
    refused everywhere. On the code before, the page and the API counted apart (and SMS took
    no digits), so the page still answered its 5th guess."""
    code = dossier.code
    prefix, day, serial = code.split("-")
    for i, typed in enumerate([code, code.lower(), f"{day}-{int(serial)}", code.replace("-", "")]):
        assert web(client, typed, f"{i:04d}", ip=f"10.8.0.{i}").status_code == 200
    for i, typed in enumerate([code, code.lower(), code, code.lower()]):
        assert api(client, typed, f"{i + 10:04d}", ip=f"10.8.1.{i}").status_code == 404
    for i in range(3):
        reply = sms(dossier, f"TT {code} {i + 20:04d}", phone=f"+8498765430{i}")
        assert reply.body and "Trần Thị Lan" not in reply.body
    # The 11th guess, with the right digits, from fresh addresses and a fresh phone.
    assert web(client, code, "5678", ip="10.8.2.1").status_code == 429
    assert api(client, code, "5678", ip="10.8.2.2").status_code == 429
    stranger_reply = sms(dossier, f"TT {dossier.public_code}", phone="+84987654399").body
    refused = sms(dossier, f"TT {dossier.public_code} 5678").body
    assert refused == stranger_reply and STATUS_ONLY in refused  # digits not even compared
    # The dossier's own phone needs no guess and is never refused.
    assert STATUS_ONLY not in sms(dossier, f"TT {code}", phone=OWNER).body


def test_sms_with_the_right_digits_from_another_phone_gets_the_details(client, dossier):
    stranger = sms(dossier, f"TT {dossier.public_code}").body
    assert STATUS_ONLY in stranger
    relative = sms(dossier, f"TT {dossier.code.lower()} 5678").body  # digits: no letters needed
    owner = sms(dossier, f"TT {dossier.code}", phone=OWNER).body
    assert relative == owner and STATUS_ONLY not in relative
    assert sms(dossier, f"TT {dossier.public_code} 1234").body == stranger  # wrong digits


def test_sms_guesses_count_for_codes_that_do_not_exist_too(client, dossier):
    ghost = dossier.code[:-4] + "0099"
    for i in range(10):
        sms(dossier, f"TT {ghost} {i:04d}")
    assert web(client, ghost, "5678", ip="10.8.3.1").status_code == 429


@pytest.mark.parametrize("suffix", ["%0A", "%0D%0A", "%09", "%20"])
def test_the_api_matches_the_code_in_full(client, dossier, suffix):
    r = client.get(f"/api/v1/dossiers/{dossier.code}{suffix}?phone_last4=5678")
    assert r.status_code == 400 and r.get_json()["field"] == "code"


@pytest.mark.parametrize("digits", ["5678\n", "5678\r\n", "\n5678", "5678 "])
def test_the_api_matches_the_digits_in_full(client, dossier, digits):
    r = client.get(f"/api/v1/dossiers/{dossier.code}", query_string={"phone_last4": digits})
    assert r.status_code == 400 and r.get_json()["field"] == "phone_last4"


def test_a_trailing_newline_is_no_third_counter(client, dossier):
    for i in range(10):
        api(client, dossier.code, f"{i:04d}", ip=f"10.8.4.{i}")
    r = client.get(f"/api/v1/dossiers/{dossier.code}%0A?phone_last4=5678")
    assert r.status_code in (400, 429)  # never the details
    assert "applicant_name" not in (r.get_json() or {})
