"""Signed outbound webhooks: other systems told of ticket events.

Events: `ticket.created`, `ticket.status_changed`, `ticket.escalated`,
`ticket.resolved`, `ticket.rated` (a status change to escalated or resolved is also
its own event). Subscribers are added with `nalish webhooks add URL --events …`.

The outbox pattern, as for SMS (`grievance_engine.outbox`):
- `record()` runs inside `events.append`, so a delivery row is written in the very
  transaction that changed the ticket (a rolled-back change tells nobody), and
  `deliver_due_job` is enqueued after commit: intake never waits on a subscriber.
- `deliver()` claims one row with a conditional UPDATE (pending → sending), POSTs the
  JSON, and records the outcome: a 2xx is `delivered` and never sent again; a 5xx,
  429, timeout or refused connection is retried with back-off (`BACKOFF`); a 4xx or
  the last attempt failing puts it on the dead-letter list (`dead`). Every attempt is
  a row of the channel log (provider `webhook`).
- `sweep()` (each minute) re-enqueues due rows and settles rows a dead worker left
  `sending` (sent again: at least once).

The body carries what the public may know of a ticket (no phone, no name, no
description; a sensitive category unnamed). Each request is signed:
`Nalish-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the
subscriber's secret; the README shows how to check it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session, col, select

from grievance_engine import refs, retries
from grievance_engine.models import (
    AdminArea,
    Category,
    ChannelExchange,
    Office,
    Ticket,
    TicketEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from infra import background_jobs, caching, clock
from infra.db import session_scope
from infra.settings import get_settings

log = logging.getLogger(__name__)

EVENTS = (
    "ticket.created",
    "ticket.status_changed",
    "ticket.escalated",
    "ticket.resolved",
    "ticket.rated",
)
SIGNATURE_HEADER = "Nalish-Signature"
# After the 1st, 2nd… failed attempt, wait this long; after the last, give up (dead).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
STALE_SENDING = timedelta(minutes=5)  # a worker holding a row longer died mid-send
_SUBSCRIBERS_TTL_SECONDS = 10.0  # a new subscriber hears events within this


class WebhookError(ValueError):
    """A subscription that cannot be made as asked; the message says why."""


# ---------------------------------------------------------------------------
# Subscribers
# ---------------------------------------------------------------------------


def add(*, session: Session, url: str, events: list[str]) -> WebhookSubscription:
    """Subscribe `url` to `events`; its signing secret is made here (shown once)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WebhookError(f"{url!r} is not an http(s) URL")
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise WebhookError(f"events must be some of {', '.join(EVENTS)}; not {unknown}")
    subscription = WebhookSubscription(
        url=url, events=sorted(set(events)), secret="whsec_" + secrets.token_urlsafe(32)
    )
    session.add(subscription)
    session.flush()
    _subscribers.clear()
    return subscription


def remove(*, session: Session, subscription_id: int) -> WebhookSubscription:
    """Stop telling subscriber `subscription_id` (its pending deliveries are dropped)."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise WebhookError(f"no webhook {subscription_id}")
    subscription.active = False
    session.add(subscription)
    session.flush()
    _subscribers.clear()
    return subscription


def subscriptions(*, session: Session) -> list[WebhookSubscription]:
    return list(session.exec(select(WebhookSubscription).order_by(col(WebhookSubscription.id))))


def dead_letters(*, session: Session, limit: int = 500) -> list[WebhookDelivery]:
    """Deliveries given up on, newest first (`nalish webhooks dead`)."""
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.status == "dead")
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


_subscribers: caching.Slot[tuple[float, list[tuple[int, frozenset[str]]]]] = caching.Slot()


def _active(session: Session) -> list[tuple[int, frozenset[str]]]:
    """(id, events) of active subscribers, read at most every few seconds: intake asks
    on every event and must not pay a query for it."""
    held = _subscribers.value
    if held is not None and time.monotonic() - held[0] < _SUBSCRIBERS_TTL_SECONDS:
        return held[1]
    rows = session.exec(
        select(WebhookSubscription.id, WebhookSubscription.events).where(
            col(WebhookSubscription.active)
        )
    ).all()
    found = [(row_id, frozenset(events)) for row_id, events in rows if row_id is not None]
    _subscribers.value = (time.monotonic(), found)
    return found


# ---------------------------------------------------------------------------
# Recording events (inside the caller's transaction)
# ---------------------------------------------------------------------------


def names_of(event: TicketEvent) -> list[str]:
    """The webhook events a ticket event is."""
    if event.type == "created":
        return ["ticket.created"]
    if event.type == "rated":
        return ["ticket.rated"]
    if event.type != "status_changed":
        return []
    names = ["ticket.status_changed"]
    if event.data.get("to") in ("escalated", "resolved"):
        names.append(f"ticket.{event.data['to']}")
    return names


def record(*, session: Session, ticket: Ticket, event: TicketEvent) -> None:
    """Write a delivery for each subscriber of what `event` is (no flush: the rows go
    with the caller's transaction), and enqueue their sending after it commits."""
    names = names_of(event)
    if not names:
        return
    wanted = [(sid, name) for sid, events in _active(session) for name in names if name in events]
    if not wanted:
        return
    for subscription_id, name in wanted:
        payload = {
            "event": name,
            "occurred_at": event.at.isoformat(),
            "ticket": public_fields(session=session, ticket=ticket),
            "change": _change(event),
        }
        session.add(
            WebhookDelivery(
                subscription_id=subscription_id,
                event=name,
                ticket_id=ticket.id,
                payload=payload,
                next_attempt_at=clock.now(),
            )
        )
    background_jobs.enqueue_after_commit(session, deliver_due_job)


def public_fields(*, session: Session, ticket: Ticket) -> dict[str, Any]:
    """What any subscriber may know of a ticket: nothing personal, no description."""
    category = session.get(Category, ticket.category_id)
    district = session.get(AdminArea, ticket.district_id)
    office = session.get(Office, ticket.office_id) if ticket.office_id else None
    return {
        "ref": refs.display(ticket.ref),
        "status": ticket.status,
        "category": None if category is None or category.sensitive else category.code,
        "district": district.name if district else None,
        "office": office.code if office else None,
        "channel": ticket.channel,
        "escalation_level": ticket.escalation_level,
        "due_at": ticket.sla_due_at.isoformat() if ticket.sla_due_at else None,
        "created_at": ticket.created_at.isoformat(),
    }


def _change(event: TicketEvent) -> dict[str, Any]:
    keep = ("from", "to", "level", "rating")
    return {key: event.data[key] for key in keep if key in event.data}


# ---------------------------------------------------------------------------
# Delivering (a worker)
# ---------------------------------------------------------------------------


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The `Nalish-Signature` header value for `body` sent at `timestamp`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver_due_job() -> int:
    """The job: deliver every due delivery (each claimed once); returns how many went."""
    with session_scope() as session:
        ids = _due_ids(session)
    return sum(deliver(delivery_id=row_id) == "delivered" for row_id in ids)


def deliver_job(delivery_id: int) -> str:
    return deliver(delivery_id=delivery_id)


def _due_ids(session: Session) -> list[int]:
    return retries.due_ids(session=session, model=WebhookDelivery, now=clock.now(), limit=500)


def deliver(*, delivery_id: int) -> str:
    """Send one delivery if it is due and nobody else has it; returns the outcome."""
    now = clock.now()
    with session_scope() as session:
        if not retries.claim(
            session=session,
            model=WebhookDelivery,
            row_id=delivery_id,
            now=now,
            status="sending",
            claimed_at=now,
            attempts=WebhookDelivery.attempts + 1,
        ):
            return "skipped"
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        subscription = session.get(WebhookSubscription, delivery.subscription_id)
        assert subscription is not None
        if not subscription.active:
            delivery.status, delivery.last_error = "dead", "subscriber removed"
            return "dead"
        url, secret, attempts = subscription.url, subscription.secret, delivery.attempts
        body = json.dumps({"id": delivery_id, **delivery.payload}, ensure_ascii=False).encode()
        event_name = delivery.event
    status_code, error, answer, took = _post(url, secret, body, event_name, delivery_id)
    outcome = _outcome(status_code, attempts)
    with session_scope() as session:
        _record(session, delivery_id, outcome, status_code, error, attempts)
        session.add(
            ChannelExchange(
                provider="webhook",
                direction="out",
                method="POST",
                url=url[:500],
                status_code=status_code,
                duration_ms=took,
                request_body=body.decode()[:4000],
                response_body=answer[:2000],
                error=error[:500] if error else None,
            )
        )
    return outcome


def _post(
    url: str, secret: str, body: bytes, event_name: str, delivery_id: int
) -> tuple[int | None, str | None, str, float]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Nalish-Webhooks/1",
        "Nalish-Event": event_name,
        "Nalish-Delivery": str(delivery_id),
        SIGNATURE_HEADER: signature(secret=secret, timestamp=int(time.time()), body=body),
    }
    started = time.monotonic()
    try:
        response = httpx.post(
            url, content=body, headers=headers, timeout=get_settings().webhook_timeout_seconds
        )
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}", "", _ms(started)
    error = None if response.is_success else f"HTTP {response.status_code}"
    return response.status_code, error, response.text, _ms(started)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _outcome(status_code: int | None, attempts: int) -> str:
    if status_code is not None and 200 <= status_code < 300:
        return "delivered"
    retryable = status_code is None or status_code >= 500 or status_code == 429
    return "pending" if retryable and attempts <= len(BACKOFF) else "dead"


def _record(
    session: Session,
    delivery_id: int,
    outcome: str,
    status_code: int | None,
    error: str | None,
    attempts: int,
) -> None:
    delivery = session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    now = clock.now()
    delivery.status, delivery.last_status_code, delivery.last_error = outcome, status_code, error
    delivery.claimed_at = None
    if outcome == "delivered":
        delivery.delivered_at = now
    elif outcome == "pending":
        delivery.next_attempt_at = now + BACKOFF[attempts - 1]
    session.add(delivery)


def _settle_stale(*, session: Session) -> int:
    """Rows a dead worker left `sending`: due again (at least once, as for SMS)."""
    cutoff: datetime = clock.now() - STALE_SENDING
    stale = session.exec(
        select(WebhookDelivery).where(
            WebhookDelivery.status == "sending", col(WebhookDelivery.claimed_at) < cutoff
        )
    ).all()
    for delivery in stale:
        delivery.status, delivery.next_attempt_at = "pending", clock.now()
        delivery.last_error = "worker stopped mid-send; sent again"
        session.add(delivery)
    return len(stale)


def sweep(*, job_queue: background_jobs.JobQueue) -> int:
    """Enqueue every due delivery; returns how many."""
    return retries.enqueue_due(
        job_queue=job_queue,
        job=deliver_job,
        settle=_settle_stale,
        list_due=lambda *, session: _due_ids(session),
    )
