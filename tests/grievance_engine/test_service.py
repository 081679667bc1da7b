"""Filing a ticket: one transaction for the ticket, its event and its SMS."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from grievance_engine import messages, outbox, refs, service
from grievance_engine.models import (
    Channel,
    Citizen,
    Notification,
    Ticket,
    TicketCreate,
    TicketEvent,
)
from infra import background_jobs
from infra.db import session_scope


def _ticket_in(world, **overrides) -> TicketCreate:
    values = dict(
        phone="+8801712345678",
        category_code="water",
        district_id=world.rangpur,
        channel=Channel.USSD,
        language="en",
        description="No water in ward 5 for three days",
    )
    return TicketCreate(**(values | overrides))


def _count(model) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model)).one()


class RecordingQueue:
    def __init__(self):
        self.enqueued = []

    def enqueue(self, func, *args):
        self.enqueued.append((func, args))


def test_filing_writes_the_ticket_its_created_event_and_the_ack_sms_together(world):
    with session_scope() as session:
        ticket = service.create(
            session=session, ticket_in=_ticket_in(world), office_id=world.rangpur_office
        )
        ref = ticket.ref
    assert refs.is_valid(ref)
    with session_scope() as session:
        shown = service.show(session=session, ref=ref)
        sms = session.exec(select(Notification)).one()
    assert shown["category"] == "water" and shown["district"] == "Rangpur"
    assert shown["office"] == {
        "code": "dc-rangpur",
        "name": "Deputy Commissioner's Office, Rangpur",
        "level": "district",
    }
    assert shown["upazila"] is None and shown["priority"] == "normal"
    assert "due_at" in shown  # the running deadline (null here: no SLA hooks installed)
    assert [e["type"] for e in shown["events"]] == ["created"]
    assert sms.kind == "ack" and sms.status == "pending" and sms.to_phone == "+8801712345678"
    assert refs.display(ref) in sms.body
    assert sms.encoding == "GSM-7" and sms.parts == 1


def test_a_failure_after_the_ticket_insert_leaves_no_ticket_no_event_and_no_sms(world, monkeypatch):
    queue = RecordingQueue()
    background_jobs.set_job_queue(queue)

    def broken_render(*args, **kwargs):
        raise RuntimeError("template store unreachable")

    monkeypatch.setattr(messages, "render_sms", broken_render)  # the ack goes through actions
    with pytest.raises(RuntimeError), session_scope() as session:
        service.create(session=session, ticket_in=_ticket_in(world), office_id=None)
    assert (_count(Ticket), _count(TicketEvent), _count(Notification), _count(Citizen)) == (
        0,
        0,
        0,
        0,
    )
    assert queue.enqueued == []


def test_a_failure_after_the_sms_is_written_sends_nothing(world):
    queue = RecordingQueue()
    background_jobs.set_job_queue(queue)
    with pytest.raises(RuntimeError), session_scope() as session:
        service.create(session=session, ticket_in=_ticket_in(world), office_id=None)
        raise RuntimeError("the caller failed before commit")
    assert (_count(Ticket), _count(Notification)) == (0, 0)
    assert queue.enqueued == []


def test_the_ack_is_enqueued_only_after_commit(world):
    queue = RecordingQueue()
    background_jobs.set_job_queue(queue)
    with session_scope() as session:
        service.create(session=session, ticket_in=_ticket_in(world), office_id=None)
        assert queue.enqueued == []
    assert [(f, a) for f, a in queue.enqueued] == [(outbox.deliver_job, (1,))]


def test_the_same_source_key_files_one_ticket(world):
    with session_scope() as session:
        first = service.create(
            session=session, office_id=None, ticket_in=_ticket_in(world, source_key="ussd:ATUid_1")
        )
    with session_scope() as session:
        second = service.create(
            session=session, office_id=None, ticket_in=_ticket_in(world, source_key="ussd:ATUid_1")
        )
    assert first.ref == second.ref
    assert (_count(Ticket), _count(Notification)) == (1, 1)


def test_an_over_long_description_is_cut_to_the_limit_and_flagged(world):
    with session_scope() as session:
        ticket = service.create(
            session=session, office_id=None, ticket_in=_ticket_in(world, description="word " * 400)
        )
        assert len(ticket.description) == 500
        assert ticket.description_truncated


def test_an_unknown_category_is_refused_with_its_code(world):
    with pytest.raises(service.TicketError, match="sanitation"), session_scope() as session:
        service.create(
            session=session, office_id=None, ticket_in=_ticket_in(world, category_code="sanitation")
        )


def test_a_bangla_ticket_gets_a_bangla_ack_in_ucs2(world):
    with session_scope() as session:
        service.create(session=session, office_id=None, ticket_in=_ticket_in(world, language="bn"))
    with session_scope() as session:
        sms = session.exec(select(Notification)).one()
    assert "রংপুর" in sms.body and "পানি" in sms.body
    assert sms.encoding == "UCS-2" and sms.parts == 1


def test_a_reference_already_taken_is_passed_over_for_a_fresh_one(world, monkeypatch):
    with session_scope() as session:
        first = service.create(session=session, office_id=None, ticket_in=_ticket_in(world))
        taken = first.ref
    fresh = refs.generate()
    offered = iter([taken, taken, fresh])
    monkeypatch.setattr(service.refs, "generate", lambda: next(offered))
    with session_scope() as session:
        second = service.create(
            session=session, office_id=None, ticket_in=_ticket_in(world, source_key="ussd:2")
        )
        assert second.ref == fresh and second.id != first.id
    with session_scope() as session:
        shown = service.show(session=session, ref=fresh)
    assert [e["type"] for e in shown["events"]] == ["created"]
    assert (_count(Ticket), _count(Notification)) == (2, 2)


def test_it_gives_up_when_every_reference_it_draws_is_taken(world, monkeypatch):
    with session_scope() as session:
        taken = service.create(session=session, office_id=None, ticket_in=_ticket_in(world)).ref
    monkeypatch.setattr(service.refs, "generate", lambda: taken)
    with pytest.raises(RuntimeError, match="unused ticket reference"), session_scope() as session:
        service.create(session=session, office_id=None, ticket_in=_ticket_in(world))
    assert (_count(Ticket), _count(Notification)) == (1, 1)


def test_a_citizen_is_created_once_and_keeps_their_language_unless_given_another(world):
    with session_scope() as session:
        first = service.upsert_citizen(session=session, phone="+8801712345678", language="bn")
        again = service.upsert_citizen(session=session, phone="+8801712345678", language="")
        assert again == first == (first[0], False)
        assert (
            service.get_or_create_citizen(
                session=session, phone="+8801712345678", language=None
            ).language
            == "bn"
        )
    with session_scope() as session:
        session.exec(select(Citizen)).one().opted_out = True
    with session_scope() as session:
        citizen_id, opted_out = service.upsert_citizen(
            session=session, phone="+8801712345678", language="en"
        )
        assert (citizen_id, opted_out) == (first[0], True)
    with session_scope() as session:
        assert session.exec(select(Citizen.language)).one() == "en"
    assert _count(Citizen) == 1
