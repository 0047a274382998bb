"""Folding Vietnamese text to plain letters: the one core under search, dossier codes and SMS.

Texts in the field arrive with and without marks (docs/DESIGN.md, "Facts from the field"), so a
search, a code typed on a phone and an SMS reply all need Vietnamese without its marks. Naive
"downgrades" get it wrong twice: ``đ``/``Đ`` have no Unicode decomposition, and letters with
two marks (``ệ``, ``ậ``, ``ợ``) lose only one when a single mark is dropped. ``strip_marks``
removes *every* combining mark after NFD and maps ``đ`` and its look-alikes itself.

Three behaviours are built on it, each beside its own rules:

* ``app.search.fold`` — lower case, spaces collapsed (what a farmer types finds the guide);
* ``app.codes.fold`` — NFKC, upper case, Unicode dashes as ``-`` (codes and SMS commands);
* ``app.sms.gsm.to_gsm7`` — case kept, then the GSM alphabet (what a reply may contain).

Pure Python (no Flask, no database).
"""

from __future__ import annotations

import unicodedata

__all__ = ["MARK_CATEGORIES", "strip_marks"]

#: Combining marks: non-spacing (the Vietnamese tones and hats), spacing and enclosing.
MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})

# Letters Unicode does not decompose, so NFD cannot strip them: Vietnamese đ/Đ, and the
# look-alikes (Icelandic eth, African D) that old Vietnamese keyboards and fonts produce.
_UNDECOMPOSED = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ɖ": "d", "Ɖ": "D"})


def strip_marks(text: str) -> str:
    """``text`` without any combining mark, and with ``đ``/``Đ`` (and look-alikes) as
    ``d``/``D``; case is kept: ``Đường Nguyễn Huệ`` → ``Duong Nguyen Hue``."""
    decomposed = unicodedata.normalize("NFD", text.translate(_UNDECOMPOSED))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in MARK_CATEGORIES)
