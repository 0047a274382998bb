"""The small interface every SMS channel implements.

The rest of the app (worker, webhooks, try-it page) talks only to this interface; only
``twilio_channel.py`` imports ``twilio`` and only ``android_channel.py`` imports the Android
gateway client, so a provider can be swapped without touching domain code.
"""

from __future__ import annotations

from dataclasses import dataclass


class ChannelError(Exception):
    """A send failed. ``code`` is the provider's error code when it gave one."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class TemporaryError(ChannelError):
    """Worth retrying later: timeouts, 429/5xx, throttling (Twilio 63018), gateway offline."""


class PermanentError(ChannelError):
    """Never retry: invalid number (21211), not mobile (21614), opted out (21610)."""


@dataclass(frozen=True)
class SendResult:
    provider_id: str  # e.g. Twilio's MessageSid "SM…", the gateway's message id
    status: str  # provider's status right after the call: "queued", "sent", "accepted"…


class Channel:
    """Sends one text. Implementations must be safe to construct per worker process."""

    name: str = "base"

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Send ``body`` (already GSM-7 sanitised) to ``to`` (E.164). Raise TemporaryError or
        PermanentError on failure; never swallow an error."""
        raise NotImplementedError
