"""A category with its own routing (a menu campaign's): `provision_category` makes it
and its district rules, `deactivate_categories` retires it. Categories and rules are
routing's, so a campaign (`menus.provision`, `menus.registry.sync`) changes them only
here; the flush clears `routing.service`'s rule cache (docs/architecture.md).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from grievance_engine.models import AdminArea, AdminLevel, Category, Office
from routing.models import RoutingRule
from routing.service import RoutingInputError


def provision_category(
    *,
    session: Session,
    code: str,
    names: dict[str, str],
    office_code: str | None,
    queue: str,
    country: str,
    route_to: str = "office",
) -> Office | None:
    """Make `code` an active category that every district of `country` routes to the
    office `office_code` and its `queue`: the category is created with `names` (or made
    active again), and each district with no rule for it yet gets a (district, category)
    rule, the most specific kind there is, so `route()` picks it there. Rules already
    there stay as they are (an admin may have changed them). Idempotent; flushes, and
    the flush clears the rule cache. Raises `RoutingInputError` for an unknown office;
    returns the office (a campaign's SLA policy is set at its level).

    `route_to`: "office" (the above); "district": each district's rule names that
    district's own office (the DC's); "upazila": no rules at all, so a request naming
    its upazila goes to the upazila's office (routing's first tier) and one without to
    the district's usual office. Those two return None."""
    office = None
    if route_to == "office":
        office = session.exec(select(Office).where(Office.code == office_code)).first()
        if office is None:
            raise RoutingInputError(
                f"Office {office_code!r} is not known", field="office", candidates=[]
            )
    category = session.exec(select(Category).where(Category.code == code)).first()
    if category is None:
        category = Category(code=code, names=dict(names))
        session.add(category)
        session.flush()
    category.active = True
    districts = session.exec(
        select(AdminArea.id).where(
            AdminArea.country == country, AdminArea.level == AdminLevel.DISTRICT
        )
    ).all()
    covered = set(
        session.exec(select(RoutingRule.area_id).where(RoutingRule.category_id == category.id))
    )
    own = _district_offices(session, districts) if route_to == "district" else {}
    for district_id in districts:
        target = office.id if office is not None else own.get(district_id)
        if district_id not in covered and target is not None:
            session.add(
                RoutingRule(
                    area_id=district_id, category_id=category.id, office_id=target, queue=queue
                )
            )
    session.flush()
    return office


def _district_offices(session: Session, district_ids: list[int]) -> dict[int, int]:
    """Each district's own office (the oldest active one of its area: the DC's)."""
    found: dict[int, int] = {}
    for office_id, area_id in session.exec(
        select(Office.id, Office.area_id)
        .where(col(Office.area_id).in_(district_ids), col(Office.active))
        .order_by(col(Office.id))
    ):
        found.setdefault(area_id, office_id)
    return found


def deactivate_categories(*, session: Session, codes: set[str]) -> list[str]:
    """Stop offering the categories `codes` (a retired campaign's): their tickets and
    rules stay. Returns the codes deactivated, in order. Flushes."""
    deactivated = []
    for category in session.exec(
        select(Category).where(col(Category.code).in_(codes)).order_by(col(Category.code))
    ):
        category.active = False
        deactivated.append(category.code)
    session.flush()
    return deactivated
