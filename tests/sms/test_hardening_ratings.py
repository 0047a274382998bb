"""Issue 12, item 6: only ratings proven to come from the dossier's phone count in any index
(scorecard, API, dashboard, Decision 766), and the try-it page is a sandbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import metrics
from app.clock import utcnow
from app.models import Feedback, Message, PhonePreference, Subscription
from app.sms.inbound import handle_inbound
from tests.support.helpers import csrf_token

OWNER = "+84912345678"
TRY_URL = "/officer/try-sms"


@pytest.fixture
def dossier(make_dossier):
    return make_dossier(status="returned", phone=OWNER)


def _index(office) -> dict:
    return metrics.public_index(office)


def _complaints(office) -> int:
    index = _index(office)["index_766"]["indicators"]
    satisfaction = next(i for i in index if i["key"] == "satisfaction")
    return satisfaction["denominator"] - satisfaction["numerator"]


def _post_feedback(client, **data):
    data.setdefault("comment", "")
    return client.post("/vb/feedback", data={**data, "csrf_token": csrf_token(client, "/vb/feedback")})


def test_anonymous_web_ratings_are_kept_but_move_no_index(client, db, dossier):
    office = dossier.office
    before = _index(office)
    for digits in ("", "", "", "0000", "1234"):  # no digits, or wrong ones
        r = _post_feedback(client, rating="1", comment="Tệ", code=dossier.code, digits=digits)
        assert r.status_code == 302
    after = _index(office)
    assert after["satisfaction"] == before["satisfaction"]
    assert after["satisfaction"]["ratings"] == 0
    assert after["index_766"] == before["index_766"]
    assert _complaints(office) == 0
    # kept for the officers to read, counted nowhere
    items = db.session.scalars(sa.select(Feedback)).all()
    assert len(items) == 5 and all(not f.proven and f.rating == 1 for f in items)
    assert all(f.comment == "Tệ" and f.dossier_id == dossier.id for f in items)


def test_web_rating_with_the_right_digits_counts_once(client, db, dossier):
    office = dossier.office
    for rating in ("1", "2"):
        assert _post_feedback(client, rating=rating, code=dossier.code, digits="5678").status_code == 302
    index = _index(office)
    assert index["satisfaction"]["ratings"] == 1  # the latest rating of the dossier
    assert index["satisfaction"]["levels"]["not_satisfied"] == 1
    assert _complaints(office) == 1
    proven = db.session.scalars(sa.select(Feedback).where(Feedback.proven)).one()
    assert proven.rating == 2


def test_the_user_is_told_in_one_line_when_a_rating_will_not_count(client, dossier):
    line = "Điểm của bạn không được tính vào chỉ số hài lòng"
    r = _post_feedback(client, rating="1", code=dossier.code)
    assert line in client.get(r.headers["Location"]).get_data(as_text=True)
    # with code and digits the answer is the same whether they are right or not: no oracle
    for digits in ("5678", "0000"):
        r = _post_feedback(client, rating="5", code=dossier.code, digits=digits)
        html = client.get(r.headers["Location"]).get_data(as_text=True)
        assert line not in html and "Cảm ơn bạn đã góp ý" in html
    form = client.get("/vb/feedback").get_data(as_text=True)
    assert "4 số cuối điện thoại" in form


def test_bad_digits_are_a_clear_error_and_keep_what_was_typed(client, db, dossier):
    r = _post_feedback(client, rating="4", comment="Nhanh", code=dossier.code, digits="12")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Nhập đúng 4 số cuối điện thoại" in html and "Nhanh" in html
    assert db.session.scalars(sa.select(Feedback)).first() is None


def test_an_sms_rating_from_the_dossier_phone_counts(db, dossier):
    office = dossier.office
    handle_inbound(office, OWNER, f"DG {dossier.code} 1", "twilio", "SM1")
    handle_inbound(office, "+84987654321", f"DG {dossier.code} 1", "twilio", "SM2")  # stranger
    assert _index(office)["satisfaction"]["ratings"] == 1
    assert _complaints(office) == 1


def test_dashboard_counts_only_proven_ratings(client, db, login, make_officer, dossier):
    office = dossier.office
    db.session.add(Feedback(office_id=office.id, rating=5, dossier_id=dossier.id, source="web"))
    db.session.add(Feedback(office_id=office.id, rating=1, dossier_id=dossier.id, source="sms",
                            phone=OWNER, proven=True))
    db.session.commit()
    login(make_officer(office=office, role="leader"))
    rows = client.get("/officer/dashboard/satisfaction.csv").get_data(as_text=True).splitlines()
    counts = [row.split(",")[1] for row in rows[1:]]
    assert counts == ["0", "0", "1"]  # very satisfied, satisfied, not satisfied


# ------------------------------------------------------------------------------ try-it sandbox


def _try(client, phone, text):
    return client.post(TRY_URL, data={"phone": phone, "text": text,
                                      "csrf_token": csrf_token(client, TRY_URL)})


def _rows(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Message, Feedback, PhonePreference, Subscription)}


def test_try_page_cannot_forge_a_citizen_rating(client, db, login, make_officer, dossier):
    office = dossier.office
    login(make_officer(office=office))
    before = _rows(db)
    assert _try(client, "0912 345 678", f"DG {dossier.code} 5").status_code == 302
    html = client.get(TRY_URL).get_data(as_text=True)
    assert "Cam on" in html or "cam on" in html.lower()  # the reply a phone would get, on screen
    assert _try(client, "0912 345 678", f"DK {dossier.code}").status_code == 302
    assert _try(client, "0912 345 678", "GY cham qua").status_code == 302
    assert _rows(db) == before
    assert _index(office)["satisfaction"]["ratings"] == 0


def test_try_page_remembers_stop_in_the_browser_only(client, db, login, make_officer, dossier):
    login(make_officer(office=dossier.office))
    before = _rows(db)
    _try(client, "0912 345 678", "HUY")
    _try(client, "0912 345 678", "DS")
    html = client.get(TRY_URL).get_data(as_text=True)
    assert "Không trả lời" in html
    assert _rows(db) == before
    # the real phone was never opted out: a real text from it is answered
    result = handle_inbound(dossier.office, OWNER, "DS", "twilio", "SM-real")
    assert result.body is not None


def test_dashboard_texts_sent_leave_out_try_it_replies(db, dossier):
    office = dossier.office
    now = utcnow()
    base = dict(office_id=office.id, direction="out", status="sent", phone=OWNER, segments=1,
                kind="reply", body="x", created_at=now)
    sent_before = metrics.sms_figures(metrics.Scope(office.id), now - timedelta(hours=1),
                                      now + timedelta(hours=1)).sent
    # what the try-it page stored before it became a sandbox
    db.session.add(Message(channel="try", **base))
    db.session.add(Message(channel="twilio", **base))
    db.session.commit()
    sms = metrics.sms_figures(metrics.Scope(office.id), now - timedelta(hours=1),
                              now + timedelta(hours=1))
    assert sms.sent == sent_before + 1


def test_the_feedback_inbox_marks_ratings_that_do_not_count(client, db, login, make_officer,
                                                             dossier):
    office = dossier.office
    db.session.add(Feedback(office_id=office.id, rating=1, comment="vô danh", source="web"))
    db.session.add(Feedback(office_id=office.id, rating=4, comment="chủ hồ sơ", source="sms",
                            phone=OWNER, dossier_id=dossier.id, proven=True))
    db.session.commit()
    login(make_officer(office=office, role="leader"))
    html = client.get("/officer/feedback").get_data(as_text=True)
    tag = "không tính vào chỉ số"
    assert html.count(tag) == 1
    assert html.index("chủ hồ sơ") < html.index(tag) < html.index("vô danh")  # newest first
