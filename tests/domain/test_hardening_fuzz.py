"""Hostile-input fuzzing (issue 12, "Done means"): every public form — status lookup,
feedback, send-guide, officer sign-in — the Host header, and both SMS webhooks (Twilio signed
with its SDK's ``RequestValidator``, the Android gateway signed as the phone signs) get
generated input and must never answer 5xx. The open API is fuzzed from its own document in
tests/api/test_api_schemathesis.py; ``test_the_api_document_lists_every_parameter_the_views_read``
here makes sure that document leaves no parameter out.

Bodies are built as raw bytes, so the forms also get invalid UTF-8, NUL, lone surrogates
(CESU-encoded), huge and empty values, repeated and unknown fields. Each target runs
``EXAMPLES`` examples; ``REQUESTS`` counts what one pass sent (printed with ``-s``).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from app.config import ROOT
from app.extensions import limiter
from tests.support import sms_support
from tests.support.fakes.android_gateway import DEFAULT_SIGNING_KEY, sign
from tests.support.helpers import csrf_token

demo = sms_support.demo
EXAMPLES = 30
REQUESTS: Counter[str] = Counter()
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

# -- strategies -----------------------------------------------------------------------------------

NASTY = [
    "", " ", "%20", "\x00", "a\x00b", "\r\n", "'", '"', "<script>", "{{7*7}}", "${7*7}", "%00",
    "../../etc/passwd", "VB-261009-0001\n", "VB-261009-0001%0A", "0" * 5000, "\u202e", "🙂" * 50,
    "=cmd|' /C calc'!A0", "-1", "99999999999999999999", "NaN", "1e308", "null", "[]", "{}",
    "0912345678", "+84912345678", "+447911123456", "1900 1234", "VB-261009-0001", "1", "6",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=300),
                 st.text(st.characters(codec="utf-8"), max_size=40))
raw_bytes = st.one_of(
    text.map(lambda t: t.encode("utf-8", "surrogatepass")),  # lone surrogates as CESU bytes
    st.binary(max_size=200),
)


def form_body(fields: dict[str, bytes]) -> bytes:
    return "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}"
                    for k, v in fields.items()).encode()


def fields_for(names: list[str]):
    known = st.fixed_dictionaries({name: raw_bytes for name in names})
    extra = st.dictionaries(st.sampled_from(["x", "csrf_token", "lang", "next", "a" * 300]),
                            raw_bytes, max_size=2)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


_ips = iter(range(1, 10**9))


def _ip() -> str:
    n = next(_ips)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def _check(response, target: str) -> None:
    REQUESTS[target] += 1
    assert response.status_code < 500, (target, response.status_code)


@pytest.fixture
def site(demo, make_dossier, make_officer):
    make_officer(username="canbo")
    return make_dossier(phone="+84912345678")


def _post_form(client, path: str, fields: dict[str, bytes], token: str, target: str) -> None:
    fields = {"csrf_token": token.encode(), **fields}
    response = client.post(path, data=form_body(fields),
                           content_type="application/x-www-form-urlencoded",
                           environ_base={"REMOTE_ADDR": _ip()})
    _check(response, target)


@pytest.mark.parametrize(
    ("target", "path", "names"),
    [
        ("feedback", "/vb/feedback", ["rating", "comment", "code"]),
        ("send-guide", "/vb/procedures/dang-ky-khai-sinh/sms", ["phone"]),
        ("officer login", "/officer/login", ["username", "password"]),
    ],
)
def test_public_post_forms_never_500(client, site, target, path, names) -> None:
    g.pop("csrf_token", None)
    token = csrf_token(client, path)

    @FUZZ
    @given(fields=fields_for(names))
    def run(fields):
        _post_form(client, path, fields, token, target)

    run()
    limiter.reset()


def test_status_lookup_never_500s(client, site) -> None:
    @FUZZ
    @given(args=fields_for(["code", "digits", "lang"]))
    def run(args):
        query = form_body(args).decode()
        _check(client.get(f"/vb/status?{query}", environ_base={"REMOTE_ADDR": _ip()}), "status")

    run()
    limiter.reset()


def test_the_host_header_never_500s(client, site) -> None:
    @FUZZ
    @given(host=st.one_of(st.text(st.characters(min_codepoint=33, max_codepoint=126),
                                  min_size=1, max_size=300),
                          st.sampled_from(["a" * 2000, "localhost:0", "[::1", "-x-.vn", "."])))
    def run(host):
        _check(client.get("/", headers={"Host": host}), "host")

    run()


# -- the webhooks ---------------------------------------------------------------------------------


def test_signed_twilio_webhooks_never_500(app, client, site, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", sms_support.TOKEN)
    validator = RequestValidator(sms_support.TOKEN)
    plain = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
    params = st.fixed_dictionaries({
        "MessageSid": st.one_of(st.just("SM" + "a" * 32), plain),
        "From": st.one_of(st.sampled_from(["+84912345678", "+447911123456", "", "\x00"]), plain),
        "To": st.one_of(st.just("+84909000100"), plain),
        "Body": st.one_of(st.sampled_from(NASTY), plain),
        "MessageStatus": st.sampled_from(["delivered", "failed", "x", ""]),
        "ErrorCode": st.one_of(st.just(""), plain),
    })

    @FUZZ
    @given(form=params, path=st.sampled_from(["/sms/twilio", "/sms/twilio/status"]))
    def run(form, path):
        url = "http://localhost" + path
        headers = {"X-Twilio-Signature": validator.compute_signature(url, form)}
        response = client.post(path, data=form, headers=headers)
        _check(response, "twilio")
        assert response.status_code != 403  # the fuzz reached the handler

    run()


def _json_values():
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
        | st.text(max_size=50),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                    max_size=4),
        max_leaves=12,
    )


def test_signed_android_webhooks_never_500(app, client, site, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "ANDROID_WEBHOOK_SIGNING_KEY", DEFAULT_SIGNING_KEY)
    # Any text, lone surrogates included (json.dumps escapes them as \\udXXX).
    message = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
    received = st.fixed_dictionaries({
        "event": st.sampled_from(["sms:received", "sms:sent", "sms:delivered", "sms:failed",
                                  "system:ping", "x"]),
        "id": st.text(max_size=20), "deviceId": st.text(max_size=20),
        "payload": st.fixed_dictionaries(
            {"messageId": st.text(max_size=30), "message": message,
             "phoneNumber": st.one_of(st.just("+84912345678"), st.text(max_size=20)),
             "receivedAt": st.text(max_size=30)},
            optional={"reason": st.text(max_size=50), "recipient": st.text(max_size=20)},
        ),
    })
    bodies = st.one_of(
        received.map(lambda e: json.dumps(e).encode()),
        _json_values().map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=100),
        st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
    )

    @FUZZ
    @given(raw=bodies)
    def run(raw):
        ts = str(int(time.time()))
        response = client.post("/sms/android", data=raw, headers={
            "Content-Type": "application/json", "X-Timestamp": ts,
            "X-Signature": sign(raw, ts, DEFAULT_SIGNING_KEY)})
        _check(response, "android")
        assert response.status_code != 403

    run()


def test_report_requests_per_pass() -> None:
    """Runs last in this module: prints how many requests one pass sent, per target."""
    if REQUESTS:
        print(f"\nfuzz requests this pass: {sum(REQUESTS.values())} {dict(REQUESTS)}")


# -- the API document covers every parameter ------------------------------------------------------


def test_the_api_document_lists_every_parameter_the_views_read(app) -> None:
    from app.api.openapi import document

    source = Path(ROOT / "app/api/views.py").read_text()
    read = set(re.findall(r'request\.args(?:\.get)?[(\[]"([a-z_0-9]+)"', source))
    read |= set(re.findall(r'"([a-z_0-9]+)" (?:not )?in request\.args', source))
    with app.test_request_context():
        doc = document()
    documented = set()
    for path, item in doc["paths"].items():
        for operation in item.values():
            for param in operation.get("parameters", []):
                if "$ref" in param:
                    param = doc["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
                documented.add(param["name"])
        documented |= set(re.findall(r"{([a-z_]+)}", path))
    assert read, "the views read no query parameter? the pattern above is out of date"
    assert read <= documented, read - documented
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert {a for r in rules for a in r.arguments} <= documented
