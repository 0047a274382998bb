"""The citizen page "Nhờ hỗ trợ nộp trên mạng" (issue 16): hamlets, members' phones (tap to
call), when they help and who helps now; linked from the home page and from every guide of a
procedure that can be filed online, within the citizen budgets (the ``pages`` checks)."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from app.models import Hamlet, TeamMember, TeamSlot


@pytest.fixture
def bon(db, make_office):
    office = make_office()
    hamlet = Hamlet(office_id=office.id, name="Ấp Bốn", keyword="AP4")
    db.session.add(hamlet)
    db.session.flush()
    lan = TeamMember(hamlet_id=hamlet.id, name="Võ Thị Lan", phone="+84909000206")
    gone = TeamMember(hamlet_id=hamlet.id, name="Người Đã Nghỉ", phone="+84909000209",
                      active=False)
    db.session.add_all([lan, gone])
    db.session.flush()
    for wd in range(5):
        db.session.add(TeamSlot(member_id=lan.id, weekday=wd, start=time(7), end=time(11)))
    db.session.commit()
    return hamlet


def test_the_page_lists_members_with_tel_links_and_hours(pages, bon, clock):
    clock.local(datetime(2026, 12, 3, 9, 0))
    response = pages.get("citizen.team_helpers")
    html = response.get_data(as_text=True)
    assert "Ấp Bốn" in html and "Võ Thị Lan" in html
    assert 'href="tel:+84909000206"' in html
    assert "T2-T6 07:00-11:00" in html and "đang giúp" in html
    assert "HT AP4" in html and "chỉ gửi cho 1 người giúp" in html
    assert "Người Đã Nghỉ" not in html


def test_in_english_and_out_of_hours(pages, bon, clock):
    clock.local(datetime(2026, 12, 3, 19, 0))
    html = pages.get("citizen.team_helpers", lang="en").get_data(as_text=True)
    assert "Help to file online" in html and "Mon-Fri 07:00-11:00" in html
    assert "helping now" not in html


def test_no_teams_yet(pages, make_office):
    make_office()
    assert "Hỏi cán bộ xã" in pages.get("citizen.team_helpers").get_data(as_text=True)


def test_linked_from_home_and_online_guides_only(pages, bon, make_procedure):
    link = pages.url("citizen.team_helpers")
    assert f'href="{link}"' in pages.get("citizen.home").get_data(as_text=True)
    online = make_procedure(slug="khai-sinh", online_mode="full")
    offline = make_procedure(slug="chung-thuc", online_mode="offline")
    assert f'href="{link}"' in pages.get("citizen.guide", slug=online.slug).get_data(as_text=True)
    assert f'href="{link}"' not in pages.get("citizen.guide",
                                             slug=offline.slug).get_data(as_text=True)
