"""Open311 GeoReport v2 at `/open311/v2/`, with discovery at `/open311/discovery.*`.

Spec: https://wiki.open311.org/GeoReport_v2 (XML and JSON, chosen by the extension).
`service_code` is a category code, `service_request_id` a reference, `api_key` an API
token (`nalish tokens create`, a role that may file), `agency_responsible` the office
holding the ticket, `status_notes` the last note the citizen was told. Reading is
public; what a request shows is `public.view`'s rule (no phone or name ever; no
description, upazila or notes for a sensitive or anonymous one). Filing needs a
`phone` (the citizen hears back by SMS) and a place: `lat`/`long` (the nearest
district's centre, `routing.geolocate`) or `address_string` (district and upazila
names, any spelling). Errors are the spec's `<errors>` body with the HTTP status: 403
without a valid `api_key`, 404 for a `jurisdiction_id` not served here, 400 naming the
field that cannot be used.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from sqlmodel import Session, col, select

from grievance_engine import languages, refs, tokens
from grievance_engine.models import AdminArea, AdminLevel, Category, Channel, Ticket
from infra import clock
from infra.settings import get_settings
from public import open311_services
from public.deps import SessionDep
from public.open311_format import FORMATS, Open311Error, error, render, render_one
from public.view import CLOSED, PublicTicket, public_ticket
from routing import access, geolocate, intake
from routing.access import Action
from routing.service import RoutingInputError

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The spec: a date range "may not span more than 90 days", and defaults to the last 90.
MAX_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000  # one answer's most; narrow by date or service to see the rest


class Open311Route(APIRoute):
    """A route that answers `Open311Error` in the spec's format (XML unless `.json`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def render_errors(request: Request) -> Response:
            fmt = request.path_params.get("fmt", "xml")
            try:
                if fmt not in FORMATS:
                    raise Open311Error(404, "format must be .xml or .json")
                _check_jurisdiction(request.query_params.get("jurisdiction_id"))
                return await handler(request)
            except Open311Error as exc:
                return error(fmt, exc.status_code, exc.description)

        return render_errors


router = APIRouter(prefix="/open311", tags=["open311"], route_class=Open311Route)


def _check_jurisdiction(jurisdiction_id: str | None) -> None:
    served = get_settings().jurisdiction_id
    if jurisdiction_id and jurisdiction_id.strip().lower() != served.lower():
        raise Open311Error(404, f"jurisdiction_id {jurisdiction_id[:40]!r} not found")


@router.get("/discovery.{fmt}")
def discovery(fmt: str, request: Request) -> Response:
    base = (get_settings().public_base_url or str(request.base_url)).rstrip("/")
    return render_one(
        fmt,
        "discovery",
        {
            "changeset": "2026-12-06T00:00:00Z",
            "contact": "The helpline's operator (see the deployment's public page)",
            "key_service": "An API token from the operator (`nalish tokens create`)",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": f"{base}/open311/v2",
                    "changeset": "2026-12-06T00:00:00Z",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@router.get("/v2/services.{fmt}")
def list_services(fmt: str, session: SessionDep) -> Response:
    return render(fmt, "services", "service", open311_services.services(session=session))


@router.get("/v2/services/{code}.{fmt}")
def service_definition(code: str, fmt: str, session: SessionDep) -> Response:
    found = open311_services.definition(session=session, code=code)
    return render_one(fmt, "service_definition", found)


# ---------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------


@router.get("/v2/requests.{fmt}")
def list_requests(fmt: str, request: Request, session: SessionDep) -> Response:
    query = request.query_params
    statement = select(Ticket).join(Category, col(Category.id) == Ticket.category_id)
    wanted_ids = _split(query.get("service_request_id"))
    if wanted_ids:  # the spec: a list of ids overrides every other filter
        canonical = [ref for ref in (refs.normalise(each) for each in wanted_ids) if ref]
        statement = statement.where(col(Ticket.ref).in_(canonical))
    else:
        statement = _filtered(statement, query)
    rows = session.exec(statement.order_by(col(Ticket.id).desc()).limit(MAX_REQUESTS)).all()
    shown = [_request(public_ticket(session=session, ticket=row)) for row in rows]
    return render(fmt, "service_requests", "request", shown)


def _filtered(statement, query: Mapping[str, str]):
    codes = _split(query.get("service_code"))
    if codes:
        statement = statement.where(col(Category.code).in_(codes))
    start, end = _date_range(query.get("start_date"), query.get("end_date"))
    statement = statement.where(Ticket.created_at >= start, Ticket.created_at <= end)
    statuses = set(_split(query.get("status")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or both (comma separated)")
    if statuses == {"open"}:
        statement = statement.where(col(Ticket.status).not_in([str(s) for s in CLOSED]))
    elif statuses == {"closed"}:
        statement = statement.where(col(Ticket.status).in_([str(s) for s in CLOSED]))
    return statement


def _date_range(start_text: str | None, end_text: str | None) -> tuple[datetime, datetime]:
    start, end = _date("start_date", start_text), _date("end_date", end_text)
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - MAX_SPAN  # type: ignore[operator]
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date to end_date may not span more than 90 days")
    return start, end


def _date(field: str, text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError as exc:
        raise Open311Error(400, f"{field} is not a w3c date-time") from exc
    if value.tzinfo is None:
        raise Open311Error(400, f"{field} needs a time zone (Z or +06:00)")
    return value


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@router.get("/v2/requests/{request_id}.{fmt}")
def show_request(request_id: str, fmt: str, session: SessionDep) -> Response:
    canonical = refs.normalise(request_id)
    ticket = None
    if canonical is not None:
        ticket = session.exec(select(Ticket).where(Ticket.ref == canonical)).first()
    if ticket is None:
        raise Open311Error(404, f"service_request_id {request_id[:40]!r} not found")
    shown = _request(public_ticket(session=session, ticket=ticket))
    return render(fmt, "service_requests", "request", [shown])


def _request(ticket: PublicTicket) -> dict[str, Any]:
    """One request as the spec names its fields; private ones are empty, never absent."""
    place = [ticket.upazila.name] if ticket.upazila else []
    return {
        "service_request_id": ticket.ref,
        "status": "closed" if ticket.closed else "open",
        "status_notes": ticket.status_notes,
        "service_name": ticket.category_label(languages.SOURCE, "Confidential"),
        "service_code": ticket.category_code,
        "description": ticket.description,
        "agency_responsible": ticket.office,
        "service_notice": None,
        "requested_datetime": ticket.created_at.isoformat(),
        "updated_datetime": ticket.updated_at.isoformat(),
        "expected_datetime": ticket.deadline.isoformat() if ticket.deadline else None,
        "address": ", ".join([*place, ticket.district.name]),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


async def _form(request: Request) -> dict[str, str]:
    """The POST's form fields (`attribute[code]` included), text only."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormDep = Annotated[dict[str, str], Depends(_form)]


@router.post("/v2/requests.{fmt}")
def create_request(fmt: str, form: FormDep, session: SessionDep) -> Response:
    """File a grievance from another system. Answers the new `service_request_id`."""
    _check_jurisdiction(form.get("jurisdiction_id"))
    token = _token(session, form.get("api_key"))
    category = open311_services.active_category(
        session=session, code=_required(form, "service_code")
    )
    district, upazila = _place(session, form)
    phone = _required(form, "phone")
    description = "\n".join(
        part
        for part in (
            (form.get("description") or "").strip(),
            open311_services.answers_text(category_code=category.code, form=form),
        )
        if part
    )
    if not description:
        raise Open311Error(400, "description is required (or the service's attributes)")
    call = intake.CallIntake(
        phone=phone,
        district=district.name,
        upazila=upazila.name if upazila else None,
        category=category.code,
        description=description,
        language=get_settings().default_language,
        channel=Channel.WEB,
    )
    try:
        ticket = intake.take_call(session=session, call=call, actor=f"token:{token.id}")
    except RoutingInputError as exc:
        raise Open311Error(400, f"{exc.field}: {exc}") from exc
    session.commit()
    answer = {"service_request_id": refs.display(ticket.ref), "service_notice": None}
    return render(fmt, "service_requests", "request", [{**answer, "account_id": None}])


def _token(session: Session, api_key: str | None):
    if not api_key:
        raise Open311Error(403, "api_key is required to post a request")
    token = tokens.authenticate(session=session, token=api_key.strip())
    if token is None:
        raise Open311Error(403, "api_key is not valid")
    who = access.actor_for_token(session=session, token=token)
    if not access.may(who, None, Action.CREATE):
        raise Open311Error(403, f"a {token.role} api_key may not post requests")
    return token


def _required(form: Mapping[str, str], field: str) -> str:
    value = (form.get(field) or "").strip()
    if not value:
        raise Open311Error(400, f"{field} is required")
    return value


def _place(session: Session, form: Mapping[str, str]) -> tuple[AdminArea, AdminArea | None]:
    """The district (and upazila) of the address, else of the coordinates."""
    country = get_settings().country
    address = (form.get("address_string") or "").strip()
    if address:
        try:
            district_id, upazila_id = geolocate.place_in_address(
                session=session, address=address, country=country
            )
        except LookupError as exc:
            raise Open311Error(400, f"address_string names no known district: {exc}") from exc
        district = session.get(AdminArea, district_id)
        upazila = session.get(AdminArea, upazila_id) if upazila_id else None
        assert district is not None
        return district, upazila
    if not (form.get("lat") and form.get("long")):
        raise Open311Error(400, "lat and long, or address_string, is required")
    try:
        latitude, longitude = float(form["lat"]), float(form["long"])
    except ValueError as exc:
        raise Open311Error(400, "lat and long must be decimal degrees") from exc
    district_id = geolocate.nearest_district(
        session=session, latitude=latitude, longitude=longitude, country=country
    )
    district = session.get(AdminArea, district_id) if district_id else None
    if district is None or district.level != AdminLevel.DISTRICT:
        raise Open311Error(400, "lat/long is in no district this service covers")
    return district, None
