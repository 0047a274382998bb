"""GSM-7: make replies fit the SMS alphabet, and count segments the way carriers bill them.

Why this matters here: one character outside GSM 03.38 switches the whole message to UCS-2,
and a segment shrinks from 160 to 70 characters. Vietnamese with its marks is all UCS-2, so
every reply is transliterated (``Đã có kết quả`` → ``Da co ket qua``) — a status reply must fit
one segment and a guide two (docs/DESIGN.md, "SMS").

Naive "downgrades" mangle Vietnamese (GOV.UK Notify sends ``Hô so cua ban ?a ?u?c duy?t``):
``đ``/``Đ`` have no Unicode decomposition, and letters with two marks (``ệ``, ``ậ``, ``ợ``)
lose only one. :func:`to_gsm7` strips *every* combining mark after NFD and maps ``đ`` itself
(``app.text.strip_marks``, the core it shares with search and code folding).

This module is pure Python (no Flask, no database) so it can be tested on its own.
"""

from __future__ import annotations

import unicodedata
from typing import Literal, NamedTuple

from app.text import strip_marks

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "SegmentInfo",
    "count_segments",
    "is_gsm7",
    "to_gsm7",
    "truncate_to_segments",
]

#: GSM 03.38 default alphabet (3GPP TS 23.038, 6.2.1), without 0x1B: that code is the escape
#: to the extension table, never a character of its own.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

#: The default extension table: each is sent as ESC + character, so it costs two units.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_GSM7 = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE, GSM7_PART = 160, 153  # units in a lone segment / in each part of a long message
UCS2_SINGLE, UCS2_PART = 70, 67

# Applied before NFKC (which would turn spacing accents such as "´" into a space plus a mark)
# and again after it (NFKC produces "⁄" from "½", "−" from "⁻"). Anything not listed and not
# GSM after mark stripping is dropped.
_REPLACEMENTS = str.maketrans(
    {
        # Other letters that have no decomposition (Vietnamese đ and its look-alikes:
        # app.text.strip_marks).
        "Ł": "L",
        "ł": "l",
        "Œ": "OE",
        "œ": "oe",
        "ı": "i",
        # Quotes and apostrophes.
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "‹": "'",
        "›": "'",
        "`": "'",
        "´": "'",
        "ʹ": "'",
        "ʻ": "'",
        "ʼ": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "〝": '"',
        "〞": '"',
        # Dashes, bullets, arrows.
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "⁃": "-",
        "•": "-",
        "‣": "-",
        "◦": "-",
        "●": "-",
        "▪": "-",
        "■": "-",
        "·": "-",
        "→": "->",
        "⇒": "=>",
        "←": "<-",
        "⁄": "/",
        "∕": "/",
        "〜": "~",
        "˜": "~",
        "ˆ": "^",
        # Whitespace that is not GSM; line and paragraph separators become a newline.
        "\t": " ",
        "\v": " ",
        "\u00a0": " ",
        "\u0085": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
        # Symbols with a readable ASCII spelling. ₫ is how fees are written: 50.000₫ → 50.000d.
        "₫": "d",
        "©": "(c)",
        "®": "(R)",
        "×": "x",
        "÷": "/",
        "±": "+/-",
        "≤": "<=",
        "≥": ">=",
        "≠": "!=",
        "∆": "Δ",
        # Spacing accents alone: NFKC would leave a space behind.
        "¨": "",
        "¸": "",
        "¯": "",
        "˙": "",
    }
)

class SegmentInfo(NamedTuple):
    """How a text would travel: its encoding, its length in encoding units (GSM-7 septets or
    UTF-16 code units) and how many SMS segments a carrier bills for it."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int


def to_gsm7(text: str) -> str:
    """Return ``text`` rewritten with GSM-7 characters only.

    Vietnamese loses its marks (``Hồ sơ của bạn đã được duyệt`` → ``Ho so cua ban da duoc
    duyet``), and so does every accented Latin letter, for one consistent style. Typographic
    punctuation becomes its plain form (curly quotes, dashes, ``…``, non-breaking spaces,
    bullets); fullwidth forms become ASCII. Anything else outside GSM 03.38 (emoji, CJK,
    control characters) is dropped. The output always passes :func:`is_gsm7`.
    """
    text = text.translate(_REPLACEMENTS)
    text = unicodedata.normalize("NFKC", text).translate(_REPLACEMENTS)
    return "".join(ch for ch in strip_marks(text) if ch in _GSM7)


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM 03.38 default alphabet or its extension table."""
    return all(ch in _GSM7 for ch in text)


def _parts(widths: list[int], single: int, part: int) -> int:
    """Count segments for characters of the given widths, never splitting one character
    (an escape pair, a surrogate pair) across two parts."""
    if sum(widths) <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > part:
            parts, used = parts + 1, 0
        used += width
    return parts


def count_segments(text: str) -> SegmentInfo:
    """Return the encoding, units and billed segments of ``text``.

    GSM-7 when every character is GSM (160 units in one segment, 153 per part of a longer
    message; extension characters ``€ [ ] { } ^ ~ \\ |`` and form feed take two units and their
    escape pair is never split across parts). Otherwise UCS-2 (70 single, 67 per part),
    where a character outside the Basic Multilingual Plane (most emoji) takes two units.
    An empty text counts as one segment, as carriers bill it.
    """
    if is_gsm7(text):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SegmentInfo("GSM-7", sum(widths), _parts(widths, GSM7_SINGLE, GSM7_PART))
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SegmentInfo("UCS-2", sum(widths), _parts(widths, UCS2_SINGLE, UCS2_PART))


_ELLIPSIS = "..."
_TRAILING_JUNK = " \t\r\n,;:-.…"


def _with_ellipsis(head: str) -> str:
    return head.rstrip(_TRAILING_JUNK) + _ELLIPSIS


def truncate_to_segments(text: str, max_segments: int) -> str:
    """Return ``text`` unchanged if it fits in ``max_segments``, else cut so that it fits with
    ``...`` at the end.

    The cut falls on a word boundary unless that would throw away more than half the room (one
    very long word, such as a link). Segments are counted in the text's own encoding: run
    :func:`to_gsm7` first when the reply must be GSM-7.
    """
    if max_segments < 1:
        raise ValueError(f"max_segments must be at least 1, got {max_segments}")
    if count_segments(text).segments <= max_segments:
        return text

    def fits(length: int) -> bool:
        return count_segments(_with_ellipsis(text[:length])).segments <= max_segments

    # The segment count of a prefix never goes down as the prefix grows, so bisect.
    low, high = 0, len(text)  # fits(low) is True (``...`` alone), fits(high) is False
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    cut = low
    if not text[cut].isspace() and cut > 0 and not text[cut - 1].isspace():
        space = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut))
        if space > cut // 2:
            cut = space
    return _with_ellipsis(text[:cut])
