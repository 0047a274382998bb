"""The small interface every SMS channel implements, and the words it answers in.

The rest of the app (worker, webhooks, try-it page) talks only to this interface; only
``twilio_channel.py`` imports ``twilio`` and only ``android_channel.py`` imports the Android
gateway client, so a provider can be swapped without touching domain code.

A provider speaks its own language (Twilio error 21610, HTTP 429, the gateway's "Pending").
Each channel translates it into the meanings below before anything leaves the channel module:
an error says *why* (:class:`PermanentReason`, :class:`TemporaryReason`) and a looked-up text
says *where it is* (:class:`Delivery`). The worker decides on those meanings alone, so it holds
no provider's codes; ``code`` is kept on errors only so that a person reading ``last_error``
or a log can look the provider's own code up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

#: Seconds one provider call may take. The worker's claim lease must be well above it (see
#: docs/SMS_WORKER.md), so keep it short.
DEFAULT_SEND_TIMEOUT = 10.0


class ChannelConfigError(RuntimeError):
    """The chosen channel is unknown or not configured: an operator must fix a setting."""


class PermanentReason(StrEnum):
    """Why a provider refused a text for good (the same request would be refused again)."""

    #: The recipient told the provider STOP: the phone must get no more texts from us.
    OPTED_OUT = "opted_out"
    #: Not a valid phone number.
    INVALID_NUMBER = "invalid_number"
    #: A landline or another number that cannot receive SMS.
    NOT_MOBILE = "not_mobile"
    #: This sender cannot reach this number (route or country not enabled on the account).
    UNROUTABLE = "unroutable"
    #: Our credentials were refused: an operator must fix a setting.
    UNAUTHORIZED = "unauthorized"
    #: Refused for another reason, or one the channel does not know.
    REJECTED = "rejected"


class TemporaryReason(StrEnum):
    """Why a text did not go now although a later try may succeed."""

    #: The provider said "slow down": the rest of the batch waits too.
    THROTTLED = "throttled"
    #: The channel paces itself (a phone's send rate): nothing reached the provider, no attempt
    #: is used, and ``retry_after`` says when the next slot is free.
    PACED = "paced"
    #: The provider could not be reached or answered with a server error.
    UNAVAILABLE = "unavailable"
    #: The provider did not answer in time.
    TIMEOUT = "timeout"


class Delivery(StrEnum):
    """Where a text the provider accepted is now, in our words."""

    #: Accepted, queued or on its way: not final yet.
    SENT = "sent"
    #: The carrier reported it delivered (in Vietnam: probably delivered, docs/DESIGN.md).
    DELIVERED = "delivered"
    #: It will not arrive.
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self is not Delivery.SENT


class ChannelError(Exception):
    """A provider call failed. ``code`` is the provider's own error code when it gave one, for
    people reading logs; programs decide on ``reason`` (see the subclasses).

    ``maybe_sent`` says the request may have reached the provider and been accepted although
    we got no answer (a read timeout, a dropped connection, a 5xx from a proxy): the outcome is
    unknown, so the worker asks :meth:`Channel.find_sent` before it tries again.
    """

    reason: PermanentReason | TemporaryReason

    def __init__(self, message: str, code: str | None = None, *,
                 maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.maybe_sent = maybe_sent


class TemporaryError(ChannelError):
    """Worth retrying later: the provider throttled us, could not be reached, timed out, or the
    channel is pacing itself. ``retry_after`` (seconds), when set, says when to try again."""

    def __init__(self, message: str, reason: TemporaryReason | str = TemporaryReason.UNAVAILABLE,
                 *, code: str | None = None, maybe_sent: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message, code, maybe_sent=maybe_sent)
        self.reason = TemporaryReason(reason)  # an unknown word fails here, not in the worker
        self.retry_after = retry_after


class PermanentError(ChannelError):
    """Never retry: the recipient opted out, the number is invalid or not a mobile, the sender
    cannot reach it, our credentials were refused, or the provider refused the text."""

    def __init__(self, message: str, reason: PermanentReason | str = PermanentReason.REJECTED,
                 *, code: str | None = None) -> None:
        super().__init__(message, code)
        self.reason = PermanentReason(reason)


@dataclass(frozen=True)
class SendResult:
    provider_id: str  # e.g. Twilio's MessageSid "SM…", the gateway's message id
    status: str  # provider's status word right after the call: "queued", "sent", "pending"…
    #: The same status in our words; a lookup (:meth:`Channel.find_sent`) may find a text the
    #: provider already reports delivered or failed.
    delivery: Delivery = Delivery.SENT


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
    #: The path of this app's webhook that takes the provider's delivery reports for a text,
    #: when the provider wants it with every send (Twilio's ``StatusCallback``); the worker
    #: prefixes ``PUBLIC_BASE_URL``. None: the provider reports some other way, or not at all.
    status_callback_path: str | None = None

    def find_sent(self, lookup: SentLookup) -> SendResult | None:
        """The reconcile step: did the provider already accept this text (an earlier attempt
        whose outcome we never learnt)? Return its id, the provider's status word and, in
        ``delivery``, whether that status is already final (delivered, failed) — or None: not
        found, or, as here by default, a channel that cannot tell, in which case the worker
        sends (at least once).

        Must raise :class:`TemporaryError` when the provider cannot be asked: the worker then
        retries later rather than send blind.
        """
        return None

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Send ``body`` (already GSM-7 sanitised) to ``to`` (E.164). Raise TemporaryError or
        PermanentError, each with its reason, on failure; never swallow an error."""
        raise NotImplementedError
