"""The officer's view, `/dashboard/officer`: the escalations of my area, nearest
deadline first, each with a countdown in words and the forms to acknowledge and
resolve it; and what I resolved in the last 30 days with the citizens' ratings.

"My escalations" are the open tickets `routing.access.visible` lets me see that were
escalated (`escalation_level > 0`) or are held by my office. Supervisors and admins
may open the page too (they see every escalation); agents get 404, as for any page
not meant for them (`dashboards.pages`). Tickets are changed only through
`grievance_engine` services (`actions.resolve`, `lifecycle` via
`actions.change_status`, `events.append`) and `escalation.deadlines.acknowledge`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import nulls_last, or_
from sqlmodel import Session, col, select

from dashboards import labels
from dashboards.deps import (
    PageVisit,
    Visit,
    actor,
    dashboard_router,
    page_for,
    ui_language,
    user_ref,
)
from escalation import deadlines
from escalation.policies import Priority
from grievance_engine import actions, events, lifecycle, refs
from grievance_engine import service as ticket_service
from grievance_engine.lifecycle import TransitionError
from grievance_engine.models import Ticket, TicketEvent, TicketStatus, User
from infra import clock
from routing import access

PATH = "/dashboard/officer"
LIMIT = 200
RESOLVED_DAYS = 30
WHAT_MAX_CHARS = 1000

router = dashboard_router()


def countdown(due: datetime | None, now: datetime, t: Any) -> str:
    """The time to `due` in words: "due in 3 h", "overdue by 2 days" (or "" for none).

    Under an hour in minutes, under two days in hours, else in whole days."""
    if due is None:
        return ""
    left = due - now
    span = _span(abs(left), t)
    return t("due_in", span=span) if left >= timedelta(0) else t("overdue_by", span=span)


def _span(length: timedelta, t: Any) -> str:
    minutes = int(length.total_seconds() // 60)
    if minutes < 60:
        return t("span_minutes", n=max(minutes, 1))
    if minutes < 48 * 60:
        return t("span_hours", n=minutes // 60)
    days = minutes // (24 * 60)
    return t("span_days", count=days)


def _escalations(session: Session, user: User) -> list[dict[str, Any]]:
    mine = col(Ticket.escalation_level) > 0
    if user.office_id is not None:
        mine = or_(mine, Ticket.office_id == user.office_id)
    statement = (
        access.visible(ticket_service.public_statement(), actor(session, user))
        .where(col(Ticket.status).in_(lifecycle.OPEN), mine)
        .order_by(nulls_last(col(Ticket.sla_due_at).asc()), col(Ticket.created_at), col(Ticket.id))
        .limit(LIMIT)
    )
    now = clock.now()
    rows = list(session.exec(statement))
    shown = [
        {
            **ticket_service.as_public(row),
            "sla_due_at": row[0].sla_due_at,
            "sla_target": row[0].sla_target,
            "acknowledged": row[0].acknowledged_at is not None,
            "overdue": row[0].sla_due_at is not None and row[0].sla_due_at < now,
            "urgent": row[0].priority == Priority.URGENT,
        }
        for row in rows
    ]
    # categories, places and offices in the officer's own words
    return labels.named(session, ui_language(user), shown, [row[0] for row in rows])


def _resolved_by(session: Session, user: User) -> list[dict[str, Any]]:
    """The tickets `user` resolved in the last 30 days (their `status_changed` events
    to resolved), newest first, with the rating each has now."""
    since = clock.now() - timedelta(days=RESOLVED_DAYS)
    statement = (
        select(TicketEvent, Ticket)
        .join(Ticket, col(Ticket.id) == TicketEvent.ticket_id)
        .where(
            TicketEvent.type == "status_changed",
            TicketEvent.actor == user_ref(user),
            col(TicketEvent.at) >= since,
        )
        .order_by(col(TicketEvent.at).desc(), col(TicketEvent.id).desc())
    )
    return [
        {
            "ref": refs.display(ticket.ref),
            "at": event.at,
            "what": event.data.get("reason") or "",
            "rating": ticket.rating,
            "status": ticket.status,
        }
        for event, ticket in session.exec(statement)
        if event.data.get("to") == TicketStatus.RESOLVED
    ]


class Shown(BaseModel):
    """What the officer's page is asked to show (its query): what a form just did
    (`done`, to the ticket `ref`) and which escalations (of one `category`, `only`…)."""

    done: str = ""
    ref: str = ""
    category: str = ""
    only: str = ""


def _officer_page(
    visit: PageVisit,
    shown: Shown | None = None,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    kept: dict[str, str] | None = None,
) -> HTMLResponse:
    session, user = visit.session, visit.user
    shown = shown or Shown()
    category, only = shown.category, shown.only
    resolved = _resolved_by(session, user)
    tickets = _escalations(session, user)
    if category:
        tickets = [ticket for ticket in tickets if ticket["category"] == category]
    if only in ONLY:
        tickets = [ticket for ticket in tickets if ONLY[only](ticket)]
    ratings = [row["rating"] for row in resolved if row["rating"]]
    return page_for(
        "officer.html.j2",
        visit,
        status_code=status_code,
        tickets=tickets,
        categories=labels.categories(session, ui_language(user)),
        chosen={"category": category, "only": only if only in ONLY else ""},
        only_choices=list(ONLY),
        limit=LIMIT,
        now=clock.now(),
        countdown=countdown,
        resolved=resolved,
        average_rating=round(sum(ratings) / len(ratings), 1) if ratings else None,
        resolved_days=RESOLVED_DAYS,
        errors=errors or {},
        kept=kept or {},
        done=shown.done
        if shown.done in ("acknowledged", "already_acknowledged", "resolved")
        else "",
        done_ref=refs.display(refs.normalise(shown.ref) or "") if shown.ref else "",
        what_max=WHAT_MAX_CHARS,
    )


# The officer's filters: which of "my escalations" to show.
ONLY = {
    "overdue": lambda ticket: ticket["overdue"],
    "urgent": lambda ticket: ticket["urgent"],
    "unacknowledged": lambda ticket: not ticket["acknowledged"],
}


@router.get(PATH, response_class=HTMLResponse)
def officer_view(visit: Visit, shown: Annotated[Shown, Query()]) -> HTMLResponse:
    """My escalations by deadline (of one category, or only the overdue, urgent or
    unacknowledged ones), and what I resolved."""
    return _officer_page(visit, shown)


@router.post(PATH + "/tickets/{ref}/acknowledge")
def acknowledge(visit: Visit, ref: str) -> Response:
    """Acknowledge `ref`: from now its deadline is to resolve it, and work has started
    (as an officer's ACK by SMS)."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.ACK)
    shown = refs.display(ticket.ref)
    events.lock(session=session, ticket=ticket)  # read it afresh, held till commit
    if ticket.status not in lifecycle.OPEN:
        return _officer_page(visit, status_code=409, errors={shown: "not_open"})
    actor = user_ref(user)
    if not deadlines.take_up(session, ticket, actor=actor, via="dashboard", by=user):
        return RedirectResponse(f"{PATH}?done=already_acknowledged&ref={shown}", status_code=303)
    session.commit()
    return RedirectResponse(f"{PATH}?done=acknowledged&ref={shown}", status_code=303)


@router.post(PATH + "/tickets/{ref}/resolve")
def resolve(
    visit: Visit,
    ref: str,
    what_was_done: Annotated[str, Form()] = "",
) -> Response:
    """Resolve `ref`, saying what was done (the citizen is told by SMS). Missing or too
    long: the page again, the error by the field and the text kept, 422."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.RESOLVE)
    shown = refs.display(ticket.ref)
    what = " ".join(what_was_done.split())
    error = ""
    if not what:
        error = "what_required"
    elif len(what) > WHAT_MAX_CHARS:
        error = "what_too_long"
    if not error:
        try:
            actions.resolve(
                session=session, ticket=ticket, actor=user_ref(user), what_was_done=what
            )
        except TransitionError:
            session.rollback()
            error = "not_open"
    if error:
        return _officer_page(
            visit,
            status_code=422,
            errors={shown: error},
            kept={shown: what_was_done},
        )
    session.commit()
    return RedirectResponse(f"{PATH}?done=resolved&ref={shown}", status_code=303)
