"""The audit chain: every way of editing the event table behind our back is caught."""

from __future__ import annotations

import json
import threading

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy import event as sa_event
from sqlmodel import select

from grievance_engine import audit, events, lifecycle, refs, service
from grievance_engine.models import AdminArea, Category, Channel, Ticket, TicketCreate, TicketStatus
from infra import db
from infra.db import session_scope
from infra.settings import reset_settings
from nalish import migrate
from tests import services


def _file(*, district_id: int, office_id: int | None = None, moves=()) -> tuple[int, str]:
    """A ticket with a `created` event and one `status_changed` event per move."""
    with session_scope() as session:
        ticket = service.create(
            session=session,
            ticket_in=TicketCreate(
                phone="+8801712345678",
                category_code="water",
                district_id=district_id,
                channel=Channel.SMS,
                description="পানি নেই — no water",
            ),
            office_id=office_id,
        )
        for to in moves:
            lifecycle.transition(
                session=session, ticket=ticket, to=to, actor="user:7", reason="checked"
            )
        return ticket.id, refs.display(ticket.ref)


def _chained(world) -> tuple[int, str]:
    """A ticket whose chain is seq 1 created, 2 assigned, 3 in_progress, 4 escalated."""
    moves = (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.ESCALATED)
    return _file(district_id=world.rangpur, office_id=world.rangpur_office, moves=moves)


def _sql(url: str, *statements: str, **params) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), params)
    finally:
        engine.dispose()


def _problems(ref: str | None = None) -> list[tuple[str, int | None, str]]:
    with session_scope() as session:
        return [(p.ref, p.seq, p.problem) for p in audit.verify(session=session, ref=ref)]


@pytest.fixture
def two_tickets(world, committed_db):
    """(id, ref) of a ticket we will tamper with, and of a bystander that stays intact."""
    victim, bystander = _chained(world), _chained(world)
    assert _problems() == []
    return victim, bystander


def test_a_fresh_chain_verifies_and_each_event_carries_its_place_and_hash(world):
    _, ref = _chained(world)
    with session_scope() as session:
        shown = service.show(session=session, ref=ref)
        checks = list(audit.scan(session=session))
    assert [e["seq"] for e in shown["events"]] == [1, 2, 3, 4]
    assert all(len(e["hash"]) == 64 for e in shown["events"])
    assert [(c.ref, c.events, c.problems) for c in checks] == [(ref, 4, [])]


def test_an_edited_event_is_caught_as_altered(two_tickets, committed_db):
    (ticket_id, ref), _ = two_tickets
    _sql(
        committed_db,
        "UPDATE ticket_event SET data = :data WHERE ticket_id = :id AND seq = 2",
        data='{"from": "new", "to": "assigned", "reason": "bribe paid"}',
        id=ticket_id,
    )
    assert _problems() == [(ref, 2, "altered (hash does not match the event)")]


def test_a_deleted_middle_event_is_caught_as_a_gap(two_tickets, committed_db):
    (ticket_id, ref), _ = two_tickets
    _sql(committed_db, "DELETE FROM ticket_event WHERE ticket_id = :id AND seq = 2", id=ticket_id)
    problems = _problems()
    assert {p[0] for p in problems} == {ref}
    assert (ref, 2, "missing (gap in seq): event 2 is gone") in problems


def test_a_deleted_last_event_is_caught_by_the_tickets_own_count(two_tickets, committed_db):
    (ticket_id, ref), _ = two_tickets
    _sql(committed_db, "DELETE FROM ticket_event WHERE ticket_id = :id AND seq = 4", id=ticket_id)
    assert _problems() == [(ref, 4, "removed after seq 3 (the ticket records 4)")]


def test_swapped_events_are_caught(two_tickets, committed_db):
    (ticket_id, ref), _ = two_tickets
    _sql(
        committed_db,
        "UPDATE ticket_event SET seq = -1 WHERE ticket_id = :id AND seq = 2",
        "UPDATE ticket_event SET seq = 2 WHERE ticket_id = :id AND seq = 3",
        "UPDATE ticket_event SET seq = 3 WHERE ticket_id = :id AND seq = -1",
        id=ticket_id,
    )
    problems = _problems()
    assert {p[0] for p in problems} == {ref}
    assert (ref, 2, "reordered/forked (prev_hash mismatch)") in problems


@pytest.mark.parametrize(
    ("seq", "caught"),
    [
        (2, (3, "reordered/forked (prev_hash mismatch)")),
        (4, (4, "altered (the last hash differs from the ticket's record)")),
    ],
    ids=["a middle event", "the last event"],
)
def test_an_edit_hidden_by_rewriting_its_hash_is_still_caught(
    two_tickets, committed_db, seq, caught
):
    (ticket_id, ref), _ = two_tickets
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        event = next(
            e for e in service.events_of(session=session, ticket_id=ticket_id) if e.seq == seq
        )
        forged_data = {**event.data, "reason": "nothing to see"}
        event.data = forged_data
        forged_hash = events.hash_of(event, ref=ticket.ref)
        session.rollback()
    _sql(
        committed_db,
        "UPDATE ticket_event SET data = :data, hash = :hash WHERE ticket_id = :id AND seq = :seq",
        data=json.dumps(forged_data),
        hash=forged_hash,
        id=ticket_id,
        seq=seq,
    )
    assert _problems() == [(ref, *caught)]


def test_verify_can_check_one_ticket(two_tickets, committed_db):
    (ticket_id, ref), (_, bystander) = two_tickets
    _sql(committed_db, "DELETE FROM ticket_event WHERE ticket_id = :id AND seq = 4", id=ticket_id)
    assert _problems(bystander) == []
    assert [p[0] for p in _problems(ref.lower().replace("-", ""))] == [ref]


def test_many_tickets_are_checked_in_batches(world):
    made = [_file(district_id=world.rangpur)[1] for _ in range(7)]
    with session_scope() as session:
        checks = list(audit.scan(session=session, batch_size=3))
    assert [c.ref for c in checks] == made and all(not c.problems for c in checks)


def test_an_upgraded_database_gets_its_existing_events_chained(world, committed_db):
    _chained(world)
    _file(district_id=world.dinajpur)
    command.downgrade(migrate.alembic_config(committed_db), "0002")  # as before the chain
    migrate.upgrade(committed_db)
    assert _problems() == []
    _, ref = _chained(world)  # and appending carries on from the migrated head
    with session_scope() as session:
        assert service.show(session=session, ref=ref)["events"][-1]["seq"] == 4


@pytest.fixture
def postgres(monkeypatch):
    services.require_services()
    url = services.create_database()
    monkeypatch.setenv("NALISH_DATABASE_URL", url)
    reset_settings()
    db.dispose_engines()
    migrate.upgrade(url)
    yield url
    db.dispose_engines()
    reset_settings()
    services.drop_database(url)


def test_two_appends_at_once_on_postgres_queue_up_instead_of_forking(postgres):
    with session_scope() as session:
        district = AdminArea(
            code="BD-55", country="BD", level="district", kind="District", name="Rangpur"
        )
        session.add_all([district, Category(code="water", names={"en": "Water"})])
        session.flush()
        district_id = district.id
    ticket_id, _ = _file(district_id=district_id)
    start, errors = threading.Barrier(2), []

    def append(actor: str) -> None:
        try:
            with session_scope() as session:
                ticket = session.get(Ticket, ticket_id)  # both read the head at seq 1
                start.wait(timeout=10)
                events.append(session=session, ticket=ticket, type="note", actor=actor, data={})
                threading.Event().wait(0.3)  # hold the lock while the other waits
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(f"user:{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with session_scope() as session:
        chain = service.events_of(session=session, ticket_id=ticket_id)
        assert audit.verify(session=session) == []
    assert [e.seq for e in chain] == [1, 2, 3]
    assert {e.actor for e in chain[1:]} == {"user:1", "user:2"}
    assert chain[2].prev_hash == chain[1].hash


def test_a_ticket_is_read_afresh_once_per_transaction_not_after_every_flush(world):
    ticket_id, _ = _file(district_id=world.rangpur)
    reads = []
    engine = db.get_engine()

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM ticket " in statement:
            reads.append(statement)

    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        with session_scope() as session:
            ticket = session.get(Ticket, ticket_id)
            reads.clear()
            events.append(session=session, ticket=ticket, type="note", actor="user:1", data={})
            ticket.queue = "water-desk"
            session.flush()  # a flush ends only its own inner transaction, not ours
            events.append(session=session, ticket=ticket, type="note", actor="user:2", data={})
        assert len(reads) == 1  # the lock's re-read, the first time only
        with session_scope() as session:
            ticket = session.get(Ticket, ticket_id)
            reads.clear()
            events.append(session=session, ticket=ticket, type="note", actor="user:3", data={})
        assert len(reads) == 1  # a new transaction locks again
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    assert [e.seq for e in _events(ticket_id)] == [1, 2, 3, 4]
    assert _problems() == []


def _events(ticket_id: int):
    with session_scope() as session:
        return service.events_of(session=session, ticket_id=ticket_id)


# ---------------------------------------------------------------------------
# In bulk (`events.batched`, the SLA sweep's way of writing)
# ---------------------------------------------------------------------------


_COUNTS = {
    "ticket_event": text("SELECT count(*) FROM ticket_event"),
    "notification": text("SELECT count(*) FROM notification"),
}


def _count(table: str) -> int:
    with db.get_engine().connect() as connection:
        return connection.execute(_COUNTS[table]).scalar_one()


def _add_sms(session, ticket) -> object:
    from grievance_engine import outbox

    return outbox.add(
        session=session,
        to_phone="+8801712345678",
        body="Your complaint moved up",
        language="en",
        kind="escalated",
        ticket_id=ticket.id,
        opted_out=False,
    )


def test_in_bulk_the_chains_are_those_of_one_by_one_appends_written_at_the_blocks_end(world):
    one_by_one = [_file(district_id=world.rangpur)[0] for _ in range(2)]
    in_bulk = [_file(district_id=world.rangpur)[0] for _ in range(2)]
    events_before, sms_before = _count("ticket_event"), _count("notification")
    with session_scope() as session:
        for ticket_id in one_by_one:
            ticket = session.get(Ticket, ticket_id)
            for status in (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS):
                lifecycle.transition(
                    session=session, ticket=ticket, to=status, actor="user:7", reason="ok"
                )
    with session_scope() as session:
        with events.batched(session):
            sms = []
            for ticket_id in in_bulk:
                ticket = session.get(Ticket, ticket_id)
                for status in (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS):
                    lifecycle.transition(
                        session=session, ticket=ticket, to=status, actor="user:7", reason="ok"
                    )
                sms.append(_add_sms(session, ticket))
            assert events.batching(session)
            # nothing of the block is written yet: not the events, not the SMS
            assert (
                session.connection().execute(text("SELECT count(*) FROM ticket_event")).scalar_one()
                == events_before + 4
            )
            assert all(message.id is None for message in sms)
        assert not events.batching(session)
        assert all(isinstance(message.id, int) for message in sms)  # ids once written
        assert len({message.id for message in sms}) == 2
    assert _count("ticket_event") == events_before + 8
    assert _count("notification") == sms_before + 2
    assert _problems() == []
    chains = {tid: [(e.seq, e.type, e.data["to"]) for e in _events(tid)[1:]] for tid in in_bulk}
    assert all(chain == [(2, "status_changed", "assigned"), (3, "status_changed", "in_progress")]
               for chain in chains.values())  # fmt: skip
    with session_scope() as session:
        heads = {t.id: (t.event_count, t.status) for t in session.exec(select(Ticket))}
    assert all(heads[tid] == (3, "in_progress") for tid in in_bulk + one_by_one)


def test_a_bulk_block_that_fails_writes_nothing(world):
    ticket_id, _ = _file(district_id=world.rangpur)
    events_before, sms_before = _count("ticket_event"), _count("notification")
    with pytest.raises(RuntimeError), session_scope() as session, events.batched(session):
        ticket = session.get(Ticket, ticket_id)
        lifecycle.transition(
            session=session, ticket=ticket, to=TicketStatus.ASSIGNED, actor="u", reason="x"
        )
        _add_sms(session, ticket)
        raise RuntimeError("the sweep died half-way")
    assert (_count("ticket_event"), _count("notification")) == (events_before, sms_before)
    assert [e.seq for e in _events(ticket_id)] == [1]
    assert _problems() == []


def test_a_bulk_blocks_sms_is_queued_for_delivery_only_after_commit(world, monkeypatch):
    from grievance_engine import outbox
    from infra import background_jobs

    queued = []

    class Queue:
        def enqueue(self, func, *args):
            queued.append((func, args))

    ticket_id, _ = _file(district_id=world.rangpur)
    monkeypatch.setattr(background_jobs, "get_job_queue", lambda: Queue())
    with session_scope() as session:
        with events.batched(session):
            message = _add_sms(session, session.get(Ticket, ticket_id))
        assert queued == []  # written, not yet committed
    assert queued == [(outbox.deliver_job, (message.id,))]
