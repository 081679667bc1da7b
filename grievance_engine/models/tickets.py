"""The ticket and what hangs off it: its events, mass events (incidents),
attachments and the call-backs agents owe citizens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from grievance_engine.models.columns import now_default, utc_column


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
    # The consent text's version the channel showed (None: the current one)
    consent_version: str | None = None


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
    sla_due_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sla_started_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sla_paused_seconds: int | None = None
    reminder_due_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Close the loop: the citizen's rating (0 = not solved, 1–5) and until when we wait
    rating: int | None = None
    rated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    rating_due_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    description_truncated: bool = False
    # The version of the consent text the citizen agreed to (grievance_engine.consent)
    consent_version: str | None = Field(default=None, max_length=20)
    escalation_level: int = 0
    source_key: str | None = Field(default=None, max_length=120, unique=True)
    # The head of the ticket's audit chain (grievance_engine.events), written with every
    # event: `audit verify` compares it with the events, so a deleted last event shows.
    event_count: int = 0
    last_event_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))


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
    at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    actor: str = Field(default="system", max_length=80)  # "citizen:ussd", "user:12", "system"
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    seq: int = 0  # 1, 2, 3… within the ticket
    prev_hash: str = Field(default="", max_length=64)  # the previous event's hash (or genesis)
    hash: str = Field(default="", max_length=64)  # SHA-256 hex, see grievance_engine.events


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
    opened_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    last_report_at: datetime = Field(
        default_factory=now_default, sa_column=utc_column(nullable=False)
    )
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
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
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    fetched_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))


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
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    done_by: str | None = Field(default=None, max_length=80)
    outcome: str | None = Field(default=None, max_length=500)
    # A voice message the caller left when no agent could answer (menus.voice_agent)
    recording_url: str | None = Field(default=None, max_length=500)
