"""Inbound SMS commands, as citizens really type them."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sms.parser import COMMAND_NAMES, Command, parse

CODE = "VB-241115-0007"


@pytest.mark.parametrize(
    "text",
    [
        # the grammar
        "TT VB-241115-0007",
        "TRA VB-241115-0007",
        "TRACUU VB-241115-0007",
        "TRA CUU VB-241115-0007",
        "STATUS VB-241115-0007",
        # case, diacritics, spaces
        "tt vb-241115-0007",
        "Tt Vb-241115-0007",
        "tt vb2411150007",
        "TTVB2411150007",
        "ttvb2411150007",
        "TT  VB 241115 0007",
        "TTVB-241115-0007",
        "Tra cứu VB-241115-0007",
        "Tra cuu VB-241115-0007",
        "tra cuu vb 241115 0007",
        "Tra Cứu Hồ Sơ VB-241115-0007",
        "TRACUUVB2411150007",
        "TRÀ CỨU VB-241115-0007",
        "   TT VB-241115-0007   ",
        "\nTT\tVB-241115-0007\n",
        "TT\u00a0VB-241115-0007",
        # punctuation around
        "TT: VB-241115-0007.",
        "TT:VB-241115-0007",
        "TT - VB-241115-0007",
        "TT, VB-241115-0007!",
        "TT (VB-241115-0007)",
        "TT “VB-241115-0007”",
        "TT VB-241115-0007???",
        "TT VB.241115.0007",
        "TT VB_241115_0007",
        "TT vb-241115-7",
        # the office prefix implied
        "TT 241115-0007",
        "TT 2411150007",
        "TT2411150007",
        "TT241115-0007",
        "tt 241115 0007",
        "TT 241115-7",
        # filler words
        "Xin chào, cho em hỏi TT VB-241115-0007 ạ",
        "cho em hoi TT VB-241115-0007 a",
        "Xin TT VB-241115-0007",
        "Dạ, TT VB-241115-0007 ạ",
        "em chao ad, TT VB-241115-0007 nhe, cam on",
        "TT cho em VB-241115-0007 với",
        "TT ma ho so VB-241115-0007",
        "TT ho so 241115-0007",
        # fullwidth from some keyboards
        "ＴＴ ＶＢ－２４１１１５－０００７",
        # a code alone
        "VB-241115-0007",
        "vb2411150007",
        "  vb 241115 0007 ",
        "241115-0007",
        "2411150007",
        "VB-241115-0007.",
        "Mã hồ sơ: VB-241115-0007",
        "ma hs vb2411150007 a",
        "Hồ sơ VB-241115-0007 ạ",
        "Xin chào, mã VB-241115-0007",
    ],
)
def test_status_with_a_code(text: str) -> None:
    command = parse(text, default_prefix="VB")
    assert command.name == "status"
    assert command.code == CODE


@pytest.mark.parametrize(
    "text",
    [
        "TT",
        "tt",
        "TT:",
        "TT ?",
        "Tra cứu",
        "TRACUU",
        "STATUS",
        "TT abc",
        "TT ho so cua em",
        "TT VB-241131-0007",  # 31 November
        "TT VB-241115-0000",
        "TT VB-241115",
        "TT VB-241115-00071",
        "TT2",
        "TT 12345",
        "TRA",
    ],
)
def test_status_without_a_readable_code(text: str) -> None:
    # code_read (what looked like a code): tests/sms/test_sms_wording.py
    read = dataclasses.replace(parse(text, default_prefix="VB"), code_read="")
    assert read == Command("status", text=parse(text, "VB").text)
    assert parse(text, default_prefix="VB").code is None


def test_status_without_default_prefix_needs_the_prefix() -> None:
    assert parse("TT 241115-0007").code is None
    assert parse("TT VB-241115-0007").code == CODE
    assert parse("241115-0007").name == "unknown"


def test_status_keeps_another_office_prefix() -> None:
    assert parse("TT XA-241115-0007", default_prefix="VB").code == "XA-241115-0007"
    assert parse("XA-241115-0007", default_prefix="VB").code == "XA-241115-0007"


@pytest.mark.parametrize(
    ("text", "default_prefix", "expected"),
    [
        # a code alone whose office prefix is a command word: this office's → status
        ("DG-241115-0007", "DG", Command("status", code="DG-241115-0007", text="DG-241115-0007")),
        ("TT2411150007", "TT", Command("status", code="TT-241115-0007", text="TT2411150007")),
        # ... another office's: read as the command
        ("DK2411150007", "VB", Command("subscribe", code=CODE, text="2411150007")),
        ("DK2411150007", None, Command("subscribe", text="2411150007")),
        # a command word that cannot take what follows: then it is a code
        ("VI-241115-0007", None, Command("status", code="VI-241115-0007", text="VI-241115-0007")),
    ],
)
def test_code_or_command(text: str, default_prefix: str | None, expected: Command) -> None:
    assert parse(text, default_prefix) == expected


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("HD KS", "KS"),
        ("hd ks", "KS"),
        ("HDKS", "KS"),
        ("hdks", "KS"),
        ("HD: KS", "KS"),
        ("HD KS.", "KS"),
        ("HD  KS ", "KS"),
        ("HUONGDAN KS", "KS"),
        ("HUONG DAN KS", "KS"),
        ("Hướng dẫn KS", "KS"),
        ("hướng dẫn ks nhé", "KS"),
        ("huong dan KS a", "KS"),
        ("GUIDE KS", "KS"),
        ("guide ks", "KS"),
        ("Xin chào, cho em hỏi HD KS ạ", "KS"),
        ("HD khai sinh", "KHAI SINH"),
        ("HD Khai Sinh", "KHAI SINH"),
        ("Hướng dẫn khai sinh", "KHAI SINH"),
        ("HD thủ tục đăng ký kết hôn", "DANG KY KET HON"),
        ("HD chứng thực", "CHUNG THUC"),
        ("HD ĐKKS", "DKKS"),
        ("HD 1.001193", "1.001193"),
        ("HD ks, cam on", "KS"),
        ("HD cho em KS", "KS"),
        ("HD", None),
        ("hd", None),
        ("HD:", None),
        ("Hướng dẫn", None),
        ("GUIDE", None),
        ("HD a", None),
    ],
)
def test_guide(text: str, keyword: str | None) -> None:
    command = parse(text, default_prefix="VB")
    assert command.name == "guide"
    assert command.keyword == keyword
    assert command.code is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("DS", "list"),
        ("ds", "list"),
        ("Ds.", "list"),
        ("LIST", "list"),
        ("list", "list"),
        ("DS thu tuc", "list"),
        ("DS thủ tục", "list"),
        ("cho em xin DS a", "list"),
        ("LH", "contact"),
        ("lh", "contact"),
        ("TRUC", "contact"),
        ("Trực", "contact"),
        ("CONTACT", "contact"),
        ("LIEN HE", "contact"),
        ("Liên hệ", "contact"),
        ("lienhe", "contact"),
        ("LH can bo truc", "contact"),
        ("Liên hệ cán bộ", "contact"),
        # stop words: ours and Twilio's
        ("HUY", "stop"),
        ("huy", "stop"),
        ("Hủy", "stop"),
        ("HỦY", "stop"),
        ("Huỷ", "stop"),  # old-style tone placement
        ("hủy.", "stop"),
        (" huy ", "stop"),
        ("HUY DANG KY", "stop"),
        ("Hủy đăng ký", "stop"),
        ("huy tin nhan", "stop"),
        ("HUY nhe", "stop"),
        ("TD", "stop"),
        ("td", "stop"),
        ("STOP", "stop"),
        ("stop", "stop"),
        ("Stop!", "stop"),
        ("STOPALL", "stop"),
        ("STOP ALL", "stop"),
        ("UNSUBSCRIBE", "stop"),
        ("CANCEL", "stop"),
        ("END", "stop"),
        ("QUIT", "stop"),
        # opting back in
        ("BATLAI", "start"),
        ("BAT LAI", "start"),
        ("Bật lại", "start"),
        ("bat lai nhan tin", "start"),
        ("START", "start"),
        ("start", "start"),
        ("YES", "start"),
        ("UNSTOP", "start"),
        # language
        ("EN", "lang_en"),
        ("en", "lang_en"),
        ("ENGLISH", "lang_en"),
        ("English", "lang_en"),
        ("Tiếng Anh", "lang_en"),
        ("VI", "lang_vi"),
        ("vi", "lang_vi"),
        ("TIENGVIET", "lang_vi"),
        ("TIENG VIET", "lang_vi"),
        ("Tiếng Việt", "lang_vi"),
        ("tieng viet a", "lang_vi"),
        # help
        ("HELP", "help"),
        ("help", "help"),
        ("?", "help"),
        ("??", "help"),
        (" ? ", "help"),
        ("？", "help"),
        ("TROGIUP", "help"),
        ("TRO GIUP", "help"),
        ("Trợ giúp", "help"),
        ("tro giup!", "help"),
    ],
)
def test_commands_without_an_argument(text: str, name: str) -> None:
    command = parse(text, default_prefix="VB")
    assert command.name == name
    assert command.code is None
    assert command.keyword is None
    assert command.rating is None


@pytest.mark.parametrize(
    ("text", "expected_text"),
    [
        ("GY Cán bộ rất nhiệt tình", "Cán bộ rất nhiệt tình"),
        ("GY: Cán bộ rất nhiệt tình.", "Cán bộ rất nhiệt tình."),
        ("gy can bo nhiet tinh", "can bo nhiet tinh"),
        ("GOPY Nên mở cửa thứ 7", "Nên mở cửa thứ 7"),
        ("GOP Y Nên mở cửa thứ 7", "Nên mở cửa thứ 7"),
        ("Góp ý: Nên mở cửa thứ 7", "Nên mở cửa thứ 7"),
        ("góp ý - web hay lỗi", "web hay lỗi"),
        ("Góp ý kiến: web hay lỗi", "web hay lỗi"),
        ("FEEDBACK the portal is slow", "the portal is slow"),
        ("Xin chào, góp ý: cảm ơn chị Lan", "cảm ơn chị Lan"),
        ("GY  nhiều dòng\nthứ hai  ", "nhiều dòng\nthứ hai"),
        ("GY", ""),
        ("GY:", ""),
        ("Góp ý", ""),
    ],
)
def test_feedback_keeps_the_citizens_words(text: str, expected_text: str) -> None:
    assert parse(text, default_prefix="VB") == Command("feedback", text=expected_text)


@pytest.mark.parametrize(
    ("text", "code", "rating", "comment"),
    [
        ("DG VB-241115-0007 5", CODE, 5, ""),
        ("dg vb2411150007 4", CODE, 4, ""),
        ("DG VB2411150007 1", CODE, 1, ""),
        ("DGVB2411150007 3", CODE, 3, ""),
        ("DG 241115-0007 5", CODE, 5, ""),
        ("DG VB-241115-7 5", CODE, 5, ""),
        ("DG: VB-241115-0007, 5.", CODE, 5, ""),
        ("DG VB-241115-0007 5 sao", CODE, 5, "sao"),
        ("DG VB-241115-0007 5/5", CODE, 5, "5"),
        ("DG VB-241115-0007-5", CODE, 5, ""),
        ("DG VB-241115-0007 - 5", CODE, 5, ""),
        ("DG VB-241115-0007 5 Cán bộ rất nhiệt tình", CODE, 5, "Cán bộ rất nhiệt tình"),
        ("Đánh giá... DG VB-241115-0007 2", None, None, None),  # not at the start: unknown
        ("DG 5 VB-241115-0007", CODE, 5, ""),
        ("RATE VB-241115-0007 5", CODE, 5, ""),
        ("rate vb-241115-0007 2", CODE, 2, ""),
        # out of range, or not a whole number: still a rating attempt, rating None
        ("DG VB-241115-0007 0", CODE, None, ""),
        ("DG VB-241115-0007 6", CODE, None, ""),
        ("DG VB-241115-0007 10", CODE, None, ""),
        ("DG VB-241115-0007 4.5", CODE, None, ""),
        ("DG VB-241115-0007 -1", CODE, None, ""),
        ("DG VB-241115-0007 tot", CODE, None, "tot"),
        ("DG VB-241115-0007", CODE, None, ""),
        ("DG 5", None, 5, ""),
        ("DG", None, None, ""),
        ("DG VB-241399-0007 5", None, 5, ""),
    ],
)
def test_rate(text: str, code: str | None, rating: int | None, comment: str | None) -> None:
    command = parse(text, default_prefix="VB")
    if comment is None:
        assert command.name == "unknown"
        return
    assert command == Command("rate", code=code, rating=rating, text=comment)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DK VB-241115-0007", CODE),
        ("dk vb2411150007", CODE),
        ("DKVB2411150007", CODE),
        ("DK 241115-0007", CODE),
        ("DK: VB-241115-0007.", CODE),
        ("SUB VB-241115-0007", CODE),
        ("SUBSCRIBE VB-241115-0007", CODE),
        ("subscribe vb 241115 0007", CODE),
        ("Xin DK VB-241115-0007 a", CODE),
        ("DK", None),
        ("DK abc", None),
    ],
)
def test_subscribe(text: str, code: str | None) -> None:
    command = parse(text, default_prefix="VB")
    assert command.name == "subscribe"
    assert command.code == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Xin chào",
        "Chào anh chị",
        "Alo",
        "ok",
        "Cảm ơn",
        "Khi nào tôi nhận được giấy khai sinh?",
        "Vì sao hồ sơ của tôi chậm?",  # "Vì" folds to VI, but it is not a language switch
        "Huy day, ho so cua toi sao roi",  # Huy is also a name
        "Huy VB-241115-0007",
        "Trả lời giúp em với",  # "trả" is everyday Vietnamese
        "Trả kết quả chưa ạ",
        "TTHC là gì",  # starts with TT, but is a word
        "ENDING",
        "ENx",
        "STOPPED",
        "Yes please call me",
        "Đăng ký khai sinh cho con",
        "LH 0912345678",
        "DS abc xyz",
        "HELP me",
        "!!!",
        "...",
        "😀",
        "ABCDEF-241115-0007",
        "Hồ sơ VB-241115-0007 bị sai tên, sửa giúp em",
    ],
)
def test_unknown(text: str) -> None:
    command = parse(text, default_prefix="VB")
    assert command == Command("unknown", text=text.strip())


def test_unknown_keeps_the_whole_message_as_written() -> None:
    text = "  Cho em hỏi: hồ sơ khai sinh cần giấy tờ gì ạ?  "
    assert parse(text, "VB") == Command("unknown", text=text.strip())


def test_command_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse("HUY").name = "start"  # type: ignore[misc]


def test_a_bad_default_prefix_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        parse("TT 241115-0007", default_prefix="V1")


@pytest.mark.parametrize(
    "text",
    [
        " " * 1600,
        "-" * 1600,
        "TT " + " " * 1597,
        "TT" + "-" * 1598,
        "VB" + "-" * 1598,
        "VB" * 800,
        "1" * 1600,
        "TT " + "1" * 1597,
        "DG " + "1 " * 798,
        "HD " + "A." * 798,
        "HD " + "A-" * 798,
        "241115-" * 228,
        "VB-241115-0007 " * 106,
        "ạ" * 1600,
        "xin " * 400,
        "\u0301" * 1600,
        "😀" * 1600,
    ],
)
def test_long_and_hostile_texts(text: str) -> None:
    assert parse(text, default_prefix="VB").name in COMMAND_NAMES


# Pieces of real and broken commands, glued together at random.
PIECES = (
    "TT|tt|Tra cứu|HD|DS|LH|GY|DG|DK|HUY|BATLAI|EN|VI|?|xin|cho em|ạ|VB-241115-0007|"
    "vb2411150007|241115-7|5| |:|.|-|Đ|ệ|\u0301|€|😀|0000|VB|TTVB"
).split("|")
commandish = st.lists(st.sampled_from(PIECES), max_size=20).map("".join)


@given(st.one_of(st.text(max_size=1600), commandish), st.sampled_from([None, "VB", "X"]))
def test_parse_never_raises(text: str, default_prefix: str | None) -> None:
    command = parse(text, default_prefix)
    assert command.name in COMMAND_NAMES
    assert command.rating is None or 1 <= command.rating <= 5
    if command.code is not None:
        assert command.name in {"status", "rate", "subscribe"}
    if command.keyword is not None:
        assert command.name == "guide"
        assert command.keyword == command.keyword.upper()
    if command.name == "unknown":
        assert command.text == text.strip()


@given(commandish)
def test_accents_and_case_do_not_change_the_command(text: str) -> None:
    command = parse(text, "VB")
    assert parse(text.upper(), "VB").name == command.name
    assert parse(text.lower(), "VB").name == command.name
