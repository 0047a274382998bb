"""The status page gives the current due date and the ONE thing to do next (issue 15, item 8):
bring paper X by date Y, collect from date Z, or nothing (we text you) — never a past due date
with "nothing to do"; an apology's new date is the date shown."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app import papers


@pytest.fixture
def desk(db, clock, make_office, make_procedure, make_officer):
    clock.local(datetime(2026, 12, 3, 9, 0))
    office = make_office()
    proc = make_procedure(office=office, name="Đăng ký khai sinh", processing_days=3)
    officer = make_officer(name="Lê Văn Cường", public_phone="+84909000102", procedures=[proc],
                           office=office)
    return proc, officer


def _page(pages, d, lang="vi") -> str:
    return pages.get("citizen.status", code=d.code, digits="5678", lang=lang).get_data(
        as_text=True)


def test_bring_papers_by_a_date(pages, desk, make_dossier):
    proc, officer = desk
    d = make_dossier(procedure=proc, officer=officer)
    papers.request_supplement(d, officer, papers="Bản chính giấy chứng sinh", reason="Bản sao mờ",
                              bring_by=date(2026, 12, 10), today=date(2026, 12, 3))
    text = _page(pages, d)
    assert "Mang đến xã: Bản chính giấy chứng sinh" in text and "10/12/2026" in text
    assert "Chưa cần làm gì" not in text
    assert 'href="tel:+84909000102"' in text  # who to call, with the digits


def test_late_without_apology_says_late_not_nothing_to_do(pages, desk, make_dossier):
    proc, officer = desk
    d = make_dossier(procedure=proc, officer=officer, received_at=datetime(2026, 11, 2, 2, 0))
    text = _page(pages, d)
    assert "Đang chậm" in text and "Chưa cần làm gì" not in text


def test_apology_new_date_is_the_date_shown(pages, desk, make_dossier):
    proc, officer = desk
    d = make_dossier(procedure=proc, officer=officer, received_at=datetime(2026, 11, 2, 2, 0))
    papers.apologise(d, officer, reason="Chờ xác minh", new_date=date(2026, 12, 9),
                     today=date(2026, 12, 3))
    text = _page(pages, d)
    assert "Hẹn trả mới" in text and "09/12/2026" in text and "Đang chậm" not in text
    assert "Xã xin lỗi vì hồ sơ bị chậm." in text


def test_apology_new_date_in_english(pages, desk, make_dossier):
    proc, officer = desk
    d = make_dossier(procedure=proc, officer=officer, received_at=datetime(2026, 11, 2, 2, 0))
    papers.apologise(d, officer, reason="Chờ xác minh", new_date=date(2026, 12, 9),
                     today=date(2026, 12, 3))
    en = _page(pages, d, "en")
    assert "New result date" in en and "09/12/2026" in en


def test_refusal_reason_is_shown(pages, desk, make_dossier):
    proc, officer = desk
    d = make_dossier(procedure=proc, officer=officer)
    papers.refuse(d, officer, reason="Đăng ký tại xã nơi cha mẹ ở")
    text = _page(pages, d)
    assert "Đăng ký tại xã nơi cha mẹ ở" in text and "Hẹn trả" not in text
