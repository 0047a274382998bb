"""Sign-in throttling: per account and per IP, counted in the database so it holds across
gunicorn workers. A locked account says when to try again instead of failing silently."""

from __future__ import annotations

import math
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import LoginAttempt, Officer, utcnow

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_IP = 20


def minutes_locked(username: str, ip: str) -> int:
    """Minutes until another attempt is allowed (0 = allowed now)."""
    since = utcnow() - WINDOW
    waits = []
    for column, value, limit in ((LoginAttempt.username, username.lower(), MAX_PER_ACCOUNT),
                                 (LoginAttempt.ip, ip, MAX_PER_IP)):
        times = list(db.session.scalars(
            sa.select(LoginAttempt.at).where(column == value, LoginAttempt.at >= since)
            .order_by(LoginAttempt.at.desc()).limit(limit)
        ))
        if len(times) >= limit:
            free_at = times[-1] + WINDOW
            waits.append(math.ceil((free_at - utcnow()).total_seconds() / 60))
    return max([0, *waits])


def authenticate(username: str, password: str, ip: str) -> Officer | None:
    """The officer when the password is right; records a failed attempt otherwise."""
    officer = db.session.scalars(
        sa.select(Officer).where(sa.func.lower(Officer.username) == username.lower())
    ).first()
    if officer is not None and officer.active and officer.check_password(password):
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username.lower()))
        db.session.commit()
        return officer
    db.session.add(LoginAttempt(username=username.lower()[:40], ip=ip[:45]))
    db.session.commit()
    return None
