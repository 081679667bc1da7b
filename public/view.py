"""A ticket as the public may see it: the one place that decides what leaves Nalish
without a sign-in (Open311, /track, webhooks' public fields).

Never here: the phone, any name, the assignee, notes written for staff. A sensitive
category (`Category.sensitive`) is not named, only called a confidential matter; a
sensitive or anonymous ticket's description, upazila and notes to the citizen are
left out too, since they may point at the person. The tracking page shows no
description at all; Open311 shows the others' (as FixMyStreet does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from escalation.sweep import ACTOR as SLA_ACTOR  # escalated by it: a deadline missed
from grievance_engine import refs
from grievance_engine.models import AdminArea, Category, Office, Ticket, TicketEvent, TicketStatus
from grievance_engine.place_names import local_name

# Statuses Open311 calls "closed": nothing more will be done.
CLOSED = frozenset(
    {TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.DUPLICATE, TicketStatus.REJECTED}
)
# The statuses whose reason was told to the citizen by SMS (what was done, why not).
_TOLD_TO_CITIZEN = frozenset({TicketStatus.RESOLVED, TicketStatus.REJECTED})


@dataclass(frozen=True)
class StatusStep:
    """One step of a ticket's public history: it became `status` at `at`."""

    status: str
    at: datetime


@dataclass(frozen=True)
class PublicTicket:
    """What anyone may know of a ticket."""

    ref: str  # as displayed, XXXX-XXXX
    status: str
    closed: bool
    category_code: str | None  # None for a sensitive category
    category: Category
    sensitive: bool
    anonymous: bool
    description: str | None  # None for a sensitive or anonymous ticket
    district: AdminArea
    upazila: AdminArea | None
    office: str | None  # its name as staff know it (English, as seeded)
    office_level: str | None  # upazila, district, division, national
    office_area: AdminArea | None  # the area it serves (None: national)
    created_at: datetime
    updated_at: datetime
    deadline: datetime | None  # the running deadline, if the clock runs
    deadline_met: bool | None  # None while undecided
    history: tuple[StatusStep, ...]
    status_notes: str | None  # the last note the citizen was told, where it may be shown

    def category_label(self, language: str, confidential: str) -> str:
        """The category's name in `language`, or `confidential` for a sensitive one."""
        return confidential if self.sensitive else self.category.label(language)

    def district_name(self, language: str) -> str:
        return local_name(self.district, language)

    def office_place(self, language: str) -> str:
        """The office's area in `language` ("" for the national desk)."""
        return local_name(self.office_area, language) if self.office_area else ""


def public_ticket(*, session: Session, ticket: Ticket) -> PublicTicket:
    category = session.get(Category, ticket.category_id)
    district = session.get(AdminArea, ticket.district_id)
    assert category is not None and district is not None  # foreign keys
    upazila = session.get(AdminArea, ticket.upazila_id) if ticket.upazila_id else None
    office = session.get(Office, ticket.office_id) if ticket.office_id else None
    events = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .where(col(TicketEvent.type).in_(("created", "status_changed", "sla_breached")))
        .order_by(col(TicketEvent.seq))
    ).all()
    history = [StatusStep(TicketStatus.NEW, ticket.created_at)]
    notes: str | None = None
    breached = False
    for event in events:
        if event.type == "sla_breached":
            breached = True
        elif event.type == "status_changed":
            history.append(StatusStep(str(event.data.get("to")), event.at))
            breached = breached or (
                event.data.get("to") == TicketStatus.ESCALATED and event.actor == SLA_ACTOR
            )
            if event.data.get("to") in _TOLD_TO_CITIZEN:
                notes = event.data.get("reason")
    closed = ticket.status in CLOSED
    private = category.sensitive or ticket.anonymous
    return PublicTicket(
        ref=refs.display(ticket.ref),
        status=ticket.status,
        closed=closed,
        category_code=None if category.sensitive else category.code,
        category=category,
        sensitive=category.sensitive,
        anonymous=ticket.anonymous,
        description=None if private else ticket.description,
        district=district,
        upazila=None if private else upazila,
        office=office.name if office else None,
        office_level=office.level if office else None,
        office_area=session.get(AdminArea, office.area_id) if office and office.area_id else None,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        deadline=ticket.sla_due_at,
        deadline_met=_deadline_met(breached=breached, closed=closed),
        history=tuple(history),
        status_notes=None if private else notes,
    )


def _deadline_met(*, breached: bool, closed: bool) -> bool | None:
    """Missed once any deadline passed (the SLA sweep records it), met when closed
    without one passing, undecided while open and on time."""
    if breached:
        return False
    return True if closed else None
