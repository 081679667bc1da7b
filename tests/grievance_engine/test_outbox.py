"""Delivering the outbox: claim once, retry with back-off, give up and flag."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from grievance_engine import clock, outbox
from grievance_engine.db import session_scope
from grievance_engine.models import Citizen, Notification


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
    assert outcomes == ["retry", "retry", "retry", "failed", "skipped", "skipped"]
    assert _get(notification_id).attempts == 4


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
