"""The SLA sweep: find tickets past their deadline by index and escalate each one up
the ladder; remind owners before deadlines; close resolved tickets nobody rated.

Run every minute by `nalish worker` (and the embedded app), or by hand with
`nalish sla sweep [--at ISO8601]`.

Safe at scale: any number of processes may sweep at once. Each batch selects due
tickets `FOR NO KEY UPDATE SKIP LOCKED` on PostgreSQL (others take the next ones) and then
claims each with a conditional UPDATE on its deadline (on SQLite, and as the last
word everywhere), so a breach is escalated exactly once. Each batch is its own
transaction: a sweep that dies halfway loses nothing, and the next one carries on.

Catch-up: when the workers were down for a day, a ticket is moved as many rungs as
its missed deadlines say, each rung's clock starting where the last one ran out,
with one SMS to the citizen and one (digested) to the new owner — not one per rung.

Speed (bench/sla_sweep.py: 10,000 due among a million open tickets): a batch claims its
tickets in one UPDATE, loads the rows its escalations look up (citizens, offices,
areas, categories) in a few queries, and shares each office's available people across
its tickets (`ladder.Rungs`; each office's next rung is looked up once per sweep). Its
writes are gathered (`events.batched`): the tickets' rows in one flush, their events
and SMS in multi-row INSERTs at the end of the batch, in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import tuple_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from escalation import ladder, notify
from grievance_engine import actions, events, lifecycle
from grievance_engine.models import AdminArea, Category, Citizen, Office, Ticket, TicketStatus
from infra import clock
from infra.db import session_scope

log = logging.getLogger("nalish.escalation")

BATCH = 200
ACTOR = "system:sla"


@dataclass
class SweepResult:
    """What one sweep did."""

    escalated: int = 0  # tickets moved up (however many rungs)
    rungs: int = 0  # rungs climbed in all
    breached_at_top: int = 0  # past the national desk's deadline: nowhere higher to go
    reminded: int = 0
    closed: int = 0
    officer_messages: int = 0


def run(*, now: datetime | None = None, batch: int = BATCH) -> SweepResult:
    """One sweep now, or as if the clock read `now` (then the whole sweep — events,
    new deadlines — happens at that time; the process's clock is frozen for it, so
    only `nalish sla sweep --at` and tests pass one)."""
    as_of = now
    now = now or clock.now()
    result = SweepResult()
    known_above: dict[int, int | None] = {}  # each office's next rung, for every batch
    with clock.frozen_at(as_of) if as_of is not None else nullcontext():
        escalate = partial(_escalate, now=now, result=result, known_above=known_above)
        while _batch(Ticket.sla_due_at, now, batch, escalate):
            pass
        while _batch(Ticket.reminder_due_at, now, batch, partial(_remind, result=result)):
            pass
        while _batch(Ticket.rating_due_at, now, batch, partial(_close, result=result)):
            pass
    if result.escalated or result.reminded or result.closed:
        log.info("SLA sweep at %s: %s", now.isoformat(), result)
    return result


def _batch(
    column, now: datetime, batch: int, handle: Callable[[Session, list[Ticket]], None]
) -> bool:
    """One transaction: `handle` the first `batch` tickets whose `column` deadline is
    due (locked, not yet claimed). False when none is due: the sweep of it is done."""
    with session_scope() as session:
        due = _due(session, column, now, batch)
        if not due:
            return False
        handle(session, due)
    return True


def _locks_rows(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _due(session: Session, column, now: datetime, batch: int) -> list[Ticket]:
    statement = (
        select(Ticket)
        .where(col(column).is_not(None), col(column) <= now)
        .order_by(col(column), col(Ticket.id))
        .limit(batch)
    )
    if _locks_rows(session):
        # FOR NO KEY UPDATE, not FOR UPDATE: we never change a ticket's id, and a plain
        # FOR UPDATE also blocks the FOR KEY SHARE that PostgreSQL's foreign-key check
        # takes on a *referenced* ticket. Our flush rewrites rows we already updated in
        # this transaction (the claim), which makes PostgreSQL re-check their foreign
        # keys, `suspected_duplicate_of_id` among them: sweeper A then waited for the
        # original that sweeper B had claimed while B waited for A's, and PostgreSQL
        # killed one with DeadlockDetected. NO KEY UPDATE still excludes every other
        # sweeper and appender; SKIP LOCKED leaves their rows to them.
        statement = statement.with_for_update(skip_locked=True, key_share=True)
    return list(session.exec(statement))


def _claim(session: Session, tickets: list[Ticket], column) -> list[tuple[Ticket, datetime]]:
    """Take these tickets' deadlines for ourselves, in one UPDATE: a ticket is ours only
    if its deadline is still the one we read, so only one sweep's UPDATE matches it.
    Returns the tickets taken, each with the deadline it had, in the order given."""
    seen = {ticket.id: getattr(ticket, column.key) for ticket in tickets}
    # One Core statement for the batch: the ORM's UPDATE costs several times the CPU,
    # and one statement per ticket a round trip each.
    taken = set(
        session.connection()
        .execute(
            update(Ticket)
            .where(tuple_(col(Ticket.id), column).in_(list(seen.items())))
            .values({column.key: None})
            .returning(col(Ticket.id))
        )
        .scalars()
    )
    claimed = []
    for ticket in tickets:
        if ticket.id not in taken:
            continue
        set_committed_value(ticket, column.key, None)  # what the row now holds
        if _locks_rows(session):
            # `_due` locked the row FOR UPDATE and read it under the lock, in this
            # transaction: the events we append need not lock and re-read it. (SQLite
            # read it before our UPDATE took the write lock: there `events.lock` does.)
            events.hold_locked(session=session, ticket=ticket)
        claimed.append((ticket, seen[ticket.id]))
    return claimed


def _load_references(session: Session, due: list[Ticket]) -> list[object]:
    """Load, in a few queries, the rows escalating `due` looks up one by one: the
    citizens, the offices and their areas and parent areas (the next rung's area), the
    tickets' district and upazila, the categories. Returned to be held: the identity
    map keeps only weak references, and `session.get` answers from it without SQL
    while something holds the object."""
    citizens = {ticket.citizen_id for ticket in due}
    offices = {ticket.office_id for ticket in due if ticket.office_id is not None}
    categories = {ticket.category_id for ticket in due}
    held: list[object] = []
    held += session.exec(select(Citizen).where(col(Citizen.id).in_(citizens))).all()
    held += session.exec(select(Category).where(col(Category.id).in_(categories))).all()
    loaded = session.exec(select(Office).where(col(Office.id).in_(offices))).all()
    held += loaded
    areas = {office.area_id for office in loaded if office.area_id is not None}
    # the tickets' own places, named in the SMS to each new assignee (notify.Digest)
    areas |= {area for ticket in due for area in (ticket.district_id, ticket.upazila_id) if area}
    for _ in range(2):  # the offices' and tickets' areas, then their parents
        found = session.exec(select(AdminArea).where(col(AdminArea.id).in_(areas))).all()
        held += found
        areas = {area.parent_id for area in found if area.parent_id is not None}
    return held


def _escalate(
    session: Session,
    due: list[Ticket],
    *,
    now: datetime,
    result: SweepResult,
    known_above: dict[int, int | None],
) -> None:
    held = _load_references(session, due)  # noqa: F841 (kept alive for session.get)
    # each office's next rung and pool, looked up once per batch (rungs: per sweep)
    rungs_seen = ladder.Rungs(known_above=known_above)
    digest = notify.Digest()
    # the batch's events go in together, the tickets' new heads with their rows
    with events.batched(session):
        for ticket, missed in _claim(session, due, Ticket.sla_due_at):
            rungs = _climb(session, ticket, missed, now, rungs_seen)
            if rungs:
                result.escalated += 1
                result.rungs += rungs
                digest.escalated_to(session, ticket)
                notify.tell_citizen_escalated(session, ticket)
            else:
                result.breached_at_top += 1
        result.officer_messages += digest.send(session)


def _climb(
    session: Session, ticket: Ticket, missed: datetime, now: datetime, seen: ladder.Rungs
) -> int:
    """Escalate rung by rung while deadlines have passed; returns the rungs climbed."""
    rungs = 0
    while missed is not None and missed <= now:
        what = "acknowledged" if ticket.sla_target == "acknowledge" else "resolved"
        office = ladder.escalate(
            session,
            ticket,
            actor=ACTOR,
            reason=f"not {what} by {missed.isoformat()}",
            start=missed,
            rungs=seen,
        )
        if office is None:
            if rungs == 0:
                events.append(
                    session=session,
                    ticket=ticket,
                    type="sla_breached",
                    actor=ACTOR,
                    data={"due": missed.isoformat(), "at_top": True},
                )
            break
        rungs += 1
        missed = ticket.sla_due_at
    return rungs


def _remind(session: Session, due: list[Ticket], *, result: SweepResult) -> None:
    digest = notify.Digest()
    with events.batched(session):
        for ticket, _ in _claim(session, due, Ticket.reminder_due_at):
            due_at = ticket.sla_due_at.isoformat() if ticket.sla_due_at else None
            events.append(
                session=session,
                ticket=ticket,
                type="sla_reminder",
                actor=ACTOR,
                data={"due": due_at},
            )
            digest.remind(session, ticket)
            result.reminded += 1
        result.officer_messages += digest.send(session)


def _close(session: Session, due: list[Ticket], *, result: SweepResult) -> None:
    """Resolved tickets whose citizen did not rate them in time are closed."""
    with events.batched(session):
        for ticket, _ in _claim(session, due, Ticket.rating_due_at):
            if ticket.status == TicketStatus.RESOLVED:
                lifecycle.transition(
                    session=session,
                    ticket=ticket,
                    to=TicketStatus.CLOSED,
                    actor=ACTOR,
                    reason="no rating received",
                )
                actions.tell_citizen(session=session, ticket=ticket, kind="closed")
                result.closed += 1


def restamp(*, now: datetime | None = None) -> int:
    """Give every open ticket without a running clock its deadline (after an upgrade,
    or a policy change): returns how many."""
    from escalation import deadlines

    count = 0
    clocked = lifecycle.OPEN - {TicketStatus.AWAITING_CITIZEN}
    with clock.frozen_at(now or clock.now()), session_scope() as session:
        statement = select(Ticket).where(
            col(Ticket.sla_due_at).is_(None),
            col(Ticket.sla_paused_seconds).is_(None),
            col(Ticket.status).in_(clocked),
        )
        for ticket in session.exec(statement):
            deadlines.stamp(session, ticket)
            count += 1
    return count
