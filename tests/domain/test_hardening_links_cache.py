"""Issue 12, items 14 and 15: officer pages are never stored by the browser; absolute links
come from ``PUBLIC_BASE_URL``, never from the request's Host."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from app.web import public_url
from tests.support.desk import sign_in

BASE = "https://motcua.vinhbuu.example.vn"


def _dummy(rule, dossier_code: str, ids: dict) -> dict:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters.get(name)).__name__
        if converter == "IntegerConverter":
            values[name] = ids.get(name, 1)
        elif name == "code":
            values[name] = dossier_code
        elif name == "table":
            values[name] = "overview"
        else:
            values[name] = "x"
    return values


def test_every_officer_page_says_no_store(app, client, make_officer, login, make_dossier) -> None:
    """Enumerated from the URL map: every officer GET, signed in as an admin, answers
    ``Cache-Control: no-store`` and no ETag — 200s, CSVs, 404s and redirects alike."""
    admin = sign_in(client, make_officer, login, role="admin", username="root")
    dossier = make_dossier(officer=admin)
    ids = {"officer_id": admin.id, "id": 1}
    statuses = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if not rule.endpoint.startswith("officer.") or "GET" not in rule.methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **_dummy(rule, dossier.code, ids))
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (url, response.headers)
        assert "ETag" not in response.headers, url
        statuses.append(response.status_code)
    assert statuses.count(200) >= 10, statuses
    assert client.get("/officer/login").headers["Cache-Control"] == "no-store"


# -- links ----------------------------------------------------------------------------------------


@pytest.fixture
def public_base(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    return BASE


EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def test_api_links_use_public_base_url_not_the_host(client, make_procedure, public_base) -> None:
    make_procedure(slug="dang-ky-khai-sinh")
    listing = client.get("/api/v1/procedures", headers=EVIL)
    assert listing.status_code == 200
    links = re.findall(r'"(https?://[^"]+)"', listing.get_data(as_text=True))
    assert links and all(link.startswith(BASE + "/") for link in links), links
    item = listing.get_json()["procedures"][0]
    assert item["guide_url"] == f"{BASE}/vb/procedures/dang-ky-khai-sinh"
    detail = client.get(links[-1].replace(BASE, ""), headers=EVIL)
    assert "evil.example" not in detail.get_data(as_text=True)


def test_script_name_does_not_move_public_links(app, public_base) -> None:
    with app.test_request_context("/x", base_url="http://evil.example/evil"):
        assert public_url("citizen.guide", slug="a") == f"{BASE}/vb/procedures/a"
        assert public_url("citizen.status", code="VB-1") == f"{BASE}/vb/status?code=VB-1"


def test_without_public_base_url_the_request_decides(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    with app.test_request_context("/x", base_url="http://localhost:5000"):
        assert public_url("citizen.guide", slug="a") == "http://localhost:5000/vb/procedures/a"
    with app.app_context():  # the SMS worker, the CLI: a path is all there is
        assert public_url("citizen.guide", slug="a") == "/vb/procedures/a"


def test_outside_a_request_public_base_url_is_used(app, public_base) -> None:
    with app.app_context():
        assert public_url("citizen.guide", slug="a") == f"{BASE}/vb/procedures/a"


def test_slip_qr_and_guide_text_use_public_base_url(client, make_officer, login, make_dossier,
                                                   make_procedure, public_base) -> None:
    from app.sms.guide import guide_link

    officer = sign_in(client, make_officer, login)
    dossier = make_dossier(officer=officer)
    slip = client.get(f"/officer/dossiers/{dossier.code}/slip", headers=EVIL)
    assert slip.status_code == 200
    assert "evil.example" not in slip.get_data(as_text=True)
    procedure = make_procedure(slug="chung-thuc")
    with client.application.test_request_context("/", headers=EVIL):
        assert guide_link(procedure, "en") == f"{BASE}/vb/procedures/chung-thuc?lang=en"
