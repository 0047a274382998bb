"""Editing a procedure's guide, one language at a time: validate against the budgets, render a
preview exactly as the citizen sees it, save with a version of what it replaces, restore.

A guide that grows past the 8 KB compressed HTML budget, or an SMS summary past its segments,
would quietly break the promise to the farmer on 2G; the editor refuses it here, with a reason,
instead of letting a benchmark find it later.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field, fields
from types import SimpleNamespace

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.audit import record
from app.budgets import HTML_BUDGET, SMS_SUMMARY_SEGMENTS
from app.extensions import db
from app.models import (
    Office,
    Officer,
    Procedure,
    ProcedureContent,
    ProcedureLocal,
    ProcedureVersion,
    offered_in,
    utcnow,
)
from app.models.procedure import procedure_officer
from app.page_cache import page_cache
from app.search import fold
from app.sms.gsm import count_segments, to_gsm7
from app.sms.wording import ambiguous_phrases
from app.web import office_name

LANGS = ("vi", "en")

NAME_MAX = 200
SUMMARY_MAX = 400
LINE_MAX = 200
LINES_MAX = 12
TEXT_MAX = 400  # fee, time, where, officer note
LEGAL_MAX = 1000

# Words the SMS parser reads as commands (docs/DESIGN.md; app/sms/parser.py), written without the
# spaces a multi-word alias may lose. A procedure keyword equal to one would never reach HD.
COMMAND_WORDS = frozenset(
    {
        "TT",
        "TRA",
        "TRACUU",
        "STATUS",
        "HD",
        "HUONGDAN",
        "GUIDE",
        "DS",
        "LIST",
        "LH",
        "TRUC",
        "CONTACT",
        "LIENHE",
        "GY",
        "GOPY",
        "GOPYKIEN",
        "FEEDBACK",
        "DG",
        "RATE",
        "DK",
        "SUB",
        "SUBSCRIBE",
        "HUY",
        "TD",
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "BATLAI",
        "START",
        "YES",
        "UNSTOP",
        "EN",
        "ENGLISH",
        "TIENGANH",
        "VI",
        "TIENGVIET",
        "CONG",
        "CONGLOI",
        "CONGOK",
        "PORTAL",
        "HELP",
        "TROGIUP",
        # The hamlets' digital teams (issue 16): help requests and members' answers.
        "HT",
        "HOTRO",
        "XONG",
        "DONE",
        "BAN",
        "BUSY",
    }
)
KEYWORD_RE = re.compile(r"[A-Z0-9]{1,6}")
# Facts of a guide that may still be unchecked (``Procedure.to_confirm``). While any is marked,
# the citizen page shows "Gọi cán bộ trước khi đi" with a phone; unmarking them all removes it.
CONFIRMABLE = (
    "fee",
    "documents",
    "steps",
    "where",
    "legal_basis",
    "processing_days",
    "online_mode",
    "national_code",
)


@dataclass
class Draft:
    """What the editor holds: one language's words plus the procedure's SMS keyword."""

    name: str = ""
    summary: str = ""
    documents: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    fee: str = ""
    time: str = ""
    where: str = ""
    legal_basis: str = ""
    sms_summary: str = ""
    officer_note: str = ""
    sms_keyword: str = ""
    # Procedure-wide like the keyword: the facts still being checked.
    to_confirm: list[str] = field(default_factory=list)

    @classmethod
    def from_content(
        cls, content: ProcedureContent | None, keyword: str, to_confirm: list[str] | None = None
    ) -> Draft:
        marks = list(to_confirm or [])
        if content is None:
            return cls(sms_keyword=keyword, to_confirm=marks)
        return cls(
            **{k: getattr(content, k) for k in ProcedureContent.EDITABLE},
            sms_keyword=keyword,
            to_confirm=marks,
        )

    @classmethod
    def from_version(cls, version: ProcedureVersion) -> Draft:
        known = {f.name for f in fields(cls)}
        data = dict(version.data or {})
        if "confirm_note" in data:  # versions saved before the field's rename
            data.setdefault("officer_note", data.pop("confirm_note"))
        data = {k: v for k, v in data.items() if k in known and k != "to_confirm"}
        return cls(**data, sms_keyword=version.sms_keyword or "")

    def content_data(self) -> dict:
        return {k: getattr(self, k) for k in ProcedureContent.EDITABLE}


def lines(text: str) -> list[str]:
    """One item per non-empty line, trimmed (the textarea's "one per line")."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def clean(draft: Draft) -> Draft:
    """Trim what was typed; the keyword goes upper-case (citizens type it any case)."""
    return Draft(
        name=" ".join(draft.name.split()),
        summary=draft.summary.strip(),
        documents=[d.strip() for d in draft.documents if d.strip()],
        steps=[s.strip() for s in draft.steps if s.strip()],
        fee=draft.fee.strip(),
        time=draft.time.strip(),
        where=draft.where.strip(),
        legal_basis=draft.legal_basis.strip(),
        sms_summary=" ".join(draft.sms_summary.split()),
        officer_note=draft.officer_note.strip(),
        sms_keyword=draft.sms_keyword.strip().upper(),
        to_confirm=[k for k in CONFIRMABLE if k in draft.to_confirm],
    )


class _PreviewProcedure:
    """The procedure with the draft's keyword, without touching the stored row (a changed
    attribute on the real one would be flushed by the next commit)."""

    def __init__(self, procedure: Procedure, sms_keyword: str, to_confirm: list[str]) -> None:
        self._procedure = procedure
        self.sms_keyword = sms_keyword
        self.to_confirm = to_confirm

    def __getattr__(self, name: str):
        return getattr(self._procedure, name)


def transient_content(procedure: Procedure, lang: str, draft: Draft) -> ProcedureContent:
    """A ProcedureContent that is never added to the session: the preview's unsaved words.
    The relationship is left unset on purpose (setting it would cascade it into the session)."""
    content = ProcedureContent(lang=lang, **draft.content_data())
    content.updated_at = utcnow()
    return content


def online_filing_guide(office_id: int | None) -> Procedure | None:
    """The office's how-to guide for filing online (VNeID), which every guide of a procedure
    that can be filed online links to. Found by what it is (an active how-to in the online
    services field), not by its keyword, which officers may edit."""
    return db.session.scalars(
        sa.select(Procedure)
        .where(
            offered_in(office_id),
            Procedure.active,
            Procedure.field == "dich_vu_cong",
            Procedure.processing_days.is_(None),
        )
        .order_by(Procedure.position, Procedure.id)
    ).first()


def officers_for(procedure_id: int, office_id: int) -> list[Officer]:
    """The officers a guide names in one commune: in charge of it, active, with a public
    phone, their shifts loaded (one query, a few rows)."""
    return list(db.session.scalars(
        sa.select(Officer)
        .join(procedure_officer, procedure_officer.c.officer_id == Officer.id)
        .where(procedure_officer.c.procedure_id == procedure_id, Officer.office_id == office_id,
               Officer.active, Officer.public_phone != "")
        .options(joinedload(Officer.shifts))
        .order_by(Officer.id)
    ).unique())


def _slug_only(procedure: Procedure | None) -> SimpleNamespace | None:
    """What a guide's link to the online-filing guide needs, as plain data (kept per worker)."""
    return SimpleNamespace(slug=procedure.slug) if procedure is not None else None


def guide_context(procedure: Procedure, office: Office, local: ProcedureLocal | None = None,
                  officers: list[Officer] | None = None) -> dict:
    """What citizen/guide.html needs besides the province facts and their words: this
    commune's local part (note, Saturday), its officers to call and, where the procedure can be
    filed online, the commune's guide to filing online. ``local``, ``officers``: when the
    caller has them already (:func:`app.lookup.read_guide`)."""
    return {
        "office": office,
        "local": local if local is not None else procedure.local(office.id),
        "officers": officers if officers is not None else officers_for(procedure.id, office.id),
        "online_guide": online_guide_for(procedure, office),
    }


def online_guide_for(procedure: Procedure, office: Office) -> SimpleNamespace | None:
    """The commune's guide to filing online (its slug) when ``procedure`` can be filed online,
    kept per worker under the commune's counters (app.page_cache); None otherwise."""
    if procedure.online_mode == "offline" or procedure.is_howto:
        return None
    return page_cache.kept(office.id, "online_guide",
                           lambda: _slug_only(online_filing_guide(office.id)))


def preview_office(procedure: Procedure) -> Office | None:
    """The commune a province officer's preview is shown in: the first that offers the
    procedure, else the first commune."""
    office = db.session.scalars(
        sa.select(Office)
        .join(ProcedureLocal, ProcedureLocal.office_id == Office.id)
        .where(ProcedureLocal.procedure_id == procedure.id, ProcedureLocal.offered)
        .order_by(Office.id)
    ).first()
    return office or db.session.scalars(sa.select(Office).order_by(Office.id)).first()


def render_guide_page(
    procedure: Procedure, lang: str, draft: Draft, office: Office | None = None
) -> str:
    """The citizen's guide page for ``draft``: the same template, commune and officers the
    citizen view uses, in the guide's language. ``office`` is the commune whose local part is
    shown (by default the first that offers the procedure)."""
    office = office or preview_office(procedure)
    if office is None:  # no commune at all yet: the facts alone
        return ""
    with force_locale(lang):
        return render_template(
            "citizen/guide.html",
            procedure=_PreviewProcedure(
                procedure, draft.sms_keyword or procedure.sms_keyword, draft.to_confirm
            ),
            content=transient_content(procedure, lang, draft),
            lang=lang,
            site_name=office_name(office, lang),
            no_fragments=True,  # a draft: nothing of the published facts' kept parts
            **guide_context(procedure, office),
        )


def guide_main(html: str) -> str:
    """The inside of ``<main>``: what the preview shows inside the officer's page."""
    match = re.search(r'<main id="main">(.*)</main>', html, re.S)
    return match.group(1) if match else html


def html_size(html: str) -> int:
    """Compressed size, measured the way tests.support.helpers.check_html measures it."""
    return len(gzip.compress(html.encode(), 9))


def validate(
    procedure: Procedure, lang: str, draft: Draft, office: Office | None = None
) -> dict[str, str]:
    """Field → message for everything that would break a rule or a budget. Empty = fine."""
    errors: dict[str, str] = {}
    if lang not in LANGS:
        errors["name"] = _("Ngôn ngữ không hỗ trợ.")
    if not draft.name:
        errors["name"] = _("Nhập tên thủ tục.")
    elif len(draft.name) > NAME_MAX:
        errors["name"] = _("Tên dài quá: tối đa %(n)d ký tự.", n=NAME_MAX)
    if not draft.summary:
        errors["summary"] = _("Nhập tóm tắt một đoạn ngắn.")
    elif len(draft.summary) > SUMMARY_MAX:
        errors["summary"] = _(
            "Tóm tắt dài %(len)d ký tự, tối đa %(n)d. Viết ngắn lại.",
            len=len(draft.summary),
            n=SUMMARY_MAX,
        )
    for key in ("documents", "steps"):
        items = getattr(draft, key)
        too_long = [i + 1 for i, item in enumerate(items) if len(item) > LINE_MAX]
        if len(items) > LINES_MAX:
            errors[key] = _(
                "Nhiều quá: %(count)d dòng, tối đa %(n)d dòng.", count=len(items), n=LINES_MAX
            )
        elif too_long:
            errors[key] = _(
                "Dòng %(line)d dài quá: mỗi dòng tối đa %(n)d ký tự.", line=too_long[0], n=LINE_MAX
            )
    for key in ("fee", "time", "where", "officer_note"):
        if len(getattr(draft, key)) > TEXT_MAX:
            errors[key] = _("Dài quá: tối đa %(n)d ký tự.", n=TEXT_MAX)
    if len(draft.legal_basis) > LEGAL_MAX:
        errors["legal_basis"] = _("Dài quá: tối đa %(n)d ký tự.", n=LEGAL_MAX)
    if draft.sms_summary:
        segments = count_segments(to_gsm7(draft.sms_summary)).segments
        if segments > SMS_SUMMARY_SEGMENTS:
            errors["sms_summary"] = _(
                "Tóm tắt tin nhắn cần %(count)d tin, tối đa %(n)d tin (khoảng 300 chữ không dấu). "
                "Viết ngắn lại.",
                count=segments,
                n=SMS_SUMMARY_SEGMENTS,
            )
        elif ambiguous_phrases(draft.sms_summary):
            # The text goes out without marks, where these read two ways (app.sms.wording).
            errors["sms_summary"] = _(
                "Tin nhắn không có dấu: “%(phrase)s” đọc được hai nghĩa. Viết cách khác.",
                phrase=ambiguous_phrases(draft.sms_summary)[0],
            )
    errors.update(_keyword_errors(procedure, draft.sms_keyword))
    if not errors:
        size = html_size(render_guide_page(procedure, lang, draft, office))
        if size > HTML_BUDGET:
            errors["form"] = _(
                "Trang hướng dẫn sẽ nặng %(size)d byte (nén), quá giới hạn %(max)d byte cho điện "
                "thoại 2G. Bớt chữ ở tóm tắt, giấy tờ hoặc các bước.",
                size=size,
                max=HTML_BUDGET,
            )
    return errors


def _keyword_errors(procedure: Procedure, keyword: str) -> dict[str, str]:
    if not KEYWORD_RE.fullmatch(keyword):
        return {
            "sms_keyword": _(
                "Từ khoá tin nhắn gồm 1–6 chữ cái hoặc số, không dấu, không cách. Ví dụ: KS."
            )
        }
    if keyword in COMMAND_WORDS:
        return {
            "sms_keyword": _(
                "%(kw)s là lệnh tin nhắn (như TT, HD, LH). Chọn từ khoá khác.", kw=keyword
            )
        }
    taken = db.session.scalars(
        sa.select(Procedure.slug).where(
            Procedure.sms_keyword == keyword,
            Procedure.id != procedure.id,
        )
    ).first()
    if taken:
        return {"sms_keyword": _("Từ khoá %(kw)s đã dùng cho thủ tục khác.", kw=keyword)}
    return {}


class GuideError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def save(
    procedure: Procedure, lang: str, draft: Draft, actor: Officer, action: str = "guide.edit"
) -> bool:
    """Validate, keep a version of what is replaced (who replaced it, when), then update.
    False when nothing changed. Raises GuideError with field messages."""
    draft = clean(draft)
    errors = validate(procedure, lang, draft)
    if errors:
        raise GuideError(errors)
    content = next((c for c in procedure.contents if c.lang == lang), None)
    before = Draft.from_content(content, procedure.sms_keyword, procedure.to_confirm)
    if before == draft:
        return False
    if content is not None:
        db.session.add(
            ProcedureVersion(
                procedure_id=procedure.id,
                lang=lang,
                data=content.snapshot(),
                sms_keyword=procedure.sms_keyword,
                officer_id=actor.id,
            )
        )
    else:
        content = ProcedureContent(lang=lang)
        procedure.contents.append(content)  # appending on the parent side adds it to the session
    for key, value in draft.content_data().items():
        setattr(content, key, value)
    content.search_text = fold(" ".join([draft.name, draft.summary, *draft.documents]))
    procedure.sms_keyword = draft.sms_keyword
    procedure.to_confirm = list(draft.to_confirm)
    changed = [k for k in draft.__dataclass_fields__ if getattr(before, k) != getattr(draft, k)]
    record(
        action,
        procedure,
        actor,
        before={"lang": lang, **{k: getattr(before, k) for k in changed}},
        after={"lang": lang, **{k: getattr(draft, k) for k in changed}},
    )
    db.session.commit()
    return True


def restore(procedure: Procedure, lang: str, version: ProcedureVersion, actor: Officer) -> bool:
    """Bring back an earlier version; what it replaces is itself versioned (``save``). The old
    keyword comes back too unless another procedure has taken it since."""
    draft = Draft.from_version(version)
    draft.to_confirm = list(procedure.to_confirm or [])  # not versioned: today's marks stay
    if not draft.sms_keyword or _keyword_errors(procedure, draft.sms_keyword):
        draft.sms_keyword = procedure.sms_keyword
    return save(procedure, lang, draft, actor, action="guide.restore")


def history(procedure: Procedure, lang: str) -> list[ProcedureVersion]:
    return list(
        db.session.scalars(
            sa.select(ProcedureVersion)
            .where(ProcedureVersion.procedure_id == procedure.id, ProcedureVersion.lang == lang)
            .order_by(ProcedureVersion.created_at.desc(), ProcedureVersion.id.desc())
        )
    )


# ----------------------------------------------------------------------------- local part


LOCAL_NOTE_MAX = 400


def local_part(procedure: Procedure, office: Office) -> ProcedureLocal:
    """The commune's local part, made (not offered, not yet saved) when it has none."""
    local = procedure.local(office.id)
    if local is None:
        local = ProcedureLocal(office_id=office.id, offered=False, note="", note_en="",
                               saturday=False)
    return local


def offer(procedure: Procedure, office: Office) -> ProcedureLocal:
    """List the province procedure in ``office`` (a local part that is offered). No commit."""
    local = procedure.local(office.id)
    if local is None:
        local = ProcedureLocal(office_id=office.id, offered=True, note="", note_en="",
                               saturday=False)
        procedure.locals.append(local)
    else:
        local.offered = True
    return local


def save_local(
    procedure: Procedure,
    office: Office,
    actor: Officer,
    *,
    offered: bool,
    note: str,
    note_en: str,
    saturday: bool,
    officer_ids: list[int] | None = None,
) -> bool:
    """Save the commune's local part and, when given, its officers in charge (officers of this
    commune only; those of other communes stay). The province facts are not touched.
    False when nothing changed. Raises GuideError with field messages."""
    note, note_en = (note or "").strip(), (note_en or "").strip()
    errors = {}
    for key, value in (("note", note), ("note_en", note_en)):
        if len(value) > LOCAL_NOTE_MAX:
            errors[key] = _("Dài quá: tối đa %(n)d ký tự.", n=LOCAL_NOTE_MAX)
    if errors:
        raise GuideError(errors)
    local = procedure.local(office.id)
    before = (
        {"offered": local.offered, "note": local.note, "note_en": local.note_en,
         "saturday": local.saturday}
        if local is not None
        else {"offered": False, "note": "", "note_en": "", "saturday": False}
    )
    after = {"offered": bool(offered), "note": note, "note_en": note_en,
             "saturday": bool(saturday)}
    here = procedure.officers_in(office.id)
    if officer_ids is not None:
        wanted = set(officer_ids)
        chosen = list(
            db.session.scalars(
                sa.select(Officer)
                .where(Officer.office_id == office.id, Officer.id.in_(wanted))
                .order_by(Officer.id)
            )
        )
        before["officers"] = sorted(o.id for o in here)
        after["officers"] = sorted(o.id for o in chosen)
    if before == after:
        return False
    if local is None:
        local = ProcedureLocal(office_id=office.id)
        procedure.locals.append(local)
    local.offered, local.note, local.note_en, local.saturday = (
        after["offered"], note, note_en, after["saturday"]
    )
    if officer_ids is not None:
        others = [o for o in procedure.officers if o.office_id != office.id]
        procedure.officers = others + chosen
    changed = [k for k in after if before.get(k) != after[k]]
    record(
        "guide.local",
        procedure,
        actor,
        before={"office": office.code, **{k: before.get(k) for k in changed}},
        after={"office": office.code, **{k: after[k] for k in changed}},
    )
    db.session.commit()
    return True
