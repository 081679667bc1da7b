"""Routing: which office, and which of its queues, gets a grievance from an area and
of a category.

Routing rules map (area, category) to an office. The most specific rule wins:
upazila + category, upazila, district + category, district, division + category,
division, national + category, national. When no rule applies, the grievance goes to
the national triage desk, so it always lands somewhere a person will see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from grievance_engine.models import AdminArea, Category, Office
from routing.models import RoutingRule

NATIONAL_TRIAGE = "national-triage"
TRIAGE_QUEUE = "triage"
DEFAULT_QUEUE = "default"


@dataclass(frozen=True)
class RoutingDecision:
    """Where a grievance goes and why: the office, the rule that chose it (None for
    the fallback), the office's queue, and a sentence an agent can read in the timeline.
    """

    office_id: int | None
    rule_id: int | None
    queue: str
    reason: str


def route(
    *,
    session: Session,
    district_id: int,
    category_id: int | None,
    upazila_id: int | None = None,
) -> RoutingDecision:
    """The office for a grievance from `district_id` (and `upazila_id`) of `category_id`."""
    chain, note = _area_chain(session, district_id, upazila_id)
    category = session.get(Category, category_id) if category_id is not None else None
    what = f"category {category.code}" if category else "any category"
    match = _best_rule(session, [area.id for area in chain], category_id)
    if match is not None:
        rule, office = match
        area = next((a for a in chain if a.id == rule.area_id), None)
        where = _describe(area) if area else "the whole country"
        scope = what if rule.category_id is not None else "every category"
        reason = f"Rule {rule.id} ({where}, {scope}) matched: sent to {office.name}.{note}"
        return RoutingDecision(office.id, rule.id, rule.queue, reason)
    district = next((area for area in chain if area.id == district_id), None)
    where = _describe(district) if district else f"unknown district {district_id}"
    return _fallback(session, f"No active rule covers {where} for {what}", note)


def _area_chain(
    session: Session, district_id: int, upazila_id: int | None
) -> tuple[list[AdminArea], str]:
    """The areas a rule may name, most specific first: upazila, district, division.

    An upazila outside the district is ignored (the district is what the citizen
    chose last); the returned note says so in the decision's reason.
    """
    district = session.get(AdminArea, district_id)
    if district is None:
        return [], ""
    chain, note = [district], ""
    if upazila_id is not None:
        upazila = session.get(AdminArea, upazila_id)
        if upazila is not None and upazila.parent_id == district.id:
            chain.insert(0, upazila)
        else:
            note = f" (Upazila {upazila_id} is not in {district.name}, so it was ignored.)"
    if district.parent_id is not None:
        division = session.get(AdminArea, district.parent_id)
        if division is not None:
            chain.append(division)
    return chain, note


def _best_rule(
    session: Session, area_ids: list[int], category_id: int | None
) -> tuple[RoutingRule, Office] | None:
    """The most specific active rule (to an active office) for these areas and category."""
    in_area = or_(col(RoutingRule.area_id).in_(area_ids), col(RoutingRule.area_id).is_(None))
    no_category = col(RoutingRule.category_id).is_(None)
    if category_id is None:
        of_category = no_category
    else:
        of_category = or_(RoutingRule.category_id == category_id, no_category)
    statement = (
        select(RoutingRule, Office)
        .join(Office, col(Office.id) == RoutingRule.office_id)
        .where(col(RoutingRule.active), col(Office.active), in_area, of_category)
    )
    rows = session.exec(statement).all()
    if not rows:
        return None
    # area_ids runs most specific first; a national rule (no area) ranks after them all
    rank = {area_id: position for position, area_id in enumerate(area_ids)}

    def specificity(row: tuple[RoutingRule, Office]) -> tuple[int, int]:
        rule = row[0]
        area_rank = len(area_ids) if rule.area_id is None else rank[rule.area_id]
        return (area_rank, 0 if rule.category_id is not None else 1)

    return min(rows, key=specificity)


def _describe(area: AdminArea) -> str:
    return f"{area.kind.lower()} {area.name}"


def _fallback(session: Session, why: str, note: str) -> RoutingDecision:
    office = session.exec(
        select(Office).where(Office.code == NATIONAL_TRIAGE, col(Office.active))
    ).first()
    if office is None:
        reason = f"{why}, and there is no national triage office: not routed.{note}"
        return RoutingDecision(None, None, TRIAGE_QUEUE, reason)
    return RoutingDecision(office.id, None, TRIAGE_QUEUE, f"{why}: sent to {office.name}.{note}")
