"""Canned replies: the SMS texts agents and officers send a citizen from a ticket's page
with one click, written by admins per language and category."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from grievance_engine.models.columns import now_default, utc_column


class CannedReply(SQLModel, table=True):
    """A canned reply: an SMS `body` in one `language`, offered on the page of a ticket
    of its category (or of any category, when `category_id` is None) whose citizen reads
    that language. `{ref}` in the body becomes the ticket's reference.

    Deactivated, not deleted: a reply once sent is quoted in tickets' timelines.
    """

    __tablename__ = "canned_reply"
    __table_args__ = (
        # used by the ticket page's reply box: a language's replies, of a category or general
        Index("ix_canned_reply_language_category", "language", "category_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    language: str = Field(max_length=5)
    category_id: int | None = Field(default=None, foreign_key="category.id")  # None: any
    title: str = Field(max_length=80)  # what the reply box lists, in the reply's language
    body: str = Field(max_length=640)
    active: bool = True
    sort_order: int = 0
    updated_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
