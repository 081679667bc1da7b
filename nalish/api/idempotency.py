"""`Idempotency-Key`: every retry of a request, even one racing the first, gets the
first request's answer, and the work is done once (Stripe's design:
https://stripe.com/blog/idempotency, https://docs.stripe.com/api/idempotent_requests).

How the race is decided: the request's first statement inserts a row keyed by (token,
key), `ON CONFLICT DO NOTHING`, in the same transaction as the work. The database
decides who wins. A concurrent retry's insert waits on that unique key until the first
transaction ends (PostgreSQL waits on the uncommitted row; SQLite has one writer):

- it committed: the insert does nothing, and the retry reads the stored status and
  body, written in that same transaction, and answers them again;
- it rolled back (a 4xx, a crash): the row is gone, the retry's insert succeeds, and
  the retry does the work itself, so it gets the answer the first would have got.

So nobody ever sees a key without its answer, and a key whose request died is free
again. A key reused with a different request is refused (422), never replayed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from grievance_engine.models import IdempotencyKey
from infra import clock
from nalish.api.deps import unprocessable

HEADER = "Idempotency-Key"
# Kept this long, as Stripe does; a retry after that still files nothing (the ticket's
# source key finds the ticket filed), it is only answered afresh.
KEEP = timedelta(hours=24)
REPLAYED = "Idempotent-Replayed"  # set on a replayed answer, as Stripe does

# Both dialects spell INSERT … ON CONFLICT DO NOTHING … RETURNING the same way.
_CLAIM = {
    name: dialect.insert(IdempotencyKey)
    .on_conflict_do_nothing(index_elements=["token_id", "key"])
    .returning(IdempotencyKey.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


@dataclass(frozen=True)
class Answer:
    """The first answer given for a key: what every retry gets back."""

    status_code: int
    body: dict[str, Any]


def request_hash(request: Any) -> str:
    """SHA-256 of a request body (a pydantic model): a reused key must carry the same."""
    canonical = json.dumps(jsonable_encoder(request), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(*, session: Session, token_id: int, key: str, digest: str) -> int | Answer:
    """Take `key` for this request: its row id (do the work, then `record` the answer),
    or the first request's `Answer` when it has one. Waits while a concurrent request
    with the key is still working. 422 if the key was used for a different request."""
    connection = session.connection()
    values = {
        "token_id": token_id,
        "key": key,
        "request_hash": digest,
        "created_at": clock.now(),
    }
    row_id = connection.execute(_CLAIM[connection.dialect.name], values).scalar()
    if row_id is not None:
        return row_id
    first = session.exec(
        select(IdempotencyKey).where(IdempotencyKey.token_id == token_id, IdempotencyKey.key == key)
    ).one()
    if first.request_hash != digest:
        raise unprocessable(
            ["header", HEADER],
            f"this {HEADER} was already used for a different request; "
            "use a new key for a new request",
        )
    return Answer(first.status_code, first.response)


def record(*, session: Session, row_id: int, answer: Answer) -> None:
    """Store the answer with the work, in the same transaction (the caller commits)."""
    session.connection().execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == row_id)
        .values(status_code=answer.status_code, response=jsonable_encoder(answer.body))
    )


def purge(*, session: Session) -> int:
    """Forget keys older than `KEEP`; returns how many."""
    cutoff = clock.now() - KEEP
    result = session.connection().execute(
        delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < cutoff)
    )
    return result.rowcount
