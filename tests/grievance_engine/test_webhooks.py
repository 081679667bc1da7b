"""Outbound webhooks through the outbox: a real local HTTP subscriber receives signed
deliveries; 5xx and unreachable subscribers are retried with back-off, a 2xx is never
sent again, a 4xx goes to the dead-letter list, and every attempt is in the channel log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from grievance_engine import service, webhooks
from grievance_engine.models import (
    Channel,
    ChannelExchange,
    TicketCreate,
    WebhookDelivery,
)
from infra import clock
from infra.db import session_scope
from tests.private_servers import free_port
from tests.webhook_subscriber import subscriber, verify


def _subscribe(url: str, events=("ticket.created",)) -> str:
    with session_scope() as session:
        return webhooks.add(session=session, url=url, events=list(events)).secret


def _file(world) -> str:
    with session_scope() as session:
        ticket = service.create(
            session=session,
            ticket_in=TicketCreate(
                phone="+8801712345678",
                category_code=world.water,
                district_id=world.rangpur,
                channel=Channel.SMS,
                description="No water in ward 5",
            ),
            office_id=world.rangpur_office,
        )
        return ticket.ref


def _deliveries() -> list[WebhookDelivery]:
    with session_scope() as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_subscriber_receives_a_signed_ticket_created_it_can_verify(world):
    with subscriber() as hook:
        secret = _subscribe(hook.url)
        _file(world)
        assert webhooks.deliver_due_job() == 1
    [got] = hook.received
    assert got.headers["Nalish-Event"] == "ticket.created"
    assert verify(secret, got.headers["Nalish-Signature"], got.body)
    assert not verify("whsec_someone-else", got.headers["Nalish-Signature"], got.body)
    assert not verify(secret, got.headers["Nalish-Signature"], got.body + b" ")
    payload = json.loads(got.body)
    assert payload["event"] == "ticket.created" and payload["ticket"]["district"] == "Rangpur"
    assert "+8801712345678" not in got.body.decode() and "ward 5" not in got.body.decode()


def test_a_5xx_is_retried_after_back_off_and_a_2xx_is_never_resent(world):
    with subscriber() as hook:
        hook.answers = [503]
        _subscribe(hook.url)
        _file(world)
        [delivery] = _deliveries()
        assert webhooks.deliver(delivery_id=delivery.id) == "pending"
        assert webhooks.deliver(delivery_id=delivery.id) == "skipped"  # not due yet
        later = clock.now() + webhooks.BACKOFF[0] + timedelta(seconds=1)
        with clock.frozen_at(later):
            assert webhooks.deliver(delivery_id=delivery.id) == "delivered"
            assert webhooks.deliver(delivery_id=delivery.id) == "skipped"
            assert webhooks.deliver_due_job() == 0
    assert len(hook.received) == 2
    [done] = _deliveries()
    assert (done.status, done.attempts, done.last_status_code) == ("delivered", 2, 200)


def test_an_unreachable_subscriber_is_retried_then_dead_lettered(world, monkeypatch):
    monkeypatch.setattr(webhooks, "BACKOFF", (timedelta(minutes=1),))
    _subscribe(f"http://127.0.0.1:{free_port()}/nobody-listens")
    _file(world)
    [delivery] = _deliveries()
    assert webhooks.deliver(delivery_id=delivery.id) == "pending"
    with clock.frozen_at(clock.now() + timedelta(minutes=2)):
        assert webhooks.deliver(delivery_id=delivery.id) == "dead"
    with session_scope() as session:
        [dead] = webhooks.dead_letters(session=session)
        assert dead.id == delivery.id and "ConnectError" in (dead.last_error or "")


def test_a_4xx_goes_to_the_dead_letter_list_at_once(world):
    with subscriber() as hook:
        hook.answers = [410]
        _subscribe(hook.url)
        _file(world)
        assert webhooks.deliver_due_job() == 0
    [dead] = _deliveries()
    assert (dead.status, dead.last_status_code) == ("dead", 410)


def test_every_attempt_is_in_the_channel_log(world):
    with subscriber() as hook:
        hook.answers = [500]
        _subscribe(hook.url)
        _file(world)
        webhooks.deliver_due_job()
        with clock.frozen_at(clock.now() + timedelta(minutes=2)):
            webhooks.deliver_due_job()
    with session_scope() as session:
        logged = session.exec(
            select(ChannelExchange).where(ChannelExchange.provider == "webhook")
        ).all()
    assert [row.status_code for row in logged] == [500, 200]
    assert all(row.url == hook.url for row in logged)


def test_only_subscribed_events_are_recorded(world):
    _subscribe("http://127.0.0.1:9/never", events=("ticket.resolved",))
    _file(world)
    assert _deliveries() == []


@pytest.mark.parametrize("bad", ["ftp://x", "not a url"])
def test_a_subscription_needs_an_http_url(committed_db, bad):
    with session_scope() as session, pytest.raises(webhooks.WebhookError):
        webhooks.add(session=session, url=bad, events=["ticket.created"])
