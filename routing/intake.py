"""Intake: file a grievance where it belongs. Channels and menus call this, not
`grievance_engine.service.create`, so every ticket is routed the same way.
"""

from __future__ import annotations

from sqlmodel import Session, select

from grievance_engine import service as ticket_service
from grievance_engine.models import AdminArea, AdminLevel, Category, Ticket, TicketCreate
from grievance_engine.service import TicketError
from routing import service as routing_service


def file_grievance(*, session: Session, ticket_in: TicketCreate) -> Ticket:
    """Route a confirmed grievance and file it: the ticket, its event and the ack SMS.

    Idempotent on `ticket_in.source_key`: a retried confirmation gets the ticket filed
    the first time, without routing again. Raises `TicketError` for an unknown
    category, district or an upazila outside the district. Flushes; the caller commits.
    """
    if ticket_in.source_key:
        existing = ticket_service.get_by_source_key(
            session=session, source_key=ticket_in.source_key
        )
        if existing is not None:
            return existing
    category_id = _category_id(session, ticket_in.category_code)
    _check_areas(session, ticket_in.district_id, ticket_in.upazila_id)
    decision = routing_service.route(
        session=session,
        district_id=ticket_in.district_id,
        category_id=category_id,
        upazila_id=ticket_in.upazila_id,
    )
    return ticket_service.create(session=session, ticket_in=ticket_in, office_id=decision.office_id)


def _category_id(session: Session, code: str) -> int:
    row = session.exec(select(Category.id, Category.active).where(Category.code == code)).first()
    if row is None or not row[1]:
        raise TicketError(f"unknown category {code!r}")
    return row[0]


def _check_areas(session: Session, district_id: int, upazila_id: int | None) -> None:
    district = session.get(AdminArea, district_id)
    if district is None or district.level != AdminLevel.DISTRICT:
        raise TicketError(f"unknown district id {district_id}")
    if upazila_id is None:
        return
    upazila = session.get(AdminArea, upazila_id)
    if upazila is None or upazila.parent_id != district_id:
        raise TicketError(f"upazila id {upazila_id} is not in {district.name}")
