"""GSM-7 transliteration and carrier segment counting."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sms.gsm import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SegmentInfo,
    count_segments,
    is_gsm7,
    to_gsm7,
    truncate_to_segments,
)

# Every Vietnamese letter that carries a mark, precomposed (NFC), by its ASCII base letter:
# six tones on each of the twelve vowels (a ă â e ê i o ô ơ u ư y), and đ.
VIETNAMESE = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậ",
    "e": "eèéẻẽẹêềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợ",
    "u": "uùúủũụưừứửữự",
    "y": "yỳýỷỹỵ",
    "d": "đ",
}
VIETNAMESE_PAIRS = [
    (letter, base) for base, letters in VIETNAMESE.items() for letter in letters
] + [(letter.upper(), base.upper()) for base, letters in VIETNAMESE.items() for letter in letters]


def test_the_alphabet_table_is_complete_and_precomposed() -> None:
    # 12 vowels x 6 tones + đ, in both cases: guards the table below against typing slips.
    assert len(VIETNAMESE_PAIRS) == 2 * (12 * 6 + 1)
    assert len({letter for letter, _ in VIETNAMESE_PAIRS}) == len(VIETNAMESE_PAIRS)
    for letter, base in VIETNAMESE_PAIRS:
        assert unicodedata.normalize("NFC", letter) == letter
        case = "SMALL" if letter.islower() else "CAPITAL"
        assert unicodedata.name(letter).startswith(f"LATIN {case} LETTER {base.upper()}")


@pytest.mark.parametrize(("letter", "base"), VIETNAMESE_PAIRS)
def test_every_vietnamese_letter_becomes_its_ascii_base(letter: str, base: str) -> None:
    assert to_gsm7(letter) == base
    assert to_gsm7(unicodedata.normalize("NFD", letter)) == base


def test_the_whole_alphabet_round_trips() -> None:
    text = "".join(letter for letter, _ in VIETNAMESE_PAIRS)
    assert to_gsm7(text) == "".join(base for _, base in VIETNAMESE_PAIRS)
    assert to_gsm7(unicodedata.normalize("NFD", text)) == to_gsm7(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # real status and notice texts
        ("Hồ sơ của bạn đã được duyệt", "Ho so cua ban da duoc duyet"),
        ("Đã tiếp nhận", "Da tiep nhan"),
        ("Đang giải quyết", "Dang giai quyet"),
        ("Cần bổ sung hồ sơ", "Can bo sung ho so"),
        ("Đã có kết quả, mời nhận", "Da co ket qua, moi nhan"),
        ("Từ chối giải quyết", "Tu choi giai quyet"),
        ("Rút hồ sơ", "Rut ho so"),
        (
            "UBND xã Vĩnh Bảo: thủ tục Đăng ký khai sinh",
            "UBND xa Vinh Bao: thu tuc Dang ky khai sinh",
        ),
        ("Nguyễn Thị Ngọc Ánh", "Nguyen Thi Ngoc Anh"),
        ("Trương Văn Đức", "Truong Van Duc"),
        ("ĐỖ QUỐC VIỆT", "DO QUOC VIET"),
        ("Lệ phí: 8.000₫", "Le phi: 8.000d"),
        # letters with two marks lose both (GOV.UK Notify's downgrade loses one)
        ("ệ ậ ợ ự ỗ ẵ ằ ữ", "e a o u o a a u"),
        ("Ệ Ậ Ợ Ự Ỗ Ẵ Ằ Ữ", "E A O U O A A U"),
        # Đ look-alikes from old keyboards
        ("Ðà Nẵng", "Da Nang"),
        ("ðường", "duong"),
        # punctuation
        ("“Giấy khai sinh”", '"Giay khai sinh"'),
        ("‘CCCD’", "'CCCD'"),
        ("it’s", "it's"),
        ("«quote»", '"quote"'),
        ("8:00–11:30", "8:00-11:30"),
        ("Thứ 2 — Thứ 6", "Thu 2 - Thu 6"),
        ("a−b", "a-b"),
        ("Xem thêm…", "Xem them..."),
        ("10\u00a0ngày", "10 ngay"),
        ("10\u202fngày", "10 ngay"),
        ("a\u2009b", "a b"),
        ("a\u3000b", "a b"),
        ("• CCCD\n• Giấy khai sinh", "- CCCD\n- Giay khai sinh"),
        ("a · b", "a - b"),
        ("a\tb", "a b"),
        ("line\u2028next", "line\nnext"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("½", "1/2"),
        ("x²", "x2"),
        ("™", "TM"),
        ("©", "(c)"),
        ("→", "->"),
        # fullwidth forms
        ("ＴＴ　ＶＢ－２４１１１５", "TT VB-241115"),
        # GSM characters stay, extension characters too
        ("Giá 10€ [ghi chú] {x} ^ ~ \\ |", "Gia 10€ [ghi chu] {x} ^ ~ \\ |"),
        ("@£$¥ ΔΦΓΛΩΠΨΣΘΞ ¡¿ §¤ ØøÆæß", "@£$¥ ΔΦΓΛΩΠΨΣΘΞ ¡¿ §¤ ØøÆæß"),
        ("a\r\nb", "a\r\nb"),
        # accented Latin letters lose their marks too, even GSM ones, for one style
        ("café Zürich Ñandú Ça Ålesund", "cafe Zurich Nandu Ca Alesund"),
        ("Łódź œuvre", "Lodz oeuvre"),
        # dropped: emoji, CJK, control characters, the escape code itself
        ("Cảm ơn 😀👍", "Cam on "),
        ("中文 text", " text"),
        ("bell\x07 esc\x1b nul\x00", "bell esc nul"),
        ("Привет", ""),
        ("", ""),
    ],
)
def test_to_gsm7(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected
    assert is_gsm7(to_gsm7(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("Ho so cua ban da duoc duyet", True),
        ("[]{}^~\\|€\f", True),
        ("èéùìòÇØøÅåÄÖÑÜäöñüàÉ", True),
        ("ΔΦΓΛΩΠΨΣΘΞ", True),
        ("\n\r", True),
        ("\x1b", False),  # the escape code is not a character
        ("\t", False),
        ("`", False),
        ("Hồ sơ", False),
        ("đ", False),
        ("ç", False),  # GSM 03.38 has capital Ç only
        ("á", False),
        ("α", False),
        ("–", False),
        ("“", False),
        ("😀", False),
    ],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected


def test_gsm7_tables_have_the_standard_sizes() -> None:
    # 128 code points minus the escape; 9 printable extension characters plus form feed.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SegmentInfo("GSM-7", 0, 1)),
        ("a", SegmentInfo("GSM-7", 1, 1)),
        # GSM-7: 160 in one, then 153 per part
        ("a" * 160, SegmentInfo("GSM-7", 160, 1)),
        ("a" * 161, SegmentInfo("GSM-7", 161, 2)),
        ("a" * 306, SegmentInfo("GSM-7", 306, 2)),
        ("a" * 307, SegmentInfo("GSM-7", 307, 3)),
        ("a" * 459, SegmentInfo("GSM-7", 459, 3)),
        ("a" * 460, SegmentInfo("GSM-7", 460, 4)),
        # extension characters count two
        ("€", SegmentInfo("GSM-7", 2, 1)),
        ("[]{}^~\\|€\f", SegmentInfo("GSM-7", 20, 1)),
        ("€" * 80, SegmentInfo("GSM-7", 160, 1)),
        ("a" * 159 + "€", SegmentInfo("GSM-7", 161, 2)),
        ("a" * 158 + "€", SegmentInfo("GSM-7", 160, 1)),
        # an escape pair at a part boundary moves whole to the next part
        ("a" * 152 + "€" + "a" * 152, SegmentInfo("GSM-7", 306, 3)),
        ("a" * 151 + "€" + "a" * 153, SegmentInfo("GSM-7", 306, 2)),
        ("a" * 153 + "€" + "a" * 151, SegmentInfo("GSM-7", 306, 2)),
        ("€" * 153, SegmentInfo("GSM-7", 306, 3)),  # 76 pairs fill 152 of each 153
        # GSM characters that are not ASCII still count one
        ("é" * 160, SegmentInfo("GSM-7", 160, 1)),
        ("Δ" * 161, SegmentInfo("GSM-7", 161, 2)),
        # UCS-2: 70 in one, then 67 per part
        ("ơ" * 70, SegmentInfo("UCS-2", 70, 1)),
        ("ơ" * 71, SegmentInfo("UCS-2", 71, 2)),
        ("ơ" * 134, SegmentInfo("UCS-2", 134, 2)),
        ("ơ" * 135, SegmentInfo("UCS-2", 135, 3)),
        ("a" * 69 + "đ", SegmentInfo("UCS-2", 70, 1)),
        ("a" * 159 + "đ", SegmentInfo("UCS-2", 160, 3)),
        # one non-GSM character switches the whole text, extension characters count one there
        ("€" * 69 + "đ", SegmentInfo("UCS-2", 70, 1)),
        ("Hồ sơ của bạn đã được duyệt", SegmentInfo("UCS-2", 27, 1)),
        # characters outside the BMP take two UTF-16 units, and are not split
        ("😀", SegmentInfo("UCS-2", 2, 1)),
        ("😀" * 35, SegmentInfo("UCS-2", 70, 1)),
        ("😀" * 36, SegmentInfo("UCS-2", 72, 2)),
        ("a" * 66 + "😀" + "a" * 66, SegmentInfo("UCS-2", 134, 3)),
        ("a" * 65 + "😀" + "a" * 67, SegmentInfo("UCS-2", 134, 2)),
        # decomposed marks are characters of their own
        ("e\u0302\u0323", SegmentInfo("UCS-2", 3, 1)),
    ],
)
def test_count_segments(text: str, expected: SegmentInfo) -> None:
    assert count_segments(text) == expected


def test_a_transliterated_status_reply_fits_one_segment() -> None:
    reply = (
        "Hồ sơ VB-241115-0007 (Đăng ký khai sinh): Đã có kết quả, mời nhận tại bộ phận một cửa "
        "UBND xã, giờ hành chính. Hạn: 20/11/2024. Hỏi: LH"
    )
    assert count_segments(reply) == SegmentInfo("UCS-2", len(reply), 3)
    assert count_segments(to_gsm7(reply)) == SegmentInfo("GSM-7", len(reply), 1)


@pytest.mark.parametrize(
    ("text", "max_segments", "expected"),
    [
        ("short text", 1, "short text"),
        ("a" * 160, 1, "a" * 160),
        ("", 1, ""),
        # cut on a word boundary, ellipsis within the budget
        ("word " * 40, 1, ("word " * 31).rstrip() + "..."),
        ("abcdefghi " * 20, 1, ("abcdefghi " * 15).rstrip() + "..."),
        # trailing punctuation is not left before the ellipsis
        ("x" * 140 + ", " + "y" * 30, 1, "x" * 140 + "..."),
        ("x" * 140 + ". " + "y" * 30, 1, "x" * 140 + "..."),
        # ... but a boundary in the first half of the room would waste it: cut mid-word
        ("Mang theo CCCD, " + "x" * 150, 1, "Mang theo CCCD, " + "x" * 141 + "..."),
        ("a" * 200, 1, "a" * 157 + "..."),
        ("Xem https://dvc.gov.vn/" + "p" * 200, 1, "Xem https://dvc.gov.vn/" + "p" * 134 + "..."),
        # multipart budget
        ("a" * 307, 2, "a" * 303 + "..."),
        ("a" * 306, 2, "a" * 306),
        # UCS-2 text is cut in its own units
        ("ơ" * 71, 1, "ơ" * 67 + "..."),
        ("ơơ " * 30, 1, ("ơơ " * 22).rstrip() + "..."),
        # extension characters count two
        ("€" * 81, 1, "€" * 78 + "..."),
    ],
)
def test_truncate_to_segments(text: str, max_segments: int, expected: str) -> None:
    result = truncate_to_segments(text, max_segments)
    assert result == expected
    assert count_segments(result).segments <= max_segments


def test_truncate_rejects_a_zero_budget() -> None:
    with pytest.raises(ValueError):
        truncate_to_segments("text", 0)


def test_a_long_guide_truncates_to_three_segments() -> None:
    guide = to_gsm7(
        "Đăng ký khai sinh. Mang theo: tờ khai, giấy chứng sinh, CCCD của cha hoặc mẹ, "
        "giấy chứng nhận kết hôn (nếu có). " * 8
    )
    result = truncate_to_segments(guide, 3)
    assert count_segments(result) == SegmentInfo("GSM-7", len(result), 3)
    assert result.endswith("...")
    assert guide.startswith(result[:-3])
    assert guide[len(result) - 3] in " ,.("  # the cut fell between words


texts = st.text(max_size=1600)
vietnamese_texts = st.text(
    alphabet="".join(VIETNAMESE.values()) + "ĐƯƠ ,.:-€[]abc0123456789", max_size=1600
)


@given(st.one_of(texts, vietnamese_texts))
def test_to_gsm7_output_is_always_gsm7(text: str) -> None:
    result = to_gsm7(text)
    assert is_gsm7(result)
    assert count_segments(result).encoding == "GSM-7"
    assert to_gsm7(result) == result  # idempotent


@given(texts)
def test_count_segments_is_consistent(text: str) -> None:
    info = count_segments(text)
    assert info.encoding == ("GSM-7" if is_gsm7(text) else "UCS-2")
    assert info.units >= len(text)
    single, part = (160, 153) if info.encoding == "GSM-7" else (70, 67)
    if info.units <= single:
        assert info.segments == 1
    else:
        # at least the plain division; at most one more part per unit lost to unsplittable pairs
        assert -(-info.units // part) <= info.segments <= -(-info.units // (part - 1))


@given(st.one_of(texts, vietnamese_texts), st.integers(1, 4))
def test_truncate_always_fits(text: str, max_segments: int) -> None:
    result = truncate_to_segments(text, max_segments)
    assert count_segments(result).segments <= max_segments
    if result != text:
        assert result.endswith("...")
