"""Fail when the Babel catalogue is stale or a vi/en string is untranslated.

Extracts the messages afresh into a temporary .pot and compares the message ids with the
committed ``translations/messages.pot``; then checks every entry of the vi and en catalogues
has a translation and no entry is fuzzy. Run by ``.ci/run`` (and ``make check-translations``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def ids(catalog) -> set:
    return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in catalog if m.id}


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
             "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-o", str(fresh),
             "--no-location", "--omit-header", "--sort-output", "."],
            capture_output=True,
            cwd=ROOT, check=True,
        )
        with fresh.open("rb") as f:
            new = ids(read_po(f))
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        committed = ids(read_po(f))
    if new != committed:
        missing, extra = new - committed, committed - new
        problems.append(
            f"messages.pot is stale: {len(missing)} new, {len(extra)} gone — run `make extract` "
            f"and translate. New: {sorted(str(m[0]) for m in missing)[:10]}"
        )
    for lang in ("vi", "en"):
        path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as f:
            catalog = read_po(f)
        if ids(catalog) != new:
            problems.append(f"{lang}: catalogue out of step with the source — run `make extract`")
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(s.strip() for s in strings):
                problems.append(f"{lang}: untranslated or fuzzy: {message.id!r}")
        # Babel's own checkers: a translation must use the same %(name)s placeholders.
        for message, errors in catalog.check():
            problems += [f"{lang}: {message.id!r}: {error}" for error in errors]
    for p in problems[:50]:
        print(p)
    if problems:
        print(f"{len(problems)} translation problem(s)")
        return 1
    print("translations: catalogue up to date; vi and en complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
