"""The Android phone gateway channel, and the only module in the app that imports the
``android_sms_gateway`` client (PyPI ``android-sms-gateway``, pinned in requirements.txt).

"SMS Gateway for Android" (capcom6/android-sms-gateway) turns a cheap phone with a local SIM
into an SMS gateway: Vietnamese citizens text a local number (Twilio offers none, docs/DESIGN.md)
and the replies leave from that same number. Two ways to reach the phone, same REST API:

* **local server** — the app listens on the office network, e.g. ``http://192.168.1.50:8080``
  (HTTP Basic, user ``sms`` by default, password shown in the app);
* **cloud** — ``https://api.sms-gate.app/3rdparty/v1`` relays to the phone (Basic with the
  cloud user and password shown in the app).

API followed: the gateway's 3rd-party API as served by the app's ``MessagesRoutes``/
``WebhooksRoutes`` (``POST /messages`` → 202 ``{id, state: "Pending", recipients…}``,
``GET /messages/{id}``, ``GET/POST/DELETE /webhooks``) through the Python client 4.3.3, and
the webhook signing described in docs.sms-gate.app "Webhooks → Payload Signing" (HMAC-SHA256
of the raw body followed by ``X-Timestamp``, hex in ``X-Signature``). The client does not
verify signatures itself (it is on its roadmap), so :func:`verify_webhook` does.

**Send rate.** A phone sends slowly and carriers flag bursts, so each gateway gets a
process-wide token bucket (:class:`SendRateLimiter`): ``ANDROID_SEND_RATE`` texts a minute,
no burst. ``send`` waits for its turn when the wait is short (at most
:data:`MAX_RATE_WAIT` seconds, so a send stays far inside the worker's 60 s claim lease); when
the wait would be longer it raises a ``TemporaryError`` with reason ``paced`` and
``retry_after``. The
outbox worker therefore paces itself without knowing about the limit. The bucket lives in one
process: run one worker process for the Android channel (or divide the rate by the number of
processes). ``min_interval_seconds`` says the spacing for anyone who schedules around it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from android_sms_gateway import APIClient, Message, MessageState, TextMessage, Webhook, WebhookEvent
from android_sms_gateway.errors import APIError
from android_sms_gateway.http import RequestsHttpClient
from flask import current_app

from app.clock import unix_time
from app.sms.channels.base import (
    DEFAULT_SEND_TIMEOUT,
    Channel,
    ChannelConfigError,
    Delivery,
    PermanentError,
    PermanentReason,
    SendResult,
    TemporaryError,
    TemporaryReason,
)

logger = logging.getLogger(__name__)

#: The gateway's signing headers (docs: "Payload Signing").
SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"
#: A signed webhook older or newer than this is refused (replay protection, docs' advice).
MAX_SKEW_SECONDS = 300
#: Longest a send waits for its turn under the rate limit before giving the text back.
MAX_RATE_WAIT = 15.0
DEFAULT_SEND_RATE = 10.0  # texts a minute
#: What the app registers, each pointing at ``POST /sms/android``. ``system:ping`` only
#: arrives when Settings → Ping is on in the app; it keeps "last seen" fresh on quiet days.
WEBHOOK_EVENTS = ("sms:received", "sms:sent", "sms:delivered", "sms:failed", "system:ping")
WEBHOOK_PATH = "/sms/android"


# -- signatures -----------------------------------------------------------------------------------


def sign_webhook(raw_body: bytes, timestamp: str, key: str) -> str:
    """The gateway's signature: hex HMAC-SHA256 over the raw body bytes followed by the
    timestamp, keyed with the signing key (UTF-8) — as the app's ``PayloadSigningPlugin`` does."""
    return hmac.new(key.encode(), raw_body + timestamp.encode(), hashlib.sha256).hexdigest()


def verify_webhook(
    raw_body: bytes,
    timestamp: str | None,
    signature: str | None,
    key: str,
    now: float | datetime | None = None,
) -> bool:
    """True when ``signature`` is the gateway's signature of ``raw_body`` + ``timestamp``
    under ``key`` and the timestamp is within :data:`MAX_SKEW_SECONDS` of ``now``.

    Refuses everything when no key is configured: an unset key must not mean "accept all".
    The comparison is constant-time. ``now`` is Unix seconds or an aware/naive-UTC datetime.
    """
    if not key or not timestamp or not signature:
        return False
    timestamp = timestamp.strip()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if now is None:
        now_s = unix_time()
    elif isinstance(now, datetime):
        now_s = (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()
    else:
        now_s = float(now)
    if abs(now_s - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    expected = sign_webhook(raw_body, timestamp, key)
    return hmac.compare_digest(expected, signature.strip().lower())


# -- rate limit -----------------------------------------------------------------------------------


class SendRateLimiter:
    """A token bucket: ``per_minute`` tokens a minute, at most ``burst`` saved up.

    ``acquire`` reserves the next free slot; it sleeps until then when that is at most
    ``max_wait`` seconds away, else raises a ``paced`` :class:`TemporaryError` (with
    ``retry_after``) without taking a slot. ``clock`` and ``sleep`` are injectable so tests
    need no real waiting.
    """

    def __init__(
        self,
        per_minute: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_second = per_minute / 60.0
        self.burst = max(1, burst)
        self.clock = clock
        self.sleep = sleep
        self._tokens = float(self.burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    @property
    def min_interval_seconds(self) -> float:
        return 1.0 / self.per_second

    def acquire(self, max_wait: float) -> float:
        """Take one slot; return how long we waited for it."""
        with self._lock:
            now = self.clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.per_second)
            self._stamp = now
            self._tokens -= 1  # reserve; below zero means "a slot in the future"
            wait = max(0.0, -self._tokens / self.per_second)
            if wait > max_wait + 1e-6:  # float noise: 60/10 is not exactly 6.0
                self._tokens += 1
                raise TemporaryError(f"rate: next Android send in {math.ceil(wait)}s",
                                     TemporaryReason.PACED, code="rate", retry_after=wait)
        if wait > 0:
            self.sleep(wait)
        return wait


_limiters: dict[tuple[str, str, float], SendRateLimiter] = {}
_limiters_lock = threading.Lock()


def shared_limiter(base_url: str, user: str, per_minute: float) -> SendRateLimiter:
    """The process-wide limiter for one gateway: the worker builds channels per run, the rate
    must hold across them."""
    key = (base_url, user, per_minute)
    with _limiters_lock:
        if key not in _limiters:
            _limiters[key] = SendRateLimiter(per_minute)
        return _limiters[key]


def reset_limiters() -> None:
    """Forget every gateway's bucket (tests)."""
    with _limiters_lock:
        _limiters.clear()


# -- HTTP -----------------------------------------------------------------------------------------


class _TimeoutSession(requests.Session):
    """A requests session with a default timeout: the client passes none, and a phone that
    dropped off Wi-Fi must become a TemporaryError, not a worker hung forever."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


#: The gateway's HTTP status → what it means for us (its answers carry no finer code). A 4xx
#: not listed is a refusal (``rejected``: 400 is an invalid number or an empty text alike), a
#: 5xx not listed means the phone or the cloud relay cannot be reached.
HTTP_MEANINGS: dict[int, PermanentReason | TemporaryReason] = {
    400: PermanentReason.REJECTED,
    401: PermanentReason.UNAUTHORIZED,
    403: PermanentReason.UNAUTHORIZED,
    429: TemporaryReason.THROTTLED,
    500: TemporaryReason.UNAVAILABLE,
    502: TemporaryReason.UNAVAILABLE,
    503: TemporaryReason.UNAVAILABLE,
    504: TemporaryReason.TIMEOUT,
}

#: The gateway's message state (``MessageState.state``, lower case) → where the text is.
DELIVERY_MEANINGS: dict[str, Delivery] = {
    "pending": Delivery.SENT,
    "processed": Delivery.SENT,
    "cancelling": Delivery.SENT,  # not settled yet: it may still have left the phone
    "sent": Delivery.SENT,
    "delivered": Delivery.DELIVERED,
    "failed": Delivery.FAILED,
    "cancelled": Delivery.FAILED,  # never left the phone
}


def _http_error(status: int, message: str) -> TemporaryError | PermanentError:
    meaning = HTTP_MEANINGS.get(status)
    if meaning is None:
        meaning = (TemporaryReason.UNAVAILABLE if status >= 500 or status == 0
                   else PermanentReason.REJECTED)
    code = str(status) if status else None
    if isinstance(meaning, TemporaryReason):
        return TemporaryError(message, meaning, code=code)
    return PermanentError(message, meaning, code=code)


def classify_error(exc: BaseException) -> TemporaryError | PermanentError:
    """The retry decision, and its reason, for a failed gateway call.

    Retry: no connection, timeouts, 429 and 5xx (the phone is asleep, off Wi-Fi, or the cloud
    cannot reach it). Final: other 4xx — the same request would be refused again (bad number,
    empty text); 401/403 too, on purpose, like Twilio's bad credentials: the worker must not
    burn every queued text's retries on a setting an operator has to fix.
    """
    if isinstance(exc, APIError):
        status = exc.status_code or 0
        detail = ""
        if isinstance(exc.response, dict):
            detail = str(exc.response.get("message") or "")
        return _http_error(status, f"Android gateway {status}" + (f": {detail}" if detail else ""))
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        return _http_error(status, f"Android gateway {status}")
    if isinstance(exc, requests.Timeout):
        return TemporaryError("Android gateway timed out (phone asleep or off the network?)",
                              TemporaryReason.TIMEOUT)
    if isinstance(exc, requests.ConnectionError):
        return TemporaryError("Android gateway unreachable (phone offline?)",
                              TemporaryReason.UNAVAILABLE)
    return TemporaryError(f"Android gateway: {type(exc).__name__}: {exc}",
                          TemporaryReason.UNAVAILABLE)


def delivery_of(state: str | None) -> Delivery:
    """The gateway's message state in our words (:data:`DELIVERY_MEANINGS`)."""
    return DELIVERY_MEANINGS.get((state or "").strip().lower(), Delivery.SENT)


# -- the channel ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AndroidSettings:
    base_url: str
    user: str
    password: str
    signing_key: str = ""
    send_rate: float = DEFAULT_SEND_RATE
    timeout: float = DEFAULT_SEND_TIMEOUT


def settings_from_config(config: Mapping[str, Any]) -> AndroidSettings:
    """Read ``ANDROID_*`` settings; raise ChannelConfigError naming what is missing."""
    missing = [k for k in ("ANDROID_GATEWAY_URL", "ANDROID_GATEWAY_PASSWORD") if not config.get(k)]
    if missing:
        raise ChannelConfigError(
            "SMS channel 'android' is chosen but not configured: set " + ", ".join(missing)
        )
    rate = config.get("ANDROID_SEND_RATE")
    return AndroidSettings(
        base_url=str(config["ANDROID_GATEWAY_URL"]).rstrip("/"),
        user=str(config.get("ANDROID_GATEWAY_USER") or ""),
        password=str(config["ANDROID_GATEWAY_PASSWORD"]),
        signing_key=str(config.get("ANDROID_WEBHOOK_SIGNING_KEY") or ""),
        send_rate=float(DEFAULT_SEND_RATE if rate is None else rate),
        timeout=float(config.get("ANDROID_TIMEOUT") or DEFAULT_SEND_TIMEOUT),
    )


def is_configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("ANDROID_GATEWAY_URL") and config.get("ANDROID_GATEWAY_PASSWORD"))


def build_client(settings: AndroidSettings) -> APIClient:
    """The PyPI client on the requests backend, with our timeout. With a user it sends HTTP
    Basic (local server, cloud); with only a password, a Bearer token (cloud JWT)."""
    http = RequestsHttpClient(session=_TimeoutSession(settings.timeout))
    return APIClient(settings.user or None, settings.password, base_url=settings.base_url,
                     http=http)


class AndroidChannel(Channel):
    """Sends each text as one gateway message with a delivery report.

    ``provider_id`` is the gateway's message id; the delivery webhooks (``sms:sent``,
    ``sms:delivered``, ``sms:failed``) carry it back as ``messageId``.
    """

    name = "android"

    def __init__(self, settings: AndroidSettings, *, limiter: SendRateLimiter | None = None,
                 max_wait: float = MAX_RATE_WAIT) -> None:
        self.settings = settings
        self.client = build_client(settings)
        if limiter is None and settings.send_rate > 0:
            limiter = shared_limiter(settings.base_url, settings.user, settings.send_rate)
        self.limiter = limiter
        self.max_wait = min(max_wait, self.min_interval_seconds)
        # What the worker's lease check should allow for one send: the wait plus the HTTP call.
        self.timeout = settings.timeout + self.max_wait

    @property
    def min_interval_seconds(self) -> float:
        """Seconds between two sends at ``ANDROID_SEND_RATE`` (0: no limit)."""
        return self.limiter.min_interval_seconds if self.limiter else 0.0

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Queue ``body`` for ``to`` on the phone; return the gateway's id and state
        ("pending": the phone has it; ``sms:sent``/``sms:delivered`` follow by webhook).
        ``status_callback`` is ignored: the gateway reports through registered webhooks."""
        if self.limiter is not None:
            self.limiter.acquire(self.max_wait)
        message = Message(phone_numbers=[to], text_message=TextMessage(text=body),
                          with_delivery_report=True)
        try:
            state: MessageState = self.client.send(message)
        except (APIError, requests.RequestException, ValueError, KeyError) as exc:
            error = classify_error(exc)
            logger.warning("Android gateway refused SMS to %s: %s", to, error)
            raise error from exc
        status = state.state.value.lower()
        return SendResult(provider_id=state.id, status=status, delivery=delivery_of(status))

    def message_state(self, provider_id: str) -> str:
        """The gateway's state of one message ("pending", "sent", "delivered", "failed"…)."""
        try:
            return self.client.get_state(provider_id).state.value.lower()
        except (APIError, requests.RequestException, ValueError, KeyError) as exc:
            raise classify_error(exc) from exc


def from_config(config: Mapping[str, Any]) -> AndroidChannel:
    """The channel factory registered as "android" in ``app.sms.channels``."""
    return AndroidChannel(settings_from_config(config))


# -- webhook registration -------------------------------------------------------------------------


def webhook_url(base_url: str, office_code: str | None = None) -> str:
    """``https://host`` → ``https://host/sms/android`` (a full webhook URL is kept as is);
    ``office_code`` adds ``?office=CODE`` for deployments with several communes."""
    url = base_url.rstrip("/")
    if not url.endswith(WEBHOOK_PATH):
        url += WEBHOOK_PATH
    return f"{url}?office={office_code}" if office_code else url


def webhook_id(event: str, office_code: str | None = None) -> str:
    """A fixed id per event: registering again replaces our hooks instead of adding copies."""
    suffix = f"-{office_code.lower()}" if office_code else ""
    return "motcua-" + event.replace(":", "-") + suffix


def register_webhooks(
    base_url: str,
    *,
    config: Mapping[str, Any] | None = None,
    office_code: str | None = None,
    events: Iterable[str] = WEBHOOK_EVENTS,
) -> list[Webhook]:
    """Point the gateway's webhooks at this app's ``POST /sms/android``; return what the
    gateway now holds for us. Idempotent (fixed ids). Raises TemporaryError/PermanentError
    when the gateway cannot be reached or refuses."""
    if config is None:
        config = current_app.config
    settings = settings_from_config(config)
    client = build_client(settings)
    url = webhook_url(base_url, office_code)
    made = []
    try:
        for event in events:
            hook = Webhook(id=webhook_id(event, office_code), url=url, event=WebhookEvent(event))
            made.append(client.create_webhook(hook))
    except (APIError, requests.RequestException, ValueError, KeyError) as exc:
        raise classify_error(exc) from exc
    return made


def list_webhooks(config: Mapping[str, Any]) -> list[Webhook]:
    """Every webhook the gateway holds (ours and anybody else's)."""
    client = build_client(settings_from_config(config))
    try:
        return client.get_webhooks()
    except (APIError, requests.RequestException, ValueError, KeyError) as exc:
        raise classify_error(exc) from exc


def delete_webhook(config: Mapping[str, Any], hook_id: str) -> None:
    client = build_client(settings_from_config(config))
    try:
        client.delete_webhook(hook_id)
    except (APIError, requests.RequestException) as exc:
        raise classify_error(exc) from exc
