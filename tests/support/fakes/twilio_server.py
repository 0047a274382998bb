"""A local stand-in for Twilio's Messages REST API, for tests.

The machine has no internet and no real SMS may ever leave it, yet the Twilio channel should be
tested through the real SDK over real HTTP: auth headers, form encoding, JSON parsing, error
parsing and client timeouts are exactly where integrations break. :class:`FakeTwilio` speaks
the small part of the API the app uses, on 127.0.0.1 with an ephemeral port:

* ``POST /2010-04-01/Accounts/<AccountSid>/Messages.json`` (To, From or MessagingServiceSid,
  Body, StatusCallback), HTTP Basic auth, Twilio's message JSON and error JSON shapes;
* ``GET /2010-04-01/Accounts/<AccountSid>/Messages/<MessageSid>.json``;
* ``GET /2010-04-01/Accounts/<AccountSid>/Messages.json`` — the list, newest first, filtered by
  To, From, DateSent, ``DateSent>`` (on or after), ``DateSent<`` (on or before), paged with
  PageSize/Page/PageToken, answered with the paging fields the SDK reads (``first_page_uri``,
  ``next_page_uri``, ``previous_page_uri``, ``page``, ``page_size``, ``start``, ``end``, ``uri``).
  Like Twilio, the date filters compare the *day* (UTC) only, whatever time of day is given.
  A message still ``queued`` has no ``date_sent``; the fake then filters on its creation
  day (what Twilio does with such a message is not documented — see docs/SMS_WORKER.md).

Answers can be scripted (success, 429, 500, a delay past the client's timeout, permanent
error codes), per next request or per To number; list requests have their own script
(:meth:`FakeTwilio.answer_next_list`), and ``list_lag`` hides messages younger than that many
seconds from the list (Twilio's list is eventually consistent). The fake can produce delivery
status callbacks signed like Twilio's (``X-Twilio-Signature``) to drive the webhook.

Usage::

    with FakeTwilio() as fake:
        fake.answer_next(429, "timeout")       # the next two creates: 429, then a slow answer
        fake.answer_to("+84912000000", 21610)  # this number is opted out, always
        channel = TwilioChannel(fake.account_sid, fake.auth_token, from_="MOTCUA",
                                api_base_url=fake.base_url)
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from twilio.request_validator import RequestValidator
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "fake-twilio-auth-token"
#: A sender for channels under test: an alphanumeric ID, as Vietnam requires.
DEFAULT_SENDER = "MOTCUA"

#: Twilio's HTTP status and message for the error codes tests script. Messages follow Twilio's.
TWILIO_ERRORS: dict[int, tuple[int, str]] = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    21211: (400, "Invalid 'To' Phone Number"),
    21408: (
        400,
        "Permission to send an SMS has not been enabled for the region indicated by "
        "the 'To' number",
    ),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (
        400,
        "The 'To' phone number is not currently reachable using the 'From' phone number via SMS.",
    ),
    21614: (400, "'To' number is not a valid mobile number"),
    63018: (429, "Rate limit exceeded for the sender"),
}

#: Default ErrorCode in a failed/undelivered callback: "Unknown error".
DEFAULT_DELIVERY_ERROR = 30008
#: Twilio's list page size: 50 unless PageSize says otherwise, at most 1000.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000

# GSM 03.38 basic and extension tables, only to fill num_segments plausibly.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def count_segments(body: str) -> int:
    """Segments as carriers count them (160/153 GSM-7, 70/67 UCS-2); good enough for a fake."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        units, single, multi = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment)  # aware UTC -> "Thu, 24 Aug 2023 05:01:45 +0000"


@dataclass(frozen=True)
class Outcome:
    """How the fake answers one create request.

    ``status`` 201 means accepted (the message is stored); anything else is an error answer
    with Twilio's error JSON carrying ``code``. ``delay`` seconds pass before answering, so a
    delay longer than the client's timeout makes the client time out — while the fake, like
    Twilio, may still accept the message.
    """

    status: int = 201
    code: int | None = None
    message: str = ""
    delay: float = 0.0

    @classmethod
    def ok(cls) -> Outcome:
        return cls()

    @classmethod
    def timeout(cls, delay: float = 2.0) -> Outcome:
        """Accept, but only after ``delay`` seconds (longer than the client's timeout)."""
        return cls(delay=delay)

    @classmethod
    def http(cls, status: int) -> Outcome:
        """A bare HTTP failure: 429 or 5xx, with the code Twilio uses for it."""
        code = 20429 if status == 429 else 20500 if status >= 500 else None
        message = TWILIO_ERRORS[code][1] if code else f"HTTP {status}"
        return cls(status=status, code=code, message=message)

    @classmethod
    def error(cls, code: int, status: int | None = None) -> Outcome:
        """A Twilio error code with its usual HTTP status (400 when unknown)."""
        known_status, message = TWILIO_ERRORS.get(code, (400, f"Error {code}"))
        return cls(status=status or known_status, code=code, message=message)

    @classmethod
    def parse(cls, spec: OutcomeSpec) -> Outcome:
        """Accept shorthand: ``"ok"``/``"success"``, ``"timeout"``, an HTTP status (``429``,
        ``"500"``) or a Twilio error code (``21610``)."""
        if isinstance(spec, Outcome):
            return spec
        if isinstance(spec, str):
            word = spec.strip().lower()
            if word in {"ok", "success", "accepted"}:
                return cls.ok()
            if word == "timeout":
                return cls.timeout()
            if not word.isdigit():
                raise ValueError(f"unknown outcome {spec!r}")
            spec = int(word)
        if 100 <= spec < 600:
            return cls.ok() if spec in (200, 201) else cls.http(spec)
        return cls.error(spec)


OutcomeSpec = Outcome | str | int


@dataclass
class FakeMessage:
    """One message the fake accepted, with the fields a test wants to assert on."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    messaging_service_sid: str | None
    status_callback: str | None
    status: str
    date_created: datetime
    error_code: int | None = None
    form: dict[str, str] = field(default_factory=dict)
    date_sent: datetime | None = None  # set when the status moves to sent/delivered

    @property
    def filter_date(self) -> date:
        """The day the DateSent filters compare (see the module docstring)."""
        return (self.date_sent or self.date_created).astimezone(UTC).date()

    @property
    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        """The message resource as Twilio returns it."""
        created = _rfc2822(self.date_created)
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": created,
            "date_sent": _rfc2822(self.date_sent) if self.date_sent else (
                created if self.status in {"sent", "delivered"} else None),
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(count_segments(self.body)),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": self.uri.replace(".json", "/Media.json")},
            "to": self.to,
            "uri": self.uri,
        }


@dataclass(frozen=True)
class StatusCallback:
    """A signed delivery-status callback, ready to POST: form ``params`` to ``url`` with
    ``headers``."""

    url: str
    params: dict[str, str]
    headers: dict[str, str]


class _QuietHandler(WSGIRequestHandler):
    """No access log; clients that time out and hang up are expected, not errors."""

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's name
        pass


def _error(code: int, status: int | None = None, message: str | None = None) -> Response:
    known_status, known_message = TWILIO_ERRORS.get(code, (400, f"Error {code}"))
    status = status or known_status
    payload = {
        "code": code,
        "message": message or known_message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return _json(payload, status)


def _json(payload: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _filter_day(value: str) -> date:
    """The day of a DateSent value: ``2024-11-18``, or a date-time such as the SDK's
    ``2024-11-18T03:00:00Z`` (Twilio ignores the time of day)."""
    return date.fromisoformat(value.strip()[:10])


class FakeTwilio:
    """A threaded HTTP server on 127.0.0.1 answering like Twilio's Messages API.

    Use as a context manager (or :meth:`start`/:meth:`stop`). Scripting, checked in this order
    for each create request that passed auth:

    1. :meth:`answer_to` rules for the request's To number;
    2. the queue filled by :meth:`answer_next`, one entry per request;
    3. otherwise the message is accepted.
    """

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._messages: list[FakeMessage] = []
        self._queue: deque[Outcome] = deque()
        self._by_number: dict[str, list[Any]] = {}  # to -> [Outcome, remaining or None]
        self._requests_count = 0
        self._list_queue: deque[Outcome] = deque()
        self._list_queries: list[dict[str, str]] = []
        #: Messages accepted less than this many seconds ago are not listed yet.
        self.list_lag = 0.0
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._urls = Map(
            [
                Rule(
                    f"/{API_VERSION}/Accounts/<account_sid>/Messages.json",
                    methods=["POST"],
                    endpoint="create",
                ),
                Rule(
                    f"/{API_VERSION}/Accounts/<account_sid>/Messages.json",
                    methods=["GET"],
                    endpoint="list",
                ),
                Rule(
                    f"/{API_VERSION}/Accounts/<account_sid>/Messages/<sid>.json",
                    methods=["GET"],
                    endpoint="fetch",
                ),
            ]
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        """Bind an ephemeral port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        # A short poll interval keeps stop() (run after every test) from waiting 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-twilio",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes any request sleeping in a scripted delay."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` — pass as ``TwilioChannel(api_base_url=...)``."""
        if self._server is None:
            raise RuntimeError("FakeTwilio is not running")
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- what the fake saw --------------------------------------------------------------------

    @property
    def messages(self) -> list[FakeMessage]:
        """Accepted messages, oldest first (a snapshot)."""
        with self._lock:
            return [replace(m) for m in self._messages]

    @property
    def requests_count(self) -> int:
        """Every HTTP request received, including rejected and scripted-failure ones."""
        with self._lock:
            return self._requests_count

    @property
    def list_queries(self) -> list[dict[str, str]]:
        """The query string of every list request that passed auth, oldest first."""
        with self._lock:
            return [dict(q) for q in self._list_queries]

    @property
    def lookups(self) -> int:
        """How many list requests passed auth (each page is one)."""
        with self._lock:
            return len(self._list_queries)

    def get(self, sid: str) -> FakeMessage:
        """The accepted message with ``sid`` (KeyError when unknown)."""
        with self._lock:
            for message in self._messages:
                if message.sid == sid:
                    return replace(message)
        raise KeyError(sid)

    # -- scripting ----------------------------------------------------------------------------

    def answer_next(self, *outcomes: OutcomeSpec) -> None:
        """The next create requests (not matched by :meth:`answer_to`) get these answers in
        order, e.g. ``answer_next(429, 500, "ok")``, ``answer_next(*[21610] * 3)``."""
        parsed = [Outcome.parse(o) for o in outcomes]
        with self._lock:
            self._queue.extend(parsed)

    def answer_next_list(self, *outcomes: OutcomeSpec) -> None:
        """The next list requests get these answers in order (``"ok"`` lists normally; an
        error answers with Twilio's error JSON; ``"timeout"`` lists after the delay)."""
        parsed = [Outcome.parse(o) for o in outcomes]
        with self._lock:
            self._list_queue.extend(parsed)

    def backdate(self, sid: str, created: datetime, sent: datetime | None = None) -> None:
        """Pretend message ``sid`` was created (and sent) at these aware times."""
        with self._lock:
            for message in self._messages:
                if message.sid == sid:
                    message.date_created = created
                    message.date_sent = sent
                    return
        raise KeyError(sid)

    def answer_to(self, to: str, outcome: OutcomeSpec, times: int | None = None) -> None:
        """Requests to ``to`` get ``outcome``: ``times`` times, or always when None."""
        with self._lock:
            self._by_number[to] = [Outcome.parse(outcome), times]

    def reset(self) -> None:
        """Forget scripts, messages and counts."""
        with self._lock:
            self._queue.clear()
            self._by_number.clear()
            self._messages.clear()
            self._requests_count = 0
            self._list_queue.clear()
            self._list_queries.clear()
            self.list_lag = 0.0

    def _next_outcome(self, to: str) -> Outcome:
        with self._lock:
            rule = self._by_number.get(to)
            if rule is not None:
                outcome, remaining = rule
                if remaining is not None:
                    rule[1] = remaining - 1
                    if rule[1] <= 0:
                        del self._by_number[to]
                return outcome
            if self._queue:
                return self._queue.popleft()
        return Outcome.ok()

    # -- status callbacks ---------------------------------------------------------------------

    def status_callback(
        self,
        sid: str,
        status: str = "delivered",
        *,
        error_code: int | None = None,
        url_override: str | None = None,
    ) -> StatusCallback:
        """Move message ``sid`` to ``status`` and build the callback Twilio would POST.

        ``failed``/``undelivered`` carry an ErrorCode (``error_code`` or 30008). The signature
        is computed by the SDK's ``RequestValidator`` over the exact URL, so a webhook must
        validate against the URL as requested (scheme, host, port, path and query).
        """
        with self._lock:
            message = next((m for m in self._messages if m.sid == sid), None)
            if message is None:
                raise KeyError(sid)
            if status in {"failed", "undelivered"} and error_code is None:
                error_code = DEFAULT_DELIVERY_ERROR
            message.status = status
            message.error_code = error_code
            if status in {"sent", "delivered"} and message.date_sent is None:
                message.date_sent = datetime.now(UTC)
            snapshot = replace(message)
        url = url_override or snapshot.status_callback
        if not url:
            raise ValueError(f"message {sid} has no StatusCallback and no url_override given")
        params = {
            "AccountSid": snapshot.account_sid,
            "ApiVersion": API_VERSION,
            "From": snapshot.from_ or "",
            "To": snapshot.to,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
        }
        if snapshot.messaging_service_sid:
            params["MessagingServiceSid"] = snapshot.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        headers = {
            "X-Twilio-Signature": signature,
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": uuid.uuid4().hex,
        }
        return StatusCallback(url=url, params=params, headers=headers)

    def deliver(
        self,
        sid: str,
        status: str = "delivered",
        url_override: str | None = None,
        client: Any = None,
        *,
        error_code: int | None = None,
    ) -> Any:
        """Send the status callback for ``sid`` and return the response.

        With ``client`` (a Flask test client) the callback goes through it, with ``base_url``
        set so ``request.url`` equals the signed URL; without, it is POSTed over HTTP with
        ``requests`` — only to a loopback host, so a fake can never reach the outside world.
        Use :meth:`status_callback` to get ``(url, params, headers)`` without sending.
        """
        callback = self.status_callback(
            sid, status, error_code=error_code, url_override=url_override
        )
        parts = urlsplit(callback.url)
        if client is not None:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            return client.post(
                path,
                data=callback.params,
                headers=callback.headers,
                base_url=f"{parts.scheme}://{parts.netloc}",
            )
        if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError(f"refusing to POST a callback off this machine: {callback.url}")
        return requests.post(
            callback.url, data=callback.params, headers=callback.headers, timeout=10
        )

    # -- the WSGI app -------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self._requests_count += 1
        try:
            response = self._dispatch(request)
        except HTTPException as exc:
            code = 20404 if isinstance(exc, NotFound) else 20001
            if isinstance(exc, MethodNotAllowed):
                code = 20004
            response = _error(code, exc.code, exc.description)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        adapter = self._urls.bind_to_environ(request.environ)
        endpoint, args = adapter.match()
        auth = request.authorization
        if (
            auth is None
            or auth.type != "basic"
            or auth.username != self.account_sid
            or auth.password != self.auth_token
        ):
            return _error(20003)
        if args["account_sid"] != self.account_sid:
            return _error(20404)
        if endpoint == "create":
            return self._create(request)
        if endpoint == "list":
            return self._list(request)
        return self._fetch(args["sid"])

    def _fetch(self, sid: str) -> Response:
        try:
            message = self.get(sid)
        except KeyError:
            return _error(20404)
        return _json(message.to_json(), 200)

    def _list(self, request: Request) -> Response:
        """One page of the Messages list, as Twilio answers it (newest first)."""
        query = {key: value for key, value in request.args.items()}
        with self._lock:
            self._list_queries.append(dict(query))
            outcome = self._list_queue.popleft() if self._list_queue else Outcome.ok()
        if outcome.delay and self._stopping.wait(outcome.delay):
            return _error(20500, 503, "fake stopping")
        if outcome.status not in (200, 201):
            return _error(outcome.code or 20500, outcome.status, outcome.message or None)
        try:
            page = int(query.get("Page") or 0)
            size = min(int(query.get("PageSize") or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
            on = _filter_day(query["DateSent"]) if query.get("DateSent") else None
            after = _filter_day(query["DateSent>"]) if query.get("DateSent>") else None
            before = _filter_day(query["DateSent<"]) if query.get("DateSent<") else None
        except ValueError:
            return _error(20001, 400, "Invalid date or paging value")
        if page < 0 or size < 1:
            return _error(20001, 400, "Invalid paging value")
        to, from_ = query.get("To"), query.get("From")
        visible_before = datetime.now(UTC) - timedelta(seconds=self.list_lag)
        with self._lock:
            chosen = [
                replace(m) for m in self._messages
                if (to is None or m.to == to)
                and (from_ is None or m.from_ == from_)
                and (on is None or m.filter_date == on)
                and (after is None or m.filter_date >= after)
                and (before is None or m.filter_date <= before)
                and m.date_created <= visible_before
            ]
        chosen.sort(key=lambda m: m.date_sent or m.date_created, reverse=True)
        start = page * size
        records = chosen[start:start + size]
        filters = {k: v for k, v in query.items() if k not in {"Page", "PageSize", "PageToken"}}
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"

        def uri(number: int, token: str | None = None) -> str:
            params = {**filters, "PageSize": str(size), "Page": str(number)}
            if token:
                params["PageToken"] = token
            return f"{base}?{urlencode(params)}"

        more = start + size < len(chosen)
        payload = {
            "messages": [m.to_json() for m in records],
            "end": start + max(len(records) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1, f"PA{records[-1].sid}") if more and records else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": uri(page - 1, f"PB{records[0].sid}") if page and records
            else None,
            "start": start,
            "uri": uri(page, query.get("PageToken")),
        }
        return _json(payload, 200)

    def _create(self, request: Request) -> Response:
        form = request.form
        to = form.get("To", "").strip()
        from_ = form.get("From") or None
        service = form.get("MessagingServiceSid") or None
        body = form.get("Body", "")
        if not to:
            return _error(21604)
        if not from_ and not service:
            return _error(21603)
        if not body:
            return _error(21602)

        outcome = self._next_outcome(to)
        if outcome.delay and self._stopping.wait(outcome.delay):
            return _error(20500, 503, "fake stopping")
        if outcome.status not in (200, 201):
            return _error(outcome.code or 20500, outcome.status, outcome.message or None)
        if not (to.startswith("+") and to[1:].isdigit() and 8 <= len(to) <= 16):
            return _error(21211, message=f"Invalid 'To' Phone Number: {to}")

        message = FakeMessage(
            sid="SM" + uuid.uuid4().hex,
            account_sid=self.account_sid,
            to=to,
            from_=from_,
            body=body,
            messaging_service_sid=service,
            status_callback=form.get("StatusCallback") or None,
            # Twilio answers "accepted" when a Messaging Service picks the sender later.
            status="queued" if from_ else "accepted",
            date_created=datetime.now(UTC),
            form=dict(form.items()),
        )
        with self._lock:
            self._messages.append(message)
        return _json(message.to_json(), 201)
