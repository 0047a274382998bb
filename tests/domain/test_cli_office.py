"""``flask --app wsgi office create|list`` (issue 13): a province's communes set up by script."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.models import AuditLog, Office, Officer, ProcedureLocal


def _office(db, code):
    db.session.expire_all()
    return db.session.scalars(sa.select(Office).where(Office.code == code)).first()


def test_create_an_office_with_its_first_admin(runner, db):
    result = runner.invoke(args=[
        "office", "create", "tb", "Xã Tân Bình", "--admin", "qt.tanbinh",
        "--admin-name", "Lê Văn Quản", "--former-name", "Xã Tân Bình cũ",
        "--former-name", "Xã Bình Hòa", "--phone", "0272 3891 234", "--saturday"])
    assert result.exit_code == 0, result.output
    office = _office(db, "TB")
    assert office.name == "Xã Tân Bình" and office.phone == "+842723891234"
    assert office.former_name_list == ["Xã Tân Bình cũ", "Xã Bình Hòa"]
    assert office.open_saturday is True
    assert "created TB Xã Tân Bình (/tb/)" in result.output
    password = re.search(r"first sign-in\): (\S+)", result.output).group(1)
    admin = db.session.scalars(sa.select(Officer).where(Officer.username == "qt.tanbinh")).one()
    assert admin.office_id == office.id and admin.role == "admin" and admin.name == "Lê Văn Quản"
    assert admin.must_change_password and admin.check_password(password)
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"office.create", "officer.create"} <= actions


def test_a_new_office_offers_the_province_catalogue(runner, db, make_procedure):
    kept = make_procedure(slug="khai-sinh")  # offered in VB
    make_procedure(slug="cu", active=False)  # retired by the province: not offered
    result = runner.invoke(args=["office", "create", "TB", "Xã Tân Bình", "--admin", "qt.tb"])
    assert result.exit_code == 0, result.output
    assert "offers 1 procedures of the province catalogue" in result.output
    office = _office(db, "TB")
    locals_ = list(db.session.scalars(
        sa.select(ProcedureLocal).where(ProcedureLocal.office_id == office.id)))
    assert [(loc.procedure_id, loc.offered) for loc in locals_] == [(kept.id, True)]
    entry = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "office.create")).one()
    assert entry.after["procedures_offered"] == 1


def test_create_without_an_admin(runner, db):
    result = runner.invoke(args=["office", "create", "LT", "Xã Long Thạnh"])
    assert result.exit_code == 0, result.output
    assert "password" not in result.output
    assert _office(db, "LT") is not None
    assert db.session.scalar(sa.select(sa.func.count(Officer.id))) == 0


def test_create_refuses_a_bad_or_taken_code_and_a_taken_username(runner, db, make_office,
                                                                 make_officer):
    make_office()
    make_officer(username="canbo")
    for args, says in (
        (["office", "create", "V", "Xã V"], "code: The commune code is 2 to 5 letters"),
        (["office", "create", "VB", "Xã khác"], "code: Another commune already uses the code VB"),
        (["office", "create", "TB", "Xã Tân Bình", "--admin", "canbo"],
         "admin_username: This username is already taken"),
        (["office", "create", "TB", "Xã Tân Bình", "--map-url", "ftp://x"], "map_url:"),
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and says in result.output, result.output
    assert _office(db, "TB") is None


def test_list_offices(runner, db, make_office, make_officer, make_dossier):
    vb = make_office()
    make_officer(office=vb)
    make_officer(office=vb, active=False)
    make_dossier()
    make_office("TB", name="Xã Tân Bình", sms_number="+84909000200")
    result = runner.invoke(args=["office", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split("\t") == ["code", "name", "officers", "dossiers"]
    assert lines[1].split("\t") == ["TB", "Xã Tân Bình", "0", "0"]
    assert lines[2].split("\t") == ["VB", "UBND xã Vĩnh Bửu", "1", "1"]


def test_list_with_no_office(runner, db):
    assert runner.invoke(args=["office", "list"]).output.strip() == "no communes"
