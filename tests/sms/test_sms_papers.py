"""The desk's papers by SMS (issue 15): request for more papers, refusal, apology, and the TT
reply of a late dossier — each ONE GSM-7 segment in both languages, whatever the length of the
papers, the reason or the officer's name; the TT reply never gives a past date with nothing to
do."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app import papers
from app.models import Message
from app.sms.gsm import count_segments, is_gsm7
from app.sms.inbound import status_reply
from app.sms.wording import wording_problems

LONG = ("Hồ sơ còn thiếu: (1) tờ khai có chữ ký của người đi đăng ký; (2) bản chính giấy chứng "
        "sinh — không nhận bản photo; (3) giấy xác nhận tình trạng hôn nhân “mới nhất”…")
NAMES = ["Lê Văn Cường", "Nguyễn Thị Phương Thảo Hoàng Bảo Ngọc Trâm Anh Quỳnh"]


@pytest.fixture
def desk(db, clock, make_office, make_procedure, make_officer):
    clock.local(datetime(2026, 12, 3, 9, 0))
    office = make_office()
    proc = make_procedure(office=office, name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
                          name_en="Certified copy from an original paper or document")
    return office, proc, make_officer


def _last_sms(db, dossier) -> str:
    return db.session.scalars(sa.select(Message.body).where(
        Message.dossier_id == dossier.id, Message.direction == "out").order_by(
        Message.id.desc())).first()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("text", ["Giấy chứng sinh", LONG, "x" * 500], ids=["short", "long", "xs"])
@pytest.mark.parametrize("name", NAMES, ids=["short", "long"])
def test_every_paper_text_is_one_segment(db, desk, make_dossier, lang, text, name):
    office, proc, make_officer = desk
    officer = make_officer(name=name, public_phone="+84909000102", procedures=[proc],
                           office=office)
    today = date(2026, 12, 3)
    sup, ref, apo = (make_dossier(procedure=proc, officer=officer, lang=lang) for _ in range(3))
    papers.request_supplement(sup, officer, papers=text, reason=text,
                              bring_by=date(2026, 12, 10), today=today)
    papers.refuse(ref, officer, reason=text)
    papers.apologise(apo, officer, reason=text, new_date=date(2026, 12, 17), today=today)
    for dossier, must in ((sup, "10/12/2026"), (ref, "0909 000 102"), (apo, "17/12/2026")):
        body = _last_sms(db, dossier)
        info = count_segments(body)
        assert info.encoding == "GSM-7" and is_gsm7(body) and info.segments == 1, body
        assert must in body and dossier.code in body, body
        assert not wording_problems(body), body
        reply = status_reply(office, dossier, dossier.code, dossier.phone, lang)
        assert count_segments(reply).segments == 1 and not wording_problems(reply), reply
    assert "10/12/2026" in status_reply(office, sup, sup.code, sup.phone, lang)
    assert "17/12/2026" in status_reply(office, apo, apo.code, apo.phone, lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("phone", ["+84912345678", "+84987654321"], ids=["owner", "other"])
def test_late_dossier_reply_says_late_not_nothing_to_do(db, desk, make_dossier, lang, phone):
    office, proc, make_officer = desk
    officer = make_officer(name=NAMES[1], public_phone="+84909000102", procedures=[proc],
                           office=office)
    late = make_dossier(procedure=proc, officer=officer, lang=lang,
                        received_at=datetime(2026, 11, 2, 2, 0))
    reply = status_reply(office, late, late.code, phone, lang)
    assert count_segments(reply).segments == 1, reply
    assert ("cham" in reply) if lang == "vi" else ("late" in reply.lower()), reply
    assert "Chua can lam gi" not in reply and "Nothing to do" not in reply
