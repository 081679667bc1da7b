"""Each ticket's SLA clock: the next deadline, as indexed columns on the ticket.

- Filed: the clock starts at the ticket's level (its office's): the deadline to
  acknowledge, and a reminder at `NALISH_SLA_REMINDER_SHARE` of the way there.
- Acknowledged (`in_progress`, or an officer's ACK): the deadline to resolve, counted
  from when the clock started at this level.
- Awaiting the citizen: the clock stops and keeps the working time left; it starts
  again, with that time, when the ticket moves on.
- Escalated: the next office up the ladder, a new clock (`escalation.ladder`).
- Resolved, closed, rejected, merged: no clock. Resolved waits
  `NALISH_RATING_WAIT_DAYS` for the citizen's rating before it closes.

`install()` hooks this into the engine (`grievance_engine.hooks`), so every ticket,
however it is filed or moved, keeps its clock. Nothing here sends anything.
`take_up` is what an officer's acknowledgement does, by SMS or on the dashboard.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from sqlmodel import Session

from escalation import catalogue
from escalation.policies import LEVELS, PolicyError, SlaPolicy, deadline_for, policy_for
from grievance_engine import events, hooks, lifecycle
from grievance_engine.models import Ticket, TicketStatus, User
from infra import clock
from infra.settings import get_settings
from routing import assignment

S = TicketStatus
STOPPED = frozenset({S.RESOLVED, S.CLOSED, S.REJECTED, S.DUPLICATE})


def level_of(session: Session, ticket: Ticket) -> str:
    """The ladder level of the office holding `ticket` (national without an office)."""
    level = catalogue.office_level(session, ticket.office_id)
    return level if level in LEVELS else "national"


def policy(session: Session, ticket: Ticket) -> SlaPolicy:
    try:
        return policy_for(
            level=level_of(session, ticket),
            category=catalogue.category_code(session, ticket.category_id) or "other",
            priority=ticket.priority,
            policies=catalogue.policies(session),
        )
    except LookupError as exc:
        raise PolicyError(str(exc)) from exc


def stamp(session: Session, ticket: Ticket, *, start: datetime | None = None) -> None:
    """Start the clock at the ticket's level from `start` (now by default): the next
    deadline is to acknowledge, or to resolve once acknowledged."""
    start = start or clock.now()
    target = "acknowledge" if ticket.acknowledged_at is None else "resolve"
    _set(session, ticket, start=start, target=target)


def _set(session: Session, ticket: Ticket, *, start: datetime, target: str) -> None:
    rules = policy(session, ticket)
    calendar = catalogue.calendar(session)
    due = deadline_for(rules, calendar, start, target=target)
    ticket.sla_target, ticket.sla_started_at, ticket.sla_due_at = target, start, due
    ticket.sla_paused_seconds = None
    ticket.reminder_due_at = _reminder(calendar, rules, target, start, due)


def _reminder(calendar, rules: SlaPolicy, target: str, start: datetime, due: datetime):
    share = get_settings().sla_reminder_share
    if share <= 0:
        return None
    span = due - start
    if getattr(rules, target).unit == "hours":  # 24×7: a share of elapsed time
        return start + span * share
    working = calendar.working_time_between(start, due)
    return calendar.add_working_time(start, working * share) if working else None


def acknowledge(session: Session, ticket: Ticket) -> bool:
    """Record that someone has taken the ticket up: from now the deadline is to resolve
    it, counted from when the clock started at this level. False if already done."""
    if ticket.acknowledged_at is not None:
        return False
    ticket.acknowledged_at = clock.now()
    if ticket.sla_due_at is not None and ticket.sla_started_at is not None:
        _set(session, ticket, start=ticket.sla_started_at, target="resolve")
    return True


def take_up(
    session: Session, ticket: Ticket, *, actor: str, via: str, by: User | None = None
) -> bool:
    """An officer takes the ticket up (ACK by SMS, Acknowledge on the dashboard): the
    deadline to resolve replaces the one to acknowledge, an `acknowledged` event is
    recorded and the ticket moves to `in_progress` where the lifecycle allows. An ACK
    by a new owner after an escalation still counts. An unassigned ticket of the
    officer's own office becomes theirs (`by`); one someone else holds stays theirs.
    False when there was nothing to do (already acknowledged and in progress)."""
    newly = acknowledge(session, ticket)
    move = ticket.status != S.IN_PROGRESS and S.IN_PROGRESS in lifecycle.allowed_from(ticket.status)
    if not (newly or move):
        return False
    events.append(session=session, ticket=ticket, type="acknowledged", actor=actor,
                  data={"via": via})  # fmt: skip
    if by is not None and ticket.assignee_id is None and by.office_id == ticket.office_id:
        with contextlib.suppress(assignment.AssignmentError):  # away or inactive: no owner
            assignment.assign(session=session, ticket=ticket, user=by, actor=actor,
                              reason="acknowledged it", keep_status=True,
                              tell=False)  # fmt: skip
    if move:
        lifecycle.transition(session=session, ticket=ticket, to=S.IN_PROGRESS, actor=actor,
                             reason=f"acknowledged ({via})")  # fmt: skip
    return True


def pause(session: Session, ticket: Ticket) -> None:
    """Stop the clock, keeping the working time left (none left: zero)."""
    if ticket.sla_due_at is None:
        return
    now = clock.now()
    left = catalogue.calendar(session).working_time_between(now, ticket.sla_due_at)
    if ticket.sla_due_at <= now:
        left = timedelta(0)
    ticket.sla_paused_seconds = int(left.total_seconds())
    ticket.sla_due_at = ticket.reminder_due_at = None


def resume(session: Session, ticket: Ticket) -> None:
    """Start the clock again with the working time it had left."""
    if ticket.sla_paused_seconds is None:
        return
    now = clock.now()
    left = timedelta(seconds=ticket.sla_paused_seconds)
    calendar = catalogue.calendar(session)
    ticket.sla_due_at = calendar.add_working_time(now, left) if left else now
    ticket.sla_paused_seconds = None
    ticket.reminder_due_at = None  # the reminder was for the first stretch


def stop(ticket: Ticket) -> None:
    ticket.sla_due_at = ticket.reminder_due_at = None
    ticket.sla_paused_seconds = None


def _on_created(session: Session, ticket: Ticket) -> None:
    stamp(session, ticket, start=ticket.created_at)


def _on_transitioned(
    session: Session, ticket: Ticket, before: TicketStatus, after: TicketStatus
) -> None:
    now = clock.now()
    if after == S.AWAITING_CITIZEN:
        pause(session, ticket)
        return
    if before == S.AWAITING_CITIZEN and after not in STOPPED:
        resume(session, ticket)
    if after == S.IN_PROGRESS:
        acknowledge(session, ticket)
    if after == S.RESOLVED:
        stop(ticket)
        ticket.resolved_at = now
        ticket.rating_due_at = now + timedelta(days=get_settings().rating_wait_days)
    elif after in STOPPED:
        stop(ticket)
        ticket.rating_due_at = None
    elif after == S.REOPENED:
        ticket.resolved_at = ticket.rating_due_at = None
        stamp(session, ticket, start=now)


def install() -> None:
    """Keep every ticket's clock from now on in this process (idempotent)."""
    hooks.on_created(_on_created)
    hooks.on_transitioned(_on_transitioned)
