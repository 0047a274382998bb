"""The roles matrix for the profile, officers, roster, guides, feedback and audit pages: every
endpoint × (signed out, officer, leader, admin) × (GET, POST).

``login`` = redirected to the sign-in page; ``ok`` = 200; ``done`` = the write succeeded and
redirected (POST → redirect → GET); 403 = signed in without the role; 405 = the URL does not
take that method. POSTs carry a valid CSRF token, so the table shows roles, not CSRF (CSRF is
tested per page). A guide's facts are the province's (one catalogue, issue 13): no commune role
edits them; a commune edits its local part (tests/officer/test_officer_guides.py).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.models import DutyException, Feedback, ProcedureVersion
from tests.support.desk import post, sign_in
from tests.support.helpers import csrf_token

ROLES = ("anon", "officer", "leader", "admin")

#                        GET: anon officer leader admin   POST: anon officer leader admin
MATRIX = {
    "profile": ("login ok ok ok", "login done 403 done"),
    "officers": ("login 403 403 ok", "405 405 405 405"),
    "officer_edit": ("login 403 403 ok", "login 403 403 done"),
    "roster": ("login ok ok ok", "405 405 405 405"),
    "roster_shift_add": ("405 405 405 405", "login 403 403 done"),
    "roster_shift_remove": ("405 405 405 405", "login 403 403 done"),
    "roster_exception_add": ("405 405 405 405", "login 403 403 done"),
    "roster_exception_remove": ("405 405 405 405", "login 403 403 done"),
    "guides": ("login ok ok ok", "405 405 405 405"),
    "guide_edit": ("login ok ok ok", "login 403 403 403"),
    "guide_restore": ("405 405 405 405", "login 403 403 403"),
    "feedback_inbox": ("login ok ok ok", "405 405 405 405"),
    "feedback_handle": ("405 405 405 405", "login done 403 done"),
    "audit": ("login 403 ok ok", "405 405 405 405"),
}
CASES = [
    (endpoint, method, role, expected.split()[i])
    for endpoint, (get, post_) in MATRIX.items()
    for method, expected in (("GET", get), ("POST", post_))
    for i, role in enumerate(ROLES)
]
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def world(db, make_office, make_procedure, make_officer, make_shift, clock):
    clock.local(NOW)
    office = make_office()
    proc = make_procedure(slug="khai-sinh", keyword="KS")
    binh = make_officer(username="binh", name="Trần Văn Bình")
    shift = make_shift(binh, 0)
    exc = DutyException(office_id=office.id, day=NOW.date(), kind="leave", officer_id=binh.id)
    item = Feedback(office_id=office.id, rating=2, comment="Chờ lâu")
    vi = next(c for c in proc.contents if c.lang == "vi")
    version = ProcedureVersion(
        procedure_id=proc.id,
        lang="vi",
        data={**vi.snapshot(), "summary": "Cũ"},
        sms_keyword="KS",
        officer_id=binh.id,
    )
    db.session.add_all([exc, item, version])
    db.session.commit()
    guide_form = {
        **{k: v for k, v in vi.snapshot().items() if k not in ("documents", "steps")},
        "documents": "\n".join(vi.documents),
        "steps": "\n".join(vi.steps),
        "summary": "Mới",
        "sms_keyword": "KS",
        "action": "save",
    }
    return {
        "profile": ("/officer/profile", {"public_phone": "0912 345 678", "title": "Mới"}),
        "officers": ("/officer/officers", {}),
        "officer_edit": (
            f"/officer/officers/{binh.id}",
            {
                "name": "Trần Văn Bình",
                "public_phone": "0987 654 321",
                "role": "leader",
                "active": "y",
            },
        ),
        "roster": ("/officer/roster", {}),
        "roster_shift_add": (
            "/officer/roster/shifts",
            {
                "shift-officer": binh.id,
                "shift-weekday": "3",
                "shift-start": "13:30",
                "shift-end": "17:00",
            },
        ),
        "roster_shift_remove": (f"/officer/roster/shifts/{shift.id}/remove", {}),
        "roster_exception_add": (
            "/officer/roster/exceptions",
            {"exc-day": "2026-03-04", "exc-kind": "holiday"},
        ),
        "roster_exception_remove": (f"/officer/roster/exceptions/{exc.id}/remove", {}),
        "guides": ("/officer/guides", {}),
        "guide_edit": ("/officer/guides/khai-sinh/vi", guide_form),
        "guide_restore": (f"/officer/guides/khai-sinh/vi/versions/{version.id}/restore", {}),
        "feedback_inbox": ("/officer/feedback", {}),
        "feedback_handle": (f"/officer/feedback/{item.id}/handle", {"note": "Đã gọi lại"}),
        "audit": ("/officer/audit", {}),
    }


def test_matrix_lists_every_endpoint_of_these_pages(app):
    mine = {
        "profile",
        "officers",
        "officer_edit",
        "guides",
        "guide_edit",
        "guide_restore",
        "feedback_inbox",
        "feedback_handle",
        "audit",
    }
    mine |= {e.split(".", 1)[1] for e in app.view_functions if e.startswith("officer.roster")}
    assert mine == set(MATRIX)


@pytest.mark.parametrize(
    "endpoint,method,role,expected", CASES, ids=[f"{e}-{m}-{r}" for e, m, r, _ in CASES]
)
def test_roles_matrix(client, world, make_officer, login, endpoint, method, role, expected):
    if role != "anon":
        sign_in(client, make_officer, login, role)
    url, data = world[endpoint]
    if method == "GET":
        r = client.get(url)
    else:
        token = csrf_token(client, "/officer/login" if role == "anon" else "/officer/")
        r = post(client, url, {**data, "csrf_token": token})
    if expected == "login":
        assert r.status_code == 302 and "/officer/login" in r.headers["Location"], r.status_code
    elif expected == "ok":
        assert r.status_code == 200
    elif expected == "done":
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
        assert "/officer/login" not in r.headers["Location"]
    else:
        assert r.status_code == int(expected)
