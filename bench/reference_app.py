"""The reference for ``make bench``: a bare Flask app that answers each benchmarked URL with the
exact bytes (body and content headers) the real app sent for it, captured once at start-up.

Served by gunicorn exactly like the real app, it measures the floor — Flask, gunicorn and the
network stack moving the same bytes — so ``real / reference`` says how much our own work
(database, templates, compression, security headers) costs. ``BENCH_REFERENCE`` names the
JSON file written by ``bench.server.capture``.
"""

from __future__ import annotations

import base64
import json
import os

from flask import Flask, Response, request

app = Flask(__name__)
with open(os.environ["BENCH_REFERENCE"], encoding="utf-8") as fh:
    _CAPTURED = {
        key: (base64.b64decode(item["body"]), item["headers"], item["status"])
        for key, item in json.load(fh).items()
    }


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def replay(path: str) -> Response:
    body, headers, status = _CAPTURED[request.path]
    return Response(body, status=status, headers=headers)
