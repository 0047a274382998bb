"""Shape checks for the demo procedure guides (app/demo/procedures.py).

These check the data only: keys, types, lengths and the rules from the brief
(SMS keywords, same-day cut-off, facts to confirm, no ID numbers in SMS). They
do not render anything.
"""

import ast
import gzip
import html
import pathlib
import re
import unicodedata

import pytest

from app.demo.procedures import PROCEDURES

MODULE_PATH = pathlib.Path(__file__).resolve().parents[2] / "app" / "demo" / "procedures.py"

TOP_KEYS = {
    "national_code", "slug", "field", "sms_keyword", "processing_days",
    "same_day_cutoff", "online_mode", "portal_url", "fee_vnd", "to_confirm",
    "content",
}
CONTENT_KEYS = {
    "name", "summary", "documents", "steps", "fee", "time", "where",
    "legal_basis", "sms_summary", "confirm_note",
}
LANGS = {"vi", "en"}
FIELDS = {"ho_tich", "chung_thuc", "ho_kinh_doanh", "dich_vu_cong"}
ONLINE_MODES = {"full", "partial", "offline"}
CONFIRMABLE = {
    "national_code", "fee", "processing_days", "online_mode", "legal_basis",
    "documents", "steps",
}
# Words the SMS parser treats as commands: a procedure keyword must not be one.
SMS_COMMAND_WORDS = {
    "TT", "TRA", "TRACUU", "STATUS", "HD", "HUONGDAN", "GUIDE", "DS", "LIST",
    "LH", "TRUC", "CONTACT", "GY", "GOPY", "FEEDBACK", "DG", "RATE", "DK",
    "SUB", "HUY", "BATLAI", "STOP", "START", "EN", "VI", "TD", "STOPALL",
    "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "YES", "UNSTOP",
}
REQUIRED_KEYWORDS = {"KS", "KT", "KH", "HN", "TL", "CT", "CK", "HKD", "VNEID"}
HOWTO_SLUG = "tao-tai-khoan-vneid-nop-ho-so-truc-tuyen"
# Texts replaced by the late-2026 legal frame; citing them would be stale.
REPLACED_TEXTS = ("61/2018", "107/2021", "42/2022", "13/2023")

MAX_SUMMARY = 300
MAX_ITEM = 120
MAX_SMS = 200
MAX_SHORT_FIELD = 200  # fee, time, where, legal_basis, name, confirm_note
MAX_GUIDE_CHARS = 2600  # one language's whole guide text: fits one A4 page
MAX_GZIP_HTML = 8 * 1024


def _ids(proc):
    return proc["slug"]


BY_SLUG = {p["slug"]: p for p in PROCEDURES}
PROCS = pytest.mark.parametrize("proc", PROCEDURES, ids=_ids)
PROC_LANG = pytest.mark.parametrize(
    "proc,lang", [(p, lang) for p in PROCEDURES for lang in sorted(LANGS)],
    ids=lambda v: v["slug"] if isinstance(v, dict) else v,
)


def _guide_text(c):
    parts = [c["name"], c["summary"], c["fee"], c["time"], c["where"],
             c["legal_basis"], c["confirm_note"], *c["documents"], *c["steps"]]
    return "\n".join(parts)


def _fake_html(proc, lang):
    """A plain rendering of one guide, close to what a citizen page carries."""
    c = proc["content"][lang]
    e = html.escape
    docs = "".join(f"<li><label><input type=checkbox> {e(d)}</label></li>" for d in c["documents"])
    steps = "".join(f"<li>{e(s)}</li>" for s in c["steps"])
    return (
        "<!doctype html><html lang=" + lang + "><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width'>"
        f"<title>{e(c['name'])}</title><h1>{e(c['name'])}</h1>"
        f"<p>{e(c['summary'])}</p><h2>Giấy tờ</h2><ul>{docs}</ul>"
        f"<h2>Các bước</h2><ol>{steps}</ol>"
        f"<dl><dt>Lệ phí</dt><dd>{e(c['fee'])}</dd><dt>Thời gian</dt><dd>{e(c['time'])}</dd>"
        f"<dt>Nơi nộp</dt><dd>{e(c['where'])}</dd><dt>Căn cứ</dt><dd>{e(c['legal_basis'])}</dd></dl>"
        f"<p>{e(c['confirm_note'])}</p><p><a href='{e(proc['portal_url'])}'>dichvucong.gov.vn</a></p>"
    )


# ---------------------------------------------------------------- module-level

def test_module_is_pure_data_without_app_imports():
    tree = ast.parse(MODULE_PATH.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), "module docstring missing"
    for node in ast.walk(tree):
        assert not isinstance(node, (ast.Import, ast.ImportFrom)), "procedures.py must not import"


def test_procedures_is_a_non_empty_list_of_dicts():
    assert isinstance(PROCEDURES, list)
    assert len(PROCEDURES) >= 11
    assert all(isinstance(p, dict) for p in PROCEDURES)


def test_slugs_unique():
    slugs = [p["slug"] for p in PROCEDURES]
    assert len(slugs) == len(set(slugs))


def test_sms_keywords_unique():
    kws = [p["sms_keyword"] for p in PROCEDURES]
    assert len(kws) == len(set(kws))


def test_national_codes_unique_when_present():
    codes = [p["national_code"] for p in PROCEDURES if p["national_code"]]
    assert len(codes) == len(set(codes))


def test_required_keywords_present():
    assert REQUIRED_KEYWORDS <= {p["sms_keyword"] for p in PROCEDURES}


def test_electronic_copy_certification_present():
    assert any(
        p["field"] == "chung_thuc" and p["sms_keyword"].startswith("CT")
        and "dien-tu" in p["slug"] for p in PROCEDURES
    )


def test_at_least_ten_commune_procedures_plus_howto():
    real = [p for p in PROCEDURES if p["field"] != "dich_vu_cong"]
    assert len(real) >= 10


def test_howto_guide():
    p = BY_SLUG[HOWTO_SLUG]
    assert p["field"] == "dich_vu_cong"
    assert p["sms_keyword"] == "VNEID"
    assert p["processing_days"] is None
    assert p["same_day_cutoff"] is None
    vi, en = p["content"]["vi"], p["content"]["en"]
    vi_all = _guide_text(vi).lower()
    en_all = _guide_text(en).lower()
    # what to have ready
    assert any("căn cước" in d.lower() for d in vi["documents"])
    assert any("sim" in d.lower() for d in vi["documents"])
    assert any("ảnh" in d.lower() for d in vi["documents"])
    # the four steps of docs/DOMAIN.md, and what to do when it fails
    assert "công an xã" in vi_all and "vneid" in vi_all
    assert "dichvucong.gov.vn" in vi_all and "mã hồ sơ" in vi_all
    assert "tổ công nghệ số cộng đồng" in vi_all
    assert "gọi" in vi_all
    # permanent residence belongs to the commune police, not this desk
    assert "thường trú" in vi_all and "permanent residence" in en_all
    assert "commune police" in en_all and "community digital team" in en_all


# ---------------------------------------------------------------- per entry

@PROCS
def test_top_level_keys_exact(proc):
    assert set(proc) == TOP_KEYS


@PROCS
def test_slug_format(proc):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", proc["slug"]), proc["slug"]


@PROCS
def test_field_and_online_mode(proc):
    assert proc["field"] in FIELDS
    assert proc["online_mode"] in ONLINE_MODES


@PROCS
def test_sms_keyword_format(proc):
    kw = proc["sms_keyword"]
    assert isinstance(kw, str) and kw.isascii()
    assert re.fullmatch(r"[A-Z]{1,6}", kw), kw
    assert kw not in SMS_COMMAND_WORDS, f"{kw} clashes with an SMS command"


@PROCS
def test_national_code(proc):
    code = proc["national_code"]
    if code is None:
        if proc["field"] != "dich_vu_cong":
            assert "national_code" in proc["to_confirm"]
    else:
        assert re.fullmatch(r"[123]\.\d{6}", code), code


@PROCS
def test_processing_days_and_cutoff(proc):
    days, cutoff = proc["processing_days"], proc["same_day_cutoff"]
    if proc["field"] == "dich_vu_cong":
        assert days is None and cutoff is None
        return
    assert isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 30
    if days == 0:
        assert cutoff is not None
        assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", cutoff)
    else:
        assert cutoff is None


@PROCS
def test_certifications_same_day_with_15h_cutoff(proc):
    if proc["field"] == "chung_thuc":
        assert proc["processing_days"] == 0
        assert proc["same_day_cutoff"] == "15:00"


@PROCS
def test_portal_url(proc):
    assert proc["portal_url"].startswith("https://")


@PROCS
def test_fee_vnd(proc):
    fee = proc["fee_vnd"]
    assert fee is None or (isinstance(fee, int) and not isinstance(fee, bool) and fee >= 0)
    if fee is None and "fee" in proc["to_confirm"]:
        # an unconfirmed fee is never given a number in the text either
        vi_fee = proc["content"]["vi"]["fee"]
        assert "xã" in vi_fee.lower()


@PROCS
def test_to_confirm(proc):
    tc = proc["to_confirm"]
    assert isinstance(tc, list)
    assert len(tc) == len(set(tc))
    assert set(tc) <= CONFIRMABLE, set(tc) - CONFIRMABLE
    for lang in LANGS:
        note = proc["content"][lang]["confirm_note"]
        assert isinstance(note, str)
        if tc:
            assert note.strip(), f"{lang}: confirm_note needed when to_confirm is set"
        else:
            assert note == ""


@PROCS
def test_content_languages(proc):
    assert set(proc["content"]) == LANGS


@PROC_LANG
def test_content_keys_exact(proc, lang):
    assert set(proc["content"][lang]) == CONTENT_KEYS


@PROC_LANG
def test_string_fields_non_empty_and_short(proc, lang):
    c = proc["content"][lang]
    for key in ("name", "summary", "fee", "time", "where", "legal_basis", "sms_summary"):
        assert isinstance(c[key], str) and c[key].strip(), key
        assert c[key] == c[key].strip(), f"{key} has stray whitespace"
        assert "\n" not in c[key], key
    assert len(c["summary"]) <= MAX_SUMMARY, len(c["summary"])
    assert len(c["sms_summary"]) <= MAX_SMS, len(c["sms_summary"])
    for key in ("name", "fee", "time", "where", "legal_basis", "confirm_note"):
        assert len(c[key]) <= MAX_SHORT_FIELD, (key, len(c[key]))


@PROC_LANG
def test_documents_and_steps(proc, lang):
    c = proc["content"][lang]
    docs, steps = c["documents"], c["steps"]
    assert isinstance(docs, list) and 2 <= len(docs) <= 6
    assert isinstance(steps, list) and 3 <= len(steps) <= 6
    for item in docs + steps:
        assert isinstance(item, str) and item.strip()
        assert item == item.strip() and "\n" not in item
        assert len(item) <= MAX_ITEM, (len(item), item)
    # numbering is the template's job
    for s in steps:
        assert not re.match(r"\s*(\d+[.)]|bước|step)\s", s, re.I), s


@PROCS
def test_same_number_of_items_in_both_languages(proc):
    vi, en = proc["content"]["vi"], proc["content"]["en"]
    assert len(vi["documents"]) == len(en["documents"])
    assert len(vi["steps"]) == len(en["steps"])


@PROCS
def test_vietnamese_has_diacritics(proc):
    vi = proc["content"]["vi"]
    for key in ("name", "summary"):
        assert not vi[key].isascii(), f"vi {key} looks like it lost its diacritics"
    # Precomposed (NFC) text, so that search and transliteration behave.
    for text in _guide_text(vi).split("\n"):
        assert unicodedata.normalize("NFC", text) == text


@PROCS
def test_english_is_english(proc):
    en = proc["content"]["en"]
    for key in ("summary", "fee", "time", "where", "sms_summary"):
        assert en[key] != proc["content"]["vi"][key]


@PROC_LANG
def test_sms_summary_is_ascii_and_never_asks_for_an_id_number(proc, lang):
    s = proc["content"][lang]["sms_summary"]
    assert s.isascii(), s
    low = s.lower()
    for bad in ("so cccd", "so can cuoc", "so dinh danh", "id number", "so cmnd"):
        assert bad not in low, bad
    assert not re.search(r"\d{9,}", s), "no long digit runs (ID-like) in SMS"


@PROC_LANG
def test_where_is_generic(proc, lang):
    where = proc["content"][lang]["where"]
    word = "xã" if lang == "vi" else "commune"
    assert word in where.lower()
    assert not re.search(r"\d{3,}", where), "no addresses or phone numbers: the app adds them"


@PROC_LANG
def test_legal_basis_is_current(proc, lang):
    lb = proc["content"][lang]["legal_basis"]
    for old in REPLACED_TEXTS:
        assert old not in lb, f"{old} was replaced"
    if proc["field"] == "ho_tich":
        assert "2014" in lb  # Luật Hộ tịch 2014, in force until 1 March 2027


@PROCS
def test_same_day_text_mentions_cutoff(proc):
    if proc["processing_days"] == 0:
        assert "15" in proc["content"]["vi"]["time"] or "xác minh" in proc["content"]["vi"]["time"]


@PROC_LANG
def test_guide_fits_a_page(proc, lang):
    text = _guide_text(proc["content"][lang])
    assert len(text) <= MAX_GUIDE_CHARS, len(text)
    page = _fake_html(proc, lang)
    assert len(gzip.compress(page.encode("utf-8"))) <= MAX_GZIP_HTML
