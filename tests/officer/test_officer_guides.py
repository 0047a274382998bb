"""Guide editor: who may edit, preview exactly as the citizen sees it, save with versions,
restore, and refusals that keep the guide inside its budgets."""

from __future__ import annotations

import random
import re

import pytest
import sqlalchemy as sa

from app import guides
from app.budgets import HTML_BUDGET
from app.models import AuditLog, ProcedureContent, ProcedureVersion
from tests.conftest import PASSWORD
from tests.support.desk import post, sign_in
from tests.support.helpers import check_page, csrf_token


@pytest.fixture
def ks(make_procedure):
    return make_procedure(slug="khai-sinh", keyword="KS", name="Đăng ký khai sinh")


def _form(content: ProcedureContent | None = None, keyword="KS", **changes) -> dict:
    data = {
        "name": content.name if content else "Đăng ký khai sinh",
        "summary": content.summary if content else "Tóm tắt",
        "documents": "\n".join(content.documents) if content else "Giấy chứng sinh",
        "steps": "\n".join(content.steps) if content else "Nộp hồ sơ",
        "fee": content.fee if content else "",
        "time": content.time if content else "",
        "where": content.where if content else "",
        "legal_basis": content.legal_basis if content else "",
        "sms_summary": content.sms_summary if content else "",
        "officer_note": "",
        "sms_keyword": keyword,
        "action": "save",
    }
    data.update(changes)
    return data


def _vi(procedure) -> ProcedureContent:
    return next(c for c in procedure.contents if c.lang == "vi")


def _versions(db):
    return list(db.session.scalars(sa.select(ProcedureVersion).order_by(ProcedureVersion.id)))


@pytest.mark.parametrize("role", ["officer", "leader", "admin"])
def test_list_and_edit_pages_render_for_every_role(client, pages, ks, make_officer, login, role):
    sign_in(client, make_officer, login, role)
    html = pages.get("officer.guides").get_data(as_text=True)
    assert "Đăng ký khai sinh" in html and "/officer/guides/khai-sinh/vi" in html
    for lang in ("vi", "en"):
        pages.get("officer.guide_edit", slug="khai-sinh", lang=lang, _lang="vi")


@pytest.mark.parametrize(
    "role,in_charge,can",
    [
        ("admin", False, True),
        ("officer", True, True),
        ("officer", False, False),
        ("leader", True, False),
    ],
)
def test_who_may_edit(client, db, ks, make_officer, login, role, in_charge, can):
    sign_in(client, make_officer, login, role, procedures=[ks] if in_charge else [])
    html = client.get("/officer/guides/khai-sinh/vi").get_data(as_text=True)
    assert ('value="save"' in html) is can
    r = post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks), summary="Mới"))
    assert r.status_code == (302 if can else 403)
    db.session.refresh(_vi(ks))
    assert (_vi(ks).summary == "Mới") is can


def test_unknown_guide_or_language_is_404(client, ks, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    assert client.get("/officer/guides/khong-co/vi").status_code == 404
    assert client.get("/officer/guides/khai-sinh/fr").status_code == 404


def test_save_versions_audits_and_shows_to_citizens(client, db, ks, make_officer, login):
    admin = sign_in(client, make_officer, login, "admin", name="Quản Trị")
    old = _vi(ks).snapshot()
    r = post(
        client,
        "/officer/guides/khai-sinh/vi",
        _form(
            _vi(ks),
            summary="Đăng ký cho trẻ mới sinh trong 60 ngày.",
            documents="Giấy chứng sinh\n\n  CCCD của cha hoặc mẹ  \nSổ hộ khẩu",
            steps="Mang giấy tờ đến xã\nNhận giấy khai sinh",
            sms_keyword="ks1",
        ),
    )
    assert r.status_code == 302
    db.session.expire_all()
    content = _vi(ks)
    assert content.summary == "Đăng ký cho trẻ mới sinh trong 60 ngày."
    assert content.documents == ["Giấy chứng sinh", "CCCD của cha hoặc mẹ", "Sổ hộ khẩu"]
    assert content.steps == ["Mang giấy tờ đến xã", "Nhận giấy khai sinh"]
    assert ks.sms_keyword == "KS1"
    assert content.search_text == (
        "dang ky khai sinh dang ky cho tre moi sinh trong 60 ngay. "
        "giay chung sinh cccd cua cha hoac me so ho khau"
    )
    [version] = _versions(db)
    assert version.data == old and version.sms_keyword == "KS" and version.lang == "vi"
    assert version.officer_id == admin.id and version.created_at is not None
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "guide.edit")).one()
    assert entry.before["summary"] == "Tóm tắt" and entry.after["sms_keyword"] == "KS1"
    assert "fee" not in entry.after  # only what changed

    guide = client.get("/vb/procedures/khai-sinh").get_data(as_text=True)
    assert "Đăng ký cho trẻ mới sinh trong 60 ngày." in guide and "HD KS1" in guide
    # The accent-folded search finds the new words.
    assert "khai-sinh" in client.get("/vb/procedures?q=so ho khau").get_data(as_text=True)
    history = client.get("/officer/guides/khai-sinh/vi").get_data(as_text=True)
    assert "Bản trước khi Quản Trị sửa" in history and "Khôi phục bản này" in history


def test_saving_unchanged_text_makes_no_version(client, db, ks, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    assert post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks))).status_code == 302
    assert _versions(db) == []
    assert db.session.scalars(sa.select(AuditLog)).all() == []


def _inner(html: str, pattern: str) -> str:
    body = re.search(pattern, html, re.S).group(1)
    body = re.sub(r"<p class=\"flash[^<]*</p>", "", body)
    body = re.sub(r"Cập nhật: [0-9/]*", "", body)
    return "\n".join(line.strip() for line in body.splitlines() if line.strip())


def test_preview_is_the_citizen_page_and_saves_nothing(client, db, ks, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    draft = _form(_vi(ks), summary="Bản nháp chưa lưu.", sms_keyword="KSX", action="preview")
    r = post(client, "/officer/guides/khai-sinh/vi", draft)
    page = check_page(r, citizen=False)
    assert page.h1 == 1
    html = r.get_data(as_text=True)
    assert "Bản xem trước, chưa lưu" in html and "HD KSX" in html
    # The editor is still there with what was typed.
    assert "Bản nháp chưa lưu.</textarea>" in html and 'value="KSX"' in html
    db.session.expire_all()
    assert _vi(ks).summary == "Tóm tắt" and ks.sms_keyword == "KS"
    assert _versions(db) == [] and db.session.scalars(sa.select(AuditLog)).all() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcedureContent)) == 2
    preview = _inner(html, r'<div class="preview" lang="vi">(.*?)</div>\n<h2>Sửa tiếp')

    # Save the same draft: the citizen's page says exactly what the preview said.
    assert (
        post(client, "/officer/guides/khai-sinh/vi", {**draft, "action": "save"}).status_code == 302
    )
    client.get("/officer/guides/khai-sinh/vi")  # uses up the "saved" flash
    citizen = client.get("/vb/procedures/khai-sinh")
    check_page(citizen)
    assert _inner(citizen.get_data(as_text=True), r'<main id="main">(.*)</main>') == preview


def test_preview_of_english_uses_english_labels(client, ks, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    en = next(c for c in ks.contents if c.lang == "en")
    html = post(client, "/officer/guides/khai-sinh/en", _form(en, action="preview")).get_data(
        as_text=True
    )
    assert '<div class="preview" lang="en">' in html and "Birth registration" in html


@pytest.mark.parametrize(
    "changes,field_message",
    [
        ({"name": ""}, "Nhập tên thủ tục."),
        ({"summary": "x" * 401}, "Tóm tắt dài 401 ký tự, tối đa 400."),
        (
            {"documents": "\n".join(f"Giấy {i}" for i in range(13))},
            "Nhiều quá: 13 dòng, tối đa 12 dòng.",
        ),
        ({"steps": "Bước một\n" + "y" * 201}, "Dòng 2 dài quá: mỗi dòng tối đa 200 ký tự."),
        ({"fee": "z" * 401}, "Dài quá: tối đa 400 ký tự."),
        ({"sms_summary": "Mang giay to " * 30}, "Tóm tắt tin nhắn cần 3 tin, tối đa 2 tin"),
        ({"sms_keyword": "HD"}, "HD là lệnh tin nhắn"),
        ({"sms_keyword": "STOP"}, "STOP là lệnh tin nhắn"),
        ({"sms_keyword": "khai sinh"}, "Từ khoá tin nhắn gồm 1–6 chữ cái hoặc số"),
        ({"sms_keyword": "KS-1"}, "Từ khoá tin nhắn gồm 1–6 chữ cái hoặc số"),
        ({"sms_keyword": "KHAISINH"}, "Từ khoá tin nhắn gồm 1–6 chữ cái hoặc số"),
        ({"sms_keyword": "KĐ"}, "Từ khoá tin nhắn gồm 1–6 chữ cái hoặc số"),
        ({"sms_keyword": ""}, "Từ khoá tin nhắn gồm 1–6 chữ cái hoặc số"),
    ],
)
def test_bad_input_is_refused_and_kept(client, db, ks, make_officer, login, changes, field_message):
    sign_in(client, make_officer, login, "admin")
    data = _form(_vi(ks), officer_note="Ghi chú đang gõ", **changes)
    r = post(client, "/officer/guides/khai-sinh/vi", data)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert field_message in html
    assert "Ghi chú đang gõ</textarea>" in html  # what was typed stays
    db.session.expire_all()
    assert _vi(ks).officer_note == "" and ks.sms_keyword == "KS" and _versions(db) == []


def test_keyword_must_be_unique_in_the_office(
    client, db, ks, make_procedure, make_office, make_officer, login
):
    make_procedure(slug="khai-tu", keyword="KT")
    other_office = make_office("XX", name="Xã khác")
    make_procedure(slug="chung-thuc", keyword="CT", office=other_office)
    sign_in(client, make_officer, login, "admin")
    r = post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks), sms_keyword="kt"))
    assert r.status_code == 400 and "Từ khoá KT đã dùng cho thủ tục khác." in r.get_data(
        as_text=True
    )
    # Another office's keyword is free here.
    assert (
        post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks), sms_keyword="CT")).status_code
        == 302
    )


def test_command_words_cover_every_parser_alias():
    from app.sms.parser import _ALIASES

    aliases = {a.replace(" ", "") for names in _ALIASES.values() for a in names}
    short = {a for a in aliases if len(a) <= 6}
    assert short <= guides.COMMAND_WORDS, short - guides.COMMAND_WORDS


def _noise(n: int, rng: random.Random) -> str:
    letters = (
        "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    )
    words: list[str] = []
    while len(" ".join(words)) < n:
        words.append("".join(rng.choice(letters) for _ in range(rng.randint(2, 7))))
    return " ".join(words)[:n]


def test_guide_over_the_html_budget_is_refused(client, db, ks, make_officer, login):
    """Every field within its own limit, but together the page would pass 8 KB compressed."""
    sign_in(client, make_officer, login, "admin")
    rng = random.Random(3)
    data = _form(
        _vi(ks),
        summary=_noise(400, rng),
        documents="\n".join(_noise(200, rng) for _ in range(12)),
        steps="\n".join(_noise(200, rng) for _ in range(12)),
        fee=_noise(400, rng),
        time=_noise(400, rng),
        where=_noise(400, rng),
        legal_basis=_noise(1000, rng),
        officer_note=_noise(400, rng),
    )
    r = post(client, "/officer/guides/khai-sinh/vi", data)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    match = re.search(r"sẽ nặng (\d+) byte \(nén\), quá giới hạn (\d+) byte", html)
    assert match and int(match.group(1)) > HTML_BUDGET and int(match.group(2)) == HTML_BUDGET
    db.session.expire_all()
    assert _vi(ks).summary == "Tóm tắt"
    # The preview says the same and shows the size.
    preview = post(client, "/officer/guides/khai-sinh/vi", {**data, "action": "preview"})
    assert preview.status_code == 400 and f"/ {HTML_BUDGET} byte" in preview.get_data(as_text=True)


def test_budget_constant_is_shared_with_the_page_checks():
    from tests.support import helpers

    assert HTML_BUDGET == 8 * 1024 and helpers.HTML_BUDGET is HTML_BUDGET


def test_restore_brings_back_a_version_and_versions_the_current(
    client, db, ks, make_officer, login
):
    sign_in(client, make_officer, login, "admin")
    post(
        client,
        "/officer/guides/khai-sinh/vi",
        _form(_vi(ks), summary="Lần sửa một", sms_keyword="KS2"),
    )
    post(
        client,
        "/officer/guides/khai-sinh/vi",
        _form(_vi(ks), summary="Lần sửa hai", sms_keyword="KS2"),
    )
    first = _versions(db)[0]
    assert first.data["summary"] == "Tóm tắt"
    url = f"/officer/guides/khai-sinh/vi/versions/{first.id}/restore"
    assert post(client, url, csrf=False).status_code == 400
    r = post(client, url)
    assert r.status_code == 302
    db.session.expire_all()
    assert _vi(ks).summary == "Tóm tắt" and ks.sms_keyword == "KS"
    assert [v.data["summary"] for v in _versions(db)] == ["Tóm tắt", "Lần sửa một", "Lần sửa hai"]
    restored = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "guide.restore")
    ).one()
    assert restored.before["summary"] == "Lần sửa hai" and restored.after["summary"] == "Tóm tắt"


def test_restore_keeps_current_keyword_when_old_one_was_taken(
    client, db, ks, make_procedure, make_officer, login
):
    sign_in(client, make_officer, login, "admin")
    post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks), summary="Mới", sms_keyword="KS2"))
    make_procedure(slug="khac", keyword="KS")  # someone took the old keyword meanwhile
    version = _versions(db)[0]
    assert (
        post(client, f"/officer/guides/khai-sinh/vi/versions/{version.id}/restore").status_code
        == 302
    )
    db.session.expire_all()
    assert _vi(ks).summary == "Tóm tắt" and ks.sms_keyword == "KS2"


def test_restore_rules(app, client, db, ks, make_procedure, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks), summary="Mới"))
    version = _versions(db)[0]
    make_procedure(slug="khac")
    assert post(client, f"/officer/guides/khac/vi/versions/{version.id}/restore").status_code == 404
    assert (
        post(client, f"/officer/guides/khai-sinh/en/versions/{version.id}/restore").status_code
        == 404
    )
    # A leader reads the history but cannot restore.
    leader_client = app.test_client()
    leader = make_officer(role="leader")
    with app.app_context():  # fresh ``g``: the fixture's context caches the signed-in admin
        token = csrf_token(leader_client, "/officer/login")
        leader_client.post(
            "/officer/login",
            data={"username": leader.username, "password": PASSWORD, "csrf_token": token},
        )
        html = leader_client.get("/officer/guides/khai-sinh/vi").get_data(as_text=True)
        assert "Bản trước khi" in html and "Khôi phục bản này" not in html
        r = post(leader_client, f"/officer/guides/khai-sinh/vi/versions/{version.id}/restore")
        assert r.status_code == 403
    db.session.expire_all()
    assert _vi(ks).summary == "Mới"


def test_save_without_csrf_is_refused(client, db, ks, make_officer, login):
    sign_in(client, make_officer, login, "admin")
    r = post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks), summary="Mới"), csrf=False)
    assert r.status_code == 400
    db.session.expire_all()
    assert _vi(ks).summary == "Tóm tắt"


def test_missing_language_is_created_on_save(client, db, make_procedure, make_officer, login):
    proc = make_procedure(slug="vneid", keyword="ID")
    en = next(c for c in proc.contents if c.lang == "en")
    db.session.delete(en)
    db.session.commit()
    sign_in(client, make_officer, login, "admin")
    assert client.get("/officer/guides/vneid/en").status_code == 200
    r = post(
        client,
        "/officer/guides/vneid/en",
        _form(None, keyword="ID", name="VNeID how-to", summary="Get a level-2 ID."),
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    en = next(c for c in proc.contents if c.lang == "en")
    assert en.name == "VNeID how-to" and en.search_text.startswith("vneid how-to")
    assert _versions(db) == []  # nothing was replaced
