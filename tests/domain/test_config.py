"""Configuration from the environment (app.config): no forged sessions in production, and
Heroku-style database URLs reach psycopg 3."""

from __future__ import annotations

import ast
import contextlib
import itertools
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from app import create_app
from app.config import DEV_SECRET, ROOT, ConfigError, from_env

INSTANCE = Path("/nonexistent/instance")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "SESSION_COOKIE_SECURE",
                 "SETTINGS_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("env", ["production", "staging"])
@pytest.mark.parametrize("secret", [None, "", DEV_SECRET])
def test_secret_key_is_required_outside_development_and_testing(clean_env, env, secret):
    clean_env.setenv("APP_ENV", env)
    if secret is not None:
        clean_env.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError):
        from_env(INSTANCE)
    with pytest.raises(ConfigError):
        from_env(INSTANCE, env)


def test_create_app_refuses_to_start_in_production_without_a_secret(clean_env):
    with pytest.raises(ConfigError):
        create_app({"APP_ENV": "production"})


@pytest.mark.parametrize("env", ["development", "testing"])
def test_development_and_testing_run_without_a_secret(env):
    config = from_env(INSTANCE, env)
    assert config["SECRET_KEY"] == DEV_SECRET
    assert config["TESTING"] is (env == "testing")
    assert config["SESSION_COOKIE_SECURE"] is False


def test_default_environment_is_development(clean_env):
    assert from_env(INSTANCE)["APP_ENV"] == "development"


def test_production_with_a_secret(clean_env):
    clean_env.setenv("SECRET_KEY", "a-long-random-value-from-the-operator")
    clean_env.setenv("SETTINGS_ENCRYPTION_KEY", "another-long-random-value")
    config = from_env(INSTANCE, "production")
    assert config["SECRET_KEY"] == "a-long-random-value-from-the-operator"
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["TESTING"] is False


@pytest.mark.parametrize("env", ["production", "staging"])
def test_settings_encryption_key_is_required_outside_development_and_testing(clean_env, env):
    """Issue 13: the communes' SMS settings are encrypted with a key of the operator's, never
    with a default that anyone reading the repository knows."""
    clean_env.setenv("SECRET_KEY", "a-long-random-value-from-the-operator")
    with pytest.raises(ConfigError, match="SETTINGS_ENCRYPTION_KEY"):
        from_env(INSTANCE, env)
    clean_env.setenv("SETTINGS_ENCRYPTION_KEY", "another-long-random-value")
    assert from_env(INSTANCE, env)["SETTINGS_ENCRYPTION_KEY"] == "another-long-random-value"


@pytest.mark.parametrize("env", ["development", "testing"])
def test_development_derives_a_settings_key_from_the_secret(clean_env, env):
    config = from_env(INSTANCE, env)
    assert config["SETTINGS_ENCRYPTION_KEY"] and config["SETTINGS_ENCRYPTION_KEY"] != DEV_SECRET
    clean_env.setenv("SECRET_KEY", "other")
    assert from_env(INSTANCE, env)["SETTINGS_ENCRYPTION_KEY"] != config["SETTINGS_ENCRYPTION_KEY"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db.example:5432/motcua", "postgresql+psycopg://u:p@db.example:5432/motcua"),
        ("postgresql://postgres@127.0.0.1:5432/test",
         "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////var/lib/motcua/db.sqlite3", "sqlite:////var/lib/motcua/db.sqlite3"),
    ],
)
def test_database_url(clean_env, url, expected):
    clean_env.setenv("DATABASE_URL", url)
    assert from_env(INSTANCE, "testing")["SQLALCHEMY_DATABASE_URI"] == expected


def test_database_defaults_to_sqlite_under_instance(clean_env):
    uri = from_env(INSTANCE, "testing")["SQLALCHEMY_DATABASE_URI"]
    assert uri == f"sqlite:///{INSTANCE / 'motcua.sqlite3'}"


def test_compression_covers_gzip_only_clients_for_static_files():
    config = from_env(INSTANCE, "testing")
    assert "gzip" in config["COMPRESS_ALGORITHM"]
    assert "gzip" in config["COMPRESS_ALGORITHM_STREAMING"]


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SMS_INBOUND_PER_HOUR", "12", 12),
        ("SMS_CLAIM_SECONDS", "90", 90.0),
        ("TWILIO_TIMEOUT", "4.5", 4.5),
        ("ANDROID_TIMEOUT", " 20 ", 20.0),
        ("SMS_MAX_ATTEMPTS", "3", 3),
        ("SMS_REMINDER_DAYS", "0", 0),
        ("PAGE_CACHE_SIZE", "0", 0),
        ("ANDROID_SEND_RATE", "0", 0.0),
        ("SMS_QUIET_START", "22:30", "22:30"),
        ("SMS_QUIET_END", "", ""),
        ("IMPORT_DIR", "/srv/motcua/imports", "/srv/motcua/imports"),
    ],
)
def test_settings_are_read_from_the_environment(clean_env, name, value, expected):
    clean_env.setenv(name, value)
    config = from_env(INSTANCE, "testing")
    assert config[name] == expected
    assert type(config[name]) is type(expected)


def test_defaults_are_the_ones_the_code_used(clean_env):
    for name in ("SMS_INBOUND_PER_HOUR", "SMS_CLAIM_SECONDS", "TWILIO_TIMEOUT",
                 "ANDROID_TIMEOUT", "IMPORT_DIR", "SMS_QUIET_START", "SMS_MAX_ATTEMPTS"):
        clean_env.delenv(name, raising=False)
    config = from_env(INSTANCE, "testing")
    assert config["SMS_INBOUND_PER_HOUR"] == 30
    assert config["SMS_CLAIM_SECONDS"] == 60
    assert config["TWILIO_TIMEOUT"] == config["ANDROID_TIMEOUT"] == 10
    assert config["IMPORT_DIR"] == str(INSTANCE / "imports")
    assert config["SMS_QUIET_START"] == "21:00" and config["SMS_MAX_ATTEMPTS"] == 6


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMS_MAX_ATTEMPTS", "six"),
        ("SMS_MAX_ATTEMPTS", "2.5"),
        ("SMS_MAX_ATTEMPTS", "0"),
        ("SMS_INBOUND_PER_HOUR", "0"),
        ("SMS_REMINDER_DAYS", "-1"),
        ("PAGE_CACHE_SIZE", "lots"),
        ("PAGE_CACHE_CHECK_SECONDS", "-0.5"),
        ("TWILIO_TIMEOUT", "0"),
        ("ANDROID_TIMEOUT", "nan"),
        ("ANDROID_SEND_RATE", "inf"),
        ("SMS_CLAIM_SECONDS", "0.5"),
        ("SMS_QUIET_START", "9pm"),
        ("SMS_QUIET_END", "24:00"),
        ("SMS_QUIET_END", "7:5"),
    ],
)
def test_a_bad_value_stops_the_start_up_naming_the_variable(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        from_env(INSTANCE, "testing")
    with pytest.raises(ConfigError, match=name):
        create_app({"APP_ENV": "testing"})


@pytest.mark.parametrize(
    ("settings"),
    [
        {"TWILIO_TIMEOUT": "40"},  # default claim 60 s < 2 × 40 s
        {"SMS_CLAIM_SECONDS": "15"},  # < 2 × the default 10 s
        {"SMS_CLAIM_SECONDS": "30", "ANDROID_TIMEOUT": "20"},
    ],
)
def test_a_claim_shorter_than_twice_a_send_timeout_stops_the_start_up(clean_env, settings):
    for name, value in settings.items():
        clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match="SMS_CLAIM_SECONDS"):
        from_env(INSTANCE, "testing")


def test_a_claim_of_exactly_twice_the_timeout_is_enough(clean_env):
    clean_env.setenv("SMS_CLAIM_SECONDS", "30")
    clean_env.setenv("TWILIO_TIMEOUT", "15")
    assert from_env(INSTANCE, "testing")["SMS_CLAIM_SECONDS"] == 30


# ----------------------------------------------------------------------------- every key is loaded

APP = ROOT / "app"

# Keys that Flask or an extension defines and reads itself; the app may read them too without
# config.py loading them. Each must still be read somewhere (see the test below).
OWN_KEYS_OF_FLASK_AND_EXTENSIONS = {
    "SECRET_KEY_FALLBACKS",  # Flask.default_config
    "SESSION_COOKIE_NAME",  # Flask.default_config
    "WTF_CSRF_FIELD_NAME",  # Flask-WTF, read with its default "csrf_token"
}


def _is_config(node: ast.AST, aliases: set[str]) -> bool:
    """``<anything>.config`` (``current_app.config``, ``self.app.config``) or a name bound to it
    (``config = current_app.config``, a ``config`` parameter)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "config"
    return isinstance(node, ast.Name) and node.id in aliases


def _str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def config_keys_read(path: Path) -> set[str]:
    """Every constant key read from a Flask config in ``path``: ``x.config["K"]``,
    ``x.config.get("K", ...)``, ``"K" in x.config`` and the same through a local alias."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    aliases = {"config"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "config":
            aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    keys: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_config(node.value, aliases):
            key = _str(node.slice)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in {"get", "setdefault"} and _is_config(node.func.value, aliases)
              and node.args):
            key = _str(node.args[0])
        elif (isinstance(node, ast.Compare) and len(node.ops) == 1
              and isinstance(node.ops[0], ast.In | ast.NotIn)
              and _is_config(node.comparators[0], aliases)):
            key = _str(node.left)
        else:
            continue
        if key is not None:
            keys.add(key)
    return keys


def _keys_under_app() -> dict[str, set[str]]:
    """key → the files under app/ that read it (config.py itself excluded)."""
    found: dict[str, set[str]] = {}
    for path in sorted(APP.rglob("*.py")):
        if path == APP / "config.py":
            continue
        for key in config_keys_read(path):
            found.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_walk_finds_every_form_of_config_read(tmp_path):
    """The AST walk itself: each way the code reads a setting is found, nothing else is."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from flask import current_app\n"
        "a = current_app.config['A']\n"
        "b = current_app.config.get('B', 1)\n"
        "settings = current_app.config\n"
        "c = settings.get('C')\n"
        "def f(config):\n"
        "    return config['D'], 'E' in config, self.app.config.get('F')\n"
        "g = {'NOT_CONFIG': 1}['NOT_CONFIG']\n"
        "h = other.get('NOT_CONFIG_EITHER')\n",
        encoding="utf-8",
    )
    assert config_keys_read(sample) == {"A", "B", "C", "D", "E", "F"}


def test_every_setting_the_app_reads_is_loaded_by_config_py(clean_env):
    found = _keys_under_app()
    # A sanity floor: if the walk silently matched nothing (say, after a rename of
    # ``current_app``), this test would pass while proving nothing.
    assert len(found) >= 30, sorted(found)
    assert {"SMS_INBOUND_PER_HOUR", "IMPORT_DIR", "SMS_CLAIM_SECONDS", "TWILIO_TIMEOUT",
            "ANDROID_TIMEOUT", "PAGE_CACHE_SIZE", "DEFAULT_OFFICE"} <= set(found)
    defined = set(from_env(INSTANCE, "testing")) | set(from_env(INSTANCE, "development"))
    missing = {key: sorted(files) for key, files in found.items()
               if key not in defined and key not in OWN_KEYS_OF_FLASK_AND_EXTENSIONS}
    assert not missing, f"read under app/ but not loaded in app/config.py from_env: {missing}"


def test_the_allow_list_is_only_keys_the_app_reads_and_does_not_load():
    found = _keys_under_app()
    assert OWN_KEYS_OF_FLASK_AND_EXTENSIONS <= set(found)
    assert not OWN_KEYS_OF_FLASK_AND_EXTENSIONS & set(from_env(INSTANCE, "testing"))


# ----------------------------------------------------------------------------- README table


def env_vars_read_by_config_py() -> set[str]:
    """Every environment variable config.py reads: ``os.environ.get("X")``,
    ``os.environ["X"]``, ``os.getenv("X")``, and ``_helper("X", ...)`` for each module-level
    helper of config.py that itself reads ``os.environ``."""
    tree = ast.parse((APP / "config.py").read_text(encoding="utf-8"))

    def reads_environ(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Attribute) and n.attr in {"environ", "getenv"}
                   for n in ast.walk(node))

    helpers = {f.name for f in tree.body
               if isinstance(f, ast.FunctionDef) and f.name != "from_env" and reads_environ(f)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "environ":
            key = _str(node.slice)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            env_get = isinstance(func, ast.Attribute) and (
                (func.attr == "get" and isinstance(func.value, ast.Attribute)
                 and func.value.attr == "environ") or func.attr == "getenv")
            helper = isinstance(func, ast.Name) and func.id in helpers
            key = _str(node.args[0]) if env_get or helper else None
        else:
            continue
        if key is not None:
            names.add(key)
    return names


class _RecordingEnviron(dict):
    """``os.environ`` stand-in that remembers every name looked up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def test_the_static_list_of_env_vars_matches_what_from_env_asks(monkeypatch):
    """The AST walk above is checked against a run of from_env with a recording environment,
    so a new way of reading a variable cannot slip past it."""
    import app.config as config_module

    recording = _RecordingEnviron()
    # Only config.py's view of ``os`` is replaced; pytest keeps the real environment.
    monkeypatch.setattr(config_module, "os", SimpleNamespace(environ=recording))
    for env in (None, "testing", "production"):
        with contextlib.suppress(ConfigError):  # production without SECRET_KEY stops early
            from_env(INSTANCE, env)
    recording["SECRET_KEY"] = "a-long-random-value-from-the-operator"
    recording["SETTINGS_ENCRYPTION_KEY"] = "another-long-random-value"
    from_env(INSTANCE, "production")
    static = env_vars_read_by_config_py()
    assert len(static) >= 25, sorted(static)
    assert recording.asked == static


def readme_configuration_table() -> set[str]:
    """Variable names in the first column of the README's configuration table (the one whose
    header is ``| variable | default | meaning |``)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| variable | default | meaning |") + 2  # after the |---| line
    rows = list(itertools.takewhile(lambda line: line.startswith("|"), lines[start:]))
    assert len(rows) >= 20, rows
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_env_var_is_in_the_readme_table():
    table = readme_configuration_table()
    read = env_vars_read_by_config_py()
    assert not read - table, f"read in app/config.py, missing in the README table: {read - table}"
    assert not table - read, f"in the README table, never read by app/config.py: {table - read}"
