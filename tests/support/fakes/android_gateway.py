"""A local stand-in for "SMS Gateway for Android" (capcom6/android-sms-gateway), for tests.

It speaks the part of the phone's local-server API the app uses, on 127.0.0.1 with an
ephemeral port, so the Android channel runs through the real PyPI client over real HTTP:

* HTTP Basic auth (user ``sms`` and a password, as the app's Home tab shows them); 401 else;
* ``POST /messages`` (and the older ``/message``): ``{id?, textMessage: {text} | message,
  phoneNumbers, withDeliveryReport, …}`` → 202 ``{id, deviceId, state: "Pending", isHashed,
  isEncrypted, recipients: [{phoneNumber, state, error}], states}``; 400 ``{message}`` for an
  empty text or no recipient;
* ``GET /messages/{id}`` → the same shape, or 404;
* ``GET /webhooks``, ``POST /webhooks`` (``{id?, url, event}``; an existing id is replaced),
  ``DELETE /webhooks/{id}`` → 204;
* an offline switch: ``offline("503")`` answers 503 to everything (the cloud cannot reach the
  phone), ``offline("refuse")`` closes the listening socket so connections are refused (the
  phone is off Wi-Fi); ``online()`` listens again on the same port.

It also produces the phone's webhooks, signed exactly as the app's ``PayloadSigningPlugin``
does (hex HMAC-SHA256 of the raw JSON body followed by the Unix-seconds timestamp, headers
``X-Signature`` and ``X-Timestamp``): :meth:`FakeAndroidGateway.webhook` returns
``(body, headers)`` for Flask's test client, :meth:`FakeAndroidGateway.post_webhook` POSTs them
to a URL.

Usage::

    with FakeAndroidGateway(signing_key="k") as phone:
        channel = AndroidChannel(AndroidSettings(phone.base_url, phone.user, phone.password))
        result = channel.send("+84912345678", "Ho so da co ket qua")
        body, headers = phone.webhook("sms:delivered", phone.delivered_payload(result.provider_id))
        client.post("/sms/android", data=body, headers=headers)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import requests
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

DEFAULT_USER = "sms"
DEFAULT_PASSWORD = "fake-gateway-password"
DEFAULT_SIGNING_KEY = "fake-gateway-signing-key"
DEVICE_ID = "ffffffffceb0b1db0000018e937c815b"
_ALPHABET = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def nanoid(size: int = 21) -> str:
    """An id like the app's ``NanoIdUtils.randomNanoId()``."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(size))


def sign(raw_body: bytes, timestamp: str, key: str) -> str:
    """The app's signature, written independently of the code under test."""
    mac = hmac.new(key.encode("utf-8"), raw_body + timestamp.encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()


def iso_now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="milliseconds")


@dataclass
class FakeMessage:
    id: str
    text: str
    phone_numbers: list[str]
    with_delivery_report: bool
    state: str = "Pending"
    states: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "deviceId": DEVICE_ID,
            "state": self.state,
            "isHashed": False,
            "isEncrypted": False,
            "recipients": [
                {"phoneNumber": p, "state": self.state, "error": None} for p in self.phone_numbers
            ],
            "states": self.states,
        }


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class FakeAndroidGateway:
    """The phone's local server, in a thread. Thread-safe enough for one test at a time."""

    def __init__(self, *, user: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD,
                 signing_key: str = DEFAULT_SIGNING_KEY, host: str = "127.0.0.1") -> None:
        self.user = user
        self.password = password
        self.signing_key = signing_key
        self.host = host
        self.port = 0
        self.messages: list[FakeMessage] = []
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every authorised call
        self.unauthorised = 0
        self.mode = "online"  # "online" | "503" | "refuse"
        self.rejected: set[str] = set()  # numbers the phone refuses (400), e.g. a landline
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._urls = Map([
            Rule("/messages", endpoint="messages", methods=["GET", "POST"]),
            Rule("/message", endpoint="messages", methods=["GET", "POST"]),
            Rule("/messages/<id>", endpoint="message", methods=["GET"]),
            Rule("/message/<id>", endpoint="message", methods=["GET"]),
            Rule("/webhooks", endpoint="webhooks", methods=["GET", "POST"]),
            Rule("/webhooks/<id>", endpoint="webhook", methods=["DELETE"]),
            Rule("/health", endpoint="health", methods=["GET"]),
        ])

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeAndroidGateway:
        self._server = make_server(self.host, self.port, self._wsgi, threaded=True,
                                   request_handler=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeAndroidGateway:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def offline(self, how: str = "refuse") -> None:
        """Make the phone unreachable: ``"refuse"`` (nothing listens) or ``"503"``."""
        if how not in {"refuse", "503"}:
            raise ValueError(how)
        self.mode = how
        if how == "refuse":
            self.stop()

    def online(self) -> None:
        """Reachable again, on the same port."""
        if self._server is None:
            self.start()
        self.mode = "online"

    # -- the REST API ---------------------------------------------------------------------------

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.user) and hmac.compare_digest(password, self.password)

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._dispatch(request)
        return response(environ, start_response)

    def _json(self, data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def _dispatch(self, request: Request) -> Response:
        if self.mode == "503":
            return Response("phone unreachable", status=503, mimetype="text/plain")
        adapter = self._urls.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except Exception as exc:  # NotFound, MethodNotAllowed
            return exc  # type: ignore[return-value]
        if endpoint == "health":
            return self._json({"status": "pass", "version": "fake"})
        if not self._authorised(request):
            with self._lock:
                self.unauthorised += 1
            return Response("Unauthorized", status=401,
                            headers={"WWW-Authenticate": 'Basic realm="Access to SMS Gateway"'})
        with self._lock:
            self.requests.append((request.method, request.path))
        return getattr(self, f"_{endpoint}")(request, **args)

    def _messages(self, request: Request) -> Response:
        if request.method == "GET":
            with self._lock:
                return self._json([m.as_json() for m in self.messages])
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self._json({"message": "invalid JSON"}, 400)
        text_message = data.get("textMessage") or {}
        text = text_message.get("text") if isinstance(text_message, dict) else None
        text = text if text is not None else data.get("message")
        phones = data.get("phoneNumbers") or []
        if not text:
            return self._json({"message": "Text message is empty"}, 400)
        if not phones:
            return self._json({"message": "phoneNumbers is empty"}, 400)
        bad = [p for p in phones if p in self.rejected]
        if bad:
            return self._json({"message": f"invalid phone number: {bad[0]}"}, 400)
        message = FakeMessage(
            id=data.get("id") or nanoid(),
            text=text,
            phone_numbers=list(phones),
            with_delivery_report=bool(data.get("withDeliveryReport", True)),
            states={"Pending": iso_now()},
            raw=data,
        )
        with self._lock:
            self.messages.append(message)
        return self._json(message.as_json(), 202)

    def _message(self, request: Request, id: str) -> Response:
        message = self.find(id)
        if message is None:
            return self._json({"message": "message not found"}, 404)
        return self._json(message.as_json())

    def _webhooks(self, request: Request) -> Response:
        if request.method == "GET":
            with self._lock:
                return self._json(list(self.webhooks.values()))
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not data.get("url") or not data.get("event"):
            return self._json({"message": "url and event are required"}, 400)
        hook = {"id": data.get("id") or nanoid(), "url": data["url"], "event": data["event"],
                "deviceId": DEVICE_ID}
        with self._lock:
            self.webhooks[hook["id"]] = hook
        return self._json(hook, 201)

    def _webhook(self, request: Request, id: str) -> Response:
        with self._lock:
            self.webhooks.pop(id, None)
        return Response(status=204)

    # -- state helpers --------------------------------------------------------------------------

    def find(self, message_id: str) -> FakeMessage | None:
        with self._lock:
            return next((m for m in self.messages if m.id == message_id), None)

    def set_state(self, message_id: str, state: str) -> None:
        message = self.find(message_id)
        if message is None:
            raise KeyError(message_id)
        message.state = state
        message.states[state] = iso_now()

    # -- webhooks the phone sends ---------------------------------------------------------------

    def envelope(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        hook = next((h for h in self.webhooks.values() if h["event"] == event), None)
        return {
            "deviceId": DEVICE_ID,
            "event": event,
            "id": nanoid(),
            "payload": payload,
            "webhookId": hook["id"] if hook else nanoid(),
        }

    def webhook(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        timestamp: int | None = None,
        key: str | None = None,
        envelope: dict[str, Any] | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """``(raw body, headers)`` of one signed webhook. ``timestamp`` (Unix seconds) and
        ``key`` override the clock and the signing key (to make stale or forged requests);
        ``envelope`` sends exactly that envelope (a retry of an earlier webhook)."""
        body = json.dumps(envelope or self.envelope(event, payload),
                          separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Timestamp": ts,
            "X-Signature": sign(body, ts, self.signing_key if key is None else key),
        }
        return body, headers

    def post_webhook(self, url: str, event: str, payload: dict[str, Any],
                     **kwargs: Any) -> requests.Response:
        """POST one signed webhook to ``url`` over HTTP, as the phone does."""
        body, headers = self.webhook(event, payload, **kwargs)
        return requests.post(url, data=body, headers=headers, timeout=10)

    def received_payload(self, phone: str, text: str, *, received_at: str | None = None,
                         message_id: str | None = None, sim: int | None = 1) -> dict[str, Any]:
        """An ``sms:received`` payload. The id is the app's: a 32-bit hash of the SMS, in hex."""
        received_at = received_at or iso_now()
        digest = hashlib.sha1(f"{phone}|{received_at}|{text}".encode()).digest()
        return {
            "messageId": message_id or format(int.from_bytes(digest[:4], "big"), "x"),
            "message": text,
            "phoneNumber": phone,
            "sender": phone,
            "recipient": None,
            "simNumber": sim,
            "receivedAt": received_at,
        }

    def status_payload(self, event: str, message_id: str, *,
                       reason: str = "RESULT_ERROR_GENERIC_FAILURE") -> dict[str, Any]:
        """An ``sms:sent`` / ``sms:delivered`` / ``sms:failed`` payload for a message we hold;
        the fake's own state follows."""
        message = self.find(message_id)
        phone = message.phone_numbers[0] if message else "+84000000000"
        payload: dict[str, Any] = {"messageId": message_id, "phoneNumber": phone,
                                   "simNumber": None}
        state = {"sms:sent": "Sent", "sms:delivered": "Delivered", "sms:failed": "Failed"}[event]
        stamp = iso_now()
        if event == "sms:sent":
            payload.update(sentAt=stamp, partsCount=1)
        elif event == "sms:delivered":
            payload["deliveredAt"] = stamp
        else:
            payload.update(failedAt=stamp, reason=reason)
        if message is not None:
            self.set_state(message_id, state)
        return payload
