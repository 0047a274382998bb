"""The development channel: logs each text instead of sending it.

It is the default outside production so that a developer's machine, CI and the try-it page can
exercise the whole outbox path (render, sanitise, count segments, record a provider id) without
a provider account and without any risk of a real SMS reaching a citizen's phone.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from dataclasses import dataclass

from app.sms.channels.base import Channel, SendResult

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


class ConsoleChannel(Channel):
    """Logs the text at INFO level and reports it as sent; nothing leaves the machine."""

    name = "console"

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Log ``body`` for ``to`` and return a ``CONSOLE-<hex>`` id with status ``sent``."""
        provider_id = f"CONSOLE-{uuid.uuid4().hex}"
        logger.info("SMS to %s (%s, %d chars):\n%s", to, provider_id, len(body), body)
        with _outbox_lock:
            outbox.append(ConsoleMessage(provider_id, to, body, status_callback))
        return SendResult(provider_id=provider_id, status="sent")


def clear_outbox() -> None:
    """Forget the remembered texts (for tests that look at :data:`outbox`)."""
    with _outbox_lock:
        outbox.clear()
