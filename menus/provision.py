"""What a campaign needs in the records before its first complaint: its category, a
routing rule per district to its office and queue, and its SLA promise.

Categories and rules are routing's: they are made through
`routing.categories.provision_category`, never written here. Called when a campaign files
(`menus.steps.file_grievance`) and by `nalish menus sync` (`menus.registry.sync`).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from escalation import catalogue
from escalation.models import SlaPolicyRow
from escalation.policies import SlaPolicy, SlaTarget, Unit, policy_for
from grievance_engine.models import Category
from infra.settings import get_settings
from menus.schema import Definition, DefinitionError
from routing import categories as routing_categories
from routing import service as routing_service


def provision(session: Session, campaign: Definition) -> None:
    """Give an active campaign its category, routing rules and SLA policy where it has
    none yet: the first complaint filed through a new campaign needs no other step.
    Idempotent."""
    route_to, office_code = campaign.routing.target()
    try:
        office = routing_categories.provision_category(
            session=session,
            code=campaign.category.code,
            names=campaign.category.names,
            office_code=office_code,
            queue=campaign.routing.queue,
            country=get_settings().country,
            route_to=route_to,
        )
    except routing_service.RoutingInputError as exc:
        raise DefinitionError(
            f"campaign {campaign.campaign}", f"routing office {office_code!r} not found"
        ) from exc
    if campaign.sla is not None:
        _ensure_policy(session, campaign, office.level if office is not None else route_to)
    session.flush()


def _ensure_policy(session: Session, campaign: Definition, level: str) -> None:
    """The campaign's promise (`sla: {resolve_working_days: N}`) as the SLA policy for
    its category at its office's level, acknowledging as that level's policy does;
    higher levels keep theirs. Missing only: a policy an admin has changed stays."""
    code = campaign.category.code
    category_id = session.exec(select(Category.id).where(Category.code == code)).one()
    exists = session.exec(
        select(SlaPolicyRow.id).where(
            SlaPolicyRow.level == level,
            SlaPolicyRow.category_id == category_id,
            col(SlaPolicyRow.priority).is_(None),
        )
    ).first()
    if exists is not None:
        return
    try:
        usual = policy_for(level=level, category=code, policies=catalogue.policies(session))
    except LookupError:
        usual = policy_for(level=level, category=code)  # the built-in defaults
    promise = SlaTarget(campaign.sla.resolve_working_days, Unit.WORKING_DAYS)
    policy = SlaPolicy(level=level, acknowledge=usual.acknowledge, resolve=promise, category=code)
    catalogue.save_policy(session, policy)
    catalogue.clear_cache()
