"""Issue 12, item 10 on the dossier side: one stranger's wrong phone digits cannot lock the
citizen out of their own dossier. Each address gets 5 guesses an hour at a code, under the
code's own cap of 10 (whatever the address), so a stranger alone uses at most half of it."""

from __future__ import annotations

import pytest

OWNER_DIGITS = "5678"
STRANGER, CITIZEN = "10.6.6.6", "10.0.0.2"


@pytest.fixture
def dossier(make_dossier):
    return make_dossier(phone="+84912345678", applicant_name="Trần Thị Lan")


def _status(client, code, digits, ip):
    return client.get("/vb/status", query_string={"code": code, "digits": digits},
                      environ_base={"REMOTE_ADDR": ip})


def _api(client, code, digits, ip):
    return client.get(f"/api/v1/dossiers/{code}", query_string={"phone_last4": digits},
                      environ_base={"REMOTE_ADDR": ip})


def test_ten_wrong_digits_from_a_stranger_do_not_lock_the_citizen_out(client, dossier):
    answers = [_status(client, dossier.code, f"{n:04d}", STRANGER).status_code
               for n in range(10)]
    assert answers == [200] * 5 + [429] * 5  # the stranger is stopped at 5 …
    r = _status(client, dossier.code, OWNER_DIGITS, CITIZEN)  # … the citizen gets in
    assert r.status_code == 200 and "Trần Thị Lan" in r.get_data(as_text=True)


def test_the_api_stops_one_address_at_five_too(client, dossier):
    answers = [_api(client, dossier.code, f"{n:04d}", STRANGER).status_code for n in range(10)]
    assert answers == [404] * 5 + [429] * 5
    r = _api(client, dossier.code, OWNER_DIGITS, CITIZEN)
    assert r.status_code == 200 and r.get_json()["applicant_name"] == "Trần Thị Lan"


def test_the_codes_own_cap_still_holds_across_addresses(client, dossier):
    for n in range(10):
        assert _status(client, dossier.code, f"{n:04d}", f"10.4.0.{n}").status_code == 200
    assert _status(client, dossier.code, OWNER_DIGITS, "10.4.1.1").status_code == 429
