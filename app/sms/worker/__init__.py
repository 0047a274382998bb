"""The outbox worker: sends queued SMS, retries what failed for a while, never sends a row twice.

Three modules, one step each: ``claims`` takes due rows atomically under a lease and gives them
back; ``reconcile`` asks the provider, before a row whose earlier attempt may have gone is sent
again, whether it already took it; ``loop`` takes each claimed row to an outcome (opt-out, quiet
hours in the office's time zone, send, backoff, fallback) and runs batch after batch. Channels
report errors by meaning (``opted_out``, ``throttled``…), so no provider's codes appear here.
How claims, leases and lookups keep a text from going twice, and where that ends:
docs/SMS_WORKER.md.
"""

from app.sms.worker.claims import UNKNOWN_OUTCOME, Claimed, claim, outbox_stats, release
from app.sms.worker.loop import Stats, process_claimed, run_forever, run_once

__all__ = [
    "UNKNOWN_OUTCOME",
    "Claimed",
    "Stats",
    "claim",
    "outbox_stats",
    "process_claimed",
    "release",
    "run_forever",
    "run_once",
]
