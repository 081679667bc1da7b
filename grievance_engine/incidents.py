"""Mass events: many citizens reporting one problem in one place at about the same time.

When `NALISH_MASS_EVENT_MIN_TICKETS` open tickets of one category, with descriptions
alike (`MIN_SIMILARITY`), come from one upazila (or, without an upazila, one district)
within `NALISH_MASS_EVENT_WINDOW_HOURS`, they are grouped into an `Incident`; later
tickets like them join it while it is open. The likeness test keeps five unrelated
road complaints from one district in an afternoon apart.
One officer action (`resolve`) resolves every open ticket in it, and every citizen gets
the resolution SMS — in April 2020 a single water-supply fault could bring hundreds
of calls from one upazila in an afternoon.

Concurrency (a surge is when intakes race): grouping reads a set of tickets and decides
from it (is this the burst? which tickets join?), a read-then-write over rows that may
not exist yet, which no row lock can protect. So once it has filed its ticket, intake
takes a transaction-scoped lock keyed by the place and category (`hold_place`: an
advisory lock on PostgreSQL; on SQLite, whose one writer it already is, nothing more),
and only then reads the neighbours that duplicate detection and grouping share, up to
that moment: intakes of one place and category take turns for the few milliseconds
from there to commit, each sees every earlier one's ticket, and other places never
wait. Filing (the insert, the acknowledgement) runs before the turn, in parallel.
Members are then locked in ascending id, the one global order for other tickets' rows;
the count is bumped in one UPDATE (`ticket_count = ticket_count + n`), never read and
written back; and a unique partial index allows one open incident per category and
upazila (or district), so even a writer that skipped the lock cannot open a second.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Row, bindparam, case, func, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from grievance_engine import actions, duplicates, events, lifecycle, refs
from grievance_engine.models import AdminArea, Category, Incident, IncidentStatus, Ticket
from infra import clock
from infra.settings import get_settings

# How alike (rapidfuzz token-set ratio) a report must be to the burst's: looser than a
# duplicate, since a hundred people describe one dry pipe a hundred ways.
MIN_SIMILARITY = 60


class IncidentError(ValueError):
    """An incident that cannot be acted on as asked; the message says why."""


def hold_place(
    *, session: Session, category_id: int, district_id: int, upazila_id: int | None
) -> None:
    """Make intakes of one place and category take turns until this transaction ends.

    Intake takes it before reading the neighbours `group` decides from: whoever had
    the turn before has committed, so they include every earlier intake's ticket.
    Other places and categories never wait.
    """
    held = session.info.setdefault(_PLACES_HELD_KEY, set())
    place = (category_id, district_id, upazila_id or 0)
    if place in held:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_HOLD_PLACE, {"key": _place_key(place)})
    else:  # SQLite: a write that changes nothing takes its one write lock (if not held)
        connection.execute(_TAKE_SQLITE_WRITE_LOCK)
    held.add(place)


def hold_place_clause(*, category_id: int, district_id: int, upazila_id: int | None) -> Any:
    """`hold_place`'s lock on PostgreSQL as a column to select, for a caller that sends
    it with another query (intake: one round trip); then it calls `place_held`."""
    place = (category_id, district_id, upazila_id or 0)
    return func.pg_advisory_xact_lock(_ADVISORY_LOCK_CLASS, _place_key(place)).is_(None)


def place_held(
    *, session: Session, category_id: int, district_id: int, upazila_id: int | None
) -> None:
    """The caller took `hold_place_clause`'s lock in this transaction."""
    place = (category_id, district_id, upazila_id or 0)
    session.info.setdefault(_PLACES_HELD_KEY, set()).add(place)


_PLACES_HELD_KEY = "nalish_incident_places_held"


# Two 32-bit keys, a key space of their own (pg_advisory_xact_lock(bigint) is another):
# this module's constant, and the place hashed into 31 bits. Two places sharing a hash
# only take turns, never go wrong.
_ADVISORY_LOCK_CLASS = 333_0002
_HOLD_PLACE = text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK_CLASS}, :key)")
_TAKE_SQLITE_WRITE_LOCK = text("UPDATE incident SET id = id WHERE 0 = 1")


def _place_key(place: tuple[int, int, int]) -> int:
    category_id, district_id, upazila_id = place
    return (category_id * 1_000_003 + district_id * 8_191 + upazila_id) % 2**31


@sa_event.listens_for(OrmSession, "after_transaction_end")
def _release(session: OrmSession, transaction: Any) -> None:
    # The lock ends with the transaction; a later one on this session must take it
    # again (after a savepoint too, which may have released it: taking it twice is free).
    if transaction.parent is None or transaction.nested:
        session.info.pop(_PLACES_HELD_KEY, None)


def group(*, session: Session, ticket: Ticket, recent: list[Row] | None = None) -> Incident | None:
    """Put `ticket` in the open mass event for its place and category, opening one when
    it is the ticket that makes the burst; None when there is no burst.

    `recent` is `duplicates.recent_neighbours` over at least the mass-event window,
    read in the place's turn (`hold_place`), when the caller has it already (intake
    shares it with duplicate detection).
    """
    settings = get_settings()
    hold_place(
        session=session,
        category_id=ticket.category_id,
        district_id=ticket.district_id,
        upazila_id=ticket.upazila_id,
    )
    if recent is None:
        hours = settings.mass_event_window_hours
        recent = duplicates.recent_neighbours(
            session=session, ticket=ticket, hours=hours, until=clock.now()
        )
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
    incident = _open_incident_of_place(session, ticket)
    if incident is not None and any(other.incident_id == incident.id for other in alike):
        _join(session, incident, [ticket])
        return incident
    burst = [other for other in alike if other.incident_id is None]
    if len(burst) + 1 < settings.mass_event_min_tickets:
        return None
    # A new burst where the place's incident is still open (its own reports older than
    # the window) joins it: one open incident per place and category.
    incident = incident or _open(session, ticket)
    members = [session.get(Ticket, other.id) for other in burst]
    _join(session, incident, sorted([*members, ticket], key=lambda t: t.id))
    return incident


def _open_incident_of_place(session: Session, ticket: Ticket) -> Incident | None:
    """The open incident of `ticket`'s category and place (at most one: the unique index)."""
    return session.exec(
        select(Incident).where(
            Incident.category_id == ticket.category_id,
            Incident.district_id == ticket.district_id,
            func.coalesce(Incident.upazila_id, 0) == (ticket.upazila_id or 0),
            Incident.status == IncidentStatus.OPEN,
        )
    ).first()


def _open(session: Session, ticket: Ticket) -> Incident:
    """Open the place's incident, with `ticket`'s words as its summary. The unique index
    decides a race (possible only for a writer without `hold_place`): the loser's
    insert does nothing and it takes the winner's incident."""
    connection = session.connection()
    statement = _INCIDENT_INSERT[connection.dialect.name]
    values = {
        "summary": ticket.description,
        "category_id": ticket.category_id,
        "district_id": ticket.district_id,
        "upazila_id": ticket.upazila_id,
        "status": IncidentStatus.OPEN,
        "ticket_count": 0,
        "opened_at": clock.now(),
        "last_report_at": ticket.created_at,
    }
    incident_id = connection.execute(statement, values).scalar()
    if incident_id is None:
        incident = _open_incident_of_place(session, ticket)
        if incident is None:  # resolved between the two statements: open afresh
            return _open(session, ticket)
        return incident
    return session.get(Incident, incident_id)


# No conflict target: the unique index of open places is the only one a new row can hit.
_INCIDENT_INSERT = {
    "postgresql": postgresql.insert(Incident).on_conflict_do_nothing().returning(Incident.id),
    "sqlite": sqlite.insert(Incident).on_conflict_do_nothing().returning(Incident.id),
}


def _join(session: Session, incident: Incident, tickets: list[Ticket]) -> None:
    """Add `tickets` (ascending id) to `incident`: one UPDATE counts them, so a count is
    never lost to a racing reader; each ticket records its place in the burst."""
    latest = max(ticket.created_at for ticket in tickets)
    params = {"incident_id": incident.id, "n": len(tickets), "at": latest}
    count, last_report_at = session.connection().execute(_BUMP, params).one()
    set_committed_value(incident, "ticket_count", count)
    set_committed_value(incident, "last_report_at", last_report_at)
    for position, ticket in enumerate(tickets, start=count - len(tickets) + 1):
        events.append(
            session=session,
            ticket=ticket,
            type="grouped",
            actor="system",
            data={"incident": incident.id, "reports": position},
            changes={"incident_id": incident.id},
        )


_LAST_REPORT_AT = bindparam("at", type_=Incident.__table__.c.last_report_at.type)
_BUMP = (
    update(Incident)
    .where(Incident.id == bindparam("incident_id"))
    .values(
        ticket_count=Incident.ticket_count + bindparam("n"),
        last_report_at=case(
            (col(Incident.last_report_at) < _LAST_REPORT_AT, _LAST_REPORT_AT),
            else_=col(Incident.last_report_at),
        ),
    )
    .returning(Incident.ticket_count, Incident.last_report_at)
)


def resolve(*, session: Session, incident: Incident, actor: str, what_was_done: str) -> int:
    """Resolve every open ticket of `incident` with one statement of what was done;
    each citizen (and each merged duplicate's citizen) gets the SMS. Returns how many
    tickets were resolved."""
    if incident.status != IncidentStatus.OPEN:
        raise IncidentError(f"incident {incident.id} is already {incident.status}")
    what = " ".join(what_was_done.split())
    if not what:
        raise IncidentError("resolving an incident needs what was done (citizens are told)")
    # Intakes of the place wait until this commits: none joins between our reading
    # its tickets and closing it, to stay open in a resolved incident.
    hold_place(
        session=session,
        category_id=incident.category_id,
        district_id=incident.district_id,
        upazila_id=incident.upazila_id,
    )
    session.refresh(incident)
    if incident.status != IncidentStatus.OPEN:  # resolved by someone just before us
        raise IncidentError(f"incident {incident.id} is already {incident.status}")
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
