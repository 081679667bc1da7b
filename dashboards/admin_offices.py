"""The admin page of offices, `/dashboard/admin/offices`: the offices by rung or by
district, adding or changing one (`routing.offices.save_office`) and deactivating one
(`routing.offices.set_active`). Shared parts: `dashboards.admin`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session, select
from starlette.datastructures import QueryParams

from dashboards.admin import PATH, AdminPage, YesNo, active_flag
from dashboards.deps import Visit, dashboard_router
from dashboards.forms import AreaName, Level, OfficeCode, Phone
from grievance_engine.models import Office, OfficeLevel
from infra.settings import get_settings
from routing import offices
from routing import service as routing_service

OFFICE_LEVELS = tuple(str(level) for level in OfficeLevel)

router = dashboard_router()


def _offices_context(session: Session, query: QueryParams) -> dict[str, Any]:
    """The offices, filtered by `?level=` and `?district=` (all upazila offices of a
    country are hundreds of rows: by default the page lists the rungs above them)."""
    level = query.get("level", "")
    district = query.get("district", "").strip()
    if level not in OFFICE_LEVELS:
        level = ""
    shown_level = level or ("" if district else "above_upazila")
    country = get_settings().country
    problem = ""
    try:
        rows = offices.list_offices(
            session=session,
            country=country,
            level=level or None,
            district=district or None,
        )
    except routing_service.RoutingInputError as exc:
        rows, problem = [], str(exc)
    if shown_level == "above_upazila":
        rows = [row for row in rows if row.level != OfficeLevel.UPAZILA]
    return {
        "offices": rows,
        "office_levels": OFFICE_LEVELS,
        "filter_level": level,
        "filter_district": district,
        "filter_problem": problem,
    }


# The offices (by rung, or those of one district), and the form to add or change one.
OFFICES = AdminPage("offices", _offices_context)
OFFICES.route(router)


class OfficeForm(BaseModel):
    """The office form as typed: the fields of `routing.offices.OfficeChange`, which
    checks them."""

    code: OfficeCode = ""
    name: str = Field("", max_length=300)
    level: Level = ""
    area: AreaName = ""
    phone: Phone = ""
    email: str = Field("", max_length=200)


@router.post(PATH + "/offices")
def save_office(visit: Visit, form: Annotated[OfficeForm, Form()]) -> Response:
    """Add an office, or change the one with that code (`routing.offices.save_office`);
    a wrong field comes back next to it, 422."""
    kept = form.model_dump()
    try:
        office, changed = offices.save_office(
            session=visit.session,
            change=offices.OfficeChange(**kept),
            country=get_settings().country,
        )
    except offices.OfficeInputError as exc:
        return OFFICES.refused(visit, exc.field, exc, kept)
    if not changed:
        return OFFICES.committed(visit.session, "office_saved")
    return OFFICES.saved(visit, "office_saved", f"office:{office.code}", changed=changed)


@router.post(PATH + "/offices/{code}/active")
def set_office_active(visit: Visit, code: str, active: YesNo = "") -> Response:
    """Deactivate an office (routing and escalation pass it by) or activate it; one
    that active routing rules still point to is refused, 422."""
    session = visit.session
    office = session.exec(select(Office).where(Office.code == code)).first()
    if office is None:
        raise HTTPException(status_code=404)
    wanted = active_flag(active)
    was_active = office.active
    try:
        offices.set_active(session=session, office=office, active=wanted)
    except offices.OfficeInputError as exc:
        return OFFICES.refused(visit, exc.field, exc, named=code)
    action = "office_activated" if wanted else "office_deactivated"
    if was_active == wanted:
        return OFFICES.committed(session, action)
    return OFFICES.saved(visit, action, f"office:{code}")
