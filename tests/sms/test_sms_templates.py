"""Every SMS reply template within its budget: a status reply is one GSM-7 segment whatever the
status, language, procedure name, note or officer; a guide is at most two segments for every
demo procedure in both languages; everything else at most two (most one)."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from app.budgets import SMS_GUIDE_SEGMENTS
from app.demo.procedures import PROCEDURES
from app.models import STATUSES
from app.sms.gsm import count_segments, is_gsm7
from app.sms.guide import guide_reply, keyword_reply
from app.sms.inbound import status_reply
from app.sms.replies import render_sms
from tests.support import sms_support

demo = sms_support.demo  # fixtures shared by the SMS tests
english = sms_support.english

OWNER = "+84912345678"
LANGS = ("vi", "en")
LONGEST_VI = max((p["content"]["vi"]["name"] for p in PROCEDURES), key=len)
LONGEST_EN = max((p["content"]["en"]["name"] for p in PROCEDURES), key=len)
NOTES = [
    "",
    "Thiếu giấy tờ",
    "Thiếu bản sao giấy chứng sinh. Mang bản chính đến xã.",
    # A long note, with every Vietnamese mark and typographic punctuation an office PC makes.
    "Hồ sơ còn thiếu: (1) tờ khai có chữ ký của người đi đăng ký; (2) bản chính giấy chứng "
    "sinh — không nhận bản photo; (3) giấy xác nhận tình trạng hôn nhân “mới nhất” của ông/bà "
    "nơi cư trú trước đây. Đề nghị ông/bà bổ sung trước ngày 30/11, liên hệ bộ phận một cửa…",
    "x" * 600,
    "Ghi chú có ký tự ngoài GSM: €€€ [[[ ]]] {{{ }}} ^^^ ~~~ \\\\ ||| 😀 中文",
]
OFFICER_NAMES = ["Lê Văn Cường", "Nguyễn Thị Phương Thảo Hoàng Bảo Ngọc Trâm Anh Quỳnh"]
# The longest office hours a text can carry: minutes in every time, and Saturday morning.
LONGEST_HOURS = {"am_start": time(7, 15), "am_end": time(11, 45), "pm_start": time(13, 15),
                 "pm_end": time(16, 45), "open_saturday": True}
HOURS_TEXT = "Mon-Fri 7h15-11h45, 13h15-16h45; Sat 7h15-11h45"  # English is the longer


@pytest.fixture
def dossiers(db, make_office, make_procedure, make_officer, make_dossier):
    """One dossier per status, under the longest procedure name of the demo data, at an office
    with the longest hours."""
    office = make_office(**LONGEST_HOURS)
    proc = make_procedure(office=office, name=LONGEST_VI, name_en=LONGEST_EN, keyword="CTD")
    officer = make_officer(name=OFFICER_NAMES[1], public_phone="+84909000102",
                           procedures=[proc])
    return {s: make_dossier(procedure=proc, status=s, officer=officer, phone=OWNER)
            for s in STATUSES}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("note", NOTES, ids=range(len(NOTES)))
@pytest.mark.parametrize("officer_name", OFFICER_NAMES, ids=["short", "long"])
@pytest.mark.parametrize("phone", [OWNER, "+84987654321"], ids=["owner", "other"])
def test_status_reply_is_always_one_segment(db, dossiers, english, lang, status, note,
                                            officer_name, phone):
    dossier = dossiers[status]
    dossier.officer.name = officer_name
    if dossier.events:
        dossier.events[-1].note = note
    body = status_reply(dossier.office, dossier, dossier.code, phone, lang)
    info = count_segments(body)
    assert info.encoding == "GSM-7" and is_gsm7(body)
    assert info.segments == 1, (info, body)
    assert dossier.code in body
    if phone != OWNER:
        assert "Thieu" not in body and "Thao" not in body and "Cuong" not in body
    if lang == "en":
        assert "Hen tra" not in body and "Hoi" not in body  # really English, not the source


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("note", [NOTES[0], NOTES[3]], ids=["no note", "long note"])
def test_status_notification_is_always_one_segment(db, dossiers, english, lang, status, note):
    from app.sms.replies import render_one_segment, status_reply_context

    dossier = dossiers[status]
    event = dossier.events[-1]
    event.note = note
    body = render_one_segment(
        "notify_status", lang, status_reply_context(dossier, full=True, event=event)
    )
    assert is_gsm7(body) and count_segments(body).segments == 1, body
    if status == "ready":  # the whole office hours, never cut
        assert ("Sat 7h15-11h45" if lang == "en" else "T7 7h15-11h45") in body, body


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", [None, "VB-261116-9999"])
def test_status_help_replies_are_one_segment(db, make_office, english, lang, code):
    body = status_reply(make_office(), None, code, OWNER, lang)
    assert count_segments(body).segments == 1


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("keyword", [p["sms_keyword"] for p in PROCEDURES])
@pytest.mark.parametrize("base", ["", "https://dichvucong-motcua.vinhbuu.dongthap.gov.vn/xa"])
def test_guide_fits_its_budget_for_every_demo_procedure(
    db, demo, app, english, monkeypatch, lang, keyword, base
):
    from app.sms.guide import find_procedure

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", base)
    procedure = find_procedure(demo, keyword)
    body = guide_reply(demo, procedure, lang)
    info = count_segments(body)
    assert info.encoding == "GSM-7" and info.segments <= SMS_GUIDE_SEGMENTS, (info, body)
    assert body.endswith("0272 380 0100")  # the link and the number survive any shortening
    assert f"/vb/procedures/{procedure.slug}" in body
    assert procedure.content(lang).name.split()[0][:3] in body or lang == "vi"


def test_a_huge_guide_is_shortened_not_split(db, demo, english):
    from app.sms.guide import find_procedure

    procedure = find_procedure(demo, "KS")
    content = procedure.content("vi")
    content.sms_summary = "Mang giấy tờ sau đây: " + "giấy chứng sinh bản chính, " * 40
    body = guide_reply(demo, procedure, "vi")
    assert count_segments(body).segments == SMS_GUIDE_SEGMENTS
    assert ".." in body and "/vb/procedures/dang-ky-khai-sinh" in body


OTHER_REPLIES = [
    ("list", {"keywords": "KS, KT, KH, HN, TL, NCM, CT, CK, CTD, HKD, VNEID", "example": "KS"}),
    ("contact", {"case": "now", "name": "Nguyễn Thị Phương Thảo", "phone": "0909 000 102",
                 "hours": HOURS_TEXT, "office_phone": "0272 380 0100"}),
    # Over one segment with the full name, inbound._contact calls the officer by the given name
    # (the full path: test_contact_with_a_very_long_name_stays_one_segment).
    ("contact", {"case": "next", "name": "Thảo", "phone": "0909 000 102",
                 "weekday": "T2", "day": "23/11", "start": "13:30", "hours": HOURS_TEXT,
                 "office_phone": "0272 380 0100"}),
    ("contact", {"case": "none", "hours": HOURS_TEXT,
                 "office_phone": "0272 380 0100"}),
    ("feedback", {"case": "thanks"}),
    ("feedback", {"case": "empty"}),
    ("rate", {"case": "thanks", "rating": 5, "code": "VB-261116-0001"}),
    ("rate", {"case": "not_found", "code": "VB-261116-0001"}),
    ("rate", {"case": "not_owner", "code": "VB-261116-0001"}),
    ("rate", {"case": "missing", "example": "VB-261116-0001"}),
    ("subscribe", {"case": "ok", "code": "VB-261116-0001"}),
    ("subscribe", {"case": "not_found", "code": "VB-261116-0001"}),
    ("subscribe", {"case": "not_owner", "code": "VB-261116-0001", "office_phone": "0272 380 0100"}),
    ("subscribe", {"case": "missing", "example": "VB-261116-0001"}),
    ("stop", {"sms_number": "0909 000 100"}),
    ("start", {}),
    ("help", {"case": "help"}),
    ("help", {"case": "unknown"}),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("template, context", OTHER_REPLIES)
def test_other_replies_fit_one_segment(db, make_office, english, lang, template, context):
    make_office()
    body = render_sms(template, lang, **context)
    assert is_gsm7(body) and body.strip()
    assert count_segments(body).segments == 1, body


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("keyword", [None, "GIAY PHEP XAY DUNG NHA O"])
def test_keyword_help_fits(db, demo, english, lang, keyword):
    assert count_segments(keyword_reply(demo, lang, keyword)).segments == 1


@pytest.mark.parametrize("lang", LANGS)
def test_language_confirmation_is_in_the_new_language(db, make_office, english, lang):
    body = render_sms("lang", lang)
    assert count_segments(body).segments == 1
    assert ("English" in body) == (lang == "en")


@pytest.mark.parametrize("lang", LANGS)
def test_contact_with_a_very_long_name_stays_one_segment(db, make_office, make_officer,
                                                        make_shift, english, lang, clock):
    from app.models import PhonePreference
    from app.sms.inbound import handle_inbound

    # 23:00 in the commune (Monday 16:00 UTC): between shifts, so the reply names the next
    # duty — the longest LH answer. Without this the test depended on the hour it ran.
    clock.utc(datetime(2026, 11, 16, 16, 0))

    office = make_office(**LONGEST_HOURS)
    officer = make_officer(name=OFFICER_NAMES[1], public_phone="+84909000102")
    for day in range(7):
        make_shift(officer, day, time(5, 0), time(22, 0))
    db.session.add(PhonePreference(phone=OWNER, lang=lang))
    db.session.commit()
    result = handle_inbound(office, OWNER, "LH", "try", f"lh-{lang}")
    assert result.segments == 1, result.body
    assert "Anh Quynh" not in result.body and "Quynh" in result.body
    assert "13h15-16h45" in result.body, result.body
