"""The dashboard pages: `/dashboard` (to the page for your role), the ticket queue, a
ticket with its timeline, and the language switch. `router` also carries `/login` and
`/logout` (dashboards.auth); `nalish.app` includes it.

Every ticket a page shows comes through `deps.visible_tickets` or
`deps.get_ticket_for_user`, and every phone through `deps.phone_for`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import nulls_last
from sqlmodel import Session, col, select

from dashboards import auth, i18n, render, sessions
from dashboards.deps import (
    CurrentUser,
    DashboardRoute,
    SessionDep,
    SignedIn,
    get_ticket_for_user,
    phone_for,
    safe_next,
    ui_language,
    visible_tickets,
)
from grievance_engine import clock, lifecycle
from grievance_engine import service as ticket_service
from grievance_engine.models import AdminArea, AdminLevel, Category, Role, Ticket, TicketStatus
from grievance_engine.settings import get_settings

QUEUE_LIMIT = 200
# Where `/dashboard` sends each role; the officer's and supervisor's own pages come
# with the dashboards issue, until then everyone starts at the queue.
HOME = {
    Role.AGENT: "/dashboard/queue",
    Role.OFFICER: "/dashboard/queue",
    Role.SUPERVISOR: "/dashboard/queue",
    Role.ADMIN: "/dashboard/queue",
}
# Event fields worth a line in the timeline; the rest (hashes, ids) stay in the audit.
_EVENT_FIELDS = ("from", "to", "reason", "text", "what", "original", "duplicate", "rating")

router = APIRouter(route_class=DashboardRoute, include_in_schema=False, tags=["dashboards"])
router.include_router(auth.router)


def _page(name: str, *, request: Request, user, web, **context) -> HTMLResponse:
    return render.page(
        name,
        lang=ui_language(user),
        user=user,
        csrf_token=web.csrf_token,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )


@router.get("/dashboard")
def home(user: CurrentUser) -> Response:
    """The page each role starts at."""
    return RedirectResponse(HOME.get(user.role, "/dashboard/queue"), status_code=303)


@router.get("/dashboard/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    status: str = "",
    category: str = "",
    district: str = "",
) -> HTMLResponse:
    """The tickets `user` may see: open ones by default, the nearest deadline first
    (tickets with no running deadline last), filtered by status, category, district."""
    statement = visible_tickets(ticket_service.public_statement(), user)
    if status == "all":
        pass
    elif status in TicketStatus.__members__.values():
        statement = statement.where(Ticket.status == status)
    else:
        status = ""
        statement = statement.where(col(Ticket.status).in_(lifecycle.OPEN))
    if category:
        statement = statement.where(Category.code == category)
    if district:
        statement = statement.where(AdminArea.name == district)
    statement = statement.order_by(
        nulls_last(col(Ticket.sla_due_at).asc()), col(Ticket.created_at), col(Ticket.id)
    ).limit(QUEUE_LIMIT + 1)
    rows = list(session.exec(statement))
    now = clock.now()
    tickets = [
        {
            **ticket_service.as_public(row),
            "sla_due_at": row[0].sla_due_at,
            "overdue": row[0].sla_due_at is not None
            and row[0].sla_due_at < now
            and row[0].status in lifecycle.OPEN,
        }
        for row in rows[:QUEUE_LIMIT]
    ]
    language = ui_language(user)
    categories = _category_labels(session, language)
    districts = _district_labels(session, language)
    return _page(
        "queue.html.j2",
        request=request,
        user=user,
        web=web,
        tickets=tickets,
        more=len(rows) > QUEUE_LIMIT,
        limit=QUEUE_LIMIT,
        statuses=[s.value for s in TicketStatus],
        categories=categories,
        districts=districts,
        chosen={"status": status, "category": category, "district": district},
    )


def _category_labels(session: Session, language: str) -> dict[str, str]:
    """Active categories' codes → their names in `language`, in menu order."""
    statement = select(Category).where(col(Category.active)).order_by(col(Category.sort_order))
    return {c.code: c.label(language) for c in session.exec(statement)}


def _district_labels(session: Session, language: str) -> dict[str, str]:
    """The country's districts' English names → their names in `language`."""
    statement = (
        select(AdminArea)
        .where(AdminArea.country == get_settings().country, AdminArea.level == AdminLevel.DISTRICT)
        .order_by(col(AdminArea.name))
    )
    return {
        d.name: d.name_local if language == "bn" and d.name_local else d.name
        for d in session.exec(statement)
    }


@router.get("/dashboard/tickets/{ref}", response_class=HTMLResponse)
def ticket_page(
    request: Request, session: SessionDep, user: CurrentUser, web: SignedIn, ref: str
) -> HTMLResponse:
    """One ticket and its timeline; 404 for one `user` may not see."""
    ticket = get_ticket_for_user(session=session, user=user, ref=ref)
    row = session.exec(ticket_service.public_statement().where(Ticket.id == ticket.id)).one()
    shown = ticket_service.as_public(row)
    events = ticket_service.events_of(session=session, ticket_id=ticket.id)
    language = ui_language(user)
    return _page(
        "ticket.html.j2",
        request=request,
        user=user,
        web=web,
        ticket=ticket,
        shown=shown,
        category_label=_category_labels(session, language).get(shown["category"]),
        district_label=_district_labels(session, language).get(shown["district"]),
        phone=phone_for(user, ticket, shown["phone"]),
        overdue=ticket.sla_due_at is not None
        and ticket.sla_due_at < clock.now()
        and ticket.status in lifecycle.OPEN,
        events=[
            {
                "type": event.type,
                "at": event.at,
                "actor": event.actor,
                "details": [(k, event.data[k]) for k in _EVENT_FIELDS if event.data.get(k)],
            }
            for event in events
        ],
    )


@router.post("/dashboard/language")
def switch_language(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    language: Annotated[str, Form(max_length=5)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Switch `user`'s screens to `language` (kept on their account)."""
    if language in i18n.LANGUAGES:
        user.language = language
        session.add(user)
        session.commit()
        web.language = language
        sessions.save(request, web)
    return RedirectResponse(safe_next(next), status_code=303)
