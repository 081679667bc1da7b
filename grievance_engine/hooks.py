"""Hooks: what a higher package does when a ticket is created or changes status.

`escalation` keeps each ticket's SLA clock this way (stamp a deadline at filing, pause
it while waiting for the citizen, stop it at resolution) without the engine knowing
about calendars, and without every caller of intake having to remember. A hook runs
inside the same transaction as the change that calls it. A `created` hook runs just
before the new ticket's row is written (it has no id yet), so what it sets is saved
with the row.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from grievance_engine.models import Ticket, TicketStatus

Created = Callable[[Session, Ticket], None]
Transitioned = Callable[[Session, Ticket, TicketStatus, TicketStatus], None]

CREATED: list[Created] = []
TRANSITIONED: list[Transitioned] = []


def on_created(hook: Created) -> Created:
    if hook not in CREATED:
        CREATED.append(hook)
    return hook


def on_transitioned(hook: Transitioned) -> Transitioned:
    if hook not in TRANSITIONED:
        TRANSITIONED.append(hook)
    return hook


def created(session: Session, ticket: Ticket) -> None:
    for hook in CREATED:
        hook(session, ticket)


def transitioned(
    session: Session, ticket: Ticket, before: TicketStatus, after: TicketStatus
) -> None:
    for hook in TRANSITIONED:
        hook(session, ticket, before, after)
