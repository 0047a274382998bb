"""Configuration from the environment (app.config): no forged sessions in production, and
Heroku-style database URLs reach psycopg 3."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.config import DEV_SECRET, ConfigError, from_env

INSTANCE = Path("/nonexistent/instance")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "SESSION_COOKIE_SECURE"):
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
    config = from_env(INSTANCE, "production")
    assert config["SECRET_KEY"] == "a-long-random-value-from-the-operator"
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["TESTING"] is False


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
