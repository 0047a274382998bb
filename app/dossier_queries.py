"""Read side of the officer's dossier list: filters, search, paging, counts, CSV export.

One ``DossierFilter`` feeds the page, the CSV export and the home panel, so "the same filtered
list" really is the same query. Search is accent-insensitive without a new column: a code or a
phone is matched in SQL (text that reads as both, like ``0911250382``, finds both, codes
first); a name is folded in Python (``app.search.fold``) over the office's
candidates. A commune receives a few hundred dossiers a year, so folding names in Python costs
less than keeping a folded copy in sync, and it behaves the same on SQLite and PostgreSQL.

The CSV export writes ``COLUMNS``, the column set ``app.dossier_import`` reads (docs/IMPORT.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.codes import normalise_code, split_check
from app.deadlines import add_working_days
from app.extensions import db
from app.filters import fmt_date, fmt_datetime, phone_display
from app.models import OPEN_STATUSES, STATUSES, Dossier, Office, Officer, Procedure, offered_in
from app.phones import normalise_phone
from app.search import fold
from app.vocabulary import channel_label, result_return_label, status_label

PER_PAGE = 25
DUE_SOON_DAYS = 3  # "due within 3 working days"
Q_MAX = 60


def due_soon_limit(today: date) -> date:
    """The last due day that still counts as "due soon"."""
    return add_working_days(today, DUE_SOON_DAYS)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@dataclass
class DossierFilter:
    """What the officer asked for in the query string. Unknown or malformed values are
    dropped rather than refused: a filter link is bookmarked and shared, never an attack."""

    status: str = ""
    procedure_id: int | None = None
    officer_id: int | None = None
    overdue: bool = False
    due_soon: bool = False
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> DossierFilter:
        status = args.get("status", "")
        return cls(
            status=status if status in STATUSES or status == "open" else "",
            procedure_id=_int(args.get("procedure")),
            officer_id=_int(args.get("officer")),
            overdue=args.get("overdue") == "1",
            due_soon=args.get("due_soon") == "1",
            q=(args.get("q") or "").strip()[:Q_MAX],
            page=max(1, _int(args.get("page")) or 1),
        )

    def args(self, **override) -> dict:
        """Query-string arguments that reproduce this filter (for page links and the CSV)."""
        values = {
            "status": self.status,
            "procedure": self.procedure_id,
            "officer": self.officer_id,
            "overdue": "1" if self.overdue else None,
            "due_soon": "1" if self.due_soon else None,
            "q": self.q,
            "page": self.page if self.page > 1 else None,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.args(page=None))


def _name_ids(office: Office, query: sa.Select, words: list[str]) -> list[int]:
    """Ids of dossiers in ``query`` whose applicant name contains every folded word."""
    rows = db.session.execute(
        query.with_only_columns(Dossier.id, Dossier.applicant_name).order_by(None)
    )
    return [i for i, name in rows if all(w in fold(name) for w in words)]


def filtered_query(office: Office, flt: DossierFilter, today: date) -> sa.Select:
    """The office's dossiers matching ``flt``, newest first."""
    query = sa.select(Dossier).where(Dossier.office_id == office.id)
    if flt.status == "open":
        query = query.where(Dossier.status.in_(OPEN_STATUSES))
    elif flt.status:
        query = query.where(Dossier.status == flt.status)
    if flt.procedure_id:
        query = query.where(Dossier.procedure_id == flt.procedure_id)
    if flt.officer_id:
        query = query.where(Dossier.officer_id == flt.officer_id)
    if flt.overdue:
        query = query.where(Dossier.status.in_(OPEN_STATUSES), Dossier.due_on < today)
    if flt.due_soon:
        query = query.where(
            Dossier.status.in_(OPEN_STATUSES),
            Dossier.due_on >= today,
            Dossier.due_on <= due_soon_limit(today),
        )
    order: list[sa.ColumnElement] = []
    if flt.q:
        clause, first = _search_clause(office, query, flt.q)
        query = query.where(clause)
        if first is not None:
            order.append(sa.case((first, 0), else_=1))
    return query.order_by(*order, Dossier.received_at.desc(), Dossier.id.desc())


def _search_clause(
    office: Office, query: sa.Select, q: str
) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool] | None]:
    """A code (ours or the province's), a phone (whole, or its last digits), else a name.

    Returns the clause and, when the text reads both as a code and as a phone, the part that
    matches the code, so that those rows come first. ``0911250382`` is a valid mobile number
    and also reads as the code ``<office>-091125-0382`` (day 25/11/2009): about 2 % of
    Vietnamese mobile numbers look like a code, so such a search finds both.
    """
    code = normalise_code(q, office.code)
    has_letters = any(ch.isalpha() for ch in q)
    phone = normalise_phone(q) if not has_letters else None
    if code:
        base = split_check(code)[0]  # a printed code keeps its check letters: match without
        by_code = sa.or_(Dossier.code == base, Dossier.external_code == q)
        if phone:
            return sa.or_(by_code, Dossier.phone == phone), by_code
        return by_code, None
    digits = "".join(ch for ch in q if ch.isdigit())
    if digits and len(digits) >= 4 and not has_letters:
        if phone:
            return Dossier.phone == phone, None
        return Dossier.phone.like(f"%{digits}"), None
    ids = _name_ids(office, query, fold(q).split())
    if not ids:
        return Dossier.external_code == q, None
    return sa.or_(Dossier.id.in_(ids), Dossier.external_code == q), None


@dataclass
class Page:
    items: list[Dossier]
    total: int
    page: int
    per_page: int = PER_PAGE
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, -(-self.total // self.per_page))


def _with_relations(query: sa.Select) -> sa.Select:
    return query.options(
        selectinload(Dossier.procedure).selectinload(Procedure.contents),
        selectinload(Dossier.officer),
    )


def list_page(office: Office, flt: DossierFilter, today: date) -> Page:
    """One page of the filtered list; a page past the end shows the last page."""
    query = filtered_query(office, flt, today)
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        or 0
    )
    page = Page(items=[], total=total, page=flt.page)
    page.page = min(flt.page, page.pages)
    page.items = list(
        db.session.scalars(
            _with_relations(query).limit(PER_PAGE).offset((page.page - 1) * PER_PAGE)
        )
    )
    return page


def all_rows(office: Office, flt: DossierFilter, today: date) -> list[Dossier]:
    query = _with_relations(filtered_query(office, flt, today))
    return list(db.session.scalars(query.options(selectinload(Dossier.events))))


def filter_choices(office: Office) -> tuple[list[Procedure], list[Officer]]:
    """Procedures that take dossiers and the office's officers, for the filter boxes."""
    procedures = list(
        db.session.scalars(
            sa.select(Procedure)
            .where(offered_in(office.id), Procedure.processing_days.is_not(None))
            .options(selectinload(Procedure.contents))
            .order_by(Procedure.position, Procedure.id)
        )
    )
    officers = list(
        db.session.scalars(
            sa.select(Officer)
            .where(Officer.office_id == office.id, Officer.role != "leader")
            .order_by(Officer.name)
        )
    )
    return procedures, officers


@dataclass
class Counts:
    open: int
    overdue: int
    due_soon: int


def home_counts(office: Office, today: date) -> Counts:
    """The three numbers on the officer home panel, in one query."""
    open_ = Dossier.status.in_(OPEN_STATUSES)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(open_),
            sa.func.count().filter(open_, Dossier.due_on < today),
            sa.func.count().filter(
                open_, Dossier.due_on >= today, Dossier.due_on <= due_soon_limit(today)
            ),
        ).where(Dossier.office_id == office.id)
    ).one()
    return Counts(open=row[0] or 0, overdue=row[1] or 0, due_soon=row[2] or 0)


# ----------------------------------------------------------------------------- CSV export

# Cells a spreadsheet would run as a formula (CSV injection): OWASP's list.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text for one CSV cell; a leading formula character gets a quote so Excel shows it as
    text instead of running it (a citizen's name is typed by whoever filed the dossier)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass(frozen=True)
class Column:
    """One CSV column. ``key`` is the import's column name (docs/IMPORT.md); the header is
    ``label`` in the reader's language, and the import reads it in any language."""

    key: str
    label: LazyString
    imported: bool = True  # False: shown for people, ignored by the import


#: The one column set of the dossier CSV: the export writes it and the import reads it, so an
#: export can be imported again (into the same commune: nothing doubles; into another: the
#: dossiers are recreated). The imported columns come first, in the import's order.
COLUMNS: tuple[Column, ...] = (
    Column("ma_ho_so", _l("Mã hồ sơ")),
    Column("ma_thu_tuc", _l("Mã thủ tục")),
    Column("tu_khoa", _l("Từ khóa")),
    Column("ho_ten", _l("Họ tên")),
    Column("so_dien_thoai", _l("Số điện thoại")),
    Column("kenh", _l("Hình thức nộp")),
    Column("ngay_nhan", _l("Ngày nhận")),
    Column("trang_thai", _l("Trạng thái")),
    Column("ngay_cap_nhat", _l("Ngày cập nhật")),
    Column("dong_y_sms", _l("Đồng ý nhận SMS")),
    Column("ngon_ngu", _l("Ngôn ngữ")),
    Column("ghi_chu", _l("Ghi chú cho người dân")),
    Column("ma_cua_xa", _l("Mã hồ sơ tại xã"), imported=False),
    Column("thu_tuc", _l("Thủ tục"), imported=False),
    Column("hen_tra", _l("Hẹn trả"), imported=False),
    Column("qua_han", _l("Quá hạn"), imported=False),
    Column("can_bo", _l("Cán bộ phụ trách"), imported=False),
    Column("cach_tra", _l("Cách trả kết quả"), imported=False),
)


def _cells(d: Dossier, lang: str, today: date) -> dict[str, str]:
    tz = d.office.tz
    # The event that reached the current status: its time and its note for the citizen.
    last = next((e for e in reversed(d.events) if e.status == d.status), None)
    changed = last is not None and d.status != "received"
    return {
        # The province's code when the dossier came from it, else ours: the code the import
        # matches, so importing the file again skips the dossier instead of doubling it.
        "ma_ho_so": d.external_code or d.code,
        "ma_thu_tuc": d.procedure.national_code or "",
        "tu_khoa": d.procedure.sms_keyword,
        "ho_ten": d.applicant_name,
        "so_dien_thoai": phone_display(d.phone),  # 0912 345 678: no leading "+" to quote
        "kenh": str(channel_label(d.channel)),
        "ngay_nhan": fmt_datetime(d.received_at, tz),
        "trang_thai": str(status_label(d.status)),
        "ngay_cap_nhat": fmt_datetime(last.at, tz) if changed and last else "",
        "dong_y_sms": str(_l("Có") if d.sms_consent else _l("Không")),
        "ngon_ngu": d.lang,
        "ghi_chu": last.note if changed and last else "",
        "ma_cua_xa": d.code,
        "thu_tuc": d.procedure.content(lang).name,
        "hen_tra": fmt_date(d.due_on),
        "qua_han": "x" if d.is_overdue(today) else "",
        "can_bo": d.officer.name if d.officer else "",
        "cach_tra": str(result_return_label(d.result_return)),
    }


def export_csv(rows: Iterable[Dossier], lang: str, today: date) -> str:
    """The rows as CSV text with a BOM: Excel on Windows reads UTF-8 only when it sees one.
    Headers in the reader's language (the import reads both)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(str(c.label)) for c in COLUMNS])
    for d in rows:
        cells = _cells(d, lang, today)
        writer.writerow([safe_cell(cells[c.key]) for c in COLUMNS])
    return out.getvalue()


__all__ = [
    "COLUMNS",
    "FORMULA_START",
    "PER_PAGE",
    "Column",
    "Counts",
    "DossierFilter",
    "Page",
    "all_rows",
    "due_soon_limit",
    "export_csv",
    "filter_choices",
    "filtered_query",
    "home_counts",
    "list_page",
    "safe_cell",
]
