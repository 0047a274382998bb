"""Fixtures for deploy/: the real production stack (``stack``) and scratch PostgreSQL databases.

Decisions, written here so nobody has to guess them:

- The stack and the backup test run **once per CI run, in the PostgreSQL pass**: they need a
  PostgreSQL server, and take the one ``DATABASE_URL`` names — but never its database (the unit
  suite drops and recreates that one). They make their own, named after it
  (``<db>_stack``, ``<db>_backup``, ``<db>_restored``), and drop them afterwards. In the SQLite
  pass they are skipped with that reason.
- The stack's rate limits live in the Redis database ``STACK_REDIS_URL`` (default db 14),
  which the stack empties; its ports come from ``STACK_PORTS`` (``18000-18099``) or the system.
- One stack per session (starting it costs the demo load, ~10 s): a check that stops or
  swaps gunicorn puts the normal one back before it ends, and ``stack`` resets rate limits and
  failed sign-ins before each test. Later checks (page cache, sessions) add a test module here
  and take the ``stack`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy import harness


@pytest.fixture(scope="session")
def production_stack(tmp_path_factory) -> Iterator[harness.Stack]:
    reason = harness.skip_reason()
    if reason:
        pytest.skip(reason)
    base = harness.postgres_url()
    with harness.scratch_database(base, "stack") as database:
        with harness.running_stack(tmp_path_factory.mktemp("stack"), database) as stack:
            prepared = ", ".join(f"{k} {v:.1f}s" for k, v in stack.timings.items())
            print(f"\nstack: nginx + gunicorn healthy in {stack.started_in:.1f}s ({prepared})")
            yield stack


@pytest.fixture
def stack(production_stack: harness.Stack) -> harness.Stack:
    """The running stack, healthy, with no rate limit or failed sign-in counted yet."""
    production_stack.wait_healthy()
    production_stack.reset_limits()
    return production_stack
