"""Login rate limits: failed sign-ins per account and per client address, kept in the database.

The counts live in `login_attempts`, so every uvicorn process (and every machine) sees the
same numbers on SQLite and PostgreSQL. Two simultaneous guesses can both pass a check that
either alone would fail, so a limit may be overshot by the number of concurrent requests;
that bounds guessing just as well. A successful sign-in clears the account's failures.

Usage:
    check_login_allowed(session=session, account=email, address=ip, settings=settings)
    record_login_failure(session=session, account=email, address=ip)
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, delete, select

from api.auth.models import LoginAttempt
from api.core.config import Settings
from api.core.db import utcnow
from api.errors import LoginRateLimited

__all__ = ["check_login_allowed", "clear_login_failures", "record_login_failure"]

ACCOUNT_MAX_CHARS = 254
ADDRESS_MAX_CHARS = 64


def _keys(account: str, address: str) -> tuple[str, str]:
    return account.strip().lower()[:ACCOUNT_MAX_CHARS], address[:ADDRESS_MAX_CHARS]


def _retry_after(
    session: Session, where: ColumnElement[bool], since: datetime, limit: int, window: timedelta
) -> int | None:
    """Seconds until fewer than `limit` failures remain in the window, or None if allowed."""
    recent = session.exec(
        select(LoginAttempt.attempted_at)
        .where(where, col(LoginAttempt.attempted_at) > since)
        .order_by(col(LoginAttempt.attempted_at).desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    frees_at = recent[-1] + window
    return max(1, math.ceil((frees_at - utcnow()).total_seconds()))


def check_login_allowed(
    *, session: Session, account: str, address: str, settings: Settings
) -> None:
    """Raise `LoginRateLimited` (with Retry-After) when the account or address is over limit."""
    account, address = _keys(account, address)
    window = timedelta(seconds=settings.login_window_seconds)
    since = utcnow() - window
    for where, limit in (
        (col(LoginAttempt.account) == account, settings.login_max_failures_per_account),
        (col(LoginAttempt.address) == address, settings.login_max_failures_per_address),
    ):
        wait = _retry_after(session, where, since, limit, window)
        if wait is not None:
            raise LoginRateLimited(retry_after=wait)


def record_login_failure(
    *, session: Session, account: str, address: str, settings: Settings
) -> None:
    """Remember one failed sign-in, and forget failures older than the window."""
    account, address = _keys(account, address)
    cutoff = utcnow() - timedelta(seconds=settings.login_window_seconds)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.attempted_at) <= cutoff))
    session.add(LoginAttempt(account=account, address=address))
    session.flush()


def clear_login_failures(*, session: Session, account: str) -> None:
    """Forget an account's failures after it signed in successfully."""
    account, _ = _keys(account, "")
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.account) == account))
    session.flush()
