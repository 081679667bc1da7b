"""Outbound webhooks: who is told of ticket events, and each delivery as a durable row
(the outbox pattern: written in the transaction that changed the ticket, sent after)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from grievance_engine.models.columns import now_default, utc_column


class WebhookSubscription(SQLModel, table=True):
    """A URL told of some ticket events (`nalish webhooks add`), signed with its secret.

    The secret is kept in clear: we sign with it (HMAC-SHA256), so a hash would not do.
    """

    __tablename__ = "webhook_subscription"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret: str = Field(max_length=100)
    active: bool = True
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscriber: `pending` until sent, `sending` while a worker has
    it, then `delivered` (a 2xx: never sent again) or `dead` (given up: the dead-letter
    list, `nalish webhooks dead`)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # used by the webhook sweep: pending deliveries whose attempt time has come
        Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),
        # used by `nalish webhooks dead` and a subscriber's history
        Index("ix_webhook_delivery_subscription", "subscription_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscription.id")
    event: str = Field(max_length=40)  # ticket.created, ticket.status_changed…
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = Field(
        default_factory=now_default, sa_column=utc_column(nullable=False)
    )
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
