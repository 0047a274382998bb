"""``flask --app wsgi officer create|set-password|deactivate``."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import Officer


def _officer(db, username):
    db.session.expire_all()
    return db.session.scalars(sa.select(Officer).where(Officer.username == username)).first()


def test_create_officer(runner, db, make_office):
    office = make_office()
    result = runner.invoke(
        args=[
            "officer",
            "create",
            "thu",
            "--name",
            "Lê Thị Thu",
            "--role",
            "admin",
            "--title",
            "Công chức Văn phòng",
            "--phone",
            "0912 345 678",
            "--password",
            "s3cret-pass",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created thu (admin)" in result.output
    officer = _officer(db, "thu")
    assert officer.office_id == office.id
    assert officer.role == "admin" and officer.name == "Lê Thị Thu"
    assert officer.public_phone == "+84912345678"
    assert officer.password_hash.startswith("scrypt:") and officer.check_password("s3cret-pass")


def test_create_defaults_to_officer_role(runner, db, make_office):
    make_office()
    result = runner.invoke(args=["officer", "create", "an", "--name", "An", "--password", "pw"])
    assert result.exit_code == 0, result.output
    assert _officer(db, "an").role == "officer"


def test_create_refuses_duplicates_bad_phone_bad_role_and_missing_office(
    runner, db, make_office, make_officer
):
    make_officer(username="lan")
    dup = runner.invoke(args=["officer", "create", "lan", "--name", "X", "--password", "pw"])
    assert dup.exit_code != 0 and "exists" in dup.output
    bad_phone = runner.invoke(
        args=["officer", "create", "b", "--name", "B", "--phone", "12", "--password", "pw"]
    )
    assert bad_phone.exit_code != 0 and "invalid phone" in bad_phone.output
    assert _officer(db, "b") is None
    bad_role = runner.invoke(
        args=["officer", "create", "c", "--name", "C", "--role", "root", "--password", "pw"]
    )
    assert bad_role.exit_code != 0 and _officer(db, "c") is None
    no_office = runner.invoke(
        args=["officer", "create", "d", "--name", "D", "--office", "ZZ", "--password", "pw"]
    )
    assert no_office.exit_code != 0 and "no office" in no_office.output


def test_province_staff_belong_to_no_commune(runner, db, make_office):
    make_office()
    made = runner.invoke(args=["officer", "create", "tinh2", "--name", "Tỉnh", "--role",
                               "province_admin", "--password", "pw"])
    assert made.exit_code == 0, made.output
    assert _officer(db, "tinh2").office_id is None
    refused = runner.invoke(args=["officer", "create", "tinh3", "--name", "Tỉnh", "--role",
                                  "province_leader", "--office", "VB", "--password", "pw"])
    assert refused.exit_code != 0 and "no commune" in refused.output
    assert _officer(db, "tinh3") is None


def test_create_prompts_for_password_twice(runner, db, make_office):
    make_office()
    result = runner.invoke(args=["officer", "create", "e", "--name", "E"], input="pw1\npw1\n")
    assert result.exit_code == 0, result.output
    assert _officer(db, "e").check_password("pw1")


def test_set_password(runner, db, make_officer):
    make_officer(username="lan")
    result = runner.invoke(args=["officer", "set-password", "lan", "--password", "new-pass-1"])
    assert result.exit_code == 0, result.output
    officer = _officer(db, "lan")
    assert officer.check_password("new-pass-1")
    missing = runner.invoke(args=["officer", "set-password", "nobody", "--password", "x"])
    assert missing.exit_code != 0 and "no officer" in missing.output


def test_deactivate_blocks_sign_in(runner, db, client, make_officer, login):
    officer = make_officer(username="lan")
    result = runner.invoke(args=["officer", "deactivate", "lan"])
    assert result.exit_code == 0, result.output
    assert _officer(db, "lan").active is False
    assert login(officer).status_code == 400
    missing = runner.invoke(args=["officer", "deactivate", "nobody"])
    assert missing.exit_code != 0
