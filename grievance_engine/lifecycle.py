"""The ticket lifecycle: which status may follow which, in one table.

A status change is a `status_changed` event in the ticket's audit chain (with from,
to and reason); nothing is ever deleted. Change a ticket's status only through
`transition`.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from grievance_engine import events, hooks
from grievance_engine.models import Ticket, TicketEvent, TicketStatus
from infra import clock

S = TicketStatus

# Every allowed move. A status missing from a set is forbidden from that status.
ALLOWED: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset(
        {
            S.ASSIGNED,
            S.IN_PROGRESS,
            S.ESCALATED,
            S.AWAITING_CITIZEN,
            S.RESOLVED,
            S.REJECTED,
            S.DUPLICATE,
        }
    ),
    # assigned → new: transferred to an office's queue where nobody could take it yet
    # (routing.assignment), so that status and assignee always agree
    S.ASSIGNED: frozenset(
        {S.NEW, S.IN_PROGRESS, S.ESCALATED, S.AWAITING_CITIZEN, S.RESOLVED, S.REJECTED, S.DUPLICATE}
    ),
    # in_progress → assigned is a transfer to someone who has not started yet
    S.IN_PROGRESS: frozenset({S.ASSIGNED, S.ESCALATED, S.AWAITING_CITIZEN, S.RESOLVED, S.REJECTED}),
    # escalated → escalated is a further level up the ladder
    S.ESCALATED: frozenset(
        {S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_CITIZEN, S.RESOLVED, S.REJECTED, S.ESCALATED}
    ),
    S.AWAITING_CITIZEN: frozenset({S.IN_PROGRESS, S.ESCALATED, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.ESCALATED, S.RESOLVED}),
    S.DUPLICATE: frozenset(),  # final
    S.REJECTED: frozenset({S.REOPENED}),  # final, but the citizen may appeal
}

NEEDS_REASON = frozenset({S.REJECTED, S.DUPLICATE})

# Statuses in which someone still owes the citizen an outcome: the queues, assignment
# load, duplicate detection and mass events count these.
OPEN = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.ESCALATED, S.AWAITING_CITIZEN, S.REOPENED})


class TransitionError(ValueError):
    """A status change that cannot be made as asked; the message says why."""


class IllegalTransition(TransitionError):
    """The lifecycle does not allow moving from `current` to `requested`."""

    def __init__(
        self, current: TicketStatus, requested: TicketStatus, allowed: frozenset[TicketStatus]
    ) -> None:
        self.current, self.requested, self.allowed = current, requested, allowed
        choices = ", ".join(sorted(allowed)) or "none (final status)"
        super().__init__(
            f"a {current} ticket cannot become {requested}; allowed from {current}: {choices}"
        )


def allowed_from(status: str) -> frozenset[TicketStatus]:
    """The statuses a ticket in `status` may move to."""
    return ALLOWED[TicketStatus(status)]


def transition(
    *,
    session: Session,
    ticket: Ticket,
    to: TicketStatus,
    actor: str,
    reason: str | None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Move `ticket` to status `to` and record it (flushes; the caller commits).

    Raises `IllegalTransition` for a move the table forbids and `TransitionError` when
    a rejection or duplicate lacks its reason (or a duplicate its `data["original"]`).
    """
    to = TicketStatus(to)
    reason = (reason or "").strip() or None
    if to in NEEDS_REASON and reason is None:
        raise TransitionError(f"marking a ticket {to} needs a reason")
    if to == S.DUPLICATE and not (data or {}).get("original"):
        raise TransitionError('marking a ticket duplicate needs data={"original": <ref>}')
    # Lock the row and read the status afresh, so two officers acting at once cannot
    # both move the ticket from the same status.
    events.lock(session=session, ticket=ticket)
    current = TicketStatus(ticket.status)
    allowed = ALLOWED[current]
    if to not in allowed:
        raise IllegalTransition(current, to, allowed)
    now = clock.now()
    event = events.append(
        session=session,
        ticket=ticket,
        type="status_changed",
        at=now,
        actor=actor,
        data={**(data or {}), "from": str(current), "to": str(to), "reason": reason},
    )
    ticket.status = to
    if to == S.ESCALATED:
        ticket.escalation_level += 1
    ticket.updated_at = now
    hooks.transitioned(session, ticket, current, to)
    if not events.batching(session):  # in bulk, the rows are written together later
        session.flush()
    return event
