"""Migration b7c4a1e0d913 (one province catalogue): each office's procedures become province
procedures; the same slug in two offices is merged into the first (its words kept), with the
other's dossiers, feedback and officers re-pointed; a keyword two procedures shared is made
unique; every office that had a procedure gets a local part. SQLite always, PostgreSQL when the
suite runs on it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.support.databases import pg_url, scratch_postgresql

BEFORE = "a13f0c0de001"
THIS = "b7c4a1e0d913"
STAMP = "2026-12-01 00:00:00"


def _office(conn, oid: int, code: str) -> None:
    conn.execute(sa.text(
        "INSERT INTO office (id, code, name, name_en, address, phone, sms_number, timezone,"
        " portal_url, am_start, am_end, pm_start, pm_end, open_saturday, sms_channel)"
        f" VALUES ({oid}, '{code}', 'Xã', 'Commune', '', '', '', 'Asia/Ho_Chi_Minh', '',"
        " '07:00:00', '11:30:00', '13:30:00', '17:00:00', false, 'console')"
    ))


def _procedure(conn, pid: int, office_id: int, slug: str, keyword: str, name: str) -> None:
    conn.execute(sa.text(
        "INSERT INTO procedure (id, office_id, slug, field, sms_keyword, online_mode,"
        " portal_url, to_confirm, position, active, updated_at) VALUES"
        " (:id, :office, :slug, 'ho_tich', :kw, 'full', '', '[]', 0, true, :at)"
    ), {"id": pid, "office": office_id, "slug": slug, "kw": keyword, "at": STAMP})
    conn.execute(sa.text(
        "INSERT INTO procedure_content (procedure_id, lang, name, summary, documents, steps,"
        " fee, time, \"where\", legal_basis, sms_summary, officer_note, search_text, updated_at)"
        " VALUES (:id, 'vi', :name, '', '[]', '[]', '', '', '', '', '', '', '', :at)"
    ), {"id": pid, "name": name, "at": STAMP})


def _check(url: str) -> None:
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _office(conn, 1, "VB")
            _office(conn, 2, "XX")
            _procedure(conn, 1, 1, "khai-sinh", "KS", "Khai sinh VB")
            _procedure(conn, 2, 2, "khai-sinh", "KS", "Khai sinh XX")
            _procedure(conn, 3, 1, "chung-thuc", "CT", "Chứng thực")
            _procedure(conn, 4, 2, "cap-ban-sao", "CT", "Cấp bản sao")
            conn.execute(sa.text(
                "INSERT INTO officer (id, office_id, username, name, title, title_en,"
                " public_phone, role, password_hash, active, session_generation,"
                " must_change_password, created_at) VALUES (1, 2, 'xx', 'Cán bộ', '', '', '',"
                " 'officer', '', true, 0, false, :at)"
            ), {"at": STAMP})
            conn.execute(sa.text(
                "INSERT INTO procedure_officer (procedure_id, officer_id) VALUES (2, 1)"))
            conn.execute(sa.text(
                "INSERT INTO feedback (office_id, procedure_id, comment, source, phone,"
                " created_at, handled_note) VALUES (2, 2, 'Tốt', 'web', '', :at, '')"
            ), {"at": STAMP})
        upgrade(revision=THIS)
        with db.engine.connect() as conn:
            procs = conn.execute(sa.text(
                "SELECT id, slug, sms_keyword FROM procedure ORDER BY id")).all()
            assert [tuple(p) for p in procs] == [
                (1, "khai-sinh", "KS"), (3, "chung-thuc", "CT"), (4, "cap-ban-sao", "CT2")]
            names = conn.execute(sa.text(
                "SELECT name FROM procedure_content WHERE procedure_id = 1")).scalars().all()
            assert names == ["Khai sinh VB"]  # the first office's words are kept
            assert conn.execute(sa.text(
                "SELECT count(*) FROM procedure_content WHERE procedure_id = 2")).scalar() == 0
            locals_ = conn.execute(sa.text(
                "SELECT office_id, procedure_id, offered FROM procedure_local"
                " ORDER BY office_id, procedure_id")).all()
            assert [(o, p, bool(f)) for o, p, f in locals_] == [
                (1, 1, True), (1, 3, True), (2, 1, True), (2, 4, True)]
            assert conn.execute(sa.text(
                "SELECT procedure_id FROM procedure_officer")).scalars().all() == [1]
            assert conn.execute(sa.text("SELECT procedure_id FROM feedback")).scalar() == 1
        db.engine.dispose()


def test_procedures_become_one_catalogue_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")


@pytest.mark.skipif(pg_url() is None, reason="runs when DATABASE_URL points at PostgreSQL")
def test_procedures_become_one_catalogue_on_postgresql():
    with scratch_postgresql() as url:
        _check(url)
