"""Dossier codes: make them, read them back from whatever a citizen typed, find them in texts.

A dossier code is ``<OFFICE>-<YYMMDD>-<NNNN>``, e.g. ``VB-241115-0007``: the office prefix
(1-5 letters), the day the dossier was received, and a serial for that day (0001-9999).

Dossiers registered since issue 12 also carry **check letters**, printed after the code on the
slip and in its QR code: ``VB-241115-0007-KQX``. Date and serial are easy to guess (serials
count up from 1 each day), so without them anyone could list every dossier's procedure and
status by trying codes in order. The letters are an HMAC of the code with a server secret
(:func:`check_letters`), stored on the dossier: ``CHECK_LEN`` letters from the 16 consonants
of ``CHECK_ALPHABET`` (no vowel, so no Vietnamese word can be read as check letters, and no
letter that looks like a digit), i.e. 4,096 possibilities per code. A lookup by code alone
needs them; the phone's last digits or the dossier's own phone prove the asker without them,
and dossiers registered before keep their plain code (``app.lookup.find_dossier``).

Citizens copy codes off a paper receipt into an SMS, so what arrives is rarely canonical:
``vb2411150007``, `` VB 241115 0007 ``, ``vb-241115-7``, ``241115-0007`` (the office implied),
fullwidth digits from a Chinese-made keyboard, ``ĐT-…`` with the Vietnamese letter. This module
turns all of those into the canonical form, or says "not a code" (``None``).

Reading rules (decided here, relied on by the SMS parser and the lookup form):

* Case, fullwidth forms and diacritics do not matter (``ĐT`` reads as ``DT``).
* Between the parts any of ``- . _ /`` or spaces may appear (up to three), or nothing at all.
* The serial may be shortened to 1-3 digits (``VB-241115-7``) **only** after an explicit
  ``- . _ /`` separator. Glued or space-separated, it must be exactly 4 digits: otherwise
  ``DG VB 241115 0007 5`` or ``VB2411157`` would be ambiguous.
* Serial ``0000`` does not exist; ``YYMMDD`` must be a real date in 2000-2099.
* A missing prefix is taken from ``default_prefix`` (the office the SMS number belongs to);
  without one, a code with no prefix is not a code.
* Check letters may follow the serial after any of those separators or glued to it
  (``vb 241115 0007 kqx``, ``VB2411150007KQX``); they are read only when exactly
  ``CHECK_LEN`` letters of ``CHECK_ALPHABET`` stand there and no letter or digit follows.

This module is pure Python (no Flask, no database) so it can be tested on its own.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import unicodedata
from typing import NamedTuple

from app.text import strip_marks

__all__ = [
    "CHECK_ALPHABET",
    "CHECK_LEN",
    "CODE_RE",
    "CodeMatch",
    "CodeParts",
    "check_letters",
    "example_code",
    "split_check",
    "find_code",
    "fold",
    "format_code",
    "normalise_code",
    "read_code_shape",
    "search_code",
    "split_code",
]

#: The canonical form, as stored in ``Dossier.code``. Use ``CODE_RE.fullmatch(s)``.
CODE_RE = re.compile(r"(?P<prefix>[A-Z]{1,5})-(?P<date>[0-9]{6})-(?P<serial>[0-9]{4})")

#: Check letters: consonants only (no Vietnamese word is all consonants) and none that reads as
#: a digit (I, L, O, Z); 16 of them, so each letter is 4 bits of the HMAC, unbiased.
CHECK_ALPHABET = "BCDFGHKMNPQRSTVX"
CHECK_LEN = 3

#: The printed form: the canonical code, then ``-`` and the check letters when it has them.
PUBLIC_CODE_RE = re.compile(CODE_RE.pattern + rf"(?:-(?P<check>[{CHECK_ALPHABET}]{{{CHECK_LEN}}}))?")

_PREFIX_RE = re.compile(r"[A-Z]{1,5}")

# Dashes a phone or a word processor substitutes for "-". (Marks and đ: app.text.)
_FOLD_TABLE = str.maketrans(
    {
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
    }
)

# A code inside already-folded text. Every quantifier is bounded and no two adjacent parts can
# match the same characters ambiguously, so a search is linear in the text length.
_SEARCH_RE = re.compile(
    r"(?<![A-Z0-9])"
    r"(?:(?P<prefix>[A-Z]{1,5})(?P<psep>[ \-._/]{0,3}))?"
    r"(?<![0-9])(?P<date>[0-9]{6})"
    r"(?:"
    r"(?P<ssep>[ ]{0,2}[\-._/][ \-._/]{0,2})(?P<short>[0-9]{1,4})"  # explicit separator: 1-4 digits
    r"|[ ]{0,3}(?P<long>[0-9]{4})"  # glued or spaces: exactly 4 digits
    r")"
    rf"(?:[ \-._/]{{0,3}}(?P<check>[{CHECK_ALPHABET}]{{{CHECK_LEN}}})(?![A-Z0-9]))?"
    r"(?![0-9])"
)

# Something a citizen meant as a code, valid or not: an optional prefix, then digits and
# separators with at least six digits (``VB-241399-0007``, ``vb 2411 0007``, ``241115-00007``).
_SHAPE_RE = re.compile(
    r"(?<![A-Z0-9])(?:[A-Z]{1,5}[ \-._/]{0,3})?[0-9](?:[ \-._/]{0,3}[0-9]){5,15}(?![0-9])"
)
#: At most this much of a code-like text is echoed back (an SMS reply has one segment).
SHAPE_ECHO_MAX = 20

_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class CodeParts(NamedTuple):
    """A canonical code taken apart."""

    prefix: str
    day: datetime.date
    serial: int


class CodeMatch(NamedTuple):
    """A code found by :func:`search_code`: the canonical code and where it sits in the text."""

    code: str
    start: int
    end: int


def check_letters(code: str, secret: str | bytes) -> str:
    """The check letters of canonical ``code``: HMAC-SHA256 with ``secret``, 4 bits a letter.

    >>> check_letters("VB-241115-0007", "not the real secret")
    'SGP'
    """
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, code.encode(), hashlib.sha256).digest()
    nibbles = [b >> 4 for b in digest[:CHECK_LEN]]
    return "".join(CHECK_ALPHABET[n] for n in nibbles)


def split_check(code: str) -> tuple[str, str]:
    """``VB-241115-0007-KQX`` → ``("VB-241115-0007", "KQX")``; a code without check letters
    → ``(code, "")``. ``code`` is what :func:`normalise_code` returned."""
    base, sep, check = code.rpartition("-")
    if sep and len(check) == CHECK_LEN and check.isalpha():
        return base, check
    return code, ""


def fold(text: str) -> str:
    """Return ``text`` in the form used to match codes and SMS commands.

    Compatibility forms are unified (fullwidth ``ＴＴ`` → ``TT``), everything is upper-cased,
    every combining mark is dropped (``Trả cứu`` → ``TRA CUU``, both marks of ``ệ`` go), and
    ``đ``/``Đ`` become ``D``. Unicode dashes become ``-``. The result can be shorter or longer
    than the input, so positions in it do not map one-to-one onto ``text``.
    """
    text = strip_marks(unicodedata.normalize("NFKC", text).upper())
    # Format characters (zero-width space, joiners) that a keyboard slips into a code.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.translate(_FOLD_TABLE)


def _clean_prefix(prefix: str | None) -> str | None:
    if prefix is None:
        return None
    cleaned = fold(prefix).strip()
    if not _PREFIX_RE.fullmatch(cleaned):
        raise ValueError(f"office prefix must be 1-5 letters, got {prefix!r}")
    return cleaned


def _day(date_digits: str) -> datetime.date | None:
    try:
        return datetime.date(
            2000 + int(date_digits[0:2]), int(date_digits[2:4]), int(date_digits[4:6])
        )
    except ValueError:
        return None


def _strip_junk(folded: str) -> str:
    """Drop everything before the first and after the last letter or digit."""
    start, end = 0, len(folded)
    while start < end and folded[start] not in _CODE_CHARS:
        start += 1
    while end > start and folded[end - 1] not in _CODE_CHARS:
        end -= 1
    return folded[start:end]


def format_code(prefix: str, day: datetime.date, serial: int) -> str:
    """Return the canonical code, e.g. ``format_code("VB", date(2024, 11, 15), 7)``
    → ``"VB-241115-0007"``.

    Raises ``ValueError`` for a prefix that is not 1-5 letters, a serial outside 1-9999 or a
    day outside 2000-2099 (the two-digit year could not be read back).
    """
    clean = _clean_prefix(prefix)
    assert clean is not None
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial must be 1-9999, got {serial}")
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"year must be 2000-2099, got {day.year}")
    return f"{clean}-{day:%y%m%d}-{serial:04d}"


#: The day and serial of the code shown to citizens as an illustration ("Ví dụ: VB-241115-0007").
#: It is always labelled as an example: the demo's dossiers are dated relative to the day the
#: demo was loaded, so no fixed code can match one (``flask demo load`` prints a real one).
EXAMPLE_DAY = datetime.date(2024, 11, 15)
EXAMPLE_SERIAL = 7


def example_code(prefix: str | None) -> str:
    """The example code in the office's own prefix (``VB-241115-0007`` for Vĩnh Bửu), so a
    commune with another prefix does not show Vĩnh Bửu's."""
    try:
        clean = _clean_prefix(prefix)
    except ValueError:
        clean = None
    return format_code(clean or "VB", EXAMPLE_DAY, EXAMPLE_SERIAL)


def split_code(code: str) -> CodeParts:
    """Take a canonical code apart. Raises ``ValueError`` when ``code`` is not canonical
    (run it through :func:`normalise_code` first)."""
    match = CODE_RE.fullmatch(code)
    day = _day(match["date"]) if match else None
    if match is None or day is None or int(match["serial"]) == 0:
        raise ValueError(f"not a canonical dossier code: {code!r}")
    return CodeParts(match["prefix"], day, int(match["serial"]))


def _from_match(
    match: re.Match[str], default_prefix: str | None, trust_spaced_prefix: bool
) -> CodeMatch | None:
    """Turn a ``_SEARCH_RE`` match into a canonical code, or None when it is not valid."""
    day = _day(match["date"])
    serial = int(match["short"] or match["long"])
    if day is None or serial == 0:
        return None
    prefix, start = match["prefix"], match.start()
    # In free text, "ma 241115-0007" is the word "mã" (code) then a code with its prefix
    # implied, not office "MA". A prefix set off by spaces alone is only believed when it is
    # the office's own prefix or the caller knows the whole text is meant to be a code.
    if (
        prefix
        and not trust_spaced_prefix
        and default_prefix
        and match["psep"]
        and not match["psep"].strip()
        and prefix != default_prefix
    ):
        prefix, start = None, match.start("date")
    prefix = prefix or default_prefix
    if prefix is None:
        return None
    check = f"-{match['check']}" if match["check"] else ""
    return CodeMatch(f"{prefix}-{day:%y%m%d}-{serial:04d}{check}", start, match.end())


def search_code(folded: str, default_prefix: str | None = None) -> CodeMatch | None:
    """Find the first valid code in ``folded`` (text already passed through :func:`fold`).
    Positions in the result index ``folded``; a code glued to a letter or digit before it
    (``XVB…`` is office ``XVB``; ``TTVB…`` needs the caller to cut ``TT`` off first) is not found.

    Candidates with an impossible date or serial are skipped, so ``TT 241399-0001 VB-241115-0007``
    finds the second. Raises ``ValueError`` when ``default_prefix`` is not 1-5 letters.
    """
    default = _clean_prefix(default_prefix)
    for match in _SEARCH_RE.finditer(folded):
        found = _from_match(match, default, trust_spaced_prefix=False)
        if found is not None:
            return found
    return None


def read_code_shape(folded: str) -> CodeMatch | None:
    """The first thing in ``folded`` (text already passed through :func:`fold`) shaped like a
    dossier code, valid or not, as it was read: spaces collapsed, at most ``SHAPE_ECHO_MAX``
    characters. A status reply echoes it when no dossier has it, so the citizen sees what we
    read — an impossible date (``VB-241399-0007``) included.

    >>> read_code_shape("VB-241399-0007 A").code
    'VB-241399-0007'
    """
    match = _SHAPE_RE.search(folded)
    if match is None:
        return None
    text = " ".join(match.group().split())[:SHAPE_ECHO_MAX]
    return CodeMatch(text, match.start(), match.end())


def find_code(text: str, default_prefix: str | None = None) -> str | None:
    """Return the first dossier code written anywhere in ``text``, canonical, or None.

    >>> find_code("Cho em hỏi hồ sơ vb 241115 0007 ạ")
    'VB-241115-0007'
    >>> find_code("ho so 241115-7 xong chua", default_prefix="VB")
    'VB-241115-0007'
    """
    found = search_code(fold(text), default_prefix)
    return found.code if found else None


def normalise_code(raw: str, default_prefix: str | None = None) -> str | None:
    """Return the canonical form of ``raw`` when the whole of it is a dossier code, else None.
    Check letters, when typed, stay on the end (``VB-241115-0007-KQX``; see :func:`split_check`).

    Junk around the code (spaces, quotes, a full stop) is ignored; anything else makes it "not a
    code" — use :func:`find_code` for free text.

    >>> normalise_code(" vb 241115 0007 ")
    'VB-241115-0007'
    >>> normalise_code("241115-7", default_prefix="VB")
    'VB-241115-0007'
    >>> normalise_code("VB-241131-0007") is None  # 31 November
    True
    """
    default = _clean_prefix(default_prefix)
    folded = _strip_junk(fold(raw))
    match = _SEARCH_RE.fullmatch(folded)
    if match is None:
        return None
    found = _from_match(match, default, trust_spaced_prefix=True)
    return found.code if found else None
