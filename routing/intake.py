"""Intake: file a grievance where it belongs. Channels, menus, the call-centre form and
the API call this, not `grievance_engine.service.create`, so every ticket is routed,
checked for duplicates, grouped into a mass event and assigned the same way.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import null
from sqlmodel import Session, SQLModel, select

from grievance_engine import duplicates, filing, incidents, languages
from grievance_engine import service as ticket_service
from grievance_engine.models import (
    AdminLevel,
    Channel,
    Ticket,
    TicketCreate,
)
from grievance_engine.service import CategoryLike, DistrictLike, TicketError
from infra import clock, phones
from infra.settings import get_settings
from routing import alerts, assignment
from routing import service as routing_service
from routing.service import RoutingInputError


def file_grievance(
    *, session: Session, ticket_in: TicketCreate, actor: str | None = None
) -> Ticket:
    """Route a confirmed grievance and file it: the ticket, its event and the ack SMS;
    then flag a likely duplicate, group it into a mass event, and assign it.

    Idempotent on `ticket_in.source_key`: a retried confirmation gets the ticket filed
    the first time, without routing, flagging, grouping or assigning again, also when
    it runs at the same moment as the first (the unique source key decides).

    Raises `TicketError` for an unknown category, district or an upazila outside the
    district. Flushes; the caller commits.
    """
    try:
        category, district = _category_and_district(session, ticket_in)
        _check_upazila(session, district, ticket_in.upazila_id)
    except TicketError:
        filed = _filed_already(session, ticket_in)  # a retry outlives a category's retirement
        if filed is not None:
            return filed
        raise
    place = {
        "category_id": category.id,
        "district_id": district.id,
        "upazila_id": ticket_in.upazila_id,
    }
    filed_id, ticket_id = _first_look(session, ticket_in, place)
    if filed_id is not None:
        return session.get(Ticket, filed_id)
    decision = routing_service.route(
        session=session,
        district_id=district.id,
        category_id=category.id,
        upazila_id=ticket_in.upazila_id,
    )
    ticket, new = ticket_service.create_once(
        session=session,
        ticket_in=ticket_in,
        office_id=decision.office_id,
        queue=decision.queue,
        actor=actor,
        checked=(category, district),
        ticket_id=ticket_id,
    )
    if not new:
        # A retry that raced the first confirmation (its insert waited on the source
        # key's unique index, then did nothing): the first did the rest (flag, group,
        # assign); again would be a second assignment, an error shown to the citizen.
        return ticket
    # From here to commit, intakes of this place and category take turns: flagging and
    # grouping decide from every ticket of the place filed until now, all committed
    # (see grievance_engine.incidents). On PostgreSQL the first look took the turn.
    incidents.hold_place(
        session=session,
        category_id=ticket.category_id,
        district_id=ticket.district_id,
        upazila_id=ticket.upazila_id,
    )
    settings = get_settings()
    hours = max(settings.duplicate_window_hours, settings.mass_event_window_hours)
    recent = duplicates.recent_neighbours(
        session=session, ticket=ticket, hours=hours, until=clock.now()
    )
    duplicates.flag(session=session, ticket=ticket, recent=recent)
    incidents.group(session=session, ticket=ticket, recent=recent)
    if category.code in alerts.URGENT_CATEGORIES:
        ticket.priority = "urgent"  # shown as such; its SLA policy runs in hours, 24x7
    assignment.auto_assign(session=session, ticket=ticket)
    alerts.on_filing(session=session, ticket=ticket, category_code=category.code)
    return ticket


def _filed_already(session: Session, ticket_in: TicketCreate) -> Ticket | None:
    if not ticket_in.source_key:
        return None
    filed_id = ticket_service.ticket_id_for_source_key(
        session=session, source_key=ticket_in.source_key
    )
    return session.get(Ticket, filed_id) if filed_id is not None else None


def _first_look(
    session: Session, ticket_in: TicketCreate, place: dict[str, Any]
) -> tuple[int | None, int | None]:
    """The id of the ticket filed already under `ticket_in.source_key` (a retry), and on
    PostgreSQL a ticket id reserved for the new one, with the place's turn taken
    (`incidents.hold_place`) in the same round trip. On SQLite: (filed id, None)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        filed = _filed_already(session, ticket_in)
        return (filed.id if filed is not None else None), None
    filed_id = (
        select(Ticket.id).where(Ticket.source_key == ticket_in.source_key).scalar_subquery()
        if ticket_in.source_key
        else null()
    )
    row = connection.execute(
        select(
            filed_id,
            filing.RESERVE_ID,
            incidents.hold_place_clause(**place),
        )
    ).one()
    incidents.place_held(session=session, **place)
    return row[0], row[1]


def _category_and_district(
    session: Session, ticket_in: TicketCreate
) -> tuple[CategoryLike, DistrictLike]:
    """The active category and the district `ticket_in` names, from routing's cache
    (as `ticket_service.load_category_and_district` would read them, without a query);
    raises `TicketError` for either being unknown."""
    category = routing_service.cached_category(session=session, code=ticket_in.category_code)
    if category is None:
        raise TicketError(f"unknown category {ticket_in.category_code!r}")
    district = routing_service.cached_area(session=session, area_id=ticket_in.district_id)
    if district is None or district.level != AdminLevel.DISTRICT:
        raise TicketError(f"unknown district id {ticket_in.district_id}")
    return category, district


def _check_upazila(session: Session, district: DistrictLike, upazila_id: int | None) -> None:
    if upazila_id is None:
        return
    upazila = routing_service.cached_area(session=session, area_id=upazila_id)
    if upazila is None or upazila.parent_id != district.id:
        raise TicketError(f"upazila id {upazila_id} is not in {district.name}")


# The languages a citizen is answered in: the registry's, pseudo-locales aside, as a
# type pydantic checks and OpenAPI lists as an enum (sorted: "bn", "en", "sw").
CitizenLanguage = Literal[tuple(sorted(languages.codes(include_pseudo=False)))]  # type: ignore[valid-type]


class CallIntake(SQLModel):
    """What a call-centre agent types while the citizen is on the line (or what an
    integrator posts): names, not ids, as a person would say them."""

    phone: str  # as the caller says it: "01712-345678", "+880 1712 345678"
    district: str  # any spelling or script: "Rongpur", "রংপুর", "Chittagong"
    category: str  # code or name in any language: "water", "Water", "পানি"
    description: str
    upazila: str | None = None
    language: CitizenLanguage = languages.SOURCE
    anonymous: bool = False
    channel: Channel = Channel.AGENT
    source_key: str | None = None


def take_call(*, session: Session, call: CallIntake, actor: str) -> Ticket:
    """File a grievance taken by an agent (`actor`, e.g. "user:12"): the caller gets the
    same SMS acknowledgement as for USSD.

    Raises `RoutingInputError` naming the field ("phone", "district", "upazila",
    "category") with the nearest valid values, so the form can say what to fix.
    """
    country = get_settings().country
    try:
        phone = phones.to_e164(call.phone, region=country)
    except phones.InvalidPhoneNumber as exc:
        raise RoutingInputError(
            f"Phone {call.phone!r}: {exc}", field="phone", candidates=[]
        ) from exc
    if not call.description.strip():
        raise RoutingInputError(
            "Description is empty; write what the caller reported",
            field="description",
            candidates=[],
        )
    district = routing_service.resolve_area(
        session, call.district, country=country, level=AdminLevel.DISTRICT
    )
    upazila = None
    if call.upazila and call.upazila.strip():
        upazila = routing_service.resolve_area(
            session, call.upazila, country=country, level=AdminLevel.UPAZILA, parent=district
        )
    category = routing_service.resolve_category(session, call.category)
    ticket_in = TicketCreate(
        phone=phone,
        category_code=category.code,
        district_id=district.id,
        upazila_id=upazila.id if upazila else None,
        channel=call.channel,
        language=call.language,
        description=call.description,
        anonymous=call.anonymous,
        source_key=call.source_key,
    )
    return file_grievance(session=session, ticket_in=ticket_in, actor=actor)
