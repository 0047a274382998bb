"""What a stranger may try, counted once for the status page, the API and SMS (issue 12).

* **Phone digits: 10 an hour per dossier**, whatever the address and whichever way they come —
  the status page (``?digits=``), the API (``?phone_last4=``) and SMS (``TT <code> <4 digits>``
  from another phone) spend the same counter, keyed by the code as :func:`app.codes.normalise_code`
  reads it, without check letters, so ``vb 261009 1`` and ``VB-261009-0001-KQX`` are one dossier.
  Ten guesses find a given phone ending with probability 1 in 1,000 an hour.
* **Code-only lookups: 30 an hour per address**, the status page and the API together (an SMS
  sender is held to 30 texts an hour per phone by ``SMS_INBOUND_PER_HOUR``). With check letters
  on new codes, each dossier costs about 4,096 guesses (docs/SECURITY.md), so 30 an hour
  makes listing dossiers a matter of months per dossier from one address.

Both live in Flask-Limiter's storage (memory, or Redis with ``RATELIMIT_STORAGE_URI``), so
they hold across gunicorn workers when that is Redis. Views use the decorators; SMS, which has
no rate-limited view of its own, calls :func:`spend_digit_guess`.
"""

from __future__ import annotations

from collections.abc import Callable

from limits import parse

from app.codes import split_check
from app.extensions import limiter

DIGITS_LIMIT = "10/hour"
# From one address at one code (issue 12, item 10): a stranger is stopped at half the code's
# budget, so one stranger alone cannot lock the citizen out.
DIGITS_PER_ADDRESS = "5/hour"
CODE_ONLY_LIMIT = "30/hour"
DIGITS_SCOPE = "dossier-digits"
CODE_ONLY_SCOPE = "code-only-lookups"


def digits_key(code: str | None) -> str:
    """The one counter of phone-digit guesses for ``code`` (canonical, check letters or not)."""
    return "digits:" + (split_check(code)[0] if code else "-")


def digits_limit(key_func: Callable[[], str], exempt_when: Callable[[], bool]) -> Callable:
    """The per-dossier digits limit on a view; ``key_func`` returns :func:`digits_key`."""
    return limiter.shared_limit(DIGITS_LIMIT, scope=DIGITS_SCOPE, key_func=key_func,
                                exempt_when=exempt_when)


def code_only_limit(exempt_when: Callable[[], bool]) -> Callable:
    """The per-address limit on lookups by code alone, shared by every view that has it."""
    return limiter.shared_limit(CODE_ONLY_LIMIT, scope=CODE_ONLY_SCOPE, exempt_when=exempt_when)


def spend_digit_guess(code: str) -> bool:
    """Count one guess of ``code``'s phone digits outside a view (SMS); False when the dossier's
    guesses for this hour are spent, and then the guess must not be checked."""
    if not limiter.enabled:
        return True
    prefix = getattr(limiter, "_key_prefix", "") or ""
    args = [prefix] if prefix else []
    return limiter.limiter.hit(parse(DIGITS_LIMIT), *args, digits_key(code), DIGITS_SCOPE)
