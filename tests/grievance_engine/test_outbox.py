"""Delivering the outbox: claim once, retry with back-off, give up and flag."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from grievance_engine import outbox
from grievance_engine.models import Citizen, Notification
from infra import clock
from infra.db import session_scope


class FakeTransport:
    """Stands in for the telco's API, the one edge we do not own."""

    name = "fake"

    def __init__(self, *errors):
        self.errors = list(errors)
        self.sent = []

    def send(self, *, to, body):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((to, body))
        return outbox.SendResult(provider="fake", provider_message_id=f"m{len(self.sent)}")


def _queue_message(kind="ack", to="+8801712345678") -> int:
    with session_scope() as session:
        return outbox.add(
            session=session, to_phone=to, body="Hello \u201cRangpur\u201d", language="en", kind=kind
        ).id


def _get(notification_id) -> Notification:
    with session_scope() as session:
        return session.get(Notification, notification_id)


def test_a_message_is_sent_once_even_if_delivered_twice(committed_db):
    transport = FakeTransport()
    notification_id = _queue_message()
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "sent"
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "skipped"
    assert transport.sent == [("+8801712345678", 'Hello "Rangpur"')]
    sent = _get(notification_id)
    assert sent.status == "sent" and sent.provider_message_id == "m1" and sent.attempts == 1


def test_a_retryable_failure_backs_off_then_sends(committed_db):
    transport = FakeTransport(outbox.TransportError("gateway timeout"))
    notification_id = _queue_message()
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "retry"
    waiting = _get(notification_id)
    assert waiting.status == "pending" and waiting.last_error == "gateway timeout"
    # not due yet: the sweep leaves it alone and a stray job skips it
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "skipped"
    with clock.frozen_at(waiting.next_attempt_at + timedelta(seconds=1)):
        with session_scope() as session:
            assert outbox.due_ids(session=session) == [notification_id]
        assert outbox.deliver(notification_id=notification_id, transport=transport) == "sent"


def test_a_permanent_failure_is_not_retried(committed_db):
    transport = FakeTransport(outbox.TransportError("invalid number", permanent=True))
    notification_id = _queue_message()
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "failed"
    assert _get(notification_id).status == "failed"


def test_it_gives_up_after_the_last_back_off(committed_db):
    errors = [outbox.TransportError("down") for _ in range(10)]
    transport = FakeTransport(*errors)
    notification_id = _queue_message()
    outcomes = []
    moment = clock.now()
    for _ in range(6):
        with clock.frozen_at(moment):
            outcomes.append(outbox.deliver(notification_id=notification_id, transport=transport))
        moment += timedelta(minutes=30)
    assert outcomes == ["retry", "retry", "failed", "skipped", "skipped", "skipped"]
    failed = _get(notification_id)
    assert failed.attempts == 3 and failed.needs_callback


def test_an_unexpected_transport_crash_is_retried_not_lost(committed_db):
    transport = FakeTransport(KeyError("boom"))
    notification_id = _queue_message()
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "retry"
    assert "boom" in _get(notification_id).last_error


def test_the_sweep_enqueues_what_is_due_and_nothing_else(committed_db):
    due = _queue_message()
    sent = _queue_message(to="+8801812345678")
    outbox.deliver(notification_id=sent, transport=FakeTransport())
    enqueued = []

    class Queue:
        def enqueue(self, func, *args):
            enqueued.append(args[0])

    assert outbox.sweep(job_queue=Queue()) == 1
    assert enqueued == [due]


def test_non_essential_messages_to_an_opted_out_citizen_are_suppressed(committed_db):
    with session_scope() as session:
        session.add(Citizen(phone="+8801712345678", opted_out=True))
    suppressed = _queue_message(kind="survey")
    essential = _queue_message(kind="ack")
    assert _get(suppressed).status == "suppressed"
    assert _get(essential).status == "pending"
    with session_scope() as session:
        assert outbox.due_ids(session=session) == [essential]
        assert session.exec(select(Notification).where(Notification.id == suppressed)).one()


def test_a_transport_that_fails_twice_then_succeeds_delivers_exactly_once(committed_db):
    transport = FakeTransport(outbox.TransportError("busy"), outbox.TransportError("busy"))
    notification_id = _queue_message()
    moment, outcomes = clock.now(), []
    for minutes in (0, 6, 17, 30, 60):
        with clock.frozen_at(moment + timedelta(minutes=minutes)):
            outcomes.append(outbox.deliver(notification_id=notification_id, transport=transport))
    assert outcomes == ["retry", "retry", "sent", "skipped", "skipped"]
    assert len(transport.sent) == 1 and _get(notification_id).attempts == 3


def test_a_permanent_failure_is_shown_on_the_ticket_and_flagged_for_a_callback(world):
    from grievance_engine import service
    from grievance_engine.models import Channel, TicketCreate

    with session_scope() as session:
        ticket = service.create(
            session=session,
            office_id=None,
            ticket_in=TicketCreate(
                phone="+8801712345678",
                category_code="water",
                district_id=world.rangpur,
                channel=Channel.USSD,
            ),
        )
        ref = ticket.ref
        notification_id = session.exec(select(Notification.id)).one()
    transport = FakeTransport(outbox.TransportError("invalid number", permanent=True))
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "failed"
    with session_scope() as session:
        shown = service.show(session=session, ref=ref)
    failed = [e for e in shown["events"] if e["type"] == "sms_failed"]
    assert failed[0]["data"]["reason"] == "invalid number"
    assert failed[0]["data"]["needs_callback"] is True
    assert _get(notification_id).needs_callback


def test_a_provider_opt_out_marks_the_citizen_and_no_callback_is_asked(committed_db):
    transport = FakeTransport(outbox.TransportError("21610: unsubscribed", opted_out=True))
    notification_id = _queue_message()
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "failed"
    with session_scope() as session:
        citizen = session.exec(select(Citizen).where(Citizen.phone == "+8801712345678")).one()
    assert citizen.opted_out and not _get(notification_id).needs_callback


class _Queue:
    def __init__(self):
        self.enqueued = []

    def enqueue(self, func, *args):
        self.enqueued.append(args)


def _abandon_mid_send(notification_id, *, provider_message_id=None):
    """A worker claimed the message 30 minutes ago and never recorded the outcome."""
    with session_scope() as session:
        notification = session.get(Notification, notification_id)
        notification.status = "sending"
        notification.attempts = 1
        notification.claimed_at = clock.now() - timedelta(minutes=30)
        notification.provider_message_id = provider_message_id


def test_a_send_abandoned_mid_way_is_sent_again_not_failed(committed_db):
    notification_id = _queue_message()
    _abandon_mid_send(notification_id)
    queue = _Queue()
    outbox.sweep(job_queue=queue)
    abandoned = _get(notification_id)
    assert abandoned.status == "pending" and not abandoned.needs_callback
    assert "sent again" in abandoned.last_error
    assert queue.enqueued == [(notification_id,)]
    transport = FakeTransport()
    assert outbox.deliver(notification_id=notification_id, transport=transport) == "sent"
    assert transport.sent == [("+8801712345678", 'Hello "Rangpur"')]


def test_a_send_abandoned_after_the_provider_gave_its_id_is_sent_not_resent(committed_db):
    notification_id = _queue_message()
    _abandon_mid_send(notification_id, provider_message_id="ATXid_1")
    queue = _Queue()
    outbox.sweep(job_queue=queue)
    settled = _get(notification_id)
    assert settled.status == "sent" and settled.sent_at is not None
    assert queue.enqueued == []


def test_a_message_whose_sends_keep_being_interrupted_fails_and_is_flagged(committed_db):
    notification_id = _queue_message()
    _abandon_mid_send(notification_id)
    with session_scope() as session:
        session.get(Notification, notification_id).attempts = 3  # 1 + NALISH's 2 retries
    outbox.sweep(job_queue=_Queue())
    given_up = _get(notification_id)
    assert given_up.status == "failed" and given_up.needs_callback
    assert "interrupted 3 times" in given_up.last_error


def test_a_worker_stopped_while_waiting_for_the_rate_limiter_leaves_the_message_pending(
    committed_db,
):
    class Stopped(BaseException):
        """What a SIGTERM or rq's job timeout raises in the waiting worker."""

    class StoppedWhileWaiting:
        def wait(self, provider):
            raise Stopped

    notification_id = _queue_message()
    outbox.set_rate_limiter(StoppedWhileWaiting())
    with pytest.raises(Stopped):
        outbox.deliver(notification_id=notification_id, transport=FakeTransport())
    waiting = _get(notification_id)
    assert (waiting.status, waiting.attempts, waiting.claimed_at) == ("pending", 0, None)
    outbox.set_rate_limiter(None)
    assert outbox.deliver(notification_id=notification_id, transport=FakeTransport()) == "sent"


def test_each_message_records_its_encoding_parts_and_estimated_cost(committed_db, monkeypatch):
    from infra.settings import reset_settings

    monkeypatch.setenv("NALISH_SMS_PRICE_PER_PART", "0.25")
    monkeypatch.setenv("NALISH_SMS_CURRENCY", "BDT")
    reset_settings()
    with session_scope() as session:
        bangla = outbox.add(
            session=session, to_phone="+8801712345678", body="ক" * 100, language="bn", kind="ack"
        )
    assert (bangla.encoding, bangla.parts, str(bangla.cost), bangla.currency) == (
        "UCS-2",
        2,
        "0.50",
        "BDT",
    )


def test_the_rate_limiter_spaces_sends_for_one_provider_and_not_for_another():
    from infra.ratelimit import MemoryRateLimiter

    now, sleeps = [100.0], []
    limiter = MemoryRateLimiter(per_second=50, clock=lambda: now[0], sleep=sleeps.append)
    for _ in range(3):
        limiter.wait("africastalking")
    limiter.wait("twilio")
    assert [round(s, 3) for s in sleeps] == [0.02, 0.04]
