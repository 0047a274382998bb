"""The Android gateway's webhook: ``POST /sms/android`` (every event: received, sent,
delivered, failed, ping).

Exempt from CSRF (the phone holds no session) and protected instead by the gateway's signature:
``X-Signature`` = hex HMAC-SHA256 of the raw body followed by ``X-Timestamp``, keyed with
the commune's own signing key (its SMS settings, issue 13) or else ``ANDROID_WEBHOOK_SIGNING_KEY``
(:func:`app.sms.android.check_signature`: one commune's key cannot post as another). A request that is unsigned, wrongly signed or more than five
minutes off gets 403 before its body is parsed, and nothing changes — not even "last seen".
The signature covers only the body, so the ``?office=`` query a registration adds is a routing
hint, not a secret; an attacker would need a fresh signed body to use it at all.

The phone retries a webhook that does not get a 2xx within 30 s (10 s, 20 s, 40 s… for about
two days), so the handler answers quickly and is idempotent: the same text is stored once.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import abort, jsonify, request
from flask_login import current_user

from app.clock import unix_time
from app.extensions import csrf, db
from app.hygiene import scrub
from app.models import Office
from app.sms.android import (
    BadEvent,
    apply_event,
    check_signature,
    office_for,
    own_signing_key,
    panel,
)
from app.sms.channels.android_channel import SIGNATURE_HEADER, TIMESTAMP_HEADER
from app.sms.webhooks import bp

logger = logging.getLogger(__name__)


def _refused(reason: str):
    # A clear 400 the gateway's log shows; the phone does not retry a 4xx.
    return jsonify(ok=False, error=reason), 400


def scrub_json(value: Any) -> Any:
    """Every string in a decoded JSON value (keys too) made storable by ``scrub``: JSON may
    carry a lone surrogate (``\\ud800``) that UTF-8, and so the database, cannot hold — the
    text is kept with U+FFFD in its place rather than lost while the phone retries."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_json(item) for item in value]
    if isinstance(value, dict):
        return {scrub(str(k)): scrub_json(v) for k, v in value.items()}
    return value


@bp.route("/android", methods=["POST"])
@csrf.exempt
def android_webhook():
    raw = request.get_data(cache=True)
    signed = check_signature(
        raw,
        request.headers.get(TIMESTAMP_HEADER),
        request.headers.get(SIGNATURE_HEADER),
        request.args.get("office"),
        unix_time(),
    )
    if signed is None:
        logger.warning("Android webhook with a missing, bad or stale signature from %s",
                       request.remote_addr)
        abort(403)
    try:
        envelope = scrub_json(json.loads(raw))
    except (ValueError, UnicodeDecodeError):
        return _refused("the body is not JSON")
    except RecursionError:  # a signed body nested a thousand deep: no event looks like that
        return _refused("the JSON is nested too deeply")
    if not isinstance(envelope, dict):
        return _refused("the body is not a JSON object")
    payload = envelope.get("payload") if isinstance(envelope.get("payload"), dict) else {}
    office = signed.office
    if office is None:
        office = office_for(request.args.get("office"), payload.get("recipient"))
        if office is not None and own_signing_key(office) != "":
            # Signed with the app-wide key but routed to a commune that has a key of its own.
            logger.warning("Android webhook for %s not signed with its key", office.code)
            abort(403)
    if office is None:  # no office configured yet: accept so the phone stops retrying
        logger.error("Android event %s dropped: no office in the database", envelope.get("id"))
        return jsonify(ok=True, stored=False)
    try:
        result = apply_event(office, envelope)
    except BadEvent as exc:
        db.session.rollback()
        logger.warning("Android webhook: %s", exc)
        return _refused(str(exc))
    return jsonify(ok=True, event=result.event, duplicate=result.duplicate)


@bp.app_context_processor
def _gateway_panel() -> dict:
    # A callable, so the phone's status is queried only by the page that shows the panel.
    def gateway_panel():
        if not getattr(current_user, "is_authenticated", False):
            return None
        office = db.session.get(Office, current_user.office_id)
        return panel(office) if office is not None else None

    return {"android_gateway_panel": gateway_panel}
