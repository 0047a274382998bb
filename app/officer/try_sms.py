""""Try it without a phone": send a text as any phone number through the real inbound path
(``handle_inbound``, channel ``try``) and see the reply, its GSM-7 form and its segments.

For admin and officers; for anyone when ``SMS_TRY_PAGE_PUBLIC`` is on (the development
default), except in production: the page shows full dossier details to whoever types the
dossier's phone number, which is fine on a developer's laptop and nowhere else.

The text is handled for real (stored, feedback saved, HUY/EN remembered for that number), so a
second text sees the first one's effects, exactly as on a phone. The reply is stored as
already delivered on the ``try`` channel: the outbox worker never texts anyone from this page.
"""

from __future__ import annotations

import uuid
from functools import wraps

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth import writer_required
from app.extensions import db, limiter
from app.models import Message
from app.officer import bp
from app.officer.forms import TrySmsForm
from app.sms.gsm import count_segments
from app.sms.inbound import handle_inbound
from app.web import current_office

SESSION_KEY = "try_sms_ids"
PHONE_KEY = "try_sms_phone"
KEEP = 10  # the last texts this browser tried, shown under the form


def is_public() -> bool:
    config = current_app.config
    return bool(config.get("SMS_TRY_PAGE_PUBLIC")) and config.get("APP_ENV") != "production"


def _try_access(view):
    guarded = writer_required(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if is_public():
            return view(*args, **kwargs)
        return guarded(*args, **kwargs)

    return wrapped


def _office():
    office = current_user.office if current_user.is_authenticated else current_office()
    if office is None:
        abort(503)
    return office


def _tried() -> list[dict]:
    """This browser's recent tries (ids kept in its session, so no one sees another's)."""
    ids = [i for i in session.get(SESSION_KEY, []) if isinstance(i, int)]
    if not ids:
        return []
    inbound = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Message).where(Message.id.in_(ids), Message.channel == "try")
        )
    }
    replies = {
        m.reply_to_id: m
        for m in db.session.scalars(
            sa.select(Message).where(Message.reply_to_id.in_(ids), Message.kind == "reply")
        )
    }
    return [
        {"inbound": inbound[i], "reply": replies.get(i),
         "info": count_segments(replies[i].body) if i in replies else None}
        for i in reversed(ids) if i in inbound
    ]


@bp.route("/try-sms", methods=["GET", "POST"])
@_try_access
@limiter.limit("60/hour", methods=["POST"])
def try_sms():
    office = _office()
    form = TrySmsForm()
    if request.method == "GET" and not form.phone.data:
        form.phone.data = session.get(PHONE_KEY) or "0912 345 678"
    if form.validate_on_submit():
        result = handle_inbound(office, form.phone.e164, form.text.data, "try",
                                f"try-{uuid.uuid4().hex}", reply_sent_by="try")
        ids = [i for i in session.get(SESSION_KEY, []) if i != result.inbound_id]
        session[SESSION_KEY] = (ids + [result.inbound_id])[-KEEP:]
        session[PHONE_KEY] = form.phone.data.strip()[:30]
        return redirect(url_for("officer.try_sms"))
    status = 400 if form.errors else 200
    return render_template("officer/try_sms.html", form=form, tried=_tried(),
                           public=is_public()), status
