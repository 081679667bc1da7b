"""The people on either side: staff users and their roles, and citizens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from grievance_engine.models.columns import now_default, utc_column


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
    # Taking calls: the voice line's person key rings agents on call (grievance_engine.
    # on_call), the one whose last call ended earliest first.
    on_call: bool = False
    last_call_ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    active: bool = True
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))

    def speaks(self, language: str) -> bool:
        return language in (self.languages or [self.language])


class Citizen(SQLModel, table=True):
    """A person who contacted the helpline, known by an E.164 phone number."""

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, unique=True)
    language: str | None = Field(default=None, max_length=5)
    opted_out: bool = False
    opted_out_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    # Set when the citizen asked to be forgotten (DELETE MY DATA); the erasure sweep
    # then replaces the phone everywhere with a keyed hash (grievance_engine.erasure).
    erase_requested_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
