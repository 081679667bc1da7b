"""The dashboard's front door: `/dashboard` (to the page for your role), the ticket
queue and the language switch. `router` also carries, and is the one place that
wires, `/login` and `/logout` (dashboards.auth), the ticket page and its forms
(dashboards.workspace), the call form and call-backs (dashboards.calls), the
officer's and supervisor's pages (dashboards.officer, dashboards.analytics) and the
admin pages (dashboards.admin and its `admin_*` modules); `nalish.app` includes it.
Who may open which page: `dashboards.pages`.

Every ticket a page shows comes through `routing.access.visible` or
`deps.get_ticket_for_user`, and every phone through `deps.phone_for`.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import nulls_last
from sqlmodel import col

from dashboards import (
    accounts,
    admin,
    admin_calendar,
    admin_campaigns,
    admin_categories,
    admin_kb,
    admin_offices,
    admin_replies,
    admin_rules,
    admin_users,
    analytics,
    auth,
    calls,
    i18n,
    kb,
    labels,
    officer,
    search,
    sessions,
    workspace,
)
from dashboards.deps import (
    CurrentUser,
    Visit,
    actor,
    dashboard_router,
    page_for,
    safe_next,
    ui_language,
)
from escalation.policies import Priority
from grievance_engine import lifecycle
from grievance_engine import service as ticket_service
from grievance_engine.models import AdminArea, Category, Role, Ticket, TicketStatus
from infra import clock
from routing import access

QUEUE_LIMIT = 200  # a page of the queue
# The queue's deadline filter: each state is a window of `sla_due_at` from now,
# [low, high) (None: unbounded); "none" is a ticket with no running deadline.
SLA_STATES: dict[str, tuple[timedelta | None, timedelta | None]] = {
    "overdue": (None, timedelta(0)),
    "due_today": (timedelta(0), timedelta(hours=24)),
    "later": (timedelta(hours=24), None),
    "none": (None, None),
}
# Where `/dashboard` sends each role.
HOME = {
    Role.AGENT: "/dashboard/queue",
    Role.OFFICER: officer.PATH,
    Role.SUPERVISOR: analytics.PATH,
    Role.ADMIN: analytics.PATH,
}

router = dashboard_router()
for module in (
    auth,
    officer,
    analytics,
    workspace,
    search,
    accounts,
    calls,
    admin_users,
    admin_offices,
    admin_rules,
    admin_calendar,
    admin_campaigns,
    admin_categories,
    admin_kb,
    admin_replies,
    admin,
    kb,
):
    router.include_router(module.router)


@router.get("/dashboard")
def home(user: CurrentUser) -> Response:
    """The page each role starts at."""
    return RedirectResponse(HOME.get(user.role, "/dashboard/queue"), status_code=303)


@dataclass
class QueueFilter:
    """The queue's filters, from the query string: `status` ("all", one status, or ""
    for the open ones), a category code, a district name and the state of the deadline
    (`sla`, one of `SLA_STATES`). One not known is shown as "" (no filter)."""

    status: str = ""
    category: str = ""
    district: str = ""
    sla: str = ""
    mine: bool = False  # only those assigned to the person looking
    urgent: bool = False  # only urgent ones

    def apply(self, statement: Any, now: datetime, user_id: int | None = None) -> Any:
        """`statement` (of public ticket rows) narrowed to these filters; an unknown
        status or deadline state is dropped from them."""
        if self.mine:
            statement = statement.where(Ticket.assignee_id == user_id)
        if self.urgent:
            statement = statement.where(Ticket.priority == Priority.URGENT)
        if self.status == "all":
            pass
        elif self.status in TicketStatus.__members__.values():
            statement = statement.where(Ticket.status == self.status)
        else:
            self.status = ""
            statement = statement.where(col(Ticket.status).in_(lifecycle.OPEN))
        if self.category:
            statement = statement.where(Category.code == self.category)
        if self.district:
            statement = statement.where(AdminArea.name == self.district)
        if self.sla not in SLA_STATES:
            self.sla = ""
        elif self.sla == "none":
            statement = statement.where(col(Ticket.sla_due_at).is_(None))
        else:
            low, high = SLA_STATES[self.sla]
            if low is not None:
                statement = statement.where(col(Ticket.sla_due_at) >= now + low)
            if high is not None:
                statement = statement.where(col(Ticket.sla_due_at) < now + high)
        return statement


@router.get("/")
def front_door(request: Request) -> Response:
    """The address `make run` prints: to the login page, or to the dashboard of the
    person already signed in."""
    target = "/dashboard" if sessions.read(request) is not None else "/login"
    return RedirectResponse(target, status_code=303)


@router.get("/dashboard/queue", response_class=HTMLResponse)
def queue(
    visit: Visit,
    chosen: Annotated[QueueFilter, Depends()],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """The tickets `user` may see: open ones by default, the nearest deadline first
    (tickets with no running deadline last), filtered by status, category, district,
    the state of their deadline, "mine" and "urgent" (`QueueFilter`), a page of
    `QUEUE_LIMIT` at a time."""
    session, user = visit.session, visit.user
    now = clock.now()
    statement = access.visible(ticket_service.public_statement(), actor(session, user))
    statement = (
        chosen.apply(statement, now, user.id)
        .order_by(nulls_last(col(Ticket.sla_due_at).asc()), col(Ticket.created_at), col(Ticket.id))
        .offset((page - 1) * QUEUE_LIMIT)
        .limit(QUEUE_LIMIT + 1)
    )
    rows = list(session.exec(statement))
    tickets = [search.listed(row, now) for row in rows[:QUEUE_LIMIT]]
    language = ui_language(user)
    categories = labels.categories(session, language)
    districts = labels.districts(session, language)
    return page_for(
        "queue.html.j2",
        visit,
        tickets=tickets,
        more=len(rows) > QUEUE_LIMIT,
        page=page,
        page_link=functools.partial(_page_link, visit.request.url.query),
        statuses=[s.value for s in TicketStatus],
        categories=categories,
        districts=districts,
        sla_states=list(SLA_STATES),
        chosen=asdict(chosen),
    )


EXPORT_COLUMNS = (
    "ref", "status", "category", "district", "office", "channel", "language",
    "escalation_level", "assignee", "created_at", "updated_at",
)  # fmt: skip
EXPORT_LIMIT = 100_000


@router.get("/dashboard/export/tickets.csv")
def export_tickets(visit: Visit, chosen: Annotated[QueueFilter, Depends()]) -> Response:
    """The tickets the person may see, filtered as the queue is, newest first, one row
    each (no phone, no description: a spreadsheet travels further than the page)."""
    session, user = visit.session, visit.user
    statement = access.visible(ticket_service.public_statement(), actor(session, user))
    statement = (
        chosen.apply(statement, clock.now(), user.id)
        .order_by(col(Ticket.created_at).desc())
        .limit(EXPORT_LIMIT)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*EXPORT_COLUMNS, "priority", "sla_due_at"])
    for row in session.exec(statement):
        shown = ticket_service.as_public(row)
        due = row[0].sla_due_at.isoformat() if row[0].sla_due_at else ""
        writer.writerow([*(shown[c] for c in EXPORT_COLUMNS), row[0].priority, due])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tickets.csv"'},
    )


def _page_link(query: str, page: int) -> str:
    """The queue with the same filters, at `page`."""
    kept = [(k, v) for k, v in parse_qsl(query) if k != "page"]
    return "/dashboard/queue?" + urlencode([*kept, ("page", str(page))])


@router.post("/dashboard/language")
def switch_language(
    visit: Visit,
    language: Annotated[str, Form(max_length=5)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Switch `user`'s screens to `language` (kept on their account)."""
    request, session, user, web = visit.request, visit.session, visit.user, visit.web
    if language in i18n.LANGUAGES:
        user.language = language
        session.add(user)
        session.commit()
        web.language = language
        sessions.save(request, web)
    return RedirectResponse(safe_next(next), status_code=303)
