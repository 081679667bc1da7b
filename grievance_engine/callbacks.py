"""Call-back tasks: calls agents owe citizens. A citizen asks for one from the menus
("ask for a call back"), and an SMS that could not be delivered leaves one, because a
failed SMS is not a closed loop.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from grievance_engine import refs
from grievance_engine.models import CallbackStatus, CallbackTask, Ticket
from infra import clock


class CallbackError(ValueError):
    """A task that cannot be changed as asked; the message says why."""


def request(
    *,
    session: Session,
    phone: str,
    language: str,
    reason: str,
    source_key: str | None = None,
    ticket_id: int | None = None,
    notification_id: int | None = None,
    recording_url: str | None = None,
) -> CallbackTask:
    """Queue a call to `phone` (with the voice message the caller left, if any).
    Idempotent on `source_key` (its unique constraint decides a race between two
    requests); flushes, the caller commits."""
    if source_key:
        existing = _by_source_key(session, source_key)
        if existing is not None:
            return existing
    task = CallbackTask(
        phone=phone,
        language=language,
        reason=reason[:200],
        source_key=source_key,
        ticket_id=ticket_id,
        notification_id=notification_id,
        recording_url=recording_url,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(task)
            session.flush()
    except IntegrityError:
        existing = _by_source_key(session, source_key) if source_key else None
        if existing is None:
            raise
        return existing
    return task


def _by_source_key(session: Session, source_key: str) -> CallbackTask | None:
    return session.exec(select(CallbackTask).where(CallbackTask.source_key == source_key)).first()


def complete(*, session: Session, task_id: int, actor: str, outcome: str) -> CallbackTask:
    """Mark a call made, saying how it went."""
    task = session.get(CallbackTask, task_id)
    if task is None:
        raise CallbackError(f"no call-back task #{task_id}")
    if task.status != CallbackStatus.OPEN:
        raise CallbackError(f"call-back task #{task_id} is already {task.status}")
    if not outcome.strip():
        raise CallbackError("say how the call went (reached, no answer, wrong number…)")
    task.status, task.done_at = CallbackStatus.DONE, clock.now()
    task.done_by, task.outcome = actor, outcome.strip()[:500]
    session.flush()
    return task


def list_public(
    *, session: Session, status: str | None = CallbackStatus.OPEN
) -> list[dict[str, Any]]:
    """Tasks as `nalish callbacks list --json` prints them, oldest first."""
    statement = (
        select(CallbackTask, Ticket.ref)
        .outerjoin(Ticket, col(Ticket.id) == CallbackTask.ticket_id)
        .order_by(col(CallbackTask.created_at), col(CallbackTask.id))
    )
    if status:
        statement = statement.where(CallbackTask.status == CallbackStatus(status))
    return [
        {
            "id": task.id,
            "phone": task.phone,
            "language": task.language,
            "reason": task.reason,
            "ticket_ref": refs.display(ref) if ref else None,
            "status": task.status,
            "created_at": task.created_at.isoformat(),
            "done_at": task.done_at.isoformat() if task.done_at else None,
            "outcome": task.outcome,
            "source_key": task.source_key,
            "recording_url": task.recording_url,
        }
        for task, ref in session.exec(statement)
    ]
