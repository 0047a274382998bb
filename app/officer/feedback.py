"""Feedback inbox: ratings and comments from the web and SMS, with filters; the admin and
officers mark an item handled with a note, the leader reads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import feedback as fb
from app.auth import any_role, writer_required
from app.extensions import db
from app.models import Feedback
from app.officer import bp
from app.pagination import parse_page


def _inbox(
    errors: dict[int, str] | None = None, typed: dict[int, str] | None = None, status: int = 200
):
    args = request.args if request.method == "GET" else request.form
    filters = fb.Filters.from_args(args)
    page = fb.inbox(current_user.office_id, filters, parse_page(args.get("page")))
    return render_template(
        "officer/feedback/inbox.html",
        page=page,
        filters=filters,
        periods=fb.PERIODS,
        errors=errors or {},
        typed=typed or {},
        can_handle=current_user.can_write(),
    ), status


@bp.route("/feedback", endpoint="feedback_inbox")
@any_role
def feedback_inbox():
    return _inbox()


@bp.route("/feedback/<int:item_id>/handle", methods=["POST"])
@writer_required
def feedback_handle(item_id: int):
    item = db.session.get(Feedback, item_id)
    if item is None or item.office_id != current_user.office_id:
        abort(404)
    note = request.form.get("note", "")
    try:
        fb.mark_handled(item, current_user._get_current_object(), note)
    except fb.FeedbackError as err:
        return _inbox({item.id: str(err)}, {item.id: note[: fb.NOTE_MAX * 2]}, status=400)
    flash(_("Đã đánh dấu đã xử lý."))
    filters = fb.Filters.from_args(request.form)
    return redirect(
        url_for(
            "officer.feedback_inbox", page=parse_page(request.form.get("page")), **filters.as_args()
        )
    )
