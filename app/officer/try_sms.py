""""Try it without a phone": send a text as any phone number and see the reply the real inbound
path would give (the same commands, ``app.sms.inbound.simulate_inbound``), its GSM-7 form and
its segments.

For admin and officers; for anyone when ``SMS_TRY_PAGE_PUBLIC`` is on (the development
default), except in production: the page shows full dossier details to whoever types the
dossier's phone number, which is fine on a developer's laptop and nowhere else.

A sandbox (issue 12, item 6): it writes no message, feedback, rating, subscription, inbox
thread or counter and queues nothing, so an officer cannot forge a citizen's rating and the
dashboard's "texts sent" stays true. What a text changes for the next one (HUY, EN) is kept in
this browser's session, per phone, like the list of recent tries.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth import writer_required
from app.extensions import limiter
from app.officer import bp
from app.officer.forms import TrySmsForm
from app.sms.gsm import count_segments
from app.sms.inbound import simulate_inbound
from app.web import current_office

SESSION_KEY = "try_sms_tries"
STATE_KEY = "try_sms_state"  # phone → [lang, opted_out]: the sandbox's memory of HUY and EN
PHONE_KEY = "try_sms_phone"
KEEP = 5  # the last texts this browser tried, shown under the form (the session is a cookie)
TEXT_KEPT = 160  # of each tried text, for its heading


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

    # Who may use it when the page is not public (what the officer roles matrix checks).
    wrapped.required_roles = guarded.required_roles  # type: ignore[attr-defined]
    return wrapped


def _office():
    # The signed-in officer's commune; the public page (and province staff, who have none) try
    # the public office's.
    signed_in = current_user.is_authenticated and current_user.office_id is not None
    office = current_user.office if signed_in else current_office()
    if office is None:
        abort(503)
    return office


def _tried() -> list[dict]:
    """This browser's recent tries, newest first (kept in its session: no one sees another's)."""
    tries = [t for t in session.get(SESSION_KEY, []) if isinstance(t, dict)]
    return [
        {**t, "info": count_segments(t["reply"]) if t.get("reply") else None}
        for t in reversed(tries)
    ]


def _try(office, phone: str, text: str) -> None:
    states = dict(session.get(STATE_KEY) or {})
    lang, opted_out = states.pop(phone, None) or ("vi", False)
    result = simulate_inbound(office, phone, text, lang=lang, opted_out=opted_out)
    states[phone] = [result.lang, result.opted_out]
    session[STATE_KEY] = dict(list(states.items())[-KEEP:])
    tried = {"phone": phone, "text": text[:TEXT_KEPT], "kind": result.command.name,
             "flag": result.flag, "reply": result.body}
    session[SESSION_KEY] = ([*session.get(SESSION_KEY, []), tried])[-KEEP:]


@bp.route("/try-sms", methods=["GET", "POST"])
@_try_access
@limiter.limit("60/hour", methods=["POST"])
def try_sms():
    office = _office()
    form = TrySmsForm()
    if request.method == "GET" and not form.phone.data:
        form.phone.data = session.get(PHONE_KEY) or "0912 345 678"
    if form.validate_on_submit():
        _try(office, form.phone.e164, form.text.data)
        session[PHONE_KEY] = form.phone.data.strip()[:30]
        return redirect(url_for("officer.try_sms"))
    status = 400 if form.errors else 200
    return render_template("officer/try_sms.html", form=form, tried=_tried(),
                           public=is_public()), status
