"""`GET /metrics`: Prometheus text format, with the outbox backlog, the job-queue depth
and the business gauges (open, overdue, urgent unacknowledged tickets; the oldest
pending SMS) measured at scrape time; docker/alerts.yml alerts on them. Behind a
bearer token when NALISH_METRICS_TOKEN is set (and refused in production without one)."""

from __future__ import annotations

import hmac
import logging
import os

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlmodel import col, func, select

from grievance_engine import lifecycle
from grievance_engine.models import Notification, NotificationStatus, Ticket
from infra import clock
from infra.db import session_scope
from infra.settings import get_settings
from nalish import wiring

log = logging.getLogger("nalish.metrics")

router = APIRouter(tags=["health"])

OUTBOX_BACKLOG = Gauge(
    "nalish_outbox_messages",
    "Outbound SMS by status (pending = waiting to be sent; failed = needs an agent).",
    ["status"],
    multiprocess_mode="max",
)
TICKETS = Gauge(
    "nalish_tickets",
    "Open tickets (state=open), those past their SLA deadline (overdue), and urgent ones "
    "nobody has acknowledged (urgent_unacknowledged).",
    ["state"],
    multiprocess_mode="max",
)
OLDEST_PENDING_SMS = Gauge(
    "nalish_outbox_oldest_pending_seconds",
    "Age of the oldest SMS waiting to be sent (0 when none waits).",
    multiprocess_mode="max",
)
QUEUE_DEPTH = Gauge(
    "nalish_queue_depth", "Jobs waiting in the rq queue.", ["queue"], multiprocess_mode="max"
)


@router.get("/metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    _check_token(request)
    await run_in_threadpool(_measure_backlogs)
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)


def _check_token(request: Request) -> None:
    """`Authorization: Bearer <NALISH_METRICS_TOKEN>` when a token is set. Production
    without one refuses: the backlog and traffic figures are nobody else's business."""
    expected = get_settings().metrics_token
    if not expected:
        if get_settings().env == "production":
            log.warning("refused /metrics: set NALISH_METRICS_TOKEN to scrape in production")
            raise HTTPException(403, "set NALISH_METRICS_TOKEN")
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        raise HTTPException(401, "bearer token required", {"WWW-Authenticate": "Bearer"})


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()  # several uvicorn workers: add their files up
    MultiProcessCollector(registry)
    return registry


def _measure_backlogs() -> None:
    _measure_tickets()
    with session_scope() as session:
        counts = dict(
            session.exec(
                select(Notification.status, func.count())
                .where(
                    Notification.status.in_(  # type: ignore[attr-defined]
                        [
                            NotificationStatus.PENDING,
                            NotificationStatus.SENDING,
                            NotificationStatus.FAILED,
                        ]
                    )
                )
                .group_by(Notification.status)
            ).all()
        )
    for status in (
        NotificationStatus.PENDING,
        NotificationStatus.SENDING,
        NotificationStatus.FAILED,
    ):
        OUTBOX_BACKLOG.labels(status.value).set(counts.get(status.value, 0))
    settings = get_settings()
    if not settings.embedded:
        queue = wiring.rq_queue(settings, wiring.redis_client(settings))
        QUEUE_DEPTH.labels(queue.name).set(queue.count)


def _measure_tickets() -> None:
    """Three counts and one age, each one indexed query (ix_ticket_status and the
    outbox's status index)."""
    now = clock.now()
    is_open = col(Ticket.status).in_([status.value for status in lifecycle.OPEN])
    with session_scope() as session:
        counts = {
            "open": select(func.count()).where(is_open),
            "overdue": select(func.count()).where(is_open, col(Ticket.sla_due_at) < now),
            "urgent_unacknowledged": select(func.count()).where(
                is_open, Ticket.priority == "urgent", col(Ticket.acknowledged_at).is_(None)
            ),
        }
        for state, statement in counts.items():
            TICKETS.labels(state).set(session.exec(statement.select_from(Ticket)).one())
        oldest = session.exec(
            select(Notification.created_at)
            .where(Notification.status == NotificationStatus.PENDING)
            .order_by(col(Notification.created_at))
            .limit(1)
        ).first()
    OLDEST_PENDING_SMS.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
