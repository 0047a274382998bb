"""Guide editor over one province catalogue (issue 13): every role reads; the province admin
edits the facts (``app.auth.can_edit_guide``), which every commune shows at once; a commune's
admin and officers in charge edit only its local part (``app.auth.can_edit_local``). Preview
shows the unsaved guide through the citizen's own template; saving keeps a version; any version
can be restored. The catalogue file: export for anyone signed in, import for the province
admin."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app import catalogue, guides
from app.auth import can_edit_guide, can_edit_local, province_admin_required, roles_required
from app.extensions import db
from app.models import Office, Officer, Procedure, ProcedureVersion
from app.officer import bp
from app.officer.forms import CatalogueApplyForm, CatalogueUploadForm, GuideForm, LocalPartForm

# Every signed-in role reads the catalogue; the province roles have no commune of their own.
any_reader = roles_required("admin", "officer", "leader", "province_admin", "province_leader")

LANG_LABELS = {"vi": "Tiếng Việt", "en": "English"}


def _procedure(slug: str) -> Procedure:
    procedure = db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.slug == slug)
        .options(
            selectinload(Procedure.contents),
            selectinload(Procedure.officers),
            selectinload(Procedure.locals),
        )
    ).first()
    if procedure is None:
        abort(404)
    return procedure


def _content(procedure: Procedure, lang: str):
    return next((c for c in procedure.contents if c.lang == lang), None)


def _office() -> Office | None:
    """The signed-in officer's commune; None for the province roles."""
    if current_user.office_id is None:
        return None
    return db.session.get(Office, current_user.office_id)


@bp.route("/guides", endpoint="guides")
@any_reader
def guides_list():
    procedures = db.session.scalars(
        sa.select(Procedure)
        .options(
            selectinload(Procedure.contents),
            selectinload(Procedure.officers),
            selectinload(Procedure.locals),
        )
        .order_by(Procedure.position, Procedure.id)
    ).all()
    office_id = current_user.office_id
    rows = [
        (
            p,
            can_edit_guide(current_user, p),
            {c.lang: c for c in p.contents},
            p.local(office_id),
            p.officers_in(office_id),
        )
        for p in procedures
    ]
    return render_template(
        "officer/guides/list.html",
        rows=rows,
        langs=guides.LANGS,
        lang_labels=LANG_LABELS,
        commune=office_id is not None,
        province_admin=current_user.role == "province_admin",
    )


def _render_edit(procedure, lang, form, editable, errors=None, status=200):
    return render_template(
        "officer/guides/edit.html",
        procedure=procedure,
        guide_lang=lang,
        form=form,
        editable=editable,
        errors=errors or {},
        versions=guides.history(procedure, lang),
        lang_labels=LANG_LABELS,
        content=_content(procedure, lang),
    ), status


def _attach(form: GuideForm, errors: dict[str, str]) -> None:
    for key, message in errors.items():
        if key in form:
            form[key].errors = [*form[key].errors, message]


@bp.route("/guides/<slug>/<lang>", methods=["GET", "POST"])
@any_reader
def guide_edit(slug: str, lang: str):
    if lang not in guides.LANGS:
        abort(404)
    procedure = _procedure(slug)
    editable = can_edit_guide(current_user, procedure)
    if request.method == "POST" and not editable:
        abort(403)
    form = GuideForm()
    if request.method == "GET":
        form.fill(
            guides.Draft.from_content(
                _content(procedure, lang), procedure.sms_keyword, procedure.to_confirm
            )
        )
        return _render_edit(procedure, lang, form, editable)
    if not form.validate_on_submit():
        return _render_edit(procedure, lang, form, editable, status=400)
    draft = guides.clean(form.draft())
    if request.form.get("action") == "preview":
        office = _office()
        errors = guides.validate(procedure, lang, draft, office)
        _attach(form, errors)
        page = guides.render_guide_page(procedure, lang, draft, office)
        return render_template(
            "officer/guides/preview.html",
            procedure=procedure,
            guide_lang=lang,
            form=form,
            errors=errors,
            guide_html=guides.guide_main(page),
            size=guides.html_size(page),
            budget=guides.HTML_BUDGET,
            lang_labels=LANG_LABELS,
            editable=True,
        ), 400 if errors else 200
    try:
        changed = guides.save(procedure, lang, draft, current_user._get_current_object())
    except guides.GuideError as err:
        _attach(form, err.errors)
        return _render_edit(procedure, lang, form, editable, err.errors, status=400)
    flash(
        _("Đã lưu hướng dẫn. Người dân thấy ngay bản mới.")
        if changed
        else _("Không có gì thay đổi.")
    )
    return redirect(url_for("officer.guide_edit", slug=slug, lang=lang))


@bp.route("/guides/<slug>/<lang>/versions/<int:version_id>/restore", methods=["POST"])
@any_reader
def guide_restore(slug: str, lang: str, version_id: int):
    if lang not in guides.LANGS:
        abort(404)
    procedure = _procedure(slug)
    if not can_edit_guide(current_user, procedure):
        abort(403)
    version = db.session.get(ProcedureVersion, version_id)
    if version is None or version.procedure_id != procedure.id or version.lang != lang:
        abort(404)
    try:
        guides.restore(procedure, lang, version, current_user._get_current_object())
    except guides.GuideError as err:
        flash(_("Không khôi phục được: %(reason)s", reason=str(err)), "error")
    else:
        flash(_("Đã khôi phục bản cũ. Bản đang dùng trước đó được lưu trong lịch sử."))
    return redirect(url_for("officer.guide_edit", slug=slug, lang=lang))


# ----------------------------------------------------------------------------- local part


@bp.route("/guides/<slug>/local", methods=["GET", "POST"])
@roles_required("admin", "officer", "leader")
def guide_local(slug: str):
    """The commune's own part of a province guide: offered here, Saturday, a local note, and
    (the admin only) the officers in charge here."""
    procedure = _procedure(slug)
    office = _office()
    if office is None:
        abort(404)
    editable = can_edit_local(current_user, procedure)
    admin = current_user.role == "admin"
    if request.method == "POST" and not editable:
        abort(403)
    local = guides.local_part(procedure, office)
    form = LocalPartForm()
    staff = list(
        db.session.scalars(
            sa.select(Officer)
            .where(Officer.office_id == office.id, Officer.active)
            .order_by(Officer.name)
        )
    )
    form.officers.choices = [(o.id, o.name) for o in staff]
    status = 200
    if request.method == "GET":
        form.offered.data = local.offered
        form.saturday.data = local.saturday
        form.note.data = local.note
        form.note_en.data = local.note_en
        form.officers.data = [o.id for o in procedure.officers_in(office.id)]
    elif form.validate_on_submit():
        try:
            changed = guides.save_local(
                procedure,
                office,
                current_user._get_current_object(),
                # An officer in charge writes the note and Saturday; what the commune offers
                # and who is in charge stay the admin's.
                offered=form.offered.data if admin else local.offered,
                note=form.note.data or "",
                note_en=form.note_en.data or "",
                saturday=bool(form.saturday.data),
                officer_ids=(form.officers.data or []) if admin else None,
            )
        except guides.GuideError as err:
            _attach(form, err.errors)
            status = 400
        else:
            flash(_("Đã lưu phần riêng của xã.") if changed else _("Không có gì thay đổi."))
            return redirect(url_for("officer.guide_local", slug=slug))
    else:
        status = 400
    return render_template(
        "officer/guides/local.html",
        procedure=procedure,
        content=_content(procedure, "vi"),
        form=form,
        editable=editable,
        admin=admin,
    ), status


# ----------------------------------------------------------------------------- catalogue file


@bp.route("/catalogue/export.json")
@any_reader
def catalogue_export():
    """The province catalogue as a JSON file (facts only: no commune's local part)."""
    return Response(
        catalogue.export_json(),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=catalogue.json"},
    )


@bp.route("/catalogue", methods=["GET", "POST"])
@province_admin_required
def catalogue_import():
    """Step 1 (upload): check the file and show what would change. Step 2 (apply): import the
    checked file in one transaction. A bad file changes nothing and says why."""
    upload = CatalogueUploadForm()
    apply_form = CatalogueApplyForm()
    error = None
    checked = None
    status = 200
    if request.method == "POST" and request.form.get("action") == "apply":
        if apply_form.validate_on_submit():
            try:
                items = catalogue.parse(apply_form.data.data)
                result = catalogue.apply(
                    items, current_user._get_current_object(), offer_all=apply_form.offer_all.data
                )
            except catalogue.CatalogueError as err:
                error, status = str(err), 400
            else:
                flash(
                    _(
                        "Đã nhập danh mục: %(created)d thủ tục mới, %(updated)d thủ tục cập nhật.",
                        created=len(result.created),
                        updated=len(result.updated),
                    )
                )
                return redirect(url_for("officer.catalogue_import"))
        else:
            error, status = _("Phiên làm việc đã hết hạn. Tải tệp lên lại."), 400
    elif request.method == "POST":
        if not upload.validate_on_submit():
            error, status = _("Phiên làm việc đã hết hạn. Tải tệp lên lại."), 400
        elif not upload.file.data:
            error, status = _("Chọn tệp danh mục để tải lên."), 400
        else:
            try:
                items = catalogue.parse(upload.file.data.read())
            except catalogue.CatalogueError as err:
                error, status = str(err), 400
            else:
                checked = catalogue.plan(items)
                apply_form.data.data = catalogue.dumps(items)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Procedure))
    return render_template(
        "officer/guides/catalogue.html",
        upload=upload,
        apply_form=apply_form,
        checked=checked,
        error=error,
        count=count,
    ), status
