"""Counter work: register, slip, list + filters + CSV, dossier page and status changes."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import segno
import sqlalchemy as sa

from app.dossier_queries import safe_cell
from app.models import AuditLog, Dossier, DossierEvent, Message, utcnow
from tests.support.helpers import csrf_token


@pytest.fixture
def desk(make_office, make_procedure, make_officer):
    """An office with one procedure, a how-to guide, and one user per role."""
    office = make_office()
    proc = make_procedure(office=office, name="Đăng ký khai sinh", processing_days=3)
    howto = make_procedure(office=office, name="Hướng dẫn VNeID", processing_days=None)
    officer = make_officer("can_bo", role="officer", procedures=[proc], office=office)
    admin = make_officer("quan_tri", role="admin", office=office)
    leader = make_officer("lanh_dao", role="leader", office=office)
    return {
        "office": office,
        "proc": proc,
        "howto": howto,
        "officer": officer,
        "admin": admin,
        "leader": leader,
    }


def _register_data(client, desk, **over):
    data = {
        "csrf_token": csrf_token(client, "/officer/dossiers/new"),
        "procedure": str(desk["proc"].id),
        "applicant_name": "Trần Thị Lan",
        "phone": "0912 345 678",
        "channel": "counter",
        "lang": "vi",
        "note": "",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# ----------------------------------------------------------------------------- access


PAGES_GET = [
    "/officer/dossiers",
    "/officer/dossiers.csv",
    "/officer/dossiers/new",
    "/officer/dossiers/import",
]


@pytest.mark.parametrize("url", PAGES_GET)
def test_signed_out_goes_to_login(client, desk, url):
    r = client.get(url)
    assert r.status_code == 302
    assert "/officer/login" in r.headers["Location"]


def test_signed_out_dossier_pages_and_posts(client, desk, make_dossier):
    d = make_dossier(procedure=desk["proc"])
    for url in (f"/officer/dossiers/{d.code}", f"/officer/dossiers/{d.code}/slip"):
        assert "/officer/login" in client.get(url).headers["Location"]
    r = client.post(f"/officer/dossiers/{d.code}/status", data={"status": "processing"})
    assert r.status_code in (302, 400)  # CSRF (400) or login redirect: never a change
    assert db_status(d) == "received"


def db_status(d):
    from app.extensions import db

    db.session.expire_all()
    return db.session.get(Dossier, d.id).status


def test_leader_reads_but_cannot_write(client, pages, desk, login, make_dossier):
    d = make_dossier(procedure=desk["proc"])
    login(desk["leader"])
    pages.get("officer.dossiers")
    pages.get("officer.dossier", code=d.code)
    pages.get("officer.slip", code=d.code)
    assert client.get("/officer/dossiers.csv").status_code == 200
    page = client.get(f"/officer/dossiers/{d.code}").get_data(as_text=True)
    assert "dossier_status" not in page and f"/officer/dossiers/{d.code}/status" not in page
    token = csrf_token(client, "/officer/dossiers")
    pages.get("officer.register", _expected_status=403)  # the error page is checked too
    pages.get("officer.import_dossiers", _expected_status=403)
    for url, data in (
        ("/officer/dossiers/new", {"applicant_name": "X", "procedure": str(desk["proc"].id)}),
        (f"/officer/dossiers/{d.code}/status", {"status": "processing"}),
        ("/officer/dossiers/import", {}),
    ):
        r = client.post(url, data={**data, "csrf_token": token})
        assert r.status_code == 403, url
    assert db_status(d) == "received"


def test_other_office_dossier_is_not_found(
    client, desk, login, make_office, make_procedure, make_dossier
):
    other = make_office("TB", name="UBND xã Tân Bình")
    d = make_dossier(procedure=make_procedure(office=other), office=other)
    login(desk["officer"])
    assert client.get(f"/officer/dossiers/{d.code}").status_code == 404
    assert d.code not in client.get("/officer/dossiers").get_data(as_text=True)


# ----------------------------------------------------------------------------- register


def test_register_page_lists_only_procedures(client, pages, desk, login):
    login(desk["officer"])
    page = pages.get("officer.register").page
    html = client.get("/officer/dossiers/new").get_data(as_text=True)
    assert "Đăng ký khai sinh" in html
    assert "Hướng dẫn VNeID" not in html
    assert "HUY" in html and "91/2025" in html
    assert not re.search(r'name="sms_consent"[^>]*checked', html)  # off by default
    assert any(i.get("name") == "phone" for i in page.inputs)


@pytest.mark.parametrize("raw", ["0912 345 678", "+84912345678", "84912345678", "(091) 234-5678"])
def test_register_normalises_phone_and_redirects_to_slip(client, desk, login, sent_sms, raw):
    login(desk["officer"])
    r = client.post(
        "/officer/dossiers/new", data=_register_data(client, desk, phone=raw, sms_consent="y")
    )
    assert r.status_code == 302
    d = sa_one(Dossier)
    assert r.headers["Location"].endswith(f"/officer/dossiers/{d.code}/slip")
    assert d.phone == "+84912345678"
    assert d.sms_consent is True
    assert d.created_by_id == desk["officer"].id
    assert [m.kind for m in sent_sms()] == ["notify"]  # the "received" text, same transaction
    assert sa_count(AuditLog) == 1


def sa_one(model):
    from app.extensions import db

    return db.session.scalars(sa.select(model)).one()


def sa_count(model, *where):
    from app.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_register_without_phone_or_consent(client, desk, login, sent_sms):
    login(desk["officer"])
    r = client.post(
        "/officer/dossiers/new", data=_register_data(client, desk, phone="", channel="post")
    )
    assert r.status_code == 302
    d = sa_one(Dossier)
    assert (d.phone, d.sms_consent, d.channel) == ("", False, "post")
    assert sent_sms() == []


def test_register_invalid_phone_keeps_input(client, desk, login):
    login(desk["officer"])
    r = client.post(
        "/officer/dossiers/new",
        data=_register_data(client, desk, phone="12345", applicant_name="Lê Văn Tám"),
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Số điện thoại không đúng" in html
    assert 'value="12345"' in html and 'value="Lê Văn Tám"' in html
    assert 'aria-invalid="true"' in html
    assert sa_count(Dossier) == 0


def test_register_consent_without_phone_is_an_error(client, desk, login):
    login(desk["officer"])
    r = client.post(
        "/officer/dossiers/new", data=_register_data(client, desk, phone="", sms_consent="y")
    )
    assert r.status_code == 400
    assert "hãy nhập số điện thoại" in r.get_data(as_text=True)
    assert sa_count(Dossier) == 0


def test_register_requires_name_and_real_procedure(client, desk, login):
    login(desk["officer"])
    r = client.post(
        "/officer/dossiers/new",
        data=_register_data(client, desk, applicant_name="", procedure=str(desk["howto"].id)),
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Nhập họ tên người nộp." in html
    assert sa_count(Dossier) == 0


def test_register_without_csrf_is_400(client, desk, login):
    login(desk["officer"])
    data = _register_data(client, desk)
    del data["csrf_token"]
    assert client.post("/officer/dossiers/new", data=data).status_code == 400
    assert sa_count(Dossier) == 0


def test_admin_can_register(client, desk, login):
    login(desk["admin"])
    assert (
        client.post("/officer/dossiers/new", data=_register_data(client, desk)).status_code == 302
    )


# ----------------------------------------------------------------------------- slip


@pytest.mark.parametrize("fmt", ["a5", "a4", "58mm"])
def test_slip(client, pages, app, desk, login, make_dossier, fmt):
    d = make_dossier(procedure=desk["proc"])
    login(desk["officer"])
    r = pages.get("officer.slip", code=d.code, format=fmt)
    html = r.get_data(as_text=True)
    assert f"slip-{fmt}" in html
    assert "/static/css/slip.css?v=" in html and "/static/js/print.js?v=" in html
    assert d.code in html and "Đăng ký khai sinh" in html and "UBND xã Vĩnh Bửu" in html
    assert "0909 000 100" in html  # office SMS number in the hint
    assert f"TT {d.public_code}" in html  # with the check letters (issue 12, item 5)
    assert desk["officer"].name in html  # officer in charge
    url = f"http://localhost/vb/status?code={d.public_code}"  # the commune's own address
    assert url in html
    # The QR code is the status URL with the code filled in: same matrix as segno makes.
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    expected = segno.make(url, error="m").svg_inline(omitsize=True, border=2, title=url)
    assert svg == expected.replace("&", "&amp;") or svg == expected
    assert "style=" not in svg


def test_slip_uses_public_base_url(client, app, desk, login, make_dossier, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://motcua.example.vn")
    d = make_dossier(procedure=desk["proc"])
    login(desk["officer"])
    html = client.get(f"/officer/dossiers/{d.code}/slip").get_data(as_text=True)
    assert f"https://motcua.example.vn/vb/status?code={d.code}" in html


def test_slip_unknown_code_404(client, desk, login):
    login(desk["officer"])
    assert client.get("/officer/dossiers/VB-240101-0001/slip").status_code == 404


# ----------------------------------------------------------------------------- list


def test_list_renders_and_marks_overdue(client, pages, desk, login, make_dossier):
    late = make_dossier(procedure=desk["proc"], received_at=utcnow() - timedelta(days=40))
    fresh = make_dossier(procedure=desk["proc"])
    login(desk["officer"])
    r = pages.get("officer.dossiers")
    html = r.get_data(as_text=True)
    row = re.search(rf"<tr[^>]*>\s*<td><a [^>]*>{late.code}</a>.*?</tr>", html, re.S).group(0)
    assert row.startswith('<tr class="overdue">') and "Quá hạn" in row
    row = re.search(rf"<tr[^>]*>\s*<td><a [^>]*>{fresh.code}</a>.*?</tr>", html, re.S).group(0)
    assert "overdue" not in row and "Quá hạn" not in row


def test_filters_overdue_and_due_soon(client, desk, login, make_dossier, make_procedure):
    slow = make_procedure(office=desk["office"], name="Hộ kinh doanh", processing_days=30)
    late = make_dossier(procedure=desk["proc"], received_at=utcnow() - timedelta(days=40))
    fast = make_procedure(office=desk["office"], name="Chứng thực", processing_days=1)
    soon = make_dossier(procedure=fast)  # 1 working day, counted from the next one at worst
    later = make_dossier(procedure=slow)  # 30 working days
    done_late = make_dossier(
        procedure=desk["proc"], status="ready", received_at=utcnow() - timedelta(days=40)
    )
    login(desk["officer"])
    html = client.get("/officer/dossiers?overdue=1").get_data(as_text=True)
    assert late.code in html
    assert soon.code not in html and later.code not in html and done_late.code not in html
    html = client.get("/officer/dossiers?due_soon=1").get_data(as_text=True)
    assert soon.code in html
    assert late.code not in html and later.code not in html and done_late.code not in html
    html = client.get(f"/officer/dossiers?procedure={slow.id}").get_data(as_text=True)
    assert later.code in html and soon.code not in html
    html = client.get("/officer/dossiers?status=ready").get_data(as_text=True)
    assert done_late.code in html and soon.code not in html
    html = client.get("/officer/dossiers?status=open").get_data(as_text=True)
    assert done_late.code not in html and soon.code in html and late.code in html
    html = client.get(f"/officer/dossiers?officer={desk['officer'].id}").get_data(as_text=True)
    assert late.code in html and later.code not in html  # slow procedure has no officer


def test_search_by_code_name_phone(client, desk, login, make_dossier):
    a = make_dossier(
        procedure=desk["proc"], applicant_name="Nguyễn Thị Hường", phone="+84912345678"
    )
    b = make_dossier(procedure=desk["proc"], applicant_name="Lê Văn Đức", phone="+84987654321")
    login(desk["officer"])

    def found(q):
        html = client.get("/officer/dossiers", query_string={"q": q}).get_data(as_text=True)
        return {d.code for d in (a, b) if d.code in html}

    assert found(a.code.lower().replace("-", " ")) == {a.code}
    assert found("huong") == {a.code}  # no accents typed
    assert found("NGUYỄN thị") == {a.code}
    assert found("duc") == {b.code}  # đ folds to d
    assert found("0987 654 321") == {b.code}
    assert found("+84912345678") == {a.code}
    assert found("4321") == {b.code}  # last digits
    assert found("không ai") == set()


def test_search_text_that_is_both_a_code_and_a_phone(client, db, desk, login, make_dossier):
    """0911250382 is a mobile number and also reads as the code VB-091125-0382: both found,
    the code first (issue 15, found at the desk)."""
    by_phone = make_dossier(procedure=desk["proc"], phone="+84911250382", sms_consent=False)
    coded = make_dossier(
        procedure=desk["proc"],
        phone="+84987654321",
        sms_consent=False,
        received_at=utcnow() - timedelta(days=3),  # older: newest-first would list it second
    )
    coded.code = "VB-091125-0382"
    other = make_dossier(procedure=desk["proc"], phone="+84912345678", sms_consent=False)
    db.session.commit()
    login(desk["officer"])

    def found(q):
        html = client.get("/officer/dossiers", query_string={"q": q}).get_data(as_text=True)
        hits = [d for d in (by_phone, coded, other) if d.code in html]
        return [d.code for d in sorted(hits, key=lambda d: html.index(d.code))]

    assert found("0911250382") == [coded.code, by_phone.code]  # union, code first
    assert found("091125-0382") == [coded.code, by_phone.code]
    for typed in ("+84911250382", "84911250382", "0911 250 382", "0911.250.382"):
        assert found(typed) == [by_phone.code], typed
    assert found("VB-091125-0382") == [coded.code]  # letters: a code, never a phone
    assert found("0987654321") == [coded.code]  # a plain phone, not code-like
    # The CSV export uses the same filter.
    body = client.get("/officer/dossiers.csv", query_string={"q": "0911250382"}).get_data(
        as_text=True
    )
    assert coded.code in body and by_phone.code in body and other.code not in body


def test_search_by_printed_code_with_check_letters(client, db, desk, login, make_dossier):
    d = make_dossier(procedure=desk["proc"], sms_consent=False)
    d.code_check = "KQX"
    db.session.commit()
    login(desk["officer"])
    html = client.get("/officer/dossiers", query_string={"q": f"{d.code}-KQX"}).get_data(
        as_text=True
    )
    assert f'href="/officer/dossiers/{d.code}"' in html


def test_pagination(client, desk, login, make_dossier):
    codes = [make_dossier(procedure=desk["proc"], sms_consent=False).code for _ in range(27)]
    login(desk["officer"])
    r = client.get("/officer/dossiers")
    html = r.get_data(as_text=True)
    assert "27 hồ sơ" in html
    assert sum(c in html for c in codes) == 25
    assert 'href="/officer/dossiers?page=2"' in html
    html2 = client.get("/officer/dossiers?page=2").get_data(as_text=True)
    assert sum(c in html2 for c in codes) == 2
    shown = {c for c in codes if c in html} | {c for c in codes if c in html2}
    assert shown == set(codes)
    assert 'href="/officer/dossiers?page=1"' in html2
    # Filters survive in page links; a page past the end shows the last page.
    html = client.get("/officer/dossiers?status=received").get_data(as_text=True)
    assert "status=received&amp;page=2" in html or "page=2&amp;status=received" in html
    assert (
        sum(c in client.get("/officer/dossiers?page=99").get_data(as_text=True) for c in codes) == 2
    )


def test_csv_export(client, desk, login, make_dossier):
    late = make_dossier(
        procedure=desk["proc"],
        applicant_name='=HYPERLINK("http://x")',
        received_at=utcnow() - timedelta(days=40),
    )
    make_dossier(procedure=desk["proc"], applicant_name="@SUM(A1)", status="ready")
    for _ in range(26):  # more than one page: the CSV has them all
        make_dossier(procedure=desk["proc"], sms_consent=False)
    login(desk["leader"])
    r = client.get("/officer/dossiers.csv")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    assert "no-store" in r.headers["Cache-Control"]
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã hồ sơ" and rows[0][3] == "Họ tên"
    assert len(rows) == 1 + 28
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[late.code][3] == '\'=HYPERLINK("http://x")'
    col = {name: i for i, name in enumerate(rows[0])}
    assert by_code[late.code][col["Quá hạn"]] == "x"
    assert by_code[late.code][col["Số điện thoại"]] == "0912 345 678"
    assert by_code[late.code][col["Mã hồ sơ tại xã"]] == late.code
    assert "'@SUM(A1)" in [row[3] for row in rows]
    assert "Đăng ký khai sinh" in by_code[late.code][col["Thủ tục"]]
    # Same filter as the list.
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/officer/dossiers.csv?overdue=1").get_data().decode("utf-8-sig")
            )
        )
    )
    assert [row[0] for row in rows[1:]] == [late.code]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+84912", "'+84912"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("Lan", "Lan"),
        ("", ""),
        (None, ""),
        ("a=b", "a=b"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


# ----------------------------------------------------------------------------- dossier page


def _status_post(client, d, **data):
    token = csrf_token(client, f"/officer/dossiers/{d.code}")
    return client.post(f"/officer/dossiers/{d.code}/status", data={"csrf_token": token, **data})


def test_dossier_page_offers_only_allowed_next(client, pages, desk, login, make_dossier):
    d = make_dossier(procedure=desk["proc"], status="ready")
    login(desk["officer"])
    r = pages.get("officer.dossier", code=d.code)
    html = r.get_data(as_text=True)
    options = re.findall(
        r'<option value="(\w+)"', html.split('name="status"', 1)[1].split("</select>")[0]
    )
    assert options == ["returned"]
    assert "Chờ gửi" in html  # the queued SMS of this dossier, with its status
    assert html.count("<li><strong>") == 3  # timeline: received, processing, ready


def test_change_status_to_ready_queues_sms_only_with_consent(
    client, desk, login, make_dossier, sent_sms
):
    yes = make_dossier(procedure=desk["proc"], status="processing", phone="+84912000001")
    no = make_dossier(
        procedure=desk["proc"], status="processing", phone="+84912000002", sms_consent=False
    )
    login(desk["officer"])
    for d in (yes, no):
        r = _status_post(client, d, status="ready", note="", internal_note="Đã ký")
        assert r.status_code == 302
        assert r.headers["Location"].endswith(f"/officer/dossiers/{d.code}")
        assert db_status(d) == "ready"
    ready_msgs = [m for m in sent_sms() if "ket qua" in m.body]
    assert [m.phone for m in ready_msgs] == ["+84912000001"]
    assert sa_count(Message, Message.dossier_id == no.id) == 0
    ev = sa_one_where(
        DossierEvent, DossierEvent.dossier_id == yes.id, DossierEvent.status == "ready"
    )
    assert ev.officer_id == desk["officer"].id and ev.internal_note == "Đã ký"
    html = client.get(f"/officer/dossiers/{yes.code}").get_data(as_text=True)
    assert "Đã ký" in html and desk["officer"].name in html


def sa_one_where(model, *where):
    from app.extensions import db

    return db.session.scalars(sa.select(model).where(*where)).one()


@pytest.mark.parametrize(
    "status, words", [("needs_supplement", "giấy tờ còn thiếu"), ("rejected", "lý do từ chối")]
)
def test_note_required(client, desk, login, make_dossier, status, words):
    d = make_dossier(procedure=desk["proc"])
    login(desk["officer"])
    r = _status_post(client, d, status=status, note="  ", internal_note="giữ lại")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert words in html and "giữ lại" in html
    assert db_status(d) == "received"
    r = _status_post(client, d, status=status, note="Thiếu giấy chứng sinh")
    assert r.status_code == 302 and db_status(d) == status


def test_invalid_transition_refused(client, desk, login, make_dossier):
    d = make_dossier(procedure=desk["proc"], status="returned")
    login(desk["officer"])
    html = client.get(f"/officer/dossiers/{d.code}").get_data(as_text=True)
    assert f"/officer/dossiers/{d.code}/status" not in html  # closed: no form
    r = _status_post(client, d, status="processing")
    assert r.status_code == 400
    assert "Không chuyển được" in r.get_data(as_text=True)
    assert db_status(d) == "returned"
    d2 = make_dossier(procedure=desk["proc"])
    r = _status_post(client, d2, status="returned")  # not offered from "received"
    assert r.status_code == 400 and db_status(d2) == "received"
    r = _status_post(client, d2, status="nonsense")
    assert r.status_code == 400


def test_status_change_without_csrf_is_400(client, desk, login, make_dossier):
    d = make_dossier(procedure=desk["proc"])
    login(desk["officer"])
    r = client.post(f"/officer/dossiers/{d.code}/status", data={"status": "processing"})
    assert r.status_code == 400
    assert db_status(d) == "received"


# ----------------------------------------------------------------------------- home panel


def test_home_panel_counts(app, desk, make_dossier, make_procedure):
    """The fragment on its own: the home page also carries other areas' panels."""
    from flask import render_template
    from flask_login import login_user

    make_dossier(procedure=desk["proc"], received_at=utcnow() - timedelta(days=40))
    make_dossier(procedure=make_procedure(office=desk["office"], processing_days=1))
    make_dossier(procedure=desk["proc"], status="returned")
    with app.test_request_context("/officer/"):
        login_user(desk["leader"])
        html = render_template("officer/_home_dossiers.html")
    assert "2 hồ sơ đang mở" in html
    assert "1 hồ sơ quá hạn" in html
    assert "1 hồ sơ đến hạn trong 3 ngày làm việc" in html
    assert 'href="/officer/dossiers?overdue=1"' in html
    assert 'href="/officer/dossiers?due_soon=1"' in html
    assert "/officer/dossiers/new" not in html  # leader: no register button
    with app.test_request_context("/officer/"):
        login_user(desk["officer"])
        assert "/officer/dossiers/new" in render_template("officer/_home_dossiers.html")
