"""The desk's papers (issue 15): request for more papers, refusal, apology with a new date,
acknowledgement of an online dossier, each printable; the process control sheet.

The forms sit on the dossier page (``officer/dossiers/_papers.html``); a refused form comes
back on that page with its errors (400). Every POST is ``writer_required`` (CSRF by the app);
the domain rules live in ``app.papers``.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from app import papers as svc
from app.auth import any_role, writer_required
from app.clock import utcnow
from app.dossiers import DossierError
from app.extensions import db
from app.officer import bp
from app.officer.dossiers import (
    _get_dossier,
    _render_dossier,
    _status_form,
    _today,
    qr_svg,
    status_url,
)
from app.officer.forms import AckForm, ApologyForm, RefusalForm, SupplementForm
from app.officers import contact_officer
from app.web import current_lang, office_name

PRINT_FORMATS = ("a5", "a4")


def _error_text(code: str) -> str:
    return {
        "papers_required": _("Ghi rõ giấy tờ còn thiếu."),
        "reason_required": _("Ghi rõ lý do."),
        "too_long": _("Dài quá 500 ký tự."),
        "bad_bring_by": _("Chọn một ngày sau hôm nay."),
        "bad_new_date": _("Chọn một ngày sau hôm nay."),
        "not_working_day": _("Ngày này là ngày nghỉ. Chọn một ngày làm việc."),
        "not_after_due": _("Ngày hẹn mới phải sau ngày hẹn trả hiện nay."),
        "not_waiting_ack": _("Hồ sơ này không chờ xác nhận."),
    }.get(code, _("Không làm được việc này với hồ sơ ở tình trạng hiện tại."))


@bp.context_processor
def _paper_forms() -> dict:
    def paper_forms() -> dict:
        forms = getattr(g, "paper_forms", None) or {}
        return {
            "supplement": forms.get("supplement") or SupplementForm(prefix="sup", formdata=None),
            "refusal": forms.get("refusal") or RefusalForm(prefix="ref", formdata=None),
            "apology": forms.get("apology") or ApologyForm(prefix="apo", formdata=None),
            "ack": AckForm(prefix="ack", formdata=None),
        }

    def desk_papers() -> dict:
        """The officer home's warnings: online dossiers waiting for acknowledgement (hours
        left), dossiers due within one working day, overdue ones without an apology."""
        office, today = current_user.office, _today()
        now = utcnow()
        return {
            "waiting_ack": [(d, format_decimal(round(svc.ack_hours_left(d, now), 1),
                                               format="#,##0.#"))
                            for d in svc.waiting_ack(office)],
            "due_soon": svc.due_within_one_day(office, today),
            "no_apology": svc.overdue_without_apology(office, today),
        }

    return {"paper_forms": paper_forms, "needs_apology": svc.needs_apology,
            "desk_papers": desk_papers}


def _refused(d, name: str, form, exc: DossierError | None = None):
    db.session.rollback()
    if exc is not None:
        field = {"papers_required": "papers", "bad_bring_by": "bring_by",
                 "bad_new_date": "new_date", "not_after_due": "new_date"}.get(exc.code)
        if exc.code == "not_working_day":
            field = "bring_by" if name == "supplement" else "new_date"
        field = field or ("reason" if hasattr(form, "reason") else None)
        target = getattr(form, field) if field else None
        if target is not None:
            target.errors = [*target.errors, _error_text(exc.code)]
    g.paper_forms = {name: form}
    g.paper_error = name
    d = _get_dossier(d.code)
    return _render_dossier(d, _status_form(d), 400)


def _done(d, event, message: str):
    flash(message)
    return redirect(url_for("officer.paper", code=d.code, event_id=event.id))


@bp.route("/dossiers/<code>/supplement", methods=["POST"])
@writer_required
def dossier_supplement(code: str):
    d = _get_dossier(code)
    form = SupplementForm(prefix="sup")
    if not form.validate_on_submit():
        return _refused(d, "supplement", form)
    try:
        event = svc.request_supplement(d, current_user, papers=form.papers.data,
                                       reason=form.reason.data, bring_by=form.bring_by.data,
                                       today=_today())
    except DossierError as exc:
        return _refused(d, "supplement", form, exc)
    return _done(d, event, _("Đã gửi yêu cầu bổ sung hồ sơ %(code)s.", code=d.code))


@bp.route("/dossiers/<code>/refuse", methods=["POST"])
@writer_required
def dossier_refuse(code: str):
    d = _get_dossier(code)
    form = RefusalForm(prefix="ref")
    if not form.validate_on_submit():
        return _refused(d, "refusal", form)
    try:
        event = svc.refuse(d, current_user, reason=form.reason.data)
    except DossierError as exc:
        return _refused(d, "refusal", form, exc)
    return _done(d, event, _("Đã từ chối hồ sơ %(code)s.", code=d.code))


@bp.route("/dossiers/<code>/apology", methods=["POST"])
@writer_required
def dossier_apology(code: str):
    d = _get_dossier(code)
    form = ApologyForm(prefix="apo")
    if not form.validate_on_submit():
        return _refused(d, "apology", form)
    try:
        event = svc.apologise(d, current_user, reason=form.reason.data,
                              new_date=form.new_date.data, today=_today())
    except DossierError as exc:
        return _refused(d, "apology", form, exc)
    return _done(d, event, _("Đã lập phiếu xin lỗi cho hồ sơ %(code)s.", code=d.code))


@bp.route("/dossiers/<code>/ack", methods=["POST"])
@writer_required
def dossier_ack(code: str):
    d = _get_dossier(code)
    form = AckForm(prefix="ack")
    if not form.validate_on_submit():
        return _refused(d, "ack", form)
    try:
        svc.acknowledge(d, current_user)
    except DossierError as exc:
        db.session.rollback()
        flash(_error_text(exc.code))
        return redirect(url_for("officer.dossier", code=d.code))
    flash(_("Đã xác nhận hồ sơ trực tuyến %(code)s.", code=d.code))
    return redirect(request.form.get("next") == "home" and url_for("officer.home")
                    or url_for("officer.dossier", code=d.code))


def _print_context(d, fmt_default: str = "a5") -> dict:
    fmt = request.args.get("format", fmt_default)
    if fmt not in PRINT_FORMATS:
        fmt = fmt_default
    url = status_url(d.public_code)
    return {
        "d": d,
        "fmt": fmt,
        "formats": PRINT_FORMATS,
        "contact": contact_officer(d),
        "commune": office_name(d.office, current_lang()),
        "qr": qr_svg(url),
        "qr_url": url,
    }


@bp.route("/dossiers/<code>/papers/<int:event_id>")
@any_role
def paper(code: str, event_id: int):
    """One paper as issued: request for more papers, refusal or apology."""
    d = _get_dossier(code)
    event = next((e for e in d.events if e.id == event_id), None)
    if event is None or event.kind not in ("supplement", "refusal", "apology"):
        abort(404)
    return render_template("officer/dossiers/paper.html", e=event, data=event.data or {},
                           **_print_context(d))


@bp.route("/dossiers/<code>/control")
@any_role
def control_sheet(code: str):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: every step, by whom, on time or not."""
    d = _get_dossier(code)
    return render_template("officer/dossiers/control.html", today=_today(),
                           **_print_context(d, "a4"))
