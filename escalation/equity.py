"""The equity monitor: are some groups served worse than the rest?

The same measures as open data — grievances, median days to resolve, share reopened
by a poor rating — split by channel (USSD, SMS, voice, agent, web) and by language,
over a window (default 90 days). A group is flagged when, with enough cases to mean
it (`MIN_CASES` resolved, or rated), its median resolution time is longer than the
rest's by more than `TIME_MARGIN`, or its reopen rate higher by more than
`REOPEN_MARGIN`. Nothing is shown for a group under k (`NALISH_OPEN_DATA_K`) people.

Gender, age band and disability are asked at the end, optional (an SMS after the
acknowledgement, `grievance_engine.equity_answers`): a ticket counts in those
dimensions only for what its citizen chose to say; the rest of such a dimension is the
others who said something else.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from grievance_engine.models import EquityAnswer, Ticket, TicketEvent, TicketStatus
from infra import clock
from infra.settings import get_settings

DIMENSIONS = ("channel", "language", "gender", "age_band", "disability")
MIN_CASES = 20  # resolved (or rated) grievances before a difference is called one
TIME_MARGIN = 0.25  # a median 25 % longer than the rest's
REOPEN_MARGIN = 0.05  # a reopen rate 5 points higher than the rest's


@dataclass
class Group:
    """One group's grievances in the window."""

    dimension: str
    value: str
    received: int = 0
    # who filed them: k counts people, not tickets (one person filing k times is one)
    people: set[int] = field(default_factory=set)
    days: list[float] = field(default_factory=list)
    rated: int = 0
    reopened: int = 0


@dataclass(frozen=True)
class Finding:
    """A group as the supervisor sees it; `flags` say how it is served worse."""

    dimension: str
    value: str
    received: int | None
    median_days: float | None
    reopen_rate: float | None
    flags: tuple[str, ...]


def monitor(*, session: Session, since: datetime | None = None) -> list[Finding]:
    """Every group of every dimension, with its flags; figures blank under k."""
    since = since or clock.now() - timedelta(days=90)
    reopened_ids = _reopened(session, since)
    rows = session.exec(
        select(Ticket.id, Ticket.citizen_id, Ticket.channel, Ticket.language, Ticket.created_at,
               Ticket.resolved_at, Ticket.rating, EquityAnswer.gender, EquityAnswer.age_band,
               EquityAnswer.disability)
        .outerjoin(EquityAnswer, col(EquityAnswer.ticket_id) == Ticket.id)
        .where(Ticket.created_at >= since, col(Ticket.status) != TicketStatus.DUPLICATE)
    ).all()  # fmt: skip
    groups: dict[tuple[str, str], Group] = {}
    for ticket_id, citizen_id, channel, language, created, resolved, rating, *said in rows:
        values = zip(DIMENSIONS, (channel, language, *said), strict=True)
        for dimension, value in values:
            if value is None:
                continue  # not said (or skipped): in no group of that dimension
            group = groups.setdefault((dimension, value), Group(dimension, value))
            group.received += 1
            group.people.add(citizen_id if citizen_id is not None else -ticket_id)
            if resolved is not None:
                group.days.append((resolved - created).total_seconds() / 86400)
            if rating is not None:
                group.rated += 1
                group.reopened += ticket_id in reopened_ids
    return [_finding(group, groups) for group in sorted(groups.values(), key=_order)]


def _order(group: Group) -> tuple[str, str]:
    return group.dimension, group.value


def _reopened(session: Session, since: datetime) -> set[int]:
    events = session.exec(
        select(TicketEvent.ticket_id, TicketEvent.data).where(
            TicketEvent.type == "rated", TicketEvent.at >= since
        )
    ).all()
    return {ticket_id for ticket_id, data in events if data.get("reopened")}


def _finding(group: Group, groups: dict[tuple[str, str], Group]) -> Finding:
    k = get_settings().open_data_k
    if len(group.people) < k:
        return Finding(group.dimension, group.value, None, None, None, ())
    rest = [g for g in groups.values() if g.dimension == group.dimension and g is not group]
    rest_days = [day for g in rest for day in g.days]
    rest_rated = sum(g.rated for g in rest)
    median = statistics.median(group.days) if len(group.days) >= k else None
    rate = group.reopened / group.rated if group.rated >= k else None
    flags = []
    enough = len(group.days) >= MIN_CASES and len(rest_days) >= MIN_CASES
    if enough and statistics.median(group.days) > statistics.median(rest_days) * (1 + TIME_MARGIN):
        flags.append("slower")
    if group.rated >= MIN_CASES and rest_rated >= MIN_CASES:
        rest_rate = sum(g.reopened for g in rest) / rest_rated
        if group.reopened / group.rated > rest_rate + REOPEN_MARGIN:
            flags.append("reopened_more")
    return Finding(
        group.dimension,
        group.value,
        group.received,
        round(median, 1) if median is not None else None,
        round(rate, 3) if rate is not None else None,
        tuple(flags),
    )
