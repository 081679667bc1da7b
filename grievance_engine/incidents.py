"""Mass events: many citizens reporting one problem in one place at about the same time.

When `NALISH_MASS_EVENT_MIN_TICKETS` open tickets of one category, with descriptions
alike (`MIN_SIMILARITY`), come from one upazila (or, without an upazila, one district)
within `NALISH_MASS_EVENT_WINDOW_HOURS`, they are grouped into an `Incident`; later
tickets like them join it while it is open. The likeness test keeps five unrelated
road complaints from one district in an afternoon apart.
One officer action (`resolve`) resolves every open ticket in it, and every citizen gets
the resolution SMS — in April 2020 a single water-supply fault could bring hundreds
of calls from one upazila in an afternoon.

Two intakes racing past the threshold at the same moment may open two incidents for
one place; an agent sees both and nothing is lost. Locking every intake of a district
to prevent that would cost more than it saves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session, col, select

from grievance_engine import actions, clock, duplicates, events, lifecycle, refs
from grievance_engine.models import AdminArea, Category, Incident, IncidentStatus, Ticket
from grievance_engine.settings import get_settings

# How alike (rapidfuzz token-set ratio) a report must be to the burst's: looser than a
# duplicate, since a hundred people describe one dry pipe a hundred ways.
MIN_SIMILARITY = 60


class IncidentError(ValueError):
    """An incident that cannot be acted on as asked; the message says why."""


def group(*, session: Session, ticket: Ticket, recent: list[Row] | None = None) -> Incident | None:
    """Put `ticket` in the open mass event for its place and category, opening one when
    it is the ticket that makes the burst; None when there is no burst.

    `recent` is `duplicates.recent_neighbours` over at least the mass-event window,
    when the caller has it already (intake shares it with duplicate detection).
    """
    settings = get_settings()
    if recent is None:
        hours = settings.mass_event_window_hours
        recent = duplicates.recent_neighbours(session=session, ticket=ticket, hours=hours)
    since = ticket.created_at - timedelta(hours=settings.mass_event_window_hours)
    alike = [
        other
        for other in recent
        if other.created_at >= since
        and other.category_id == ticket.category_id
        and other.district_id == ticket.district_id
        and other.upazila_id == ticket.upazila_id
        and duplicates.similarity(ticket.description, other.description) >= MIN_SIMILARITY
    ]
    incident = _open_incident_among(session, alike)
    if incident is not None:
        _join(session, incident, [ticket])
        return incident
    burst = [other for other in alike if other.incident_id is None]
    if len(burst) + 1 < settings.mass_event_min_tickets:
        return None
    incident = Incident(
        summary=ticket.description,
        category_id=ticket.category_id,
        district_id=ticket.district_id,
        upazila_id=ticket.upazila_id,
        opened_at=clock.now(),
        last_report_at=ticket.created_at,
    )
    session.add(incident)
    session.flush()
    members = [session.get(Ticket, other.id) for other in burst]
    _join(session, incident, sorted([*members, ticket], key=lambda t: t.id))
    return incident


def _open_incident_among(session: Session, tickets: list[Row]) -> Incident | None:
    """The open incident that the newest of these tickets belongs to, if any."""
    for other in tickets:  # newest first
        if other.incident_id is not None:
            incident = session.get(Incident, other.incident_id)
            if incident is not None and incident.status == IncidentStatus.OPEN:
                return incident
    return None


def _join(session: Session, incident: Incident, tickets: list[Ticket]) -> None:
    for ticket in tickets:
        incident.ticket_count += 1
        incident.last_report_at = max(incident.last_report_at, ticket.created_at)
        events.append(
            session=session,
            ticket=ticket,
            type="grouped",
            actor="system",
            data={"incident": incident.id, "reports": incident.ticket_count},
            changes={"incident_id": incident.id},
        )
    session.flush()


def resolve(*, session: Session, incident: Incident, actor: str, what_was_done: str) -> int:
    """Resolve every open ticket of `incident` with one statement of what was done;
    each citizen (and each merged duplicate's citizen) gets the SMS. Returns how many
    tickets were resolved."""
    if incident.status != IncidentStatus.OPEN:
        raise IncidentError(f"incident {incident.id} is already {incident.status}")
    what = " ".join(what_was_done.split())
    if not what:
        raise IncidentError("resolving an incident needs what was done (citizens are told)")
    tickets = session.exec(
        select(Ticket)
        .where(Ticket.incident_id == incident.id, col(Ticket.status).in_(lifecycle.OPEN))
        .order_by(col(Ticket.id))
    ).all()
    for ticket in tickets:
        actions.resolve(session=session, ticket=ticket, actor=actor, what_was_done=what)
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = clock.now()
    incident.resolved_by = actor
    incident.resolution = what
    session.flush()
    return len(tickets)


def list_public(
    *, session: Session, status: str | None = IncidentStatus.OPEN, limit: int = 200
) -> list[dict[str, Any]]:
    """Incidents as `nalish incidents list --json` prints them, newest first."""
    statement = (
        select(Incident, Category.code, AdminArea.name)
        .join(Category, col(Category.id) == Incident.category_id)
        .join(AdminArea, col(AdminArea.id) == Incident.district_id)
        .order_by(col(Incident.id).desc())
        .limit(limit)
    )
    if status:
        statement = statement.where(Incident.status == IncidentStatus(status))
    rows = session.exec(statement).all()
    upazilas = _names(session, {i.upazila_id for i, _, _ in rows if i.upazila_id})
    refs_by_incident = _refs(session, [i.id for i, _, _ in rows])
    return [
        {
            "id": incident.id,
            "status": incident.status,
            "category": category,
            "district": district,
            "upazila": upazilas.get(incident.upazila_id),
            "summary": incident.summary,
            "ticket_count": incident.ticket_count,
            "tickets": refs_by_incident.get(incident.id, []),
            "opened_at": incident.opened_at.isoformat(),
            "last_report_at": incident.last_report_at.isoformat(),
            "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
            "resolution": incident.resolution,
        }
        for incident, category, district in rows
    ]


def _names(session: Session, area_ids: set[int]) -> dict[int, str]:
    if not area_ids:
        return {}
    statement = select(AdminArea.id, AdminArea.name).where(col(AdminArea.id).in_(area_ids))
    return dict(session.exec(statement).all())


def _refs(session: Session, incident_ids: list[int]) -> dict[int, list[str]]:
    if not incident_ids:
        return {}
    statement = (
        select(Ticket.incident_id, Ticket.ref)
        .where(col(Ticket.incident_id).in_(incident_ids))
        .order_by(col(Ticket.id))
    )
    found: dict[int, list[str]] = {}
    for incident_id, ref in session.exec(statement):
        found.setdefault(incident_id, []).append(refs.display(ref))
    return found
