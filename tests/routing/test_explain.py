"""Explaining a routing decision, and the per-process rule cache behind route()."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import insert

from routing import service as routing_service
from routing.models import RoutingRule


def _explain(bd, **kwargs):
    kwargs.setdefault("category", "water")
    return routing_service.explain(session=bd.session, country="BD", **kwargs)


def _add_rule(bd, **values) -> RoutingRule:
    rule = RoutingRule(**values)
    bd.session.add(rule)
    bd.session.flush()
    return rule


def test_it_explains_the_default_district_rule_and_lists_what_it_passed_over(bd):
    explanation = _explain(bd, district="Rangpur")
    used = [step for step in explanation.steps if step.outcome == "used"]
    assert len(used) == 1 and used[0].scope == "district"
    assert "Deputy Commissioner's Office, Rangpur" in used[0].text and "used" in used[0].text
    assert explanation.office == "Deputy Commissioner's Office, Rangpur"
    assert [step.scope for step in explanation.steps] == [
        "district + category",
        "district",
        "division + category",
        "division",
        "national + category",
        "national",
    ]
    assert explanation.steps[0].text == "district + category (Rangpur): no rule"
    assert explanation.steps[-1].outcome.startswith("not reached")


def test_the_most_specific_rule_is_used_and_the_others_are_listed_as_considered(bd):
    rangpur, water = bd.area("Rangpur"), bd.category("water")
    pirganj = bd.area("Pirganj", level="upazila", parent="Rangpur")
    water_rule = _add_rule(
        bd,
        area_id=rangpur.id,
        category_id=water.id,
        office_id=bd.office("divcom-rangpur").id,
        queue="wash",
    )
    upazila_rule = _add_rule(
        bd, area_id=pirganj.id, category_id=None, office_id=bd.office("national-triage").id
    )

    explanation = _explain(bd, district="rongpur", upazila="Pirganj")

    assert explanation.district == "Rangpur" and explanation.upazila == "Pirganj"
    outcomes = {step.scope: (step.rule_id, step.outcome) for step in explanation.steps}
    assert outcomes["upazila + category"] == (None, "no rule")
    assert outcomes["upazila"] == (upazila_rule.id, "used")
    assert outcomes["district + category"][0] == water_rule.id
    assert outcomes["district + category"][1].startswith("not reached")
    assert outcomes["district"][1].startswith("not reached")
    assert explanation.decision.rule_id == upazila_rule.id

    without_upazila = _explain(bd, district="Rangpur")
    assert without_upazila.decision.rule_id == water_rule.id
    assert without_upazila.decision.queue == "wash"


def test_an_inactive_rule_is_listed_with_the_reason_it_was_passed_over(bd):
    rule = _add_rule(
        bd,
        area_id=bd.area("Rangpur").id,
        category_id=bd.category("water").id,
        office_id=bd.office("divcom-rangpur").id,
        active=False,
    )
    step = _explain(bd, district="Rangpur").steps[0]
    assert (step.rule_id, step.outcome) == (rule.id, "rule inactive")


def test_an_ambiguous_district_names_the_close_ones(bd):
    with pytest.raises(routing_service.RoutingInputError) as raised:
        _explain(bd, district="Rajbahi")
    assert {"Rajbari", "Rajshahi"} <= set(raised.value.candidates)
    assert "Rajshahi" in str(raised.value)


def test_an_unknown_district_still_offers_the_nearest_names(bd):
    with pytest.raises(routing_service.RoutingInputError) as raised:
        _explain(bd, district="Rangxxx")
    assert raised.value.field == "district"
    assert "Rangpur" in raised.value.candidates or "Rangamati" in raised.value.candidates


def test_a_misspelt_district_is_resolved_by_the_gazetteer(bd):
    assert _explain(bd, district="Rangpor").district == "Rangpur"
    assert _explain(bd, district="Chittagong").district == "Chattogram"


def test_an_unknown_category_lists_the_codes(bd):
    with pytest.raises(routing_service.RoutingInputError) as raised:
        _explain(bd, district="Rangpur", category="watr")
    assert raised.value.field == "category"
    assert "water" in raised.value.candidates and "water" in str(raised.value)


def test_route_reads_rules_from_the_cache_without_a_query(bd):
    district, water = bd.area("Rangpur").id, bd.category("water").id
    routing_service.route(session=bd.session, district_id=district, category_id=water)
    statements = []
    engine = bd.session.get_bind().engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(20):
            routing_service.route(session=bd.session, district_id=district, category_id=water)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert statements == []


def test_a_new_rule_wins_once_the_cache_is_cleared(bd):
    district, water = bd.area("Rangpur").id, bd.category("water").id
    before = routing_service.route(session=bd.session, district_id=district, category_id=water)
    # written behind the ORM's back, as another process or a bulk insert would
    office = bd.office("divcom-rangpur").id
    bd.session.exec(
        insert(RoutingRule),
        params=[{"area_id": district, "category_id": water, "office_id": office, "queue": "wash"}],
    )
    stale = routing_service.route(session=bd.session, district_id=district, category_id=water)
    assert stale.rule_id == before.rule_id

    routing_service.clear_cache()

    fresh = routing_service.route(session=bd.session, district_id=district, category_id=water)
    assert fresh.office_id == office and fresh.queue == "wash"


def test_a_rule_added_through_the_orm_takes_effect_at_once(bd):
    district, water = bd.area("Rangpur").id, bd.category("water").id
    routing_service.route(session=bd.session, district_id=district, category_id=water)
    rule = _add_rule(
        bd, area_id=district, category_id=water, office_id=bd.office("divcom-rangpur").id
    )
    decision = routing_service.route(session=bd.session, district_id=district, category_id=water)
    assert decision.rule_id == rule.id


def test_the_cache_expires_after_its_ttl(bd, monkeypatch):
    district, water = bd.area("Rangpur").id, bd.category("water").id
    routing_service.route(session=bd.session, district_id=district, category_id=water)
    office = bd.office("divcom-rangpur").id
    bd.session.exec(
        insert(RoutingRule),
        params=[{"area_id": district, "category_id": water, "office_id": office}],
    )
    later = routing_service._clock() + routing_service.CACHE_TTL_SECONDS + 1
    monkeypatch.setattr(routing_service, "_clock", lambda: later)
    decision = routing_service.route(session=bd.session, district_id=district, category_id=water)
    assert decision.office_id == office
