"""The call-centre intake: what an agent types while the caller is on the line."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grievance_engine import refs
from grievance_engine import service as ticket_service
from grievance_engine.models import Channel, Notification
from routing import intake
from routing.intake import CallIntake
from routing.service import RoutingInputError


def _call(**overrides) -> CallIntake:
    values = dict(
        phone="01712-345678",
        district="Rongpur",
        category="water",
        description="Caller says the tube well in ward 5 has been dry for a week.",
        language="bn",
    )
    return CallIntake(**(values | overrides))


def test_a_call_becomes_a_ticket_and_the_caller_gets_the_same_sms_as_for_ussd(bd):
    ticket = intake.take_call(session=bd.session, call=_call(), actor="user:7")
    shown = ticket_service.show(session=bd.session, ref=ticket.ref)
    assert (shown["district"], shown["category"], shown["channel"]) == ("Rangpur", "water", "agent")
    assert shown["phone"] == "+8801712345678"
    assert shown["events"][0]["actor"] == "user:7"
    ack = bd.session.exec(select(Notification).where(Notification.ticket_id == ticket.id)).one()
    assert ack.kind == "ack" and refs.display(ticket.ref) in ack.body and "রংপুর" in ack.body


@pytest.mark.parametrize(
    ("district", "category", "expected"),
    [
        ("Chittagong", "Water", ("Chattogram", "water")),
        ("রংপুর", "পানি", ("Rangpur", "water")),
        ("comilla", "ELECTRICITY", ("Cumilla", "electricity")),
    ],
)
def test_places_and_categories_are_understood_in_any_spelling_or_script(
    bd, district, category, expected
):
    ticket = intake.take_call(
        session=bd.session, call=_call(district=district, category=category), actor="user:7"
    )
    shown = ticket_service.show(session=bd.session, ref=ticket.ref)
    assert (shown["district"], shown["category"]) == expected


def test_an_upazila_is_looked_up_within_the_district(bd):
    ticket = intake.take_call(session=bd.session, call=_call(upazila="Pirgonj"), actor="user:7")
    assert ticket.upazila_id == bd.area("Pirganj", level="upazila", parent="Rangpur").id


@pytest.mark.parametrize(
    ("field", "overrides", "nearest"),
    [
        ("district", {"district": "Xyzzyville"}, None),
        ("district", {"district": "Rangpor Sadr"}, "Rangpur"),
        ("category", {"category": "watr"}, "water"),
        ("phone", {"phone": "12345"}, None),
        ("upazila", {"upazila": "Kawnia Sadar Nowhere"}, None),
        ("description", {"description": "   "}, None),
    ],
)
def test_bad_input_names_the_field_and_offers_the_nearest_valid_values(
    bd, field, overrides, nearest
):
    with pytest.raises(RoutingInputError) as raised:
        intake.take_call(session=bd.session, call=_call(**overrides), actor="user:7")
    assert raised.value.field == field
    if nearest:
        assert nearest in raised.value.candidates


def test_a_retried_submission_with_the_same_key_files_once(bd):
    first = intake.take_call(session=bd.session, call=_call(source_key="form:1"), actor="user:7")
    again = intake.take_call(session=bd.session, call=_call(source_key="form:1"), actor="user:7")
    assert first.id == again.id


def test_an_agent_can_file_for_a_citizen_who_wants_to_stay_anonymous(bd):
    ticket = intake.take_call(
        session=bd.session,
        call=_call(category="corruption", anonymous=True, channel=Channel.AGENT),
        actor="user:7",
    )
    assert ticket.anonymous is True
