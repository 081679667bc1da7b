"""Agents on call: who the voice line's person key rings (`menus.voice_agent`).

An agent is rung when they are on call (`nalish users on-call`, their call-centre page),
not away, active, have a phone, and speak the caller's language; the one idle longest
(their last call ended earliest, or never) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from grievance_engine import service as ticket_service
from grievance_engine import users
from grievance_engine.models import (
    CallbackStatus,
    CallbackTask,
    Notification,
    Role,
    Ticket,
    User,
)
from grievance_engine.users import UserError
from infra import clock

NEVER = datetime.min.replace(tzinfo=UTC)


def agents_on_call(*, session: Session, language: str) -> list[User]:
    """The agents to ring for a caller speaking `language`, longest idle first."""
    statement = select(User).where(
        User.role == Role.AGENT,
        col(User.active),
        col(User.on_call),
        col(User.away).is_(False),
        col(User.phone).is_not(None),
    )
    speaking = [agent for agent in session.exec(statement) if agent.speaks(language)]
    return sorted(speaking, key=lambda agent: (agent.last_call_ended_at or NEVER, agent.id))


def set_on_call(*, session: Session, user: User, on_call: bool) -> User:
    """Put `user` on call (the person key rings them) or off. An agent needs a phone to
    be rung: refused without one, naming the field."""
    if on_call and not user.phone:
        raise UserError("phone_required")
    user.on_call = on_call
    session.add(user)
    session.flush()
    return user


def set_phone(*, session: Session, user: User, raw: str, country: str) -> User:
    """Give `user` the phone the voice line rings (and officers' SMS come from), E.164."""
    user.phone = users.free_phone(session=session, user=user, given=raw, country=country)
    session.add(user)
    session.flush()
    return user


def call_ended(*, session: Session, phone: str) -> None:
    """The agent with `phone` finished a call: they are idle from now (rung last)."""
    agent = session.exec(select(User).where(User.phone == phone)).first()
    if agent is not None:
        agent.last_call_ended_at = clock.now()
        session.add(agent)
        session.flush()


@dataclass(frozen=True)
class Caller:
    """Who is calling, for the agent whose phone rings: their earlier tickets (newest
    first), the call-backs still owed them, and the last SMS we sent them."""

    phone: str
    tickets: list[Ticket]
    callbacks: list[CallbackTask]
    last_sms: Notification | None


def caller(*, session: Session, phone: str, tickets: int = 5) -> Caller:
    """What an agent should know before saying hello to `phone`."""
    owed = session.exec(
        select(CallbackTask)
        .where(CallbackTask.phone == phone, CallbackTask.status == CallbackStatus.OPEN)
        .order_by(col(CallbackTask.created_at))
    ).all()
    last_sms = session.exec(
        select(Notification)
        .where(Notification.to_phone == phone)  # ix_notification_to_phone
        .order_by(col(Notification.id).desc())
        .limit(1)
    ).first()
    return Caller(
        phone=phone,
        tickets=ticket_service.recent_for_phone(session=session, phone=phone, limit=tickets),
        callbacks=list(owed),
        last_sms=last_sms,
    )
