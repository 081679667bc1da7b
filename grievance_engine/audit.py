"""Checking the ticket audit chains (`nalish audit verify`).

Each ticket's events are read in `seq` order and every hash recomputed (see
`grievance_engine.events`). Tickets are streamed in batches by id, so a database of
millions of events is checked in bounded memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from grievance_engine import admin_log, events, refs
from grievance_engine.models import Ticket, TicketEvent


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a ticket's chain: which ticket, at which `seq`, and what."""

    ref: str  # as displayed, XXXX-XXXX
    seq: int | None
    problem: str


@dataclass
class TicketCheck:
    """The outcome of checking one ticket's chain."""

    ref: str
    events: int
    problems: list[Problem] = field(default_factory=list)


def verify(*, session: Session, ref: str | None = None) -> list[Problem]:
    """Every problem in the audit chains of all tickets (or of the ticket `ref`)."""
    return [problem for check in scan(session=session, ref=ref) for problem in check.problems]


def scan(
    *, session: Session, ref: str | None = None, batch_size: int = 1000
) -> Iterator[TicketCheck]:
    """Check ticket by ticket, in id order, `batch_size` tickets per round trip."""
    tickets = select(Ticket.id, Ticket.ref, Ticket.event_count, Ticket.last_event_hash)
    if ref is not None:
        canonical = refs.normalise(ref)
        tickets = tickets.where(Ticket.ref == (canonical or ref))
    after = 0
    while True:
        batch = session.exec(
            tickets.where(col(Ticket.id) > after).order_by(col(Ticket.id)).limit(batch_size)
        ).all()
        if not batch:
            return
        after = batch[-1][0]
        chains: dict[int, list[TicketEvent]] = {row[0]: [] for row in batch}
        rows = session.exec(
            select(TicketEvent)
            .where(col(TicketEvent.ticket_id).in_(list(chains)))
            .order_by(col(TicketEvent.ticket_id), col(TicketEvent.seq), col(TicketEvent.id))
        )
        for event in rows:
            chains[event.ticket_id].append(event)
            session.expunge(event)  # keep memory flat across batches
        for ticket_id, ticket_ref, event_count, last_hash in batch:
            yield _check(ticket_ref, chains[ticket_id], event_count, last_hash)


def _check(
    ref: str, chain: list[TicketEvent], event_count: int, last_hash: str | None
) -> TicketCheck:
    check = TicketCheck(ref=refs.display(ref), events=len(chain))

    def problem(seq: int | None, what: str) -> None:
        check.problems.append(Problem(check.ref, seq, what))

    expected_seq, prev_hash = 1, events.GENESIS
    for event in chain:
        if event.seq > expected_seq:
            missing = (
                f"{expected_seq}"
                if event.seq == expected_seq + 1
                else f"{expected_seq}–{event.seq - 1}"
            )
            problem(expected_seq, f"missing (gap in seq): event {missing} is gone")
        elif event.seq < expected_seq:
            problem(event.seq, "reordered/forked (seq repeated)")
        if event.prev_hash != prev_hash:
            problem(event.seq, "reordered/forked (prev_hash mismatch)")
        if events.hash_of(event, ref=ref) != event.hash:
            problem(event.seq, "altered (hash does not match the event)")
        expected_seq, prev_hash = event.seq + 1, event.hash
    last_seq = chain[-1].seq if chain else 0
    if last_seq < event_count:
        problem(last_seq + 1, f"removed after seq {last_seq} (the ticket records {event_count})")
    elif last_seq > event_count:
        problem(
            last_seq,
            f"events beyond the ticket's record of {event_count} (added outside the chain)",
        )
    elif chain and (last_hash or events.GENESIS) != prev_hash:
        problem(last_seq, "altered (the last hash differs from the ticket's record)")
    return check


def heads(*, session: Session) -> dict:
    """The latest hashes of the audit chains, to keep off-site (`nalish audit heads`).

    `tickets_digest` is the SHA-256 of every ticket's `ref:event_count:last_event_hash`
    line in ref order: one value that changes if any ticket's chain is cut short,
    altered or dropped. A restore (`nalish restore`) recomputes and compares it; an
    operator compares it with the copy kept elsewhere. `admin_head` is the admin
    changes' chain head (grievance_engine.admin_log).
    """
    digest = hashlib.sha256()
    tickets = events_total = 0
    rows = session.exec(
        select(Ticket.ref, Ticket.event_count, Ticket.last_event_hash).order_by(col(Ticket.ref))
    )
    for ref, event_count, last_hash in rows:
        digest.update(f"{ref}:{event_count}:{last_hash or ''}\n".encode())
        tickets += 1
        events_total += event_count
    latest_admin = admin_log.recent(session=session, limit=1)
    return {
        "tickets": tickets,
        "events": events_total,
        "tickets_digest": digest.hexdigest(),
        "admin_changes": admin_log.count(session=session),
        "admin_head": latest_admin[0].hash if latest_admin else None,
    }
