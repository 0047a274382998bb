"""CSV import from the provincial one-stop system: dry run, all-or-nothing, no SMS."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app import dossier_import as importer
from app.clock import office_today
from app.dossier_queries import COLUMNS, DossierFilter, all_rows, export_csv
from app.extensions import db
from app.models import AuditLog, Dossier, DossierEvent, Message
from tests.support.helpers import check_page, csrf_token

HEADER = (
    "ma_ho_so,ma_thu_tuc,tu_khoa,ho_ten,so_dien_thoai,kenh,ngay_nhan,trang_thai,dong_y_sms,ghi_chu"
)


@pytest.fixture
def desk(make_office, make_procedure, make_officer, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_DIR", str(tmp_path / "imports"))
    office = make_office()
    ks = make_procedure(
        office=office,
        keyword="KS",
        name="Đăng ký khai sinh",
        national_code="1.001193",
        processing_days=3,
    )
    ct = make_procedure(office=office, keyword="CT", name="Chứng thực bản sao", processing_days=0)
    officer = make_officer("can_bo", role="officer", procedures=[ks], office=office)
    leader = make_officer("lanh_dao", role="leader", office=office)
    return {
        "office": office,
        "ks": ks,
        "ct": ct,
        "officer": officer,
        "leader": leader,
        "dir": tmp_path / "imports",
    }


GOOD = (
    "\n".join(
        [
            HEADER,
            "000.00.20.H39-240315-0001,1.001193,,Nguyễn Văn An,0912 345 678,truc_tiep,15/03/2024 08:30,2,co,",
            "000.00.20.H39-240315-0002,,CT,Trần Thị Bình,,truc_tuyen,15/03/2024 09:00,10,khong,",
            "000.00.20.H39-240316-0003,,ks,Lê Văn Cường,+84987654321,buu_chinh,16/03/2024,5,co,Thiếu giấy chứng sinh",
            "000.00.20.H39-240316-0004,1.001193,,=cmd|' /C calc'!A0,84911222333,,16/03/2024 10:00,9,có,",
        ]
    )
    + "\n"
)


def _upload(client, text: str | bytes, name: str = "hoso.csv"):
    token = csrf_token(client, "/officer/dossiers/import")
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        "/officer/dossiers/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, html: str):
    token = re.search(r'name="confirm-token" type="hidden" value="([0-9a-f]+)"', html).group(1)
    csrf = re.search(
        r'id="confirm-csrf_token" name="confirm-csrf_token" type="hidden" value="([^"]+)"', html
    ).group(1)
    return client.post(
        "/officer/dossiers/import",
        data={
            "confirm-csrf_token": csrf,
            "confirm-token": token,
            "confirm-filename": "hoso.csv",
            "step": "apply",
        },
    )


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_page_renders_and_roles(client, pages, desk, login):
    assert "/officer/login" in client.get("/officer/dossiers/import").headers["Location"]
    login(desk["officer"])
    pages.get("officer.import_dossiers")


def test_leader_cannot_import(client, desk, login):
    login(desk["leader"])
    assert client.get("/officer/dossiers/import").status_code == 403
    token = csrf_token(client, "/officer/dossiers")
    r = client.post(
        "/officer/dossiers/import",
        data={"csrf_token": token, "file": (io.BytesIO(GOOD.encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403
    assert count(Dossier) == 0


def test_upload_without_csrf_is_400(client, desk, login):
    login(desk["officer"])
    r = client.post(
        "/officer/dossiers/import",
        data={"file": (io.BytesIO(GOOD.encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400


def test_dry_run_then_import(client, desk, login, sent_sms):
    login(desk["officer"])
    r = _upload(client, "\ufeff" + GOOD)
    assert r.status_code == 200
    check_page(r, citizen=False)
    html = r.get_data(as_text=True)
    assert "Sẽ nhập 4 hồ sơ" in html
    assert "Nguyễn Văn An" in html and "0912 345 678" in html
    assert count(Dossier) == 0  # the dry run saves nothing
    r = _confirm(client, html)
    assert r.status_code == 302 and r.headers["Location"].endswith("/officer/dossiers")
    rows = {d.external_code: d for d in db.session.scalars(sa.select(Dossier))}
    assert len(rows) == 4
    a = rows["000.00.20.H39-240315-0001"]
    assert re.fullmatch(r"VB-240315-000\d", a.code)  # our own code, from the received day
    assert a.phone == "+84912345678" and a.sms_consent and a.status == "received"
    assert a.procedure_id == desk["ks"].id and a.channel == "counter"
    assert a.due_on.isoformat() == "2024-03-20"  # Fri 15/3 + 3 working days
    b = rows["000.00.20.H39-240315-0002"]
    assert (b.status, b.channel, b.procedure_id, b.sms_consent) == (
        "returned",
        "online",
        desk["ct"].id,
        False,
    )
    assert [e.status for e in b.events] == ["received", "processing", "ready", "returned"]
    assert b.finished_at is not None and b.closed_at is not None
    c = rows["000.00.20.H39-240316-0003"]
    assert c.status == "needs_supplement" and c.channel == "post"
    assert c.events[-1].note == "Thiếu giấy chứng sinh"
    assert rows["000.00.20.H39-240316-0004"].status == "ready"
    # History never texts citizens.
    assert sent_sms() == []
    assert count(Message) == 0
    assert count(AuditLog, AuditLog.action == "dossier.import") == 1
    assert list(desk["dir"].glob("*.csv")) == []  # the kept upload is gone


def test_reimport_skips_existing_codes(client, desk, login):
    login(desk["officer"])
    _confirm(client, _upload(client, GOOD).get_data(as_text=True))
    assert count(Dossier) == 4
    more = GOOD + "000.00.20.H39-240317-0005,1.001193,,Phạm Thị Dung,,,17/03/2024 08:00,2,,\n"
    html = _upload(client, more).get_data(as_text=True)
    assert "Sẽ nhập 1 hồ sơ, bỏ qua 4 hồ sơ đã có" in html
    assert "000.00.20.H39-240315-0001" in html
    assert _confirm(client, html).status_code == 302
    assert count(Dossier) == 5


BAD = (
    "\n".join(
        [
            HEADER,
            "X-1,1.001193,,Nguyễn Văn An,0912 345 678,truc_tiep,15/03/2024 08:30,2,co,",
            "X-2,9.999999,,Trần Thị Bình,123,bay,32/03/2024 09:00,8,co,",
            "X-3,,KS,,,,16/03/2024,5,maybe,",
            "",
            "X-1,1.001193,,Lặp Lại,,,16/03/2024,2,,",
        ]
    )
    + "\n"
)


def test_dry_run_reports_row_column_message(client, desk, login):
    login(desk["officer"])
    r = _upload(client, BAD)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    errors = re.findall(r"<tr><td>(\d+|–)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    cells = {(int(row), col) for row, col, _ in errors}
    assert {
        (3, "ma_thu_tuc"),
        (3, "so_dien_thoai"),
        (3, "kenh"),
        (3, "ngay_nhan"),
        (3, "trang_thai"),
    } <= cells
    assert {(4, "ho_ten"), (4, "ghi_chu"), (4, "dong_y_sms")} <= cells
    assert (6, "ma_ho_so") in cells  # same code twice; blank row 5 still counted
    assert (2, "ma_thu_tuc") not in cells
    assert "trùng với dòng 2" in html
    assert 'name="confirm-token"' not in html  # nothing to confirm
    assert count(Dossier) == 0


def test_import_is_all_or_nothing(app, desk, make_officer, monkeypatch):
    """A failure while saving row 3 leaves rows 1 and 2 unsaved too."""
    calls = {"n": 0}
    real = importer._save_row

    def flaky(row, office, officer):
        calls["n"] += 1
        if calls["n"] == 3:
            raise importer.DossierError("code_busy")
        return real(row, office, officer)

    monkeypatch.setattr(importer, "_save_row", flaky)
    with app.test_request_context("/"):
        with pytest.raises(importer.ImportFailed) as failed:
            importer.apply(GOOD.encode(), desk["office"], desk["officer"])
    assert "Chưa lưu hồ sơ nào" in failed.value.result.errors[0].message
    assert count(Dossier) == 0 and count(DossierEvent) == 0
    assert count(AuditLog) == 0


def test_apply_refuses_a_file_with_any_error(app, desk):
    with app.test_request_context("/"):
        with pytest.raises(importer.ImportFailed):
            importer.apply(BAD.encode(), desk["office"], desk["officer"])
    assert count(Dossier) == 0


def test_confirm_with_unknown_token(client, desk, login):
    login(desk["officer"])
    html = _upload(client, GOOD).get_data(as_text=True)
    html = html.replace(
        re.search(r'name="confirm-token" type="hidden" value="([0-9a-f]+)"', html).group(1),
        "0" * 32,
    )
    r = _confirm(client, html)
    assert r.status_code == 400
    assert "không còn trên máy chủ" in r.get_data(as_text=True)
    assert count(Dossier) == 0


def test_other_officer_cannot_confirm_my_upload(client, desk, login, make_officer):
    login(desk["officer"])
    html = _upload(client, GOOD).get_data(as_text=True)
    client.post("/officer/logout", data={"csrf_token": csrf_token(client, "/officer/dossiers")})
    login(make_officer("khac", role="officer", office=desk["office"]))
    assert _confirm(client, html).status_code == 400
    assert count(Dossier) == 0


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Tệp trống"),
        ("ma_ho_so,ho_ten\nX,Y\n", "Thiếu cột bắt buộc"),
        (HEADER + "\n", "không có hồ sơ"),
    ],
)
def test_file_level_errors(client, desk, login, text, message):
    login(desk["officer"])
    r = _upload(client, text)
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)


def test_size_and_row_limits(client, desk, login, monkeypatch):
    login(desk["officer"])
    big = HEADER + "\n" + "x" * (importer.MAX_BYTES + 100 * 1024)
    r = _upload(client, big)
    assert r.status_code == 400 and "2 MB" in r.get_data(as_text=True)
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    r = _upload(client, GOOD)
    assert r.status_code == 400 and "quá 3 dòng" in r.get_data(as_text=True)


def test_no_file_chosen(client, desk, login):
    login(desk["officer"])
    token = csrf_token(client, "/officer/dossiers/import")
    r = client.post(
        "/officer/dossiers/import", data={"csrf_token": token}, content_type="multipart/form-data"
    )
    assert r.status_code == 400 and "Chọn tệp CSV" in r.get_data(as_text=True)


def _cp1258(text: str) -> bytes:
    """What Excel on a Vietnamese Windows writes: base letters precomposed (â, ơ, ư, đ), tone
    marks as separate combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def test_semicolon_windows_file_with_accented_headers(app, desk):
    text = "Mã hồ sơ;Từ khóa;Họ tên;Ngày nhận;Trạng thái\r\nT-1;KS;Đỗ Thị Én;01/04/2024 07:45;4\r\n"
    with app.test_request_context("/"):
        result = importer.check(_cp1258(text), desk["office"])
    assert not result.errors, result.errors
    assert [(r.external_code, r.applicant_name, r.status) for r in result.rows] == [
        ("T-1", "Đỗ Thị Én", "processing")
    ]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2", "received"),
        ("1", "received"),
        ("3", "rejected"),
        ("4", "processing"),
        ("5", "needs_supplement"),
        ("6", "processing"),
        ("7", "withdrawn"),
        ("9", "ready"),
        ("10", "returned"),
        ("8", None),
        ("11", None),
        ("ready", "ready"),
        ("Ready", "ready"),
        ("xong", None),
    ],
)
def test_parse_status(raw, expected):
    assert importer.parse_status(raw) == expected


# ----------------------------------------------------------------------------- export ↔ import


def _export(app, office, lang: str = "vi") -> list[list[str]]:
    """The officer list's CSV for ``office``, as rows (what /officer/dossiers.csv sends)."""
    with app.test_request_context(f"/?lang={lang}"):
        today = office_today(office)
        body = export_csv(all_rows(office, DossierFilter(), today), lang, today)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def _comparable(rows: list[list[str]]) -> list[list[str]]:
    """Rows without what belongs to one commune: our own code and the officer in charge."""
    header = rows[0]
    drop = {header.index(h) for h in ("Mã hồ sơ tại xã", "Cán bộ phụ trách") if h in header}
    drop |= {header.index(h) for h in ("Commune dossier code", "Officer in charge") if h in header}
    return sorted([c for i, c in enumerate(r) if i not in drop] for r in rows[1:])


@pytest.fixture
def history(desk, make_dossier):
    """Dossiers of every kind in the desk's commune, one of them from the province."""
    ks, ct = desk["ks"], desk["ct"]
    made = [
        make_dossier(procedure=ks, applicant_name="Nguyễn Văn An"),
        make_dossier(procedure=ks, status="processing", channel="online", lang="en"),
        make_dossier(procedure=ct, status="needs_supplement", phone="", sms_consent=False),
        make_dossier(procedure=ks, status="ready", channel="post"),
        make_dossier(procedure=ct, status="returned", applicant_name="=cmd|' /C calc'!A0"),
        make_dossier(procedure=ks, status="rejected", phone="+84911250382"),
        make_dossier(procedure=ct, status="withdrawn"),
    ]
    made[1].external_code = "000.00.20.H39-240315-0001"  # came from the province
    db.session.commit()
    return made


def _import(app, content: bytes, office, officer):
    with app.test_request_context("/"):
        return importer.apply(content, office, officer, filename="ho-so.csv")


def _bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_export_has_the_import_columns_first(app, desk, history):
    rows = _export(app, desk["office"])
    with app.test_request_context("/"):
        words = importer.header_words()
    keys = [words.get(importer._key(h)) for h in rows[0]]
    assert keys[: len(importer.KNOWN)] == list(importer.KNOWN)
    assert not any(keys[len(importer.KNOWN) :])  # the read-only extras are ignored
    # Every header, in every language, names one column only.
    with app.test_request_context("/"):
        for lang in ("vi", "en"):
            with force_locale(lang):
                folded = [importer._key(str(c.label)) for c in COLUMNS]
            assert len(set(folded)) == len(COLUMNS), lang
    by_code = {r[0]: r for r in rows[1:]}
    assert "000.00.20.H39-240315-0001" in by_code  # the province's code, when there is one
    assert history[0].code in by_code


def test_export_reimported_into_the_same_commune_doubles_nothing(app, desk, history):
    before = _export(app, desk["office"])
    content = _bytes(before)
    with app.test_request_context("/"):
        result = importer.check(content, desk["office"])
    assert not result.errors, result.errors
    assert result.rows == [] and len(result.skipped) == len(history)
    assert count(Dossier) == len(history)
    assert _export(app, desk["office"]) == before


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_export_import_export_round_trip(app, desk, history, make_office, make_procedure,
                                         make_officer, lang):
    first = _export(app, desk["office"], lang)
    other = make_office("XB", name="UBND xã Bình Hòa", name_en="Binh Hoa Commune")
    for proc in (desk["ks"], desk["ct"]):  # the same procedures, as every commune has them
        make_procedure(office=other, keyword=proc.sms_keyword, name=proc.content("vi").name,
                       name_en=proc.content("en").name, national_code=proc.national_code,
                       processing_days=proc.processing_days)
    officer = make_officer("can_bo_xb", role="officer", office=other)
    texts = count(Message)
    result = _import(app, _bytes(first), other, officer)
    assert len(result.rows) == len(history) and not result.skipped
    second = _export(app, other, lang)
    assert second[0] == first[0]
    assert _comparable(second) == _comparable(first)
    # Recreated, each under the new commune's own code, found by the old one.
    mine = list(db.session.scalars(sa.select(Dossier).where(Dossier.office_id == other.id)))
    assert {d.external_code for d in mine} == {r[0] for r in first[1:]}
    assert all(d.code.startswith("XB-") for d in mine)
    assert {d.status for d in mine} == {d.status for d in history}
    # No SMS for history; importing the new commune's export there again doubles nothing.
    assert count(Message) == texts
    with app.test_request_context("/"):
        again = importer.check(_bytes(second), other)
    assert not again.errors and again.rows == [] and len(again.skipped) == len(history)


def test_export_route_file_imports_as_uploaded(client, app, desk, history, login):
    """The bytes the officer downloads (BOM, CRLF, quoted cells) pass the import's check."""
    login(desk["officer"])
    raw = client.get("/officer/dossiers.csv").get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    r = _upload(client, raw)
    html = r.get_data(as_text=True)
    assert f"Sẽ nhập 0 hồ sơ, bỏ qua {len(history)} hồ sơ đã có." in html
    with app.test_request_context("/"):
        result = importer.check(raw, desk["office"])
    assert not result.errors and len(result.skipped) == len(history)
