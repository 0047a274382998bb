"""``flask db upgrade`` builds the schema the models describe, on SQLite and PostgreSQL.

Runs the real migrations (Flask-Migrate's ``upgrade()``) against a fresh database — a temporary
SQLite file always, and a throwaway PostgreSQL database when the suite runs on PostgreSQL — then
asks Alembic's autogenerate comparison for differences with the models: there must be none.
A failure here after a model change means the migrations need regenerating.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.support.databases import pg_url, scratch_postgresql


def _upgrade_and_diff(url: str) -> list:
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": False}
            )
            diff = compare_metadata(context, db.metadata)
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        db.engine.dispose()
    assert version, "alembic_version was not stamped"
    assert tables, "upgrade created no tables"
    return diff


def test_upgrade_on_a_fresh_sqlite_file_matches_the_models(tmp_path):
    diff = _upgrade_and_diff(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    assert diff == [], f"models and migrations differ (regenerate migrations): {diff}"


@pytest.mark.skipif(pg_url() is None, reason="runs when DATABASE_URL points at PostgreSQL")
def test_upgrade_on_a_fresh_postgresql_database_matches_the_models():
    with scratch_postgresql() as url:
        diff = _upgrade_and_diff(url)
    assert diff == [], f"models and migrations differ (regenerate migrations): {diff}"
