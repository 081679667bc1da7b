"""The ticket audit chain: the one way to add an event to a ticket.

Each ticket's events form a hash chain. Event `seq` n stores the hash of event n-1
(`prev_hash`; the first stores `GENESIS`) and its own `hash`: SHA-256 over a canonical
JSON of the ticket's id and reference, `seq`, type, time, actor, data and `prev_hash`.
The ticket row keeps the head (`event_count`, `last_event_hash`), so removing the last
event shows as well as altering, removing or reordering any other.

Why plain SHA-256 and not an HMAC keyed with NALISH_SECRET_KEY: this is an
anti-corruption feature, and its value is that *anyone* holding a copy of the data
(an auditor, an ombudsman, a journalist with a leaked dump) can check it without our
secret. It shows tampering; it cannot stop someone with write access from rewriting a
whole chain consistently. Pair it with database permissions (the application role
should not need UPDATE or DELETE on `ticket_event`), backups, and off-site copies of
the latest hashes (`nalish tickets show --json` prints them).

Appending writes the event and the new head at once, with plain INSERT and UPDATE
statements rather than at the next flush: intake appends to every ticket it files.

In bulk (`batched`, used by the SLA sweep for hundreds of tickets per transaction): the
events of the block are inserted together when it ends, and each ticket's new head is
written with the ticket's row at the next flush, in the same transaction. Hashes and
`seq` are computed exactly as one by one; only the writing is gathered.

Concurrency: appending locks the ticket row (`SELECT … FOR NO KEY UPDATE` on
PostgreSQL) and reads the chain head from it, so two appends to one ticket queue up
instead of both taking the same `seq` (once per ticket per transaction; a caller that
inserted the row, or locked and read it itself, says so with `hold_new` or
`hold_locked`). SQLite has no row locks but only ever one writer; there, and
everywhere, the unique (ticket_id, seq) constraint refuses a forked chain outright.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, Table, bindparam, insert, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

from grievance_engine import bulk, webhooks
from grievance_engine.models import Ticket, TicketEvent
from infra import caching, clock

GENESIS = "0" * 64  # the `prev_hash` of a ticket's first event


def canonical_time(at: datetime) -> str:
    """`at` as the chain hashes it: ISO 8601 in UTC with microseconds."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(
    *,
    ticket_id: int,
    ref: str,
    seq: int,
    type: str,
    at: datetime,
    actor: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """The SHA-256 (hex) of one event's canonical serialisation.

    This format is a contract with everyone who verifies a copy of the data: change it
    only with a migration that recomputes every chain.
    """
    payload = {
        "ticket_id": ticket_id,
        "ref": ref,
        "seq": seq,
        "type": type,
        "at": canonical_time(at),
        "actor": actor,
        "data": data,
        "prev_hash": prev_hash,
    }
    return sha256_of(payload)


def sha256_of(payload: dict[str, Any]) -> str:
    """SHA-256 (hex) of `payload` as canonical JSON: sorted keys, no spaces, UTF-8. The
    serialisation every chain here hashes (a ticket's events, the admin changes)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hashed_fields(row: SQLModel) -> dict[str, Any]:
    """What a chain hashes of a stored row (a ticket event, an admin change): every
    field but its id and its own hash. A new column is hashed, or named here."""
    return row.model_dump(exclude={"id", "hash"})


def hash_of(event: TicketEvent, *, ref: str) -> str:
    """The hash `event` should carry, recomputed from its stored fields."""
    return compute_hash(ref=ref, **hashed_fields(event))


def append(
    *,
    session: Session,
    ticket: Ticket,
    type: str,
    actor: str,
    data: dict[str, Any],
    at: datetime | None = None,
    changes: dict[str, Any] | None = None,
) -> TicketEvent:
    """Add an event to `ticket`'s chain, written at once; the caller commits.

    `changes` are columns of the ticket that this event records (a suspected original),
    written with the new head in the same UPDATE, and so on our copy of the ticket.
    """
    lock(session=session, ticket=ticket)
    # Store exactly what was hashed: JSON round-trip the data (tuples become lists…).
    data = json.loads(json.dumps(data, ensure_ascii=False))
    seq = ticket.event_count + 1
    prev_hash = ticket.last_event_hash or GENESIS
    event = TicketEvent(
        ticket_id=ticket.id,
        type=type,
        at=(at or clock.now()).astimezone(UTC),
        actor=actor,
        data=data,
        seq=seq,
        prev_hash=prev_hash,
    )
    event.hash = hash_of(event, ref=ticket.ref)
    head = {**(changes or {}), "event_count": seq, "last_event_hash": event.hash}
    pending = session.info.get(_BATCH_KEY)
    if pending is not None:
        # In bulk: the event waits for the end of the block, the head for the ticket's
        # next flush (tracked changes, written with the rest of the row).
        pending.events.append(_values(event))
        for key, value in head.items():
            setattr(ticket, key, value)
        webhooks.record(session=session, ticket=ticket, event=event)
        return event
    # The event and the new head are written now, together (two small statements,
    # cheaper than the unit of work); our copy of the ticket holds them as written.
    insert_now(session=session, row=event)
    session.connection().execute(_UPDATE_TICKET, {"ticket_id": ticket.id, **head})
    for key, value in head.items():
        set_committed_value(ticket, key, value)
    # Subscribers hear of it through rows in this same transaction (the outbox pattern).
    webhooks.record(session=session, ticket=ticket, event=event)
    return event


def first(
    *, ticket: Ticket, type: str, actor: str, data: dict[str, Any], at: datetime
) -> TicketEvent:
    """A new ticket's first event, hashed but not written, with the chain head set on
    our copy of the ticket (not yet written either): intake writes the ticket, whose id
    it reserved, and this event in one statement (`grievance_engine.filing`). The hash
    is exactly `append`'s for `seq` 1; call again if the ticket's reference changes."""
    data = json.loads(json.dumps(data, ensure_ascii=False))
    event = TicketEvent(
        ticket_id=ticket.id,
        type=type,
        at=at.astimezone(UTC),
        actor=actor,
        data=data,
        seq=1,
        prev_hash=GENESIS,
    )
    event.hash = hash_of(event, ref=ticket.ref)
    ticket.event_count = 1
    ticket.last_event_hash = event.hash
    return event


def first_written(*, session: Session, ticket: Ticket, event: TicketEvent) -> None:
    """`first`'s event is in the database with its ticket: attach it to `session` as
    `insert_now` does, and tell webhook subscribers as `append` does."""
    make_transient_to_detached(event)
    session.add(event)
    webhooks.record(session=session, ticket=ticket, event=event)


_BATCH_KEY = "nalish_event_batch"


@dataclass
class _Batch:
    """What a `batched` block has gathered: event rows, and other new rows with what to
    do once each has its id."""

    events: list[dict[str, Any]] = field(default_factory=list)
    rows: list[tuple[SQLModel, Callable[[int], None] | None]] = field(default_factory=list)
    # answers a block asks for again and again (the outbox: whether a phone sent STOP)
    memo: dict[Any, Any] = field(default_factory=dict)

    def write(self, session: Session) -> None:
        connection = session.connection()
        bulk.insert_rows(connection, TicketEvent.__table__, self.events, ids=False)
        by_table: dict[Table, list[tuple[SQLModel, Callable[[int], None] | None]]] = {}
        for row, then in self.rows:
            by_table.setdefault(row.__table__, []).append((row, then))
        for table, group in by_table.items():
            rows = [_values(row) for row, _ in group]
            ids = bulk.insert_rows(connection, table, rows, ids=True) or []
            for (row, then), new_id in zip(group, ids, strict=True):
                row.id = new_id
                if then is not None:
                    then(new_id)


def batch_memo(session: Session) -> dict[Any, Any] | None:
    """Inside `batched`: a dict for answers that hold for the block (it reads, writes
    nothing they depend on); outside: None."""
    pending = session.info.get(_BATCH_KEY)
    return pending.memo if pending is not None else None


def batching(session: Session) -> bool:
    """Whether `session` is inside `batched` (writes are gathered, not made at once)."""
    return _BATCH_KEY in session.info


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """Gather the events appended in this block (and rows written with `insert_soon`)
    and insert them together at its end (multi-row INSERTs), after flushing the
    tickets' rows with their new heads.

    For a transaction that appends to many tickets and reads no events (nor those rows)
    back until the block ends: the SLA sweep. Nested blocks join the outer one.
    Appending still locks each ticket first, so the chains are exactly those of
    one-by-one appends. If the block raises, nothing is written and the caller rolls
    back."""
    if batching(session):
        yield
        return
    pending = _Batch()
    session.info[_BATCH_KEY] = pending
    try:
        yield
        session.flush()  # the tickets, with their new heads, before their events
        pending.write(session)
    finally:
        session.info.pop(_BATCH_KEY, None)


def _values(row: SQLModel) -> dict[str, Any]:
    values = {column.key: getattr(row, column.key) for column in row.__table__.columns}
    del values["id"]
    return values


# The SET clause is whatever columns the parameters name.
_UPDATE_TICKET = update(Ticket).where(Ticket.id == bindparam("ticket_id"))


def insert_soon(
    *, session: Session, row: SQLModel, then: Callable[[int], None] | None = None
) -> None:
    """Write the new `row` (of a table no one refers to within the transaction, such
    as the outbox) and call `then(row.id)`: now, as `insert_now`, or inside a `batched`
    block with the block's other rows at its end (the row has no id until then)."""
    pending = session.info.get(_BATCH_KEY)
    if pending is not None:
        pending.rows.append((row, then))
        return
    insert_now(session=session, row=row)
    if then is not None:
        then(row.id)


def insert_now(*, session: Session, row: SQLModel) -> None:
    """Write the new `row` now, with one INSERT … RETURNING id, and attach it to
    `session` as the flush would have: persistent, with its id.

    For rows written once on the hot path (events, outbox messages): a flush costs about
    twice the CPU for one row. Nothing else is flushed, so whatever the row refers to
    must be in the database already (a held ticket is).
    """
    table = row.__table__
    values = _values(row)
    row.id = session.connection().execute(_insert_returning_id(table), values).scalar_one()
    make_transient_to_detached(row)
    session.add(row)


@caching.cached(maxsize=None)
def _insert_returning_id(table: Table) -> Insert:
    return insert(table).returning(table.c.id)


def lock(*, session: Session, ticket: Ticket) -> None:
    """Hold `ticket`'s row for the rest of the transaction and read it afresh.

    Write what the caller changed, then lock the row and re-read it (the chain head,
    the status): whoever changed it before us has committed by the time we get it.
    Once per ticket per transaction; after that our copy is the truth.
    """
    held = session.info.setdefault(_HELD_KEY, set())
    if ticket.id in held:
        return
    session.flush()
    # FOR NO KEY UPDATE, the lock an UPDATE of non-key columns takes, not FOR UPDATE: it
    # still queues two appends to one ticket, but not behind the FOR KEY SHARE that a
    # foreign key check holds on it (an intake flagging it as a likely original, an
    # outbox row naming it), which FOR UPDATE would wait for and deadlock with.
    session.refresh(ticket, with_for_update={"key_share": True})
    held.add(ticket.id)


def hold_new(*, session: Session, ticket: Ticket) -> None:
    """`ticket` was inserted in this transaction: no one else can see it, so it needs
    no lock and no re-read before its first events."""
    session.info.setdefault(_HELD_KEY, set()).add(ticket.id)


def hold_locked(*, session: Session, ticket: Ticket) -> None:
    """The caller has locked `ticket`'s row in this transaction and read it under that
    lock (the SLA sweep's `SELECT … FOR UPDATE SKIP LOCKED`): our copy is the truth
    already, so `lock` need not lock and re-read it (a round trip per ticket)."""
    session.info.setdefault(_HELD_KEY, set()).add(ticket.id)


_HELD_KEY = "nalish_held_tickets"


@sa_event.listens_for(OrmSession, "after_transaction_end")
def _release(session: OrmSession, transaction: Any) -> None:
    # The transaction's end (commit, rollback) or a savepoint's forgets what we held: a
    # later transaction must lock again, and after a rolled-back savepoint our copies
    # may be stale. The inner transaction a flush runs in ends inside ours: hold on.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HELD_KEY, None)
