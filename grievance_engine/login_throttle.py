"""Sign-in attempts counted per account and per address, atomically.

`count()` adds one attempt for a subject and returns its number within the window in
one statement (INSERT … ON CONFLICT DO UPDATE … RETURNING): attempts racing each get
their own number, so exactly the ones past the limit are refused, whatever is typed.
A read-then-write count (the session store's get and set) let 30 parallel attempts
all read "under the limit" and the right password in the 21st sign in.

Subjects are stored as SHA-256 hashes: the table names no email and no address.
Services flush nothing and commit nothing; the caller commits (before it verifies).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from grievance_engine.models import LoginThrottle
from infra import clock
from infra.db import UTCDateTime

_TABLE = LoginThrottle.__table__
WINDOW_SECONDS = 15 * 60  # a count runs this long from its first attempt


def subject(kind: str, value: str) -> str:
    """The stored subject for an account (`email`) or an address (`address`)."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def count(*, session: Session, subject: str, window_seconds: int) -> int:
    """Count one attempt for `subject`; returns its number in the current window (1 for
    the first, or the first after the window ran out, which starts a new window)."""
    now = clock.now()
    at = literal(now, type_=UTCDateTime())
    expired = _TABLE.c.window_started_at < literal(
        now - timedelta(seconds=window_seconds), type_=UTCDateTime()
    )
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(LoginThrottle)
        .values(subject=subject, attempts=1, window_started_at=now)
        .on_conflict_do_update(
            index_elements=["subject"],
            # Both read the row as it was: a window that ran out restarts at 1, now.
            set_={
                "attempts": case((expired, 1), else_=_TABLE.c.attempts + 1),
                "window_started_at": case((expired, at), else_=_TABLE.c.window_started_at),
            },
        )
        .returning(_TABLE.c.attempts)
    )
    return connection.execute(statement).scalar_one()


def forget(*, session: Session, subject: str) -> None:
    """Start `subject` afresh (its owner proved the password)."""
    session.connection().execute(delete(LoginThrottle).where(_TABLE.c.subject == subject))


def refund(*, session: Session, subject: str) -> None:
    """Take back one attempt that succeeded: an address shared by a whole call centre
    is limited by its failures, not by its colleagues' sign-ins (and a valid account
    refunds only its own attempts, so it cannot buy guesses at others)."""
    session.connection().execute(
        update(LoginThrottle)
        .where(_TABLE.c.subject == subject, _TABLE.c.attempts > 0)
        .values(attempts=_TABLE.c.attempts - 1)
    )


def purge(*, session: Session, window_seconds: int = WINDOW_SECONDS) -> int:
    """Delete the counts whose window has run out (they would restart at 1 anyway):
    guesses at made-up emails leave a row each. Returns how many."""
    cutoff = clock.now() - timedelta(seconds=window_seconds)
    result = session.connection().execute(
        delete(LoginThrottle).where(_TABLE.c.window_started_at < cutoff)
    )
    return result.rowcount
