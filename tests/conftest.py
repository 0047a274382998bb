"""Fixtures: ``app``, ``client``, ``runner``, ``db`` (clean per test), ``pages`` (the client by
endpoint, with page checks on every HTML page: tests/support/pages.py), ``sent_sms``, ``clock``
(moves time for the whole app) and ``make_*`` factories. The suite runs on SQLite by default and on PostgreSQL when
``DATABASE_URL`` points at one (``.ci/run`` does both)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app import create_app
from app.clock import DEFAULT_TZ
from app.extensions import db as _db
from app.models import (
    Dossier,
    DutyShift,
    Message,
    Office,
    Officer,
    Procedure,
    ProcedureContent,
    ProcedureLocal,
    utcnow,
)

pytest_plugins = ["tests.support.fakes.fixtures"]

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": None,
            "SMS_CHANNEL": "console",
            "SMS_TRY_PAGE_PUBLIC": False,
        }
    )
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()


@pytest.fixture
def db(app):
    """A clean database for each test, inside an app context."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            with _db.engine.begin() as conn:
                for name in tables:
                    conn.execute(sa.text(f"DELETE FROM {name}"))
        from app.extensions import limiter

        limiter.reset()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def pages(app, client, request):
    """``pages.get("citizen.guide", slug="khai-sinh")``: ``url_for`` builds the URL, the status
    is asserted, every HTML page is checked (``_skip_page_check="why"`` to opt out).
    ``pages.post(endpoint, _data={...})`` adds a CSRF token. See tests/support/pages.py."""
    from tests.support.pages import Pages

    return Pages(app, client, request.node.nodeid)


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def sent_sms(db):
    """What the channel would have sent (queued or sent outbound rows), oldest first."""

    def read(phone: str | None = None) -> list[Message]:
        query = sa.select(Message).where(Message.direction == "out").order_by(Message.id)
        if phone:
            query = query.where(Message.phone == phone)
        return list(db.session.scalars(query))

    return read


class Clock:
    """Where "now" is for the whole app during a test. time-machine moves ``datetime.now`` and
    ``time.time``, which is all ``app.clock`` reads, so every path (pages, page cache, SMS,
    column defaults) sees the same moved time; nothing is patched by module name. Time stands
    still until the test moves it again (no tick), so "the same minute" stays the same."""

    def __init__(self, machine) -> None:
        self._machine = machine

    def local(self, wall: datetime, tz: ZoneInfo = DEFAULT_TZ) -> datetime:
        """Move to wall-clock ``wall`` in ``tz`` (naive: read in ``tz``; the office's zone by
        default). Returns the aware local time."""
        aware = wall if wall.tzinfo is not None else wall.replace(tzinfo=tz)
        # UTC, not the ZoneInfo: given a ZoneInfo, time-machine also changes the process's TZ.
        self._machine.move_to(aware.astimezone(UTC), tick=False)
        return aware

    def utc(self, at: datetime) -> datetime:
        """Move to ``at``, naive UTC (as stored) or aware."""
        aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        self._machine.move_to(aware.astimezone(UTC), tick=False)
        return aware


@pytest.fixture
def clock(time_machine) -> Clock:
    """Move the app's time: ``clock.local(datetime(2026, 3, 9, 9, 0))`` (office wall clock) or
    ``clock.utc(...)``. Ends with the test."""
    return Clock(time_machine)


# ----------------------------------------------------------------------------- factories


@pytest.fixture
def make_office(db):
    def make(code: str = "VB", **kw) -> Office:
        existing = db.session.scalars(sa.select(Office).where(Office.code == code)).first()
        if existing:
            return existing
        office = Office(
            code=code,
            name=kw.pop("name", "UBND xã Vĩnh Bửu"),
            name_en=kw.pop("name_en", "Vinh Buu Commune"),
            address=kw.pop("address", "Trung tâm Phục vụ hành chính công xã Vĩnh Bửu"),
            phone=kw.pop("phone", "+842723800100"),
            sms_number=kw.pop("sms_number", "+84909000100"),
            **kw,
        )
        db.session.add(office)
        db.session.commit()
        return office

    return make


@pytest.fixture
def make_procedure(db, make_office):
    counter = {"n": 0}

    def make(slug: str | None = None, keyword: str | None = None, **kw) -> Procedure:
        """A province procedure offered in ``office`` (default VB). One catalogue (issue 13):
        a slug or keyword already in it is the same procedure, now offered in ``office`` too."""
        counter["n"] += 1
        n = counter["n"]
        office = kw.pop("office", None) or make_office()
        offered = kw.pop("offered", True)
        if slug or keyword:
            same = db.session.scalars(
                sa.select(Procedure).where(
                    sa.or_(Procedure.slug == (slug or ""), Procedure.sms_keyword == (keyword or ""))
                )
            ).first()
            if same is not None:
                if same.local(office.id) is None:
                    same.locals.append(ProcedureLocal(office_id=office.id, offered=offered))
                    db.session.commit()
                return same
        name = kw.pop("name", f"Đăng ký khai sinh {n}")
        name_en = kw.pop("name_en", f"Birth registration {n}")
        proc = Procedure(
            slug=slug or f"thu-tuc-{n}",
            field=kw.pop("field", "ho_tich"),
            sms_keyword=keyword or f"K{n}",
            processing_days=kw.pop("processing_days", 3),
            same_day_cutoff=kw.pop("same_day_cutoff", None),
            online_mode=kw.pop("online_mode", "partial"),
            portal_url=kw.pop("portal_url", "https://dichvucong.gov.vn/"),
            fee_vnd=kw.pop("fee_vnd", 0),
            **kw,
        )
        for lang, nm in (("vi", name), ("en", name_en)):
            proc.contents.append(
                ProcedureContent(
                    lang=lang,
                    name=nm,
                    summary="Tóm tắt" if lang == "vi" else "Summary",
                    documents=["Giấy chứng sinh", "CCCD"] if lang == "vi" else ["Birth notice", "ID"],
                    steps=["Nộp hồ sơ", "Nhận kết quả"] if lang == "vi" else ["Submit", "Collect"],
                    fee="Miễn phí" if lang == "vi" else "Free",
                    time="3 ngày làm việc" if lang == "vi" else "3 working days",
                    where="Bộ phận một cửa" if lang == "vi" else "One-stop desk",
                    legal_basis="Luật Hộ tịch 2014",
                    sms_summary="Mang giay chung sinh, CCCD",
                    search_text=f"dang ky khai sinh {n} giay chung sinh",
                )
            )
        proc.locals.append(ProcedureLocal(office_id=office.id, offered=offered))
        db.session.add(proc)
        db.session.commit()
        return proc

    return make


@pytest.fixture
def make_officer(db, make_office):
    counter = {"n": 0}

    def make(username: str | None = None, role: str = "officer", procedures=(), **kw) -> Officer:
        counter["n"] += 1
        office = kw.pop("office", None) or make_office()
        officer = Officer(
            # Province staff belong to no commune (issue 13).
            office_id=None if role.startswith("province_") else office.id,
            username=username or f"officer{counter['n']}",
            name=kw.pop("name", f"Nguyễn Văn Cán {counter['n']}"),
            title=kw.pop("title", "Công chức Tư pháp – Hộ tịch"),
            public_phone=kw.pop("public_phone", f"+8490900010{counter['n'] % 10}"),
            role=role,
            **kw,
        )
        officer.set_password(PASSWORD)
        officer.procedures = list(procedures)
        db.session.add(officer)
        db.session.commit()
        return officer

    return make


@pytest.fixture
def make_shift(db):
    def make(officer: Officer, weekday: int, start=time(7, 0), end=time(11, 30)) -> DutyShift:
        shift = DutyShift(officer_id=officer.id, weekday=weekday, start=start, end=end)
        db.session.add(shift)
        db.session.commit()
        return shift

    return make


@pytest.fixture
def make_dossier(db, make_office, make_procedure):
    def make(procedure: Procedure | None = None, status: str | None = None, **kw) -> Dossier:
        from app.dossiers import change_status, register_dossier

        office = kw.pop("office", None) or make_office()
        procedure = procedure or make_procedure(office=office)
        officer = kw.pop("officer", None)
        dossier = register_dossier(
            office=office,
            procedure=procedure,
            applicant_name=kw.pop("applicant_name", "Trần Thị Lan"),
            phone=kw.pop("phone", "+84912345678"),
            channel=kw.pop("channel", "counter"),
            sms_consent=kw.pop("sms_consent", True),
            lang=kw.pop("lang", "vi"),
            officer=officer,
            received_at=kw.pop("received_at", None),
        )
        path = {
            "processing": ["processing"],
            "needs_supplement": ["needs_supplement"],
            "ready": ["processing", "ready"],
            "returned": ["processing", "ready", "returned"],
            "rejected": ["rejected"],
            "withdrawn": ["withdrawn"],
        }.get(status or "received", [])
        for step in path:
            change_status(dossier, step, officer, note="Thiếu giấy tờ" if step in ("needs_supplement", "rejected") else "")
        return dossier

    return make


@pytest.fixture
def login(client):
    """Sign ``officer`` in through the real login form (CSRF token included)."""

    def do(officer: Officer, password: str = PASSWORD):
        from tests.support.helpers import csrf_token

        token = csrf_token(client, "/officer/login")
        return client.post(
            "/officer/login",
            data={"username": officer.username, "password": password, "csrf_token": token},
        )

    return do


# ----------------------------------------------------------------------------- session hooks
# tests/test_every_page_checked.py compares the pages checked through ``pages`` with the app's
# HTML pages. It runs last, and only when this session collected every test module and
# deselected no test that uses ``pages``: after a partial run the comparison would mean
# nothing, so it skips.

EVERY_PAGE_CHECKED = "tests/test_every_page_checked.py"


def pytest_collectreport(report):
    if report.nodeid.endswith(".py"):
        COLLECTED_MODULES.add(report.nodeid)


def pytest_deselected(items):
    DESELECTED.extend(
        item.nodeid for item in items if "pages" in getattr(item, "fixturenames", ())
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    last = [item for item in items if item.nodeid.startswith(EVERY_PAGE_CHECKED)]
    items[:] = [item for item in items if item not in last] + last


COLLECTED_MODULES: set[str] = set()
DESELECTED: list[str] = []

__all__ = ["datetime", "timedelta", "utcnow"]
