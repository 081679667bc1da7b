"""The escalation ladder: upazila office (the UNO's) → district office (the DC's) →
divisional office → the national grievance desk (not the call centre's triage desk,
which only sorts what nobody's rule covers), and what moving a ticket one rung up does.

Escalating records a `status_changed` event (to `escalated`, one per rung, with why),
moves the ticket to the next office, gives it to an available officer there (it stays
`escalated` for them) and starts the clock at the new level. Telling people — the new
owner by SMS, the citizen — is the caller's part (`escalation.notify.Digest`), so a
catch-up over several rungs sends one message, not one per rung.

A sweep escalates hundreds of tickets per transaction, mostly from a few offices to
fewer: it passes a `Rungs`, so each office's available people are looked up once per
batch and its next rung once per sweep, instead of once per ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from escalation import deadlines
from grievance_engine import lifecycle
from grievance_engine.models import AdminArea, Office, OfficeLevel, Ticket, TicketStatus, User
from infra import clock
from routing import assignment
from routing.service import NATIONAL_GRIEVANCE, NATIONAL_TRIAGE

_NEXT = {
    OfficeLevel.UPAZILA: OfficeLevel.DISTRICT,
    OfficeLevel.DISTRICT: OfficeLevel.DIVISION,
    OfficeLevel.DIVISION: OfficeLevel.NATIONAL,
}


@dataclass
class Rungs:
    """What the escalations of one transaction (a sweep batch) have looked up: each
    office's next rung, and who is available at an office with how many open tickets.

    For one transaction whose tickets nobody else is moving (the sweep holds their
    rows). The open-ticket counts are read once per office, queue and language, then
    kept up to date by this batch's own assignments (and a catch-up moving a ticket on
    from someone it was given), so each choice is the one `assignment.auto_assign`
    would make. Holding the `Office` and `User` objects also keeps them in the
    session's identity map (which holds only weak references): `session.get` finds
    them there without SQL.
    """

    above: dict[int, Office | None] = field(default_factory=dict)
    # office id -> the id of the office above it, shared by all the batches of one sweep
    # (the ladder does not change within a minute); `above` holds this batch's objects
    known_above: dict[int, int | None] = field(default_factory=dict)
    # (office id, queue, language) -> the available people, as `assignment.available`
    pools: dict[tuple[int, str, str], list[User]] = field(default_factory=dict)
    open_tickets: dict[int, int] = field(default_factory=dict)  # user id -> count

    def next_office(self, session: Session, office: Office) -> Office | None:
        if office.id in self.above:
            return self.above[office.id]
        above_id = self.known_above.get(office.id)
        found = session.get(Office, above_id) if above_id is not None else None
        if found is None or not found.active:  # unknown yet, or deactivated since
            found = next_office(session, office)
            self.known_above[office.id] = found.id if found else None
        self.above[office.id] = found
        return found

    def auto_assign(self, session: Session, ticket: Ticket, *, actor: str) -> User | None:
        """`assignment.auto_assign(keep_status=True)`: the same choice and the same
        reason, from the pool read once per office, queue and language."""
        key = (ticket.office_id, ticket.queue, ticket.language)
        if key not in self.pools:
            pool = assignment.available(session=session, ticket=ticket)
            for person, open_count in pool:
                self.open_tickets.setdefault(person.id, open_count)
            self.pools[key] = [person for person, _ in pool]
        chosen = assignment.assign_least_loaded(
            session=session,
            ticket=ticket,
            pool=[(person, self.open_tickets[person.id]) for person in self.pools[key]],
            actor=actor,
            keep_status=True,
            tell=False,  # the sweep tells the last rung's assignee, once
        )
        if chosen is not None:
            self.open_tickets[chosen.id] += 1
        return chosen

    def unassign(self, ticket: Ticket) -> None:
        """`ticket` leaves its assignee (a catch-up climbs on): one open ticket fewer."""
        if ticket.assignee_id in self.open_tickets:
            self.open_tickets[ticket.assignee_id] -= 1


def next_office(session: Session, office: Office | None) -> Office | None:
    """The office one rung above `office`, skipping a rung a country does not have
    (Kenya's counties go straight to the national desk); None at the top. The national
    rung is the grievance desk (the triage desk where a deployment has none). Where an
    area has more than one active office (a project desk beside the DC's), the oldest
    (the seeded one) is the rung: the same every time."""
    if office is None or office.level == OfficeLevel.NATIONAL:
        return None
    area = session.get(AdminArea, office.area_id) if office.area_id else None
    parent = session.get(AdminArea, area.parent_id) if area and area.parent_id else None
    while parent is not None:
        found = session.exec(
            select(Office)
            .where(Office.area_id == parent.id, col(Office.active))
            .order_by(col(Office.id))
        ).first()
        if found is not None:
            return found
        parent = session.get(AdminArea, parent.parent_id) if parent.parent_id else None
    desks = session.exec(
        select(Office).where(
            col(Office.code).in_((NATIONAL_GRIEVANCE, NATIONAL_TRIAGE)), col(Office.active)
        )
    ).all()
    by_code = {desk.code: desk for desk in desks}
    return by_code.get(NATIONAL_GRIEVANCE) or by_code.get(NATIONAL_TRIAGE)


def escalate(
    session: Session,
    ticket: Ticket,
    *,
    actor: str,
    reason: str,
    start: datetime | None = None,
    rungs: Rungs | None = None,
) -> Office | None:
    """Move `ticket` one rung up; its new clock starts at `start` (by default now; the
    sweep passes the missed deadline, so a catch-up keeps the true timeline). Returns
    the new office, or None at the top of the ladder (nothing changes).

    `rungs`: look-ups shared with the other escalations of this transaction (a sweep)."""
    office = session.get(Office, ticket.office_id) if ticket.office_id else None
    if rungs is not None and office is not None:
        target = rungs.next_office(session, office)
    else:
        target = next_office(session, office)
    if target is None:
        return None
    lifecycle.transition(
        session=session,
        ticket=ticket,
        to=TicketStatus.ESCALATED,
        actor=actor,
        reason=reason,
        data={
            "from_office": office.name if office else None,
            "to_office": target.name,
            "level": target.level,
        },
    )
    if rungs is not None:
        rungs.unassign(ticket)
    ticket.office_id, ticket.queue, ticket.assignee_id = target.id, "default", None
    deadlines.stamp(session, ticket, start=start or clock.now())
    if rungs is not None:
        rungs.auto_assign(session, ticket, actor=actor)
    else:
        assignment.auto_assign(
            session=session, ticket=ticket, actor=actor, keep_status=True, tell=False
        )
    return target
