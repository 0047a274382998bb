"""A commune's own SMS settings (issue 13): kept encrypted at rest, never shown back in full.

Pure: no database, no request. The caller passes the key (``SETTINGS_ENCRYPTION_KEY`` from
app.config) and stores the token in ``Office.sms_settings``.

* :func:`encrypt` / :func:`decrypt`: a dict of the :data:`FIELDS` ↔ a Fernet token
  (AES-128-CBC + HMAC-SHA256, with a timestamp), so a database dump or backup does not hold
  the gateway password or the webhook signing key in clear.
* :func:`mask`: ``"••••1234"`` — enough for an admin to recognise a value, not to reuse it.
* :func:`merge`: what the form sent over what is stored; an empty secret keeps the stored one.
* :func:`config_overrides`: the settings as the ``ANDROID_*`` / ``TWILIO_*`` keys the channel
  factories read. The Android block is all or nothing: an office with its own gateway URL
  never gets the app-wide password sent to that URL.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken

#: Every field, in form order.
FIELDS = (
    "android_url",
    "android_user",
    "android_password",
    "android_signing_key",
    "twilio_from",
    "twilio_messaging_service_sid",
)
#: Fields never shown back in full; an empty value on save keeps the stored one.
SECRET_FIELDS = frozenset({"android_password", "android_signing_key"})
MASK = "••••"


class UnreadableSettings(ValueError):
    """The stored token does not open with this key (the key changed, or the text is damaged)."""


def fernet_for(key: str) -> Fernet:
    """A Fernet for ``key``: any long random string (its SHA-256 makes the 32-byte key)."""
    if not key:
        raise ValueError("no settings encryption key")
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def clean(settings: Mapping[str, object]) -> dict[str, str]:
    """Only the known fields, as stripped strings; empty ones left out."""
    out = {}
    for name in FIELDS:
        value = str(settings.get(name) or "").strip()
        if value:
            out[name] = value
    return out


def encrypt(settings: Mapping[str, object], key: str) -> str:
    """The token to store; ``""`` when nothing is set (the office uses the app-wide settings)."""
    data = clean(settings)
    if not data:
        return ""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return fernet_for(key).encrypt(raw).decode("ascii")


def decrypt(token: str, key: str) -> dict[str, str]:
    """The settings in ``token`` (``{}`` for an empty token). Raises UnreadableSettings."""
    if not token:
        return {}
    try:
        raw = fernet_for(key).decrypt(token.encode("ascii"))
        data = json.loads(raw)
    except (InvalidToken, ValueError, UnicodeError) as exc:
        raise UnreadableSettings("the stored SMS settings cannot be read with this key") from exc
    if not isinstance(data, dict):
        raise UnreadableSettings("the stored SMS settings are not an object")
    return clean(data)


def mask(value: str | None) -> str:
    """``"••••1234"``: the last four characters of a long secret, nothing of a short one."""
    if not value:
        return ""
    return MASK + (value[-4:] if len(value) >= 12 else "")


def masked(settings: Mapping[str, str]) -> dict[str, str]:
    """What a page may show: plain fields as they are, secrets masked."""
    return {name: (mask(settings.get(name)) if name in SECRET_FIELDS else settings.get(name, ""))
            for name in FIELDS}


def merge(stored: Mapping[str, str], submitted: Mapping[str, object],
          clear: frozenset[str] | set[str] = frozenset()) -> dict[str, str]:
    """The settings to save: ``submitted`` over ``stored``; an empty secret keeps the stored
    value unless its name is in ``clear`` (the "remove" box beside it)."""
    out = {}
    for name in FIELDS:
        value = str(submitted.get(name) or "").strip()
        if name in SECRET_FIELDS and not value and name not in clear:
            value = stored.get(name, "")
        if value:
            out[name] = value
    return out


def config_overrides(settings: Mapping[str, str]) -> dict[str, str]:
    """The ``ANDROID_*`` / ``TWILIO_*`` settings this office replaces (the rest stay app-wide).

    With its own ``android_url`` the office's gateway URL, user and password replace the
    app-wide ones together. Its signing key replaces the app-wide one on its own. A Twilio
    sender (number or messaging service) replaces both of the app-wide ones; the account
    (SID, auth token) stays the deployment's.
    """
    out: dict[str, str] = {}
    if settings.get("android_url"):
        out["ANDROID_GATEWAY_URL"] = settings["android_url"].rstrip("/")
        out["ANDROID_GATEWAY_USER"] = settings.get("android_user", "")
        out["ANDROID_GATEWAY_PASSWORD"] = settings.get("android_password", "")
    if settings.get("android_signing_key"):
        out["ANDROID_WEBHOOK_SIGNING_KEY"] = settings["android_signing_key"]
    if settings.get("twilio_from") or settings.get("twilio_messaging_service_sid"):
        out["TWILIO_FROM"] = settings.get("twilio_from", "")
        out["TWILIO_MESSAGING_SERVICE_SID"] = settings.get("twilio_messaging_service_sid", "")
    return out
