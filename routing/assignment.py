"""Assignment: who, within the office and queue a ticket was routed to, works it.

Automatic assignment gives a ticket to the available person of its office and queue
(active, not away) who speaks the ticket's language and has the fewest open tickets,
the earliest-created person winning a tie. When nobody available speaks the language,
the ticket stays unassigned in its queue, where agents see it, rather than go to
someone who cannot read it.

People also claim a ticket from the queue, and transfer one (to a person or to another
office) with a reason. Every change is an `assigned` or `transferred` event; the status
moves to `assigned` through the lifecycle table.

Whoever is given a ticket by someone else (intake, a supervisor, a transfer) gets one
SMS saying what it is (`alerts.tell_assignee`); a claim tells nobody. Escalation
assigns with `tell=False` and tells the last rung's assignee itself, once per sweep
(`escalation.notify.Digest`), so a catch-up over several rungs sends one SMS.
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, and_, col, func, select

from grievance_engine import actions, events, lifecycle
from grievance_engine.models import Office, Role, Ticket, TicketEvent, TicketStatus, User
from routing import alerts

WORKER_ROLES = (Role.AGENT, Role.OFFICER)


class AssignmentError(ValueError):
    """An assignment that cannot be made as asked; the message says why."""


def available(*, session: Session, ticket: Ticket) -> list[tuple[User, int]]:
    """People who could take `ticket` now — its office and queue, active, not away,
    speaking its language — each with how many open tickets they hold (one query)."""
    if ticket.office_id is None:
        return []
    rows = session.exec(_AVAILABLE, params={"office_id": ticket.office_id}).all()
    return [
        (person, open_count)
        for person, open_count in rows
        if (not person.queues or ticket.queue in person.queues) and person.speaks(ticket.language)
    ]


# Built once: intake runs it for every ticket.
_AVAILABLE = (
    select(User, func.count(col(Ticket.id)))
    .outerjoin(Ticket, and_(Ticket.assignee_id == User.id, col(Ticket.status).in_(lifecycle.OPEN)))
    .where(
        User.office_id == bindparam("office_id"),
        col(User.active),
        col(User.away).is_(False),
        col(User.role).in_(WORKER_ROLES),
    )
    .group_by(col(User.id))
)


def auto_assign(
    *,
    session: Session,
    ticket: Ticket,
    actor: str = "system",
    keep_status: bool = False,
    tell: bool = True,
) -> User | None:
    """Give `ticket` to the least-loaded available speaker of its language; None (and
    the ticket stays in its queue) when there is nobody."""
    return assign_least_loaded(
        session=session,
        ticket=ticket,
        pool=available(session=session, ticket=ticket),
        actor=actor,
        keep_status=keep_status,
        tell=tell,
    )


def assign_least_loaded(
    *,
    session: Session,
    ticket: Ticket,
    pool: list[tuple[User, int]],
    actor: str,
    keep_status: bool,
    tell: bool = True,
) -> User | None:
    """Give `ticket` to whoever in `pool` (people with their open-ticket counts, as
    `available` reads them) holds the fewest, the earliest-created winning a tie; None
    when the pool is empty. The one choice rule, also for the sweep's cached pools."""
    if not pool:
        return None
    chosen, open_count = min(pool, key=lambda entry: (entry[1], entry[0].id))
    reason = f"fewest open tickets ({open_count}) among {len(pool)} available"
    assign(
        session=session,
        ticket=ticket,
        user=chosen,
        actor=actor,
        reason=reason,
        keep_status=keep_status,
        tell=tell,
    )
    return chosen


def assign(
    *,
    session: Session,
    ticket: Ticket,
    user: User,
    actor: str,
    reason: str | None = None,
    keep_status: bool = False,
    keep_office: bool = False,
    tell: bool = True,
) -> TicketEvent:
    """Give `ticket` to `user`. Taking it from someone else is a transfer and needs a
    reason; a person in another office brings the ticket to that office, unless
    `keep_office` (a claim: the national desk's agent who takes a district's ticket
    works it for that district, which keeps seeing it).

    `keep_status` leaves the status alone (an escalated ticket stays `escalated` for
    the officer it now belongs to); otherwise a new ticket becomes `assigned`.
    `tell`: SMS `user` what the ticket is, unless they took it themselves.
    """
    if not user.active:
        raise AssignmentError(f"{user.email} is not an active user")
    if user.away:
        raise AssignmentError(f"{user.email} is marked away; choose someone else")
    if ticket.assignee_id == user.id:
        raise AssignmentError(f"the ticket is already assigned to {user.email}")
    reason = (reason or "").strip() or None
    previous = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    if previous is not None and reason is None:
        raise AssignmentError(
            f"the ticket is assigned to {previous.email}; transferring it needs a reason"
        )
    _check_status(ticket)
    from_office = ticket.office_id
    ticket.assignee_id = user.id
    if user.office_id is not None and not keep_office:
        ticket.office_id = user.office_id
    event = events.append(
        session=session,
        ticket=ticket,
        type="assigned",
        actor=actor,
        data={
            "assignee_id": user.id,
            "assignee": user.email,
            "previous": previous.email if previous else None,
            "office_id": ticket.office_id,
            "from_office_id": from_office if from_office != ticket.office_id else None,
            "reason": reason,
        },
    )
    if (
        not keep_status
        and ticket.status != TicketStatus.ASSIGNED
        and TicketStatus.ASSIGNED in lifecycle.allowed_from(ticket.status)
    ):
        lifecycle.transition(
            session=session,
            ticket=ticket,
            to=TicketStatus.ASSIGNED,
            actor=actor,
            reason=f"assigned to {user.email}",
        )
    if tell and actor != f"user:{user.id}":  # someone who took it knows what it is
        alerts.tell_assignee(session=session, ticket=ticket)
    return event


def _check_status(ticket: Ticket) -> None:
    if ticket.status not in lifecycle.OPEN:
        raise AssignmentError(f"a {ticket.status} ticket cannot be assigned")


def claim(*, session: Session, ticket: Ticket, user: User) -> TicketEvent:
    """`user` takes an unassigned ticket from their queue."""
    if ticket.assignee_id is not None and ticket.assignee_id != user.id:
        holder = session.get(User, ticket.assignee_id)
        raise AssignmentError(
            f"the ticket is already assigned to {holder.email if holder else 'someone'}; "
            "ask for a transfer"
        )
    event = assign(
        session=session, ticket=ticket, user=user, actor=f"user:{user.id}", keep_office=True
    )
    actions.tell_citizen(session=session, ticket=ticket, kind="assigned")  # a person has it
    return event


def transfer_to_office(
    *, session: Session, ticket: Ticket, office: Office, actor: str, reason: str
) -> TicketEvent:
    """Send `ticket` to another office's default queue (wrong district, another
    department…) with a reason; it is then assigned there automatically if it can be."""
    reason = reason.strip()
    if not reason:
        raise AssignmentError("transferring a ticket needs a reason")
    if not office.active:
        raise AssignmentError(f"{office.name} is not an active office")
    if office.id == ticket.office_id:
        raise AssignmentError(f"the ticket is already with {office.name}")
    _check_status(ticket)
    event = events.append(
        session=session,
        ticket=ticket,
        type="transferred",
        actor=actor,
        data={
            "from_office_id": ticket.office_id,
            "to_office_id": office.id,
            "to_office": office.name,
            "previous_assignee_id": ticket.assignee_id,
            "reason": reason,
        },
    )
    ticket.office_id = office.id
    ticket.queue = "default"
    ticket.assignee_id = None
    session.flush()
    if auto_assign(session=session, ticket=ticket, actor=actor) is None:
        _back_to_the_queue(session=session, ticket=ticket, actor=actor, office=office)
    return event


def _back_to_the_queue(*, session: Session, ticket: Ticket, actor: str, office: Office) -> None:
    """An assigned ticket that nobody at its new office could take waits in that
    office's queue as `new`: its status never says "assigned" without an assignee."""
    if ticket.status == TicketStatus.ASSIGNED:
        lifecycle.transition(
            session=session,
            ticket=ticket,
            to=TicketStatus.NEW,
            actor=actor,
            reason=f"waiting in the queue of {office.name}",
        )


def set_away(*, session: Session, user: User, away: bool) -> User:
    """Mark `user` away (assignment passes them by) or back. Their open tickets stay
    theirs: a supervisor transfers them if the absence is long."""
    user.away = away
    session.add(user)
    session.flush()
    return user
