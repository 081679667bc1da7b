"""The work queue the outbox and attachment fetches share: rows `pending` until their
`next_attempt_at`, listed by the sweep (on the `status, next_attempt_at` index) and
taken by one worker with one conditional UPDATE, so two workers never both act; the
sweep first settles rows a dead worker left half-done.

Each module says what else a row must satisfy (attachments: attempts left) and what
a claim writes (the outbox: `sending`; attachments: a lease).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, SQLModel, col, select

from infra import background_jobs
from infra.db import session_scope

PENDING = "pending"  # NotificationStatus.PENDING and AttachmentStatus.PENDING


def _due(model: type[SQLModel], now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (col(model.status) == PENDING, col(model.next_attempt_at) <= now)


def due_ids(
    *,
    session: Session,
    model: type[SQLModel],
    now: datetime,
    also: tuple[ColumnElement[bool], ...] = (),
    limit: int,
) -> list[int]:
    """The ids of pending rows whose attempt time has come, oldest first."""
    statement = (
        select(model.id)
        .where(*_due(model, now), *also)
        .order_by(col(model.next_attempt_at))
        .limit(limit)
    )
    return list(session.exec(statement))


def claim(
    *,
    session: Session,
    model: type[SQLModel],
    row_id: int,
    now: datetime,
    also: tuple[ColumnElement[bool], ...] = (),
    **values: Any,
) -> bool:
    """Take row `row_id` if it is still due, writing `values`; False when another worker
    took it first (or it is not due): the UPDATE matched nothing."""
    claimed = session.exec(
        update(model).where(col(model.id) == row_id, *_due(model, now), *also).values(**values)
    )
    return claimed.rowcount == 1


def enqueue_due(
    *,
    job_queue: background_jobs.JobQueue,
    job: Callable[[int], Any],
    settle: Callable[..., int],
    list_due: Callable[..., list[int]],
) -> int:
    """The sweep: `settle` what dead workers left, then enqueue `job` for each row
    `list_due` gives (in one transaction, then after it); returns how many."""
    with session_scope() as session:
        settle(session=session)
        ids = list_due(session=session)
    for row_id in ids:
        job_queue.enqueue(job, row_id)
    return len(ids)
