"""Officers' SMS inbox: one thread per phone, replies through the outbox, flagged texts
marked handled. Everyone signed in reads; admin and officers write."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import any_role, writer_required
from app.extensions import db, limiter
from app.models import Message
from app.officer import bp
from app.officer.forms import ReplyForm
from app.pagination import parse_page
from app.phones import normalise_phone
from app.sms import inbox as sms_inbox

# A phone in the URL is what Message.phone holds: E.164, or a provider's sender id.
_PHONE_RE = re.compile(r"\+?[A-Za-z0-9]{1,20}")


@bp.context_processor
def _inbox_panel() -> dict:
    # A callable, so only pages that show the panel pay for the query.
    return {"sms_flagged_count": lambda: sms_inbox.flagged_count(current_user.office_id)}


def _phone(phone: str) -> str:
    """The thread's key: E.164 for a phone number however it was typed (``0912…`` and
    ``+84912…`` are one thread, one STOP), a provider's sender id as it is."""
    if not _PHONE_RE.fullmatch(phone):
        abort(404)
    return normalise_phone(phone) or phone


@bp.route("/inbox")
@any_role
def inbox():
    page = sms_inbox.threads(current_user.office_id, parse_page(request.args.get("page")))
    return render_template("officer/inbox/list.html", page=page)


def _thread_page(phone: str, form: ReplyForm, status: int = 200, error: str | None = None):
    messages = sms_inbox.thread(current_user.office_id, phone)
    if not messages:
        abort(404)
    draft = sms_inbox.preview(form.body.data or "") if form.body.data else None
    return render_template(
        "officer/inbox/thread.html", phone=phone, messages=messages, form=form, error=error,
        draft=draft, can_write=current_user.can_write(),
        reply_max=sms_inbox.REPLY_SEGMENTS,
    ), status


@bp.route("/inbox/<phone>")
@any_role
def inbox_thread(phone: str):
    return _thread_page(_phone(phone), ReplyForm(formdata=None))


@bp.route("/inbox/<phone>/reply", methods=["POST"])
@writer_required
@limiter.limit("60/hour")
def inbox_reply(phone: str):
    phone = _phone(phone)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _thread_page(phone, form, 400)
    try:
        message = sms_inbox.officer_reply(current_user.office_id, phone, form.body.data,
                                          current_user._get_current_object())
    except sms_inbox.NoThread:
        return render_template("errors/error.html", code=404, kind="no_thread"), 404
    except sms_inbox.InboxError as err:
        return _thread_page(phone, form, 400, str(err))
    flash(_("Đã xếp tin trả lời vào hàng gửi (%(n)d phần tin).", n=message.segments))
    return redirect(url_for("officer.inbox_thread", phone=phone))


@bp.route("/inbox/<phone>/handled/<int:message_id>", methods=["POST"])
@writer_required
def inbox_handled(phone: str, message_id: int):
    phone = _phone(phone)
    message = db.session.get(Message, message_id)
    if message is None or message.office_id != current_user.office_id or message.phone != phone:
        abort(404)
    try:
        sms_inbox.mark_handled(message, current_user._get_current_object())
    except sms_inbox.InboxError as err:
        return _thread_page(phone, ReplyForm(formdata=None), 400, str(err))
    flash(_("Đã đánh dấu đã xử lý."))
    return redirect(url_for("officer.inbox_thread", phone=phone))
