"""The admin pages of the rules: routing rules, `/dashboard/admin/routing`
(`routing.service.save_rule`, as `nalish routing set`), and SLA policies,
`/dashboard/admin/sla` (`escalation.catalogue.save_policy`). Shared parts:
`dashboards.admin`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.datastructures import QueryParams

from dashboards import i18n
from dashboards.admin import PATH, AdminPage, YesNo, category_codes
from dashboards.deps import Visit, dashboard_router, say, ui_language
from dashboards.forms import AreaName, Level, OfficeCode
from escalation import catalogue
from escalation.policies import LEVELS, PolicyError, Priority, SlaPolicy, SlaTarget, Unit
from grievance_engine import users
from grievance_engine.models import AdminLevel, User
from infra.settings import get_settings
from routing import service as routing_service
from routing.models import RoutingRule

router = dashboard_router()

# ---------------------------------------------------------------------------
# Routing rules
# ---------------------------------------------------------------------------


def _routing_context(session: Session, _query: QueryParams) -> dict[str, Any]:
    return {
        "rules": routing_service.list_rules(session=session, country=get_settings().country),
        "category_codes": category_codes(session),
    }


# Every routing rule, and the form to add or change one.
ROUTING = AdminPage("routing", _routing_context)
ROUTING.route(router)


class RuleForm(BaseModel):
    """The routing rule form, as typed: the area, the category (blank for any) and the
    office and queue it goes to."""

    district: AreaName = ""
    upazila: AreaName = ""
    category: str = Field("", max_length=100)
    office: OfficeCode = ""
    queue: str = Field("", max_length=60)


@router.post(PATH + "/routing")
def save_rule(visit: Visit, form: Annotated[RuleForm, Form()]) -> Response:
    """Add the rule for (area, category), or change its office and queue (as
    `nalish routing set`)."""
    session, user = visit.session, visit.user
    district, upazila, category, office = form.district, form.upazila, form.category, form.office
    errors: dict[str, str] = {}
    country = get_settings().country
    area = None
    if not district.strip():
        errors["district"] = say(user, "admin_error_required")
    else:
        try:
            area = routing_service.resolve_area(
                session, district, country=country, level=AdminLevel.DISTRICT
            )
        except routing_service.RoutingInputError as exc:
            errors["district"] = str(exc)
    if area is not None and upazila.strip():
        try:
            area = routing_service.resolve_area(
                session, upazila, country=country, level=AdminLevel.UPAZILA, parent=area
            )
        except routing_service.RoutingInputError as exc:
            errors["upazila"] = str(exc)
    category_id = None
    if category.strip():
        try:
            category_id = routing_service.resolve_category(session, category).id
        except routing_service.RoutingInputError as exc:
            errors["category"] = str(exc)
    office_id = None
    if not office.strip():
        errors["office"] = say(user, "admin_error_required")
    else:
        try:
            office_id = users.office_id_by_code(session=session, code=office)
        except users.UserError as exc:
            errors["office"] = i18n.error(ui_language(user), exc)
    queue_name = form.queue.strip() or "default"
    if len(queue_name) > 40:
        errors["queue"] = say(user, "admin_error_too_long", n=40)
    if errors or area is None or office_id is None:
        return ROUTING.invalid(visit, errors, form.model_dump())
    rule = routing_service.save_rule(
        session=session,
        area_id=area.id,
        category_id=category_id,
        office_id=office_id,
        queue=queue_name,
    )
    return ROUTING.saved(
        visit,
        "routing_rule_saved",
        f"routing_rule:{rule.id}",
        done="rule_saved",
        area=area.name,
        category=category or None,
        office=office.strip().lower(),
        queue=queue_name,
    )


@router.post(PATH + "/routing/{rule_id}/active")
def set_rule_active(visit: Visit, rule_id: int, active: YesNo = "") -> Response:
    """Deactivate a rule (routing passes it by) or activate it again."""
    rule = visit.session.get(RoutingRule, rule_id)
    if rule is None:
        raise HTTPException(status_code=404)
    return ROUTING.toggled(visit, rule, active, "rule", f"routing_rule:{rule_id}")


# ---------------------------------------------------------------------------
# SLA policies
# ---------------------------------------------------------------------------


def _sla_context(session: Session, _query: QueryParams) -> dict[str, Any]:
    policies = sorted(
        catalogue.policies(session),
        key=lambda p: (LEVELS.index(p.level), p.category or "", p.priority or ""),
    )
    return {
        "policies": policies,
        "levels": LEVELS,
        "priorities": [p.value for p in Priority],
        "units": [u.value for u in Unit],
        "category_codes": category_codes(session),
    }


# The SLA policies in force, and the form to add or change one.
SLA = AdminPage("sla", _sla_context)
SLA.route(router)


def _amount(text: str, user: User) -> tuple[int | None, str]:
    """A whole number of more than zero from `text`, or the error to show."""
    try:
        amount = int(text.strip())
    except ValueError:
        return None, say(user, "admin_error_whole_number")
    if amount <= 0:
        return None, say(user, "admin_error_more_than_zero")
    return amount, ""


class PolicyForm(BaseModel):
    """The SLA policy form, as typed: the rung, the category and priority it is for
    (blank for any) and its two times in `unit`."""

    level: Level = ""
    category: str = Field("", max_length=40)
    priority: str = Field("", max_length=8)
    acknowledge: str = Field("", max_length=10)
    resolve: str = Field("", max_length=10)
    unit: str = Field("", max_length=16)


@router.post(PATH + "/sla")
def save_sla(visit: Visit, form: Annotated[PolicyForm, Form()]) -> Response:
    """Add or replace the policy for (level, category, priority): `catalogue.save_policy`.
    Zero or negative times are refused next to the field, 422."""
    session, user = visit.session, visit.user
    level, category, priority, unit = form.level, form.category, form.priority, form.unit
    errors: dict[str, str] = {}
    if level not in LEVELS:
        errors["level"] = say(user, "admin_error_choose")
    if priority and priority not in Priority.__members__.values():
        errors["priority"] = say(user, "admin_error_choose")
    if unit not in Unit.__members__.values():
        errors["unit"] = say(user, "admin_error_choose")
    ack_amount, problem = _amount(form.acknowledge, user)
    if problem:
        errors["acknowledge"] = problem
    resolve_amount, problem = _amount(form.resolve, user)
    if problem:
        errors["resolve"] = problem
    policy = None
    if not errors and ack_amount is not None and resolve_amount is not None:
        try:
            policy = SlaPolicy(
                level=level,
                acknowledge=SlaTarget(ack_amount, Unit(unit)),
                resolve=SlaTarget(resolve_amount, Unit(unit)),
                category=category or None,
                priority=Priority(priority) if priority else None,
            )
            catalogue.save_policy(session, policy)
        except PolicyError as exc:
            session.rollback()
            field = "category" if "category" in str(exc) else "acknowledge"
            errors[field] = str(exc)
    if errors or policy is None:
        return SLA.invalid(visit, errors, form.model_dump())
    return SLA.saved(
        visit,
        "sla_policy_saved",
        f"sla_policy:{level}:{category or '*'}:{priority or '*'}",
        done="policy_saved",
        level=level,
        category=category or None,
        priority=priority or None,
        acknowledge=str(policy.acknowledge),
        resolve=str(policy.resolve),
    )
