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
