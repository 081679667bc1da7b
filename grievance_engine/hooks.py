"""Hooks: what a higher package does when a ticket is created or changes status.

`escalation` keeps each ticket's SLA clock this way (stamp a deadline at filing, pause
it while waiting for the citizen, stop it at resolution) without the engine knowing
about calendars, and without every caller of intake having to remember. A hook runs
inside the same transaction as the change that calls it. A `created` hook runs just
before the new ticket's row is written (it has no id yet), so what it sets is saved
with the row.

`channels.delivery` applies a delivery report that outran the send this way: the
outbox calls `message_id_saved` once a provider's message id is committed, without the
engine importing a layer above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlmodel import Session

from grievance_engine.models import Ticket, TicketStatus

Created = Callable[[Session, Ticket], None]
Transitioned = Callable[[Session, Ticket, TicketStatus, TicketStatus], None]


class MessageIdSaved(Protocol):
    def __call__(self, *, session: Session, provider: str, provider_message_id: str) -> object: ...


CREATED: list[Created] = []
TRANSITIONED: list[Transitioned] = []
MESSAGE_ID_SAVED: list[MessageIdSaved] = []


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


def on_message_id_saved(hook: MessageIdSaved) -> MessageIdSaved:
    if hook not in MESSAGE_ID_SAVED:
        MESSAGE_ID_SAVED.append(hook)
    return hook


def message_id_saved(session: Session, *, provider: str, provider_message_id: str) -> None:
    for hook in MESSAGE_ID_SAVED:
        hook(session=session, provider=provider, provider_message_id=provider_message_id)
