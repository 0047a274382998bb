"""Decision 766 on the scorecard (issue 14, item 9): the satisfaction indicator is 6 of the
group's 18 points; a late dossier with a low rating is subtracted once; "fully online" needs the
result returned online or by post (``Dossier.result_return``, set on the officer's form); the
public period ends today; the decision's date; and where the plain figure and the 766 figure
differ, each says what it counts and the page says why they differ."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app import metrics
from app.citizen.scorecard import differences
from app.dossiers import DossierError, change_status
from app.models import Dossier, Feedback
from tests.support.desk import post

NOW = datetime(2026, 12, 3, 10, 0)  # Thursday, office wall clock
TODAY = NOW.date()


@pytest.fixture
def world(db, clock, make_office, make_procedure, make_officer):
    clock.local(NOW)
    office = make_office()
    full = make_procedure(office=office, online_mode="full", slug="toan-trinh", keyword="TR")
    part = make_procedure(office=office, online_mode="partial", slug="mot-phan", keyword="MP")
    officer = make_officer(office=office, procedures=[full, part])
    return {"office": office, "full": full, "part": part, "officer": officer}


def _index(office):
    return metrics.figures(office, metrics.month_period(TODAY)).index


def _db_dossier(db, code: str) -> Dossier:
    db.session.expire_all()
    return db.session.scalars(sa.select(Dossier).where(Dossier.code == code)).one()


def test_satisfaction_is_the_6_point_indicator_of_the_18_point_group():
    assert metrics.POINTS_766["satisfaction"] == 6
    assert metrics.SATISFACTION_GROUP_POINTS == 18
    assert metrics.DECISION_766_DATE == date(2022, 6, 23)
    assert sum(metrics.POINTS_766.values()) == 38  # the three indicators the commune measures


def test_a_late_dossier_with_a_low_rating_is_subtracted_once(db, world, make_dossier):
    late = make_dossier(procedure=world["full"], status="ready", officer=world["officer"])
    late.due_on = date(2026, 12, 2)  # answered today, due yesterday
    make_dossier(procedure=world["full"], status="ready", officer=world["officer"])
    db.session.add(Feedback(office_id=world["office"].id, rating=1, dossier_id=late.id,
                            procedure_id=late.procedure_id, source="web", proven=True))
    db.session.commit()
    idx = _index(world["office"])
    assert (idx.late, idx.complaints, idx.late_or_complaint) == (1, 1, 1)
    # 100 % − 1/2 (not − 2/2): the good dossier keeps the ratio at 50 %.
    assert (idx.satisfaction.numerator, idx.satisfaction.denominator) == (1, 2)
    assert idx.satisfaction.points == pytest.approx(3.33)  # 6 × 0.5 / 0.9
    assert idx.satisfaction.max_points == 6


def test_a_late_dossier_and_another_low_rated_one_are_two(db, world, make_dossier):
    late = make_dossier(procedure=world["full"], status="ready", officer=world["officer"])
    late.due_on = date(2026, 12, 2)
    rated = make_dossier(procedure=world["full"], status="ready", officer=world["officer"])
    db.session.add(Feedback(office_id=world["office"].id, rating=2, dossier_id=rated.id,
                            procedure_id=rated.procedure_id, source="sms", proven=True))
    db.session.commit()
    idx = _index(world["office"])
    assert idx.late_or_complaint == 2 and idx.satisfaction.numerator == 0


def test_fully_online_needs_the_result_returned_online_or_by_post(db, world, make_dossier):
    def returned(procedure, channel: str, how: str | None) -> Dossier:
        d = make_dossier(procedure=procedure, status="ready", channel=channel,
                         officer=world["officer"])
        change_status(d, "returned", world["officer"], result_return=how)
        return d

    for how in ("desk", "post", "online", None):
        returned(world["full"], "online", how)
    returned(world["full"], "counter", "post")  # filed at the desk: not online at all
    returned(world["part"], "online", "online")  # not a fully-online procedure: not eligible
    make_dossier(procedure=world["full"], channel="online")  # still open: no result yet
    idx = _index(world["office"])
    assert (idx.online.numerator, idx.online.denominator) == (2, 6)
    assert {d.result_return for d in db.session.scalars(sa.select(Dossier))} == {
        "desk", "post", "online", None}


def test_the_domain_refuses_a_result_return_that_does_not_fit(db, world, make_dossier):
    ready = make_dossier(procedure=world["full"], status="ready", officer=world["officer"])
    with pytest.raises(DossierError) as caught:
        change_status(ready, "returned", world["officer"], result_return="pigeon")
    assert caught.value.code == "bad_result_return"
    db.session.rollback()
    opened = make_dossier(procedure=world["full"], status="processing", officer=world["officer"])
    with pytest.raises(DossierError):
        change_status(opened, "ready", world["officer"], result_return="post")
    db.session.rollback()
    assert _db_dossier(db, opened.code).status == "processing"


def test_the_officer_must_say_how_the_result_went_back(
    client, db, world, make_dossier, login
):
    d = make_dossier(procedure=world["full"], status="ready", officer=world["officer"])
    login(world["officer"])
    page = client.get(f"/officer/dossiers/{d.code}").get_data(as_text=True)
    assert 'name="result_return"' in page and "Gửi qua bưu chính" in page
    url = f"/officer/dossiers/{d.code}/status"

    r = post(client, url, {"status": "returned", "note": "", "internal_note": "đã giao"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Chọn cách trả kết quả" in html and "đã giao" in html  # typed text kept
    assert _db_dossier(db, d.code).status == "ready"

    r = post(client, url, {"status": "returned", "result_return": "pigeon"})
    assert r.status_code == 400 and _db_dossier(db, d.code).status == "ready"

    r = post(client, url, {"status": "returned", "result_return": "post"})
    assert r.status_code == 302
    stored = _db_dossier(db, d.code)
    assert (stored.status, stored.result_return) == ("returned", "post")
    page = client.get(f"/officer/dossiers/{d.code}").get_data(as_text=True)
    assert "Cách trả kết quả" in page and "Gửi qua bưu chính" in page

    csv = client.get("/officer/dossiers.csv").get_data(as_text=True)
    header, *rows = csv.lstrip("\ufeff").splitlines()
    assert header.endswith("Cách trả kết quả")
    assert any(row.startswith(d.code) and row.endswith("Gửi qua bưu chính") for row in rows)


def test_moving_to_another_status_needs_no_result_return(client, db, world, make_dossier,
                                                        login):
    d = make_dossier(procedure=world["full"], status="processing", officer=world["officer"])
    login(world["officer"])
    r = post(client, f"/officer/dossiers/{d.code}/status",
             {"status": "ready", "result_return": "post"})
    assert r.status_code == 302
    stored = _db_dossier(db, d.code)
    assert (stored.status, stored.result_return) == ("ready", None)


# ------------------------------------------------------------------ the public page


def test_the_public_period_ends_today(db, world):
    data = metrics.public_index(world["office"])
    assert data["period"] == {"from": "2026-01-01", "to": "2026-12-03"}
    assert data["as_of"] == "2026-12-03"


def test_the_page_labels_both_figures_and_says_why_they_differ(client, db, world,
                                                               make_dossier):
    make_dossier(procedure=world["full"], status="ready", officer=world["officer"])
    overdue = make_dossier(procedure=world["full"], officer=world["officer"])
    overdue.due_on = date(2026, 12, 1)
    db.session.commit()
    html = client.get("/vb/index").get_data(as_text=True)
    assert "đến 03/12/2026" in html and "31/12/2026" not in html
    assert "Quyết định 766/QĐ-TTg ngày 23/06/2022" in html
    # Plain: 1 of 1 finished on time = 100 %; 766: 1 of 2 received (one overdue) = 50 %.
    assert ("Đúng hẹn 100% chỉ tính hồ sơ đã xong; 50% theo Quyết định 766 tính mọi hồ sơ "
            "nhận trong kỳ, kể cả hồ sơ đang giải quyết.") in html
    assert "Xong đúng hẹn: hồ sơ có kết quả đúng hoặc trước ngày hẹn trả" in html  # plain label
    assert "cộng hồ sơ đang giải quyết chưa quá hạn" in html  # the 766 label
    assert "/ 6</td>" in html and "Nhóm hài lòng có 18 điểm" in html


def test_english_page_too(client, db, world, make_dossier):
    make_dossier(procedure=world["full"], status="ready", officer=world["officer"])
    overdue = make_dossier(procedure=world["full"], officer=world["officer"])
    overdue.due_on = date(2026, 12, 1)
    db.session.commit()
    html = client.get("/vb/index?lang=en").get_data(as_text=True)
    assert "Decision 766/QĐ-TTg of 23/06/2022" in html
    assert "On time 100% counts only finished applications; 50% under Decision 766" in html


def _data(on_time=(80.0, 80.0), online=(20.0, 20.0), satisfied=(70.0, 70.0)) -> dict:
    return {
        "on_time_rate": on_time[0],
        "online_share": online[0],
        "satisfaction": {"good_share": satisfied[0]},
        "index_766": {"indicators": [
            {"key": "on_time", "ratio": on_time[1]},
            {"key": "online", "ratio": online[1]},
            {"key": "satisfaction", "ratio": satisfied[1]},
        ]},
    }


def test_a_why_line_only_where_the_figures_differ(app):
    with app.test_request_context("/vb/index"):
        assert differences(_data()) == []
        lines = differences(_data(online=(22.7, 41.2), satisfied=(66.7, None)))
        assert len(lines) == 1 and "22,7%" in lines[0] and "41,2%" in lines[0]
