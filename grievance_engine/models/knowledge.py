"""What the helpline knows and how often it is asked: knowledge-base articles and
contacts (every information request, and every call that files nothing)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from grievance_engine.models.columns import now_default, utc_column


class Article(SQLModel, table=True):
    """A knowledge-base article: one topic's answer (for every district, or for some),
    its title, body and keywords per language, and the official source it comes from.

    Keywords are keyed by language code, and by `<code>-Latn` for a language written in
    Latin letters (Bangla typed as Banglish: "jonmo nibondhon").
    """

    __tablename__ = "kb_article"
    __table_args__ = (
        # used by the USSD topic list and the contacts' topic names
        Index("ix_kb_article_topic", "topic"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)  # what an import updates by
    topic: str = Field(max_length=40)
    titles: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    bodies: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    keywords: dict[str, list[str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    districts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """English names of the districts it applies to, as seeded; empty: every district."""
    source_url: str = Field(max_length=300)
    checked_on: date
    sort_order: int = 0
    updated_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))


class Contact(SQLModel, table=True):
    """One contact with the helpline that is not (only) a grievance: an information
    request by USSD, SMS or voice, or a call an agent took that filed nothing.

    Statistics only: no phone number is kept.
    """

    __tablename__ = "contact"
    __table_args__ = (
        # used by the supervisor's page: contacts of the last days by topic and channel
        Index("ix_contact_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    topic: str | None = Field(default=None, max_length=40)  # None: nothing matched
    channel: str = Field(max_length=10)
    district_id: int | None = Field(default=None, foreign_key="admin_area.id")
    language: str = Field(max_length=5)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")  # the agent, if any
    at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
