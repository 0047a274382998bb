""""Send this guide to my phone": a small page of its own, linked from the guide.

The form lives on its own page, not on the guide, on purpose: a CSRF token on the guide would
give every reader a session cookie and a page that changes on every visit, so 2G repeat visits
could no longer be answered with a 304. The guide text is queued in the
outbox (kind ``guide``) and sent by the worker; the page never calls a provider.

Abuse is the risk: a stranger could use the form to text someone else's phone. So: at most
3 texts a day to one phone and 10 requests an hour from one address (Flask-Limiter), one text
per phone, guide and day (the outbox's dedupe key), never to a phone that said STOP, only to
Vietnamese mobile numbers, and within the commune's daily budget (app/sms/public_budget.py).
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.citizen import bp
from app.citizen import services as svc
from app.clock import office_today
from app.extensions import limiter
from app.phones import normalise_phone
from app.sms.guide import GuideRefused, send_guide
from app.sms.outbox import phone_lang
from app.web import current_lang, current_office

PHONE_TYPED_MAX = 30


def _typed_phone() -> str:
    return (request.form.get("phone") or "")[:PHONE_TYPED_MAX]


def _phone_key() -> str:
    return "guide-phone:" + (normalise_phone(_typed_phone()) or "-")


def _form_page(procedure, typed: str, error: str, status: int):
    return render_template(
        "citizen/send_guide.html",
        procedure=procedure,
        content=procedure.content(current_lang()),
        send_phone=typed,
        send_error=error,
    ), status


@bp.route("/procedures/<slug>/sms", methods=["GET", "POST"], endpoint="send_guide")
@limiter.limit("10/hour", methods=["POST"])
@limiter.limit("3/day", key_func=_phone_key, methods=["POST"],
               exempt_when=lambda: normalise_phone(_typed_phone()) is None)
def send_guide_sms(slug: str):
    office = current_office()
    if office is None:
        abort(503)
    if len(slug) > 80 or not re.fullmatch(r"[a-z0-9-]+", slug):
        abort(404)
    procedure = svc.get_procedure(office, slug)
    if procedure is None:
        abort(404)
    if request.method == "GET":
        return _form_page(procedure, "", "", 200)
    typed = _typed_phone()
    phone = normalise_phone(typed)
    if phone is None:
        message = (_("Nhập số điện thoại để nhận tin.") if not typed.strip()
                   else _("Số điện thoại không đúng. Ví dụ: 0912 345 678."))
        return _form_page(procedure, typed, message, 400)
    lang = phone_lang(phone, current_lang())
    try:
        sent = send_guide(office, procedure, phone, lang, office_today(office))
    except GuideRefused as err:
        return _form_page(procedure, typed, str(err), err.status)
    if sent:
        flash(_("Đã gửi hướng dẫn tới số %(phone)s. Tin nhắn sẽ đến trong ít phút.",
                phone=typed.strip()))
    else:
        flash(_("Hướng dẫn này đã được gửi tới số %(phone)s hôm nay.", phone=typed.strip()))
    return redirect(url_for("citizen.guide", slug=procedure.slug))
