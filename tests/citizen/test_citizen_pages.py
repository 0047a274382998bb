"""The citizen site (issue 2): every page in vi and en, within the 2G budget, with the demo data;
what each page promises; bad input; language; security headers; caching and compression."""

from __future__ import annotations

import gzip
import html
import re
from datetime import datetime, time, timedelta

import brotli
import pytest
import sqlalchemy as sa
import vobject
from flask import g
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext

from app.budgets import FIRST_VISIT_BUDGET, HTML_BUDGET
from app.models import Dossier, DutyException, Feedback
from app.web import SITE_CSS, SITE_CSS_HASH, STATIC_DIR
from tests.support.helpers import check_page, csrf_token, parse_page

MONDAY_0900 = datetime(2026, 3, 9, 9, 0)
MONDAY_1200 = datetime(2026, 3, 9, 12, 0)
MONDAY_1400 = datetime(2026, 3, 9, 14, 0)
SATURDAY_1000 = datetime(2026, 3, 7, 10, 0)


def tr(app, lang: str, msgid: str, **kw) -> str:
    """What the page should say in ``lang`` (the catalogue's text, or the Vietnamese source
    while a string is untranslated), HTML-escaped the way Jinja writes it."""
    with app.test_request_context(), force_locale(lang):
        return str(html.escape(gettext(msgid, **kw), quote=True))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def section(page_html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by ``heading_id``."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page_html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(0)


def guide_links(page_html: str) -> list[str]:
    return re.findall(r'href="/vb/procedures/([a-z0-9-]+)"', page_html)


class FreshClient(FlaskClient):
    """conftest's ``db`` fixture keeps an app context open for the whole test, so every request
    of a test shares one ``g`` (the cached office, language, Flask-Babel's locale). In
    production each request gets its own; start each request with an empty ``g`` to match."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    return FreshClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def freeze(clock):
    """Freeze "now" at a wall-clock time in the office's zone."""
    return clock.local


@pytest.fixture
def desk(make_office, make_procedure, make_officer, make_shift):
    """A small office: two officers on Monday (morning / afternoon), one with no shift."""
    office = make_office()
    ks = make_procedure(slug="dang-ky-khai-sinh", keyword="KS", name="Đăng ký khai sinh",
                        name_en="Birth registration", processing_days=0, same_day_cutoff="15:00")
    ct = make_procedure(slug="chung-thuc-ban-sao", keyword="CT", field="chung_thuc",
                        name="Chứng thực bản sao", name_en="Certified copy", online_mode="offline")
    am = make_officer(username="sang", name="Lê Văn Sáng", procedures=[ks],
                      public_phone="+84909000111", title_en="Civil status officer")
    pm = make_officer(username="chieu", name="Võ Thị Chiều", procedures=[ct],
                      public_phone="+84909000222")
    off = make_officer(username="nghi", name="Đỗ Minh Nghỉ", public_phone="+84909000333")
    make_shift(am, 0, time(7, 0), time(11, 30))
    make_shift(pm, 0, time(13, 30), time(17, 0))
    make_shift(off, 2, time(7, 0), time(11, 30))
    return {"office": office, "ks": ks, "ct": ct, "am": am, "pm": pm, "off": off}


@pytest.fixture
def demo(app, db):
    from app.demo.loader import load_demo

    load_demo(password=app.config["DEMO_PASSWORD"])
    return db


# --------------------------------------------------------------------------- every page


def citizen_pages(db) -> list[tuple[str, dict]]:
    """Every citizen page as (endpoint, url_for values), including a guide per procedure, the
    send-a-guide form and a full status lookup."""
    from app.models import Procedure

    pages = [("citizen.home", {}), ("citizen.procedures", {}),
             ("citizen.procedures", {"q": "khai sinh"}),
             ("citizen.procedures", {"field": "chung_thuc"}), ("citizen.status", {}),
             ("citizen.contacts", {}), ("citizen.feedback", {}), ("citizen.feedback_thanks", {}),
             ("citizen.scorecard", {})]
    slugs = list(db.session.scalars(sa.select(Procedure.slug).order_by(Procedure.slug)))
    pages += [("citizen.guide", {"slug": slug}) for slug in slugs]
    pages.append(("citizen.send_guide", {"slug": slugs[0]}))
    # The dossier with the longest timeline: the biggest status page.
    dossiers = db.session.scalars(sa.select(Dossier)).all()
    if dossiers:
        longest = max(dossiers, key=lambda d: (len(d.events), sum(len(e.note) for e in d.events)))
        pages.append(("citizen.status", {"code": longest.code}))
        pages.append(("citizen.status", {"code": longest.code, "digits": longest.phone_last4}))
    return pages


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_citizen_page_passes_the_page_checks(pages, desk, make_dossier, lang):
    make_dossier(procedure=desk["ks"], status="needs_supplement")
    from app.extensions import db

    for endpoint, values in citizen_pages(db):
        pages.get(endpoint, lang=lang, **values)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_citizen_page_with_demo_data_stays_in_budget(pages, demo, lang):
    """Prints the compressed size of every page (``pytest -s``): the note's figures."""
    sizes = {}
    for endpoint, values in citizen_pages(demo):
        response = pages.get(endpoint, lang=lang, **values)
        sizes[pages.url(endpoint, **values)] = len(gzip.compress(response.get_data(), 9))
    print(f"\n[{lang}] gzip -9 bytes per citizen page (demo data, stylesheet inline)")
    for url, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {size:6d}  {url}")
    largest = max(sizes.values())
    print(f"  first visit = the page alone: largest {largest} (budget {FIRST_VISIT_BUDGET})")
    assert largest <= HTML_BUDGET
    assert largest <= FIRST_VISIT_BUDGET
    assert len(sizes) >= 11 + 8  # every guide and every page was fetched


# --------------------------------------------------------------------------------- home


def test_home_shows_who_is_on_duty_now(app, client, desk, freeze):
    freeze(MONDAY_0900)
    page = client.get("/").get_data(as_text=True)
    duty = section(page, "duty-h")
    assert "Lê Văn Sáng" in duty and 'href="tel:+84909000111"' in duty
    assert "7:00–11:30" in duty
    assert "Võ Thị Chiều" not in duty and "Đỗ Minh Nghỉ" not in duty

    freeze(MONDAY_1400)
    duty = section(client.get("/").get_data(as_text=True), "duty-h")
    assert "Võ Thị Chiều" in duty and 'href="tel:+84909000222"' in duty
    assert "Lê Văn Sáng" not in duty


def test_home_in_english_shows_the_english_title(client, desk, freeze):
    freeze(MONDAY_0900)
    duty = section(client.get("/?lang=en").get_data(as_text=True), "duty-h")
    assert "Civil status officer" in duty


@pytest.mark.parametrize(
    ("now", "next_name", "next_time", "weekday"),
    [
        (MONDAY_1200, "Võ Thị Chiều", "13:30", 0),  # lunch break: the afternoon shift
        (SATURDAY_1000, "Lê Văn Sáng", "7:00", 0),  # weekend: Monday morning
        (datetime(2026, 3, 9, 18, 0), "Đỗ Minh Nghỉ", "7:00", 2),  # Monday evening: Wednesday
    ],
)
def test_home_when_no_one_is_on_duty_says_so_and_names_the_next_duty(
    app, client, desk, freeze, now, next_name, next_time, weekday
):
    from app.vocabulary import WEEKDAYS

    freeze(now)
    duty = section(client.get("/").get_data(as_text=True), "duty-h")
    assert tr(app, "vi", "Bây giờ không có cán bộ trực.") in duty
    with app.test_request_context(), force_locale("vi"):
        day = str(WEEKDAYS[weekday])
    expected = tr(app, "vi", "Lượt trực tiếp theo: %(day)s, %(time)s, %(name)s.",
                  day=day, time=next_time, name=next_name)
    assert expected in duty
    assert 'href="tel:+842723800100"' in duty  # the office phone instead


def test_home_on_a_public_holiday_has_no_one_on_duty(app, client, desk, freeze):
    freeze(datetime(2026, 2, 16, 9, 0))  # Monday of Tết 2026
    duty = section(client.get("/").get_data(as_text=True), "duty-h")
    assert tr(app, "vi", "Bây giờ không có cán bộ trực.") in duty
    assert 'href="tel:+84909000111"' not in duty  # the Monday shift does not apply on Tết


def test_home_respects_a_stand_in(db, client, desk, freeze):
    db.session.add(DutyException(office_id=desk["office"].id, day=MONDAY_0900.date(),
                                 kind="standin", officer_id=desk["am"].id,
                                 stand_in_id=desk["off"].id))
    db.session.commit()
    freeze(MONDAY_0900)
    duty = section(client.get("/").get_data(as_text=True), "duty-h")
    assert "Đỗ Minh Nghỉ" in duty and 'href="tel:+84909000333"' in duty


def test_home_has_search_groups_sms_number_and_three_commands(app, pages, desk, freeze):
    freeze(MONDAY_0900)
    response = pages.get("citizen.home")
    page = response.page
    text = response.get_data(as_text=True)
    assert any(f.get("action") == "/vb/procedures" and f.get("method") == "get" for f in page.forms)
    assert tr(app, "vi", "Hộ tịch") in text and tr(app, "vi", "Chứng thực") in text
    assert set(guide_links(text)) == {"dang-ky-khai-sinh", "chung-thuc-ban-sao"}
    sms = section(text, "sms-h")
    assert "0909 000 100" in sms
    commands = re.findall(r"<li><strong>([^<]+)</strong>", sms)
    assert len(commands) == 3
    assert [c.split()[0] for c in commands] == ["TT", "HD", "LH"]
    assert tr(app, "vi", "Giờ làm việc") in text and "13:30–17:00" in text


def test_home_with_an_empty_database_is_not_a_500(client):
    response = client.get("/")
    assert response.status_code == 503
    assert "<h1>" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- procedures


@pytest.mark.parametrize("q", ["khai sinh", "KHAI SINH", "khai  sinh", "Khai Sinh", "khai sinh"])
def test_search_finds_birth_registration_whatever_the_accents_or_case(pages, demo, q):
    response = pages.get("citizen.procedures", q=q)
    assert "dang-ky-khai-sinh" in guide_links(response.get_data(as_text=True))


@pytest.mark.parametrize("q", ["chứng thực", "chung thuc", "CHỨNG THỰC", "Chung Thuc"])
def test_search_for_certification_finds_the_three_certifications(client, demo, q):
    text = client.get("/vb/procedures", query_string={"q": q}).get_data(as_text=True)
    found = set(guide_links(text))
    assert {"chung-thuc-ban-sao-tu-ban-chinh", "chung-thuc-chu-ky",
            "chung-thuc-ban-sao-dien-tu-tu-ban-chinh"} <= found


def test_search_with_no_match_says_so(app, pages, demo):
    response = pages.get("citizen.procedures", q="xyzzy máy bay")
    text = response.get_data(as_text=True)
    assert guide_links(text.split('id="results"')[1]) == []
    assert 'value="xyzzy máy bay"' in text  # the box keeps what was typed


def test_search_query_is_escaped_and_capped(pages, demo):
    response = pages.get("citizen.procedures", q="<script>alert(1)</script>" + "a" * 300)
    text = response.get_data(as_text=True)
    assert "<script>alert" not in text and "&lt;script&gt;" in text


def test_field_filter(client, demo):
    text = client.get("/vb/procedures?field=chung_thuc").get_data(as_text=True)
    results = text.split('id="results"')[1]
    assert set(guide_links(results)) == {"chung-thuc-ban-sao-tu-ban-chinh", "chung-thuc-chu-ky",
                                         "chung-thuc-ban-sao-dien-tu-tu-ban-chinh"}
    assert 'value="chung_thuc" selected' in text


@pytest.mark.parametrize("field", ["nope", "<b>", "ho_tich'--", ""])
def test_unknown_field_is_ignored(client, demo, field):
    everything = set(guide_links(client.get("/vb/procedures").get_data(as_text=True)))
    response = client.get("/vb/procedures", query_string={"field": field})
    check_page(response)
    assert set(guide_links(response.get_data(as_text=True))) == everything
    assert len(everything) == 11


def test_htmx_request_gets_the_fragment_and_plain_get_the_page(client, demo):
    fragment = client.get("/vb/procedures?q=khai+sinh", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<h1" not in body
    assert body.lstrip().startswith('<div id="results"')
    assert "dang-ky-khai-sinh" in guide_links(body)
    assert "HX-Request" in fragment.headers["Vary"]

    full = client.get("/vb/procedures?q=khai+sinh")
    check_page(full)
    assert "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]
    # Different bodies, so they must not share a validator either.
    assert fragment.headers.get("ETag") != full.headers.get("ETag")


def test_htmx_history_restore_gets_the_full_page(client, demo):
    """htmx's back button re-fetches the pushed URL and swaps the answer into <body>."""
    response = client.get("/vb/procedures?q=khai+sinh",
                          headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    check_page(response)
    assert "HX-History-Restore-Request" in response.headers["Vary"]


def test_procedures_page_loads_htmx_lazily_from_our_own_origin(client, demo):
    text = client.get("/vb/procedures").get_data(as_text=True)
    assert re.search(r'data-htmx-src="/static/js/htmx\.min\.js\?v=[0-9a-f]{10}"', text)
    assert "<script src=" not in text  # not downloaded on the first visit
    assert 'hx-get="/vb/procedures"' in text and 'action="/vb/procedures"' in text


# -------------------------------------------------------------------------------- guide


def test_guide_has_every_section(app, pages, desk):
    ks = desk["ks"]
    content = ks.content("vi")
    response = pages.get("citizen.guide", slug="dang-ky-khai-sinh")
    text = response.get_data(as_text=True)
    page = parse_page(text)
    assert page.title.startswith("Đăng ký khai sinh")
    assert f'<p class="lead">{content.summary}</p>' in text
    docs = re.search(r'<ul class="docs">(.*?)</ul>', text, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", docs) == content.documents
    steps = re.search(r'<ol class="steps">(.*?)</ol>', text, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", steps) == content.steps
    assert f"<dd>{content.fee}</dd>" in text and f"<dd>{content.time}</dd>" in text
    assert content.where in text and "7:00–11:30, 13:30–17:00" in text  # where and when
    assert tr(app, "vi", "Nộp trực tuyến một phần") in text
    assert 'href="https://dichvucong.gov.vn/"' in text
    call = section(text, "call-h")
    assert "Lê Văn Sáng" in call and 'href="tel:+84909000111"' in call
    assert "7:00–11:30" in call  # duty hours
    legal = re.search(r"<details>(.*?)</details>", text, re.S).group(1)
    assert "Luật Hộ tịch 2014" in legal and "<summary>" in legal
    assert "HD KS" in text  # send this guide to my phone


def test_guide_in_english(client, desk):
    text = client.get("/vb/procedures/dang-ky-khai-sinh?lang=en").get_data(as_text=True)
    assert "<h1>Birth registration 1</h1>" in text or "<h1>Birth registration</h1>" in text
    assert "<li>Birth notice</li>" in text and "<li>Submit</li>" in text


def test_offline_guide_has_no_portal_link(app, client, desk):
    text = client.get("/vb/procedures/chung-thuc-ban-sao").get_data(as_text=True)
    assert tr(app, "vi", "Nộp trực tiếp tại xã") in text
    assert "dichvucong.gov.vn" not in text


def test_guide_without_an_officer_gives_the_office_phone(client, desk, make_procedure):
    make_procedure(slug="khong-ai")
    call = section(client.get("/vb/procedures/khong-ai").get_data(as_text=True), "call-h")
    assert 'href="tel:+842723800100"' in call


def test_demo_vneid_guide(pages, demo):
    response = pages.get("citizen.guide", slug="tao-tai-khoan-vneid-nop-ho-so-truc-tuyen")
    text = response.get_data(as_text=True)
    assert "VNeID" in text and '<ol class="steps">' in text and "tel:" in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unknown_guide_is_a_translated_404(app, client, desk, lang):
    response = client.get(f"/vb/procedures/khong-co-thu-tuc-nay?lang={lang}")
    assert response.status_code == 404
    page = parse_page(response.get_data(as_text=True))
    assert page.html_lang == lang and page.h1 == 1
    assert tr(app, lang, "Không tìm thấy trang") in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "slug",
    ["..%2F..%2Fetc%2Fpasswd", "%00", "a" * 300, "Đăng-ký", "DANG-KY-KHAI-SINH", "x'%20or%201=1",
     "%ff%fe", "<script>", "dang-ky-khai-sinh.html", "-", "%E2%80%8B"],
)
def test_weird_slugs_are_404_never_500(client, desk, slug):
    response = client.get(f"/vb/procedures/{slug}")
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)


def test_inactive_procedure_is_404(db, client, desk):
    desk["ct"].active = False
    db.session.commit()
    assert client.get("/vb/procedures/chung-thuc-ban-sao").status_code == 404


# ------------------------------------------------------------------------------- status


@pytest.fixture
def lan(desk, make_dossier):
    """Trần Thị Lan's birth registration, phone ending 5678, with a missing paper."""
    return make_dossier(procedure=desk["ks"], status="needs_supplement",
                        applicant_name="Trần Thị Lan", phone="+84912345678")


PERSONAL = ("Trần Thị Lan", "5678", "0912", "+8491", "class=\"timeline\"", "Thiếu giấy tờ")


def test_code_alone_shows_procedure_status_and_due_date_but_nothing_personal(app, pages, lan):
    response = pages.get("citizen.status", code=lan.public_code)  # as on the slip
    text = response.get_data(as_text=True)
    assert "Đăng ký khai sinh" in text
    assert tr(app, "vi", "Cần bổ sung hồ sơ") in text
    assert lan.due_on.strftime("%d/%m/%Y") in text
    for secret in PERSONAL:
        assert secret not in text, secret
    assert 'href="tel:+84909000111"' not in text  # officer to call needs the digits too


def test_code_and_right_digits_show_everything(app, pages, lan):
    response = pages.get("citizen.status", code=lan.code, digits="5678")
    text = response.get_data(as_text=True)
    assert "Trần Thị Lan" in text
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', text, re.S).group(1)
    assert timeline.count("<li>") == 2  # received, needs supplement
    assert tr(app, "vi", "Đã tiếp nhận") in timeline
    assert tr(app, "vi", "Mang đến xã") + ": Thiếu giấy tờ" in text  # the missing paper
    assert 'href="tel:+84909000111"' in text  # the officer in charge
    assert "no-store" in response.headers["Cache-Control"]
    assert "ETag" not in response.headers


def test_ready_dossier_tells_when_to_come(app, client, desk, make_dossier):
    d = make_dossier(procedure=desk["ct"], status="ready", phone="+84987654321")
    text = client.get("/vb/status", query_string={"code": d.code, "digits": "4321"}).get_data(
        as_text=True)
    assert "Đã có kết quả. Mời đến xã nhận từ ngày" in text
    assert "7:00–11:30" in text
    assert 'href="tel:+84909000222"' in text


def test_digits_are_accepted_with_spaces_and_dots(client, lan):
    response = client.get("/vb/status", query_string={"code": lan.code, "digits": " 56.78 "})
    assert response.status_code == 200
    assert "Trần Thị Lan" in response.get_data(as_text=True)


def _variants(code: str) -> list[str]:
    prefix, day, serial = code.split("-")
    return [code.lower(), code.replace("-", ""), code.replace("-", " "),
            f"  {code.lower().replace('-', '')}  ", f"{prefix.lower()} {day}-{serial}",
            f"{day}-{serial}", f"{prefix}-{day}-{int(serial)}"]


def test_codes_are_accepted_with_any_case_spaces_or_missing_dashes(client, lan):
    check = lan.code_check
    typed = [f"{v} {check.lower()}" for v in _variants(lan.code)]
    typed += [lan.public_code.replace("-", ""), lan.public_code.lower().replace("-", " ")]
    for variant in typed:
        response = client.get("/vb/status", query_string={"code": variant})
        assert response.status_code == 200, variant
        assert f'<h2 id="result-h">{lan.public_code}</h2>' in response.get_data(as_text=True), \
            variant


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("raw", ["abc", "VB-241131-0007", "12345", "<b>x</b>", "VB--"])
def test_malformed_code_is_400_with_message_and_input_kept(app, client, lan, raw, lang):
    response = client.get("/vb/status", query_string={"code": raw, "lang": lang})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert tr(app, lang, "Mã hồ sơ không đúng dạng. Ví dụ: %(code)s", code="VB-241115-0007") in text
    assert f'name="code" value="{html.escape(raw, quote=True)}"' in text
    assert 'aria-invalid="true"' in text
    assert parse_page(text).html_lang == lang


def test_empty_code_is_400(app, client, lan):
    response = client.get("/vb/status?code=&digits=5678")
    assert response.status_code == 400
    assert tr(app, "vi", "Nhập mã hồ sơ ghi trên giấy hẹn.") in response.get_data(as_text=True)
    assert 'value="5678"' in response.get_data(as_text=True)


def test_bad_digits_are_400_and_kept(app, client, lan):
    response = client.get("/vb/status", query_string={"code": lan.code, "digits": "12a"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert tr(app, "vi", "Nhập đúng 4 số cuối điện thoại đã khai khi nộp hồ sơ.") in text
    assert 'name="digits" value="12a"' in text and "Trần Thị Lan" not in text


def test_wrong_digits_and_unknown_code_get_the_same_answer(client, lan):
    def answer(code: str, digits: str) -> tuple[int, str]:
        response = client.get("/vb/status", query_string={"code": code, "digits": digits})
        text = response.get_data(as_text=True)
        message = re.search(r'<p class="err" role="alert">(.*?)</p>', text, re.S)
        assert message, text
        for secret in ("Trần Thị Lan", "0912", "+8491", 'class="timeline"', "Thiếu giấy tờ",
                       "Đăng ký khai sinh"):
            assert secret not in text, secret
        return response.status_code, message.group(1)

    wrong = answer(lan.code, "0000")
    unknown = answer("VB-240101-0099", "5678")
    assert wrong == unknown
    assert wrong[0] in (200, 404)


def test_unknown_code_without_digits_says_not_found(app, client, lan):
    response = client.get("/vb/status?code=VB-240101-0099")
    text = response.get_data(as_text=True)
    assert "VB-240101-0099" in text and 'role="alert"' in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_digit_guesses_are_rate_limited_per_code(app, client, lan, lang):
    for n in range(10):  # from ten addresses: one address alone is stopped at 5
        response = client.get("/vb/status", query_string={"code": lan.code, "digits": f"{n:04d}"},
                              environ_base={"REMOTE_ADDR": f"10.3.0.{n}"})
        assert response.status_code != 429, n
    response = client.get("/vb/status", query_string={"code": lan.code, "digits": "5678",
                                                   "lang": lang})
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert tr(app, lang, "Quá nhiều yêu cầu") in text
    assert parse_page(text).html_lang == lang and "Trần Thị Lan" not in text


def test_rate_limit_cannot_be_dodged_by_rewriting_the_code(client, lan):
    variants = _variants(lan.code)
    for n in range(10):
        code = variants[n % len(variants)]
        assert client.get("/vb/status", query_string={"code": code, "digits": f"{n:04d}"},
                          environ_base={"REMOTE_ADDR": f"10.3.0.{n}"}).status_code != 429
    for code in variants:
        response = client.get("/vb/status", query_string={"code": code, "digits": "5678"})
        assert response.status_code == 429, code


def test_rate_limit_is_per_code_and_spares_lookups_without_digits(client, lan, desk,
                                                                  make_dossier):
    other = make_dossier(procedure=desk["ct"], phone="+84911112222")
    for n in range(10):
        client.get("/vb/status", query_string={"code": lan.code, "digits": f"{n:04d}"},
                   environ_base={"REMOTE_ADDR": f"10.3.0.{n}"})
    assert client.get("/vb/status", query_string={"code": lan.code, "digits": "5678"}
                      ).status_code == 429
    assert client.get("/vb/status", query_string={"code": lan.code}).status_code == 200
    assert client.get("/vb/status", query_string={"code": other.code, "digits": "2222"}
                      ).status_code == 200


# ----------------------------------------------------------------------------- contacts


def test_contacts_lists_every_officer_and_highlights_todays_duty(app, pages, desk, freeze):
    freeze(MONDAY_0900)
    response = pages.get("citizen.contacts")
    text = response.get_data(as_text=True)
    sections = {o: section(text, f"o{desk[o].id}") for o in ("am", "pm", "off")}
    for key, phone in (("am", "+84909000111"), ("pm", "+84909000222"), ("off", "+84909000333")):
        assert desk[key].name in sections[key]
        assert f'href="tel:{phone}"' in sections[key]
        assert f'href="/vb/contacts/{desk[key].id}.vcf"' in sections[key]
    on_duty, today_tag = tr(app, "vi", "đang trực"), tr(app, "vi", "trực hôm nay")
    assert 'class="box today"' in sections["am"] and on_duty in sections["am"]
    assert 'class="box today"' in sections["pm"] and today_tag in sections["pm"]
    assert on_duty not in sections["pm"]
    assert "today" not in sections["off"].split(">")[0] and on_duty not in sections["off"]
    assert "Đăng ký khai sinh" in sections["am"]  # procedures in charge
    assert "7:00–11:30" in sections["off"]  # weekly duty hours (Wednesday)
    assert "09/03/2026" in text  # today, in local time


def test_contacts_date_is_the_local_day_late_in_the_evening(client, desk, freeze):
    freeze(datetime(2026, 3, 9, 22, 30))  # 15:30 UTC; must not read as 10 March
    assert "09/03/2026" in client.get("/vb/contacts").get_data(as_text=True)


def test_contacts_hides_officers_without_a_public_phone_or_inactive(db, client, desk,
                                                                    make_officer):
    hidden = make_officer(username="an", name="Ẩn Danh", public_phone="")
    gone = make_officer(username="di", name="Đã Nghỉ Việc", active=False)
    text = client.get("/vb/contacts").get_data(as_text=True)
    assert "Ẩn Danh" not in text and "Đã Nghỉ Việc" not in text
    assert client.get(f"/vb/contacts/{hidden.id}.vcf").status_code == 404
    assert client.get(f"/vb/contacts/{gone.id}.vcf").status_code == 404
    assert client.get("/vb/contacts/999999.vcf").status_code == 404


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_vcard_parses_and_has_name_and_phone(client, desk, lang):
    am = desk["am"]
    response = client.get(f"/vb/contacts/{am.id}.vcf?lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "text/vcard"
    assert "attachment" in response.headers["Content-Disposition"]
    card = vobject.readOne(response.get_data(as_text=True))
    assert card.fn.value == "Lê Văn Sáng"
    assert card.tel.value == "+84909000111"
    if lang == "en":
        assert card.title.value == "Civil status officer"


# ----------------------------------------------------------------------------- feedback


def _post_feedback(client, **data):
    token = csrf_token(client, "/vb/feedback")
    return client.post("/vb/feedback", data={"csrf_token": token, **data})


def _feedback_rows(db) -> list[Feedback]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Feedback).order_by(Feedback.id)))


def test_feedback_page(pages, desk):
    page = pages.get("citizen.feedback").page
    assert page.forms[-1]["action"] == "/vb/feedback" and page.forms[-1]["method"] == "post"
    names = {i.get("name") for i in page.inputs}
    assert {"rating", "comment", "code", "csrf_token"} <= names
    pages.get("citizen.feedback", lang="en")


def test_feedback_code_is_prefilled_from_the_link(client, lan):
    text = client.get(f"/vb/feedback?code={lan.code}").get_data(as_text=True)
    assert f'value="{lan.code}"' in text


def test_rating_only(db, client, desk):
    response = _post_feedback(client, rating="5")
    assert response.status_code == 302 and response.location.endswith("/vb/feedback/thanks")
    [row] = _feedback_rows(db)
    assert row.rating == 5 and row.comment == "" and row.dossier_id is None and row.source == "web"
    check_page(client.get(response.location))


def test_comment_only(db, client, desk):
    response = _post_feedback(client, comment="  Cán bộ tận tình.  ")
    assert response.status_code == 302
    [row] = _feedback_rows(db)
    assert row.rating is None and row.comment == "Cán bộ tận tình."


def test_neither_rating_nor_comment_is_an_error(app, db, client, desk):
    response = _post_feedback(client, comment="   ", code="")
    assert response.status_code == 400
    assert tr(app, "vi", "Hãy chấm điểm hoặc viết ý kiến.") in response.get_data(as_text=True)
    assert _feedback_rows(db) == []


def test_over_long_comment_is_an_error_and_the_text_is_kept(app, db, client, desk):
    comment = "Ý" * 1000 + "x"
    response = _post_feedback(client, rating="4", comment=comment)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert tr(app, "vi", "Ý kiến dài quá %(max)d ký tự. Vui lòng viết ngắn lại.", max=1000) in text
    assert comment in text
    assert 'value="4" checked' in text or 'checked value="4"' in text or re.search(
        r'<input[^>]*checked[^>]*value="4"|<input[^>]*value="4"[^>]*checked', text)
    assert _feedback_rows(db) == []


def test_comment_of_exactly_1000_characters_is_fine(db, client, desk):
    assert _post_feedback(client, comment="a" * 1000).status_code == 302
    assert len(_feedback_rows(db)[0].comment) == 1000


@pytest.mark.parametrize("rating", ["0", "6", "five", "<b>"])
def test_bad_rating_is_an_error(db, client, desk, rating):
    response = _post_feedback(client, rating=rating, comment="ok")
    assert response.status_code == 400
    assert _feedback_rows(db) == []


def test_bad_code_is_an_error_and_kept(app, db, client, desk):
    response = _post_feedback(client, rating="3", code="not-a-code")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert tr(app, "vi", "Mã hồ sơ không đúng dạng. Ví dụ: %(code)s", code="VB-241115-0007") in text
    assert 'value="not-a-code"' in text
    assert _feedback_rows(db) == []


@pytest.mark.parametrize("how", ["exact", "lower", "no_dashes", "no_prefix"])
def test_good_code_links_the_dossier(db, client, lan, how):
    prefix, day, serial = lan.code.split("-")
    code = {"exact": lan.code, "lower": lan.code.lower(), "no_dashes": f"{prefix}{day}{serial}",
            "no_prefix": f"{day}-{serial}"}[how]
    response = _post_feedback(client, rating="2", comment="Chờ lâu", code=code)
    assert response.status_code == 302, response.get_data(as_text=True)
    [row] = _feedback_rows(db)
    assert row.dossier_id == lan.id and row.procedure_id == lan.procedure_id


def test_well_formed_unknown_code_is_stored_without_a_dossier(db, client, desk):
    assert _post_feedback(client, rating="5", code="VB-240101-0099").status_code == 302
    assert _feedback_rows(db)[0].dossier_id is None


def test_feedback_without_csrf_is_400(app, db, client, desk):
    response = client.post("/vb/feedback", data={"rating": "5", "comment": "x"})
    assert response.status_code == 400
    assert tr(app, "vi", "Biểu mẫu đã hết hạn") in response.get_data(as_text=True)
    assert _feedback_rows(db) == []


# ----------------------------------------------------------------------------- language


def test_language_switch_is_remembered_in_the_session(client, desk):
    assert parse_page(client.get("/").get_data(as_text=True)).html_lang == "vi"
    text = client.get("/?lang=en").get_data(as_text=True)
    assert parse_page(text).html_lang == "en"
    assert 'href="/?lang=vi"' in text  # a plain link back
    for url in ("/", "/vb/procedures", "/vb/contacts", "/vb/status", "/vb/feedback"):
        assert parse_page(client.get(url).get_data(as_text=True)).html_lang == "en", url
    assert parse_page(client.get("/vb/contacts?lang=vi").get_data(as_text=True)).html_lang == "vi"
    assert parse_page(client.get("/").get_data(as_text=True)).html_lang == "vi"


def test_language_links_are_plain_links_that_keep_the_query(client, desk):
    text = client.get("/vb/procedures?q=khai+sinh").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" hreflang="en"', text).group(1)
    assert link.startswith("/vb/procedures?") and "q=khai+sinh" in link and "lang=en" in link
    assert parse_page(client.get(html.unescape(link)).get_data(as_text=True)).html_lang == "en"


@pytest.mark.parametrize("lang", ["fr", "", "EN", "<x>"])
def test_unknown_language_is_ignored(pages, desk, lang):
    pages.get("citizen.home", lang=lang, _lang="vi")


# --------------------------------------------------------------------- headers, caching


@pytest.mark.parametrize("url", ["/", "/vb/procedures", "/vb/status?code=abc", "/nope", "/vb/feedback"])
def test_security_headers(client, desk, url):
    h = client.get(url).headers
    csp = h["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")


@pytest.mark.parametrize("encoding", [None, "gzip", "br", "gzip, deflate, br"])
@pytest.mark.parametrize("url", ["/", "/vb/procedures/dang-ky-khai-sinh", "/vb/contacts"])
def test_repeat_visit_gets_304(client, desk, freeze, url, encoding):
    freeze(MONDAY_0900)
    headers = {"Accept-Encoding": encoding} if encoding else {}
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    second = client.get(url, headers={**headers, "If-None-Match": etag})
    assert second.status_code == 304
    assert second.get_data() == b""


def test_changed_page_gets_a_new_etag(db, client, desk, freeze):
    freeze(MONDAY_0900)
    first = client.get("/vb/procedures/dang-ky-khai-sinh")
    desk["ks"].content("vi").summary = "Tóm tắt mới"
    db.session.commit()
    second = client.get("/vb/procedures/dang-ky-khai-sinh",
                        headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and "Tóm tắt mới" in second.get_data(as_text=True)


def test_static_assets_are_fingerprinted_and_cached_for_a_year(client, desk):
    # Officer pages link the stylesheet (citizen pages carry it inline: see below).
    text = client.get("/officer/login").get_data(as_text=True)
    css = re.search(r'<link rel="stylesheet" href="(/static/css/site\.css\?v=[0-9a-f]{10})"', text)
    assert css, "stylesheet URL has no ?v=<hash>"
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.get_data() == (STATIC_DIR / "css" / "site.css").read_bytes()
    js = re.search(r'data-htmx-src="([^"]+)"', client.get("/vb/procedures").get_data(as_text=True))
    assert js and "?v=" in js.group(1)
    assert "max-age=31536000" in client.get(js.group(1)).headers["Cache-Control"]
    # Without the fingerprint the browser must check back soon.
    assert "max-age=31536000" not in client.get("/static/css/site.css").headers["Cache-Control"]


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress),
     ("gzip, deflate, br", "br", brotli.decompress), ("deflate", None, None)],
)
def test_compression_is_negotiated(client, desk, freeze, accept, encoding, decode):
    freeze(MONDAY_0900)
    plain = client.get("/").get_data()
    response = client.get("/", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    body = response.get_data()
    assert (decode(body) if decode else body) == plain
    officer_page = client.get("/officer/login").get_data(as_text=True)
    css_url = re.search(r'href="(/static/css/site\.css[^"]*)"', officer_page).group(1)
    css = client.get(css_url, headers={"Accept-Encoding": accept})
    assert css.headers.get("Content-Encoding") == encoding


def test_largest_page_with_its_inline_css_fits_the_first_visit_budget(pages, demo):
    css = len(gzip.compress(SITE_CSS.encode(), 9))
    largest = max(len(gzip.compress(pages.get(endpoint, **values).get_data(), 9))
                  for endpoint, values in citizen_pages(demo))
    print(f"\ninline CSS alone gzip -9: {css} bytes; largest citizen page with it: {largest}")
    assert largest <= FIRST_VISIT_BUDGET


def test_citizen_pages_load_no_script_but_the_hashed_loader(pages, demo):
    for endpoint, values in citizen_pages(demo):
        page = pages.get(endpoint, **values).page
        url = pages.url(endpoint, **values)
        assert all(not s.get("src") for s in page.scripts), url
        assert len(page.scripts) <= 1, url


def test_citizen_pages_carry_the_stylesheet_inline_and_fetch_nothing_to_paint(pages, demo):
    """One request paints the page: the stylesheet is in a <style> (whose hash the CSP
    allows), no <link rel=stylesheet>, no other file the browser must wait for."""
    for endpoint, values in citizen_pages(demo):
        response = pages.get(endpoint, **values)
        url = pages.url(endpoint, **values)
        text = response.get_data(as_text=True)
        page = parse_page(text)
        assert [lk for lk in page.links if lk.get("rel") == "stylesheet"] == [], url
        assert re.findall(r"<style>(.*?)</style>", text, re.S) == [SITE_CSS], url
        assert SITE_CSS_HASH in response.headers["Content-Security-Policy"], url
        assert not re.search(r'<(?:script|img|iframe|link)[^>]+(?:src|href)="/static/', text), url
    # The inline text is the file's rules, less comments and line breaks.
    source = (STATIC_DIR / "css" / "site.css").read_text(encoding="utf-8")
    assert SITE_CSS.startswith("*{box-sizing:border-box}") and "/*" not in SITE_CSS
    assert SITE_CSS.replace(" ", "") == re.sub(r"/\*.*?\*/|\s", "", source, flags=re.S)


def test_demo_due_dates_match_the_rules(demo):
    from app.dossiers import compute_due

    for d in demo.session.scalars(sa.select(Dossier)):
        if any(e.kind == "supplement" for e in d.events):
            continue  # a request for more papers paused the clock (app.papers, issue 15)
        assert d.due_on == compute_due(d.procedure, d.office, d.received_at), d.code
        assert d.received_at <= datetime.now() + timedelta(minutes=1)  # noqa: DTZ005


# --------------------------------------------------------------------- example codes


def test_example_codes_are_labelled_and_in_the_office_prefix(app, client, db, make_office):
    """A newcomer typed the page's example code and found nothing: every code shown as an
    illustration now says "Ví dụ:" and uses the office's own prefix, never another commune's."""
    make_office(code="TN", sms_number="+84909000100")
    home = text_of(client.get("/"))
    assert "Ví dụ: TT TN-241115-0007" in home
    status = text_of(client.get("/tn/status"))
    assert "Ví dụ: TN-241115-0007" in status and "Ví dụ: TT TN-241115-0007" in status
    bad = text_of(client.get("/tn/status?code=abc"))
    assert "Mã hồ sơ không đúng dạng. Ví dụ: TN-241115-0007" in bad
    for text in (home, status, bad):
        assert "VB-241115-0007" not in text
        # Every code-shaped string on the page is introduced as an example.
        for found in re.finditer(r"[A-Z]{1,5}-\d{6}-\d{4}", text):
            assert text[max(0, found.start() - 12):found.start()].rstrip().endswith(
                ("Ví dụ:", "Ví dụ: TT")), text[found.start() - 40:found.end()]


def test_example_code_with_a_code_already_typed_repeats_that_code(client, desk):
    text = text_of(client.get("/vb/status?code=VB-261203-0001"))
    assert "Nhắn TT VB-261203-0001 gửi" in text
