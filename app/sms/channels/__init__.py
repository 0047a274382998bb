"""Pick the SMS channel a message goes out on, from the app's configuration.

``get_channel()`` is the one place that turns settings into a :class:`Channel`, so the worker,
the try-it page and the inbox never read ``TWILIO_*`` themselves. Channels are built by
factories in :data:`FACTORIES`; a new channel (the Android gateway) registers one with
:func:`register_channel` and needs no change here or in the worker.

Which channel: an explicit ``name`` wins, else the office's ``sms_channel`` ("" means the app
default), else ``SMS_CHANNEL`` (``console`` when unset, so a developer never texts a citizen by
accident).
"""

from __future__ import annotations

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


def get_channel(name: str | None = None, office: Any = None) -> Channel:
    """Build the channel for ``name`` / ``office`` from the current app's config.

    Raises :class:`ChannelConfigError` for an unknown name or a channel whose settings are
    missing, with the names of the settings to set.
    """
    chosen = channel_name_for(name, office)
    factory = FACTORIES.get(chosen)
    if factory is None:
        known = ", ".join(sorted(FACTORIES))
        raise ChannelConfigError(f"unknown SMS channel {chosen!r} (known: {known})")
    return factory(current_app.config)
