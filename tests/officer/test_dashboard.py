"""Leader dashboard: roles, period chooser (bad dates → 400 with input kept), filters, SVG
charts each with a table, CSV export of every table, the officer home panel."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from app import metrics
from app.clock import office_today
from app.dossiers import change_status
from app.models import utcnow
from app.officer.dashboard import TABLES
from tests.support.desk import sign_in


@pytest.fixture
def data(db, make_office, make_procedure, make_officer, make_dossier):
    """This month: one dossier finished today (on time, online) and one withdrawn; and one
    received 40 days ago (so last month or before), overdue for 20 days."""
    office = make_office()
    full = make_procedure(online_mode="full", slug="toan-trinh", name="Khai sinh toàn trình")
    part = make_procedure(online_mode="partial", slug="mot-phan", name="Chứng thực một phần")
    owner = make_officer(name="Phạm Phụ Trách", procedures=[full])
    done = make_dossier(full, channel="online", applicant_name="Người Xong")
    change_status(done, "processing", owner, notify=False)
    change_status(done, "ready", owner, notify=False)
    late = make_dossier(full, received_at=utcnow() - timedelta(days=40), applicant_name="Người Trễ")
    late.due_on = office_today(office) - timedelta(days=20)
    late.officer_id = owner.id
    db.session.commit()
    make_dossier(part, status="withdrawn")
    return {"office": office, "full": full, "part": part, "owner": owner, "late": late}


@pytest.mark.parametrize("role", ["officer", "leader", "admin"])
def test_renders_for_every_role(client, pages, data, make_officer, login, role):
    sign_in(client, make_officer, login, role)
    r = pages.get("officer.dashboard")
    page = r.page
    assert page.title.startswith("Chỉ số phục vụ")
    html = r.get_data(as_text=True)
    assert data["late"].code in html and "Phạm Phụ Trách" in html  # the overdue list
    assert "Cách tính" in html and "766/QĐ-TTg" in html  # definitions on the page
    assert "Người Trễ" not in html  # no applicant names needed here


def test_signed_out_goes_to_login(client, data):
    for url in ("/officer/dashboard", "/officer/dashboard/summary.csv"):
        r = client.get(url)
        assert r.status_code == 302 and "/officer/login" in r.headers["Location"]


def test_svg_charts_each_with_a_table_and_no_style(client, data, make_officer, login):
    sign_in(client, make_officer, login, "leader")
    html = client.get("/officer/dashboard").get_data(as_text=True)
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert "style" not in svg and "<script" not in svg
        assert 'role="img"' in svg and "<title" in svg and "<rect" in svg
    # Each chart is followed by its table (the numbers for screen readers and print).
    for name in ("received", "on-time", "online"):
        chart_at = html.index(f'id="chart-{name}-t"')
        table_at = html.index(f'id="table-{name}"')
        assert chart_at < table_at
        assert html.count("<svg", chart_at, table_at) == 0
    assert "<script" not in html


def test_headline_figures_match_metrics(client, data, make_officer, login):
    sign_in(client, make_officer, login, "leader")
    html = client.get("/officer/dashboard").get_data(as_text=True)
    fig = metrics.figures(
        data["office"], metrics.month_period(office_today(data["office"]))
    )
    assert (fig.received, fig.finished, fig.finished_on_time, fig.online) == (2, 1, 1, 1)
    summary = re.search(r'<table id="table-summary">.*?</table>', html, flags=re.S).group(0)
    assert "<td>2</td>" in summary  # received, the withdrawn one included
    assert "100% (1 trên 1)" in summary  # on time
    assert "50% (1 trên 2)" in summary  # online share
    r = client.get("/officer/dashboard?period=custom&from=01/01/2020&to=31/12/2099")
    assert r.status_code == 400  # too far ahead; the figures fall back to this month


def test_custom_period_and_filters(client, data, make_officer, login):
    sign_in(client, make_officer, login, "leader")
    r = client.get("/officer/dashboard?period=custom&from=01/01/2020&to=2020-12-31")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Từ 01/01/2020 đến 31/12/2020" in html
    assert "summary.csv?period=custom&amp;from=01/01/2020&amp;to=2020-12-31" in html
    for period in ("quarter", "year"):
        assert client.get(f"/officer/dashboard?period={period}").status_code == 200
    # A procedure filter narrows the figures; an unknown id is ignored, not an error.
    r = client.get(f"/officer/dashboard/summary.csv?procedure={data['part'].id}")
    assert "Hồ sơ tiếp nhận,1" in r.get_data(as_text=True)
    assert client.get("/officer/dashboard?procedure=999999&officer=abc").status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=31/02/2025&to=01/03/2025", "from", "ngày/tháng/năm"),
        ("from=&to=01/03/2025", "from", "Nhập ngày bắt đầu"),
        ("from=01/03/2025&to=abc", "to", "ngày/tháng/năm"),
        ("from=10/03/2025&to=01/03/2025", "to", "sau hoặc bằng ngày bắt đầu"),
        ("from=01/01/2001&to=01/01/2020", "to", "tối đa 5 năm"),
    ],
)
def test_bad_custom_dates(client, data, make_officer, login, query, field, message):
    sign_in(client, make_officer, login, "leader")
    r = client.get("/officer/dashboard?period=custom&" + query)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    typed = dict(p.split("=") for p in query.split("&"))
    assert f'name="from" value="{typed["from"]}"' in html  # what was typed is kept
    assert f'name="to" value="{typed["to"]}"' in html
    assert 'value="custom" checked' in html
    assert client.get("/officer/dashboard/summary.csv?period=custom&" + query).status_code == 400


@pytest.mark.parametrize("table", TABLES)
def test_csv_export_of_every_table(client, data, make_officer, login, table):
    sign_in(client, make_officer, login, "officer")
    html = client.get("/officer/dashboard").get_data(as_text=True)
    assert f"/officer/dashboard/{table}.csv?period=month" in html  # linked from the page
    r = client.get(f"/officer/dashboard/{table}.csv?period=month")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Cache-Control"] == "no-store"
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) >= 2 and all(len(row) == len(rows[0]) for row in rows)
    if table == "overdue":
        assert rows[1][0] == data["late"].code and "Phạm Phụ Trách" in rows[1]
    if table == "received":
        assert len(rows) == 1 + 12  # twelve months up to this one


def test_unknown_csv_table_is_404(client, data, make_officer, login):
    sign_in(client, make_officer, login, "leader")
    assert client.get("/officer/dashboard/nope.csv").status_code == 404


def test_home_panel(client, data, make_officer, login):
    sign_in(client, make_officer, login, "officer")
    html = client.get("/officer/").get_data(as_text=True)
    assert "Chỉ số tháng này" in html
    panel = html[html.index('id="home-dashboard-h"') :]
    assert "100%" in panel[:600]
    assert re.search(r"Quá hạn hiện nay: <strong>1</strong>", panel)
    assert "/officer/dashboard" in panel


def test_english(client, pages, data, make_officer, login):
    from flask_babel import refresh

    sign_in(client, make_officer, login, "leader")
    refresh()  # the test's app context outlives requests; drop the locale the login cached
    pages.get("officer.dashboard", lang="en")
