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
from sqlmodel import col, func, select

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
    PageVisit,
    Visit,
    actor,
    dashboard_router,
    page_for,
    safe_next,
    ui_language,
)
from escalation.policies import Priority
from grievance_engine import lifecycle, refs
from grievance_engine import service as ticket_service
from grievance_engine.models import (
    AdminArea,
    Category,
    Role,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from infra import clock
from routing import access

QUEUE_LIMIT = 200  # a page of the queue
# The live queue asks for changes this often; without JavaScript the page reloads
# itself every `NO_SCRIPT_RELOAD_SECONDS` (a <noscript> meta refresh) instead.
LIVE_SECONDS = 10
NO_SCRIPT_RELOAD_SECONDS = 60
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
    `QUEUE_LIMIT` at a time. A script keeps it live (`queue_rows`)."""
    since = _last_event_id(visit)  # read before the rows, so no change falls between
    return page_for("queue.html.j2", visit, since=since, **_queue_context(visit, chosen, page))


@router.get("/dashboard/queue/rows", response_class=HTMLResponse)
def queue_rows(
    visit: Visit,
    chosen: Annotated[QueueFilter, Depends()],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    since: Annotated[int, Query(ge=0)] = 0,
    resync: bool = False,
) -> Response:
    """The live queue (queue.html.j2's script asks every `LIVE_SECONDS`): 204 when no
    ticket the person may see has changed since event `since`, else the queue's results
    (same filters and page) with the changed ones marked, the new cursor in
    `X-Queue-Since` and how many changed in `X-Queue-Changed`. `resync` answers the
    results even when nothing changed (a change committed out of id order is caught)."""
    cursor = _last_event_id(visit)
    changed = _changed_refs(visit, since) if cursor > since else set()
    headers = {"X-Queue-Since": str(cursor), "X-Queue-Changed": str(len(changed))}
    if not changed and not resync:
        return Response(status_code=204, headers=headers)
    context = _queue_context(visit, chosen, page)
    return page_for(
        "queue_results.html.j2", visit, headers=headers, fresh=changed, since=cursor, **context
    )


def _last_event_id(visit: PageVisit) -> int:
    """The newest ticket event's id: the live queue's cursor (the primary key's index)."""
    return visit.session.exec(select(func.max(TicketEvent.id))).one() or 0


def _changed_refs(visit: PageVisit, since: int) -> set[str]:
    """The references (as shown) of the tickets the person may see that have an event
    after event `since`: filed, moved, assigned, escalated, noted…"""
    statement = access.visible(
        select(Ticket.ref)
        .join(TicketEvent, col(TicketEvent.ticket_id) == Ticket.id)
        .where(col(TicketEvent.id) > since)
        .distinct(),
        actor(visit.session, visit.user),
    )
    return {refs.display(ref) for ref in visit.session.exec(statement)}


def _queue_context(visit: PageVisit, chosen: QueueFilter, page: int) -> dict[str, Any]:
    """What the queue's results show: a page of the tickets the person may see, with
    the filters' choices."""
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
    language = ui_language(user)
    return {
        "tickets": [search.listed(row, now) for row in rows[:QUEUE_LIMIT]],
        "more": len(rows) > QUEUE_LIMIT,
        "page": page,
        "page_link": functools.partial(_page_link, visit.request.url.query),
        "statuses": [s.value for s in TicketStatus],
        "categories": labels.categories(session, language),
        "districts": labels.districts(session, language),
        "sla_states": list(SLA_STATES),
        "chosen": asdict(chosen),
        "live_seconds": LIVE_SECONDS,
        "no_script_reload": NO_SCRIPT_RELOAD_SECONDS,
    }


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
    kept = [(k, v) for k, v in parse_qsl(query) if k not in ("page", "since", "resync")]
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
