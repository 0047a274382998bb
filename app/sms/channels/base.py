"""The small interface every SMS channel implements.

The rest of the app (worker, webhooks, try-it page) talks only to this interface; only
``twilio_channel.py`` imports ``twilio`` and only ``android_channel.py`` imports the Android
gateway client, so a provider can be swapped without touching domain code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class ChannelError(Exception):
    """A send failed. ``code`` is the provider's error code when it gave one.

    ``maybe_sent`` says the request may have reached the provider and been accepted although
    we got no answer (a read timeout, a dropped connection, a 5xx from a proxy): the outcome is
    unknown, so the worker asks :meth:`Channel.find_sent` before it tries again.
    """

    def __init__(self, message: str, code: str | None = None, *, maybe_sent: bool = False):
        super().__init__(message)
        self.code = code
        self.maybe_sent = maybe_sent


class TemporaryError(ChannelError):
    """Worth retrying later: timeouts, 429/5xx, throttling (Twilio 63018), gateway offline."""


class PermanentError(ChannelError):
    """Never retry: invalid number (21211), not mobile (21614), opted out (21610)."""


@dataclass(frozen=True)
class SendResult:
    provider_id: str  # e.g. Twilio's MessageSid "SM…", the gateway's message id
    status: str  # provider's status right after the call: "queued", "sent", "accepted"…


@dataclass(frozen=True)
class SentLookup:
    """What :meth:`Channel.find_sent` looks for: a text to ``to`` with exactly ``body`` that the
    provider accepted at or after ``since`` (naive UTC; the caller has already widened it by a
    clock-skew margin), whose provider id is not in ``exclude`` (ids already recorded on other
    rows: two identical texts to one phone are two texts, not one)."""

    to: str
    body: str
    since: datetime
    exclude: frozenset[str] = field(default_factory=frozenset)


class Channel:
    """Sends one text. Implementations must be safe to construct per worker process."""

    name: str = "base"

    def find_sent(self, lookup: SentLookup) -> SendResult | None:
        """Did the provider already accept this text (an earlier attempt whose outcome we never
        learnt)? Return its id and current status, or None: not found — or, as here by
        default, a channel that cannot tell, in which case the worker sends (at least once).

        Must raise :class:`TemporaryError` when the provider cannot be asked: the worker then
        retries later rather than send blind.
        """
        return None

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Send ``body`` (already GSM-7 sanitised) to ``to`` (E.164). Raise TemporaryError or
        PermanentError on failure; never swallow an error."""
        raise NotImplementedError
