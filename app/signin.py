"""Sign-in throttling, counted in the database so it holds across gunicorn workers. A locked
sign-in says when to try again instead of failing silently.

A stranger must not be able to lock the real officer out (issue 12, item 10), so failures are
counted per (account, address), not per account:

* 5 failures for one account from one address in 15 minutes lock that pair only;
* 20 failures from one address in 15 minutes lock that address (a guesser of usernames);
* an account under attack from many addresses (20 failures in 15 minutes from anywhere) is
  closed to addresses it has never signed in from (90 days), while the officer's own PCs —
  where they signed in before — keep their per-pair allowance.

Unknown usernames cost the same scrypt work as known ones (item 9), so the time of the answer
does not tell whether an account exists.
"""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import LoginAttempt, Officer, utcnow

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT_AND_IP = 5
MAX_PER_IP = 20
#: Failures on one account from all addresses that mark it as under attack.
MAX_PER_ACCOUNT = 20
#: How long an address where the officer signed in stays "theirs".
KNOWN_FOR = timedelta(days=90)


def _wait(conditions: list, limit: int) -> int:
    """Minutes until fewer than ``limit`` failures matching ``conditions`` are in the window."""
    times = list(db.session.scalars(
        sa.select(LoginAttempt.at)
        .where(*conditions, ~LoginAttempt.succeeded, LoginAttempt.at >= utcnow() - WINDOW)
        .order_by(LoginAttempt.at.desc()).limit(limit)
    ))
    if len(times) < limit:
        return 0
    return max(1, math.ceil((times[-1] + WINDOW - utcnow()).total_seconds() / 60))


def _known_address(username: str, ip: str) -> bool:
    return db.session.scalars(
        sa.select(LoginAttempt.id).where(
            LoginAttempt.username == username, LoginAttempt.ip == ip, LoginAttempt.succeeded,
            LoginAttempt.at >= utcnow() - KNOWN_FOR,
        )
    ).first() is not None


def minutes_locked(username: str, ip: str) -> int:
    """Minutes until another attempt is allowed from ``ip`` for ``username`` (0 = now)."""
    username = username.lower()[:40]
    ip = ip[:45]
    waits = [
        _wait([LoginAttempt.username == username, LoginAttempt.ip == ip],
              MAX_PER_ACCOUNT_AND_IP),
        _wait([LoginAttempt.ip == ip], MAX_PER_IP),
    ]
    if not _known_address(username, ip):
        waits.append(_wait([LoginAttempt.username == username], MAX_PER_ACCOUNT))
    return max(waits)


@cache
def _dummy_hash() -> str:
    # Same method and parameters as Officer.set_password: the same work, whatever the name.
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def authenticate(username: str, password: str, ip: str) -> Officer | None:
    """The officer when the password is right; records a failed attempt otherwise."""
    name = username.lower()[:40]
    officer = db.session.scalars(
        sa.select(Officer).where(sa.func.lower(Officer.username) == username.lower())
    ).first()
    if officer is not None and officer.active and officer.password_hash:
        ok = officer.check_password(password)
    else:
        # No such (usable) account: hash anyway, or the quick answer would say so.
        check_password_hash(_dummy_hash(), password)
        ok = False
    if ok:
        assert officer is not None
        # This pair's failures are forgiven; the address is now one the officer uses.
        db.session.execute(sa.delete(LoginAttempt).where(
            LoginAttempt.username == name, LoginAttempt.ip == ip[:45]))
        db.session.add(LoginAttempt(username=name, ip=ip[:45], succeeded=True))
        db.session.commit()
        return officer
    db.session.add(LoginAttempt(username=name, ip=ip[:45]))
    db.session.commit()
    return None
