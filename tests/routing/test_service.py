"""Routing: the most specific rule wins, and nothing is ever routed nowhere."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grievance_engine.models import Office
from routing import service as routing_service
from routing.models import RoutingRule


@pytest.fixture
def rangpur(bd):
    """Rangpur's areas and offices, and the water category, as ids."""

    class Rangpur:
        division = bd.area("Rangpur", level="division").id
        district = bd.area("Rangpur").id
        pirganj = bd.area("Pirganj", level="upazila", parent="Rangpur").id
        water = bd.category("water").id
        roads = bd.category("roads").id
        district_office = bd.office("dc-rangpur").id
        divisional_office = bd.office("divcom-rangpur").id
        triage = bd.office("national-triage").id

    return Rangpur


def _rule(bd, *, area_id, category_id, office_id, queue="default") -> RoutingRule:
    rule = RoutingRule(area_id=area_id, category_id=category_id, office_id=office_id, queue=queue)
    bd.session.add(rule)
    bd.session.flush()
    return rule


def _route(bd, rangpur, category_id=None, upazila_id=None):
    if category_id is None:
        category_id = rangpur.water
    return routing_service.route(
        session=bd.session,
        district_id=rangpur.district,
        category_id=category_id,
        upazila_id=upazila_id,
    )


def test_a_district_routes_to_its_deputy_commissioner_by_default(bd, rangpur):
    decision = _route(bd, rangpur)
    assert decision.office_id == rangpur.district_office
    assert decision.rule_id is not None
    assert decision.queue == "default"
    assert "district Rangpur" in decision.reason
    assert "Deputy Commissioner's Office, Rangpur" in decision.reason


def test_a_district_and_category_rule_beats_the_district_rule(bd, rangpur):
    water_desk = bd.office("divcom-rangpur").id
    rule = _rule(
        bd, area_id=rangpur.district, category_id=rangpur.water, office_id=water_desk, queue="wash"
    )
    decision = _route(bd, rangpur)
    assert (decision.office_id, decision.rule_id, decision.queue) == (water_desk, rule.id, "wash")
    assert "category water" in decision.reason
    # other categories still follow the district rule
    assert _route(bd, rangpur, category_id=rangpur.roads).office_id == rangpur.district_office


def test_an_upazila_rule_beats_the_district_and_category_rule(bd, rangpur):
    uno = bd.office("uno-" + bd.area("Pirganj", level="upazila", parent="Rangpur").code.lower())
    _rule(bd, area_id=rangpur.district, category_id=rangpur.water, office_id=rangpur.triage)
    rule = _rule(bd, area_id=rangpur.pirganj, category_id=None, office_id=uno.id)
    decision = _route(bd, rangpur, upazila_id=rangpur.pirganj)
    assert (decision.office_id, decision.rule_id) == (uno.id, rule.id)
    assert "upazila Pirganj" in decision.reason
    # a grievance from elsewhere in the district does not reach the upazila
    assert _route(bd, rangpur).office_id == rangpur.triage


def test_rules_apply_from_the_most_specific_to_the_least(bd, rangpur):
    """Switching rules off one by one, most specific first, walks down the ladder."""
    district_rule = bd.session.exec(
        select(RoutingRule).where(
            RoutingRule.area_id == rangpur.district,
            RoutingRule.category_id == None,  # noqa: E711
        )
    ).one()
    national_rule = bd.session.exec(
        select(RoutingRule).where(RoutingRule.area_id == None)  # noqa: E711
    ).one()
    desk = rangpur.triage
    ladder = [  # (rule, whether the grievance names its upazila)
        (_rule(bd, area_id=rangpur.pirganj, category_id=rangpur.water, office_id=desk), True),
        (_rule(bd, area_id=rangpur.pirganj, category_id=None, office_id=desk), True),
        (_rule(bd, area_id=rangpur.district, category_id=rangpur.water, office_id=desk), True),
        (district_rule, False),  # with an upazila, its UNO office comes first (below)
        (_rule(bd, area_id=rangpur.division, category_id=rangpur.water, office_id=desk), True),
        (_rule(bd, area_id=rangpur.division, category_id=None, office_id=desk), False),
        (_rule(bd, area_id=None, category_id=rangpur.water, office_id=desk), True),
        (national_rule, False),
    ]  # fmt: skip
    for expected, with_upazila in ladder:
        decision = _route(bd, rangpur, upazila_id=rangpur.pirganj if with_upazila else None)
        assert decision.rule_id == expected.id
        expected.active = False
        bd.session.flush()


def test_a_grievance_naming_its_upazila_goes_to_the_uno_office_past_area_wide_rules(bd, rangpur):
    decision = _route(bd, rangpur, upazila_id=rangpur.pirganj)
    office = bd.session.get(Office, decision.office_id)
    assert (office.level, office.area_id, decision.rule_id) == ("upazila", rangpur.pirganj, None)
    assert decision.reason.startswith("First tier: the upazila Pirganj office")


def test_a_division_rule_catches_a_district_without_its_own(bd, rangpur):
    district_rule = bd.session.exec(
        select(RoutingRule).where(RoutingRule.area_id == rangpur.district)
    ).one()
    bd.session.delete(district_rule)
    rule = _rule(
        bd, area_id=rangpur.division, category_id=None, office_id=rangpur.divisional_office
    )
    decision = _route(bd, rangpur)
    assert (decision.office_id, decision.rule_id) == (rangpur.divisional_office, rule.id)
    assert "division Rangpur" in decision.reason


def test_a_rule_to_a_closed_office_is_passed_over(bd, rangpur):
    bd.office("dc-rangpur").active = False
    bd.session.flush()
    decision = _route(bd, rangpur)
    assert decision.office_id == rangpur.triage
    assert "the whole country" in decision.reason


def test_with_no_rule_at_all_it_falls_back_to_national_triage(bd, rangpur):
    for rule in bd.session.exec(select(RoutingRule)):
        rule.active = False
    bd.session.flush()
    decision = _route(bd, rangpur)
    assert decision.office_id == rangpur.triage
    assert decision.rule_id is None
    assert decision.queue == "triage"
    assert decision.reason.startswith("No active rule covers district Rangpur")


def test_without_even_a_triage_office_the_decision_names_no_office(session):
    decision = routing_service.route(session=session, district_id=123, category_id=None)
    assert decision.office_id is None
    assert decision.rule_id is None
    assert "no national triage office" in decision.reason


def test_an_upazila_outside_the_district_is_ignored_and_said_so(bd, rangpur):
    savar = bd.area("Savar", level="upazila").id
    _rule(bd, area_id=savar, category_id=None, office_id=rangpur.triage)
    decision = _route(bd, rangpur, upazila_id=savar)
    assert decision.office_id == rangpur.district_office
    assert "not in Rangpur" in decision.reason


def test_a_decision_is_a_frozen_value(bd, rangpur):
    decision = _route(bd, rangpur)
    with pytest.raises(AttributeError):
        decision.office_id = None  # type: ignore[misc]
