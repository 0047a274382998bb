"""The province leader's table (issue 13, item 7): every commune side by side, sorted by links,
the same rows as CSV, the dashboard's definitions, province roles only."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest

from app import metrics
from app.clock import office_today
from app.dossiers import change_status
from app.models import Feedback, Message, Officer, utcnow
from app.officer.province import COLUMNS
from tests.conftest import PASSWORD
from tests.support.desk import sign_in


@pytest.fixture
def province(db, clock, make_office, make_procedure, make_dossier):
    """Vĩnh Bửu: 3 dossiers this month (one online, finished on time; one overdue since last
    month), a 5 rating and a sent text. Vĩnh Thạnh: 1 dossier, finished late, a 2 rating.
    Mộc Hóa: nothing at all (every rate "—")."""
    clock.local(datetime(2026, 3, 18, 10, 0))
    vb = make_office("VB")
    vt = make_office("VT", name="UBND xã Vĩnh Thạnh", sms_number="+84909000200")
    mh = make_office("MH", name="UBND xã Mộc Hóa", sms_number="+84909000300")
    p_vb = make_procedure(office=vb)
    p_vt = make_procedure(office=vt)
    done = make_dossier(p_vb, office=vb, channel="online")
    change_status(done, "processing", None, notify=False)
    change_status(done, "ready", None, notify=False)
    make_dossier(p_vb, office=vb)
    late = make_dossier(p_vb, office=vb, received_at=utcnow() - timedelta(days=30))
    late.due_on = office_today(vb) - timedelta(days=10)
    slow = make_dossier(p_vt, office=vt, received_at=utcnow() - timedelta(days=12))
    slow.due_on = office_today(vt) - timedelta(days=3)
    change_status(slow, "processing", None, notify=False)
    change_status(slow, "ready", None, notify=False)
    db.session.add_all([
        Feedback(office_id=vb.id, rating=5, dossier_id=done.id, proven=True),
        Feedback(office_id=vt.id, rating=2, dossier_id=slow.id, proven=True),
        Feedback(office_id=vt.id, rating=1, proven=False),  # not proven: never counted
        Message(office_id=vb.id, direction="out", phone="+84912345678", body="x", status="sent"),
        Message(office_id=vt.id, direction="out", phone="+84912345678", body="x", status="failed"),
    ])
    db.session.commit()
    return {"vb": vb, "vt": vt, "mh": mh}


def province_officer(db, role: str) -> Officer:
    officer = Officer(username=role.replace("_", ""), name="Nguyễn Văn Tỉnh", role=role,
                      office_id=None)
    officer.set_password(PASSWORD)
    db.session.add(officer)
    db.session.commit()
    return officer


@pytest.fixture
def leader(client, db, login):
    officer = province_officer(db, "province_leader")
    assert login(officer).status_code == 302
    return officer


class _Rows(HTMLParser):
    """The body and foot rows of ``#table-province``: each cell's text, spaces collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.inside = self.in_head = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "table-province") in attrs:
            self.inside = True
        elif self.inside and tag == "thead":
            self.in_head = True
        elif self.inside and not self.in_head and tag == "tr":
            self.rows.append([])
        elif self.inside and not self.in_head and tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag == "thead":
            self.in_head = False
        elif tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def rows_of(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


@pytest.mark.parametrize("role", ["province_admin", "province_leader"])
def test_province_roles_see_every_commune(client, pages, db, login, province, role):
    assert login(province_officer(db, role)).status_code == 302
    response = pages.get("officer.province")
    rows = rows_of(response.get_data(as_text=True))
    assert [r[0] for r in rows] == ["UBND xã Mộc Hóa", "UBND xã Vĩnh Bửu", "UBND xã Vĩnh Thạnh",
                                    "Cả tỉnh"]
    by_name = {r[0]: dict(zip([c.key for c in COLUMNS], r, strict=True)) for r in rows}
    vb, vt, mh, whole = (by_name["UBND xã Vĩnh Bửu"], by_name["UBND xã Vĩnh Thạnh"],
                         by_name["UBND xã Mộc Hóa"], by_name["Cả tỉnh"])
    assert (vb["received"], vb["finished"], vb["on_time"], vb["overdue"]) == ("2", "1", "100%", "1")
    assert vb["online"] == "50%" and vb["rating"] == "5" and vb["ratings"] == "1" and vb["sms"] == "1"
    assert (vt["received"], vt["on_time"], vt["overdue"], vt["rating"], vt["sms"]) == (
        "1", "0%", "0", "2", "0")
    assert mh["on_time"] == mh["online"] == mh["rating"] == "—" and mh["received"] == "0"
    assert (whole["received"], whole["finished"], whole["on_time"]) == ("3", "2", "50%")
    assert whole["rating"] == "3,5" and whole["ratings"] == "2" and whole["overdue"] == "1"


def test_figures_are_the_dashboards(province):
    period = metrics.month_period(office_today(province["vb"]))
    rows = metrics.commune_figures([province["vb"], province["vt"], province["mh"]], period)
    for row in rows:
        fig = metrics.figures(row.office, period)
        assert (row.received, row.online, row.finished, row.finished_on_time) == (
            fig.received, fig.online, fig.finished, fig.finished_on_time)
        assert row.overdue == len(fig.overdue)
        assert (row.ratings, row.rating_mean) == (fig.satisfaction.count, fig.satisfaction.mean)
        assert row.sms_sent == fig.sms.sent


@pytest.mark.parametrize("role", ["admin", "officer", "leader"])
def test_commune_roles_are_refused(client, pages, make_officer, login, province, role):
    sign_in(client, make_officer, login, role)
    pages.get("officer.province", _expected_status=403)
    assert client.get("/officer/province.csv").status_code == 403


def test_signed_out_goes_to_login(client, province):
    for url in ("/officer/province", "/officer/province.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/officer/login" in response.headers["Location"]


def test_sort_by_link_and_back(client, pages, leader, province):
    html = pages.get("officer.province", sort="on_time", dir="desc").get_data(as_text=True)
    # Known rates first, largest first; the commune with no data last either way.
    assert [r[0] for r in rows_of(html)][:3] == ["UBND xã Vĩnh Bửu", "UBND xã Vĩnh Thạnh",
                                                 "UBND xã Mộc Hóa"]
    assert 'aria-sort="descending"' in html
    html = pages.get("officer.province", sort="on_time", dir="asc").get_data(as_text=True)
    assert [r[0] for r in rows_of(html)][:3] == ["UBND xã Vĩnh Thạnh", "UBND xã Vĩnh Bửu",
                                                 "UBND xã Mộc Hóa"]
    # The sorted column's header link turns the order round; the period rides along.
    html = pages.get("officer.province", sort="received", dir="asc", period="year").get_data(
        as_text=True)
    assert "sort=received&amp;dir=desc" in html and "period=year" in html
    # A stale or made-up sort falls back to the names.
    html = pages.get("officer.province", sort="drop table", dir="x").get_data(as_text=True)
    assert [r[0] for r in rows_of(html)][0] == "UBND xã Mộc Hóa"


@pytest.mark.parametrize(("sort", "direction"), [("name", "asc"), ("overdue", "desc"),
                                                 ("rating", "asc"), ("sms", "desc")])
def test_csv_has_the_tables_rows(client, pages, leader, province, sort, direction):
    html = pages.get("officer.province", sort=sort, dir=direction).get_data(as_text=True)
    response = client.get(f"/officer/province.csv?sort={sort}&dir={direction}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header == [str(c.label) for c in COLUMNS]
    assert rows == rows_of(html)


def test_bad_dates_are_an_error_not_a_500(client, pages, leader, province):
    response = pages.get("officer.province", period="custom", **{"from": "31/02/2026", "to": ""},
                         _expected_status=400)
    assert "Nhập ngày kết thúc." in response.get_data(as_text=True)
    assert client.get("/officer/province.csv?period=custom&from=x&to=y").status_code == 400


def test_custom_period_counts_only_its_days(client, pages, leader, province):
    # February: Vĩnh Bửu's overdue dossier was received then; nothing finished.
    html = pages.get("officer.province", period="custom", **{"from": "01/02/2026",
                                                             "to": "28/02/2026"}).get_data(
        as_text=True)
    by_name = {r[0]: r for r in rows_of(html)}
    assert by_name["UBND xã Vĩnh Bửu"][1:4] == ["1", "0", "—"]
    assert by_name["UBND xã Vĩnh Bửu"][5] == "1"  # overdue now, whenever received


def test_in_english(client, pages, leader, province):
    from flask_babel import refresh

    refresh()  # the test's app context outlives requests; drop the locale the login cached
    html = pages.get("officer.province", lang="en").get_data(as_text=True)
    assert "Whole province" in html


def test_empty_province(client, pages, db, login):
    assert login(province_officer(db, "province_leader")).status_code == 302
    html = pages.get("officer.province").get_data(as_text=True)
    assert "Chưa có xã nào." in html
