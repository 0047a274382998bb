"""Words an SMS must not use: phrases that read two ways once Vietnamese loses its marks, and
abbreviations a farmer does not know.

Every reply goes out without diacritics (``app.sms.gsm.to_gsm7``), and some phrases then mean
two things: ``hoi xa`` is "hỏi xã" (ask the commune) or "hơi xa" (rather far), ``moi ban`` is
"mỗi bản" (per copy) or "mời bạn" (we invite you). A reader cannot ask which one we meant, so
templates and guide summaries are written around them; ``tests/sms/test_sms_wording.py`` renders
every template and every command reply with the demo data and fails on any phrase below.

Pure Python (no Flask, no database).
"""

from __future__ import annotations

import re

from app.text import strip_marks

__all__ = ["AMBIGUOUS_PHRASES", "BANNED_ABBREVIATIONS", "ambiguous_phrases", "wording_problems"]

#: Unaccented phrase → the readings it allows. Matched on whole words, any case, in the text
#: as it is sent (marks stripped), so a template written with marks is checked too.
AMBIGUOUS_PHRASES: dict[str, str] = {
    "hoi xa": "hỏi xã (ask the commune) / hơi xa (rather far)",
    "moi ban": "mỗi bản (per copy) / mời bạn (we invite you)",
    "can bo sung": "cần bổ sung (needs more papers) / cán bộ sung… (officer …)",
    "tu den xa": "tự đến xã (come yourself) / từ đến xa (from … far)",
    "goi xa": "gọi xã (call the commune) / gói xa (far parcel)",
    "loi:": "Lỗi: (error:) / Lời: (words:)",
    "moi nhan": "mời nhận (please collect) / mới nhận (just received)",
    "moi den": "mời đến (please come) / mới đến (just arrived)",
    "nhan tin": "nhắn tin (send a text) / nhận tin (get texts)",
    "nhan lai": "nhắn lại (text again) / nhận lại (get back)",
    "nhan lh": "nhắn LH (text LH) / nhận LH (receive LH)",
    "nhac:": "Nhắc: (reminder:) / Nhạc: (music:)",
}

#: Abbreviations replaced by the words: ``HS`` → "Ho so", ``CCCD`` → "the can cuoc".
BANNED_ABBREVIATIONS: dict[str, str] = {
    "hs": "Ho so",
    "cccd": "the can cuoc",
}


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len,
                                                                            reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


_AMBIGUOUS_RE = _pattern(list(AMBIGUOUS_PHRASES))
_ABBREVIATION_RE = _pattern(list(BANNED_ABBREVIATIONS))


def _plain(text: str) -> str:
    return strip_marks(text).lower()


def ambiguous_phrases(text: str) -> list[str]:
    """The phrases of ``AMBIGUOUS_PHRASES`` that ``text`` contains (with or without marks),
    in the order they occur: ``ambiguous_phrases("Lệ phí: hỏi xã")`` → ``["hoi xa"]``."""
    return [" ".join(m.group().split()) for m in _AMBIGUOUS_RE.finditer(_plain(text))]


def wording_problems(text: str) -> list[str]:
    """Ambiguous phrases and banned abbreviations in ``text`` (empty: the wording is fine)."""
    return ambiguous_phrases(text) + [
        " ".join(m.group().split()) for m in _ABBREVIATION_RE.finditer(_plain(text))
    ]
