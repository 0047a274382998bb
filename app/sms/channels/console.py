"""The development channel: shows each text instead of sending it.

It is the default outside production so that a developer's machine, CI and the try-it page can
exercise the whole outbox path (render, sanitise, count segments, record a provider id) without
a provider account and without any risk of a real SMS reaching a citizen's phone.

Each text is printed to standard output — recipient, segments, body — so that someone running
``flask --app wsgi sms worker`` for the first time sees what would go out, not only counters
(logging at INFO is off by default under ``flask``). It is logged at INFO as well, for a
process whose logging is configured.
"""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from typing import TextIO

from app.sms.channels.base import Channel, SendResult
from app.sms.gsm import count_segments

logger = logging.getLogger(__name__)

#: How many recent texts :data:`outbox` keeps; bounded so a long-running dev server
#: cannot grow without limit.
OUTBOX_SIZE = 100


@dataclass(frozen=True)
class ConsoleMessage:
    """One text the console channel "sent"."""

    provider_id: str
    to: str
    body: str
    status_callback: str | None


#: The most recent texts, newest last. The database is the record of truth; this only saves a
#: test or a debugging session from parsing log lines.
outbox: deque[ConsoleMessage] = deque(maxlen=OUTBOX_SIZE)
_outbox_lock = threading.Lock()


def describe(to: str, body: str) -> str:
    """What the console shows for one text: a header line, then the body indented.

    ``SMS to +84912345678 (1 segment, GSM-7, 35 chars)`` — the segment count is the one the
    carrier would bill, so a newcomer sees at once when a text grew past one segment."""
    info = count_segments(body)
    plural = "" if info.segments == 1 else "s"
    header = f"SMS to {to} ({info.segments} segment{plural}, {info.encoding}, {len(body)} chars)"
    lines = body.splitlines() or [""]
    return header + "\n" + "\n".join(f"  {line}" for line in lines)


class ConsoleChannel(Channel):
    """Prints and logs the text and reports it as sent; nothing leaves the machine.

    ``out`` is where the text is printed; None means ``sys.stdout`` as it is at the moment of
    the send (so that click's ``CliRunner`` and pytest's ``capsys``, which swap it, see it)."""

    name = "console"
    #: A class default too, so that a subclass with its own ``__init__`` still has it.
    out: TextIO | None = None

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Print ``body`` for ``to`` and return a ``CONSOLE-<hex>`` id with status ``sent``."""
        provider_id = f"CONSOLE-{uuid.uuid4().hex}"
        shown = describe(to, body)
        logger.info("%s\n  [%s]", shown, provider_id)
        try:
            print(shown, file=self.out or sys.stdout, flush=True)
        except (OSError, ValueError) as exc:
            # A closed or broken stdout (``sms worker | head``) must not turn into a failed
            # "send" that the worker retries: the text is recorded and logged all the same.
            logger.debug("console channel could not print: %s", exc)
        with _outbox_lock:
            outbox.append(ConsoleMessage(provider_id, to, body, status_callback))
        return SendResult(provider_id=provider_id, status="sent")


def clear_outbox() -> None:
    """Forget the remembered texts (for tests that look at :data:`outbox`)."""
    with _outbox_lock:
        outbox.clear()
