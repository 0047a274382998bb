"""Load generators: ``wrk`` when Debian's package is installed (C, cheap on the CPU it shares
with the server), else a threaded Python client (``http.client``, keep-alive when the server
allows it). Both report requests/s, p50/p99 latency and errors, bounded in time."""

from __future__ import annotations

import http.client
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import HOST, Request


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    generator: str
    statuses: Counter = field(default_factory=Counter)
    error_kinds: Counter = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


# ----------------------------------------------------------------------------- Python


def run_python(
    port: int,
    make: Callable[[int], Request],
    seconds: float,
    threads: int = 8,
    ok: Callable[[int], bool] = lambda s: s < 400,
) -> Result:
    """``threads`` clients, each sending ``make(n)`` for globally increasing ``n`` until the
    deadline. A response whose status fails ``ok`` or a socket error counts as an error."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors: Counter = Counter()
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        my_status: Counter = Counter()
        my_errors: Counter = Counter()
        while time.monotonic() < deadline:
            req = make(next(counter))
            started = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body, headers=req.headers)
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException) as exc:
                my_errors[type(exc).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            mine.append((time.perf_counter() - started) * 1000)
            my_status[resp.status] += 1
            if not ok(resp.status):
                my_errors[f"HTTP {resp.status} {req.method} {req.path.split('?')[0]}"] += 1
            if resp.will_close:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(my_status)
            errors.update(my_errors)

    started = time.monotonic()
    pool = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return Result(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        errors=sum(errors.values()),
        generator=f"python×{threads}",
        statuses=statuses,
        error_kinds=errors,
    )


# ----------------------------------------------------------------------------- wrk


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def _raw(req: Request, port: int) -> bytes:
    """The request as bytes on the wire (what ``wrk.format`` would build)."""
    headers = {"Host": f"{HOST}:{port}", **req.headers}
    if req.body is not None:
        headers["Content-Length"] = str(len(req.body))
    head = f"{req.method} {req.path} HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    return head.encode("latin-1") + b"\r\n" + (req.body or b"")


def _lua_script(data_file: str) -> str:
    """A wrk script that cycles through pre-built raw requests (e.g. pre-signed webhooks) read
    from ``data_file`` (records: ``<length>\\n<bytes>``). Read at run time rather than written
    as Lua constants: a Lua chunk holds at most 65,536 constants, and wrk silently falls back
    to ``GET /`` when its script fails to load."""
    return f"""
local reqs = {{}}
local f = assert(io.open({json.dumps(data_file)}, "rb"))
local data = f:read("*a")
f:close()
local pos = 1
while pos <= #data do
  local nl = string.find(data, "\\n", pos, true)
  local len = tonumber(string.sub(data, pos, nl - 1))
  reqs[#reqs + 1] = string.sub(data, nl + 1, nl + len)
  pos = nl + len + 1
end
local i = 0
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
"""


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * _UNIT[m.group(2)] if m else float("nan")


def run_wrk(port: int, requests: list[Request], seconds: float, threads: int = 2,
            connections: int = 8) -> Result:
    """``wrk --latency`` with a script cycling through ``requests``. Each thread runs the
    script in its own Lua state, so with several threads a request list is replayed once per
    thread: give webhooks their own thread (threads=1) so every MessageSid stays unique."""
    with tempfile.NamedTemporaryFile("wb", suffix=".req", delete=False) as fh:
        for req in requests:
            raw = _raw(req, port)
            fh.write(b"%d\n" % len(raw) + raw)
        data_file = fh.name
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(_lua_script(data_file))
        script = fh.name
    try:
        done = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
             "--timeout", "10s", "-s", script, f"http://{HOST}:{port}"],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        )
    finally:
        Path(script).unlink(missing_ok=True)
        Path(data_file).unlink(missing_ok=True)
    if done.stderr.strip():
        raise RuntimeError(f"wrk: {done.stderr.strip()}")
    out = done.stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(s|m)", out)
    count = int(total.group(1))
    secs = float(total.group(2)) * (60 if total.group(3) == "m" else 1)
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    error_kinds: Counter = Counter()
    if non2xx:
        error_kinds["non-2xx/3xx"] = int(non2xx.group(1))
    if sock:
        for kind, n in zip(("connect", "read", "write", "timeout"), sock.groups(), strict=True):
            if int(n):
                error_kinds[f"socket {kind}"] = int(n)
    return Result(
        requests=count,
        seconds=secs,
        p50_ms=_ms(p50.group(1)) if p50 else float("nan"),
        p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
        errors=sum(error_kinds.values()),
        generator=f"wrk -t{threads} -c{connections}",
        error_kinds=error_kinds,
    )

