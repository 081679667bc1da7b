"""The record: admin areas, categories, offices, users, citizens, tickets, events, outbox.

One SQLModel family per entity where callers need more than the table
(`TicketCreate`, `TicketPublic`). Status-like columns are plain strings validated by
`StrEnum`s here, so migrations stay portable between SQLite and PostgreSQL.
Timestamps are `UTCDateTime`: stored UTC, read back aware.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from infra import clock
from infra.db import UTCDateTime


def _utc_column(**kwargs: Any) -> Column:
    return Column(UTCDateTime(), **kwargs)


def _created_at() -> datetime:
    return clock.now()


class AdminLevel(StrEnum):
    """Rank in the administrative tree. Kenya's counties sit at the district rank."""

    DIVISION = "division"
    DISTRICT = "district"
    UPAZILA = "upazila"


class AdminArea(SQLModel, table=True):
    """An administrative area: a division, a district (or county) or an upazila."""

    __tablename__ = "admin_area"
    __table_args__ = (
        # used by the menus and the gazetteer: "the districts of this country"
        Index("ix_admin_area_country_level", "country", "level"),
        # used by the district-by-division menu
        Index("ix_admin_area_parent", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)  # ISO 3166-2 where one exists
    country: str = Field(max_length=2)
    level: str = Field(max_length=16)
    kind: str = Field(max_length=32)  # what people call it: Division, District, County…
    name: str = Field(max_length=100)  # English name as seeded, e.g. "Rangpur"
    name_local: str | None = Field(default=None, max_length=100)  # e.g. "রংপুর"
    parent_id: int | None = Field(default=None, foreign_key="admin_area.id")


class Category(SQLModel, table=True):
    """A kind of grievance (water, electricity…) with its names per language."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    names: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sort_order: int = 0
    active: bool = True

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.code


class OfficeLevel(StrEnum):
    UPAZILA = "upazila"
    DISTRICT = "district"
    DIVISION = "division"
    NATIONAL = "national"


class Office(SQLModel, table=True):
    """A desk that owns tickets: an upazila, district or divisional office, or national."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    level: str = Field(max_length=16)
    area_id: int | None = Field(default=None, foreign_key="admin_area.id", index=True)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    active: bool = True


class Role(StrEnum):
    AGENT = "agent"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class User(SQLModel, table=True):
    """Someone who works tickets: a call-centre agent, an officer, a supervisor, an admin."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(default="", max_length=200)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=200)
    office_id: int | None = Field(default=None, foreign_key="office.id")
    area_id: int | None = Field(default=None, foreign_key="admin_area.id")
    phone: str | None = Field(default=None, max_length=20)
    language: str = Field(default="en", max_length=5)  # the language of their screens
    # Languages the person can work a ticket in; assignment gives a Bangla ticket only
    # to someone who speaks Bangla.
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Queues of their office this person works; empty: every queue of the office.
    queues: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    away: bool = False  # on leave or off shift: assignment passes them by
    active: bool = True
    created_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))

    def speaks(self, language: str) -> bool:
        return language in (self.languages or [self.language])


class Citizen(SQLModel, table=True):
    """A person who contacted the helpline, known by an E.164 phone number."""

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, unique=True)
    language: str | None = Field(default=None, max_length=5)
    opted_out: bool = False
    opted_out_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))


class TicketStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    AWAITING_CITIZEN = "awaiting_citizen"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class Channel(StrEnum):
    USSD = "ussd"
    SMS = "sms"
    VOICE = "voice"
    AGENT = "agent"
    WEB = "web"


class TicketBase(SQLModel):
    channel: str = Field(max_length=10)
    language: str = Field(max_length=5)
    description: str = Field(default="")
    anonymous: bool = False


class TicketCreate(SQLModel):
    """What a channel knows when a citizen confirms a grievance."""

    phone: str  # E.164
    category_code: str
    district_id: int
    upazila_id: int | None = None
    channel: Channel
    language: str = "en"
    description: str = ""
    anonymous: bool = False
    # A provider-scoped key ("at-ussd:<sessionId>") so a retried confirmation
    # never files a second ticket, even if the session store forgot the first.
    source_key: str | None = None


class Ticket(TicketBase, table=True):
    """A grievance: what a citizen reported, where, to whom it is routed, and its state."""

    __table_args__ = (
        # used by agent and officer queues: open tickets of an office
        Index("ix_ticket_office_status", "office_id", "status"),
        # used by `tickets list --status` and dashboards' counts
        Index("ix_ticket_status", "status"),
        # used by `tickets list --district`, district analytics, and duplicate detection
        # and mass-event grouping (same place and category, recently)
        Index("ix_ticket_district_category_created", "district_id", "category_id", "created_at"),
        # used by "my recent complaints" and duplicate detection
        Index("ix_ticket_citizen", "citizen_id"),
        # used by assignment (each person's open tickets) and "my tickets"
        Index("ix_ticket_assignee_status", "assignee_id", "status"),
        # used to tell a merged duplicate's citizen when the original is resolved
        Index("ix_ticket_duplicate_of", "duplicate_of_id"),
        # used to resolve a mass event's tickets together
        Index("ix_ticket_incident", "incident_id"),
        # used by the SLA sweep: tickets whose deadline has passed, oldest first
        # (NULL for tickets with no running clock: resolved, closed, paused)
        Index("ix_ticket_sla_due", "sla_due_at"),
        # used by the SLA sweep: owners to remind before the deadline
        Index("ix_ticket_reminder_due", "reminder_due_at"),
        # used by the sweep that closes resolved tickets nobody rated
        Index("ix_ticket_rating_due", "rating_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=8, unique=True)  # stored without the dash
    status: str = Field(default=TicketStatus.NEW, max_length=20)
    category_id: int = Field(foreign_key="category.id")
    district_id: int = Field(foreign_key="admin_area.id")
    upazila_id: int | None = Field(default=None, foreign_key="admin_area.id")
    office_id: int | None = Field(default=None, foreign_key="office.id")
    queue: str = Field(default="default", max_length=40)  # the office's queue (routing rule)
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    citizen_id: int = Field(foreign_key="citizen.id")
    # Set by an agent's merge: this ticket is handled as that one.
    duplicate_of_id: int | None = Field(default=None, foreign_key="ticket.id")
    # Set at intake when an earlier open ticket looks like the same grievance; the
    # agent confirms with a merge or dismisses it.
    suspected_duplicate_of_id: int | None = Field(default=None, foreign_key="ticket.id")
    incident_id: int | None = Field(default=None, foreign_key="incident.id")
    priority: str = Field(default="normal", max_length=8)  # normal, urgent
    # The SLA clock (escalation.deadlines): what is due next ("acknowledge" or
    # "resolve") and when, at the current level; when the clock started at this level;
    # the working time left while paused (awaiting the citizen); the reminder time.
    sla_target: str | None = Field(default=None, max_length=12)
    sla_due_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    sla_started_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    sla_paused_seconds: int | None = None
    reminder_due_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # Close the loop: the citizen's rating (0 = not solved, 1–5) and until when we wait
    rating: int | None = None
    rated_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    rating_due_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    description_truncated: bool = False
    escalation_level: int = 0
    source_key: str | None = Field(default=None, max_length=120, unique=True)
    # The head of the ticket's audit chain (grievance_engine.events), written with every
    # event: `audit verify` compares it with the events, so a deleted last event shows.
    event_count: int = 0
    last_event_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Incident(SQLModel, table=True):
    """A mass event: many citizens reporting one problem in one place at about the same
    time (a burst of "no water" in one upazila), worked and resolved as one.

    Tickets join an open incident at intake; resolving the incident resolves every open
    ticket in it, and each citizen gets the resolution SMS.
    """

    __table_args__ = (
        # used by officers and dashboards: the open mass events of a district
        Index("ix_incident_place_category_status", "district_id", "category_id", "status"),
        # used by intake (incidents.group), to find a place's open mass event and as the
        # last word on opening one: at most one open per category and upazila (or, for
        # a place with no upazila, per category and district), whatever races.
        Index(
            "uq_incident_open_place",
            "category_id",
            "district_id",
            text("coalesce(upazila_id, 0)"),
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="category.id")
    district_id: int = Field(foreign_key="admin_area.id")
    upazila_id: int | None = Field(default=None, foreign_key="admin_area.id")
    status: str = Field(default=IncidentStatus.OPEN, max_length=12)
    # The description that made the burst; later reports must resemble it to join.
    summary: str = ""
    ticket_count: int = 0
    opened_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))
    last_report_at: datetime = Field(
        default_factory=_created_at, sa_column=_utc_column(nullable=False)
    )
    resolved_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    resolved_by: str | None = Field(default=None, max_length=80)
    resolution: str | None = None


class AttachmentStatus(StrEnum):
    PENDING = "pending"  # waiting to be fetched (or re-fetched at next_attempt_at)
    FETCHED = "fetched"  # stored under NALISH_MEDIA_DIR
    FAILED = "failed"  # given up after the retries; the URL is still on record


class Attachment(SQLModel, table=True):
    """Media on a ticket, known by URL: a voice complaint's recording, a photo.

    The URL is recorded with the ticket at once; a worker fetches a copy (providers
    delete recordings) and stores it by content hash.
    """

    __table_args__ = (
        # used by the ticket page: a ticket's attachments
        Index("ix_attachment_ticket", "ticket_id"),
        # used by the fetch sweep: pending attachments whose attempt time has come
        Index("ix_attachment_status_next_attempt", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    kind: str = Field(default="audio", max_length=12)  # audio, image, video, document
    source_url: str = Field(max_length=1000)
    status: str = Field(default=AttachmentStatus.PENDING, max_length=12)
    content_type: str | None = Field(default=None, max_length=100)
    size_bytes: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    stored_path: str | None = Field(default=None, max_length=300)  # under NALISH_MEDIA_DIR
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    fetched_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))


class CallbackStatus(StrEnum):
    OPEN = "open"  # an agent should call
    DONE = "done"  # called (the outcome says how it went)


class CallbackTask(SQLModel, table=True):
    """A phone call an agent owes a citizen: asked for from the menus, or because an SMS
    that closes the loop (a resolution) could not be delivered."""

    __tablename__ = "callback_task"
    __table_args__ = (
        # used by the agents' call-back queue: open tasks, oldest first
        Index("ix_callback_task_status_created", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20)
    language: str = Field(default="en", max_length=5)
    reason: str = Field(max_length=200)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    notification_id: int | None = Field(default=None, foreign_key="notification.id")
    status: str = Field(default=CallbackStatus.OPEN, max_length=8)
    # "ussd:<sessionId>", "notification:<id>": a retried request makes one task
    source_key: str | None = Field(default=None, max_length=120, unique=True)
    created_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    done_by: str | None = Field(default=None, max_length=80)
    outcome: str | None = Field(default=None, max_length=500)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API, made with `nalish tokens create`.

    Only a SHA-256 of the token is stored; the token is shown once. Its role decides
    what it may do; an officer's token sees only its district.
    """

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)  # the first characters, to recognise it in lists
    role: str = Field(max_length=16)
    area_id: int | None = Field(default=None, foreign_key="admin_area.id")
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class TicketEvent(SQLModel, table=True):
    """Something that happened to a ticket. Append-only: rows are never updated or deleted.

    Events form one hash chain per ticket (`seq` 1, 2, 3…, each `hash` covering the
    previous one); add them only through `grievance_engine.events.append`.
    """

    __tablename__ = "ticket_event"
    __table_args__ = (
        # used by the ticket timeline: a ticket's events in order
        Index("ix_ticket_event_ticket", "ticket_id", "id"),
        # used by `audit verify` (a ticket's chain in order); and the last guard against
        # a forked chain: two events can never share a place in one ticket's chain
        UniqueConstraint("ticket_id", "seq", name="uq_ticket_event_ticket_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    type: str = Field(max_length=40)
    at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))
    actor: str = Field(default="system", max_length=80)  # "citizen:ussd", "user:12", "system"
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    seq: int = 0  # 1, 2, 3… within the ticket
    prev_hash: str = Field(default="", max_length=64)  # the previous event's hash (or genesis)
    hash: str = Field(default="", max_length=64)  # SHA-256 hex, see grievance_engine.events


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
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    claimed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    provider: str | None = Field(default=None, max_length=20)
    provider_message_id: str | None = Field(default=None, max_length=120)
    last_error: str | None = Field(default=None, max_length=500)
    encoding: str = Field(default="GSM-7", max_length=8)
    parts: int = 1
    # What the telco will bill: parts × NALISH_SMS_PRICE_PER_PART at the time of writing.
    cost: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 4), nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    provider_status: str | None = Field(default=None, max_length=40)  # last raw status
    delivered_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # Set when the message could not be delivered: an agent should call the citizen.
    needs_callback: bool = False
    created_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))


class DeliveryReport(SQLModel, table=True):
    """A provider's delivery report, kept raw as received, whatever it said."""

    __tablename__ = "delivery_report"
    __table_args__ = (
        # used to show a message's delivery history, and by channels.delivery.apply_waiting
        # to find the reports that arrived before their message's provider id was saved
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
    # the message's id is saved (channels.delivery.apply_waiting). None on rows from before 0010.
    meaning: str | None = Field(default=None, max_length=20)
    opted_out: bool = False
    received_at: datetime = Field(
        default_factory=_created_at, sa_column=_utc_column(nullable=False)
    )
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
    received_at: datetime = Field(
        default_factory=_created_at, sa_column=_utc_column(nullable=False)
    )
    processed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
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
    at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))
    provider: str = Field(max_length=20)
    direction: str = Field(max_length=3)  # "in" (webhook) or "out" (API call)
    method: str = Field(max_length=8)
    url: str = Field(max_length=500)
    status_code: int | None = None
    duration_ms: float | None = None
    request_body: str = ""
    response_body: str = ""
    error: str | None = Field(default=None, max_length=500)


class AdminEvent(SQLModel, table=True):
    """A change to how the helpline runs (a user, an office, a routing rule, an SLA
    policy, a holiday, a category, an API token), by whom and when. Append-only.

    The rows form one hash chain (`seq` 1, 2, 3…, each `hash` covering the previous),
    as a ticket's events do; add them only through `grievance_engine.admin_log.record`.
    """

    __tablename__ = "admin_event"
    __table_args__ = (
        # the last guard against a forked chain: two changes never share a place
        UniqueConstraint("seq", name="uq_admin_event_seq"),
        # used by the admin page and the CLI: one subject's history
        Index("ix_admin_event_subject", "subject", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    seq: int
    at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))
    actor: str = Field(max_length=80)  # "user:12", "cli:root"
    action: str = Field(max_length=40)  # "user_created", "routing_rule_saved"…
    subject: str = Field(max_length=120)  # "user:12", "office:dc-rangpur", "holiday:BD:2026-12-16"
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class IdempotencyKey(SQLModel, table=True):
    """An API request made with an `Idempotency-Key`, and the answer it got.

    Inserted first, in the transaction that does the work: a concurrent retry's insert
    waits on the unique (token, key) until that transaction ends, then finds the row
    and replays its answer (or, if it rolled back, inserts it and does the work itself).
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (
        # used by nalish.api.idempotency: this constraint decides which retry does the work
        UniqueConstraint("token_id", "key", name="uq_idempotency_token_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_token.id")
    key: str = Field(max_length=100)
    request_hash: str = Field(max_length=64)  # SHA-256 of the request: a reuse must match
    # NULL only inside the transaction doing the work, which nobody else can see.
    status_code: int | None = None
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=_created_at, sa_column=_utc_column(nullable=False))


class LoginThrottle(SQLModel, table=True):
    """Sign-in attempts counted for one account or one address within a window.

    One row per subject (a SHA-256 of `email:…` or `address:…`, never the clear text),
    counted with one atomic upsert before the password is checked, so attempts racing
    each get their own number and the one past the limit is refused, right or not.
    """

    __tablename__ = "login_throttle"

    id: int | None = Field(default=None, primary_key=True)
    # used by dashboards.auth: the upsert's conflict target
    subject: str = Field(max_length=64, unique=True)
    attempts: int = 0
    window_started_at: datetime = Field(
        default_factory=_created_at, sa_column=_utc_column(nullable=False)
    )
