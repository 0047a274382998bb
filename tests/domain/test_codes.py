"""Dossier codes: canonical form, reading what citizens type, finding codes in free text."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.codes import (
    CODE_RE,
    CodeParts,
    find_code,
    fold,
    format_code,
    normalise_code,
    search_code,
    split_code,
)


@pytest.mark.parametrize(
    ("prefix", "day", "serial", "expected"),
    [
        ("VB", datetime.date(2024, 11, 15), 7, "VB-241115-0007"),
        ("VB", datetime.date(2024, 11, 15), 1, "VB-241115-0001"),
        ("VB", datetime.date(2024, 11, 15), 9999, "VB-241115-9999"),
        ("X", datetime.date(2000, 1, 1), 42, "X-000101-0042"),
        ("ABCDE", datetime.date(2099, 12, 31), 123, "ABCDE-991231-0123"),
        ("vb", datetime.date(2025, 2, 3), 10, "VB-250203-0010"),
        ("Đt", datetime.date(2025, 2, 3), 10, "DT-250203-0010"),
    ],
)
def test_format_code(prefix: str, day: datetime.date, serial: int, expected: str) -> None:
    assert format_code(prefix, day, serial) == expected
    assert CODE_RE.fullmatch(expected)


@pytest.mark.parametrize(
    ("prefix", "day", "serial"),
    [
        ("", datetime.date(2024, 11, 15), 7),
        ("ABCDEF", datetime.date(2024, 11, 15), 7),
        ("V1", datetime.date(2024, 11, 15), 7),
        ("V-B", datetime.date(2024, 11, 15), 7),
        ("VB", datetime.date(2024, 11, 15), 0),
        ("VB", datetime.date(2024, 11, 15), 10000),
        ("VB", datetime.date(2024, 11, 15), -1),
        ("VB", datetime.date(1999, 12, 31), 7),
        ("VB", datetime.date(2100, 1, 1), 7),
    ],
)
def test_format_code_rejects(prefix: str, day: datetime.date, serial: int) -> None:
    with pytest.raises(ValueError):
        format_code(prefix, day, serial)


def test_split_code_round_trips() -> None:
    assert split_code("VB-241115-0007") == CodeParts("VB", datetime.date(2024, 11, 15), 7)


@pytest.mark.parametrize(
    "code", ["vb-241115-0007", "VB-241131-0007", "VB-241115-0000", "VB2411150007", "VB-241115-7"]
)
def test_split_code_rejects_non_canonical(code: str) -> None:
    with pytest.raises(ValueError):
        split_code(code)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # canonical and case
        ("VB-241115-0007", "VB-241115-0007"),
        ("vb-241115-0007", "VB-241115-0007"),
        ("Vb-241115-0007", "VB-241115-0007"),
        # glued, spaced, other separators, doubled separators
        ("vb2411150007", "VB-241115-0007"),
        ("VB2411150007", "VB-241115-0007"),
        (" VB 241115 0007 ", "VB-241115-0007"),
        ("VB  241115  0007", "VB-241115-0007"),
        ("VB.241115.0007", "VB-241115-0007"),
        ("VB_241115_0007", "VB-241115-0007"),
        ("VB/241115/0007", "VB-241115-0007"),
        ("VB--241115--0007", "VB-241115-0007"),
        ("VB - 241115 - 0007", "VB-241115-0007"),
        ("VB241115-0007", "VB-241115-0007"),
        ("VB-2411150007", "VB-241115-0007"),
        ("VB-241115 0007", "VB-241115-0007"),
        # short serial only after an explicit separator
        ("vb-241115-7", "VB-241115-0007"),
        ("VB-241115-07", "VB-241115-0007"),
        ("VB-241115-123", "VB-241115-0123"),
        ("VB.241115.7", "VB-241115-0007"),
        ("VB_241115_42", "VB-241115-0042"),
        # junk around
        ("“VB-241115-0007”", "VB-241115-0007"),
        ("(VB-241115-0007).", "VB-241115-0007"),
        ("\tVB-241115-0007\n", "VB-241115-0007"),
        ("VB-241115-0007\u200b", "VB-241115-0007"),
        # diacritics, fullwidth, Unicode dashes
        ("ĐT-241115-0007", "DT-241115-0007"),
        ("đt2411150007", "DT-241115-0007"),
        ("ÐT-241115-0007", "DT-241115-0007"),  # Icelandic eth, as old keyboards type Đ
        ("ＶＢ－２４１１１５－０００７", "VB-241115-0007"),
        ("ｖｂ２４１１１５０００７", "VB-241115-0007"),
        ("VB–241115–0007", "VB-241115-0007"),
        ("VB—241115—7", "VB-241115-0007"),
        ("VB\u2011241115\u20110007", "VB-241115-0007"),
        # prefix lengths
        ("X-241115-0007", "X-241115-0007"),
        ("ABCDE-241115-0007", "ABCDE-241115-0007"),
        # dates
        ("VB-240229-0001", "VB-240229-0001"),  # 2024 is a leap year
        ("VB-000101-0001", "VB-000101-0001"),
        ("VB-991231-9999", "VB-991231-9999"),
    ],
)
def test_normalise_code(raw: str, expected: str) -> None:
    assert normalise_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "default_prefix", "expected"),
    [
        ("241115-0007", "VB", "VB-241115-0007"),
        ("2411150007", "VB", "VB-241115-0007"),
        ("241115 0007", "VB", "VB-241115-0007"),
        ("241115-7", "VB", "VB-241115-0007"),
        ("241115-0007", "vb", "VB-241115-0007"),
        ("241115-0007", " VB ", "VB-241115-0007"),
        # a prefix that is written wins over the default
        ("XA-241115-0007", "VB", "XA-241115-0007"),
        ("XA 241115 0007", "VB", "XA-241115-0007"),
        ("VB-241115-0007", "VB", "VB-241115-0007"),
        # no default: a code without its office is not a code
        ("241115-0007", None, None),
        ("2411150007", None, None),
    ],
)
def test_normalise_code_default_prefix(
    raw: str, default_prefix: str | None, expected: str | None
) -> None:
    assert normalise_code(raw, default_prefix) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "VB",
        "hello",
        "VB-241115",
        "VB-241115-",
        "VB-24111-0007",  # five-digit date
        "VB-2411155-0007",  # seven-digit date
        "VB-241115-00007",  # five-digit serial
        "VB2411157",  # glued short serial is ambiguous
        "VB 241115 7",  # spaced short serial too
        "VB24111500071",
        "VB-241115-0000",  # serial 0 does not exist
        "VB-241131-0007",  # 31 November
        "VB-230229-0007",  # 2023 is not a leap year
        "VB-241301-0007",  # month 13
        "VB-241100-0007",  # day 0
        "VB-240015-0007",  # month 0
        "ABCDEF-241115-0007",  # six-letter prefix
        "V1-241115-0007",
        "VB-241115-0007-X",
        "TT VB-241115-0007",  # text around: use find_code
        "VB-241115-0007 5",
        "VB-241115-0007, VB-241115-0008",
        "VB----241115-0007",  # more than three separators
        "VB-241115-OOO7",  # letter O for zero
        "٢٤١١١٥٠٠٠٧",  # Arabic-Indic digits are not read as digits
    ],
)
def test_normalise_code_rejects(raw: str) -> None:
    assert normalise_code(raw, "VB") is None
    assert normalise_code(raw) is None


@pytest.mark.parametrize("bad", ["", "ABCDEF", "V1", "V B", "-"])
def test_bad_default_prefix_is_a_configuration_error(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_code("VB-241115-0007", bad)
    with pytest.raises(ValueError):
        find_code("VB-241115-0007", bad)


@pytest.mark.parametrize(
    ("text", "default_prefix", "expected"),
    [
        ("Cho em hỏi hồ sơ VB-241115-0007 ạ", None, "VB-241115-0007"),
        ("Cho em hỏi hồ sơ vb 241115 0007 ạ", None, "VB-241115-0007"),
        ("ho so vb2411150007 xong chua", None, "VB-241115-0007"),
        ("ho so 241115-7 xong chua", "VB", "VB-241115-0007"),
        ("ma so: 2411150007.", "VB", "VB-241115-0007"),
        # "mã 241115-0007": the word is not an office prefix when it is not the office's
        ("ma 241115-0007", "VB", "VB-241115-0007"),
        ("HS 241115 0007", "VB", "VB-241115-0007"),
        ("VB 241115 0007", "VB", "VB-241115-0007"),
        # ... but a dash or glue makes it part of the code
        ("XA-241115-0007", "VB", "XA-241115-0007"),
        ("XA241115-0007", "VB", "XA-241115-0007"),
        # invalid candidates are skipped
        ("VB-241399-0001 hoac VB-241115-0007", None, "VB-241115-0007"),
        ("VB-241115-0000 VB-241115-0002", None, "VB-241115-0002"),
        # the first valid one wins
        ("VB-241115-0007, VB-241116-0008", None, "VB-241115-0007"),
        # longer digit runs are not cut into codes
        ("so dien thoai 0912345678901", "VB", None),
        ("24111500071", "VB", None),
        # glued to a word before it: that word is the prefix, if it is short enough
        ("XVB2411150007", None, "XVB-241115-0007"),
        ("ABCDEFVB2411150007", None, None),
        ("nothing here", "VB", None),
        ("", "VB", None),
    ],
)
def test_find_code(text: str, default_prefix: str | None, expected: str | None) -> None:
    assert find_code(text, default_prefix) == expected


def test_search_code_gives_the_span_in_folded_text() -> None:
    folded = fold("Mã: vb-241115-7 nhé")
    found = search_code(folded)
    assert found is not None
    assert found.code == "VB-241115-0007"
    assert folded[found.start : found.end] == "VB-241115-7"


def test_search_code_with_implied_prefix_starts_at_the_date() -> None:
    folded = fold("ma 241115-0007")
    found = search_code(folded, "VB")
    assert found is not None
    assert folded[found.start : found.end] == "241115-0007"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trả cứu", "TRA CUU"),
        ("hướng dẫn", "HUONG DAN"),
        ("Đặng Thị Ệ", "DANG THI E"),
        ("ＴＴ", "TT"),
        ("a\u0301\u0323", "A"),  # decomposed input, two marks
        ("x\u200by", "XY"),  # zero-width space
        ("a–b", "A-B"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


codes = st.builds(
    format_code,
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=5),
    st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
    st.integers(1, 9999),
)


@given(codes)
def test_canonical_codes_read_back(code: str) -> None:
    assert normalise_code(code) == code
    assert normalise_code(code.lower().replace("-", "")) == code
    assert normalise_code(code.replace("-", " ")) == code
    assert find_code(f"Cho em hỏi hồ sơ {code} ạ") == code
    parts = split_code(code)
    assert format_code(*parts) == code


@given(st.text(max_size=200), st.sampled_from([None, "VB"]))
def test_normalise_code_returns_canonical_or_none(raw: str, default_prefix: str | None) -> None:
    result = normalise_code(raw, default_prefix)
    assert result is None or CODE_RE.fullmatch(result)
    found = find_code(raw, default_prefix)
    assert found is None or CODE_RE.fullmatch(found)
