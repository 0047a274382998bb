"""Issue 12, item 20: deploy/backup.sh and deploy/restore.sh, run as the README says, on the
demo commune in a real PostgreSQL database. Everything that was there is there again — every
row of every table, compared by count and by a checksum of the rows' text — and a restore
never half-fills or overwrites a database."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from tests.deploy import harness
from tests.deploy.harness import DEPLOY, FLASK, ROOT

pytestmark = pytest.mark.postgres

TOOLS = ("pg_dump", "pg_restore", "psql", "sha256sum")
MARKER = "Ban sao luu: tin nhan cho gui"  # a queued text added before the backup

QUEUE_ONE = f"""
from app import create_app
from app.extensions import db
from app.models import Message, Office
import sqlalchemy as sa
app = create_app()
with app.app_context():
    office = db.session.scalars(sa.select(Office)).first()
    db.session.add(Message(office_id=office.id, direction="out", phone="+84912000999",
                           body={MARKER!r}, kind="reply", status="queued"))
    db.session.commit()
"""


def _skip_reason() -> str | None:
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        return f"PostgreSQL client tools missing: {', '.join(missing)} (apt-get install " \
               "postgresql-client)"
    base = harness.postgres_url()
    if base is None:
        return ("backup and restore need PostgreSQL: they run in the PostgreSQL pass "
                "(DATABASE_URL=postgresql://…), in databases of their own on that server")
    if not harness.server_answers(base):
        return f"no PostgreSQL server at {base.host}:{base.port}"
    return None


@pytest.fixture(scope="module")
def pg():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    return harness.postgres_url()


def fingerprint(url: sa.URL) -> dict[str, tuple[int, str]]:
    """``{table: (rows, md5 of every row's text, sorted)}`` for every table in the schema."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )).scalars().all()
            return {
                table: tuple(conn.execute(sa.text(
                    f'SELECT count(*), coalesce(md5(string_agg(t::text, \'|\' ORDER BY t::text)), '
                    f"'') FROM \"{table}\" t"
                )).one())
                for table in tables
            }
    finally:
        engine.dispose()


def _run(args: list[str], url: sa.URL, **kw) -> subprocess.CompletedProcess:
    env = {**harness.clean_env(), "DATABASE_URL": harness.libpq_url(url)}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kw)


def test_backup_then_restore_into_an_empty_database_finds_everything(pg, tmp_path):
    with harness.scratch_database(pg, "backup") as source, \
            harness.scratch_database(pg, "restored") as target:
        for step in (["db", "upgrade"], ["demo", "load"]):
            _run([str(FLASK), "--app", "wsgi", *step], source, check=True)
        _run([sys.executable, "-c", QUEUE_ONE], source, check=True)
        before = fingerprint(source)

        backup = _run(["bash", str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], source)
        assert backup.returncode == 0, backup.stderr
        dump = tmp_path / "backups" / backup.stdout.split()[0].rsplit("/", 1)[-1]
        assert dump.exists() and (dump.parent / (dump.name + ".sha256")).exists()
        assert oct(dump.stat().st_mode & 0o777) == "0o600"  # personal data: this user only

        started = time.monotonic()
        restore = _run(["bash", str(DEPLOY / "restore.sh"), str(dump)], target)
        took = time.monotonic() - started
        assert restore.returncode == 0, restore.stderr
        after = fingerprint(target)
        print(f"\nbackup of the demo: {dump.stat().st_size} bytes; restored in {took:.2f}s; "
              f"{before['dossier'][0]} dossiers, {before['dossier_event'][0]} events, "
              f"{before['message'][0]} texts")

        assert after == before
        for table in ("dossier", "dossier_event", "message", "alembic_version"):
            assert before[table][0] > 0, table  # the demo really filled them
        queued = sa.text("SELECT id, phone, body, next_attempt_at FROM message "
                         "WHERE status = 'queued' ORDER BY id")
        rows = {}
        for name, url in (("before", source), ("after", target)):
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                rows[name] = conn.execute(queued).all()
            engine.dispose()
        assert rows["after"] == rows["before"]
        assert MARKER in {row.body for row in rows["after"]}
        # restore.sh reports what it restored, for the operator to compare.
        assert f"dossier {before['dossier'][0]}" in restore.stdout

        # Restoring again over the restored data is refused, and changes nothing.
        again = _run(["bash", str(DEPLOY / "restore.sh"), str(dump)], target)
        assert again.returncode != 0 and "already has" in again.stderr
        assert fingerprint(target) == before


def test_a_damaged_dump_is_refused_and_leaves_the_database_empty(pg, tmp_path):
    with harness.scratch_database(pg, "backup") as source, \
            harness.scratch_database(pg, "restored") as target:
        _run([str(FLASK), "--app", "wsgi", "db", "upgrade"], source, check=True)
        backup = _run(["bash", str(DEPLOY / "backup.sh"), str(tmp_path)], source)
        assert backup.returncode == 0, backup.stderr
        dump = next(tmp_path.glob("motcua-*.dump"))

        # Bit rot on the backup disk: the checksum says so before anything is written.
        data = bytearray(dump.read_bytes())
        data[len(data) // 2] ^= 0xFF
        dump.write_bytes(bytes(data))
        refused = _run(["bash", str(DEPLOY / "restore.sh"), str(dump)], target)
        assert refused.returncode != 0
        assert fingerprint(target) == {}

        # Without its checksum, a truncated dump fails inside pg_restore's single
        # transaction: still nothing half-restored.
        (dump.parent / (dump.name + ".sha256")).unlink()
        dump.write_bytes(bytes(data[: len(data) // 2]))
        truncated = _run(["bash", str(DEPLOY / "restore.sh"), str(dump)], target)
        assert truncated.returncode != 0
        assert fingerprint(target) == {}
