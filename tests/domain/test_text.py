"""The text-folding core (app/text.py) under search, dossier codes and GSM-7: every mark goes,
đ and its look-alikes become d, and case is the caller's business."""

from __future__ import annotations

import pytest

from app.codes import fold as code_fold
from app.search import fold as search_fold
from app.sms.gsm import to_gsm7
from app.text import strip_marks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đường Nguyễn Huệ", "Duong Nguyen Hue"),  # case kept
        ("Hồ sơ của bạn đã được duyệt", "Ho so cua ban da duoc duyet"),
        ("ệ ậ ợ Ệ Ậ Ợ", "e a o E A O"),  # two marks each: both go
        ("e\u0323\u0302", "e"),  # already decomposed
        ("ÐÃ ðến Ɖi ɖi", "DA den Di di"),  # look-alikes old keyboards type for Đ/đ
        ("é ñ ü å", "e n u a"),
        ("50.000₫ – “ok”", "50.000₫ – “ok”"),  # not marks: the callers' own tables
        ("", ""),
    ],
)
def test_strip_marks(text: str, expected: str) -> None:
    assert strip_marks(text) == expected


@pytest.mark.parametrize(
    ("text", "search", "code", "gsm"),
    [
        ("Đăng  ký khai sinh", "dang ky khai sinh", "DANG  KY KHAI SINH", "Dang  ky khai sinh"),
        ("ÐT–241115", "dt–241115", "DT-241115", "DT-241115"),
        ("  Chứng thực\tbản sao ", "chung thuc ban sao", "  CHUNG THUC\tBAN SAO ",
         "  Chung thuc ban sao "),
    ],
)
def test_the_three_folds_share_the_core(text: str, search: str, code: str, gsm: str) -> None:
    assert search_fold(text) == search
    assert code_fold(text) == code
    assert to_gsm7(text) == gsm
