"""The province's public scorecard (issue 13, item 7): the commune scorecard summed over every
commune, one line per commune linking to its own; with one commune, that commune's scorecard."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta

import pytest

from app import metrics
from app.budgets import HTML_BUDGET
from app.clock import office_today
from app.demo.loader import NAMES, load_demo
from app.dossiers import change_status
from app.models import Feedback, Office, utcnow


@pytest.fixture
def two(db, clock, make_office, make_procedure, make_dossier):
    clock.local(datetime(2026, 3, 18, 10, 0))
    vb = make_office("VB")
    vt = make_office("VT", name="UBND xã Vĩnh Thạnh", sms_number="+84909000200")
    done = make_dossier(make_procedure(office=vb), office=vb, channel="online")
    change_status(done, "processing", None, notify=False)
    change_status(done, "ready", None, notify=False)
    p_vt = make_procedure(office=vt)
    make_dossier(p_vt, office=vt, applicant_name="Người Nộp Riêng")
    late = make_dossier(p_vt, office=vt, received_at=utcnow() - timedelta(days=30))
    late.due_on = office_today(vt) - timedelta(days=5)
    db.session.add(Feedback(office_id=vt.id, rating=4, dossier_id=late.id, proven=True))
    db.session.commit()
    return vb, vt


def test_sums_every_commune_with_a_line_each(client, pages, two):
    vb, vt = two
    response = pages.get("province.province_index")
    html = response.get_data(as_text=True)
    assert "Các xã phục vụ người dân thế nào" in html and "Cộng số liệu của 2 xã." in html
    assert len(gzip.compress(response.get_data(), 9)) <= HTML_BUDGET
    assert not response.page.scripts
    facts = html[html.index('<dl class="facts'):html.index("</dl>")]
    # 3 received, 1 finished (on time), 1 of 3 online, 1 overdue, the one rating is a 4.
    for figure in ('<dd class="big">3</dd>', '<dd class="big">1</dd>', "33,3%", "100%"):
        assert figure in facts, figure
    communes = html[html.index('id="communes"'):]
    communes = communes[:communes.index("</table>")]
    assert communes.index("Vĩnh Bửu") < communes.index("Vĩnh Thạnh")  # A to Z
    for office in two:
        assert f'href="{pages.url("citizen.scorecard", office=office.slug)}"' in communes
    assert "Người Nộp Riêng" not in html  # counts and rates only


def test_the_lines_add_up_to_the_totals(two):
    vb, vt = two
    data = metrics.public_index(vb, scope=metrics.Scope(None))
    period = metrics.public_period(office_today(vb))
    rows = metrics.commune_figures([vb, vt], period)
    assert data["received"] == sum(r.received for r in rows) == 3
    assert data["finished"] == sum(r.finished for r in rows) == 1
    assert data["overdue_now"] == sum(r.overdue for r in rows) == 1
    assert data["satisfaction"]["ratings"] == sum(r.ratings for r in rows) == 1
    # The page's quick way gives the slow way's numbers.
    quick = metrics.province_public([vb, vt])
    for key in ("received", "finished", "overdue_now", "on_time_rate", "online_share"):
        assert quick[key] == data[key], key
    assert quick["satisfaction"]["good_share"] == data["satisfaction"]["good_share"]
    assert quick["index_766"]["points"] == data["index_766"]["points"]
    assert [(m["month"], m["received"], m["on_time_rate"], m["online_share"])
            for m in quick["months"]] == [
        (m["month"], m["received"], m["on_time_rate"], m["online_share"]) for m in data["months"]]
    for office in two:
        alone = metrics.public_index(office)
        row = next(r for r in rows if r.office is office)
        assert (row.received, row.finished, row.overdue) == (
            alone["received"], alone["finished"], alone["overdue_now"])
        assert metrics.pct(row.on_time_rate) == alone["on_time_rate"]
        assert metrics.pct(row.online_share) == alone["online_share"]


def test_one_commune_is_its_own_scorecard(client, pages, db, make_office):
    make_office()
    html = pages.get("province.province_index").get_data(as_text=True)
    assert "Xã phục vụ người dân thế nào" in html and "Cộng số liệu" not in html


def test_in_english(client, pages, two):
    html = pages.get("province.province_index", lang="en").get_data(as_text=True)
    assert "Each commune" in html


def test_a_new_dossier_shows_at_once(client, pages, two, make_dossier):
    vb, _vt = two
    assert "Cộng số liệu của 2 xã." in client.get("/index").get_data(as_text=True)
    make_dossier(office=vb)
    html = client.get("/index").get_data(as_text=True)
    facts = html[html.index('<dl class="facts'):html.index("</dl>")]
    assert '<dd class="big">4</dd>' in facts  # not the worker's earlier answer


def test_no_commune_yet_is_not_a_500(client, db):
    assert client.get("/index").status_code == 503


def test_a_hundred_communes_fit_the_budget(client, pages, db):
    for n in range(100):
        db.session.add(Office(code=f"X{n:02d}", name=f"UBND xã Thạnh Hưng Bình {n:02d}",
                              sms_number=f"+849090{n:05d}"))
    db.session.commit()
    response = pages.get("province.province_index")
    assert len(gzip.compress(response.get_data(), 9)) <= HTML_BUDGET
    assert response.get_data(as_text=True).count("<tr><th scope=\"row\"><a href=") == 100


def test_the_demo_province(client, pages, db):
    load_demo("demo-password-1")
    response = pages.get("province.province_index", lang="en")
    html = response.get_data(as_text=True)
    assert "Totals of 3 communes." in html
    for name in ("Vĩnh Bửu", "Vĩnh Thạnh", "Hưng Điền A"):
        assert name in html
    for name in NAMES:
        assert name not in html
    assert len(gzip.compress(response.get_data(), 9)) <= HTML_BUDGET
