"""deploy/'s files agree with each other, with the app and with the README — checked in every
pass (no PostgreSQL needed): templates fully rendered, nginx and systemd accept the result,
and the timeouts nest so that nothing kills a request another layer still waits for."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import from_env
from tests.deploy.harness import DEPLOY, NGINX, ROOT

SECONDS = re.compile(r"(\d+)s?$")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rendered")
    subprocess.run([sys.executable, str(DEPLOY / "render.py"), "--out", str(out),
                    "--server-name", "motcua.example.gov.vn"], check=True, capture_output=True)
    return out


def _gunicorn_settings() -> dict:
    from gunicorn.config import Config

    config = Config()
    namespace: dict = {"__file__": str(DEPLOY / "gunicorn.conf.py")}
    exec((DEPLOY / "gunicorn.conf.py").read_text(), namespace)
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return {name: config.settings[name].get() for name in config.settings}


def _directive(text: str, name: str) -> str:
    return re.search(rf"^\s*{name}\s+([^;\n]+)", text, re.M).group(1).strip()


def test_every_template_is_filled(rendered: Path):
    files = [p for p in rendered.rglob("*") if p.is_file()]
    templates = [p for p in DEPLOY.rglob("*") if p.parent.name in ("nginx", "systemd")]
    assert len(files) == len(templates)
    for path in files:
        assert not re.search(r"@[A-Z_]+@", path.read_text()), path


def test_timeouts_nest(rendered: Path):
    """nginx waits longer than gunicorn lets a request run; systemd waits longer than
    gunicorn's graceful stop — so each layer's own deadline is the one that acts."""
    gunicorn = _gunicorn_settings()
    site = (rendered / "nginx" / "motcua.conf").read_text()
    unit = (rendered / "systemd" / "motcua-web.service").read_text()
    read_timeout = int(SECONDS.match(_directive(site, "proxy_read_timeout")).group(1))
    stop_timeout = int(re.search(r"^TimeoutStopSec=(\d+)", unit, re.M).group(1))
    assert read_timeout > gunicorn["timeout"]
    assert stop_timeout > gunicorn["graceful_timeout"] > 0
    assert re.search(r"^KillSignal=SIGTERM$", unit, re.M)
    assert re.search(r"^KillMode=mixed$", unit, re.M)


def test_gunicorn_trusts_no_path_from_headers():
    settings = _gunicorn_settings()
    assert settings["forwarder_headers"] == []
    assert settings["header_map"] == "drop"
    assert settings["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}
    assert settings["preload_app"] is False


def test_nginx_body_limit_is_the_apps(rendered: Path):
    site = (rendered / "nginx" / "motcua.conf").read_text()
    limit = from_env(ROOT / "instance", "development")["MAX_CONTENT_LENGTH"]
    assert _directive(site, "client_max_body_size") == str(limit)


@pytest.mark.skipif(not NGINX.exists(), reason=f"{NGINX} is not installed")
def test_nginx_accepts_the_site(tmp_path: Path):
    """``nginx -t`` (which binds nothing) on the site as rendered for production; only the
    certificate is the test's: Let's Encrypt's files do not exist here."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    from tests.deploy.harness import _certificate, _nginx_main

    cert = _certificate(tmp_path)
    out = tmp_path / "rendered"
    subprocess.run([sys.executable, str(DEPLOY / "render.py"), "--out", str(out),
                    "--server-name", "motcua.example.gov.vn", "--tls-cert", str(cert),
                    "--tls-key", str(tmp_path / "tls.key")], check=True, capture_output=True)
    main = _nginx_main(tmp_path, out / "nginx" / "motcua.conf")
    check = subprocess.run([str(NGINX), "-t", "-c", str(main), "-p", str(tmp_path / "nginx")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path):
    """``systemd-analyze verify``: syntax, known keys, executables present (rendered with this
    checkout as the app root)."""
    env_file = tmp_path / "motcua.env"
    env_file.write_text("APP_ENV=production\n")
    out = tmp_path / "rendered"
    subprocess.run([sys.executable, str(DEPLOY / "render.py"), "--out", str(out),
                    "--server-name", "motcua.example.gov.vn", "--app-root", str(ROOT),
                    "--app-user", "root", "--env-file", str(env_file)],
                   check=True, capture_output=True)
    units = sorted(str(p) for p in (out / "systemd").iterdir())
    check = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    assert check.returncode == 0 and not check.stderr.strip(), check.stderr


def test_the_readme_deploys_with_exactly_these_files():
    """Every file in deploy/ is named in the README's Deploy section, and every deploy/ path it
    names exists."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Deploy", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"(?<![\w/])deploy/[\w./-]+\w", section))
    shipped = {str(p.relative_to(ROOT)) for p in DEPLOY.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert not {n for n in named if not (ROOT / n).exists()}, "named in the README, missing"
    unnamed = {f for f in shipped if f not in named and f.rsplit("/", 1)[0] + "/" not in named}
    assert not unnamed, f"in deploy/ but not in the README's Deploy section: {unnamed}"
