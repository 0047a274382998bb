"""The rendered-page cache (app/page_cache.py): pages come from memory, and never outlive the data
they show — a guide edit, a roster change, a dossier's new status, the minute, the day."""

from __future__ import annotations

import gzip
from datetime import datetime, time

import brotli
import pytest
import sqlalchemy as sa

from app.dossiers import change_status
from app.models import OfficeVersion, SiteVersion
from app.page_cache import page_cache
from tests.support.workers import FreshClient, statements


@pytest.fixture
def client(app, db):
    page_cache.clear()
    return FreshClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def every(app):
    """Set how often a worker re-reads the version row (tests default to every request)."""
    before = app.config["PAGE_CACHE_CHECK_SECONDS"]

    def set_(seconds: float) -> None:
        app.config["PAGE_CACHE_CHECK_SECONDS"] = seconds
        page_cache.forget_version()

    yield set_
    app.config["PAGE_CACHE_CHECK_SECONDS"] = before


@pytest.fixture
def guide(make_procedure):
    return make_procedure(slug="dang-ky-khai-sinh", keyword="KS", name="Đăng ký khai sinh")


def frozen_monotonic(monkeypatch, every, start: float) -> dict:
    """Re-read the version row every second, on a clock the test moves by hand."""
    every(1.0)
    clock = {"now": start}
    monkeypatch.setattr("app.page_cache.time.monotonic", lambda: clock["now"])
    return clock


def edit_in_another_worker(db, summary: str) -> None:
    """What another worker's guide edit leaves in the database: the new text and a bumped
    version row — with no ORM event in this process."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE procedure_content SET summary = :s WHERE lang = 'vi'"),
                     {"s": summary})
        conn.execute(sa.update(SiteVersion).values(content=SiteVersion.content + 1))
    db.session.expire_all()


def counts() -> tuple[int, int]:
    return page_cache.hits, page_cache.misses


def version(db) -> tuple:
    """``(epoch, content, dossiers)``: the province row plus every commune's row."""
    epoch, content, dossiers = db.session.execute(
        sa.select(SiteVersion.epoch, SiteVersion.content, SiteVersion.dossiers)).one()
    for c, d in db.session.execute(sa.select(OfficeVersion.content, OfficeVersion.dossiers)):
        content, dossiers = content + c, dossiers + d
    return epoch, content, dossiers


def test_second_visit_is_served_from_memory_with_the_same_bytes(client, guide):
    first = client.get("/vb/procedures/dang-ky-khai-sinh")
    hits, misses = counts()
    again = client.get("/vb/procedures/dang-ky-khai-sinh")
    assert counts() == (hits + 1, misses)
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "Đăng ký khai sinh" in again.get_data(as_text=True)


@pytest.mark.parametrize("accept, decode", [
    ("br", brotli.decompress), ("gzip", gzip.decompress), ("gzip, br", brotli.decompress),
    ("identity", lambda b: b), ("br;q=0, gzip", gzip.decompress),
])
def test_each_encoding_decodes_to_the_same_page(client, guide, accept, decode):
    plain = client.get("/vb/procedures/dang-ky-khai-sinh", headers={"Accept-Encoding": ""})
    for _ in range(2):  # the miss and the hit
        response = client.get("/vb/procedures/dang-ky-khai-sinh", headers={"Accept-Encoding": accept})
        assert decode(response.get_data()) == plain.get_data()
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(response.get_data())


def test_a_cached_page_still_answers_304_to_a_repeat_visit(client, guide):
    first = client.get("/vb/procedures/dang-ky-khai-sinh", headers={"Accept-Encoding": "br"})
    assert first.headers["ETag"].endswith(':br"')
    again = client.get("/vb/procedures/dang-ky-khai-sinh",
                       headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_languages_are_cached_apart(client, guide):
    vi = client.get("/vb/procedures/dang-ky-khai-sinh").get_data(as_text=True)
    en = client.get("/vb/procedures/dang-ky-khai-sinh?lang=en").get_data(as_text=True)
    # ?lang=en is remembered in the session: the bare URL now answers in English, not the
    # Vietnamese copy stored under the same URL a moment ago.
    remembered = client.get("/vb/procedures/dang-ky-khai-sinh").get_data(as_text=True)
    assert 'lang="vi"' in vi and 'lang="en"' in en and 'lang="en"' in remembered
    assert "Birth registration" in remembered


def test_an_edited_guide_shows_at_once_in_this_worker(db, client, guide, every):
    every(3600)  # even if the version row were re-read only hourly: our own commit tells us
    client.get("/vb/procedures/dang-ky-khai-sinh")
    hits, _ = counts()
    client.get("/vb/procedures/dang-ky-khai-sinh")
    assert counts()[0] == hits + 1  # cached
    guide.content("vi").summary = "Tóm tắt mới sau khi sửa"
    db.session.commit()
    assert "Tóm tắt mới sau khi sửa" in client.get("/vb/procedures/dang-ky-khai-sinh").get_data(
        as_text=True)


def test_another_workers_change_shows_after_the_check_interval(db, client, guide, every,
                                                                monkeypatch):
    clock = frozen_monotonic(monkeypatch, every, 1000.0)
    client.get("/vb/procedures/dang-ky-khai-sinh")
    # Another worker edits the guide: its commit bumps the version row, but this worker only
    # learns that when it next reads the row.
    edit_in_another_worker(db, "Sửa ở worker khác")
    clock["now"] += 0.5
    assert "Sửa ở worker khác" not in client.get("/vb/procedures/dang-ky-khai-sinh").get_data(
        as_text=True)  # within the second: the copy in memory
    clock["now"] += 0.6
    assert "Sửa ở worker khác" in client.get("/vb/procedures/dang-ky-khai-sinh").get_data(
        as_text=True)


def test_orm_changes_move_the_right_counter_and_a_rollback_moves_none(db, guide, make_dossier):
    epoch, content, dossiers = version(db)
    guide.content("vi").fee = "50.000 đồng"
    db.session.commit()
    assert version(db) == (epoch, content + 1, dossiers)

    dossier = make_dossier(procedure=guide)
    _, content2, dossiers2 = version(db)
    assert dossiers2 > dossiers
    change_status(dossier, "processing", None)
    assert version(db)[2] > dossiers2 and version(db)[1] == content2

    guide.content("vi").fee = "rolled back"
    db.session.flush()
    db.session.rollback()
    assert version(db)[1] == content2


def test_a_dossier_status_change_shows_on_the_status_page_at_once(db, client, make_dossier,
                                                                  every):
    every(3600)
    dossier = make_dossier(phone="+84912345678")
    url = f"/vb/status?code={dossier.code}&digits=5678"
    before = client.get(url)
    assert before.headers["Cache-Control"] == "no-store" and "ETag" not in before.headers
    hits, _ = counts()
    client.get(url)
    assert counts()[0] == hits + 1  # from memory
    change_status(dossier, "ready", None)
    after = client.get(url).get_data(as_text=True)
    assert "Đã có kết quả, mời nhận" in after
    assert "Đã có kết quả, mời nhận" not in before.get_data(as_text=True)


def test_wrong_digits_never_reach_the_full_page_stored_for_the_right_ones(client, make_dossier):
    dossier = make_dossier(phone="+84912345678")
    right = client.get(f"/vb/status?code={dossier.code}&digits=5678").get_data(as_text=True)
    wrong = client.get(f"/vb/status?code={dossier.code}&digits=1111").get_data(as_text=True)
    assert "Trần Thị Lan" in right and "Trần Thị Lan" not in wrong


def test_who_is_on_duty_follows_the_clock(client, make_officer, make_procedure, make_shift,
                                          clock):
    procedure = make_procedure()
    officer = make_officer(name="Lê Văn Sáng", procedures=[procedure], public_phone="+84909000111")
    make_shift(officer, 0, time(7, 0), time(11, 30))  # Monday morning
    clock.local(datetime(2026, 11, 16, 11, 29))

    def duty_box() -> str:
        html = client.get("/").get_data(as_text=True)
        return html.split('id="duty-h"', 1)[1].split("</section>", 1)[0]

    on_duty = duty_box()
    assert 'href="tel:+84909000111"' in on_duty
    assert duty_box() == on_duty  # same minute: from memory
    clock.local(datetime(2026, 11, 16, 11, 31))
    after = duty_box()  # the shift ended: not the copy from 11:29
    assert after != on_duty and 'href="tel:+84909000111"' not in after


def test_a_roster_change_shows_at_once(db, client, make_officer, make_procedure, make_shift,
                                       clock, every):
    every(3600)
    clock.local(datetime(2026, 11, 16, 9, 0))
    officer = make_officer(name="Võ Thị Chiều", procedures=[make_procedure()],
                           public_phone="+84909000222")
    assert "Võ Thị Chiều" not in client.get("/").get_data(as_text=True).split(
        'id="duty-h"', 1)[1].split("</section>", 1)[0]
    make_shift(officer, 0, time(7, 0), time(11, 30))
    assert "Võ Thị Chiều" in client.get("/").get_data(as_text=True).split(
        'id="duty-h"', 1)[1].split("</section>", 1)[0]


def test_flashed_messages_are_shown_once_and_never_stored(app, client, guide):
    client.get("/vb/procedures/dang-ky-khai-sinh")
    with client.session_transaction() as sess:
        sess["_flashes"] = [("message", "Đã gửi hướng dẫn")]
    hits, misses = counts()
    with_flash = client.get("/vb/procedures/dang-ky-khai-sinh").get_data(as_text=True)
    assert counts() == (hits, misses)  # bypassed: neither read nor written
    assert "Đã gửi hướng dẫn" in with_flash
    assert "Đã gửi hướng dẫn" not in client.get("/vb/procedures/dang-ky-khai-sinh").get_data(
        as_text=True)


def test_errors_are_not_stored(client, guide):
    for _ in range(2):
        response = client.get("/vb/status?code=xx")
        assert response.status_code == 400
    assert client.get("/vb/procedures/khong-co").status_code == 404
    assert not any(key.view == "status" for key in page_cache._entries)


def test_the_cache_is_bounded(app, client, guide):
    app.config["PAGE_CACHE_SIZE"] = 3
    try:
        for n in range(6):
            client.get(f"/vb/procedures?q=khai{n}")
        assert len(page_cache) == 3
    finally:
        app.config["PAGE_CACHE_SIZE"] = 256


def test_size_zero_turns_it_off(app, client, guide):
    app.config["PAGE_CACHE_SIZE"] = 0
    try:
        hits, misses = counts()
        client.get("/vb/procedures/dang-ky-khai-sinh")
        client.get("/vb/procedures/dang-ky-khai-sinh")
        assert counts() == (hits, misses)
    finally:
        app.config["PAGE_CACHE_SIZE"] = 256


def test_an_emptied_version_table_serves_fresh_pages_until_the_next_change(db, client, guide):
    with db.engine.begin() as conn:
        conn.execute(sa.delete(SiteVersion))
    hits, misses = counts()
    client.get("/vb/procedures/dang-ky-khai-sinh")
    client.get("/vb/procedures/dang-ky-khai-sinh")
    assert counts() == (hits, misses)
    guide.content("vi").fee = "20.000 đồng"
    db.session.commit()  # the change recreates the row, with a new epoch
    client.get("/vb/procedures/dang-ky-khai-sinh")
    assert counts() == (hits, misses + 1)


def test_rate_limits_still_count_answers_that_come_from_memory(client, make_dossier):
    dossier = make_dossier(phone="+84912345678")
    url = f"/vb/status?code={dossier.code}&digits=5678"
    hits, _ = counts()
    answers = [client.get(url, environ_base={"REMOTE_ADDR": f"10.3.0.{n}"}).status_code
               for n in range(11)]  # ten addresses: one alone is stopped at 5
    assert counts()[0] >= hits + 9  # served from memory…
    assert answers[:10] == [200] * 10 and answers[10] == 429  # …and still 10 guesses an hour


# --------------------------------------------------------------------------- FastPath


def fast_hits() -> int:
    return page_cache.fast_hits


def test_a_cookieless_repeat_is_answered_before_flask_with_the_same_bytes(client, guide, every):
    every(60)
    first = client.get("/vb/procedures/dang-ky-khai-sinh", headers={"Accept-Encoding": "br"})
    before = fast_hits()
    again = client.get("/vb/procedures/dang-ky-khai-sinh", headers={"Accept-Encoding": "br"})
    assert fast_hits() == before + 1
    assert again.get_data() == first.get_data()
    assert sorted(again.headers.items()) == sorted(first.headers.items())
    assert "Cookie" in again.headers["Vary"] and "Content-Security-Policy" in again.headers


def test_head_and_304_on_the_fast_path(client, guide, every):
    every(60)
    first = client.get("/vb/procedures/dang-ky-khai-sinh", headers={"Accept-Encoding": "gzip"})
    before = fast_hits()
    head = client.head("/vb/procedures/dang-ky-khai-sinh", headers={"Accept-Encoding": "gzip"})
    assert head.get_data() == b"" and head.headers["Content-Length"] == first.headers[
        "Content-Length"]
    again = client.get("/vb/procedures/dang-ky-khai-sinh", headers={
        "Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert fast_hits() == before + 2


def test_visitors_with_a_cookie_a_language_or_htmx_go_through_flask(client, guide, every):
    every(60)
    client.get("/vb/procedures/dang-ky-khai-sinh")
    client.get("/vb/procedures?q=khai")
    before = fast_hits()
    client.get("/vb/procedures?q=khai", headers={"HX-Request": "true"})
    en = client.get("/vb/procedures/dang-ky-khai-sinh?lang=en")  # sets the session cookie
    assert "Set-Cookie" in en.headers
    remembered = client.get("/vb/procedures/dang-ky-khai-sinh")  # now with the cookie
    assert fast_hits() == before  # the first visit with it is Flask's (see below)
    assert 'lang="en"' in remembered.get_data(as_text=True)


def test_a_visitor_who_chose_english_is_answered_by_the_fast_path(app, client, guide, every):
    """A session that holds nothing but the language: FastPath checks its signature and age
    as Flask does and answers the English page; anything more in the session goes to Flask."""
    every(60)
    url = "/vb/procedures/dang-ky-khai-sinh"
    client.get(url + "?lang=en")
    client.get(url)  # Flask-Login's session protection may still touch the session once
    through_flask = client.get(url)
    before = fast_hits()
    fast = client.get(url)
    assert fast_hits() == before + 1
    assert fast.get_data() == through_flask.get_data() and 'lang="en"' in fast.get_data(
        as_text=True)
    assert "Set-Cookie" not in fast.headers
    cookie = client.get_cookie("session")
    # A cookie that is not ours (a changed signature) is Flask's: an empty session, Vietnamese.
    forged = FreshClient(app, app.response_class)
    forged.set_cookie("session", cookie.value[:-2] + ("AA" if cookie.value[-2:] != "AA" else "BB"))
    before = fast_hits()
    page = forged.get(url)
    assert fast_hits() == before and 'lang="vi"' in page.get_data(as_text=True)
    # A session holding more (a form's CSRF token) is Flask's too.
    client.get("/vb/feedback")
    before = fast_hits()
    client.get(url)
    client.get(url)
    assert fast_hits() == before


def test_the_status_page_never_skips_its_rate_limits(client, make_dossier, every):
    every(60)
    dossier = make_dossier(phone="+84912345678")
    before = fast_hits()
    for _ in range(3):
        client.get(f"/vb/status?code={dossier.code}")
    assert fast_hits() == before


def test_the_fast_path_hands_over_when_the_version_is_due(db, client, guide, every,
                                                          monkeypatch):
    clock = frozen_monotonic(monkeypatch, every, 5000.0)
    client.get("/vb/procedures/dang-ky-khai-sinh")
    edit_in_another_worker(db, "Bản mới")
    before = fast_hits()
    clock["now"] += 0.5
    assert "Bản mới" not in client.get("/vb/procedures/dang-ky-khai-sinh").get_data(as_text=True)
    assert fast_hits() == before + 1
    clock["now"] += 0.6  # the check is due: Flask re-reads the row and renders the new page
    assert "Bản mới" in client.get("/vb/procedures/dang-ky-khai-sinh").get_data(as_text=True)
    assert fast_hits() == before + 1


def test_the_fast_path_follows_the_minute(client, make_officer, make_procedure, make_shift,
                                          clock, every):
    every(60)
    officer = make_officer(procedures=[make_procedure()], public_phone="+84909000111")
    make_shift(officer, 0, time(7, 0), time(11, 30))
    clock.local(datetime(2026, 11, 16, 11, 29))
    on_duty = client.get("/").get_data(as_text=True)
    before = fast_hits()
    assert client.get("/").get_data(as_text=True) == on_duty
    assert fast_hits() == before + 1
    clock.local(datetime(2026, 11, 16, 11, 31))
    after = client.get("/").get_data(as_text=True)
    assert fast_hits() == before + 1
    assert 'href="tel:+84909000111"' in on_duty.split('id="duty-h"')[1].split("</section>")[0]
    assert 'href="tel:+84909000111"' not in after.split('id="duty-h"')[1].split("</section>")[0]


def _office_queries(db, do) -> int:
    """How many statements ``do()`` sends that read the office table."""
    return sum(1 for s in statements(db, do) if "FROM office " in s or "FROM office\n" in s)


def test_the_commune_of_an_address_is_kept_until_its_row_changes(db, client, make_dossier,
                                                                  every):
    """A status lookup runs Flask every time (its rate limits): its commune comes from the
    worker's memory, not a query, and an office edit (its own counter) is seen at once."""
    every(0)
    dossier = make_dossier(phone="+84912345678")
    url = f"/vb/status?code={dossier.code}&digits=5678"
    assert client.get(url).status_code == 200
    assert _office_queries(db, lambda: client.get(url)) == 0
    office = dossier.office
    office.name = "UBND xã Vĩnh Bửu Mới"
    db.session.commit()
    assert _office_queries(db, lambda: client.get("/vb/contacts")) == 1  # read again, once
    assert "Vĩnh Bửu Mới" in client.get("/vb/contacts").get_data(as_text=True)
    assert _office_queries(db, lambda: client.get(url)) == 0


def test_a_kept_commune_follows_an_edit_made_by_another_worker(db, client, make_dossier, every):
    every(0)
    dossier = make_dossier(phone="+84912345678")
    assert client.get("/vb/contacts").status_code == 200
    with db.engine.begin() as conn:  # another worker: the row and its commune's counter
        conn.execute(sa.text("UPDATE office SET name = 'UBND xã Đổi Tên' WHERE id = :i"),
                     {"i": dossier.office_id})
        conn.execute(sa.update(OfficeVersion).where(OfficeVersion.office_id == dossier.office_id)
                     .values(content=OfficeVersion.content + 1))
    db.session.expire_all()
    assert "Đổi Tên" in client.get("/vb/contacts").get_data(as_text=True)
    assert client.get("/zz/contacts").status_code == 404  # an unknown code is never kept
