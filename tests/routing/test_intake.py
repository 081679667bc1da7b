"""Intake: a confirmed grievance is routed and filed in one go, exactly once."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from grievance_engine import refs
from grievance_engine import service as ticket_service
from grievance_engine.models import Category, Channel, Notification, Office, Ticket, TicketCreate
from grievance_engine.service import TicketError
from routing import intake
from routing import service as routing_service


def _ticket_in(bd, **overrides) -> TicketCreate:
    values = dict(
        phone="+8801712345678",
        category_code="water",
        district_id=bd.area("Rangpur").id,
        channel=Channel.USSD,
        language="en",
        description="The only deep tube well in ward 5 has been broken for three weeks.",
    )
    return TicketCreate(**(values | overrides))


def test_it_files_a_ticket_routed_to_the_rangpur_dc_office_with_its_event_and_ack(bd):
    ticket = intake.file_grievance(session=bd.session, ticket_in=_ticket_in(bd))

    assert ticket.office_id == bd.office("dc-rangpur").id
    assert ticket.district_id == bd.area("Rangpur").id
    assert ticket.category_id == bd.category("water").id
    events = ticket_service.events_of(session=bd.session, ticket_id=ticket.id)
    assert [e.type for e in events] == ["created"]
    assert events[0].data["office_id"] == ticket.office_id
    acks = bd.session.exec(select(Notification).where(Notification.ticket_id == ticket.id)).all()
    assert [(n.kind, n.status) for n in acks] == [("ack", "pending")]
    assert refs.display(ticket.ref) in acks[0].body


def test_a_bangla_grievance_is_acknowledged_in_bangla_with_the_bangla_district(bd):
    ticket = intake.file_grievance(session=bd.session, ticket_in=_ticket_in(bd, language="bn"))
    ack = bd.session.exec(select(Notification).where(Notification.ticket_id == ticket.id)).one()
    assert "রংপুর" in ack.body
    assert refs.display(ticket.ref) in ack.body


def test_it_goes_to_the_upazilas_uno_office_when_the_citizen_gave_an_upazila(bd):
    pirganj = bd.area("Pirganj", level="upazila", parent="Rangpur")
    ticket = intake.file_grievance(
        session=bd.session, ticket_in=_ticket_in(bd, upazila_id=pirganj.id)
    )
    assert ticket.upazila_id == pirganj.id
    office = bd.session.get(Office, ticket.office_id)
    assert (office.level, office.area_id) == ("upazila", pirganj.id)
    assert office.name.startswith("Upazila Nirbahi Officer, Pirganj")


def test_without_an_upazila_it_goes_to_the_district_office(bd):
    ticket = intake.file_grievance(session=bd.session, ticket_in=_ticket_in(bd))
    assert ticket.office_id == bd.office("dc-rangpur").id


def test_a_rule_for_the_category_beats_the_upazila_office(bd):
    pirganj = bd.area("Pirganj", level="upazila", parent="Rangpur")
    water = bd.session.exec(select(Category).where(Category.code == "water")).one()
    desk = bd.office("dc-dinajpur")
    routing_service.save_rule(
        session=bd.session, area_id=None, category_id=water.id, office_id=desk.id, queue="default"
    )
    ticket = intake.file_grievance(
        session=bd.session, ticket_in=_ticket_in(bd, upazila_id=pirganj.id)
    )
    assert ticket.office_id == desk.id


def test_a_retried_confirmation_returns_the_first_ticket_without_routing_again(bd, monkeypatch):
    first = intake.file_grievance(
        session=bd.session, ticket_in=_ticket_in(bd, source_key="at-ussd:ATUid_1")
    )

    def no_second_routing(**_kwargs):
        raise AssertionError("routed a grievance that was already filed")

    monkeypatch.setattr(routing_service, "route", no_second_routing)
    again = intake.file_grievance(
        session=bd.session, ticket_in=_ticket_in(bd, source_key="at-ussd:ATUid_1")
    )
    assert again.id == first.id
    assert bd.session.exec(select(func.count()).select_from(Ticket)).one() == 1


def test_an_unknown_category_is_refused(bd):
    with pytest.raises(TicketError, match="unknown category"):
        intake.file_grievance(session=bd.session, ticket_in=_ticket_in(bd, category_code="ufo"))


def test_an_inactive_category_is_refused(bd):
    bd.category("land").active = False
    bd.session.flush()
    with pytest.raises(TicketError, match="unknown category"):
        intake.file_grievance(session=bd.session, ticket_in=_ticket_in(bd, category_code="land"))


def test_a_division_given_as_the_district_is_refused(bd):
    division = bd.area("Rangpur", level="division")
    with pytest.raises(TicketError, match="unknown district"):
        intake.file_grievance(session=bd.session, ticket_in=_ticket_in(bd, district_id=division.id))


def test_an_upazila_outside_the_district_is_refused(bd):
    savar = bd.area("Savar", level="upazila")
    with pytest.raises(TicketError, match="not in Rangpur"):
        intake.file_grievance(session=bd.session, ticket_in=_ticket_in(bd, upazila_id=savar.id))
