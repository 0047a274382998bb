"""Pages not in memory are built from kept parts (issue 13, item 8): the province catalogue
(app.lookup.catalogue), each commune's local parts and officers in charge
(app.lookup.commune_guides) and rendered pieces of a page (``fragment`` blocks: a guide's
facts, a commune's menu and footer). Every test here runs with the page cache off, so each
answer is built again — from those parts — and checks that no part outlives its data, nor
crosses from one commune, language or draft to another."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from app.guides import Draft, render_guide_page
from app.models import DutyShift, SiteVersion
from app.page_cache import page_cache
from tests.support.workers import FreshClient, statements

GUIDE = "/{code}/procedures/dang-ky-khai-sinh"


@pytest.fixture
def client(app, db):
    before = app.config["PAGE_CACHE_SIZE"], app.config["PAGE_CACHE_CHECK_SECONDS"]
    app.config["PAGE_CACHE_SIZE"] = 0  # every page built afresh: only the parts are kept
    app.config["PAGE_CACHE_CHECK_SECONDS"] = 3600  # commits in this worker are seen at once
    page_cache.clear()
    yield FreshClient(app, app.response_class, use_cookies=True)
    app.config["PAGE_CACHE_SIZE"], app.config["PAGE_CACHE_CHECK_SECONDS"] = before
    page_cache.clear()


@pytest.fixture
def two(make_office, make_procedure, make_officer):
    """The same province guide offered in Vĩnh Bửu (VB) and Tân Bình (TB), each with its own
    officer in charge."""
    vb = make_office("VB")
    tb = make_office("TB", name="UBND xã Tân Bình", name_en="Tan Binh Commune",
                     address="Ấp Tân Bình", phone="+842723800200", sms_number="+84909000200")
    guide = make_procedure(slug="dang-ky-khai-sinh", keyword="KS", name="Đăng ký khai sinh",
                           office=vb)
    make_procedure(slug="dang-ky-khai-sinh", office=tb)
    lan = make_officer("lan", office=vb, name="Trần Thị Lan", procedures=[guide],
                       public_phone="+84909000111")
    binh = make_officer("binh", office=tb, name="Lê Văn Bình", procedures=[guide],
                        public_phone="+84909000222")
    return vb, tb, guide, lan, binh


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def selects(db, do) -> list[str]:
    return [s for s in statements(db, do) if s.lstrip().upper().startswith("SELECT")]


def test_a_guide_page_built_again_asks_the_database_nothing(db, client, two):
    text(client, GUIDE.format(code="vb"))
    assert selects(db, lambda: text(client, GUIDE.format(code="vb"))) == []


def test_another_communes_page_loads_only_that_communes_part(db, client, two):
    text(client, GUIDE.format(code="vb"))
    asked = selects(db, lambda: text(client, GUIDE.format(code="tb")))
    assert asked, "Tân Bình's local part and officers are its own: read once"
    assert not any("FROM procedure_content" in s for s in asked)  # the facts: already kept


def test_each_commune_shows_its_own_name_officers_and_menu(client, two):
    vb_page, tb_page = text(client, GUIDE.format(code="vb")), text(client, GUIDE.format(code="tb"))
    assert "Trần Thị Lan" in vb_page and "Lê Văn Bình" not in vb_page
    assert "Lê Văn Bình" in tb_page and "Trần Thị Lan" not in tb_page
    assert 'href="/tb/status"' in tb_page and 'href="/vb/status"' not in tb_page
    assert "UBND xã Tân Bình" in tb_page and "UBND xã Vĩnh Bửu" not in tb_page
    assert "Tan Binh Commune" in text(client, GUIDE.format(code="tb") + "?lang=en")


def test_languages_keep_their_own_parts(client, two):
    text(client, GUIDE.format(code="vb"))
    english = text(client, GUIDE.format(code="vb") + "?lang=en")
    assert "Summary" in english and "Tóm tắt" not in english
    assert "Birth notice" in english and "Giấy chứng sinh" not in english


def test_a_province_edit_shows_in_every_commune_at_once(db, client, two):
    _vb, _tb, guide, *_ = two
    for code in ("vb", "tb"):
        text(client, GUIDE.format(code=code))
    guide.content("vi").documents = ["Giấy chứng sinh", "Sổ hộ khẩu cũ (nếu có)"]
    guide.content("vi").legal_basis = "Nghị định 120/2025/NĐ-CP"
    db.session.commit()
    for code in ("vb", "tb"):
        page = text(client, GUIDE.format(code=code))
        assert "Sổ hộ khẩu cũ (nếu có)" in page and "Nghị định 120/2025/NĐ-CP" in page


def test_a_local_edit_shows_in_its_commune_and_leaves_the_other_kept(db, client, two):
    vb, tb, guide, *_ = two
    for code in ("vb", "tb"):
        text(client, GUIDE.format(code=code))
    guide.local(vb.id).note = "Sáng thứ Bảy có cán bộ trực"
    db.session.commit()
    assert "Sáng thứ Bảy có cán bộ trực" in text(client, GUIDE.format(code="vb"))
    asked = selects(db, lambda: text(client, GUIDE.format(code="tb")))
    assert asked == []  # Tân Bình's parts did not move
    assert "Sáng thứ Bảy có cán bộ trực" not in text(client, GUIDE.format(code="tb"))


def test_officers_and_shifts_follow_the_roster_at_once(db, client, two, make_officer):
    vb, _tb, guide, lan, _binh = two
    text(client, GUIDE.format(code="vb"))
    db.session.add(DutyShift(officer_id=lan.id, weekday=2, start=time(13, 30), end=time(17, 0)))
    db.session.commit()
    assert "13:30" in text(client, GUIDE.format(code="vb"))
    hoa = make_officer("hoa", office=vb, name="Phạm Thị Hoa", public_phone="+84909000333")
    hoa.procedures.append(guide)
    db.session.commit()
    assert "Phạm Thị Hoa" in text(client, GUIDE.format(code="vb"))
    lan.active = False
    db.session.commit()
    assert "Trần Thị Lan" not in text(client, GUIDE.format(code="vb"))


def test_a_procedure_a_commune_stops_offering_is_gone_there_only(db, client, two):
    _vb, tb, guide, *_ = two
    for code in ("vb", "tb"):
        text(client, GUIDE.format(code=code))
    guide.local(tb.id).offered = False
    db.session.commit()
    assert client.get(GUIDE.format(code="tb")).status_code == 404
    assert client.get(GUIDE.format(code="vb")).status_code == 200


def test_another_workers_edit_shows_once_the_version_is_read_again(app, db, client, two):
    text(client, GUIDE.format(code="tb"))
    with db.engine.begin() as conn:  # another worker: the new facts and the province counter
        conn.execute(sa.text("UPDATE procedure_content SET summary = 'Tóm tắt ở worker khác' "
                             "WHERE lang = 'vi'"))
        conn.execute(sa.update(SiteVersion).values(content=SiteVersion.content + 1))
    db.session.expire_all()
    assert "Tóm tắt ở worker khác" not in text(client, GUIDE.format(code="tb"))  # not yet read
    app.config["PAGE_CACHE_CHECK_SECONDS"] = 0
    assert "Tóm tắt ở worker khác" in text(client, GUIDE.format(code="tb"))


def test_a_drafts_preview_never_takes_nor_leaves_kept_parts(app, db, client, two):
    vb, _tb, guide, *_ = two
    text(client, GUIDE.format(code="vb"))  # the published facts' parts are kept now
    draft = Draft.from_content(guide.content("vi"), guide.sms_keyword)
    draft.summary, draft.documents = "Bản nháp chưa đăng", ["Giấy tờ trong nháp"]
    with app.test_request_context(GUIDE.format(code="vb")):
        preview = render_guide_page(guide, "vi", draft, vb)
    assert "Bản nháp chưa đăng" in preview and "Giấy tờ trong nháp" in preview
    published = text(client, GUIDE.format(code="vb"))
    assert "Bản nháp chưa đăng" not in published and "Giấy tờ trong nháp" not in published


def test_each_request_gets_its_own_copy_of_the_kept_procedure(app, client, two):
    from app.lookup import read_guide

    vb, *_ = two
    with app.test_request_context(GUIDE.format(code="vb")):
        first = read_guide(vb, "dang-ky-khai-sinh")
        first.procedure.sms_keyword = "XX"
        with pytest.raises(AttributeError):
            first.procedure.content("vi").documents.append("thêm")  # kept lists are tuples
    with app.test_request_context(GUIDE.format(code="vb")):
        again = read_guide(vb, "dang-ky-khai-sinh")
    assert again.procedure.sms_keyword == "KS" and again.procedure is not first.procedure


def test_the_officers_own_note_is_not_kept_for_public_pages(app, db, client, two):
    from sqlalchemy.orm.exc import DetachedInstanceError

    from app.lookup import read_guide

    vb, _tb, guide, *_ = two
    guide.content("vi").officer_note = "Ghi chú nội bộ: phí chưa kiểm tra"
    db.session.commit()
    assert "Ghi chú nội bộ" not in text(client, GUIDE.format(code="vb"))
    with app.test_request_context(GUIDE.format(code="vb")):
        copy = read_guide(vb, "dang-ky-khai-sinh").procedure.content("vi")
        with pytest.raises(DetachedInstanceError):
            _ = copy.officer_note
