"""The Twilio channel, and the only module in the app that imports ``twilio``.

Keeping the SDK behind this one file lets the rest of the app (outbox worker, webhooks, try-it
page) depend on the small :class:`~app.sms.channels.base.Channel` interface and lets a province
swap providers without touching domain code. Webhook views need the SDK's signature check and
TwiML builder too, so thin wrappers for both live here as well (:func:`validate_request`,
:func:`twiml_reply`).

Twilio is used for outbound notifications only: two-way SMS is not supported in Vietnam (see
docs/DESIGN.md, SMS), so inbound commands come through a local channel instead.

``api_base_url`` points the real SDK at a Twilio-compatible server. Tests use it with the local
stand-in in ``tests/support/fakes/twilio_server.py`` so the full SDK path (auth, form encoding, JSON
and error parsing) runs without any request leaving the machine.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse
from urllib3.exceptions import NewConnectionError

from app.sms.channels.base import (
    Channel,
    Delivery,
    PermanentError,
    PermanentReason,
    SendResult,
    SentLookup,
    TemporaryError,
    TemporaryReason,
)

logger = logging.getLogger(__name__)

#: Every Twilio error code we know → what it means for us. A code not listed here is a refusal
#: like the rest when the HTTP status is a 4xx (``rejected``), a server error when it is a 5xx.
ERROR_MEANINGS: dict[int, PermanentReason | TemporaryReason] = {
    21610: PermanentReason.OPTED_OUT,  # the recipient texted STOP; Twilio blocks every later text
    21211: PermanentReason.INVALID_NUMBER,  # invalid 'To' number
    21614: PermanentReason.NOT_MOBILE,  # 'To' is not a mobile number
    21612: PermanentReason.UNROUTABLE,  # cannot route to this number from this sender
    21408: PermanentReason.UNROUTABLE,  # region (geo permission) not enabled on the account
    20003: PermanentReason.UNAUTHORIZED,  # bad credentials
    20429: TemporaryReason.THROTTLED,  # too many requests
    63018: TemporaryReason.THROTTLED,  # rate limit exceeded for the sender
}

#: Twilio's MessageStatus → where the text is, in our words. ``read`` is WhatsApp's;
#: ``canceled`` a scheduled send undone. A word not listed counts as on its way.
DELIVERY_MEANINGS: dict[str, Delivery] = {
    "accepted": Delivery.SENT,
    "scheduled": Delivery.SENT,
    "queued": Delivery.SENT,
    "sending": Delivery.SENT,
    "sent": Delivery.SENT,
    "delivered": Delivery.DELIVERED,
    "read": Delivery.DELIVERED,
    "undelivered": Delivery.FAILED,
    "failed": Delivery.FAILED,
    "canceled": Delivery.FAILED,
}

#: :meth:`TwilioChannel.find_sent` reads at most ``LOOKUP_LIMIT`` of the messages our sender
#: sent to one phone since the day the text was queued, ``LOOKUP_PAGE_SIZE`` a page (each page
#: is one HTTP call, bounded by the timeout). A citizen gets a handful of texts a day; past the
#: limit the lookup stops and answers "not found", so the text is sent.
LOOKUP_PAGE_SIZE = 100
LOOKUP_LIMIT = 300


class _BaseUrlHttpClient(TwilioHttpClient):
    """A TwilioHttpClient that sends every ``*.twilio.com`` request to another base URL.

    The SDK builds absolute ``https://api.twilio.com/...`` URLs (and may add an edge/region to
    the host from TWILIO_EDGE/TWILIO_REGION), so rewriting at the HTTP layer is the one place
    that catches every variant; the path and query are kept as the SDK made them.
    """

    def __init__(self, base_url: str, *, timeout: float | None = None) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def rewrite(self, url: str) -> str:
        """Return ``url`` with a Twilio host replaced by :attr:`base_url`."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host != "twilio.com" and not host.endswith(".twilio.com"):
            return url
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.base_url}{parts.path}{query}"

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        return super().request(
            method,
            self.rewrite(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )


def classify_twilio_error(
    exc: TwilioRestException | TwilioServiceException,
) -> TemporaryError | PermanentError:
    """Turn an error answer from Twilio into the channel's retry decision and its reason.

    Retry: HTTP 429 and throttling codes (``throttled``), any 5xx (``unavailable``). Everything
    else is a 4xx the same request will get again (opted out, bad number, bad credentials…),
    so retrying would only spend money and hide the problem; its reason comes from
    :data:`ERROR_MEANINGS`. Bad credentials (401, code 20003) are permanent on purpose: the
    worker must not burn the retry budget of every queued text on a configuration error; the
    operator fixes the setting and re-queues.
    """
    status = int(exc.status) if exc.status is not None else 0
    code = exc.code if isinstance(exc.code, int) else None
    code_str = str(exc.code) if exc.code is not None else None
    message = f"Twilio {status}" + (f" code {code_str}" if code_str else "")
    detail = getattr(exc, "msg", None) or getattr(exc, "detail", None)
    if detail:
        message = f"{message}: {detail}"
    meaning = ERROR_MEANINGS.get(code) if code is not None else None
    # A 5xx (often from a proxy in front of Twilio: 502, 504) does not prove that the message
    # was not created, so the outcome counts as unknown.
    maybe_sent = status >= 500
    if status == 429 or meaning is TemporaryReason.THROTTLED:
        return TemporaryError(message, TemporaryReason.THROTTLED, code=code_str,
                              maybe_sent=maybe_sent)
    if status >= 500:
        return TemporaryError(message, TemporaryReason.UNAVAILABLE, code=code_str,
                              maybe_sent=maybe_sent)
    if isinstance(meaning, PermanentReason):
        return PermanentError(message, meaning, code=code_str)
    if status in (401, 403):
        return PermanentError(message, PermanentReason.UNAUTHORIZED, code=code_str)
    return PermanentError(message, PermanentReason.REJECTED, code=code_str)


def network_error(exc: requests.RequestException) -> TemporaryError:
    """The network, not the request, failed (connection refused, DNS, TLS, a timeout)."""
    reason = (TemporaryReason.TIMEOUT if isinstance(exc, requests.Timeout)
              else TemporaryReason.UNAVAILABLE)
    return TemporaryError(f"Twilio unreachable: {type(exc).__name__}: {exc}", reason,
                          maybe_sent=may_have_arrived(exc))


def delivery_of(status: str | None) -> Delivery:
    """Twilio's MessageStatus in our words (:data:`DELIVERY_MEANINGS`)."""
    return DELIVERY_MEANINGS.get((status or "").strip().lower(), Delivery.SENT)


def may_have_arrived(exc: requests.RequestException) -> bool:
    """False only when the request surely never reached Twilio: the connection could not be
    made (refused, DNS, connect timeout). A read timeout or a connection dropped mid-answer
    may hide a message Twilio did create."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        inner = exc.args[0] if exc.args else None
        if isinstance(getattr(inner, "reason", inner), NewConnectionError):
            return False
    return True


def _aware_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class TwilioChannel(Channel):
    """Sends texts with Twilio's Messages API through the official SDK.

    Give either ``from_`` (a Twilio number or a registered alphanumeric sender) or
    ``messaging_service_sid``; Vietnam requires a pre-registered alphanumeric sender, which a
    Messaging Service usually carries. ``timeout`` (seconds) bounds each HTTP call so a stalled
    connection becomes a :class:`TemporaryError` instead of a hung worker.

    Note that a timeout can hide a text Twilio did accept (the API has no idempotency key):
    such errors carry ``maybe_sent``, and before trying again the worker asks
    :meth:`find_sent`, which looks the text up in Twilio's list of messages.
    """

    name = "twilio"
    status_callback_path = "/sms/twilio/status"  # app/sms/webhooks.py

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_: str | None = None,
        messaging_service_sid: str | None = None,
        api_base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not account_sid or not auth_token:
            raise ValueError("TwilioChannel needs an account SID and an auth token")
        if not from_ and not messaging_service_sid:
            raise ValueError("TwilioChannel needs from_ or messaging_service_sid")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.from_ = from_
        self.messaging_service_sid = messaging_service_sid
        self.api_base_url = api_base_url
        self.timeout = timeout
        http_client: TwilioHttpClient
        if api_base_url:
            http_client = _BaseUrlHttpClient(api_base_url, timeout=timeout)
        else:
            http_client = TwilioHttpClient(timeout=timeout)
        self.client = Client(account_sid, auth_token, http_client=http_client)

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Create one Message; return its SID ("SM…") and Twilio's status (usually "queued")."""
        kwargs: dict[str, Any] = {"to": to, "body": body}
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        if self.from_:
            # With a Messaging Service, an explicit sender picks one from its pool.
            kwargs["from_"] = self.from_
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except (TwilioRestException, TwilioServiceException) as exc:
            error = classify_twilio_error(exc)
            logger.warning("Twilio refused SMS to %s: %s", to, error)
            raise error from exc
        except requests.RequestException as exc:
            logger.warning("Twilio unreachable for SMS to %s: %s", to, exc)
            raise network_error(exc) from exc
        status = str(message.status or "queued")
        return SendResult(provider_id=str(message.sid), status=status, delivery=delivery_of(status))

    def find_sent(self, lookup: SentLookup) -> SendResult | None:
        """Look for a message Twilio already created for this text: GET Messages.json filtered
        by To, From (our sender; with only a Messaging Service, by its sid client-side) and
        ``DateSent>`` = the UTC *day* of ``lookup.since`` (on or after; Twilio documents only
        ``YYYY-MM-DD`` here and is reported to ignore any time of day), then, client-side, the
        exact body, a ``date_created`` at or after ``lookup.since``, an outbound direction, not
        ``canceled``, and a sid not in ``lookup.exclude``. The oldest match wins; its status
        comes back too (``delivery`` in our words), so a text Twilio already reports delivered
        or failed is recorded so.

        Raises :class:`TemporaryError` when the list cannot be read (network, 5xx, 429, even a
        4xx): the caller must not send blind.
        """
        since = _aware_utc(lookup.since)
        kwargs: dict[str, Any] = {
            "to": lookup.to,
            # A string goes to the API as is; a datetime would be sent as a date-time.
            "date_sent_after": since.strftime("%Y-%m-%d"),
            "limit": LOOKUP_LIMIT,
            "page_size": LOOKUP_PAGE_SIZE,
        }
        if self.from_:
            kwargs["from_"] = self.from_
        best: tuple[datetime, str, str] | None = None
        try:
            for record in self.client.messages.stream(**kwargs):
                created = record.date_created or record.date_sent
                sid = str(record.sid or "")
                if (
                    not sid
                    or sid in lookup.exclude
                    or record.body != lookup.body
                    or created is None
                    or _aware_utc(created) < since
                    or not str(record.direction or "outbound").startswith("outbound")
                    or str(record.status or "") == "canceled"  # never went out
                ):
                    continue
                if not self.from_ and record.messaging_service_sid != self.messaging_service_sid:
                    continue
                if best is None or _aware_utc(created) < best[0]:
                    best = (_aware_utc(created), sid, str(record.status or "queued"))
        except (TwilioException, requests.RequestException, ValueError, KeyError,
                TypeError) as exc:
            # A list page that is not a 200 raises a bare TwilioException(text, response).
            status = getattr(exc, "status", None) if isinstance(exc, TwilioRestException) else (
                getattr(exc.args[1], "status_code", None) if len(exc.args) > 1 else None)
            code = "20429" if status == 429 else (str(status) if status else None)
            logger.warning("Twilio message list failed for %s: %s", lookup.to, exc)
            detail = f"HTTP {status}" if status else f"{type(exc).__name__}: {exc}"
            if status == 429:
                reason = TemporaryReason.THROTTLED
            elif isinstance(exc, requests.Timeout):
                reason = TemporaryReason.TIMEOUT
            else:  # a 5xx, an unreadable page, even a 4xx: Twilio cannot be asked right now
                reason = TemporaryReason.UNAVAILABLE
            raise TemporaryError(f"Twilio message list failed: {detail}", reason,
                                 code=code) from exc
        if best is None:
            return None
        return SendResult(provider_id=best[1], status=best[2], delivery=delivery_of(best[2]))


def validate_request(
    auth_token: str, url: str, params: Mapping[str, Any] | None, signature: str | None
) -> bool:
    """True when ``signature`` (the ``X-Twilio-Signature`` header) signs ``url`` + ``params``.

    ``url`` must be the full URL Twilio requested, as Twilio saw it (scheme and host behind any
    proxy); ``params`` the POSTed form (a dict, or Flask's ``request.form`` MultiDict). A missing
    signature is simply invalid, so views can pass the header straight through.
    """
    if not signature or not auth_token:
        return False
    return bool(RequestValidator(auth_token).validate(url, params or {}, signature))


def compute_signature(auth_token: str, url: str, params: Mapping[str, Any]) -> str:
    """The ``X-Twilio-Signature`` Twilio would send for this URL and form (for tests, fakes)."""
    return str(RequestValidator(auth_token).compute_signature(url, params))


def twiml_reply(body: str | None) -> str:
    """TwiML answering an inbound text: one ``<Message>`` with ``body``, or an empty
    ``<Response/>`` (no reply) when ``body`` is None."""
    response = MessagingResponse()
    if body is not None:
        response.message(body)
    return str(response)
