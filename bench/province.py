"""``python -m bench province`` (also run by ``make bench``): a province of ``BENCH_COMMUNES``
communes (default 100: the demo's Vĩnh Bửu, ``VB``, and made-up ``XAA``, ``XAB``, … — letters
only, as a commune's address ``/<code>/`` allows), each with a copy of the demo's procedures
in both languages, its officers and one dossier. Requests are spread over all their pages with
a seeded Zipf mix: commune popularity and page popularity are both Zipf-distributed, and one
visitor in five reads English (with the session cookie ``?lang=en`` leaves, as a browser would).

Rows, each next to the bare reference replaying the bytes the real app sent for each URL:

- ``prov-guide``: guide pages, page cache on (targets ≥ 0.7, as for one commune),
- ``prov-lookup``: status lookups with the phone digits, one dossier per commune (≥ 0.5),
- ``prov-miss``: the same guide mix with the page cache off — every page built anew, from
  the parts each worker keeps (catalogue, commune parts, rendered fragments: app.page_cache)
  (≥ 0.2),
- ``prov-shared``: the same mix with each worker holding one page and the shared level in
  Redis on (``PAGE_CACHE_REDIS_URL``) — pages not in the worker's memory, built once by
  another worker (≥ 0.2),

then the page cache's memory per worker: every page of the mix stored once (tracemalloc, in
this process), the sum of the entries' sizes, and what ``PAGE_CACHE_MAX_BYTES`` holds it to.

URLs come from :func:`page_url` only: the app's ``url_for`` for the endpoint plus the commune
(``/vb/…``, ``/xaa/…``).
"""

from __future__ import annotations

import gc
import json
import os
import random
import string
import time
import tracemalloc
from dataclasses import dataclass, field

from bench import loadgen
from bench.server import (
    BROWSER_HEADERS,
    OUT,
    Request,
    app_env,
    capture,
    fetch,
    fresh_shared_store,
    gunicorn,
    prepare_database,
    sqlite_url,
    workers,
)

COMMUNES = int(os.environ.get("BENCH_COMMUNES", "100"))
REQUESTS = 20_000  # the request list wrk cycles through
ZIPF_S = 1.0  # exponent for commune and page popularity
ENGLISH = 0.2  # share of visitors reading English
SEED = 13
TARGETS = {"prov-guide": 0.7, "prov-lookup": 0.5, "prov-miss": 0.2, "prov-shared": 0.2}
REFERENCE_OF = {"prov-guide": "guide", "prov-lookup": "lookup", "prov-miss": "guide",
                "prov-shared": "guide"}


def commune_codes(n: int) -> list[str]:
    """``VB`` and ``n - 1`` made-up codes of letters only (``XAA``, ``XAB``, …)."""
    letters = string.ascii_uppercase
    extra = [f"X{a}{b}" for a in letters for b in letters][: max(0, n - 1)]
    return ["VB", *extra]


@dataclass
class Province:
    url: str
    codes: list[str]
    slugs: list[str]  # guide pages, in the demo's order (its most asked first)
    dossiers: dict[str, tuple[str, str]] = field(default_factory=dict)  # office → (code, last4)


def _columns(obj, *skip: str) -> dict:
    import sqlalchemy as sa

    return {a.key: getattr(obj, a.key) for a in sa.inspect(type(obj)).column_attrs
            if a.key not in ("id", *skip)}


def build_province(url: str, n: int = COMMUNES) -> Province:
    """The demo database plus ``n - 1`` communes copied from Vĩnh Bửu."""
    prepare_database(url)
    import sqlalchemy as sa

    from app import create_app
    from app.catalogue import offer_all
    from app.dossiers import register_dossier
    from app.extensions import db
    from app.models import DutyShift, Office, Officer, Procedure, offered_in

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    codes = commune_codes(n)
    with app.app_context():
        vb = db.session.scalars(sa.select(Office).where(Office.code == "VB")).one()
        procs = list(db.session.scalars(
            sa.select(Procedure).where(offered_in(vb.id), Procedure.active)
            .order_by(Procedure.position, Procedure.id)))
        officers = list(db.session.scalars(
            sa.select(Officer).where(Officer.office_id == vb.id, Officer.active,
                                     Officer.public_phone != "")))
        slugs = [p.slug for p in procs]
        filing = next(p for p in procs if not p.is_howto)
        province = Province(url=url, codes=codes, slugs=slugs)
        for i, code in enumerate(codes[1:], start=1):
            office = Office(**_columns(vb, "code", "name", "name_en", "sms_number", "hostname"))
            office.code, office.name, office.name_en = code, f"Xã Thử {code}", f"Test {code}"
            db.session.add(office)
            db.session.flush()
            offer_all(office)  # one province catalogue: each commune offers its procedures
            copies = {p.id: p for p in procs}
            for o in officers:
                clone = Officer(**_columns(o, "office_id", "username"), office_id=office.id,
                                username=f"{o.username}-{code.lower()}"[:40])
                clone.shifts = [DutyShift(**_columns(s, "officer_id")) for s in o.shifts]
                clone.procedures = [copies[p.id] for p in o.procedures if p.id in copies]
                db.session.add(clone)
            db.session.flush()
            dossier = register_dossier(
                office=office, procedure=copies[filing.id], applicant_name="Nguyễn Văn Thử",
                phone=f"+849123{i:05d}", commit=False, notify=False)
            province.dossiers[code] = (dossier.code, dossier.phone_last4)
        first = db.session.scalars(
            sa.select(Office).where(Office.code == "VB")).one()
        from app.models import Dossier

        demo = db.session.scalars(sa.select(Dossier).where(
            Dossier.office_id == first.id, Dossier.phone != "").order_by(Dossier.id)).first()
        province.dossiers["VB"] = (demo.code, demo.phone_last4)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return province


# ----------------------------------------------------------------------------- URLs


def page_url(app, commune: str, endpoint: str, **values) -> str:
    """The one place bench URLs are built: ``url_for(endpoint, **values)`` for the commune
    ``commune`` (its code). When the endpoint's route has an ``<office>`` part (``/vb/...``) the
    commune goes there; without one (one commune per deployment) every commune's page is the
    same URL."""
    from flask import url_for

    rules = app.url_map._rules_by_endpoint.get(endpoint, [])  # noqa: SLF001 (read only)
    if any("office" in rule.arguments for rule in rules):
        values["office"] = commune.lower()
    with app.test_request_context("/"):
        return url_for(endpoint, **values)


def per_commune_urls(app) -> bool:
    rules = app.url_map._rules_by_endpoint.get("citizen.guide", [])  # noqa: SLF001
    return any("office" in rule.arguments for rule in rules)


def _zipf(n: int, s: float = ZIPF_S) -> list[float]:
    return [1 / (rank ** s) for rank in range(1, n + 1)]


def mixes(app, province: Province, english_cookie: str) -> dict[str, list[Request]]:
    """The seeded request lists: guides and lookups over every commune, Zipf both ways."""
    rng = random.Random(SEED)
    codes = province.codes
    commune_w = _zipf(len(codes))
    page_w = _zipf(len(province.slugs))
    urls: dict[tuple, str] = {}

    def url(commune: str, endpoint: str, **values) -> str:
        key = (commune, endpoint, tuple(sorted(values.items())))
        if key not in urls:
            urls[key] = page_url(app, commune, endpoint, **values)
        return urls[key]

    def headers() -> dict[str, str]:
        h = dict(BROWSER_HEADERS)
        if rng.random() < ENGLISH:
            h["Cookie"] = english_cookie
        return h

    guides, lookups = [], []
    for _ in range(REQUESTS):
        code = rng.choices(codes, commune_w)[0]
        slug = rng.choices(province.slugs, page_w)[0]
        guides.append(Request("GET", url(code, "citizen.guide", slug=slug), headers()))
        code = rng.choices(codes, commune_w)[0]
        dossier, last4 = province.dossiers[code]
        lookups.append(Request("GET", url(code, "citizen.status", code=dossier, digits=last4),
                               headers()))
    return {"prov-guide": guides, "prov-lookup": lookups, "prov-miss": guides,
            "prov-shared": guides}


def _english_cookie(port: int, app, code: str) -> str:
    status, headers, _b = fetch(port, Request("GET", page_url(app, code, "citizen.home",
                                                             lang="en"), dict(BROWSER_HEADERS)))
    cookie = headers.get("set-cookie", "")
    assert status == 200 and cookie.startswith("session="), (status, cookie)
    return cookie.split(";", 1)[0]


WARM_MAX_SECONDS = float(os.environ.get("BENCH_WARM_SECONDS", "90"))


def _measure(port: int, requests: list[Request], seconds: float,
             warm: bool = True) -> loadgen.Result:
    """Measure a running site, not its first minute: warm up, then measure the mix.

    The warm-up asks every distinct page of the mix once per worker (each worker keeps its own
    pages; with the shared level in Redis a page is built once and taken by the others), then
    runs the mix itself in 5-second passes until a pass is no more than 5 % faster than the
    one before — the pages a worker meets for the third time are recompressed at brotli's
    strongest, and a visitor with a language cookie is answered before Flask only once a
    worker has seen that page with it — at most ``WARM_MAX_SECONDS`` in all.
    ``warm=False`` (nothing is kept: the page cache is off) warms up for 2 s."""
    if not warm:
        requests_ = requests[:2000]
        if loadgen.have_wrk():
            loadgen.run_wrk(port, requests_, 2.0)
            return loadgen.run_wrk(port, requests, seconds)
        loadgen.run_python(port, lambda n: requests_[n % len(requests_)], 2.0)
        return loadgen.run_python(port, lambda n: requests[n % len(requests)], seconds)
    distinct = list({(r.path, r.headers.get("Cookie")): r for r in requests}.values())
    if not loadgen.have_wrk():
        loadgen.run_python(port, lambda n: distinct[n % len(distinct)], min(seconds, 10.0))
        return loadgen.run_python(port, lambda n: requests[n % len(requests)], seconds)
    done, started = 0, time.monotonic()
    while done < workers() * len(distinct) and time.monotonic() - started < WARM_MAX_SECONDS:
        at = done % len(distinct)
        done += loadgen.run_wrk(port, distinct[at:] + distinct[:at], 3.0).requests
    before = 0.0
    while time.monotonic() - started < WARM_MAX_SECONDS:
        rps = loadgen.run_wrk(port, requests, 5.0).rps
        if before and rps < before * 1.05:
            break
        before = rps
    return loadgen.run_wrk(port, requests, seconds)


# ----------------------------------------------------------------------------- memory


def cache_memory(province: Province, requests: list[Request]) -> dict:
    """Store every distinct page of the mix in this process's page cache (brotli, as the
    bench's browser asks; each asked twice so its strongest form is made) with no bound, and
    measure it: tracemalloc's growth, the entries' own bytes, and what the byte bound allows."""
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("SETTINGS_ENCRYPTION_KEY", "bench-" + "x" * 40)
    from app import create_app
    from app.page_cache import page_cache

    app = create_app({"APP_ENV": "production", "SQLALCHEMY_DATABASE_URI": province.url,
                      "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "PUBLIC_BASE_URL": "", "PAGE_CACHE_SIZE": 1_000_000,
                      "PAGE_CACHE_MAX_BYTES": 0, "PAGE_CACHE_CHECK_SECONDS": 60})
    vi, en = app.test_client(), app.test_client()
    distinct = list({(r.path, "Cookie" in r.headers): r for r in requests}.values())
    page_cache.clear()
    en.get(page_url(app, province.codes[0], "citizen.home", lang="en"))  # its session cookie
    vi.get(distinct[0].path, headers=BROWSER_HEADERS)  # imports, templates, translations
    page_cache.clear()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for req in distinct:
        client = en if "Cookie" in req.headers else vi
        for _ in range(2):
            response = client.get(req.path, headers=BROWSER_HEADERS)
            assert response.status_code == 200, (req.path, response.status_code)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    stored = list(page_cache._entries.items())  # noqa: SLF001 (measuring it)

    def own(entry) -> int:
        return len(entry.body) + sum(len(r[0]) for r in entry.ready.values())

    pages = len(stored)
    total_own = sum(own(e) for _k, e in stored)
    overhead = (grown - total_own) / pages if pages else 0  # keys, headers, dicts, FastPath
    guides = [e for k, e in stored if k.view == "guide"]
    per = (sum(own(e) for e in guides) / len(guides) + overhead) if guides else 0
    full = {
        "pages_in_mix": pages,
        "guide_pages_in_mix": len(guides),
        "urls_in_mix": len({r.path for r in distinct}),
        "tracemalloc_bytes": grown,
        "entry_bytes": total_own,
        "overhead_per_page": round(overhead),
        "bytes_per_page": round(per),  # a guide page, overhead included
        "charged_bytes": page_cache.nbytes,
    }
    # What every commune's every guide in both languages would take once each commune has its
    # own addresses (with one address for all, the mix above has one page per guide and
    # language): the same pages, ×communes.
    full["province_pages"] = len(province.codes) * len(province.slugs) * 2
    full["province_bytes_estimate"] = round(per * full["province_pages"])
    page_cache.clear()
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    return full


# ----------------------------------------------------------------------------- run


def run(seconds: float, notes: list[str]) -> dict:
    """Build the province, measure the rows and the reference, and the cache's memory."""
    from app import create_app

    started = time.monotonic()
    url = sqlite_url()
    print(f"province: {COMMUNES} communes (SQLite) …", flush=True)
    province = build_province(url)
    os.environ.setdefault("SECRET_KEY", "bench")
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    if not per_commune_urls(app):
        notes.append("Province rows: citizen pages have no /<code>/ address yet, so every "
                     "commune's page is the same URL (page_url builds them; with per-commune "
                     "routes each commune gets its own).")
    results: dict[str, loadgen.Result] = {}
    env = dict(app_env(url))
    with gunicorn("wsgi:app", env, "province") as port:
        cookie = _english_cookie(port, app, province.codes[0])
        lists = mixes(app, province, cookie)
        reference_json = OUT / "reference-province.json"
        distinct = {r.path: Request("GET", r.path, dict(BROWSER_HEADERS))
                    for name in ("prov-guide", "prov-lookup") for r in lists[name]}
        capture(port, {p: r for p, r in list(distinct.items())[:4000]}, reference_json)
        for name in ("prov-guide", "prov-lookup"):
            results[name] = _measure(port, lists[name], seconds)
            print(f"  province {name:11} {results[name].rps:8.1f} req/s  errors "
                  f"{results[name].errors}  (load {os.getloadavg()[0]:.1f})", flush=True)
    fresh_shared_store(env["PAGE_CACHE_REDIS_URL"])
    with gunicorn("wsgi:app", dict(env, PAGE_CACHE_SIZE="0"), "province-nocache") as port:
        results["prov-miss"] = _measure(port, lists["prov-miss"], seconds, warm=False)
        print(f"  province {'prov-miss':11} {results['prov-miss'].rps:8.1f} req/s  errors "
              f"{results['prov-miss'].errors}  (load {os.getloadavg()[0]:.1f})", flush=True)
    if fresh_shared_store(env["PAGE_CACHE_REDIS_URL"]):
        # Pages not in the worker's memory (it holds one page) but in the shared store: what
        # a worker meets for a page another worker or host built.
        with gunicorn("wsgi:app", dict(env, PAGE_CACHE_SIZE="1"), "province-shared") as port:
            results["prov-shared"] = _measure(port, lists["prov-shared"], seconds)
            print(f"  province {'prov-shared':11} {results['prov-shared'].rps:8.1f} req/s  "
                  f"errors {results['prov-shared'].errors}  (load {os.getloadavg()[0]:.1f})",
                  flush=True)
    else:
        notes.append("No Redis for the shared level (BENCH_REDIS_URL): prov-shared not run.")
    ref: dict[str, loadgen.Result] = {}
    with gunicorn("bench.reference_app:app",
                  dict(os.environ, BENCH_REFERENCE=str(reference_json)), "reference-province"
                  ) as port:
        for base, name in (("guide", "prov-guide"), ("lookup", "prov-lookup")):
            ref[base] = _measure(port, lists[name], seconds, warm=False)
            print(f"  province ref {base:7} {ref[base].rps:8.1f} req/s  errors "
                  f"{ref[base].errors}  (load {os.getloadavg()[0]:.1f})", flush=True)
    print("  page cache memory (every page of the mix, in this process) …", flush=True)
    memory = cache_memory(province, lists["prov-guide"] + lists["prov-lookup"])
    return {"communes": len(province.codes), "guides": len(province.slugs),
            "results": results, "reference": ref, "memory": memory,
            "per_commune_urls": per_commune_urls(app),
            "max_bytes": app.config["PAGE_CACHE_MAX_BYTES"],
            "max_pages": app.config["PAGE_CACHE_SIZE"],
            "seconds": round(time.monotonic() - started, 1)}


def table(report: dict) -> str:
    lines = [f"province: {report['communes']} communes × {report['guides']} guides × 2 "
             f"languages, Zipf s={ZIPF_S}, seed {SEED} ({report['seconds']} s)",
             f"{'row':12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
             f"{'ref req/s':>9} {'ratio':>6} {'target':>6}"]
    for name, res in report["results"].items():
        base = report["reference"].get(REFERENCE_OF[name])
        ratio = res.rps / base.rps if base and base.rps else float("nan")
        target = TARGETS[name]
        lines.append(f"{name:12} {res.rps:8.1f} {res.p50_ms:8.1f} {res.p99_ms:8.1f} "
                     f"{res.errors:6d} {base.rps if base else float('nan'):9.1f} {ratio:6.2f} "
                     f"{target:>6}{' ok' if ratio >= target else ' LOW'}")
    m = report["memory"]
    lines.append(
        f"page cache, one worker: {m['pages_in_mix']} pages ({m['urls_in_mix']} URLs) take "
        f"{m['tracemalloc_bytes'] / 1e6:.1f} MB (tracemalloc; {m['entry_bytes'] / 1e6:.1f} MB "
        f"of HTML and its compressed forms), a guide page {m['bytes_per_page'] / 1e3:.1f} KB "
        f"({m['overhead_per_page'] / 1e3:.1f} KB of it keys, headers and dicts); "
        f"{m['province_pages']} pages (every commune × guide × language) would take "
        f"~{m['province_bytes_estimate'] / 1e6:.0f} MB unbounded; bound PAGE_CACHE_MAX_BYTES "
        f"= {report['max_bytes'] / 1e6:.1f} MB per worker (PAGE_CACHE_SIZE "
        f"{report['max_pages']} pages)")
    return "\n".join(lines)


def as_json(report: dict) -> dict:
    def res(r: loadgen.Result) -> dict:
        return {"rps": round(r.rps, 1), "p50_ms": round(r.p50_ms, 2),
                "p99_ms": round(r.p99_ms, 2), "errors": r.errors}

    return {"communes": report["communes"], "guides": report["guides"],
            "per_commune_urls": report["per_commune_urls"], "zipf_s": ZIPF_S, "seed": SEED,
            "rows": {k: res(v) for k, v in report["results"].items()},
            "reference": {k: res(v) for k, v in report["reference"].items()},
            "memory": report["memory"], "max_bytes": report["max_bytes"],
            "max_pages": report["max_pages"], "seconds": report["seconds"]}


def main(seconds: float) -> int:
    notes: list[str] = []
    report = run(seconds, notes)
    print()
    print(table(report))
    for note in notes:
        print(f"note: {note}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "province.json").write_text(json.dumps(dict(as_json(report), notes=notes),
                                                  indent=2, ensure_ascii=False))
    errors = sum(r.errors for r in report["results"].values())
    return 1 if errors else 0
