"""What the SMS replies and notifications say, and how they are kept to one segment.

A status text must fit one GSM-7 segment (160 characters) whatever the procedure's name or the
officer's note; ``render_one_segment`` shortens the free parts (note first, then the procedure
name) instead of letting the carrier split — and bill — a second segment.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale

from app.clock import local_date, office_today
from app.filters import fmt_date, phone_display
from app.models import OPEN_STATUSES, Dossier, DossierEvent, Office
from app.officers import contact_officer
from app.sms.gsm import count_segments, to_gsm7
from app.vocabulary import hours_sms, sms_status_label


def render_sms(template: str, lang: str, **context) -> str:
    """Render ``templates/sms/<template>.txt`` in ``lang`` (not the request's language) and
    make it GSM-7, so a Vietnamese text never falls into UCS-2 (70 chars a segment)."""
    with force_locale(lang):
        text = render_template(f"sms/{template}.txt", lang=lang, **context)
    return to_gsm7(" ".join(text.split()))


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 2)].rsplit(" ", 1)[0]
    return (cut or text[: max(0, limit - 2)]) + ".."


def status_reply_context(
    dossier: Dossier, full: bool, event: DossierEvent | None = None
) -> dict:
    """Everything a status text may show. ``full`` only for the dossier's own phone: the note
    and the officer's name are personal to the applicant's case."""
    office: Office = dossier.office
    event = event or dossier.last_event()
    officer = contact_officer(dossier)
    today = office_today(office)
    data = (event.data if event is not None else None) or {}
    supplement = dossier.last_paper("supplement") if dossier.status == "needs_supplement" else None
    bring_by = ((supplement.data or {}).get("bring_by") if supplement else None)
    return {
        # The date the citizen was last given (an apology's new date), never a past one
        # without saying the dossier is late (``late``).
        "late": dossier.status in OPEN_STATUSES and dossier.current_due < today,
        "apologised": bool(dossier.promised_on and dossier.promised_on >= today
                           and dossier.status in OPEN_STATUSES),
        "by": fmt_date(date.fromisoformat(bring_by)) if bring_by else "",
        "new_due": fmt_date(date.fromisoformat(data["new_date"])) if data.get("new_date") else "",
        "code": dossier.code,
        "status": dossier.status,
        "status_label": sms_status_label(dossier.status),
        "procedure": dossier.procedure.content(dossier.lang).name,
        "due": fmt_date(dossier.current_due),
        "note": (event.note if event else "") if full else "",
        "full": full,
        "officer_name": officer.name.split()[-1] if officer and full else "",
        "officer_phone": phone_display(officer.public_phone) if officer else phone_display(office.phone),
        "office_phone": phone_display(office.phone),
        "sms_number": phone_display(office.sms_number),
        "hours": hours_sms(office),
        "received": fmt_date(local_date(dossier.received_at, office.tz)),
    }


def render_one_segment(template: str, lang: str, context: dict) -> str:
    """Render a status-like template so it fits one segment, shortening note then names."""
    ctx = dict(context)
    body = render_sms(template, lang, **ctx)
    # Last, the procedure's name down to a stub: the code identifies the dossier, and the office
    # hours (up to 47 characters with Saturday) must not be what gets cut.
    steps = (("note", 20), ("procedure", 14), ("note", 0), ("officer_name", 0), ("procedure", 8))
    for key, floor in steps:
        while count_segments(body).segments > 1 and len(ctx.get(key) or "") > floor:
            ctx[key] = _short(ctx[key], max(floor, len(ctx[key]) - 8))
            if floor == 0 and len(ctx[key]) <= 10:
                ctx[key] = ""
            body = render_sms(template, lang, **ctx)
    if count_segments(body).segments > 1:  # pragma: no cover - templates are tested to fit
        current_app.logger.warning("SMS %s over one segment: %r", template, body)
    return body
