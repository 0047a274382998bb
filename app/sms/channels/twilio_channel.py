"""The Twilio channel, and the only module in the app that imports ``twilio``.

Keeping the SDK behind this one file lets the rest of the app (outbox worker, webhooks, try-it
page) depend on the small :class:`~app.sms.channels.base.Channel` interface and lets a province
swap providers without touching domain code. Webhook views need the SDK's signature check and
TwiML builder too, so thin wrappers for both live here as well (:func:`validate_request`,
:func:`twiml_reply`).

Twilio is used for outbound notifications only: two-way SMS is not supported in Vietnam (see
DESIGN.md, SMS), so inbound commands come through a local channel instead.

``api_base_url`` points the real SDK at a Twilio-compatible server. Tests use it with the local
stand-in in ``tests/fakes/twilio_server.py`` so the full SDK path (auth, form encoding, JSON
and error parsing) runs without any request leaving the machine.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from app.sms.channels.base import Channel, PermanentError, SendResult, TemporaryError

logger = logging.getLogger(__name__)

#: Twilio error codes that mean "slow down and try again later", whatever the HTTP status.
#: 63018: rate limit exceeded for the sender; 20429: too many requests.
RETRYABLE_CODES = frozenset({63018, 20429})

#: Codes we know are final, kept for readers and tests: any other 4xx is treated the same way.
#: 21610 opted out (STOP), 21211 invalid To, 21614 not a mobile number, 21612 cannot route to
#: this number from this sender, 21408 region (geo permission) not enabled, 20003 bad
#: credentials.
PERMANENT_CODES = frozenset({21610, 21211, 21614, 21612, 21408, 20003})


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
    """Turn an error answer from Twilio into the channel's retry decision.

    Retry: HTTP 429, any 5xx, and throttling codes (:data:`RETRYABLE_CODES`). Everything else
    is a 4xx the same request will get again (opted out, bad number, bad credentials…), so
    retrying would only spend money and hide the problem. Bad credentials (401, code 20003)
    are permanent on purpose: the worker must not burn the retry budget of every queued text
    on a configuration error; the operator fixes the setting and re-queues.
    """
    status = int(exc.status) if exc.status is not None else 0
    code = exc.code if isinstance(exc.code, int) else None
    code_str = str(exc.code) if exc.code is not None else None
    message = f"Twilio {status}" + (f" code {code_str}" if code_str else "")
    detail = getattr(exc, "msg", None) or getattr(exc, "detail", None)
    if detail:
        message = f"{message}: {detail}"
    if status == 429 or status >= 500 or code in RETRYABLE_CODES:
        return TemporaryError(message, code=code_str)
    return PermanentError(message, code=code_str)


class TwilioChannel(Channel):
    """Sends texts with Twilio's Messages API through the official SDK.

    Give either ``from_`` (a Twilio number or a registered alphanumeric sender) or
    ``messaging_service_sid``; Vietnam requires a pre-registered alphanumeric sender, which a
    Messaging Service usually carries. ``timeout`` (seconds) bounds each HTTP call so a stalled
    connection becomes a :class:`TemporaryError` instead of a hung worker.

    Note that a timeout can hide a text Twilio did accept (the API has no idempotency key), so
    a retry after a timeout may deliver twice; the worker decides whether that risk is worth it.
    """

    name = "twilio"

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
            # Connection refused, DNS, TLS, read timeout: the network, not the request, failed.
            logger.warning("Twilio unreachable for SMS to %s: %s", to, exc)
            raise TemporaryError(f"Twilio unreachable: {type(exc).__name__}: {exc}") from exc
        return SendResult(provider_id=str(message.sid), status=str(message.status or "queued"))


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
