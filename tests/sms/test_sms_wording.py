"""SMS wording (issue 14, items 5 and 10): every template and every command reply, rendered with
the demo commune's data in both languages, is GSM-7, within its segment budget (docs/DESIGN.md:
status 1, guide 2, the rest 1) and free of phrases that read two ways without marks
(``app.sms.wording``); the "ready" texts give the whole office hours; a guide does not repeat
the processing time; ``TT`` with a code that names no dossier — or cannot exist — answers "not
found" with the code as read, then the usage."""

from __future__ import annotations

import itertools
from datetime import datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import template_rendered
from flask_babel import force_locale

from app import papers
from app.budgets import SMS_GUIDE_SEGMENTS, SMS_STATUS_SEGMENTS
from app.deadlines import add_working_days
from app.demo.hamlets import load_teams
from app.demo.procedures import PROCEDURES
from app.models import STATUSES, Dossier, Message, PhonePreference, Procedure
from app.sms.gsm import count_segments, is_gsm7, to_gsm7
from app.sms.inbound import handle_inbound
from app.sms.reminders import reminder_body
from app.sms.wording import AMBIGUOUS_PHRASES, ambiguous_phrases, wording_problems
from app.vocabulary import hours_short
from tests.support import sms_support

demo = sms_support.demo

LANGS = ("vi", "en")
OWNER = "+84912345678"
OWNER_EN = "+84912345679"  # a dossier filed in English: its notifications are in English
TEMPLATES = sorted(p.stem for p in (Path(__file__).parents[2] / "templates" / "sms").glob("*.txt"))
#: Replies that are neither a status nor a guide: one segment (docs/DESIGN.md, "SMS").
OTHER_BUDGET = 1
_phones = itertools.count(1)


# ------------------------------------------------------------------ the phrase list itself


@pytest.mark.parametrize(
    "text, found",
    [
        ("Lệ phí: hỏi xã.", ["hoi xa"]),
        ("Le phi: HOI XA", ["hoi xa"]),
        ("Phi 8.000d moi ban", ["moi ban"]),
        ("Mời bạn đến", ["moi ban"]),
        ("Ho so can bo sung giay to", ["can bo sung"]),
        ("Tu den xa, ky truoc mat can bo", ["tu den xa"]),
        ("Loi: goi xa (nhan LH)", ["loi:", "goi xa", "nhan lh"]),
        ("Da co ket qua, moi nhan", ["moi nhan"]),
        ("Nhắc: hồ sơ", ["nhac:"]),
        ("Ban se nhan tin khi", ["nhan tin"]),
        ("Muon nhan lai, soan BATLAI", ["nhan lai"]),
        # Not ambiguous: other words around the same letters.
        ("Tu nay tra loi bang tieng Viet", []),
        ("Hoi: 0272 380 0100", []),
        ("Can bo xa se doc", []),
        ("Da ngung gui tin nhan", []),
        ("Xin moi bang", []),
        ("Nhac lai sau", []),
    ],
)
def test_ambiguous_phrases_are_found_on_whole_words(text, found):
    assert ambiguous_phrases(text) == found


@pytest.mark.parametrize(
    "text, found",
    [("HS VB-261203-0001 da co ket qua", ["hs"]), ("Mang giay hen, CCCD.", ["cccd"]),
     ("Ho so VB-261203-0001, the can cuoc", []), ("HSBC", [])],
)
def test_abbreviations_are_refused(text, found):
    assert wording_problems(text) == found


def test_every_listed_phrase_says_what_its_two_readings_are():
    for phrase, readings in AMBIGUOUS_PHRASES.items():
        assert phrase == phrase.lower() and " / " in readings, phrase


# ------------------------------------------------------------------ every reply, demo data


@pytest.fixture
def rendered(app):
    """Names of the SMS templates rendered while the test runs."""
    names: set[str] = set()

    def record(sender, template, context, **extra):
        if template.name and template.name.startswith("sms/"):
            names.add(template.name[4:-4])

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


@pytest.fixture
def commune(db, demo, make_officer, make_shift, make_dossier, clock, rendered):
    """The demo commune (VB, its 11 procedures and office hours) with an officer on every
    procedure, a weekday roster, and one dossier per status on the first procedure (and one per
    status filed in English), on Thursday 3 December 2026 at 9:00 in the commune."""
    clock.local(datetime(2026, 12, 3, 9, 0))
    procedures = list(db.session.scalars(
        sa.select(Procedure).where(Procedure.office_id == demo.id).order_by(Procedure.position)
    ))
    officer = make_officer(office=demo, name="Lê Văn Cường", public_phone="+84909000102",
                           procedures=procedures)
    for weekday in range(5):
        make_shift(officer, weekday, time(7, 0), time(11, 30))
    dossiers = {s: make_dossier(office=demo, procedure=procedures[0], status=s, officer=officer,
                                phone=OWNER) for s in STATUSES}
    for status in STATUSES:
        make_dossier(office=demo, procedure=procedures[0], status=status, officer=officer,
                     phone=OWNER_EN, lang="en")
    load_teams(demo)  # the hamlets' digital teams (issue 16): HT, XONG, BAN below
    # The desk's papers (app.papers): each text once per language.
    today = datetime(2026, 12, 3).date()
    for phone, lang in ((OWNER, "vi"), (OWNER_EN, "en")):
        made = [make_dossier(office=demo, procedure=procedures[0], officer=officer, phone=phone,
                             lang=lang) for _ in range(3)]
        papers.request_supplement(made[0], officer, papers="Bản chính giấy chứng sinh",
                                  reason="Bản sao bị mờ", bring_by=add_working_days(today, 5),
                                  today=today)
        papers.refuse(made[1], officer, reason="Đăng ký tại xã nơi cha mẹ ở")
        papers.apologise(made[2], officer, reason="Chờ xác minh",
                         new_date=add_working_days(today, 10), today=today)
    db.session.commit()
    return demo, procedures, dossiers


def _send(office, text: str, lang: str, phone: str | None = None) -> str:
    phone = phone or f"+8491{next(_phones):07d}"
    pref = PhonePreference(phone=phone, lang=lang, opted_out=False)
    from app.extensions import db

    existing = db.session.get(PhonePreference, phone)
    if existing is None:
        db.session.add(pref)
    else:
        existing.lang = lang
    db.session.commit()
    result = handle_inbound(office, phone, text, "try", None, reply_sent_by="try")
    assert result.body is not None and not result.fallback, (text, result)
    return result.body


def _all_replies(office, procedures, dossiers, lang):
    """(what, budget, body) for every command reply, notification and reminder."""
    out = []
    for proc in procedures:
        body = _send(office, f"HD {proc.sms_keyword}", lang)
        # The summary is the guide's content (checked on its own below); here, the template's
        # words around it.
        summary = to_gsm7(" ".join(proc.content(lang).sms_summary.split()))
        out.append((f"HD {proc.sms_keyword}", SMS_GUIDE_SEGMENTS, body.replace(summary, "")
                    if summary and summary in body else body))
        assert count_segments(body).segments <= SMS_GUIDE_SEGMENTS, body
    for status, dossier in dossiers.items():
        for who, phone in (("owner", OWNER), ("other", None)):
            out.append((f"TT {status} {who}", SMS_STATUS_SEGMENTS,
                        _send(office, f"TT {dossier.code}", lang, phone)))
    ready = dossiers["ready"]
    commands = [
        "TT", "TT VB-241399-0007", "TT VB-261203-9998", "HD", "HD GIAY PHEP XAY DUNG", "DS",
        "LH", "GY", "GY Xin them gio truc chieu", "DG", f"DG {ready.code} 5",
        "DG VB-261203-9998 5", f"DK {ready.code}", "DK", "DK VB-261203-9998", "xin chao",
        "?", "BATLAI", "HUY", "EN" if lang == "vi" else "VI", "CONG", "CONG LOI",
    ]
    for text in commands:
        budget = SMS_STATUS_SEGMENTS if text.startswith("TT") else OTHER_BUDGET
        out.append((text, budget, _send(office, text, lang)))
    # Not the owner: the "only the dossier's phone" answers.
    for text in (f"DG {ready.code} 4", f"DK {ready.code}"):
        out.append((text + " other", OTHER_BUDGET, _send(office, text, lang)))
    for text in (f"DG {ready.code} 5", f"DK {ready.code}"):
        out.append((text + " owner", OTHER_BUDGET, _send(office, text, lang, OWNER)))
    out.append(("remind_ready", SMS_STATUS_SEGMENTS, reminder_body(ready, lang)))
    out.extend(_team_replies(office, lang))
    return out


def _team_replies(office, lang):
    """HT, HT <hamlet>, a help request and what the member is texted, XONG and BAN (issue 16),
    in ``lang``; the member's phone takes ``lang`` too."""
    from app.extensions import db
    from app.models import HelpRequest

    lan, hung = "+84909000206", "+84909000207"  # app/demo/hamlets.py, ấp Bốn
    out = [(text, OTHER_BUDGET, _send(office, text, lang)) for text in
           ("HT", "HT AP4", "HT AP3", "HT KS", "HT XYZ", "XONG")]
    citizen = f"+8491{next(_phones):07d}"
    out.append(("HT AP4 KS", OTHER_BUDGET, _send(office, "HT AP4 KS", lang, citizen)))
    n = db.session.scalars(sa.select(HelpRequest.id).order_by(HelpRequest.id.desc())).first()
    for text, phone in ((f"BAN {n}", hung), ("XONG 99999", lan), (f"BAN {n}", lan),
                        (f"XONG {n} VB-261203-0001", lan), (f"XONG {n}", lan)):
        out.append((f"{text} from {phone}", OTHER_BUDGET, _send(office, text, lang, phone)))
    out.append(("XONG not a member", OTHER_BUDGET, _send(office, f"XONG {n}", lang)))
    out += [(f"help text to {m.phone}", OTHER_BUDGET, m.body) for m in db.session.scalars(
        sa.select(Message).where(Message.kind == "help"))]
    return out


def _notifications(lang):
    """The status texts queued when the fixture's dossiers changed status, in ``lang``."""
    from app.extensions import db

    phone = OWNER if lang == "vi" else OWNER_EN
    found = [(f"notify {m.body[:24]}", SMS_STATUS_SEGMENTS, m.body) for m in db.session.scalars(
        sa.select(Message).where(Message.kind == "notify", Message.phone == phone))]
    assert len(found) >= 7, found  # received, needs supplement, ready, rejected + 3 papers
    return found


@pytest.mark.parametrize("hour", [9, 22], ids=["office hours", "night"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_template_and_reply_is_gsm7_within_budget_and_unambiguous(
    db, commune, rendered, clock, lang, hour
):
    # Thursday 3 December 2026 in the commune: someone on duty at 9:00, nobody at 22:00 (LH
    # names the next duty then): both contact cases.
    clock.local(datetime(2026, 12, 3, hour, 0))
    office, procedures, dossiers = commune
    notifications = _notifications(lang)
    db.session.merge(PhonePreference(phone=OWNER, lang=lang, opted_out=False))
    db.session.commit()
    replies = _all_replies(office, procedures, dossiers, lang) + notifications
    problems = []
    for what, budget, body in replies:
        info = count_segments(body)
        if not body or not is_gsm7(body) or info.encoding != "GSM-7":
            problems.append((what, "not GSM-7", body))
        if info.segments > budget:
            problems.append((what, f"{info.segments} segments > {budget}", body))
        if wording_problems(body):
            problems.append((what, wording_problems(body), body))
    assert not problems, "\n".join(map(repr, problems))
    assert set(TEMPLATES) <= rendered, set(TEMPLATES) - rendered


@pytest.mark.parametrize("lang", LANGS)
def test_english_replies_are_english(db, commune, lang):
    office, procedures, dossiers = commune
    db.session.merge(PhonePreference(phone=OWNER, lang=lang, opted_out=False))
    db.session.commit()
    replies = _all_replies(office, procedures, dossiers, lang) + _notifications(lang)
    # Words of the Vietnamese templates; an English reply may only echo Vietnamese data.
    vietnamese = ("Ho so ", "Soan ", "Hen tra", "Nhan tai xa", "Khong tim thay")
    for what, _budget, body in replies:
        if what.startswith(("VI", "EN")):
            continue  # the language confirmation is in the language just chosen
        leaked = [w for w in vietnamese if w in body]
        assert not leaked if lang == "en" else True, (what, body)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("keyword", [p["sms_keyword"] for p in PROCEDURES])
def test_demo_guide_replies_read_one_way(db, commune, lang, keyword):
    """The whole guide text as sent, summary included: the demo content too must avoid the
    phrases (app/demo/procedures.py words them)."""
    body = _send(commune[0], f"HD {keyword}", lang)
    assert not wording_problems(body), (wording_problems(body), body)
    assert count_segments(body).segments <= SMS_GUIDE_SEGMENTS, body


# ------------------------------------------------------------------ office hours in "ready"


@pytest.mark.parametrize("lang", LANGS)
def test_ready_texts_give_the_whole_office_hours(db, commune, lang):
    office, _procedures, dossiers = commune
    ready = dossiers["ready"]
    with force_locale(lang):
        hours = to_gsm7(hours_short(office))
    assert "13h30-17h" in hours  # the afternoon, from the one formatter
    db.session.merge(PhonePreference(phone=OWNER, lang=lang, opted_out=False))
    db.session.commit()
    status = _send(office, f"TT {ready.code}", lang, OWNER)
    reminder = reminder_body(ready, lang)
    assert hours in status and hours in reminder, (status, reminder)
    owner = OWNER if lang == "vi" else OWNER_EN
    if lang == "en":
        ready = db.session.scalars(sa.select(Dossier).where(
            Dossier.phone == OWNER_EN, Dossier.status == "ready")).one()
    notify = [m.body for m in db.session.scalars(
        sa.select(Message).where(Message.kind == "notify", Message.phone == owner,
                                 Message.body.contains(ready.code)))
        if hours in m.body]
    assert len(notify) == 1, notify  # the "ready" text, and only it, gives the hours
    assert ("the can cuoc" if lang == "vi" else "ID card") in notify[0], notify


# ------------------------------------------------------------------ guides


@pytest.mark.parametrize("lang", LANGS)
def test_guide_replies_do_not_repeat_the_processing_time(db, commune, lang):
    office, procedures, _dossiers = commune
    for proc in procedures:
        content = proc.content(lang)
        body = _send(office, f"HD {proc.sms_keyword}", lang)
        assert "Thoi gian:" not in body and "Time:" not in body, body
        if content.time and content.sms_summary:
            # Said once, in the summary's own words, or not at all.
            assert body.count(to_gsm7(content.time).rstrip(".")) <= 1, body


def test_a_guide_without_sms_summary_still_gives_time_and_fee(db, commune):
    office, procedures, _dossiers = commune
    proc = next(p for p in procedures if not p.is_howto)
    content = proc.content("vi")
    content.sms_summary = ""
    content.documents = ["Tờ khai", "Thẻ căn cước"]
    content.fee = "Miễn phí."  # short, so both facts fit the guide's segments
    db.session.commit()
    body = _send(office, f"HD {proc.sms_keyword}", "vi")
    assert f"Thoi gian: {to_gsm7(content.time)}" in body and "Phi:" in body, body
    assert count_segments(body).segments <= SMS_GUIDE_SEGMENTS


# ------------------------------------------------------------------ TT with no such dossier


@pytest.mark.parametrize(
    "text, echo",
    [
        ("TT VB-261203-9998", "VB-261203-9998"),  # a real date, no such dossier
        ("TT VB-241399-0007", "VB-241399-0007"),  # 13th month, 99th day
        ("TT VB-241131-0007", "VB-241131-0007"),  # 31 November
        ("TT VB-261203-0000", "VB-261203-0000"),  # serial 0000
        ("TTVB2413990007", "VB2413990007"),  # glued to the command
        ("tt vb 241399 0007", "VB 241399 0007"),
        ("Tra cứu 241399-7", "241399-7"),
    ],
)
@pytest.mark.parametrize("lang", LANGS)
def test_tt_with_a_code_that_matches_nothing_answers_not_found_then_the_usage(
    db, commune, lang, text, echo
):
    office = commune[0]
    body = _send(office, text, lang)
    not_found, usage = ("Khong tim thay ho so", "Soan TT") if lang == "vi" else (
        "No dossier", "Text TT")
    assert f"{not_found} {echo}." in body, body
    assert body.index(not_found) < body.index(usage), body
    assert count_segments(body).segments == 1


@pytest.mark.parametrize("text", ["TT", "TT abc", "TT 12345"])
def test_tt_without_anything_like_a_code_gives_the_usage(db, commune, text):
    body = _send(commune[0], text, "vi")
    assert body.startswith("Soan TT <ma ho so>"), body


# ------------------------------------------------------------------ the guide editor


def test_the_guide_editor_refuses_an_sms_summary_that_reads_two_ways(
    client, db, make_procedure, make_officer, login
):
    from tests.officer.test_officer_guides import _form, _vi
    from tests.support.desk import post, sign_in

    ks = make_procedure(slug="khai-sinh", keyword="KS", name="Đăng ký khai sinh")
    sign_in(client, make_officer, login, "admin")
    typed = "Mang thẻ căn cước. Lệ phí: hỏi xã."
    response = post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks), sms_summary=typed))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "“hoi xa” đọc được hai nghĩa" in html and typed in html  # what was typed stays
    db.session.expire_all()
    assert _vi(ks).sms_summary != typed
    fixed = "Mang thẻ căn cước. Lệ phí: gọi cán bộ để biết."
    response = post(client, "/officer/guides/khai-sinh/vi", _form(_vi(ks), sms_summary=fixed))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert _vi(ks).sms_summary == fixed
