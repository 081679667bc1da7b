"""Request and response bodies of the JSON API, as `/docs` and `/openapi.json` show them.

Ticket fields are those of `nalish tickets show --json` (docs/architecture.md,
"Contracts: CLI"), so a script can move between the CLI and the API without renaming
anything.
Times are ISO 8601 strings with an offset, as the CLI prints them.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from grievance_engine.models import Channel, TicketStatus
from routing.intake import CitizenLanguage

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Language = CitizenLanguage  # the registry's citizen languages (routing.intake)


class TicketIn(BaseModel):
    """A grievance as a person would describe it: names, not ids."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "phone": "01712-345678",
                    "district": "Rangpur",
                    "upazila": "Mithapukur",
                    "category": "water",
                    "description": "No water from the tubewell in ward 5 for three days",
                    "language": "bn",
                }
            ]
        },
    )

    phone: str = Field(
        description="The citizen's phone in any usual form; stored as E.164 "
        "(national numbers are read for NALISH_COUNTRY).",
        max_length=32,
    )
    district: str = Field(
        description="District (Kenya: county) in English or Bangla; misspellings are "
        "matched when one district is clearly meant.",
        max_length=100,
    )
    upazila: str | None = Field(
        default=None, description="Upazila within the district (optional).", max_length=100
    )
    category: str = Field(
        description="Category code (`water`) or name in any language (`Water`, `পানি`).",
        max_length=100,
    )
    description: str = Field(
        description="What the citizen reported; cut to NALISH_TICKET_DESCRIPTION_MAX_CHARS.",
        min_length=1,
        max_length=10_000,
    )
    language: Language | None = Field(
        default=None,
        description="The citizen's language, for the SMS they get; default "
        "NALISH_DEFAULT_LANGUAGE.",
    )
    anonymous: bool = Field(default=False, description="Hide the citizen's phone from officers.")


class EventOut(BaseModel):
    """One entry of a ticket's tamper-evident timeline."""

    seq: int = Field(description="Place in the ticket's chain: 1, 2, 3…")
    type: str = Field(description="created, status_changed, assigned, comment, …")
    at: Timestamp
    actor: str = Field(description='Who: "citizen:ussd", "user:12", "token:3", "system".')
    data: dict[str, Any] = Field(description="What changed; depends on the type.")
    hash: str = Field(description="SHA-256 of this event and the previous one's hash.")


class OfficeOut(BaseModel):
    """The office a ticket is routed to."""

    code: str = Field(description="Office code, e.g. uno-bd-55-u123 or dc-rangpur.")
    name: str
    level: str = Field(description="upazila, district, division or national.")


class TicketOut(BaseModel):
    """A ticket, as in `nalish tickets list --json`."""

    ref: str = Field(description="The reference the citizen quotes: XXXX-XXXX.")
    status: TicketStatus
    category: str = Field(description="Category code, e.g. water.")
    district: str = Field(description="District's English name as seeded, e.g. Rangpur.")
    upazila: str | None = Field(description="Upazila's English name as seeded, if given.")
    priority: str = Field(description="normal or urgent.")
    due_at: Timestamp | None = Field(
        description="The deadline running at the current level; null when no clock runs."
    )
    due: str | None = Field(description="What is due by then: acknowledge or resolve.")
    channel: Channel
    phone: str | None = Field(
        description="E.164; null on an anonymous ticket seen with an officer's token."
    )
    language: str
    escalation_level: int
    office: OfficeOut | None = Field(description="The office it is routed to.")
    queue: str = Field(description="The office's queue it waits in.")
    assignee: str | None = Field(description="Email of the person working it.")
    duplicate_of: str | None = Field(description="The original, once merged as a duplicate.")
    suspected_duplicate_of: str | None = Field(
        description="An earlier open ticket that looks like the same grievance."
    )
    incident: int | None = Field(description="The mass event it belongs to, if any.")
    description: str
    description_truncated: bool
    anonymous: bool
    created_at: Timestamp
    updated_at: Timestamp


class TicketWithEvents(TicketOut):
    """A ticket with its timeline, as in `nalish tickets show --json`."""

    events: list[EventOut]


class TransitionIn(BaseModel):
    """Move a ticket to another status, as the lifecycle allows."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"to": "resolved", "reason": "Tubewell repaired"}]},
    )

    to: TicketStatus
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Why. Required for rejected and duplicate; for resolved, what was "
        "done (the citizen is sent it).",
    )
    original: str | None = Field(
        default=None, description="For `duplicate`: the reference of the original ticket."
    )


class CommentIn(BaseModel):
    """An internal note on the ticket's timeline; the citizen is not sent it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)


class AttachmentIn(BaseModel):
    """Media to attach by URL: http or https, no credentials in the URL."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=1000, examples=["https://example.org/rec.wav"])
    kind: Literal["audio", "image", "video", "document"] = "audio"


class AttachmentOut(BaseModel):
    """An attachment and whether a copy has been fetched yet."""

    id: int
    kind: str
    url: str
    status: str  # pending, fetched or failed
    content_type: str | None
    size_bytes: int | None
    sha256: str | None
    last_error: str | None
    created_at: str
    fetched_at: str | None


class AssignIn(BaseModel):
    """Give the ticket to a person, or (`assignee` null) let assignment choose."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"assignee": "officer.rangpur@example.org", "reason": "Knows the area"}]
        },
    )

    assignee: str | None = Field(
        description="The person's login email; null: the least-loaded available person "
        "of the ticket's office and queue who speaks its language."
    )
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Why; required to take a ticket from someone who holds it.",
    )


class MergeIn(BaseModel):
    """Handle this ticket as a duplicate of another."""

    model_config = ConfigDict(extra="forbid")

    into: str = Field(description="The reference of the original ticket.")
    reason: str | None = Field(default=None, max_length=2000)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, newest first. Pass `next_cursor` as `cursor` for the next
    page; it is null on the last one."""

    items: list[T]
    next_cursor: str | None


# Error bodies, for the documentation (`deps.ApiError` writes them).


class ErrorOut(BaseModel):
    detail: str


class NotFoundOut(BaseModel):
    detail: str = Field(examples=["no ticket ABCD-1235"])
    did_you_mean: list[str] = Field(
        description="Existing tickets one mistyped character or one swap away."
    )


class ConflictOut(BaseModel):
    detail: str
    current: TicketStatus | None = Field(default=None, description="The ticket's status now.")
    allowed: list[TicketStatus] | None = Field(
        default=None, description="The statuses it may move to from there."
    )


class FieldError(BaseModel):
    loc: list[str | int] = Field(examples=[["body", "district"]])
    msg: str
    type: str
    nearest: list[str] | None = Field(
        default=None, description="The closest valid values, when there are some."
    )


class UnprocessableOut(BaseModel):
    detail: list[FieldError]
