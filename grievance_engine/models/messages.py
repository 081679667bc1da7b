"""Messages with citizens and providers: the SMS outbox, delivery reports, inbound
messages and the channel log of provider exchanges."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from grievance_engine.models.columns import now_default, utc_column


class NotificationStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (or re-sent at next_attempt_at)
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"  # accepted by the provider
    DELIVERED = "delivered"  # the handset has it (delivery report)
    FAILED = "failed"  # given up; flagged for an agent callback
    SUPPRESSED = "suppressed"  # not sent: the citizen opted out


class Notification(SQLModel, table=True):
    """An outbound SMS in the outbox: written with the change that caused it, sent after."""

    __table_args__ = (
        # used by the outbox sweep: pending messages whose attempt time has come
        Index("ix_notification_status_next_attempt", "status", "next_attempt_at"),
        # used by delivery reports, which name the provider's message id
        Index("ix_notification_provider_message", "provider_message_id"),
        # used by `outbox list --to` and a citizen's message history
        Index("ix_notification_to_phone", "to_phone"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    to_phone: str = Field(max_length=20)
    body: str
    language: str = Field(max_length=5)
    kind: str = Field(max_length=40)  # "ack", "resolved", … (what the message is for)
    status: str = Field(default=NotificationStatus.PENDING, max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    provider: str | None = Field(default=None, max_length=20)
    provider_message_id: str | None = Field(default=None, max_length=120)
    last_error: str | None = Field(default=None, max_length=500)
    encoding: str = Field(default="GSM-7", max_length=8)
    parts: int = 1
    # What the telco will bill: parts × NALISH_SMS_PRICE_PER_PART at the time of writing.
    cost: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 4), nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    provider_status: str | None = Field(default=None, max_length=40)  # last raw status
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Set when the message could not be delivered: an agent should call the citizen.
    needs_callback: bool = False
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))


class DeliveryReport(SQLModel, table=True):
    """A provider's delivery report, kept raw as received, whatever it said."""

    __tablename__ = "delivery_report"
    __table_args__ = (
        # used to show a message's delivery history, and by delivery.apply_waiting to find
        # the reports that arrived before their message's provider id was saved
        Index("ix_delivery_report_provider_message", "provider", "provider_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    provider_message_id: str = Field(max_length=120)
    notification_id: int | None = Field(default=None, foreign_key="notification.id")
    status: str = Field(max_length=40)  # the provider's word: "Success", "delivered"…
    failure_reason: str | None = Field(default=None, max_length=200)
    applied: bool = False  # False: unknown message, or a status older than what we had
    # What the report means for its message (a NotificationStatus) and whether it says the
    # citizen blocked us: kept so that a report that outran the send can be applied when
    # the message's id is saved (delivery.apply_waiting). None on rows from before 0010.
    meaning: str | None = Field(default=None, max_length=20)
    opted_out: bool = False
    received_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class InboundMessage(SQLModel, table=True):
    """An SMS (or other message) a citizen sent us, recorded before it is acted on.

    The row is the idempotency record: a provider retry with the same id, or the same
    text from the same phone within a short window, finds it and is not processed again.
    """

    __tablename__ = "inbound_message"
    __table_args__ = (
        # used by idempotency: one row per provider message id (NULLs never collide)
        UniqueConstraint("provider", "provider_message_id", name="uq_inbound_provider_id"),
        # used by idempotency without a provider id: the insert that loses this race is
        # the duplicate (grievance_engine.inbound_messages.record says what the key is; it
        # replaced the read of (from_phone, text_hash, received_at) and its index)
        UniqueConstraint("dedupe_key", name="uq_inbound_dedupe_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    provider_message_id: str | None = Field(default=None, max_length=120)
    channel: str = Field(default="sms", max_length=10)
    from_phone: str = Field(max_length=20)
    to_address: str = Field(default="", max_length=40)  # the shortcode or number written to
    text: str
    text_hash: str = Field(max_length=64)
    # Held while the no-id dedupe window runs, released (NULL) when the same text comes
    # again after it: see grievance_engine.inbound_messages.record.
    dedupe_key: str | None = Field(default=None, max_length=64)
    received_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    processed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    outcome: str | None = Field(default=None, max_length=40)  # "filed", "status", "stop"…


class ChannelExchange(SQLModel, table=True):
    """One HTTP exchange with a provider, in or out, with secrets redacted (channel log)."""

    __tablename__ = "channel_exchange"
    __table_args__ = (
        # used by the retention sweep, which deletes the oldest
        Index("ix_channel_exchange_at", "at"),
        # used by admins reading one provider's log
        Index("ix_channel_exchange_provider_at", "provider", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    provider: str = Field(max_length=20)
    direction: str = Field(max_length=3)  # "in" (webhook) or "out" (API call)
    method: str = Field(max_length=8)
    url: str = Field(max_length=500)
    status_code: int | None = None
    duration_ms: float | None = None
    request_body: str = ""
    response_body: str = ""
    error: str | None = Field(default=None, max_length=500)
