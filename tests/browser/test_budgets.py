"""Bytes and requests on an emulated 2G link, per citizen page, in a real Chromium.

The link is WebPageTest's "2G" profile (800 ms RTT, 280 kbps down, 256 kbps up) set with CDP
``Network.emulateNetworkConditions``. For each page we record, for a first visit (fresh
context: empty cache) and a repeat visit (same context, navigate again):

- bytes on the wire: the sum of ``Network.loadingFinished.encodedDataLength`` (compressed
  bodies plus response headers);
- requests that went to the network (cache hits excluded), cross-checked with the requests
  the server actually received;
- first contentful paint from ``performance.getEntriesByType('paint')``.

Bytes and requests are deterministic and asserted (≤ 14 KB and one request on a first visit
— two on the officer sign-in page, which links the cached stylesheet; a repeat visit fetches
only the HTML). tests/browser/test_layout.py holds the first-paint budget (best of three). Times depend on the machine and are only
reported: printed and written to ``bench/out/browser_budgets.json`` (git-ignored), which
``make bench`` and docs/PERFORMANCE.md read.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from app.budgets import FIRST_VISIT_BUDGET
from tests.browser.conftest import ROOT, citizen_pages

pytestmark = pytest.mark.browser

# WebPageTest "2G": 800 ms RTT, 280 kbps down, 256 kbps up (CDP wants bytes per second).
TWO_G = {
    "offline": False,
    "latency": 800,
    "downloadThroughput": 280_000 // 8,
    "uploadThroughput": 256_000 // 8,
}
FIRST_VISIT_REQUESTS = 1  # the HTML: the stylesheet is inline (app.web.SITE_CSS)
OFFICER_FIRST_VISIT_REQUESTS = 2  # officer sign-in links the cached file for the desk
OUT = ROOT / "bench" / "out" / "browser_budgets.json"

_results: dict[str, dict] = {}


class Wire:
    """Counts what one page's CDP session sees on the network."""

    def __init__(self, cdp) -> None:
        self.reset()
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def reset(self) -> None:
        self.urls: dict[str, str] = {}
        self.from_cache: set[str] = set()
        self.encoding: dict[str, str] = {}
        self.bytes: dict[str, float] = {}

    def _sent(self, e) -> None:
        if e["request"]["url"].startswith("http"):
            self.urls[e["requestId"]] = e["request"]["url"]

    def _cached(self, e) -> None:
        self.from_cache.add(e["requestId"])

    def _response(self, e) -> None:
        r = e["response"]
        if r.get("fromDiskCache") or r.get("fromPrefetchCache") or r.get("fromServiceWorker"):
            self.from_cache.add(e["requestId"])
        headers = {k.lower(): v for k, v in r.get("headers", {}).items()}
        self.encoding[e["requestId"]] = headers.get("content-encoding", "identity")

    def _finished(self, e) -> None:
        self.bytes[e["requestId"]] = e["encodedDataLength"]

    def network_requests(self) -> list[str]:
        return [u for rid, u in self.urls.items() if rid not in self.from_cache]

    def total_bytes(self) -> int:
        return int(sum(b for rid, b in self.bytes.items() if rid not in self.from_cache))


def _visit(page, wire: Wire, live, path: str) -> dict:
    wire.reset()
    live.hits.clear()
    started = time.perf_counter()
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    elapsed = time.perf_counter() - started
    fcp = page.evaluate(
        "() => (performance.getEntriesByType('paint')"
        ".find(e => e.name === 'first-contentful-paint') || {}).startTime || null"
    )
    requests = wire.network_requests()
    return {
        "bytes": wire.total_bytes(),
        "requests": len(requests),
        "urls": [u.replace(live.url, "") for u in requests],
        "server_hits": list(live.hits),
        "encodings": sorted(set(wire.encoding.values())),
        "fcp_ms": round(fcp) if fcp else None,
        "load_s": round(elapsed, 2),
    }


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if not _results:
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "network": {"profile": "WebPageTest 2G", **TWO_G},
        "budget": {"first_visit_bytes": FIRST_VISIT_BUDGET,
                   "first_visit_requests": FIRST_VISIT_REQUESTS},
        "pages": _results,
    }
    OUT.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\n2G page weights (written to {OUT.relative_to(ROOT)}):")
    print(f"{'page':16} {'first B':>8} {'req':>3} {'FCP ms':>7} {'repeat B':>8} {'req':>3} {'FCP ms':>7}")
    for name, r in _results.items():
        f, s = r["first"], r["repeat"]
        print(
            f"{name:16} {f['bytes']:>8} {f['requests']:>3} {f['fcp_ms'] or '-':>7} "
            f"{s['bytes']:>8} {s['requests']:>3} {s['fcp_ms'] or '-':>7}"
        )


def test_first_and_repeat_visit_on_2g(new_context, live):
    """One test over every public page (the list comes from the URL map), so a new page is
    measured without editing this file; every page is measured before anything is asserted."""
    failures = []
    for name, path in citizen_pages(live):
        context = new_context(java_script_enabled=True)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", TWO_G)
        wire = Wire(cdp)
        first = _visit(page, wire, live, path)
        repeat = _visit(page, wire, live, path)
        context.close()
        _results[name] = {"path": path, "first": first, "repeat": repeat}
        failures += [f"{name} {path}: {problem}" for problem in _problems(path, first, repeat)]
    assert len(_results) >= 10
    assert not failures, "\n".join(failures)


def _problems(path: str, first: dict, repeat: dict) -> list[str]:
    out = []
    if first["bytes"] > FIRST_VISIT_BUDGET:
        out.append(f"first visit {first['bytes']} B > {FIRST_VISIT_BUDGET} B: {first['urls']}")
    allowed = OFFICER_FIRST_VISIT_REQUESTS if path.startswith("/officer/") else FIRST_VISIT_REQUESTS
    if first["requests"] > allowed:
        out.append(f"first visit made {first['requests']} requests: {first['urls']}")
    if len(first["server_hits"]) != first["requests"]:
        out.append(f"browser and server disagree: {first['urls']} vs {first['server_hits']}")
    # Compressed on the wire (brotli or gzip, COMPRESS_ALGORITHM*), the stylesheet included.
    if not set(first["encodings"]) <= {"br", "gzip"}:
        out.append(f"not compressed with br/gzip: {first['encodings']}")
    # Repeat visit: only the HTML goes over the network; the stylesheet comes from cache.
    if repeat["urls"] != [path] or repeat["server_hits"] != [path.split("?")[0]]:
        out.append(f"repeat visit fetched {repeat['urls']} (server saw {repeat['server_hits']})")
    return out
