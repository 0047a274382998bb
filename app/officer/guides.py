"""Guide editor: every role reads; the admin and the officers in charge of a procedure edit
it (``app.auth.can_edit_guide``); the leader only reads. Preview shows the unsaved guide through
the citizen's own template; saving keeps a version; any version can be restored."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app import guides
from app.auth import any_role, can_edit_guide
from app.extensions import db
from app.models import Procedure, ProcedureVersion
from app.officer import bp
from app.officer.forms import GuideForm

LANG_LABELS = {"vi": "Tiếng Việt", "en": "English"}


def _procedure(slug: str) -> Procedure:
    procedure = db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.office_id == current_user.office_id, Procedure.slug == slug)
        .options(selectinload(Procedure.contents), selectinload(Procedure.officers))
    ).first()
    if procedure is None:
        abort(404)
    return procedure


def _content(procedure: Procedure, lang: str):
    return next((c for c in procedure.contents if c.lang == lang), None)


@bp.route("/guides", endpoint="guides")
@any_role
def guides_list():
    procedures = db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.office_id == current_user.office_id)
        .options(selectinload(Procedure.contents), selectinload(Procedure.officers))
        .order_by(Procedure.position, Procedure.id)
    ).all()
    rows = [
        (p, can_edit_guide(current_user, p), {c.lang: c for c in p.contents}) for p in procedures
    ]
    return render_template(
        "officer/guides/list.html", rows=rows, langs=guides.LANGS, lang_labels=LANG_LABELS
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
@any_role
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
        errors = guides.validate(procedure, lang, draft)
        _attach(form, errors)
        page = guides.render_guide_page(procedure, lang, draft)
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
@any_role
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
