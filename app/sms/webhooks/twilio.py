"""Twilio webhooks: inbound texts (``POST /sms/twilio``) and delivery reports
(``POST /sms/twilio/status``).

Both are exempt from CSRF (Twilio cannot hold a session) and are protected instead by
``X-Twilio-Signature``: a request that Twilio did not sign with our auth token gets 403 before
anything is read or stored. The signature covers the URL as Twilio requested it, so behind a
proxy (TLS terminated elsewhere, another host name) the URL is rebuilt from ``PUBLIC_BASE_URL``.

The webhooks only store and queue; they never call a provider. The inbound reply travels back
inside the TwiML answer, so it is stored as already sent on the ``twilio`` channel (provider id
unknown: Twilio creates that message itself) and the outbox worker never sends it a second
time. A retried webhook (same MessageSid) gets the same TwiML again and stores nothing new:
Twilio retries only when it did not get our first answer.

Note: Twilio does not support two-way SMS in Vietnam (docs/DESIGN.md), so this inbound path serves a
number abroad and tests; Vietnamese phones reach us through a local gateway.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Response, abort, current_app, request

from app.extensions import csrf, db
from app.hygiene import scrub
from app.models import Office
from app.phones import normalise_phone
from app.sms.channels import ChannelConfigError, office_sms_settings
from app.sms.channels.twilio_channel import twiml_reply, validate_request
from app.sms.delivery import apply_status
from app.sms.inbound import handle_inbound
from app.sms.webhooks import bp

logger = logging.getLogger(__name__)

BODY_MAX = 1600  # Twilio's own limit for a concatenated text


def signed_url() -> str:
    """The URL Twilio signed: ``PUBLIC_BASE_URL`` + path and query when set, else the request's."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def _require_signature() -> None:
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    signature = request.headers.get("X-Twilio-Signature")
    if not validate_request(token, signed_url(), request.form, signature):
        logger.warning("Twilio webhook with a missing or bad signature from %s", request.remote_addr)
        abort(403)


def office_for_number(to: str) -> Office | None:
    """The office whose SMS number received the text, else the office whose own Twilio sender
    it is (its SMS settings, issue 13), else ``DEFAULT_OFFICE``, else the first."""
    number = normalise_phone(to) or (to or "").strip()
    office = None
    if number:
        office = db.session.scalars(sa.select(Office).where(Office.sms_number == number)).first()
    if office is None and number:
        for candidate in db.session.scalars(
            sa.select(Office).where(Office.sms_settings != "").order_by(Office.id)
        ):
            try:
                sender = office_sms_settings(candidate).get("twilio_from", "")
            except ChannelConfigError:
                continue
            if sender and (normalise_phone(sender) or sender) == number:
                office = candidate
                break
    if office is None:
        office = db.session.scalars(
            sa.select(Office).where(Office.code == current_app.config.get("DEFAULT_OFFICE"))
        ).first()
    return office or db.session.scalars(sa.select(Office).order_by(Office.id)).first()


def _twiml(body: str | None) -> Response:
    return Response(twiml_reply(body), mimetype="application/xml",
                    headers={"Cache-Control": "no-store"})


@bp.route("/twilio", methods=["POST"])
@csrf.exempt
def twilio_inbound():
    _require_signature()
    # Exempt from the NUL guard (app/hygiene.py): a signed text is stored, its junk scrubbed.
    sid = scrub(request.form.get("MessageSid") or request.form.get("SmsSid") or "").strip()
    sender = scrub(request.form.get("From") or "").strip()
    if not sid or not sender or len(sid) > 64:
        abort(400)
    office = office_for_number(scrub(request.form.get("To") or ""))
    if office is None:  # no office configured yet: accept, answer nothing
        logger.error("Inbound SMS %s dropped: no office in the database", sid)
        return _twiml(None)
    phone = normalise_phone(sender) or sender
    text = scrub(request.form.get("Body") or "")[:BODY_MAX]
    result = handle_inbound(office, phone, text, "twilio", sid, reply_sent_by="twilio")
    return _twiml(result.body)


@bp.route("/twilio/status", methods=["POST"])
@csrf.exempt
def twilio_status():
    _require_signature()
    sid = (request.form.get("MessageSid") or request.form.get("SmsSid") or "").strip()
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    apply_status("twilio", sid[:64], status, request.form.get("ErrorCode"))
    return Response("", status=200)
