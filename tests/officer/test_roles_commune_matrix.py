"""Issue 13, item 3: every officer endpoint × every method it takes × every role × two
communes. No read or write crosses communes; province staff (no commune) never use a
commune's desk.

Who may open an endpoint is what its view declares: the auth decorators (``app.auth``) set
``required_roles`` on the view, so an endpoint another part of the app adds later is covered
without editing this file; an officer endpoint that declares no roles fails
``test_every_officer_endpoint_declares_its_roles``.

For each role a fresh province is built: communes A (signed-in officers' own) and B, each with a
procedure, an officer with a shift and a dated exception, a dossier, a feedback item, an SMS
thread and a guide version, plus the province admin and leader (no commune). Then:

* a role the view does not declare gets 403 and the database does not change;
* a declared role gets a normal answer (200, a redirect that is not the sign-in page, or 400
  for a refused form), except the writes a view narrows further (``NARROWER``: leaders
  read the profile and guides but write nothing there), which are 403 with nothing changed;
* every page and CSV a signed-in officer of A gets shows nothing of B (``B_MARKERS``);
* with an object of B in the URL (dossier code, officer, shift, exception, feedback item,
  SMS thread and message, procedure slug, guide version) an officer of A gets 404 and the
  database does not change; forms naming B's procedure or officer are refused;
* the try-it page writes nothing and answers nothing about B's dossiers.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.security import generate_password_hash

from app.models import ROLES as ALL_ROLES
from app.models import (
    DutyException,
    DutyShift,
    Feedback,
    Hamlet,
    Message,
    Officer,
    ProcedureVersion,
    TeamException,
    TeamMember,
    TeamSlot,
)
from app.models.procedure import procedure_officer
from app.officer.dashboard import TABLES as DASHBOARD_TABLES
from app.officer.portal import TABLES as PORTAL_TABLES
from tests.conftest import PASSWORD
from tests.support.helpers import csrf_token

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
ROLES = ("province_admin", "province_leader", "admin", "officer", "leader")
# Open to anyone: the sign-in form and sign-out (which only ends one's own sessions).
PUBLIC = {"officer.login", "officer.logout"}
# Declared roles that a view narrows inside (the leader reads, writes nothing).
WRITERS = ("admin", "officer")
NARROWER = {
    ("officer.profile", "POST"): WRITERS,
    # One province catalogue (issue 13, item 4): only the province admin edits a guide's facts.
    ("officer.guide_edit", "POST"): ("province_admin",),
    ("officer.guide_restore", "POST"): ("province_admin",),
    # A commune's local part of a guide: its admin, or an officer in charge; the leader reads.
    ("officer.guide_local", "POST"): WRITERS,
}
# The province catalogue's pages: every role reads them, and their facts (every procedure of the
# province, whichever commune offers it) are public, so a commune-B procedure may show there.
CATALOGUE = {"officer.guides", "officer.guide_edit", "officer.guide_restore",
             "officer.catalogue_export"}
ALLOWED = {200, 302, 303, 400}
# Text of commune B that must never show on a page of commune A.
B_MARKERS = ("Bmarker", "+84912000222", "0912 000 222", "0912000222")
A_PHONE, B_PHONE = "+84912000111", "+84912000222"


# One cheap hash for every officer here (scrypt per officer would make the matrix slow);
# check_password reads any Werkzeug hash.
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def _officer(db, procedures=(), **kw) -> Officer:
    officer = Officer(password_hash=_HASH, **kw)
    officer.procedures = list(procedures)
    db.session.add(officer)
    db.session.commit()
    return officer


def _commune(db, make_office, make_procedure, make_dossier, code, tag, phone, sms):
    name = "UBND xã Vĩnh Bửu" if tag == "A" else "UBND xã Bmarker"
    office = make_office(code, name=name, name_en=f"{tag} Commune", sms_number=sms,
                         phone=f"+8427238001{0 if tag == 'A' else 9}0")
    mark = "" if tag == "A" else "Bmarker "
    proc = make_procedure(slug="khai-sinh", keyword="KS", office=office,
                          name=f"{mark}Khai sinh", name_en=f"{mark}Birth")
    only = make_procedure(slug=f"chi-{tag.lower()}", keyword=f"C{tag}", office=office,
                          name=f"{mark}Chỉ xã {tag}", name_en=f"{mark}Only {tag}")
    digit = "1" if tag == "A" else "2"
    officers = {
        role: _officer(db, username=f"{tag.lower()}_{role}", role=role, office_id=office.id,
                       name=f"{mark}Cán bộ {role}", public_phone=f"+849090{digit}000{i}",
                       procedures=[only] if role == "officer" else [])
        for i, role in enumerate(("admin", "officer", "leader"))
    }
    binh = _officer(db, username=f"{tag.lower()}_binh", role="officer", office_id=office.id,
                    name=f"{mark}Trần Bình", public_phone=f"+849090{digit}0009", procedures=[proc])
    shift = DutyShift(officer_id=binh.id, weekday=0, start=time(7, 0), end=time(11, 0))
    exc = DutyException(office_id=office.id, day=NOW.date(), kind="leave", officer_id=binh.id)
    item = Feedback(office_id=office.id, rating=2, comment=f"{mark}Chờ lâu")
    vi = next(c for c in only.contents if c.lang == "vi")
    version = ProcedureVersion(procedure_id=only.id, lang="vi",
                               data={**vi.snapshot(), "summary": f"{mark}Cũ"},
                               sms_keyword=f"C{tag}", officer_id=binh.id)
    db.session.add_all([shift, exc, item, version])
    db.session.commit()
    dossier = make_dossier(procedure=proc, office=office, phone=phone,
                           applicant_name=f"{mark}Người nộp {tag}")
    inbound = Message(office_id=office.id, direction="in", phone=phone, status="received",
                      body=f"{mark}Cho hoi ho so", needs_attention=True)
    db.session.add(inbound)
    hamlet = Hamlet(office_id=office.id, name=f"{mark}Ấp {tag}", keyword=f"AP{tag}")
    db.session.add(hamlet)
    db.session.flush()
    member = TeamMember(hamlet_id=hamlet.id, name=f"{mark}Tổ viên {tag}",
                        phone=f"+849091{digit}0001")
    db.session.add(member)
    db.session.flush()
    slot = TeamSlot(member_id=member.id, weekday=1, start=time(8, 0), end=time(10, 0))
    team_exc = TeamException(member_id=member.id, day=NOW.date(), kind="away")
    spare = Hamlet(office_id=office.id, name=f"{mark}Ấp trống {tag}", keyword=f"TR{tag}")
    db.session.add_all([slot, team_exc, spare])
    db.session.flush()
    spare_member = TeamMember(hamlet_id=hamlet.id, name=f"{mark}Dự bị {tag}",
                              phone=f"+849091{digit}0002")
    db.session.add(spare_member)
    db.session.commit()
    args = {
        "hamlet_id": hamlet.id,
        "member_id": member.id,
        "slot_id": slot.id,
        "team_exc_id": team_exc.id,
        "spare_hamlet_id": spare.id,
        "spare_member_id": spare_member.id,
        "code": dossier.code,
        "office_code": office.code,
        "officer_id": binh.id,
        "shift_id": shift.id,
        "exc_id": exc.id,
        "item_id": item.id,
        "phone": phone,
        "message_id": inbound.id,
        "slug": only.slug,
        "lang": "vi",
        "version_id": version.id,
        "table": "summary",
    }
    guide = {
        **{k: v for k, v in vi.snapshot().items() if k not in ("documents", "steps")},
        "documents": "\n".join(vi.documents),
        "steps": "\n".join(vi.steps),
        "summary": "Mới",
        "sms_keyword": f"C{tag}",
        "action": "save",
    }
    return {"office": office, "proc": proc, "only": only, "binh": binh, "officers": officers,
            "args": args, "dossier": dossier, "guide": guide}


@pytest.fixture
def province(db, clock, make_office, make_procedure, make_dossier):
    clock.local(NOW)
    a = _commune(db, make_office, make_procedure, make_dossier, "VB", "A", A_PHONE,
                 "+84909000100")
    b = _commune(db, make_office, make_procedure, make_dossier, "TT", "B", B_PHONE,
                 "+84909000900")
    staff = {}
    for role in ("province_admin", "province_leader"):
        staff[role] = _officer(db, office_id=None, username=f"p_{role}", name=f"Tỉnh {role}",
                               role=role)
    return {"A": a, "B": b, "staff": staff}


def _form(endpoint: str, side: dict) -> dict:
    """A valid form for ``endpoint`` in the commune ``side``; {} for an endpoint this file does
    not know (its roles are checked all the same)."""
    binh = side["binh"]
    return {
        "officer.register": {"procedure": side["proc"].id, "applicant_name": "Lê Văn Mới",
                             "channel": "counter", "lang": "vi"},
        "officer.dossier_status": {"status": "processing"},
        "officer.inbox_reply": {"body": "Xin chao, xa da nhan tin."},
        "officer.feedback_handle": {"note": "Đã gọi lại"},
        "officer.portal_down": {"portal": "national"},
        "officer.portal_up": {"portal": "national"},
        "officer.roster_shift_add": {"shift-officer": binh.id, "shift-weekday": "3",
                                     "shift-start": "13:30", "shift-end": "17:00"},
        "officer.roster_exception_add": {"exc-day": "2026-03-04", "exc-kind": "holiday"},
        "officer.guide_edit": side["guide"],
        "officer.profile": {"public_phone": "0912 345 678", "title": "Mới"},
        "officer.officer_edit": {"name": binh.name, "public_phone": "0987 654 321",
                                 "role": "officer", "active": "y"},
        "officer.officer_new": {"username": "nguoi.moi", "name": "Người Mới", "role": "officer"},
        "officer.password": {"current": "sai mat khau", "new": "mot mat khau moi",
                             "confirm": "mot mat khau moi"},
        "officer.try_sms": {"phone": "0912 000 111", "text": "DS"},
    }.get(endpoint, {})


def _rules(app):
    """(endpoint, method, rule) for every officer route and method it takes."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("officer.") or rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, rule))
    return sorted(out, key=lambda t: (t[0], t[1]))


def _url(app, rule, args: dict) -> tuple[str, bool]:
    """The URL with ``args`` (the commune's objects); unknown arguments (another part's new
    endpoint) get a placeholder, and the second value says so."""
    values, unknown = {}, False
    if rule.endpoint == "officer.portal_csv":
        args = {**args, "table": "outages"}
    # Removing a hamlet or a member removes what hangs on it: those take spare ones, so the
    # slot and exception removals that come later in the walk still find theirs.
    if rule.endpoint == "officer.hamlet_remove":
        args = {**args, "hamlet_id": args["spare_hamlet_id"]}
    if rule.endpoint == "officer.team_member_remove":
        args = {**args, "member_id": args["spare_member_id"]}
    if rule.endpoint == "officer.team_exception_remove":
        args = {**args, "exc_id": args["team_exc_id"]}
    if rule.endpoint == "officer.hamlet_figures_csv":
        args = {**args, "table": "hamlets"}
    if rule.endpoint.startswith("officer.commune_") and "office_code" in args:
        args = {**args, "code": args["office_code"]}  # /communes/<code>: the commune's code
    for name in rule.arguments:
        if name in args:
            values[name] = args[name]
        else:
            unknown = True
            converter = rule._converters.get(name)
            values[name] = 1 if type(converter).__name__ == "IntegerConverter" else "x"
    with app.test_request_context():
        return url_for(rule.endpoint, **values), unknown


def _fingerprint(db) -> str:
    """Every committed row of every table, hashed: equal before and after = nothing changed."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            digest.update(table.name.encode())
            for row in sorted(repr(tuple(r)) for r in rows):
                digest.update(row.encode())
    return digest.hexdigest()


def _roles(app, endpoint: str) -> tuple[str, ...]:
    return tuple(getattr(app.view_functions[endpoint], "required_roles", ()) or ())


def _request(client, method: str, url: str, data: dict, token: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={**data, "csrf_token": token})


def _no_b(response, where: str, b_code: str) -> None:
    if response.status_code != 200:
        return
    body = response.get_data(as_text=True)
    leaked = [m for m in (*B_MARKERS, b_code) if m in body]
    assert not leaked, f"{where} shows commune B's {leaked}"


def test_every_officer_endpoint_declares_its_roles(app):
    missing = [
        endpoint for endpoint in app.view_functions
        if endpoint.startswith("officer.") and endpoint not in PUBLIC
        and not _roles(app, endpoint)
    ]
    assert not missing, f"officer endpoints without required_roles: {missing}"


def test_declared_roles_are_known_roles(app):
    for endpoint in app.view_functions:
        if endpoint.startswith("officer."):
            assert set(_roles(app, endpoint)) <= set(ALL_ROLES), endpoint


def test_commune_desk_is_not_for_province_staff(app):
    """Every page that works on one commune's data declares commune roles only."""
    province_pages = {"officer.home", "officer.password", "officer.province_home", *CATALOGUE}
    for endpoint in app.view_functions:
        roles = set(_roles(app, endpoint))
        if not endpoint.startswith("officer.") or endpoint in PUBLIC | province_pages:
            continue
        commune = roles & {"admin", "officer", "leader"}
        province = roles & {"province_admin", "province_leader"}
        assert not (commune and province), f"{endpoint} mixes commune and province roles"


@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, client, db, province, login, role):
    a, b = province["A"], province["B"]
    me = province["staff"][role] if role.startswith("province") else a["officers"][role]
    assert login(me).status_code == 302
    token = csrf_token(client, "/officer/password")
    checked = 0
    for endpoint, method, rule in _rules(app):
        declared = _roles(app, endpoint)
        may = role in NARROWER.get((endpoint, method), declared)
        url, unknown = _url(app, rule, a["args"])
        data = _form(endpoint, a)
        where = f"{role} {method} {url}"
        if not may:
            before = _fingerprint(db)
            r = _request(client, method, url, data, token)
            assert r.status_code == 403, f"{where}: {r.status_code}"
            assert _fingerprint(db) == before, f"{where} changed the database"
            checked += 1
            continue
        before = _fingerprint(db) if endpoint == "officer.try_sms" else None
        r = _request(client, method, url, data, token)
        expected = ALLOWED | ({404} if unknown else set())
        assert r.status_code in expected, f"{where}: {r.status_code}"
        if r.status_code in (302, 303):
            assert "/officer/login" not in r.headers["Location"], f"{where} signed out"
        if before is not None:
            assert _fingerprint(db) == before, "the try-it page wrote to the database"
        checked += 1
        if role.startswith("province"):
            continue  # province pages show every commune by design; the desk is 403 (above)
        if endpoint not in CATALOGUE:
            _no_b(r, where, b["dossier"].code)
        # Commune B's objects in the URL: not found, nothing changed (the catalogue's guides
        # are the province's: every commune reads them).
        # ``guide_local`` with B's procedure edits A's own local part of a province procedure
        # (how a commune starts offering one), never B's.
        if (not unknown and endpoint not in CATALOGUE | {"officer.guide_local"}
                and set(rule.arguments) - {"table", "lang"}):
            cross_url, _ = _url(app, rule, b["args"])
            before = _fingerprint(db)
            r = _request(client, method, cross_url, data, token)
            assert r.status_code == 404, f"{role} {method} {cross_url} (commune B): {r.status_code}"
            assert _fingerprint(db) == before, f"{role} {method} {cross_url} changed the database"
    assert checked >= 40


WRITER_ROLES = ("admin", "officer")


def test_no_csv_table_shows_commune_b(client, db, province, login, make_dossier):
    """Every CSV of A's desk, with B's dossier overdue and rated: none of B in them."""
    a, b = province["A"], province["B"]
    db.session.add(Feedback(office_id=b["office"].id, rating=1, comment="Bmarker te",
                            dossier_id=b["dossier"].id))
    db.session.commit()
    assert login(a["officers"]["leader"]).status_code == 302
    urls = [f"/officer/dashboard/{t}.csv?period=year" for t in DASHBOARD_TABLES]
    urls += [f"/officer/portal/{t}.csv" for t in PORTAL_TABLES] + ["/officer/dossiers.csv"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "text/csv", url
        _no_b(r, url, b["dossier"].code)


@pytest.mark.parametrize("role", WRITER_ROLES)
def test_forms_naming_commune_b_are_refused(app, client, db, province, login, role):
    """No id in the URL, but B's procedure or officer in the form: refused, B unchanged."""
    a, b = province["A"], province["B"]
    assert login(a["officers"][role]).status_code == 302
    token = csrf_token(client, "/officer/password")
    forms = [
        # B's own procedure (the province catalogue's khai-sinh is offered by both communes).
        ("/officer/dossiers/new", {"procedure": b["only"].id, "applicant_name": "Lê Văn Mới",
                                   "channel": "counter", "lang": "vi"}),
    ]
    if role == "admin":
        forms += [
            ("/officer/roster/shifts", {"shift-officer": b["binh"].id, "shift-weekday": "3",
                                        "shift-start": "13:30", "shift-end": "17:00"}),
            ("/officer/roster/exceptions", {"exc-day": "2026-03-04", "exc-kind": "leave",
                                            "exc-officer": b["binh"].id}),
            ("/officer/roster/exceptions", {"exc-day": "2026-03-04", "exc-kind": "standin",
                                            "exc-officer": a["binh"].id,
                                            "exc-stand_in": b["binh"].id}),
            # A's guide version restored through A's slug: B's version is not found.
            (f"/officer/guides/chi-a/vi/versions/{b['args']['version_id']}/restore", {}),
        ]
    for url, data in forms:
        before = _fingerprint(db)
        r = client.post(url, data={**data, "csrf_token": token})
        assert r.status_code in (400, 403, 404), f"{url}: {r.status_code}"
        assert _fingerprint(db) == before, f"{url} changed the database"
    # A profile naming B's procedure saves the rest, never a link to B's procedure (B's own
    # officer stays its only one).
    r = client.post("/officer/profile", data={"public_phone": "0912 345 678",
                                              "procedures": [b["only"].id], "csrf_token": token})
    assert r.status_code in (302, 400)
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(procedure_officer)
        .where(procedure_officer.c.procedure_id == b["only"].id)
    ) == 1


def test_try_page_knows_nothing_of_commune_b(app, client, db, province, login):
    """The try-it page answers as commune A, from B's citizen's phone too: none of B's
    dossiers, procedures or officers, and nothing written."""
    a, b = province["A"], province["B"]
    assert login(a["officers"]["officer"]).status_code == 302
    token = csrf_token(client, "/officer/password")
    before = _fingerprint(db)
    for text in ("DS", "TT {code}", "{code}", "HD KS", "LH"):
        body = text.format(code=b["dossier"].code)
        r = client.post("/officer/try-sms", data={"phone": "0912 000 222", "text": body,
                                                  "csrf_token": token})
        assert r.status_code == 302, body
        page = client.get("/officer/try-sms").get_data(as_text=True)
        assert "Bmarker" not in page, (body, page)
    assert _fingerprint(db) == before


def test_province_staff_get_their_own_home(client, pages, province, login):
    assert login(province["staff"]["province_leader"]).status_code == 302
    pages.get("officer.home", _expected_status=302, _expected_redirect="/officer/province-home")
    html = pages.get("officer.province_home").get_data(as_text=True)
    # No commune desk in the menu: no dossiers, no inbox.
    assert "/officer/dossiers" not in html and "/officer/inbox" not in html
    assert "/officer/password" in html
    assert client.get("/officer/dossiers").status_code == 403


def test_the_desk_is_named_after_the_officers_own_commune(client, pages, province, login):
    assert login(province["B"]["officers"]["leader"]).status_code == 302
    html = pages.get("officer.dossiers").get_data(as_text=True)
    assert "UBND xã Bmarker" in html and "Vĩnh Bửu" not in html
