"""Pick the SMS channel a message goes out on, from the app's configuration.

``get_channel()`` is the one place that turns settings into a :class:`Channel`, so the worker,
the try-it page and the inbox never read ``TWILIO_*`` themselves. Channels are built by
factories in :data:`FACTORIES`; a new channel (the Android gateway) registers one with
:func:`register_channel` and needs no change here or in the worker.

Which channel: an explicit ``name`` wins, else the office's ``sms_channel`` ("" means the app
default), else ``SMS_CHANNEL`` (``console`` when unset, so a developer never texts a citizen by
accident).

Whose settings (issue 13): a commune with its own SMS settings (``Office.sms_settings``,
encrypted, see :mod:`app.sms.office_settings`) gets a channel built from the app config with
those settings laid over it (:func:`office_config`): its gateway, its Twilio sender. A commune
without them uses the app-wide ``ANDROID_*`` / ``TWILIO_*``.
"""

from __future__ import annotations

import threading
from collections import ChainMap
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app

from app.sms.channels.android_channel import from_config as android_from_config
from app.sms.channels.base import (
    DEFAULT_SEND_TIMEOUT,
    Channel,
    ChannelConfigError,
    ChannelError,
    Delivery,
    PermanentError,
    PermanentReason,
    SendResult,
    SentLookup,
    TemporaryError,
    TemporaryReason,
)
from app.sms.channels.console import ConsoleChannel
from app.sms.channels.twilio_channel import TwilioChannel
from app.sms.office_settings import UnreadableSettings, config_overrides, decrypt

__all__ = [
    "DEFAULT_SEND_TIMEOUT",
    "Channel",
    "ChannelConfigError",
    "ChannelError",
    "Delivery",
    "FACTORIES",
    "PermanentError",
    "PermanentReason",
    "SendResult",
    "SentLookup",
    "TemporaryError",
    "TemporaryReason",
    "channel_name_for",
    "get_channel",
    "office_config",
    "office_sms_settings",
    "register_channel",
]

DEFAULT_CHANNEL = "console"

ChannelFactory = Callable[[Mapping[str, Any]], Channel]


def _console(config: Mapping[str, Any]) -> Channel:
    return ConsoleChannel()


def _twilio(config: Mapping[str, Any]) -> Channel:
    missing = [key for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not config.get(key)]
    if not config.get("TWILIO_FROM") and not config.get("TWILIO_MESSAGING_SERVICE_SID"):
        missing.append("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
    if missing:
        raise ChannelConfigError(
            "SMS channel 'twilio' is chosen but not configured: set " + ", ".join(missing)
        )
    return TwilioChannel(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_AUTH_TOKEN"],
        from_=config.get("TWILIO_FROM") or None,
        messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID") or None,
        api_base_url=config.get("TWILIO_API_BASE_URL") or None,
        timeout=float(config.get("TWILIO_TIMEOUT") or DEFAULT_SEND_TIMEOUT),
    )


def _android(config: Mapping[str, Any]) -> Channel:
    return android_from_config(config)


#: name → factory(config) -> Channel.
FACTORIES: dict[str, ChannelFactory] = {"console": _console, "twilio": _twilio, "android": _android}


def register_channel(name: str, factory: ChannelFactory) -> None:
    """Make ``name`` selectable by ``SMS_CHANNEL`` / ``Office.sms_channel``."""
    FACTORIES[name] = factory


def channel_name_for(name: str | None = None, office: Any = None) -> str:
    """The channel name that applies: ``name``, else the office's choice, else the default."""
    if name:
        return name
    office_choice = getattr(office, "sms_channel", "") if office is not None else ""
    return office_choice or current_app.config.get("SMS_CHANNEL") or DEFAULT_CHANNEL


_decrypted: dict[tuple[str, str], dict[str, str]] = {}
_decrypted_lock = threading.Lock()
_DECRYPTED_MAX = 1024


def office_sms_settings(office: Any) -> dict[str, str]:
    """The office's own SMS settings, decrypted (``{}`` when it has none).

    Kept per (key, token) in this process: a new token (settings saved on any worker) is a new
    entry, so nothing needs clearing when settings change. Raises ChannelConfigError when the
    token does not open with ``SETTINGS_ENCRYPTION_KEY`` (the key was changed).
    """
    token = (getattr(office, "sms_settings", "") or "") if office is not None else ""
    if not token:
        return {}
    key = current_app.config.get("SETTINGS_ENCRYPTION_KEY") or ""
    with _decrypted_lock:
        found = _decrypted.get((key, token))
    if found is None:
        try:
            found = decrypt(token, key)
        except UnreadableSettings as exc:
            code = getattr(office, "code", "?")
            raise ChannelConfigError(
                f"the SMS settings of office {code} cannot be read with SETTINGS_ENCRYPTION_KEY "
                "(was the key changed?): enter them again on the SMS settings page") from exc
        with _decrypted_lock:
            if len(_decrypted) >= _DECRYPTED_MAX:
                _decrypted.clear()
            _decrypted[(key, token)] = found
    return dict(found)


def office_config(office: Any = None) -> Mapping[str, Any]:
    """The app config as the office's channel sees it: its own settings over the app-wide ones."""
    overrides = config_overrides(office_sms_settings(office)) if office is not None else {}
    if not overrides:
        return current_app.config
    return ChainMap(overrides, current_app.config)


def get_channel(name: str | None = None, office: Any = None) -> Channel:
    """Build the channel for ``name`` / ``office`` from the current app's config.

    Raises :class:`ChannelConfigError` for an unknown name or a channel whose settings are
    missing, with the names of the settings to set. With an office that has its own SMS
    settings, the channel uses them (:func:`office_config`).
    """
    chosen = channel_name_for(name, office)
    factory = FACTORIES.get(chosen)
    if factory is None:
        known = ", ".join(sorted(FACTORIES))
        raise ChannelConfigError(f"unknown SMS channel {chosen!r} (known: {known})")
    return factory(office_config(office))
