"""`GET /dashboard/search?q=`: one box on every page that finds a ticket by what a
caller quotes (a reference, however typed; their phone, or its last digits; words of
their complaint), among the tickets the person may see, newest first, a page at a time.

What a query matches is `grievance_engine.search`'s rule; who sees what,
`routing.access.visible`. Phones are searched only by those who see them in full
(`deps.phone_for`): an officer, who sees them masked, cannot find a caller by number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import col, select

from dashboards import labels
from dashboards.deps import Visit, actor, dashboard_router, page_for, ui_language
from escalation.policies import Priority
from grievance_engine import languages, lifecycle, search
from grievance_engine import service as ticket_service
from grievance_engine.models import Citizen, Role, Ticket
from infra import clock, phones
from infra.settings import get_settings
from routing import access

PATH = "/dashboard/search"
CALLER_LANGUAGE = PATH + "/caller-language"  # for those who take calls (dashboards.pages)
PAGE_SIZE = 25
QUERY_MAX_CHARS = 200
# Those who see callers' phones in full, and so may look a caller up by phone.
PHONE_READERS = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})

router = dashboard_router()


@router.get(PATH, response_class=HTMLResponse)
def search_page(
    visit: Visit,
    q: Annotated[str, Query(max_length=QUERY_MAX_CHARS)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The tickets `q` may mean that the visitor may see; a reference that names one
    ticket exactly goes straight to it."""
    session, user = visit.session, visit.user
    query = q.strip()
    rows: list = []
    if query:
        statement = search.matching(
            access.visible(ticket_service.public_statement(), actor(session, user)),
            query=query,
            dialect=session.get_bind().dialect.name,
            by_phone=user.role in PHONE_READERS,
        )
        statement = statement.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        rows = list(session.exec(statement.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    now = clock.now()
    found = [listed(row, now) for row in rows[:PAGE_SIZE]]
    exact = search.references(query) if query else []
    if (
        page == 1
        and len(found) == 1
        and len(exact) == 1
        and found[0]["ref"].replace("-", "") == exact[0]
    ):
        return RedirectResponse(f"/dashboard/tickets/{found[0]['ref']}", status_code=303)
    language = ui_language(user)
    return page_for(
        "search.html.j2",
        visit,
        query=query,
        tickets=found,
        page=page,
        more=len(rows) > PAGE_SIZE,
        categories=labels.categories(session, language),
        districts=labels.districts(session, language),
    )


@router.get(CALLER_LANGUAGE)
def caller_language(visit: Visit, phone: Annotated[str, Query(max_length=30)] = "") -> Response:
    """The language to file a caller's complaint in, for the intake form's script: the
    one we know for their phone (their last choice), else the country's first; the
    form shows it and the agent may change it."""
    country = get_settings().country
    known = None
    try:
        e164 = phones.to_e164(phone, region=country)
    except phones.InvalidPhoneNumber:
        e164 = None
    if e164 is not None:
        known = visit.session.exec(select(Citizen.language).where(Citizen.phone == e164)).first()
    language = known or languages.native_of(country)
    return JSONResponse({"language": language, "known": bool(known)})


def _names_exactly(query: str, ref: str) -> bool:
    """Whether `query` is the reference `ref` itself (however typed), not a near miss."""
    return search.references(query) == [ref.replace("-", "")]


def listed(row: Any, now: datetime) -> dict[str, Any]:
    """A `public_statement` row as a row of a ticket table (ticket_table.html.j2)."""
    ticket = row[0]
    return {
        **ticket_service.as_public(row),
        "sla_due_at": ticket.sla_due_at,
        "urgent": ticket.priority == Priority.URGENT,
        "overdue": ticket.sla_due_at is not None
        and ticket.sla_due_at < now
        and ticket.status in lifecycle.OPEN,
    }
