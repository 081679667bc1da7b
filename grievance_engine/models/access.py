"""Who may do what, and the record of it: API tokens and their idempotency keys,
sign-in throttling, the hash-chained log of admin changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from grievance_engine.models.columns import now_default, utc_column


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
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


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
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))


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
        default_factory=now_default, sa_column=utc_column(nullable=False)
    )


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
    at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    actor: str = Field(max_length=80)  # "user:12", "cli:root"
    action: str = Field(max_length=40)  # "user_created", "routing_rule_saved"…
    subject: str = Field(max_length=120)  # "user:12", "office:dc-rangpur", "holiday:BD:2026-12-16"
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
