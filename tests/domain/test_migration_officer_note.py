"""Migration 3f6a1d2b9e47: ``procedure_content.confirm_note`` becomes ``officer_note``, and the same
key inside saved guide versions, so an officer's note written before the rename stays an officer's
note (never shown to citizens) and a restore brings it back into the right field. Runs on a fresh
SQLite file always, and on a throwaway PostgreSQL database when the suite runs on PostgreSQL."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.support.databases import pg_url, scratch_postgresql

BEFORE = "c7db2b4cd92f"
THIS = "3f6a1d2b9e47"


def _columns(conn) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns("procedure_content")}


def _version_data(conn) -> dict:
    data = conn.execute(sa.text("SELECT data FROM procedure_version")).scalar()
    return data if isinstance(data, dict) else json.loads(data)


def _check(url: str) -> None:
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO office (id, code, name, name_en, address, phone, sms_number, timezone,"
                " portal_url, am_start, am_end, pm_start, pm_end, open_saturday, sms_channel)"
                " VALUES (1, 'VB', 'Xã', 'Commune', '', '', '', 'Asia/Ho_Chi_Minh', '',"
                " '07:00:00', '11:30:00', '13:30:00', '17:00:00', false, 'console')"
            ))
            conn.execute(sa.text(
                "INSERT INTO procedure (id, office_id, slug, field, sms_keyword, online_mode,"
                " portal_url, to_confirm, position, active, updated_at) VALUES (1, 1, 'ks',"
                " 'ho_tich', 'KS', 'full', '', '[\"fee\"]', 0, true, '2026-12-01 00:00:00')"
            ))
            conn.execute(sa.text(
                "INSERT INTO procedure_content (id, procedure_id, lang, name, summary, documents,"
                " steps, fee, time, \"where\", legal_basis, sms_summary, confirm_note, search_text,"
                " updated_at) VALUES (1, 1, 'vi', 'Khai sinh', '', '[]', '[]', '', '', '', '', '',"
                " 'Kiểm tra phí', '', '2026-12-01 00:00:00')"
            ))
            conn.execute(sa.text(
                "INSERT INTO procedure_version (id, procedure_id, lang, data, sms_keyword,"
                " created_at) VALUES (1, 1, 'vi', :data, 'KS', '2026-12-01 00:00:00')"
            ), {"data": json.dumps({"name": "Khai sinh", "confirm_note": "Ghi chú cũ"})})
        upgrade(revision=THIS)
        with db.engine.connect() as conn:
            assert "officer_note" in _columns(conn) and "confirm_note" not in _columns(conn)
            note = conn.execute(sa.text("SELECT officer_note FROM procedure_content")).scalar()
            assert note == "Kiểm tra phí"
            assert _version_data(conn) == {"name": "Khai sinh", "officer_note": "Ghi chú cũ"}
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert "confirm_note" in _columns(conn) and "officer_note" not in _columns(conn)
            assert _version_data(conn) == {"name": "Khai sinh", "confirm_note": "Ghi chú cũ"}
        db.engine.dispose()


def test_rename_keeps_notes_and_versions_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")


@pytest.mark.skipif(pg_url() is None, reason="runs when DATABASE_URL points at PostgreSQL")
def test_rename_keeps_notes_and_versions_on_postgresql():
    with scratch_postgresql() as url:
        _check(url)
