"""A category with its own routing (a menu campaign's), made through `routing.categories`."""

from __future__ import annotations

import pytest
from sqlmodel import select

from routing import categories as routing_categories
from routing import service as routing_service
from routing.models import RoutingRule


def _provision(bd, office_code: str = "national-triage"):
    return routing_categories.provision_category(
        session=bd.session,
        code="food_relief",
        names={"en": "Food relief"},
        office_code=office_code,
        queue="relief",
        country="BD",
    )


def test_every_district_routes_the_new_category_to_its_office_once(bd):
    office = _provision(bd)
    category = bd.category("food_relief")
    rules = bd.session.exec(select(RoutingRule).where(RoutingRule.category_id == category.id)).all()
    assert rules and {(rule.office_id, rule.queue) for rule in rules} == {(office.id, "relief")}
    decision = routing_service.route(
        session=bd.session, district_id=bd.area("Rangpur").id, category_id=category.id
    )
    assert (decision.office_id, decision.queue) == (office.id, "relief")

    _provision(bd)  # idempotent: no second rule anywhere
    again = bd.session.exec(select(RoutingRule).where(RoutingRule.category_id == category.id)).all()
    assert len(again) == len(rules)


def test_a_retired_category_is_offered_again_when_provisioned(bd):
    _provision(bd)
    assert routing_categories.deactivate_categories(session=bd.session, codes={"food_relief"}) == [
        "food_relief"
    ]
    assert not bd.category("food_relief").active
    _provision(bd)
    assert bd.category("food_relief").active


def test_an_unknown_office_is_refused_before_anything_is_written(bd):
    with pytest.raises(routing_service.RoutingInputError, match="no-such-office"):
        _provision(bd, office_code="no-such-office")
    assert bd.session.exec(select(RoutingRule).where(RoutingRule.queue == "relief")).first() is None
