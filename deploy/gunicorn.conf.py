"""gunicorn for MotCua Lite behind deploy/nginx: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Under systemd (deploy/systemd/motcua-web.service) the listening socket comes from
motcua-web.socket and ``bind`` is ignored; run by hand, gunicorn binds ``GUNICORN_BIND``.

Settings read from the environment (the same file as the app's: /etc/motcua/motcua.env):

| variable | default | |
|---|---|---|
| ``WEB_CONCURRENCY`` | 2 × CPUs + 1, at most 8 | worker processes |
| ``GUNICORN_BIND`` | ``127.0.0.1:8000`` | only without systemd's socket |
| ``GUNICORN_TIMEOUT`` | 30 | seconds a request may take before its worker is replaced |
| ``GUNICORN_GRACEFUL_TIMEOUT`` | 30 | seconds requests in flight get to finish on stop/restart |
| ``FORWARDED_ALLOW_IPS`` | ``127.0.0.1,::1`` | the proxy's address (TCP only; see below) |
"""

from __future__ import annotations

import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Sync workers: nginx buffers requests and answers (deploy/nginx), so a worker never waits on
# a slow phone; each worker holds its own page cache and its own database pool.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, 8))

# A request still running after `timeout` seconds has its worker killed and replaced (nginx
# then answers with the 503 page). nginx's proxy_read_timeout (60 s) is longer on purpose.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))

# Stop and restart (SIGTERM, SIGHUP): each worker finishes the request it is serving before
# it exits, for at most graceful_timeout seconds. systemd's TimeoutStopSec is longer, so it
# never kills gunicorn before gunicorn's own deadline (issue 12, item 17).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))

# The app is imported by each worker, not the master: SIGHUP then loads new code, and no
# database connection is ever shared across a fork.
preload_app = False

# What gunicorn itself takes from the proxy. The client's address is the app's business
# (ProxyFix, PROXY_HOPS); here only the scheme, from our nginx alone, so that gunicorn and the
# app agree that the request came over HTTPS. On a unix socket gunicorn trusts every peer —
# which is why systemd's socket is mode 0600 and owned by nginx's user: nginx is the only peer.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# Never take SCRIPT_NAME or PATH_INFO from a request header (gunicorn's default trusts both
# from the addresses above): a forged prefix would be cached into every link of a page.
forwarder_headers = ""
header_map = "drop"  # and drop any other header whose name has an underscore

# nginx logs every request with the client's address; gunicorn logs errors to the journal.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "motcua-web"
