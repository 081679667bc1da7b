"""The log of staff seeing a citizen's personal data: each time a ticket's page shows
the phone in full or offers the recordings, a row (`PersonalDataView`), listed by
`nalish audit views --ref REF`. Written in its own small transaction, so a view is
logged even when the page that showed it fails afterwards."""

from __future__ import annotations

from sqlmodel import Session, col, select

from grievance_engine.models import User
from grievance_engine.models.privacy import PersonalDataView
from infra import clock
from infra.db import session_scope

WHAT = ("phone", "recording")


def record(*, ticket_id: int, user_id: int, what: str) -> None:
    """Log that user `user_id` was shown `what` ("phone", "recording") of a ticket."""
    assert what in WHAT
    with session_scope() as session:
        session.add(
            PersonalDataView(ticket_id=ticket_id, user_id=user_id, what=what, at=clock.now())
        )


def record_page(*, ticket_id: int, user_id: int, full_phone: bool, recordings: bool) -> None:
    """Log what a ticket's page showed: the phone in full, the recordings offered."""
    for what, shown in (("phone", full_phone), ("recording", recordings)):
        if shown:
            record(ticket_id=ticket_id, user_id=user_id, what=what)


def of_ticket(*, session: Session, ticket_id: int) -> list[dict[str, str]]:
    """Every logged view of the ticket's personal data, oldest first: when, who, what."""
    rows = session.exec(
        select(PersonalDataView, User.email, User.role)
        .join(User, col(User.id) == PersonalDataView.user_id)
        .where(PersonalDataView.ticket_id == ticket_id)
        .order_by(col(PersonalDataView.id))
    ).all()
    return [
        {"at": view.at.isoformat(), "user": email, "role": role, "what": view.what}
        for view, email, role in rows
    ]
