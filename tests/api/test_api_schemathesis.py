"""Property-based check of the open API against its own OpenAPI document (schemathesis):
generated valid and invalid input must never give a 500, and every answer must match the
document (status code, content type, JSON schema, headers). Bounded (``MAX_EXAMPLES`` per
operation and mode) so it runs in seconds.

The operations are driven by hand with ``APIOperation.as_strategy`` and hypothesis' ``@given``
rather than ``schemathesis.pytest.from_fixture``: that helper reads a pytest private attribute
that pytest 9 removed, and our ``app`` is a fixture (it picks SQLite or PostgreSQL).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from app.extensions import limiter

MAX_EXAMPLES = 30
# /openapi.json (the document itself) is not among the operations schemathesis generates for;
# tests/api/test_api.py checks it.
PATHS = ["/procedures", "/procedures/{code}", "/dossiers/{code}", "/index"]
# Negative input needs a parameter whose type can be violated (a header is always a string).
NEGATIVE_PATHS = ["/procedures", "/procedures/{code}", "/dossiers/{code}"]
CASES = [(p, schemathesis.GenerationMode.POSITIVE) for p in PATHS] + [
    (p, schemathesis.GenerationMode.NEGATIVE) for p in NEGATIVE_PATHS
]


@pytest.fixture
def api_schema(app, db, make_procedure, make_officer, make_dossier):
    """A small real world to answer from: a procedure with a national code, a how-to guide,
    an officer, and a dossier."""
    proc = make_procedure(slug="khai-sinh", national_code="1.001193", online_mode="full")
    make_procedure(slug="vneid", processing_days=None)
    make_officer(procedures=[proc])
    make_dossier(proc, status="processing")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_document_lists_the_operations_driven_here(api_schema):
    found = {result.ok().path for result in api_schema.get_all_operations()}
    assert found == set(PATHS)


@pytest.mark.parametrize(("path", "mode"), CASES, ids=[f"{p}-{m.value}" for p, m in CASES])
def test_api_conforms_to_its_document(api_schema, path, mode):
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        # Many generated requests from one IP: reset so the answers are real, not 429s.
        limiter.reset()
        # The WSGI transport does not decompress; ask for the body as it is.
        case.call_and_validate(headers={"Accept-Encoding": "identity"})

    check()
