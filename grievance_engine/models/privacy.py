"""Who on the staff saw a citizen's personal data (`nalish audit views --ref REF`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from grievance_engine.models.columns import now_default, utc_column


class PersonalDataView(SQLModel, table=True):
    """One time a person on the staff was shown a citizen's phone in full, or offered
    their recordings, on a ticket's page (grievance_engine.data_views)."""

    __tablename__ = "personal_data_view"
    __table_args__ = (
        # used by `nalish audit views --ref`: a ticket's views in order
        Index("ix_personal_data_view_ticket", "ticket_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    user_id: int = Field(foreign_key="app_user.id")
    what: str = Field(max_length=12)  # "phone" or "recording"
    at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))


class EquityAnswer(SQLModel, table=True):
    """What a citizen chose to say about themselves after filing (asked at the end,
    optional): for the equity monitor only. The row is written when the question is
    sent (`answered_at` None: waiting); every answer is nullable: not answered, a
    question skipped, or the whole SMS answered SKIP, is None. Kept apart from `ticket`
    so the answers are erased with the phone (grievance_engine.erasure) and never shown
    per ticket."""

    __tablename__ = "equity_answer"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    gender: str | None = Field(default=None, max_length=10)  # woman, man, other
    age_band: str | None = Field(default=None, max_length=10)  # under_18, 18_35, 36_60, over_60
    disability: str | None = Field(default=None, max_length=5)  # yes, no
    asked_at: datetime = Field(default_factory=now_default, sa_column=utc_column(nullable=False))
    answered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
