"""Fill in the deploy/ templates for one server: the nginx site and the systemd units.

    .venv/bin/python deploy/render.py --server-name motcua.example.gov.vn --out /tmp/motcua-conf

writes ``nginx/motcua.conf`` and ``systemd/*`` under ``--out``; the README's Deploy section says
where each goes. Every ``@NAME@`` in a ``*.in`` file is replaced (an unknown or unfilled name is
an error, never left in the output); other files are copied as they are. The stack test
(tests/deploy/) renders the same templates with its own ports and paths and runs the result.

Two values come from the app itself, so nginx can never disagree with it: the security headers
(``app.web``), which nginx adds to what it answers on its own (static files, the 503 page, its
413), and ``client_max_body_size``, equal to ``MAX_CONTENT_LENGTH``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATES = ("nginx", "systemd")
TOKEN = re.compile(r"@([A-Z][A-Z0-9_]*)@")

DEFAULTS = {
    "APP_ROOT": "/srv/motcua",  # the git checkout, with its .venv
    "APP_USER": "motcua",
    "ENV_FILE": "/etc/motcua/motcua.env",
    "WEB_SOCKET": "/run/motcua/web.sock",  # systemd's socket for gunicorn (motcua-web.socket)
    "NGINX_USER": "www-data",  # the only user allowed to connect to that socket
    "HTTPS_LISTEN": "443 [::]:443",  # several addresses: one `listen` line each
    "HTTP_LISTEN": "80 [::]:80",
    "TLS_CERT": "/etc/letsencrypt/live/{SERVER_NAME}/fullchain.pem",
    "TLS_KEY": "/etc/letsencrypt/live/{SERVER_NAME}/privkey.pem",
    "ACME_ROOT": "/var/www/html",  # certbot --webroot
}
LISTS = {"HTTPS_LISTEN", "HTTP_LISTEN"}


def app_values() -> dict[str, str]:
    """The values nginx must share with the app."""
    sys.path.insert(0, str(ROOT))
    from app.config import from_env
    from app.web import HSTS, SECURITY_HEADERS

    headers = [*SECURITY_HEADERS, HSTS]  # the site is HTTPS only: HSTS as the app sends it
    maps, adds, fixed = [], [], []
    for name, value in headers:
        if '"' in value:
            raise ValueError(f"{name}: a double quote cannot go into nginx.conf")
        var = "$motcua_" + name.lower().replace("-", "_")
        upstream = "$upstream_http_" + name.lower().replace("-", "_")
        # Added only when the app did not send it: never twice, and the app's own value wins.
        maps.append(f'map {upstream} {var} {{\n    "" "{value}";\n    default "";\n}}')
        adds.append(f"add_header {name} {var} always;")
        fixed.append(f'add_header {name} "{value}" always;')
    config = from_env(ROOT / "instance", "development")
    return {
        "SECURITY_HEADER_MAPS": "\n".join(maps),
        "SECURITY_HEADERS": "\n".join(adds),
        "SECURITY_HEADERS_FIXED": "\n".join(fixed),
        "MAX_BODY": str(config["MAX_CONTENT_LENGTH"]),
    }


def _fill_line(line: str, values: dict[str, str], source: Path) -> str:
    names = TOKEN.findall(line)
    for name in names:
        if name not in values:
            raise KeyError(f"{source.name}: no value for @{name}@")
    listed = [n for n in names if n in LISTS]
    if listed:  # `listen @HTTPS_LISTEN@ ssl;` becomes one line per address
        name = listed[0]
        return "".join(TOKEN.sub(lambda m, item=item: item if m.group(1) == name
                                 else values[m.group(1)], line)
                       for item in values[name].split())
    indent = line[: len(line) - len(line.lstrip())]
    # A multi-line value keeps the indentation of the line it replaces.
    return TOKEN.sub(lambda m: values[m.group(1)].replace("\n", "\n" + indent), line)


def render_text(text: str, values: dict[str, str], source: Path) -> str:
    return "".join(_fill_line(line, values, source) for line in text.splitlines(keepends=True))


def render(out: Path, **overrides: str) -> list[Path]:
    """Render every template into ``out``; returns the files written."""
    values = dict(DEFAULTS)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if not values.get("SERVER_NAME"):
        raise KeyError("SERVER_NAME is required (--server-name)")
    values = {k: v.format(**values) if "{" in v else v for k, v in values.items()}
    values.update(app_values())
    written = []
    for folder in TEMPLATES:
        for source in sorted((HERE / folder).iterdir()):
            target_dir = out / folder
            target_dir.mkdir(parents=True, exist_ok=True)
            if source.suffix == ".in":
                target = target_dir / source.stem
                target.write_text(render_text(source.read_text(), values, source))
            else:
                target = target_dir / source.name
                shutil.copyfile(source, target)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--server-name", required=True, help="public host name (nginx)")
    for name in DEFAULTS:
        parser.add_argument("--" + name.lower().replace("_", "-"), dest=name,
                            help=f"default: {DEFAULTS[name]}")
    args = vars(parser.parse_args(argv))
    out = args.pop("out")
    args["SERVER_NAME"] = args.pop("server_name")
    for path in render(out, **args):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
