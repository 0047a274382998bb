"""scripts/check_imports.py: no import inside a function body in app/ unless its line says why
(docs/ARCHITECTURE.md). An import hidden in a function to dodge a cycle is still a cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from app.config import ROOT
from scripts.check_imports import check, function_level_imports


def _found(source: str) -> list[int]:
    return [line for line, _ in function_level_imports(dedent(source))]


def test_the_app_has_no_function_level_import_without_a_reason():
    assert check(ROOT / "app") == []


@pytest.mark.parametrize(
    "source, lines",
    [
        ("import os\nfrom app.models import Dossier\n", []),
        ("def f():\n    import os\n", [2]),
        ("def f():\n    from app.sms.outbox import queue_message\n", [2]),
        ("async def f():\n    import os\n", [2]),
        ("class C:\n    def m(self):\n        from app import models\n", [3]),
        ("def f():\n    def g():\n        import os\n", [3]),
        ("def f():\n    if True:\n        import os\n", [3]),
        ("def f():\n    try:\n        import redis\n    except ImportError:\n        pass\n", [3]),
        ("class C:\n    import os\n", []),  # a class body is not a function body
        ("if True:\n    import os\n", []),
        ("def f():\n    import redis  # function-level import: optional, Redis only\n", []),
        ("def f():\n    import redis  # function-level import:\n", [2]),  # no reason given
        ("def f():\n    import redis  # to avoid a circular import\n", [2]),
        ("def f():\n    from app.models import (  # function-level import: optional\n"
         "        Dossier,\n    )\n", []),
        ("def f():\n    from app.models import (\n        Dossier,\n    )\n", [2]),
    ],
)
def test_function_level_imports(source, lines):
    assert _found(source) == lines


def test_the_script_fails_and_names_the_line(tmp_path):
    package = tmp_path / "app"
    package.mkdir()
    (package / "ok.py").write_text("import os\n\n\ndef f():\n    return os\n")
    (package / "bad.py").write_text("def f():\n    from app import ok\n    return ok\n")
    assert check(package) == ["app/bad.py:2: from app import ok"]


def test_the_import_linter_contracts_are_kept():
    """The layers and the no-cycles contracts of pyproject.toml (``make contracts`` in CI)."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout, result.stdout


def test_the_script_passes_on_this_repository():
    result = subprocess.run([sys.executable, "scripts/check_imports.py"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
