"""The province catalogue as a file (issue 13): every procedure's facts in Vietnamese and
English, exported as JSON and imported from it in one transaction.

The file holds only province facts (``Procedure`` and ``ProcedureContent``), never a
commune's local part or its officers. Procedures are matched by ``slug``: a known slug is
updated (what its words replace is kept as a ``ProcedureVersion``), an unknown one is created.
Nothing is deleted. A bad file changes nothing and says why, in the reader's language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.guides import (
    COMMAND_WORDS,
    CONFIRMABLE,
    KEYWORD_RE,
    LANGS,
    LEGAL_MAX,
    LINE_MAX,
    LINES_MAX,
    NAME_MAX,
    SUMMARY_MAX,
    TEXT_MAX,
    offer,
)
from app.models import (
    FIELDS,
    ONLINE_MODES,
    Office,
    Officer,
    Procedure,
    ProcedureContent,
    ProcedureVersion,
)
from app.search import fold

FORMAT = "motcua-catalogue"
VERSION = 1
FACTS = (
    "national_code",
    "field",
    "sms_keyword",
    "processing_days",
    "same_day_cutoff",
    "online_mode",
    "portal_url",
    "fee_vnd",
    "to_confirm",
    "position",
    "active",
)
WORDS = ProcedureContent.EDITABLE
SLUG_RE = re.compile(r"[a-z0-9-]{1,80}")
CUTOFF_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


class CatalogueError(ValueError):
    """The file cannot be imported; ``str()`` is a sentence for the person who sent it."""


@dataclass
class Plan:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _procedures() -> list[Procedure]:
    return list(
        db.session.scalars(
            sa.select(Procedure)
            .options(selectinload(Procedure.contents))
            .order_by(Procedure.position, Procedure.id)
        )
    )


def export_catalogue() -> dict:
    """Every procedure of the province, facts and words (vi, en), in catalogue order."""
    items = []
    for proc in _procedures():
        item = {"slug": proc.slug, **{k: getattr(proc, k) for k in FACTS}}
        item["to_confirm"] = list(proc.to_confirm or [])
        item["content"] = {
            c.lang: {k: getattr(c, k) for k in WORDS}
            for c in sorted(proc.contents, key=lambda c: c.lang)
        }
        items.append(item)
    return {"format": FORMAT, "version": VERSION, "procedures": items}


def export_json() -> str:
    return json.dumps(export_catalogue(), ensure_ascii=False, indent=1) + "\n"


# ----------------------------------------------------------------------------- reading


def _text(value, limit: int, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CatalogueError(_("%(where)s: phải là chữ.", where=where))
    if len(value) > limit:
        raise CatalogueError(_("%(where)s: dài quá, tối đa %(n)d ký tự.", where=where, n=limit))
    return value.strip()


def _lines(value, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(_("%(where)s: phải là danh sách dòng chữ.", where=where))
    items = [v.strip() for v in value if v.strip()]
    if len(items) > LINES_MAX or any(len(v) > LINE_MAX for v in items):
        raise CatalogueError(
            _("%(where)s: tối đa %(n)d dòng, mỗi dòng tối đa %(m)d ký tự.", where=where,
              n=LINES_MAX, m=LINE_MAX)
        )
    return items


def _int(value, where: str, *, optional: bool) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**9:
        raise CatalogueError(_("%(where)s: phải là số không âm.", where=where))
    return value


def _content(raw, where: str) -> dict:
    if not isinstance(raw, dict):
        raise CatalogueError(_("%(where)s: thiếu nội dung.", where=where))
    limits = {"name": NAME_MAX, "summary": SUMMARY_MAX, "legal_basis": LEGAL_MAX,
              "sms_summary": 1000}
    data = {}
    for key in WORDS:
        here = f"{where} {key}"
        if key in ("documents", "steps"):
            data[key] = _lines(raw.get(key), here)
        else:
            data[key] = _text(raw.get(key), limits.get(key, TEXT_MAX), here)
    data["name"] = " ".join(data["name"].split())
    if not data["name"]:
        raise CatalogueError(_("%(where)s: thiếu tên thủ tục.", where=where))
    return data


def _item(raw, n: int) -> dict:
    if not isinstance(raw, dict):
        raise CatalogueError(_("Thủ tục thứ %(n)d: không đọc được.", n=n))
    slug = raw.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        raise CatalogueError(
            _("Thủ tục thứ %(n)d: mã đường dẫn (slug) chỉ gồm chữ thường không dấu, số và dấu "
              "gạch.", n=n)
        )
    where = slug
    item: dict = {"slug": slug}
    keyword = raw.get("sms_keyword")
    keyword = keyword.strip().upper() if isinstance(keyword, str) else ""
    if not KEYWORD_RE.fullmatch(keyword) or keyword in COMMAND_WORDS:
        raise CatalogueError(_("%(where)s: từ khoá tin nhắn không hợp lệ.", where=where))
    item["sms_keyword"] = keyword
    if raw.get("field") not in FIELDS:
        raise CatalogueError(_("%(where)s: lĩnh vực không hợp lệ.", where=where))
    item["field"] = raw["field"]
    mode = raw.get("online_mode", "offline")
    if mode not in ONLINE_MODES:
        raise CatalogueError(_("%(where)s: cách nộp trực tuyến không hợp lệ.", where=where))
    item["online_mode"] = mode
    item["national_code"] = _text(raw.get("national_code"), 20, where) or None
    item["portal_url"] = _text(raw.get("portal_url"), 255, where)
    item["processing_days"] = _int(raw.get("processing_days"), where, optional=True)
    item["fee_vnd"] = _int(raw.get("fee_vnd"), where, optional=True)
    item["position"] = _int(raw.get("position", 0), where, optional=False)
    cutoff = raw.get("same_day_cutoff")
    if cutoff is not None and not (isinstance(cutoff, str) and CUTOFF_RE.fullmatch(cutoff)):
        raise CatalogueError(_("%(where)s: giờ nhận trong ngày phải dạng 15:00.", where=where))
    item["same_day_cutoff"] = cutoff
    active = raw.get("active", True)
    if not isinstance(active, bool):
        raise CatalogueError(_("%(where)s: “active” phải là true hoặc false.", where=where))
    item["active"] = active
    marks = raw.get("to_confirm") or []
    if not isinstance(marks, list) or any(m not in CONFIRMABLE for m in marks):
        raise CatalogueError(_("%(where)s: danh sách điều còn kiểm tra không hợp lệ.",
                               where=where))
    item["to_confirm"] = list(dict.fromkeys(marks))
    contents = raw.get("content")
    if not isinstance(contents, dict) or "vi" not in contents:
        raise CatalogueError(_("%(where)s: thiếu nội dung tiếng Việt.", where=where))
    if any(lang not in LANGS for lang in contents):
        raise CatalogueError(_("%(where)s: ngôn ngữ không hỗ trợ.", where=where))
    item["content"] = {lang: _content(contents[lang], f"{where} ({lang})") for lang in contents}
    return item


def parse(text: str | bytes) -> list[dict]:
    """The file's procedures, checked. Raises CatalogueError for anything that is not a
    catalogue this version can read."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise CatalogueError(_("Tệp không phải JSON đọc được (cần mã hoá UTF-8).")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CatalogueError(_("Tệp không phải danh mục thủ tục xuất từ phần mềm này."))
    if data.get("version") != VERSION:
        raise CatalogueError(_("Phiên bản tệp danh mục không hỗ trợ."))
    raw_items = data.get("procedures")
    if not isinstance(raw_items, list) or not raw_items:
        raise CatalogueError(_("Tệp không có thủ tục nào."))
    items = [_item(raw, n) for n, raw in enumerate(raw_items, start=1)]
    for key in ("slug", "sms_keyword"):
        seen: set[str] = set()
        for item in items:
            if item[key] in seen:
                raise CatalogueError(_("%(value)s có hai lần trong tệp.", value=item[key]))
            seen.add(item[key])
    return items


# ----------------------------------------------------------------------------- applying


def _differs(proc: Procedure, item: dict) -> bool:
    if any(getattr(proc, k) != item[k] for k in FACTS if k != "to_confirm"):
        return True
    if list(proc.to_confirm or []) != item["to_confirm"]:
        return True
    have = {c.lang: c.snapshot() for c in proc.contents}
    return any(have.get(lang) != data for lang, data in item["content"].items())


def plan(items: list[dict]) -> Plan:
    """What importing ``items`` would do, without doing it."""
    existing = {p.slug: p for p in _procedures()}
    result = Plan()
    for item in items:
        proc = existing.get(item["slug"])
        if proc is None:
            result.created.append(item["slug"])
        elif _differs(proc, item):
            result.updated.append(item["slug"])
        else:
            result.unchanged.append(item["slug"])
    return result


def apply(items: list[dict], actor: Officer | None = None, offer_all: bool = False) -> Plan:
    """Create or update every procedure of ``items`` in one transaction; with ``offer_all``,
    every commune gets a local part for every procedure of the file. Raises CatalogueError
    (and changes nothing) when a keyword would clash with a procedure outside the file."""
    result = plan(items)
    existing = {p.slug: p for p in _procedures()}
    in_file = {item["slug"] for item in items}
    file_keywords = {item["sms_keyword"]: item["slug"] for item in items}
    for proc in existing.values():
        if proc.slug not in in_file and proc.sms_keyword in file_keywords:
            raise CatalogueError(
                _("Từ khoá %(kw)s đã dùng cho thủ tục %(slug)s.", kw=proc.sms_keyword,
                  slug=proc.slug)
            )
    try:
        # Keywords may move from one procedure to another within the file: clear them first
        # so the unique constraint never sees two at once.
        old_keywords = {p.slug: p.sms_keyword for p in existing.values()}
        for item in items:
            proc = existing.get(item["slug"])
            if proc is not None and item["slug"] in result.updated:
                proc.sms_keyword = f"~{proc.id}"[:10]
        db.session.flush()
        offices = (
            list(db.session.scalars(sa.select(Office).order_by(Office.id))) if offer_all else []
        )
        for item in items:
            proc = existing.get(item["slug"])
            if proc is None:
                proc = Procedure(slug=item["slug"])
                db.session.add(proc)
            elif item["slug"] not in result.updated:
                for office in offices:
                    offer(proc, office)
                continue
            for key in FACTS:
                setattr(proc, key, item[key])
            proc.to_confirm = list(item["to_confirm"])
            by_lang = {c.lang: c for c in proc.contents}
            for lang, data in item["content"].items():
                content = by_lang.get(lang)
                if content is not None and content.snapshot() == data:
                    continue
                if content is not None and proc.id is not None:
                    db.session.add(
                        ProcedureVersion(
                            procedure_id=proc.id,
                            lang=lang,
                            data=content.snapshot(),
                            sms_keyword=old_keywords.get(proc.slug, ""),
                            officer_id=actor.id if actor else None,
                        )
                    )
                if content is None:
                    content = ProcedureContent(lang=lang)
                    proc.contents.append(content)
                for key, value in data.items():
                    setattr(content, key, value)
                content.search_text = fold(
                    " ".join([data["name"], data["summary"], *data["documents"]])
                )
            for office in offices:
                offer(proc, office)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def offer_all(office: Office) -> int:
    """List every active province procedure in ``office`` (for a new commune or the demo).
    Returns how many local parts were made or re-offered. Commits."""
    count = 0
    for proc in db.session.scalars(
        sa.select(Procedure).where(Procedure.active).options(selectinload(Procedure.locals))
    ):
        local = proc.local(office.id)
        if local is None or not local.offered:
            offer(proc, office)
            count += 1
    db.session.commit()
    return count


def dumps(items: list[dict]) -> str:
    """Checked ``items`` back into a catalogue file (what the import page carries to step 2)."""
    procedures = [{**item, "content": item["content"]} for item in items]
    return json.dumps({"format": FORMAT, "version": VERSION, "procedures": procedures},
                      ensure_ascii=False, separators=(",", ":"))
