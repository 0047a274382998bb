"""``flask --app wsgi demo load``: the demo province (Xã Vĩnh Bửu and two neighbours, a province
admin and leader), loaded twice without change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import metrics
from app.codes import CODE_RE
from app.deadlines import to_local
from app.lookup import find_dossier
from app.models import (
    STATUSES,
    Dossier,
    DossierEvent,
    DutyShift,
    Feedback,
    Office,
    Officer,
    Procedure,
    ProcedureContent,
    offered_in,
    utcnow,
)
from tests.support.helpers import csrf_token

REQUIRED = {
    "dang-ky-khai-sinh",  # birth registration
    "dang-ky-khai-tu",  # death registration
    "dang-ky-ket-hon",  # marriage registration
    "xac-nhan-tinh-trang-hon-nhan",  # marital status confirmation
    "cap-ban-sao-trich-luc-ho-tich",  # copies of civil status extracts
    "chung-thuc-ban-sao-tu-ban-chinh",  # certified copy from an original
    "chung-thuc-chu-ky",  # signature certification
    "chung-thuc-ban-sao-dien-tu-tu-ban-chinh",  # electronic certified copy
    "dang-ky-thanh-lap-ho-kinh-doanh",  # household business registration
}
VNEID = "tao-tai-khoan-vneid-nop-ho-so-truc-tuyen"
MODELS = (Office, Procedure, ProcedureContent, Officer, DutyShift, Dossier, DossierEvent, Feedback)


def counts(db) -> dict[str, int]:
    db.session.expire_all()
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in MODELS}


@pytest.fixture
def loaded(runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result


CODES = ["VB", "VT", "HA"]


def offices(db) -> list[Office]:
    return list(db.session.scalars(sa.select(Office).order_by(Office.id)))


def test_demo_load_is_idempotent(runner, db, loaded):
    first = counts(db)
    for code in CODES:
        assert f"office {code}: 11 procedures" in loaded.output
    assert loaded.output.count("49 new dossiers") == 3  # 48 of history + 1 online, waiting (issue 15)
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    assert again.output.count("0 new dossiers") == 3 and again.output.count("0 new feedback") == 3
    assert counts(db) == first


def test_demo_province_of_three_communes(db, loaded):
    communes = offices(db)
    assert [o.code for o in communes] == CODES
    assert "Vĩnh Bửu" in communes[0].name
    for office in communes:
        assert office.phone.startswith("+84") and office.sms_number.startswith("+84")
        assert office.timezone == "Asia/Ho_Chi_Minh"
        assert office.address and "Tây Ninh" in office.address
        assert office.former_name_list and all("Long An" in n for n in office.former_name_list)
    assert len({o.sms_number for o in communes}) == 3  # each its own number for texts
    assert any(o.open_saturday for o in communes)


def test_each_commune_has_its_own_procedures_staff_dossiers_and_feedback(db, loaded):
    for office in offices(db):
        procedures = db.session.scalars(sa.select(Procedure).where(offered_in(office.id))).all()
        assert REQUIRED <= {p.slug for p in procedures}
        # Every procedure has someone of this commune to call.
        for proc in procedures:
            assert proc.officers_in(office.id), (office.code, proc.slug)
        staff = db.session.scalars(sa.select(Officer).where(Officer.office_id == office.id)).all()
        assert {"admin", "officer", "leader"} <= {o.role for o in staff}
        shifts = db.session.scalars(
            sa.select(DutyShift).join(Officer).where(Officer.office_id == office.id)).all()
        assert {s.weekday for s in shifts} >= {0, 1, 2, 3, 4}, office.code
        dossiers = db.session.scalars(sa.select(Dossier).where(Dossier.office_id == office.id)).all()
        assert len(dossiers) == 49  # 48 of history + 1 online, waiting (issue 15)
        assert all(d.code.startswith(office.code + "-") for d in dossiers)
        assert all(d.procedure.local(office.id) is not None for d in dossiers)  # offered here
        assert all(d.officer is None or d.officer.office_id == office.id for d in dossiers)
        feedback = db.session.scalars(sa.select(Feedback).where(Feedback.office_id == office.id)).all()
        assert feedback and all(f.dossier is None or f.dossier.office_id == office.id for f in feedback)


def test_the_communes_differ(db, loaded):
    """The province table has something to compare: on-time rates and online shares differ."""
    today = to_local(utcnow(), offices(db)[0].tz).date()
    period = metrics.public_period(today)
    vb, vt, ha = metrics.commune_figures(offices(db), period)
    assert vt.on_time_rate < ha.on_time_rate  # Vĩnh Thạnh runs late more often
    assert vt.online_share < vb.online_share < ha.online_share
    assert vt.rating_mean < ha.rating_mean


@pytest.mark.parametrize(("username", "role"),
                         [("tinh", "province_admin"), ("tinhld", "province_leader")])
def test_demo_province_staff_belong_to_no_commune(db, loaded, username, role):
    officer = db.session.scalars(sa.select(Officer).where(Officer.username == username)).one()
    assert officer.role == role and officer.office_id is None and officer.is_province


def test_demo_load_prints_every_sign_in(loaded):
    for username in ("admin", "canbo", "lanhdao", "admin_vt", "canbo_vt", "lanhdao_vt",
                     "admin_ha", "canbo_ha", "lanhdao_ha", "tinh (province_admin)",
                     "tinhld (province_leader)"):
        assert username in loaded.output, username


def test_demo_procedures(db, loaded):
    procedures = db.session.scalars(sa.select(Procedure).where(offered_in(offices(db)[0].id))).all()
    slugs = {p.slug for p in procedures}
    assert len([p for p in procedures if not p.is_howto]) >= 10
    assert REQUIRED <= slugs
    assert VNEID in slugs
    for proc in procedures:
        langs = {c.lang for c in proc.contents}
        assert langs == {"vi", "en"}, proc.slug
        for content in proc.contents:
            assert content.name and content.summary and content.documents and content.steps
            assert content.search_text, proc.slug  # ?q= needs it
        assert proc.officers, f"{proc.slug}: nobody to call"
    vneid = next(p for p in procedures if p.slug == VNEID)
    assert vneid.is_howto and "VNeID" in vneid.content("vi").name
    steps = " ".join(vneid.content("vi").steps)
    assert "VNeID" in steps and "dichvucong" in (vneid.portal_url + steps).lower()
    # Same-day certifications stop at 15:00 (Decree 23/2015 Art. 7).
    for slug in ("chung-thuc-ban-sao-tu-ban-chinh", "chung-thuc-chu-ky"):
        proc = next(p for p in procedures if p.slug == slug)
        assert proc.processing_days == 0 and proc.same_day_cutoff == "15:00"
    # Figures the commune must confirm are marked.
    assert any(p.to_confirm for p in procedures)


def test_demo_officers_and_weekly_roster(db, loaded):
    vinh_buu = offices(db)[0]
    officers = db.session.scalars(sa.select(Officer).where(Officer.office_id == vinh_buu.id)).all()
    with_phone = [o for o in officers if o.active and re.fullmatch(r"\+84\d{9}", o.public_phone)]
    assert len(with_phone) >= 4
    assert {"admin", "canbo", "lanhdao"} <= {o.username for o in officers}
    shifts = db.session.scalars(
        sa.select(DutyShift).join(Officer).where(Officer.office_id == vinh_buu.id)).all()
    assert {s.weekday for s in shifts} == {0, 1, 2, 3, 4}  # every weekday
    for weekday in range(5):
        day = sorted((s.start, s.end) for s in shifts if s.weekday == weekday)
        assert len(day) >= 2, f"weekday {weekday}: morning and afternoon"
        assert all(start < end for start, end in day)


def test_demo_load_prints_a_code_that_matches_a_demo_dossier(db, loaded):
    """The pages' codes are labelled examples; ``demo load`` names one that exists."""
    found = re.search(r"a demo dossier to look up: (\S+) \(phone ending (\d{4})\)", loaded.output)
    assert found, loaded.output
    # The code as printed on a slip, check letters included: it finds the dossier by itself.
    dossier = find_dossier(found[1])
    assert dossier is not None and dossier.public_code == found[1], found[1]
    assert dossier.status == "processing" and dossier.phone_last4 == found[2]


@pytest.mark.parametrize("code", CODES)
def test_demo_dossiers(db, loaded, code):
    office = db.session.scalars(sa.select(Office).where(Office.code == code)).one()
    dossiers = db.session.scalars(sa.select(Dossier).where(Dossier.office_id == office.id)).all()
    assert len(dossiers) >= 40
    assert {d.status for d in dossiers} == set(STATUSES)
    today = to_local(utcnow(), office.tz).date()
    overdue = [d for d in dossiers if d.is_overdue(today)]
    assert overdue, "at least one dossier should be overdue"
    now = utcnow()
    for d in dossiers:
        assert CODE_RE.fullmatch(d.code), d.code
        assert d.code[3:9] == to_local(d.received_at, office.tz).strftime("%y%m%d"), d.code
        assert now - timedelta(days=370) <= d.received_at <= now, d.code
        assert d.events and d.events[0].status == "received"
        assert d.events[-1].status == d.status, d.code
        assert not d.procedure.is_howto
        if d.status == "needs_supplement":
            assert d.events[-1].note, "the citizen must be told what is missing"
    spread = {d.received_at.month for d in dossiers}
    assert len(spread) >= 10, "spread over the last 12 months"


def test_demo_feedback(db, loaded):
    items = db.session.scalars(sa.select(Feedback)).all()
    assert len(items) >= 5
    assert any(f.rating for f in items) and any(f.comment for f in items)
    assert any(f.dossier_id for f in items)
    assert all(f.rating is None or 1 <= f.rating <= 5 for f in items)


@pytest.mark.parametrize(("username", "role"),
                         [("admin", "admin"), ("canbo", "officer"), ("lanhdao", "leader"),
                          ("admin_vt", "admin"), ("canbo_ha", "officer")])
def test_demo_logins_work_with_demo_password(app, client, runner, db, monkeypatch, username, role):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", "mat-khau-thu-nghiem")
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    officer = db.session.scalars(sa.select(Officer).where(Officer.username == username)).one()
    assert officer.role == role
    assert officer.check_password("mat-khau-thu-nghiem")
    assert not officer.check_password("motcua-demo")

    token = csrf_token(client, "/officer/login")
    wrong = client.post("/officer/login", data={"username": username, "password": "sai",
                                                "csrf_token": token})
    assert wrong.status_code != 302
    token = csrf_token(client, "/officer/login")
    response = client.post("/officer/login", data={"username": username,
                                                   "password": "mat-khau-thu-nghiem",
                                                   "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/officer/").status_code == 200


def test_demo_default_password(app, db, loaded):
    assert app.config["DEMO_PASSWORD"]
    admin = db.session.scalars(sa.select(Officer).where(Officer.username == "admin")).one()
    assert admin.check_password(app.config["DEMO_PASSWORD"])
