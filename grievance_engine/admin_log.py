"""The record of changes to how the helpline runs: who added a user, moved a routing
rule, shortened an SLA, declared a holiday, renamed a category, issued an API token.

Each change is one `AdminEvent`, written in the same transaction as the change itself
(both commit or neither does), by the dashboards' admin pages and by the CLI. The
events form one hash chain, like a ticket's (see `grievance_engine.events` for why
plain SHA-256): `verify` recomputes it, and `nalish audit verify` reports it.

Concurrency: the chain has one head for the whole deployment, so a change holds a
transaction-scoped lock while it reads the head and appends (an advisory lock on
PostgreSQL, the write lock on SQLite). Admin changes are rare; the wait is nothing. The
unique `seq` refuses a forked chain whatever happens.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from grievance_engine.events import GENESIS, canonical_time, hashed_fields, sha256_of
from grievance_engine.models import AdminEvent
from infra import clock

# An arbitrary constant naming the chain's PostgreSQL advisory lock.
_ADVISORY_LOCK_KEY = 333_0001
_SERIALIZE = {
    "postgresql": text("SELECT pg_advisory_xact_lock(:key)"),
    # A write that changes nothing takes SQLite's one write lock before we read the head.
    "sqlite": text("UPDATE admin_event SET seq = seq WHERE 0 = 1"),
}
_VERIFY_BATCH = 1000


def cli_actor() -> str:
    """Who is at the terminal: `cli:<login name>` (the CLI has no signed-in user)."""
    try:
        return f"cli:{getpass.getuser()}"[:80]
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli"


def compute_hash(
    *, seq: int, at: datetime, actor: str, action: str, subject: str, data: dict, prev_hash: str
) -> str:
    """The SHA-256 (hex) of one change's canonical serialisation. A contract with
    whoever verifies a copy: change it only with a migration that rehashes the chain."""
    payload = {
        "seq": seq,
        "at": canonical_time(at),
        "actor": actor,
        "action": action,
        "subject": subject,
        "data": data,
        "prev_hash": prev_hash,
    }
    return sha256_of(payload)


def _hash_of(event: AdminEvent) -> str:
    return compute_hash(**hashed_fields(event))


def record(*, session: Session, actor: str, action: str, subject: str, **data: Any) -> AdminEvent:
    """Append one change to the chain; the caller's commit writes it with the change.

    `data` says what changed (new values, and old ones where they matter); it is stored
    exactly as hashed, so keep it to JSON values (dates and the like become strings).
    """
    session.flush()  # the change itself first: on SQLite this may take the write lock
    connection = session.connection()
    connection.execute(_SERIALIZE[connection.dialect.name], {"key": _ADVISORY_LOCK_KEY})
    head = session.exec(
        select(AdminEvent.seq, AdminEvent.hash).order_by(col(AdminEvent.seq).desc()).limit(1)
    ).first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    event = AdminEvent(
        seq=seq,
        at=clock.now().astimezone(UTC),
        actor=actor,
        action=action,
        subject=subject,
        data=json.loads(json.dumps(data, ensure_ascii=False, default=str)),
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = _hash_of(event)
    session.add(event)
    session.flush()
    return event


def recent(*, session: Session, limit: int = 100, subject: str | None = None) -> list[AdminEvent]:
    """The latest changes, newest first (of one `subject`, if given)."""
    statement = select(AdminEvent).order_by(col(AdminEvent.seq).desc()).limit(limit)
    if subject is not None:
        statement = statement.where(AdminEvent.subject == subject)
    return list(session.exec(statement))


def count(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(AdminEvent)).one()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the chain: at which `seq`, and what."""

    seq: int
    problem: str


def verify(*, session: Session) -> Iterator[Problem]:
    """Every problem in the chain: an altered change, a missing or reordered one.

    Streams in batches by `seq`, so a long history is checked in bounded memory."""
    expected_seq, prev_hash, last_seq = 1, GENESIS, 0
    while True:
        batch = session.exec(
            select(AdminEvent)
            .where(col(AdminEvent.seq) > last_seq)
            .order_by(col(AdminEvent.seq))
            .limit(_VERIFY_BATCH)
        ).all()
        if not batch:
            return
        for event in batch:
            if event.seq != expected_seq:
                yield Problem(event.seq, f"expected change {expected_seq}: one is missing")
            if event.prev_hash != prev_hash:
                yield Problem(event.seq, "does not follow the change before it")
            if _hash_of(event) != event.hash:
                yield Problem(event.seq, "altered after it was recorded")
            expected_seq, prev_hash, last_seq = event.seq + 1, event.hash, event.seq
            session.expunge(event)  # bounded memory: forget what we checked
