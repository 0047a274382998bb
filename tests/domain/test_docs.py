"""The design notes the code cites live in this repository (docs/), and every cited file
exists: a docstring that says "see docs/DESIGN.md" must lead somewhere a newcomer can open."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import ROOT

SOURCES = ("app", "tests", "bench", "scripts")
# ``docs/NAME.md`` not inside a longer path or URL (``twilio.com/docs/errors/…``).
CITED = re.compile(r"(?<![\w./])docs/([\w-]+\.md)\b")
# A design file named without its folder, or a path out of the repository.
OUTSIDE = re.compile(r"(?<![\w/])(?:DESIGN|DOMAIN|STYLE)\.md|\.\./shared\b")


def _texts() -> list[tuple[Path, str]]:
    """Every Python file's text, except this one (its patterns would match themselves)."""
    here = Path(__file__).resolve()
    return [(path, path.read_text(encoding="utf-8"))
            for folder in SOURCES for path in sorted((ROOT / folder).rglob("*.py"))
            if path.resolve() != here]


def test_every_cited_doc_exists():
    cited: dict[str, set[str]] = {}
    for path, text in _texts():
        for name in CITED.findall(text):
            cited.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    # The notes the code leans on most: if none were found, the pattern is wrong.
    assert {"DESIGN.md", "DOMAIN.md"} <= set(cited), sorted(cited)
    missing = {name: sorted(files) for name, files in cited.items()
               if not (ROOT / "docs" / name).is_file()}
    assert not missing, f"cited but not in docs/: {missing}"


def test_no_reference_to_design_files_outside_the_repository():
    found = [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}"
             for path, text in _texts() for m in OUTSIDE.finditer(text)]
    assert not found, found
