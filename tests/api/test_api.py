"""Open read-only API (/api/v1): every endpoint, the status page's privacy rule, JSON errors,
CORS, ETags, rate limits, and an OpenAPI document that lists every route."""

from __future__ import annotations

import json

import pytest

from app import metrics


@pytest.fixture
def world(db, make_office, make_procedure, make_officer, make_dossier):
    office = make_office()
    proc = make_procedure(
        slug="khai-sinh",
        national_code="1.001193",
        online_mode="full",
        name="Đăng ký khai sinh",
        name_en="Birth registration",
    )
    howto = make_procedure(slug="vneid", processing_days=None, name="Cài VNeID")
    officer = make_officer(name="Lê Văn Cường", public_phone="+84909000102", procedures=[proc])
    dossier = make_dossier(
        proc, status="needs_supplement", applicant_name="Trần Thị Lan", phone="+84912345678"
    )
    return {"office": office, "proc": proc, "howto": howto, "officer": officer, "dossier": dossier}


def test_procedures_list(client, world):
    r = client.get("/api/v1/procedures")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert data["lang"] == "vi" and data["office"] == "VB"
    by_slug = {p["slug"]: p for p in data["procedures"]}
    ks = by_slug["khai-sinh"]
    assert ks["code"] == "1.001193" and ks["name"] == "Đăng ký khai sinh"
    assert ks["online_mode"] == "full" and ks["takes_dossiers"] is True
    assert ks["url"].endswith("/api/v1/procedures/1.001193?commune=vb")
    assert ks["guide_url"].endswith("/vb/procedures/khai-sinh")
    assert by_slug["vneid"]["takes_dossiers"] is False
    en = client.get("/api/v1/procedures?lang=en").get_json()
    assert {p["name"] for p in en["procedures"]} >= {"Birth registration"}
    assert en["lang"] == "en" and en["procedures"][0]["lang"] == "en"


@pytest.mark.parametrize("code", ["1.001193", "khai-sinh"])
def test_procedure_by_national_code_or_slug(client, world, code):
    data = client.get(f"/api/v1/procedures/{code}?lang=en").get_json()
    assert data["slug"] == "khai-sinh" and data["lang"] == "en"
    assert data["documents"] == ["Birth notice", "ID"] and data["steps"] == ["Submit", "Collect"]
    assert data["officers"] == [
        {"name": "Lê Văn Cường", "title": "Công chức Tư pháp – Hộ tịch", "phone": "+84909000102"}
    ]
    vi = client.get(f"/api/v1/procedures/{code}").get_json()
    assert vi["lang"] == "vi" and vi["documents"] == ["Giấy chứng sinh", "CCCD"]


def test_errors_are_json(client, world):
    for url, status, field in [
        ("/api/v1/procedures/khong-co", 404, None),
        ("/api/v1/procedures/Bad_Code!", 400, "code"),
        ("/api/v1/procedures?lang=fr", 400, "lang"),
        ("/api/v1/dossiers/not-a-code", 400, "code"),
        ("/api/v1/dossiers/VB-241115-0007?phone_last4=12", 400, "phone_last4"),
        ("/api/v1/nowhere", 404, None),
    ]:
        r = client.get(url)
        assert r.status_code == status, url
        assert r.mimetype == "application/json"
        body = r.get_json()
        assert body["status"] == status
        assert body.get("field") == field
        assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_dossier_privacy_rule(client, world):
    d = world["dossier"]
    # Without digits: procedure, status, due day — nothing personal.
    partial = client.get(f"/api/v1/dossiers/{d.public_code}").get_json()  # as on the slip
    assert partial == {
        "code": d.public_code,
        "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh"},
        "status": "needs_supplement",
        "status_label": "Cần bổ sung hồ sơ",
        "national_status": 5,
        "due_on": d.due_on.isoformat(),
        "full": False,
    }
    assert "Trần Thị Lan" not in json.dumps(partial, ensure_ascii=False)
    # With the right digits: the details, never cached.
    r = client.get(f"/api/v1/dossiers/{d.code}?phone_last4=5678")
    full = r.get_json()
    assert full["full"] is True and full["applicant_name"] == "Trần Thị Lan"
    assert [e["status"] for e in full["events"]] == ["received", "needs_supplement"]
    assert full["events"][1]["note"] == "Thiếu giấy tờ"
    assert full["officer"] == {"name": "Lê Văn Cường", "phone": "+84909000102"}
    assert full["received_at"].endswith("+07:00")
    assert r.headers["Cache-Control"] == "no-store" and "ETag" not in r.headers
    # Wrong digits and an unknown code: the very same answer.
    wrong = client.get(f"/api/v1/dossiers/{d.code}?phone_last4=0000")
    unknown = client.get("/api/v1/dossiers/VB-990101-0009?phone_last4=5678")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_data() == unknown.get_data()
    assert client.get("/api/v1/dossiers/VB-990101-0009").status_code == 404
    # Lower case works like on the slip.
    assert client.get(f"/api/v1/dossiers/{d.public_code.lower()}").get_json()["code"] == \
        d.public_code


def test_dossier_digits_are_rate_limited_per_code(client, world):
    d = world["dossier"]
    for n in range(10):  # from ten addresses: one address alone is stopped at 5
        assert client.get(f"/api/v1/dossiers/{d.code}?phone_last4=0000",
                          environ_base={"REMOTE_ADDR": f"10.3.0.{n}"}).status_code == 404
    r = client.get(f"/api/v1/dossiers/{d.code}?phone_last4=5678")
    assert r.status_code == 429 and r.get_json() == {"error": "too_many", "status": 429}
    assert client.get(f"/api/v1/dossiers/{d.public_code}").status_code == 200  # no digits


def test_index_is_the_public_index(client, world):
    data = client.get("/api/v1/index").get_json()
    assert data == json.loads(json.dumps(metrics.public_index(world["office"])))
    assert data["received"] == 1 and len(data["months"]) == 12
    assert "Trần Thị Lan" not in json.dumps(data, ensure_ascii=False)


def test_cors_and_preflight(client, world):
    r = client.get("/api/v1/procedures", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    r = client.options(
        "/api/v1/procedures",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in r.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in r.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in r.headers
    # Citizen pages are not opened to other origins.
    assert "Access-Control-Allow-Origin" not in client.get("/vb/index").headers


def test_etag_conditional_get(client, world):
    r = client.get("/api/v1/index")
    etag = r.headers["ETag"]
    again = client.get("/api/v1/index", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"


def test_write_methods_are_refused_without_csrf_noise(client, world):
    r = client.post("/api/v1/procedures")
    assert r.status_code == 405 and r.get_json()["error"] == "method_not_allowed"
    assert "GET" in r.headers["Allow"]


def test_rate_limit_is_json_429(client, world):
    for _ in range(60):
        assert client.get("/api/v1/openapi.json").status_code == 200
    r = client.get("/api/v1/procedures")  # the limit is shared across the API
    assert r.status_code == 429
    assert r.get_json() == {"error": "too_many", "status": 429}
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_openapi_document(client, app, world):
    r = client.get("/api/v1/openapi.json")
    doc = json.loads(r.get_data(as_text=True))
    assert doc["openapi"].startswith("3.0") and doc["servers"] == [{"url": "/api/v1"}]
    documented = set(doc["paths"])
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert (
        routes
        == documented
        == {"/procedures", "/procedures/{code}", "/dossiers/{code}", "/index", "/openapi.json"}
    )
    for path, item in doc["paths"].items():
        responses = item["get"]["responses"]
        assert {"200", "400", "429"} <= set(responses), path
        for param in item["get"].get("parameters", []):
            if "$ref" not in param:
                assert param["name"] in path or param["in"] != "path"
    # Every $ref resolves.
    text = json.dumps(doc)
    for ref in {p.split('"')[0] for p in text.split('"$ref": "')[1:]}:
        node = doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
