"""The production stack, for real, on this machine: Debian's nginx in front of gunicorn
(deploy/gunicorn.conf.py, 2 workers) on PostgreSQL and Redis, configured from deploy/ exactly as
the README's Deploy section says — only ports, paths and the TLS certificate are the test's.

What stands in for what:

* **systemd's socket** (deploy/systemd/motcua-web.socket): the harness creates the unix socket
  (mode 0600, as the unit says) and keeps it open for the whole session; each gunicorn gets it
  as fd 3 with ``LISTEN_FDS``/``LISTEN_PID``, as systemd passes it. Stopping and starting
  gunicorn is therefore ``systemctl restart motcua-web``: connections made in between wait in
  the socket's queue.
* **Debian's /etc/nginx/nginx.conf**: a main file with its ``http`` settings and the test's
  log, pid and temp paths, which includes the site rendered by deploy/render.py.
* **Let's Encrypt**: a self-signed certificate for 127.0.0.1 made with openssl.

Visitors are told apart by their source address (127.0.0.2, 127.0.0.3, … — all of 127/8 is
local on Linux); nginx appends it to X-Forwarded-For as it would a phone's.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = Path("/usr/sbin/nginx")
VENV_BIN = Path(sys.executable).parent
GUNICORN = VENV_BIN / "gunicorn"
FLASK = VENV_BIN / "flask"
WORKERS = 2

# A tiny stand-in for systemd's exec step: put the inherited socket at fd 3, say so in
# LISTEN_FDS/LISTEN_PID (the pid is only known after the fork), then become gunicorn.
LAUNCHER = """
import os, sys
fd = int(os.environ.pop("STACK_SOCKET_FD"))
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[1], sys.argv[1:])
"""


# ----------------------------------------------------------------------------- PostgreSQL


def postgres_url() -> sa.URL | None:
    """The PostgreSQL server of this test run (``DATABASE_URL``), or None on SQLite."""
    raw = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://"):]
    if not raw.startswith("postgresql"):
        return None
    return sa.engine.make_url(raw).set(drivername="postgresql+psycopg")


def libpq_url(url: sa.URL) -> str:
    """``postgresql://…`` as libpq (pg_dump, psql) and DATABASE_URL take it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def server_answers(url: sa.URL) -> bool:
    engine = sa.create_engine(url.set(database="postgres"), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@contextmanager
def scratch_database(base: sa.URL, suffix: str) -> Iterator[sa.URL]:
    """A new, empty database named after the run's own (``<db>_<suffix>``: never anyone
    else's), dropped afterwards."""
    name = f"{base.database}_{suffix}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name)
    finally:
        drop()
        admin.dispose()


# ----------------------------------------------------------------------------- ports


def free_ports(count: int) -> list[int]:
    """``count`` free local ports: from ``STACK_PORTS`` (e.g. ``18000-18099``) when set, else
    any the system hands out."""
    wanted = os.environ.get("STACK_PORTS")
    if wanted:
        low, high = (int(p) for p in wanted.split("-"))
        candidates = list(range(low, high + 1))
    else:
        candidates = [0] * count
    found: list[int] = []
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            found.append(probe.getsockname()[1])
        if len(found) == count:
            return found
    raise RuntimeError(f"no {count} free ports in {wanted or 'the ephemeral range'}")


# ----------------------------------------------------------------------------- the stack


class SourceAddress(HTTPAdapter):
    """Connect from a given local address: one "visitor" per address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


@dataclass
class Gunicorn:
    process: subprocess.Popen
    log: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> float:
        """Signal the master; wait for it to exit. Returns how long it took."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        return time.monotonic() - started


@dataclass
class Stack:
    tmp: Path
    https_port: int
    http_port: int
    database: sa.URL
    redis_url: str
    env: dict[str, str]
    socket_path: Path
    cert: Path
    nginx: subprocess.Popen | None = None
    web: Gunicorn | None = None
    listener: socket.socket | None = None
    started_in: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    _engine: sa.Engine | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def public_base_url(self) -> str:
        return self.env["PUBLIC_BASE_URL"]

    @property
    def demo_password(self) -> str:
        return self.env["DEMO_PASSWORD"]

    # -- visitors ---------------------------------------------------------------------------

    def client(self, source: str = "127.0.0.1") -> requests.Session:
        """A browser-like session from ``source`` that trusts the test certificate."""
        session = requests.Session()
        # Not the environment's CA bundle or proxies (REQUESTS_CA_BUNDLE would override the
        # session's certificate): only what this stack says.
        session.trust_env = False
        session.verify = str(self.cert)
        session.mount("https://", SourceAddress(source))
        session.mount("http://", SourceAddress(source))
        return session

    def get(self, path: str, source: str = "127.0.0.1", **kw) -> requests.Response:
        with self.client(source) as session:
            return session.get(self.url + path, allow_redirects=False, timeout=90, **kw)

    # -- the database and Redis, seen from the test -------------------------------------------

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.database)
        return self._engine

    def sql(self, query: str, **params) -> list[sa.Row]:
        with self.engine.begin() as conn:
            result = conn.execute(sa.text(query), params)
            return list(result) if result.returns_rows else []

    def redis(self):
        import redis

        return redis.Redis.from_url(self.redis_url)

    def reset_limits(self) -> None:
        """Forget every rate limit and failed sign-in, so checks do not depend on order."""
        self.redis().flushdb()
        self.sql("DELETE FROM login_attempt")

    # -- processes ----------------------------------------------------------------------------

    def open_socket(self) -> None:
        """What ``systemctl start motcua-web.socket`` does."""
        self.socket_path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.socket_path))
        os.chmod(self.socket_path, 0o600)  # SocketMode=0600
        listener.listen(socket.SOMAXCONN)
        self.listener = listener

    def close_socket(self) -> None:
        """What ``systemctl stop motcua-web.socket`` does: new connections are refused."""
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        self.socket_path.unlink(missing_ok=True)

    def start_web(self, **env: str) -> Gunicorn:
        """gunicorn with deploy/gunicorn.conf.py on the held socket (``env`` overrides the
        app's environment, e.g. another DATABASE_URL)."""
        assert self.listener is not None, "open_socket() first"
        fd = self.listener.fileno()
        log = self.tmp / f"gunicorn-{time.monotonic_ns()}.log"
        environ = {**self.env, **env, "STACK_SOCKET_FD": str(fd)}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(GUNICORN), "-c",
                 str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"],
                cwd=ROOT, env=environ, pass_fds=(fd,), stdout=out, stderr=subprocess.STDOUT,
            )
        self.web = Gunicorn(process, log)
        return self.web

    def restart_web(self, **env: str) -> float:
        """``systemctl restart motcua-web``: SIGTERM, wait, start again; returns the stop
        time. The socket stays open throughout."""
        took = self.web.stop() if self.web else 0.0
        self.start_web(**env)
        self.wait_healthy()
        return took

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.web and self.web.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.web.log.read_text()[-3000:]}")
            try:
                last = self.get("/healthz")
                if last.status_code == 200:
                    return
            except requests.ConnectionError as error:
                last = error
            time.sleep(0.1)
        raise RuntimeError(f"the stack is not healthy after {timeout}s: {last!r}")

    def nginx_errors(self) -> str:
        path = self.tmp / "nginx" / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.web:
            self.web.stop(timeout=60)
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.nginx.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        self.close_socket()
        if self._engine is not None:
            self._engine.dispose()


def skip_reason() -> str | None:
    """Why the stack cannot run here, or None."""
    if not sys.platform.startswith("linux"):
        return "the stack test needs Linux (127/8 source addresses, unix sockets)"
    if not NGINX.exists():
        return f"{NGINX} is not installed (apt-get install nginx; .ci/run installs it)"
    if not GUNICORN.exists():
        return f"{GUNICORN} is not installed (pip install -r requirements.txt)"
    if not shutil.which("openssl"):
        return "openssl is not installed (it makes the test's TLS certificate)"
    base = postgres_url()
    if base is None:
        return ("the stack runs on PostgreSQL: it runs in the PostgreSQL pass "
                "(DATABASE_URL=postgresql://…), with its own database on that server")
    if not server_answers(base):
        return f"no PostgreSQL server at {base.host}:{base.port}"
    try:
        import redis

        redis.Redis.from_url(redis_url(), socket_connect_timeout=2).ping()
    except Exception as error:  # any failure: no Redis to put the limits in
        return f"no Redis at {redis_url()} ({type(error).__name__})"
    return None


def redis_url() -> str:
    """The Redis database the stack's rate limits use — emptied by the stack, so it must be
    one no one else uses (``STACK_REDIS_URL``; default db 14)."""
    return os.environ.get("STACK_REDIS_URL", "redis://127.0.0.1:6379/14")


APP_VARIABLES = ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "TEST_DATABASE_URL", "RATELIMIT_",
                 "PROXY_", "PUBLIC_BASE_URL", "TWILIO_", "SMS_", "ANDROID_", "PAGE_CACHE",
                 "DEMO_PASSWORD", "WEB_CONCURRENCY", "GUNICORN_", "FORWARDED_ALLOW_IPS")


def clean_env() -> dict[str, str]:
    """This process's environment without any of the app's settings: the processes started
    here get exactly the ones their test gives them."""
    return {k: v for k, v in os.environ.items() if not k.startswith(APP_VARIABLES)}


def _certificate(tmp: Path) -> Path:
    cert, key = tmp / "tls.crt", tmp / "tls.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert


def _nginx_main(tmp: Path, site: Path) -> Path:
    """Debian's /etc/nginx/nginx.conf, with the test's own pid, logs and temp paths."""
    conf = tmp / "nginx" / "nginx.conf"
    temp = tmp / "nginx" / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    # As root, nginx's workers would become "nobody", who may not open the 0600 socket:
    # keep them as this user (systemd's SocketUser=www-data does the same for Debian's).
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(f"""{user}worker_processes 2;
pid {tmp}/nginx/nginx.pid;
error_log {tmp}/nginx/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    log_format stack '$remote_addr "$request" $status $upstream_status $request_time '
                     '"$http_x_forwarded_for"';
    access_log {tmp}/nginx/access.log stack;
    gzip on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
""")
    return conf


def prepare_database(stack: Stack) -> None:
    """``flask db upgrade`` and ``flask demo load``: the README's release steps."""
    for step in (["db", "upgrade"], ["demo", "load"]):
        started = time.monotonic()
        subprocess.run([str(FLASK), "--app", "wsgi", *step], cwd=ROOT, env=stack.env,
                       check=True, capture_output=True)
        stack.timings["flask " + " ".join(step)] = time.monotonic() - started


@contextmanager
def running_stack(tmp: Path, database: sa.URL) -> Iterator[Stack]:
    """Render deploy/, prepare the database, start nginx and gunicorn; stop them after."""
    https_port, http_port = free_ports(2)
    public = f"https://127.0.0.1:{https_port}"
    env = clean_env()
    env.update({
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "SETTINGS_ENCRYPTION_KEY": secrets.token_hex(32),
        "DATABASE_URL": libpq_url(database),
        "RATELIMIT_STORAGE_URI": redis_url(),
        "PAGE_CACHE_REDIS_URL": redis_url(),  # pages shared by the workers (app/page_store)
        "PROXY_HOPS": "1",
        "PUBLIC_BASE_URL": public,
        "DEMO_PASSWORD": "stack-" + secrets.token_hex(6),
        "SMS_CHANNEL": "console",
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "WEB_CONCURRENCY": str(WORKERS),
    })
    stack = Stack(tmp=tmp, https_port=https_port, http_port=http_port, database=database,
                  redis_url=redis_url(), env=env, socket_path=tmp / "web.sock",
                  cert=_certificate(tmp))
    prepare_database(stack)
    stack.redis().flushdb()
    try:
        started = time.monotonic()
        out = tmp / "rendered"
        subprocess.run(
            [sys.executable, str(DEPLOY / "render.py"), "--out", str(out),
             "--server-name", "127.0.0.1", "--app-root", str(ROOT),
             "--web-socket", str(stack.socket_path),
             "--https-listen", f"127.0.0.1:{https_port}",
             "--http-listen", f"127.0.0.1:{http_port}",
             "--tls-cert", str(stack.cert), "--tls-key", str(tmp / "tls.key"),
             "--acme-root", str(tmp / "acme")],
            check=True, capture_output=True,
        )
        main = _nginx_main(tmp, out / "nginx" / "motcua.conf")
        stack.open_socket()
        stack.start_web()
        with (tmp / "nginx" / "stderr.log").open("wb") as err:
            stack.nginx = subprocess.Popen([str(NGINX), "-c", str(main), "-p", str(tmp / "nginx")],
                                           stdout=subprocess.DEVNULL, stderr=err)
        stack.wait_healthy()
        stack.started_in = time.monotonic() - started
        yield stack
    finally:
        stack.stop()
