"""Import dossiers from a CSV exported by a provincial one-stop system.

Two steps, so that an officer sees what will happen before anything is saved:

1. ``check(content, office)`` — the dry run: reads every row, reports each problem with its row
   number (as Excel shows it: the header is row 1), column and a plain message, and builds a
   preview. It writes nothing.
2. ``apply(content, office, officer)`` — checks again (the file on disk is the source of truth,
   not what the browser sends back) and, only when there is no error at all, registers every
   row in **one transaction**: any failure rolls everything back.

Decisions, written down in docs/IMPORT.md:

* An external code (``ma_ho_so``) already in the database for this office is **skipped** and
  listed, so uploading an overlapping export twice does not double anything. The same code
  twice in one file is an error: we cannot know which row is right.
* Imported dossiers get our own code and working-day due date (``register_dossier``), then
  their status through ``change_status`` — the only way a status changes — with
  ``notify=False``: history must not text citizens about things that happened months ago.
* National status codes map through ``NATIONAL_STATUS`` reversed, plus 1 (Mới đăng ký) →
  received and 6 (nghĩa vụ tài chính) → processing. 8 (Dừng xử lý) has no honest equivalent
  and is refused, so an officer decides by hand.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app import audit
from app.clock import local_to_utc, unix_time, utcnow
from app.dossier_queries import COLUMNS, FORMULA_START
from app.dossiers import DossierError, change_status, register_dossier
from app.extensions import db
from app.models import NATIONAL_STATUS, STATUSES, Dossier, Office, Officer, Procedure, offered_in
from app.phones import normalise_phone
from app.search import fold
from app.vocabulary import CHANNEL_LABELS, STATUS_LABELS

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
PREVIEW_ROWS = 20
STASH_MAX_AGE = 24 * 3600  # seconds an unconfirmed upload is kept

REQUIRED = ("ma_ho_so", "ho_ten", "ngay_nhan")
#: The columns read, in order: the same set the officer's CSV export writes (one column set
#: both ways, ``app.dossier_queries.COLUMNS``); its read-only columns are ignored here.
KNOWN = tuple(c.key for c in COLUMNS if c.imported)

# National status code → ours. The reverse of NATIONAL_STATUS plus the two codes we can
# place without guessing (see the module docstring).
NATIONAL_TO_OURS: dict[int, str] = {v: k for k, v in NATIONAL_STATUS.items()} | {
    1: "received",
    6: "processing",
}
CHANNEL_WORDS = {
    "truc_tiep": "counter",
    "tai_quay": "counter",
    "counter": "counter",
    "truc_tuyen": "online",
    "online": "online",
    "buu_chinh": "post",
    "post": "post",
}
YES = {"co", "c", "yes", "y", "1", "x", "true", "dong_y"}
NO = {"khong", "k", "no", "n", "0", "false", ""}
# The steps from "received" to each status, every one allowed by app.dossiers.TRANSITIONS.
PATHS: dict[str, tuple[str, ...]] = {
    "received": (),
    "processing": ("processing",),
    "needs_supplement": ("needs_supplement",),
    "ready": ("processing", "ready"),
    "returned": ("processing", "ready", "returned"),
    "rejected": ("rejected",),
    "withdrawn": ("withdrawn",),
}
DATE_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%H:%M %d/%m/%Y",  # how our own export writes it (app.filters.fmt_datetime)
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
)
DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d")


@dataclass
class Labels:
    """Folded words → code, for values our export writes in the reader's language."""

    status: dict[str, str]
    channel: dict[str, str]


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    row: int
    external_code: str
    procedure: Procedure
    applicant_name: str
    phone: str
    channel: str
    received_at: datetime
    status: str
    updated_at: datetime | None
    sms_consent: bool
    lang: str
    note: str


@dataclass
class CheckResult:
    rows: list[ImportRow] = field(default_factory=list)  # would be created
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, external code)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class ImportFailed(Exception):
    """``apply`` saved nothing; ``result`` says why."""

    def __init__(self, result: CheckResult):
        super().__init__("import refused")
        self.result = result


# ----------------------------------------------------------------------------- reading


def _key(name: str) -> str:
    """Header cell → column key: "Mã hồ sơ" and "ma_ho_so" both read as ``ma_ho_so``."""
    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")


def _word(value: str) -> str:
    return _key(value)


def _in_every_language(labels: dict[str, object]) -> dict[str, str]:
    """Folded label in each interface language → code: our export writes statuses, channels
    and headers in the reader's language, and any officer may import it."""
    words: dict[str, str] = {}
    for lang in current_app.config.get("LANGUAGES", ("vi", "en")):
        with force_locale(lang):
            for code, label in labels.items():
                words.setdefault(_key(str(label)), code)
    return words


def header_words() -> dict[str, str]:
    """Header cell (folded) → column key: the key itself or its export header in any language."""
    words = {key: key for key in KNOWN}
    for word, key in _in_every_language({c.key: c.label for c in COLUMNS}).items():
        if key in KNOWN:
            words.setdefault(word, key)
    return words


def _unquote(value: str) -> str:
    """Undo ``safe_cell``: our export puts ``'`` before a cell that starts like a formula."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM); else Windows-1258, what Excel on a Vietnamese Windows
    writes. NFC so that decomposed accents compare equal to typed ones."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


def _reader(text: str) -> csv.reader:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def parse_when(raw: str, office: Office) -> datetime | None:
    """Local date-time as the provincial system writes it → naive UTC. A date alone means the
    opening of the office that day (so the day itself counts)."""
    raw = " ".join(raw.split())
    for fmt in DATE_FORMATS:
        try:
            return local_to_utc(datetime.strptime(raw, fmt), office.tz)
        except ValueError:
            continue
    for fmt in DAY_FORMATS:
        try:
            day = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return local_to_utc(datetime.combine(day.date(), office.am_start), office.tz)
    return None


def parse_status(raw: str, labels: dict[str, str] | None = None) -> str | None:
    """A national code, our status name, or (with ``labels``) our status words in any
    language, as our export writes them."""
    text = raw.strip()
    if text.isdigit():
        return NATIONAL_TO_OURS.get(int(text))
    word = _word(text)
    if word in STATUSES:
        return word
    return (labels or {}).get(word)


def _procedures(office: Office) -> tuple[dict[str, Procedure], dict[str, Procedure]]:
    procs = list(
        db.session.scalars(
            sa.select(Procedure).where(
                offered_in(office.id), Procedure.processing_days.is_not(None)
            )
        )
    )
    by_code = {p.national_code.strip(): p for p in procs if p.national_code}
    by_keyword = {p.sms_keyword.upper(): p for p in procs}
    return by_code, by_keyword


def _existing_codes(office: Office, codes: set[str]) -> set[str]:
    """The codes already in this office, as a province code or as our own: an export of this
    office's dossiers names counter dossiers by our code (``app.dossier_queries``)."""
    found: set[str] = set()
    items = sorted(codes)
    for start in range(0, len(items), 500):  # keep IN lists short on every database
        chunk = items[start : start + 500]
        for column in (Dossier.external_code, Dossier.code):
            found.update(
                db.session.scalars(
                    sa.select(column).where(Dossier.office_id == office.id, column.in_(chunk))
                )
            )
    return found


def check(content: bytes, office: Office) -> CheckResult:
    """The dry run: every problem in the file, and the rows that would be created."""
    result = CheckResult()
    if len(content) > MAX_BYTES:
        result.errors.append(
            RowError(0, "", _("Tệp lớn quá 2 MB. Hãy chia nhỏ tệp rồi nhập từng phần."))
        )
        return result
    try:
        records = list(_reader(decode(content)))
    except csv.Error as exc:
        result.errors.append(
            RowError(0, "", _("Không đọc được tệp CSV: %(error)s", error=str(exc)))
        )
        return result
    # Row numbers as Excel shows them (1-based, blank rows counted), blank rows then dropped.
    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    if not numbered:
        result.errors.append(RowError(0, "", _("Tệp trống.")))
        return result
    header_row, header_cells = numbered[0]
    words = header_words()
    header = [words.get(_key(h), _key(h)) for h in header_cells]
    missing = [c for c in REQUIRED if c not in header]
    if "ma_thu_tuc" not in header and "tu_khoa" not in header:
        missing.append("ma_thu_tuc / tu_khoa")
    if missing:
        result.errors.append(
            RowError(
                header_row, ", ".join(missing), _("Thiếu cột bắt buộc. Xem hướng dẫn các cột.")
            )
        )
        return result
    body = numbered[1:]
    result.total = len(body)
    if len(body) > MAX_ROWS:
        result.errors.append(
            RowError(
                0,
                "",
                _(
                    "Tệp có %(n)d dòng, quá %(max)d dòng. Hãy chia nhỏ tệp.",
                    n=len(body),
                    max=MAX_ROWS,
                ),
            )
        )
        return result
    if not body:
        result.errors.append(RowError(0, "", _("Tệp chỉ có dòng tiêu đề, không có hồ sơ.")))
        return result

    by_code, by_keyword = _procedures(office)
    labels = Labels(
        status=_in_every_language(dict(STATUS_LABELS)),
        channel=CHANNEL_WORDS | _in_every_language(dict(CHANNEL_LABELS)),
    )
    codes = {
        _unquote(
            (rec[header.index("ma_ho_so")] if len(rec) > header.index("ma_ho_so") else "").strip()
        )
        for _n, rec in body
    }
    existing = _existing_codes(office, {c for c in codes if c})
    seen: dict[str, int] = {}
    now = utcnow()
    for index, record in body:
        cells = {
            name: (_unquote(record[i].strip()) if i < len(record) else "")
            for i, name in enumerate(header)
        }
        row = _check_row(index, cells, office, by_code, by_keyword, labels, now, result.errors)
        if row is None:
            continue
        if row.external_code in seen:
            result.errors.append(
                RowError(
                    index,
                    "ma_ho_so",
                    _(
                        "Mã %(code)s trùng với dòng %(other)d.",
                        code=row.external_code,
                        other=seen[row.external_code],
                    ),
                )
            )
            continue
        seen[row.external_code] = index
        if row.external_code in existing:
            result.skipped.append((index, row.external_code))
        else:
            result.rows.append(row)
    return result


def _check_row(
    index: int,
    cells: dict[str, str],
    office: Office,
    by_code: dict[str, Procedure],
    by_keyword: dict[str, Procedure],
    labels: Labels,
    now: datetime,
    errors: list[RowError],
) -> ImportRow | None:
    """One row → ``ImportRow``, or None after adding its errors (every error, not the first)."""
    before = len(errors)

    def err(column: str, message: str) -> None:
        errors.append(RowError(index, column, message))

    external = cells.get("ma_ho_so", "")
    if not external:
        err("ma_ho_so", _("Thiếu mã hồ sơ."))
    elif len(external) > 60:
        err("ma_ho_so", _("Mã hồ sơ dài quá 60 ký tự."))

    procedure = None
    national, keyword = cells.get("ma_thu_tuc", ""), cells.get("tu_khoa", "")
    if national:
        procedure = by_code.get(national)
        if procedure is None:
            err("ma_thu_tuc", _("Xã chưa có thủ tục mã %(code)s.", code=national))
    elif keyword:
        procedure = by_keyword.get(keyword.upper())
        if procedure is None:
            err("tu_khoa", _("Không có thủ tục với từ khóa %(kw)s.", kw=keyword))
    else:
        err("ma_thu_tuc", _("Cần mã thủ tục (ma_thu_tuc) hoặc từ khóa (tu_khoa)."))

    name = cells.get("ho_ten", "")
    if not name:
        err("ho_ten", _("Thiếu họ tên người nộp."))
    elif len(name) > 120:
        err("ho_ten", _("Họ tên dài quá 120 ký tự."))

    phone = ""
    raw_phone = cells.get("so_dien_thoai", "")
    if raw_phone:
        phone = normalise_phone(raw_phone) or ""
        if not phone:
            err("so_dien_thoai", _("Số điện thoại không đúng: %(value)s", value=raw_phone))

    channel = labels.channel.get(_word(cells.get("kenh", "")) or "truc_tiep")
    if channel is None:
        err("kenh", _("Kênh phải là truc_tiep, truc_tuyen hoặc buu_chinh."))

    received_at = None
    raw_received = cells.get("ngay_nhan", "")
    if not raw_received:
        err("ngay_nhan", _("Thiếu ngày nhận."))
    else:
        received_at = parse_when(raw_received, office)
        if received_at is None:
            err(
                "ngay_nhan",
                _("Ngày nhận không đúng dạng dd/mm/yyyy HH:MM: %(value)s", value=raw_received),
            )
        elif received_at > now:
            err("ngay_nhan", _("Ngày nhận ở tương lai: %(value)s", value=raw_received))
        elif received_at.year < 2000:
            err("ngay_nhan", _("Ngày nhận quá cũ: %(value)s", value=raw_received))

    status = "received"
    raw_status = cells.get("trang_thai", "")
    if raw_status:
        status = parse_status(raw_status, labels.status) or ""
        if not status:
            err(
                "trang_thai",
                _(
                    "Trạng thái không dùng được: %(value)s. Dùng mã 1–7, 9, 10 "
                    "hoặc tên trạng thái.",
                    value=raw_status,
                ),
            )

    updated_at = None
    raw_updated = cells.get("ngay_cap_nhat", "")
    if raw_updated:
        updated_at = parse_when(raw_updated, office)
        if updated_at is None:
            err(
                "ngay_cap_nhat",
                _("Ngày cập nhật không đúng dạng dd/mm/yyyy HH:MM: %(value)s", value=raw_updated),
            )
        elif updated_at > now or (received_at and updated_at < received_at):
            err("ngay_cap_nhat", _("Ngày cập nhật phải sau ngày nhận và không ở tương lai."))

    note = cells.get("ghi_chu", "")
    if status in ("needs_supplement", "rejected") and not note:
        err("ghi_chu", _("Hồ sơ cần bổ sung hoặc bị từ chối phải có ghi chú cho người dân."))

    consent_word = _word(cells.get("dong_y_sms", ""))
    consent = consent_word in YES
    if consent_word not in YES and consent_word not in NO:
        err("dong_y_sms", _("Đồng ý SMS phải là co hoặc khong."))
    elif consent and not phone and not raw_phone:
        err("dong_y_sms", _("Đồng ý nhận SMS nhưng không có số điện thoại."))

    lang = _word(cells.get("ngon_ngu", "")) or "vi"
    if lang not in ("vi", "en"):
        err("ngon_ngu", _("Ngôn ngữ phải là vi hoặc en."))

    if len(errors) > before:
        return None
    assert procedure is not None and received_at is not None and channel is not None
    return ImportRow(
        row=index,
        external_code=external,
        procedure=procedure,
        applicant_name=name,
        phone=phone,
        channel=channel,
        received_at=received_at,
        status=status,
        updated_at=updated_at,
        sms_consent=consent,
        lang=lang,
        note=note,
    )


# ----------------------------------------------------------------------------- writing


def apply(content: bytes, office: Office, officer: Officer, filename: str = "") -> CheckResult:
    """Check again and save every row in one transaction, or nothing (``ImportFailed``)."""
    result = check(content, office)
    if result.errors:
        raise ImportFailed(result)
    try:
        for row in result.rows:
            _save_row(row, office, officer)
        audit.record(
            "dossier.import",
            office,
            officer,
            None,
            {"file": filename[:120], "created": len(result.rows), "skipped": len(result.skipped)},
        )
        db.session.commit()
    except DossierError as exc:
        db.session.rollback()
        result.errors.append(
            RowError(0, "", _("Không nhập được (%(code)s). Chưa lưu hồ sơ nào.", code=exc.code))
        )
        raise ImportFailed(result) from exc
    except Exception:
        db.session.rollback()
        raise
    return result


def _save_row(row: ImportRow, office: Office, officer: Officer) -> Dossier:
    dossier = register_dossier(
        office=office,
        procedure=row.procedure,
        applicant_name=row.applicant_name,
        phone=row.phone,
        channel=row.channel,
        sms_consent=row.sms_consent,
        lang=row.lang,
        officer=officer,
        received_at=row.received_at,
        external_code=row.external_code,
        commit=False,
        notify=False,
    )
    steps = PATHS[row.status]
    at = row.updated_at or utcnow()
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        change_status(
            dossier,
            step,
            officer,
            note=row.note if last else "",
            internal_note=_("Nhập từ tệp CSV của tỉnh") if last else "",
            at=at,
            commit=False,
            notify=False,
        )
    return dossier


# ----------------------------------------------------------------------------- the upload kept between steps

_TOKEN_RE = re.compile(r"[0-9a-f]{32}")


def _stash_dir() -> Path:
    path = Path(current_app.config.get("IMPORT_DIR") or Path(current_app.instance_path) / "imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stash_path(token: str, officer_id: int) -> Path | None:
    if not _TOKEN_RE.fullmatch(token or ""):
        return None  # never build a path from arbitrary input
    return _stash_dir() / f"{officer_id}-{token}.csv"


def stash(content: bytes, officer_id: int) -> str:
    """Keep the checked file on the server so the officer need not upload it twice on a slow
    line; only the same officer can confirm it. Old unconfirmed files are removed."""
    folder = _stash_dir()
    cutoff = unix_time() - STASH_MAX_AGE
    for old in folder.glob("*.csv"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_hex(16)
    path = _stash_path(token, officer_id)
    assert path is not None
    path.write_bytes(content)
    return token


def load(token: str, officer_id: int) -> bytes | None:
    path = _stash_path(token, officer_id)
    return path.read_bytes() if path and path.is_file() else None


def discard(token: str, officer_id: int) -> None:
    path = _stash_path(token, officer_id)
    if path:
        path.unlink(missing_ok=True)
