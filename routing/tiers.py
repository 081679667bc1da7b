"""Where routing departs from "the most specific rule wins" (`routing.service.route`):
the first tier at the upazila, and reports routed past the office they may concern.

Pure functions over what routing's rule cache holds (rules keyed by (area id, category
id), the area chain of a grievance most specific first, each area's office), so they
import nothing of `routing.service`.
"""

from __future__ import annotations

from typing import Any

from grievance_engine.models import AdminLevel

# Reports that may concern the office that would handle them: routed one rung up
# unless a rule for the category names a desk (an anti-corruption desk).
ROUTED_PAST_THE_OFFICE = frozenset({"corruption"})


def overriding_rule(rules: dict, chain: list[Any], category_id: int | None) -> Any | None:
    """For a grievance that names its upazila: a rule that says otherwise than its
    upazila's office (one for the upazila itself, or for the category at any level,
    the most specific first); None otherwise or without an upazila."""
    if not chain or chain[0].level != AdminLevel.UPAZILA:
        return None
    upazila_id = chain[0].id
    keys = [(upazila_id, category_id), (upazila_id, None)]
    if category_id is not None:
        keys += [(area.id, category_id) for area in chain[1:]] + [(None, category_id)]
    return next((rules[key] for key in keys if key in rules), None)


def upazila_office(area_offices: dict, chain: list[Any]) -> tuple[int, str] | None:
    """The first tier: the office of the upazila the grievance names, if it has one."""
    if not chain or chain[0].level != AdminLevel.UPAZILA:
        return None
    return area_offices.get(chain[0].id)


def office_past(
    cache: Any, office_id: int | None, code: str | None, chain: list[Any], category_id: int | None
) -> tuple[int, str] | None:
    """For a report that may concern the office routing chose (corruption) and no rule
    for its category: the office one rung above it; else None (the choice stands)."""
    if code not in ROUTED_PAST_THE_OFFICE or has_category_rule(cache.rules, chain, category_id):
        return None
    return office_above(cache, office_id)


def has_category_rule(rules: dict, chain: list[Any], category_id: int | None) -> bool:
    """Whether an operator configured a rule for this category anywhere in the chain."""
    keys = [(area.id, category_id) for area in chain] + [(None, category_id)]
    return category_id is not None and any(key in rules for key in keys)


def office_above(cache: Any, office_id: int | None) -> tuple[int, str] | None:
    """The office of the nearest area above `office_id`'s area that has one (the DC's
    above the UNO's, the Divisional Commissioner's above the DC's), or None."""
    area_id = cache.office_areas.get(office_id) if office_id is not None else None
    area = cache.areas.get(area_id) if area_id is not None else None
    while area is not None and area.parent_id is not None:
        area = cache.areas.get(area.parent_id)
        above = cache.area_offices.get(area.id) if area else None
        if above is not None:
            return above
    return None
