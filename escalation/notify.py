"""Who hears about an escalation or a coming deadline, and how: SMS to officers (they
often have feature phones too) and to the citizen, through the outbox.

The officer an escalated ticket is given to gets one SMS for it, saying what it is
(`routing.alerts.tell_assignee`, as any assignee does), and no digest line besides:
one SMS per assignee per ticket. The other alerts are gathered per person and sent as
one SMS per sweep (a digest): the officers of an office whose escalated ticket nobody
could take, and reminders, so an office that inherits forty tickets after a holiday
nobody could take gets one message each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from grievance_engine import actions, messages, outbox, refs
from grievance_engine.models import AdminArea, Category, Citizen, Office, Role, Ticket, User
from grievance_engine.place_names import reads_local_name
from routing import alerts

OFFICER_ROLES = (Role.OFFICER, Role.AGENT, Role.SUPERVISOR)
DIGEST_LIST = 6  # references named in one officer SMS; the rest are counted


@dataclass
class Digest:
    """Alerts for officers collected during one sweep, sent together by `send`."""

    escalated: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    reminders: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    # office id -> its officers, for unassigned tickets: read once per sweep batch
    officers: dict[int | None, list[int]] = field(default_factory=dict)
    told: int = 0  # assignees sent their own SMS by `escalated_to`

    def escalated_to(self, session: Session, ticket: Ticket) -> None:
        if ticket.assignee_id is not None:  # one SMS saying what it is, not a digest line
            alerts.tell_assignee(session=session, ticket=ticket)
            self.told += 1
            return
        for user_id in self._recipients(session, ticket):
            self.escalated[user_id].append(ticket.ref)

    def remind(self, session: Session, ticket: Ticket) -> None:
        for user_id in self._recipients(session, ticket):
            self.reminders[user_id].append(ticket.ref)

    def _recipients(self, session: Session, ticket: Ticket) -> list[int]:
        """The ticket's assignee; without one, every officer of its office."""
        if ticket.assignee_id is not None:
            return [ticket.assignee_id]
        if ticket.office_id not in self.officers:
            self.officers[ticket.office_id] = _officers(session, ticket.office_id)
        return self.officers[ticket.office_id]

    def send(self, session: Session) -> int:
        """One SMS per officer and kind; returns how many officer SMS were written
        (with the assignees' own)."""
        sent = self.told
        kinds = (("officer_escalated", self.escalated), ("officer_reminder", self.reminders))
        for kind, by_user in kinds:
            for user_id, ticket_refs in by_user.items():
                user = session.get(User, user_id)
                if user is None or not user.phone:
                    continue
                shown = [refs.display(r) for r in ticket_refs[:DIGEST_LIST]]
                more = len(ticket_refs) - len(shown)
                body = messages.render_sms(
                    kind, user.language, count=len(ticket_refs), refs=", ".join(shown), more=more
                )
                outbox.add(
                    session=session,
                    to_phone=user.phone,
                    body=body,
                    language=user.language,
                    kind=kind,
                )
                sent += 1
        return sent


def _officers(session: Session, office_id: int | None) -> list[int]:
    return list(
        session.exec(
            select(User.id).where(
                User.office_id == office_id,
                col(User.active),
                col(User.role).in_(OFFICER_ROLES),
            )
        ).all()
    )


def office_as_read(session: Session, ticket: Ticket) -> str:
    """The office now holding `ticket`, as the citizen reads it: a reader of the
    country's own language gets the name of the office's area in it."""
    office = session.get(Office, ticket.office_id) if ticket.office_id else None
    if office is None:
        return ""
    area = session.get(AdminArea, office.area_id) if office.area_id else None
    if area is not None and area.name_local and reads_local_name(area, ticket.language):
        return area.name_local
    if area is None and office.level == "national":
        # a national desk in the reader's words, never English inside a Bangla SMS
        return messages.render_sms("national_desk", ticket.language)
    return office.name


def tell_citizen_escalated(session: Session, ticket: Ticket) -> None:
    """The citizen hears their complaint went to a more senior office."""
    citizen = session.get(Citizen, ticket.citizen_id)
    category = session.get(Category, ticket.category_id)
    actions.sms_about(
        session=session,
        ticket=ticket,
        kind="escalated",
        # which deadline passed: taking it up, or settling it
        phrase="escalated" if ticket.acknowledged_at else "escalated_unacknowledged",
        to_phone=citizen.phone,
        opted_out=citizen.opted_out,  # the outbox would look the citizen up again by phone
        office=office_as_read(session, ticket),
        category=messages.category_for_citizen(category, ticket.language) if category else "",
    )
