"""What a supervisor's page starts with: what needs action now (urgent tickets nobody
has acknowledged, tickets overdue now), today's grievances by channel and, next to
them, today's information contacts by channel (`grievance_engine.knowledge`). The trends
below it are `dashboards.analytics`; this module only counts, in a few indexed
queries (`ix_ticket_status`, `ix_ticket_sla_due`, `ix_contact_at`), so the page opens fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlmodel import Session, col, func, select

from dashboards import labels
from escalation.policies import Priority
from grievance_engine import knowledge, lifecycle
from grievance_engine.models import Contact, Ticket
from infra.settings import get_settings


@dataclass(frozen=True)
class Headline:
    """The counts at the top of the supervisor's page."""

    urgent_unacknowledged: int
    overdue_now: int
    today_by_channel: list[tuple[str, int]]  # (channel's name, grievances today), most first
    # (channel's name, information requests and calls that filed nothing today), most first
    contacts_by_channel: list[tuple[str, int]]

    @property
    def today_total(self) -> int:
        return sum(count for _, count in self.today_by_channel)

    @property
    def contacts_total(self) -> int:
        return sum(count for _, count in self.contacts_by_channel)


def start_of_today(now: datetime) -> datetime:
    """Midnight of `now`'s day where the helpline is (NALISH_TIMEZONE)."""
    zone = get_settings().tz
    return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)


def headline(session: Session, now: datetime, lang: str) -> Headline:
    """What needs action now, and today's grievances and contacts by channel, across
    all tickets (a supervisor sees them all); channels named in `lang`."""
    open_tickets = col(Ticket.status).in_(lifecycle.OPEN)
    urgent = session.exec(
        select(func.count()).where(
            open_tickets,
            Ticket.priority == Priority.URGENT,
            col(Ticket.acknowledged_at).is_(None),
        )
    ).one()
    overdue = session.exec(
        select(func.count()).where(open_tickets, col(Ticket.sla_due_at) < now)
    ).one()
    by_channel = session.exec(
        select(Ticket.channel, func.count())
        .where(col(Ticket.created_at) >= start_of_today(now))
        .group_by(col(Ticket.channel))
        .order_by(func.count().desc())
    ).all()
    today = [(labels.channel(lang, channel), count) for channel, count in by_channel]
    contacts = knowledge.contact_counts(session, start_of_today(now), col(Contact.channel))
    named = [(labels.channel(lang, channel or ""), count) for channel, count in contacts]
    return Headline(urgent, overdue, today, named)
