"""Issue 12, item 12: hostile input gets a clear 4xx, never a 500; a signed gateway text is
never lost. Each case here was a 500 before ``app/hygiene.py`` (PostgreSQL for the NUL ones)."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from app import create_app
from app.hygiene import host_ok, scrub
from app.models import Feedback, Message
from app.web import SECURITY_HEADERS
from tests.support.fakes.android_gateway import DEFAULT_SIGNING_KEY, sign
from tests.support.helpers import csrf_token


@pytest.fixture
def office(make_office):
    return make_office()


def test_a_blank_rating_is_no_rating(client, office, db) -> None:
    token = csrf_token(client, "/vb/feedback")
    response = client.post("/vb/feedback", data={"rating": " ", "comment": "Tốt", "csrf_token": token})
    assert response.status_code == 302
    item = db.session.scalars(sa.select(Feedback)).one()
    assert item.rating is None and item.comment == "Tốt"


def test_a_blank_rating_without_comment_asks_for_one(client, office, db) -> None:
    token = csrf_token(client, "/vb/feedback")
    response = client.post("/vb/feedback", data={"rating": " ", "csrf_token": token})
    assert response.status_code == 400
    assert "Hãy chấm điểm hoặc viết ý kiến." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "field", "lang", "text"),
    [
        ("/vb/feedback", "comment", "vi", "ký tự NUL"),
        ("/vb/feedback", "comment", "en", "NUL character"),
        ("/officer/login", "username", "vi", "ký tự NUL"),
        ("/officer/login", "password", "en", "NUL character"),
    ],
)
def test_nul_in_a_form_field_is_a_translated_400(client, office, db, path, field, lang, text
                                                 ) -> None:
    token = csrf_token(client, f"{path}?lang={lang}")  # the language is remembered
    data = {"username": "a", "password": "b", "comment": "ok", "csrf_token": token,
            field: "a\x00b"}
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 0


@pytest.mark.parametrize("url", ["/vb/status?code=%00", "/api/v1/dossiers/VB-261009-0001?phone=%00",
                                 "/vb/status?code=VB&digits=1%002"])
def test_nul_in_the_query_is_a_400(client, office, url) -> None:
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.get_json()["error"] == "nul"


@pytest.mark.parametrize("url", ["/vb/procedures/a%00b", "/officer/dossiers/VB-1%00",
                                 "/api/v1/dossiers/VB%00"])
def test_nul_in_the_path_is_a_404(client, office, make_officer, login, url) -> None:
    from tests.support.desk import sign_in

    sign_in(client, make_officer, login)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "host",
    ["a" * 2000, "a" * 64 + ".example", "exa mple.org", "example.org:99999999", "évil.org",
     "example.org/x", "@evil", "a..b"],
)
def test_a_bad_host_header_is_a_static_400_with_our_headers(client, office, host) -> None:
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert "Host" in response.get_data(as_text=True)
    for name, value in SECURITY_HEADERS:
        assert response.headers[name] == value
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("host", ["localhost", "motcua.example.vn", "motcua.example.vn:8443",
                                  "127.0.0.1:5000", "[::1]:8080", "a" * 63 + ".vn"])
def test_good_hosts_pass(client, office, host) -> None:
    assert host_ok(host)
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_trusted_hosts_setting(monkeypatch) -> None:
    monkeypatch.setenv("TRUSTED_HOSTS", "motcua.example.vn, .xa.vn")
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["TRUSTED_HOSTS"] == ["motcua.example.vn", ".xa.vn"]
    client = app.test_client()
    css = "/static/css/site.css"
    assert client.get(css, headers={"Host": "motcua.example.vn"}).status_code == 200
    assert client.get(css, headers={"Host": "vinhbuu.xa.vn:443"}).status_code == 200
    assert client.get(css, headers={"Host": "evil.example"}).status_code == 400


# -- the Android gateway's webhook ----------------------------------------------------------------


@pytest.fixture
def signing_key(app, monkeypatch) -> str:
    monkeypatch.setitem(app.config, "ANDROID_WEBHOOK_SIGNING_KEY", DEFAULT_SIGNING_KEY)
    return DEFAULT_SIGNING_KEY


def post_android(client, raw: bytes, key: str):
    ts = str(int(time.time()))
    return client.post("/sms/android", data=raw, headers={
        "Content-Type": "application/json", "X-Timestamp": ts, "X-Signature": sign(raw, ts, key),
    })


def received(message: str) -> bytes:
    # Written by hand: json.dumps would not let a lone surrogate through as an escape.
    return (
        '{"event":"sms:received","id":"ev-1","deviceId":"dev-1","webhookId":"wh-1",'
        '"payload":{"messageId":"m-1","message":' + message + ',"phoneNumber":"+84912345678",'
        '"receivedAt":"2026-12-03T08:00:00.000+07:00"}}'
    ).encode()


def test_a_lone_surrogate_is_stored_replaced_and_answered_2xx(client, office, db, signing_key
                                                             ) -> None:
    raw = received('"TT VB-261009-0001 \\ud800 \\udfff \\ud83d\\ude00 x\\u0000y"')
    response = post_android(client, raw, signing_key)
    assert response.status_code == 200, response.get_data(as_text=True)
    inbound = db.session.scalars(sa.select(Message).where(Message.direction == "in")).one()
    assert inbound.body == "TT VB-261009-0001 \ufffd \ufffd 😀 xy"
    # The retry the phone would send is recognised as the same text.
    again = post_android(client, raw, signing_key)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.direction == "in")) == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested too deeply"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b"not json", "not JSON"),
        (b'["a list"]', "not a JSON object"),
        (b"\xff\xfe", "not JSON"),
        (json.dumps({"event": "sms:received", "payload": {}}).encode(), "without messageId"),
    ],
)
def test_bad_signed_json_is_a_clear_400(client, office, signing_key, raw, reason) -> None:
    response = post_android(client, raw, signing_key)
    assert response.status_code == 400
    assert reason in response.get_json()["error"]


def test_scrub() -> None:
    assert scrub("a\x00b\ud800c\udc00") == "ab\ufffdc\ufffd"
    assert scrub("Đăng ký 😀") == "Đăng ký 😀"
