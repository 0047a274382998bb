"""``make bench``: throughput and latency of the real app next to a bare reference app that
sends the same bytes, page weights per citizen page, and the outbox worker's drain rate.

Rows (each measured for ``BENCH_SECONDS``, default 10, after a short warm-up):

- a guide page (``GET /procedures/<slug>``),
- a status lookup with the phone digits (``GET /status?code=…&digits=…``),
- the Twilio SMS webhook (``POST /sms/twilio``, every request a new signed message),

each next to the reference (``bench/reference_app.py``) replaying the bytes the real app sent
for that URL, served by gunicorn the same way. The guide and lookup rows are measured twice:
as deployed (the page cache on: after the first request the page comes from memory), and
``-nc`` with ``PAGE_CACHE_SIZE=0``, the cost of a page that is not in memory. ``ratio = real req/s ÷ reference req/s`` is the
headline (targets: ≥ 0.7 guide, ≥ 0.5 lookup). SQLite always; PostgreSQL too when
``BENCH_DATABASE_URL`` is set (that database is emptied and loaded with the demo data).

Then the province rows (``bench/province.py``: 100 communes, a Zipf mix over all their
pages, and the page cache's memory per worker); ``BENCH_SKIP_PROVINCE=1`` leaves them out,
``python -m bench province`` runs them alone.

Results are printed and written to ``bench/out/bench.json`` and ``bench/out/province.json``
(git-ignored).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import loadgen, province
from bench.server import (
    BROWSER_HEADERS,
    OUT,
    ROOT,
    Demo,
    Request,
    app_env,
    capture,
    fetch,
    gunicorn,
    prepare_database,
    signed_webhook,
    sqlite_url,
    workers,
)

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2.0
TARGETS = {"guide": 0.7, "lookup": 0.5}
WEBHOOK_PRESIGNED = 40_000


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    # Other work on the machine skews every figure: say how busy it was when we started.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": ram, "python": platform.python_version(),
            "gunicorn_workers": workers(), "loadavg_1min": round(load, 2)}


COMMUNE = "/vb"  # the demo commune's address (issue 13: every citizen page is under it)


def _rows(demo: Demo) -> dict[str, Request]:
    return {
        "guide": Request("GET", f"{COMMUNE}/procedures/{demo.slug}", dict(BROWSER_HEADERS)),
        "lookup": Request("GET", f"{COMMUNE}/status?code={demo.code}&digits={demo.last4}",
                          dict(BROWSER_HEADERS)),
    }


def _webhook_exists(port: int) -> bool:
    status, _h, _b = fetch(port, Request("POST", "/sms/twilio", {"Content-Length": "0"}, b""))
    return status == 403  # exists and refuses the unsigned request; 404 = not built yet


def _measure(port: int, name: str, req: Request | None, demo: Demo, salt: str) -> loadgen.Result:
    """Warm up, then measure one row against the server on ``port``."""
    if name == "webhook":
        if loadgen.have_wrk():
            # One wrk thread: every request is a distinct signed message (see run_wrk).
            def batch(prefix: str, n: int) -> list[Request]:
                return [signed_webhook(i, demo, port, salt=prefix) for i in range(n)]

            loadgen.run_wrk(port, batch(salt + "w", 2000), WARMUP, threads=1)
            return loadgen.run_wrk(port, batch(salt, WEBHOOK_PRESIGNED), SECONDS, threads=1)

        def make_webhook(n: int) -> Request:
            return signed_webhook(n, demo, port, salt=salt)

        loadgen.run_python(port, lambda n: signed_webhook(n, demo, port, salt=salt + "w"), WARMUP)
        return loadgen.run_python(port, make_webhook, SECONDS)
    assert req is not None
    if loadgen.have_wrk():
        loadgen.run_wrk(port, [req], WARMUP)
        return loadgen.run_wrk(port, [req], SECONDS)
    loadgen.run_python(port, lambda n: req, WARMUP)
    return loadgen.run_python(port, lambda n: req, SECONDS)


def throughput(demo: Demo, label: str, ref_port: int | None, reference_json: Path,
               notes: list[str]) -> tuple[list[dict], int | None]:
    """Measure the rows on one database; start the reference on the first call."""
    results: list[dict] = []
    with gunicorn("wsgi:app", app_env(demo.url), f"app-{label}") as port:
        rows: dict[str, Request | None] = dict(_rows(demo))
        if _webhook_exists(port):
            rows["webhook"] = None
        else:
            notes.append("SMS webhook: POST /sms/twilio does not exist yet; row skipped.")
        if ref_port is None:
            captured = {k: v for k, v in rows.items() if v is not None}
            if "webhook" in rows:
                captured["webhook"] = signed_webhook(10**9, demo, port, salt="cap")
            capture(port, captured, reference_json)
        for name, req in rows.items():
            salt = f"{label[:2]}{int(time.time()) % 100000}"
            result = _measure(port, name, req, demo, salt)
            results.append({"row": name, "db": label, "result": result})
            print(f"  {label:6} {name:8} {result.rps:8.1f} req/s  errors {result.errors}",
                  flush=True)
    # The same pages with the page cache off: what a request costs when its page is not in
    # memory (the first visitor after a change, or a lookup nobody made before).
    env = dict(app_env(demo.url), PAGE_CACHE_SIZE="0")
    with gunicorn("wsgi:app", env, f"app-{label}-nocache") as port:
        for name, req in _rows(demo).items():
            result = _measure(port, name, req, demo, salt="nc")
            results.append({"row": f"{name}{UNCACHED}", "db": label, "result": result})
            print(f"  {label:6} {name + UNCACHED:8} {result.rps:8.1f} req/s  errors "
                  f"{result.errors}", flush=True)
    return results, ref_port


UNCACHED = "-nc"


def base_row(name: str) -> str:
    return name.removesuffix(UNCACHED)


def reference(results: list[dict], demo: Demo, reference_json: Path) -> dict[str, loadgen.Result]:
    env = dict(os.environ, BENCH_REFERENCE=str(reference_json))
    out: dict[str, loadgen.Result] = {}
    with gunicorn("bench.reference_app:app", env, "reference") as port:
        for name in dict.fromkeys(base_row(r["row"]) for r in results):
            req = _rows(demo).get(name)
            out[name] = _measure(port, name, req, demo, salt="ref")
            print(f"  ref    {name:8} {out[name].rps:8.1f} req/s  errors {out[name].errors}",
                  flush=True)
    return out


# ----------------------------------------------------------------------------- page weights


def page_weights(notes: list[str]) -> list[dict]:
    """From the browser budget run (real Chromium on emulated 2G) when it exists, else from the
    test client with ``Accept-Encoding: br`` (bodies only, no headers)."""
    budget = OUT / "browser_budgets.json"
    if budget.exists():
        data = json.loads(budget.read_text())
        notes.append(f"Page weights: Chromium on emulated 2G, {data['measured_at']} "
                     "(bytes on the wire incl. headers; bench/out/browser_budgets.json).")
        return [
            {"page": name, "path": r["path"], "first_bytes": r["first"]["bytes"],
             "first_requests": r["first"]["requests"], "repeat_bytes": r["repeat"]["bytes"],
             "repeat_requests": r["repeat"]["requests"], "fcp_first_ms": r["first"]["fcp_ms"],
             "fcp_repeat_ms": r["repeat"]["fcp_ms"]}
            for name, r in data["pages"].items()
        ]
    notes.append("Page weights: test client, brotli bodies only (run the browser tests for "
                 "bytes on the wire and first paint on 2G).")
    return _weights_from_client()


def _weights_from_client() -> list[dict]:

    from app import create_app
    from app.demo.loader import load_demo
    from app.extensions import db

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": sqlite_url(),
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        load_demo(password="x")
    client = app.test_client()
    headers = {"Accept-Encoding": "br"}
    # Citizen pages carry their stylesheet inline (one request on 2G, issue 14): the HTML is
    # the whole first visit.
    rows = []
    for path in ("/", *(COMMUNE + p for p in ("/procedures", "/status", "/contacts", "/feedback",
                                              "/feedback/thanks"))):
        first = client.get(path, headers=headers)
        again = client.get(path, headers={**headers, "If-None-Match": first.headers.get("ETag", "")})
        rows.append({"page": path, "path": path, "first_bytes": len(first.get_data()),
                     "first_requests": 1, "repeat_bytes": len(again.get_data()),
                     "repeat_requests": 1, "fcp_first_ms": None, "fcp_repeat_ms": None})
    return rows


# ----------------------------------------------------------------------------- worker


def worker_drain(notes: list[str]) -> str | None:
    script = ROOT / "bench" / "worker_drain.py"
    if not script.exists():
        notes.append("Outbox drain rate: bench/worker_drain.py does not exist yet; skipped.")
        return None
    if os.environ.get("BENCH_SKIP_DRAIN"):
        notes.append("Outbox drain rate: skipped (BENCH_SKIP_DRAIN).")
        return None
    # SQLite always; PostgreSQL in a database of its own (the script refuses an outbox that
    # holds other offices' texts, such as the demo database above).
    args = ["--db", "sqlite"]
    if os.environ.get("BENCH_WORKER_DATABASE_URL"):
        args += ["--db", os.environ["BENCH_WORKER_DATABASE_URL"]]
    print(f"  outbox worker drain (bench/worker_drain.py {' '.join(args)}) …", flush=True)
    done = subprocess.run([sys.executable, str(script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=3600)
    if done.returncode != 0:
        notes.append(f"bench/worker_drain.py failed ({done.returncode}): "
                     f"{done.stderr.strip().splitlines()[-1:]}")
    return done.stdout.strip() or None


# ----------------------------------------------------------------------------- report


def table(results: list[dict], ref: dict[str, loadgen.Result]) -> str:
    lines = [
        f"{'row':9} {'db':7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
        f"{'ref req/s':>9} {'ratio':>6} {'target':>6}",
    ]
    for r in results:
        res: loadgen.Result = r["result"]
        base = ref.get(base_row(r["row"]))
        ratio = res.rps / base.rps if base and base.rps else float("nan")
        target = TARGETS.get(r["row"])
        mark = "" if target is None else (" ok" if ratio >= target else " LOW")
        lines.append(
            f"{r['row']:9} {r['db']:7} {res.rps:8.1f} {res.p50_ms:8.1f} {res.p99_ms:8.1f} "
            f"{res.errors:6d} {base.rps if base else float('nan'):9.1f} {ratio:6.2f} "
            f"{target if target else '-':>6}{mark}"
        )
    for name, res in ref.items():
        lines.append(f"{'reference':9} {name:7} {res.rps:8.1f} {res.p50_ms:8.1f} "
                     f"{res.p99_ms:8.1f} {res.errors:6d}")
    return "\n".join(lines)


def weights_table(rows: list[dict]) -> str:
    lines = [f"{'page':16} {'first B':>8} {'req':>4} {'repeat B':>9} {'req':>4} "
             f"{'FCP 1st':>8} {'FCP rep':>8}"]
    for r in rows:
        lines.append(
            f"{r['page']:16} {r['first_bytes']:8d} {r['first_requests']:4d} "
            f"{r['repeat_bytes']:9d} {r['repeat_requests']:4d} "
            f"{r['fcp_first_ms'] or '-':>8} {r['fcp_repeat_ms'] or '-':>8}"
        )
    return "\n".join(lines)


def main() -> int:
    notes: list[str] = []
    info = machine()
    started = datetime.now(UTC)
    print(f"MotCua Lite bench — {started:%Y-%m-%d %H:%M} UTC — {info['nproc']} CPU "
          f"({info['cpu']}), {info['ram']} RAM, load {info['loadavg_1min']}, "
          f"gunicorn -w {info['gunicorn_workers']} (sync), "
          f"{generator_name()}, {SECONDS:g} s per row", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    reference_json = OUT / "reference.json"

    print("SQLite demo database …", flush=True)
    demo = prepare_database(sqlite_url())
    results, _ = throughput(demo, "sqlite", None, reference_json, notes)
    pg_url = os.environ.get("BENCH_DATABASE_URL")
    if pg_url:
        print("PostgreSQL demo database …", flush=True)
        pg = prepare_database(pg_url)
        pg_results, _ = throughput(pg, "pg", 1, reference_json, notes)
        results += pg_results
    else:
        notes.append("PostgreSQL rows: set BENCH_DATABASE_URL (that database is emptied).")
    ref = reference(results, demo, reference_json)
    weights = page_weights(notes)
    drain = worker_drain(notes)
    prov = None
    if os.environ.get("BENCH_SKIP_PROVINCE"):
        notes.append("Province rows: skipped (BENCH_SKIP_PROVINCE).")
    else:
        prov = province.run(SECONDS, notes)

    print()
    print(table(results, ref))
    print()
    print(weights_table(weights))
    if drain:
        print()
        print(drain)
    if prov:
        print()
        print(province.table(prov))
    if notes:
        print()
        for note in notes:
            print(f"note: {note}")

    report = {
        "measured_at": started.isoformat(timespec="seconds"),
        "machine": info,
        "seconds_per_row": SECONDS,
        "throughput": [
            {"row": r["row"], "db": r["db"], "rps": round(r["result"].rps, 1),
             "p50_ms": round(r["result"].p50_ms, 2), "p99_ms": round(r["result"].p99_ms, 2),
             "errors": r["result"].errors, "error_kinds": dict(r["result"].error_kinds),
             "generator": r["result"].generator}
            for r in results
        ],
        "reference": {k: {"rps": round(v.rps, 1), "p50_ms": round(v.p50_ms, 2),
                          "p99_ms": round(v.p99_ms, 2), "errors": v.errors}
                      for k, v in ref.items()},
        "page_weights": weights,
        "worker_drain": drain,
        "province": province.as_json(prov) if prov else None,
        "notes": notes,
    }
    (OUT / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    errors = sum(r["result"].errors for r in results) + sum(v.errors for v in ref.values())
    if prov:
        errors += sum(r.errors for r in prov["results"].values())
    return 1 if errors else 0


def generator_name() -> str:  # noqa: N802 (reads like the constant it reports)
    return "wrk" if loadgen.have_wrk() else "Python threads (install Debian's wrk for less noise)"


if __name__ == "__main__":
    if sys.argv[1:] == ["province"]:
        sys.exit(province.main(SECONDS))
    sys.exit(main())
