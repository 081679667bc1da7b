"""An appeal: the citizen's `APPEAL <ref>` after a rejection or a resolution.

As in Bangladesh's Grievance Redress System, an appeal goes one level up (the UNO's
decision to the DC, the DC's to the Divisional Commissioner…) and that office has 20
working days to decide it. A ticket is appealed once; the appeal itself is decided by
resolving or rejecting it as any ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from escalation import catalogue, ladder, notify
from grievance_engine import events, lifecycle
from grievance_engine.models import Office, Ticket, TicketEvent
from grievance_engine.models import TicketStatus as S
from infra import clock

APPEAL_WORKING_DAYS = 20  # GRS: an appeal is decided within 20 working days
APPEALABLE = frozenset({S.RESOLVED, S.REJECTED, S.CLOSED})


class AppealError(ValueError):
    """A ticket that cannot be appealed now (open, or appealed already)."""


@dataclass(frozen=True)
class Appeal:
    office: Office
    due_at: datetime


def appeal(*, session: Session, ticket: Ticket, actor: str) -> Appeal:
    """Move `ticket` one rung up with the appeal's deadline; its new office's officers
    are told, and the citizen by the caller's reply. Raises `AppealError` when the
    ticket is open, appealed already, or at the top of the ladder. Flushes."""
    events.lock(session=session, ticket=ticket)  # the sweep may be closing it right now
    if ticket.status not in APPEALABLE or _appealed_before(session, ticket):
        raise AppealError(f"ticket {ticket.ref} cannot be appealed now")
    office = session.get(Office, ticket.office_id) if ticket.office_id else None
    if ladder.next_office(session, office) is None:
        raise AppealError(f"ticket {ticket.ref} is at the top of the ladder")
    lifecycle.transition(session=session, ticket=ticket, to=S.REOPENED, actor=actor,
                         reason="appealed by the citizen")  # fmt: skip
    ticket.rating_due_at = None  # an appeal answers the resolution instead of a rating
    above = ladder.escalate(session, ticket, actor=actor, reason="appeal")
    now = clock.now()
    due = catalogue.calendar(session).add_working_days(now, APPEAL_WORKING_DAYS)
    ticket.sla_target, ticket.sla_started_at, ticket.sla_due_at = "resolve", now, due
    ticket.reminder_due_at = None
    events.append(session=session, ticket=ticket, type="appealed", actor=actor,
                  data={"to_office": above.code, "due_at": due.isoformat(),
                        "working_days": APPEAL_WORKING_DAYS})  # fmt: skip
    digest = notify.Digest()
    digest.escalated_to(session, ticket)
    digest.send(session)
    session.flush()
    return Appeal(above, due)


def _appealed_before(session: Session, ticket: Ticket) -> bool:
    return (
        session.exec(
            select(TicketEvent.id).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.type == "appealed"
            )
        ).first()
        is not None
    )
