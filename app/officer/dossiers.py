"""Counter work: register a dossier, print its appointment slip, list and search dossiers,
change a status, export the list as CSV and import a provincial export.

Views stay thin: status changes go through ``app.dossiers`` (the only place a status changes),
list queries through ``app.dossier_queries``, imports through ``app.dossier_import``.
Leaders read everything and write nothing: every POST here is ``writer_required``.
"""

from __future__ import annotations

from datetime import date

import segno
import sqlalchemy as sa
from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app import dossier_import as importer
from app import dossier_queries as dossier_list
from app import papers
from app.auth import any_role, writer_required
from app.clock import office_today
from app.dossiers import DossierError, allowed_next, change_status, register_dossier
from app.extensions import db, limiter
from app.models import Dossier, Message, Procedure, offered_in
from app.officer import bp
from app.officer.forms import ImportConfirmForm, ImportUploadForm, RegisterForm, StatusForm
from app.officers import contact_officer
from app.vocabulary import status_label
from app.web import current_lang, office_name, public_url

SLIP_FORMATS = ("a5", "a4", "58mm")


def _office():
    return current_user.office


def _today() -> date:
    return office_today(_office())


def _get_dossier(code: str) -> Dossier:
    """The signed-in officer's office only: another commune's dossier is simply not found."""
    dossier = db.session.scalars(
        sa.select(Dossier)
        .where(Dossier.code == code.upper(), Dossier.office_id == current_user.office_id)
        .options(selectinload(Dossier.events), selectinload(Dossier.procedure))
    ).first()
    if dossier is None:
        abort(404)
    return dossier


@bp.context_processor
def _dossier_panel() -> dict:
    # A callable, so the three counts are queried only by the page that shows the panel.
    def counts() -> dossier_list.Counts:
        return dossier_list.home_counts(_office(), _today())

    return {"dossier_counts": counts}


# ----------------------------------------------------------------------------- register


def _procedure_choices() -> list[tuple[int, str]]:
    lang = current_lang()
    procedures = db.session.scalars(
        sa.select(Procedure)
        .where(
            offered_in(current_user.office_id),
            Procedure.active,
            Procedure.processing_days.is_not(None),  # how-to guides take no dossiers
        )
        .options(selectinload(Procedure.contents))
        .order_by(Procedure.position, Procedure.id)
    )
    return [(p.id, p.content(lang).name) for p in procedures]


def _checklist(procedure_id: int | None) -> list[str]:
    """The procedure's papers (its guide's checklist), ticked at the counter."""
    procedure = db.session.get(Procedure, procedure_id) if procedure_id else None
    local = procedure.local(current_user.office_id) if procedure is not None else None
    if local is None or not local.offered:  # only a procedure this commune offers
        return []
    return [str(item) for item in procedure.content(current_lang()).documents or []]


def _ticked(items: list[str]) -> list[dict]:
    """``paper-<i>`` = original / copy / lookup for each item; unknown values are ignored."""
    out = []
    for i, name in enumerate(items):
        form = request.form.get(f"paper-{i}", "")
        if form in papers.PAPER_FORMS:
            out.append({"name": name, "form": form})
    return out


@bp.route("/dossiers/new", methods=["GET", "POST"])
@writer_required
def register():
    form = RegisterForm()
    form.procedure.choices = [(0, _("— Chọn thủ tục —")), *_procedure_choices()]
    if request.method == "GET" and request.args.get("procedure", "").isdigit():
        form.procedure.data = int(request.args["procedure"])
    items = _checklist(form.procedure.data if isinstance(form.procedure.data, int) else None)
    if request.method == "POST" and request.form.get("step") == "papers":
        # "Show the papers": the checklist of the chosen procedure, nothing saved yet.
        return render_template("officer/dossiers/register.html", form=form, items=items,
                               ticked={}), 200
    if form.validate_on_submit():
        procedure = db.session.get(Procedure, form.procedure.data)
        try:
            dossier = register_dossier(
                office=_office(),
                procedure=procedure,
                applicant_name=form.applicant_name.data,
                phone=form.phone_e164,
                channel=form.channel.data,
                sms_consent=form.sms_consent.data,
                lang=form.lang.data,
                note=form.note.data or "",
                officer=current_user,
                commit=False,
            )
            papers.record_receipt(dossier, _ticked(items), form.fee_paid.data)
            db.session.commit()
        except DossierError as exc:
            db.session.rollback()
            form.procedure.errors = [_("Không tiếp nhận được hồ sơ (%(code)s).", code=exc.code)]
        else:
            flash(_("Đã tiếp nhận hồ sơ %(code)s.", code=dossier.public_code))
            return redirect(url_for("officer.slip", code=dossier.code))
    # A POST that gets here was refused: the re-rendered form says why and keeps the input.
    status = 400 if request.method == "POST" else 200
    ticked = {i: request.form.get(f"paper-{i}", "") for i in range(len(items))}
    return render_template("officer/dossiers/register.html", form=form, items=items,
                           ticked=ticked), status


# ----------------------------------------------------------------------------- slip


def status_url(code: str) -> str:
    """The public status page with the code filled in: the URL the QR code carries, under the
    commune the code's prefix names (``/vb/status?code=VB-…``)."""
    return public_url("citizen.status", office=code.partition("-")[0].lower(), code=code)


def qr_svg(url: str) -> str:
    """Inline SVG with a viewBox (no width/height), so print CSS sizes it in millimetres;
    segno writes no style attribute, which the CSP would block."""
    return segno.make(url, error="m").svg_inline(omitsize=True, border=2, title=url)


@bp.route("/dossiers/<code>/slip")
@any_role
def slip(code: str):
    dossier = _get_dossier(code)
    fmt = request.args.get("format", "a5")
    if fmt not in SLIP_FORMATS:
        fmt = "a5"
    url = status_url(dossier.public_code)  # with the check letters: no digits needed
    return render_template(
        "officer/dossiers/slip.html",
        d=dossier,
        fmt=fmt,
        formats=SLIP_FORMATS,
        contact=contact_officer(dossier),
        qr=qr_svg(url),
        qr_url=url,
        commune=office_name(dossier.office, current_lang()),
        receipt=papers.receipt(dossier),
    )


# ----------------------------------------------------------------------------- list + CSV


@bp.route("/dossiers")
@any_role
def dossiers():
    flt = dossier_list.DossierFilter.from_args(request.args)
    today = _today()
    page = dossier_list.list_page(_office(), flt, today)
    procedures, officers = dossier_list.filter_choices(_office())
    return render_template(
        "officer/dossiers/list.html",
        flt=flt,
        page=page,
        today=today,
        procedures=procedures,
        officers=officers,
    )


@bp.route("/dossiers.csv")
@any_role
def dossiers_csv():
    flt = dossier_list.DossierFilter.from_args(request.args)
    today = _today()
    rows = dossier_list.all_rows(_office(), flt, today)
    body = dossier_list.export_csv(rows, current_lang(), today)
    response = Response(body, mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="ho-so-{today:%Y%m%d}.csv"'
    # Personal data: never kept by a shared cache or the browser.
    response.headers["Cache-Control"] = "no-store"
    return response


# ----------------------------------------------------------------------------- one dossier


def _status_form(dossier: Dossier) -> StatusForm:
    form = StatusForm()
    form.status.choices = [("", _("— Chọn —"))] + [
        (s, str(status_label(s))) for s in allowed_next(dossier)
    ]
    return form



def _render_dossier(dossier: Dossier, form: StatusForm, status: int = 200):
    messages = list(
        db.session.scalars(
            sa.select(Message).where(Message.dossier_id == dossier.id).order_by(Message.id)
        )
    )
    return render_template(
        "officer/dossiers/dossier.html",
        d=dossier,
        form=form,
        messages=messages,
        today=_today(),
        allowed=allowed_next(dossier),
    ), status


@bp.route("/dossiers/<code>")
@any_role
def dossier(code: str):
    d = _get_dossier(code)
    return _render_dossier(d, _status_form(d))


@bp.route("/dossiers/<code>/status", methods=["POST"])
@writer_required
def dossier_status(code: str):
    d = _get_dossier(code)
    form = _status_form(d)
    if form.validate_on_submit():
        try:
            change_status(
                d,
                form.status.data,
                current_user,
                note=form.note.data or "",
                internal_note=form.internal_note.data or "",
                result_return=form.result_return.data or None,
            )
        except DossierError as exc:
            db.session.rollback()
            if exc.code == "note_required":
                message = (
                    _("Ghi rõ giấy tờ còn thiếu để người dân bổ sung.")
                    if form.status.data == "needs_supplement"
                    else _("Ghi rõ lý do từ chối để báo cho người dân.")
                )
                form.note.errors = [*form.note.errors, message]
            else:
                form.status.errors = [
                    *form.status.errors,
                    _("Không chuyển được sang tình trạng này từ tình trạng hiện tại."),
                ]
        else:
            flash(
                _(
                    "Đã chuyển hồ sơ %(code)s sang: %(status)s.",
                    code=d.code,
                    status=status_label(d.status),
                )
            )
            return redirect(url_for("officer.dossier", code=d.code))
    elif "status" in form.errors and form.status.data:
        # WTForms' own "not a valid choice": say it the way the domain would.
        form.status.errors = [_("Không chuyển được sang tình trạng này từ tình trạng hiện tại.")]
    return _render_dossier(_get_dossier(code), form, 400)


# ----------------------------------------------------------------------------- import


def _too_large() -> bool:
    return (request.content_length or 0) > importer.MAX_BYTES + 64 * 1024


@bp.route("/dossiers/import", methods=["GET", "POST"])
@writer_required
@limiter.limit("20/minute", methods=["POST"])
def import_dossiers():
    upload = ImportUploadForm()
    confirm = ImportConfirmForm(prefix="confirm")  # two forms on one page: distinct ids
    result = None
    error = None
    if request.method == "POST":
        if _too_large():
            # A clear message instead of a parse of a huge file. (CSRFProtect has already read
            # the body by now; the app-wide MAX_CONTENT_LENGTH is the hard limit.)
            error = _("Tệp lớn quá 2 MB. Hãy chia nhỏ tệp rồi nhập từng phần.")
            return _import_page(upload, confirm, None, error, 400)
        if request.form.get("step") == "apply":
            return _import_apply(upload, confirm)
        if upload.validate_on_submit():
            file = upload.file.data
            if not file or not getattr(file, "filename", ""):
                upload.file.errors = [_("Chọn tệp CSV để kiểm tra.")]
            else:
                content = file.read(importer.MAX_BYTES + 1)
                result = importer.check(content, _office())
                if result.ok:
                    confirm.token.data = importer.stash(content, current_user.id)
                    confirm.filename.data = file.filename[:200]
    status = 400 if request.method == "POST" and (result is None or result.errors) else 200
    return _import_page(upload, confirm, result, error, status)


def _import_page(upload, confirm, result, error: str | None, status: int):
    return render_template(
        "officer/dossiers/import.html",
        upload=upload,
        confirm=confirm,
        result=result,
        error=error,
        limits=importer,
    ), status


def _import_apply(upload: ImportUploadForm, confirm: ImportConfirmForm):
    if not confirm.validate_on_submit():
        abort(400)
    content = importer.load(confirm.token.data, current_user.id)
    if content is None:
        error = _("Tệp đã kiểm tra không còn trên máy chủ. Hãy tải lên và kiểm tra lại.")
        return _import_page(upload, confirm, None, error, 400)
    try:
        result = importer.apply(
            content, _office(), current_user, filename=confirm.filename.data or ""
        )
    except importer.ImportFailed as failed:
        return _import_page(upload, confirm, failed.result, _("Chưa lưu hồ sơ nào: tệp có lỗi."), 400)
    importer.discard(confirm.token.data, current_user.id)
    flash(
        _(
            "Đã nhập %(n)d hồ sơ, bỏ qua %(skipped)d hồ sơ đã có.",
            n=len(result.rows),
            skipped=len(result.skipped),
        )
    )
    return redirect(url_for("officer.dossiers"))
