"""The admin pages, `/dashboard/admin/…`: users, offices, routing rules, SLA policies,
the holiday calendar, categories' names, and the record of every change made to them.
Only admins may open them; anyone else gets 404, as for any page not meant for them
(checked once, on the router).

Every change goes through the owning domain's service (`grievance_engine.users`,
`routing.offices`, `routing.assignment.set_away`, `routing.service.save_rule`,
`escalation.catalogue.save_policy` and `import_holidays`) or, where there is none,
edits the row the way the CLI does. Each change is recorded with
`grievance_engine.admin_log.record` in the same transaction (who, what, which, the
values), so a change is never made without its record, and shown on the changes page.
"""

from __future__ import annotations

import json
import logging
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import QueryParams

from dashboards import i18n
from dashboards.deps import CurrentUser, DashboardRoute, SessionDep, SignedIn, page_for, ui_language
from escalation import catalogue
from escalation import holidays as holiday_files
from escalation.models import Holiday
from escalation.policies import LEVELS, PolicyError, Priority, SlaPolicy, SlaTarget, Unit
from grievance_engine import admin_log, users
from grievance_engine.models import (
    AdminArea,
    AdminLevel,
    Category,
    Office,
    OfficeLevel,
    Role,
    User,
)
from infra.settings import get_settings
from routing import assignment, offices
from routing import service as routing_service
from routing.models import RoutingRule

PATH = "/dashboard/admin"
PAGES = ("users", "offices", "routing", "sla", "calendar", "categories", "changes")
NAME_LANGUAGES = ("en", "bn", "sw")  # the languages categories are named in
WORK_LANGUAGES = ("en", "bn", "sw")
HOLIDAY_KINDS = ("holiday", "working_day")
MAX_UPLOAD_BYTES = 1_000_000
MAX_NAME = 100
OFFICE_LEVELS = tuple(str(level) for level in OfficeLevel)
CHANGES_SHOWN = 200

log = logging.getLogger("nalish.admin")


def _require_admin(user: CurrentUser) -> None:
    """404 unless `user` is an admin: these pages do not exist for anyone else."""
    if user.role != Role.ADMIN:
        raise HTTPException(status_code=404)


router = APIRouter(
    route_class=DashboardRoute,
    include_in_schema=False,
    tags=["dashboards"],
    dependencies=[Depends(_require_admin)],
)


def _record(session: Session, user: User, action: str, subject: str, **what: Any) -> None:
    """One admin change, recorded in the admin event chain before the caller commits
    (the change and its record are written together), and logged on `nalish.admin`."""
    event = admin_log.record(
        session=session, actor=f"user:{user.id}", action=action, subject=subject, **what
    )
    log.info(
        json.dumps(
            {"seq": event.seq, "actor": event.actor, "action": action, "subject": subject},
            ensure_ascii=False,
        )
    )


def _done(page: str, key: str) -> RedirectResponse:
    return RedirectResponse(f"{PATH}/{page}?done={key}", status_code=303)


def _page(
    page: str,
    request: Request,
    session: Session,
    user: User,
    web: Any,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    kept: dict[str, str] | None = None,
    done: str = "",
) -> HTMLResponse:
    """The admin page `page` with its lists, `errors` by field and the `kept` input."""
    context = _LOADERS[page](session, request.query_params)
    response = page_for(
        f"admin_{page}.html.j2",
        request=request,
        user=user,
        web=web,
        admin_pages=PAGES,
        admin_page=page,
        errors=errors or {},
        kept=kept or {},
        done=done if done.isidentifier() and f"admin_done_{done}" in i18n.CATALOGUE else "",
        **context,
    )
    response.status_code = status_code
    return response


def _say(user: User, key: str, **values: object) -> str:
    return i18n.translate(ui_language(user), key, **values)


def _set_active(
    session: Session, user: User, row: Any, wanted: bool, noun: str, subject: str
) -> str:
    """Set `row.active` to `wanted`, recording the change (none if it already was);
    returns the action, "<noun>_activated" or "<noun>_deactivated"."""
    action = f"{noun}_activated" if wanted else f"{noun}_deactivated"
    if row.active != wanted:
        row.active = wanted
        session.add(row)
        _record(session, user, action, subject)
    return action


def _active_flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "on", "yes")


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------


def _users_context(session: Session, _query: QueryParams) -> dict[str, Any]:
    offices = dict(session.exec(select(Office.id, Office.code)).all())
    areas = dict(session.exec(select(AdminArea.id, AdminArea.name)).all())
    rows = session.exec(select(User).order_by(col(User.email))).all()
    return {
        "people": [
            {
                "id": person.id,
                "email": person.email,
                "full_name": person.full_name,
                "role": person.role,
                "office": offices.get(person.office_id, "") if person.office_id else "",
                "district": areas.get(person.area_id, "") if person.area_id else "",
                "languages": ", ".join(person.languages or [person.language]),
                "away": person.away,
                "active": person.active,
            }
            for person in rows
        ],
        "roles": [role.value for role in Role],
        "work_languages": WORK_LANGUAGES,
    }


# Which field a `users.UserError` is about, by the words of its message.
_USER_ERROR_FIELDS = (
    ("email", "email"),
    ("password", "password"),
    ("district", "district"),
    ("phone", "phone"),
    ("office", "office"),
)


@router.get(PATH + "/users", response_class=HTMLResponse)
def users_page(
    request: Request, session: SessionDep, user: CurrentUser, web: SignedIn, done: str = ""
) -> HTMLResponse:
    """Everyone who may sign in, and the form to add someone."""
    return _page("users", request, session, user, web, done=done)


@router.post(PATH + "/users")
def add_user(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    email: Annotated[str, Form(max_length=254)] = "",
    full_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    district: Annotated[str, Form(max_length=100)] = "",
    office: Annotated[str, Form(max_length=40)] = "",
    languages: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies it)
    phone: Annotated[str, Form(max_length=30)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add a person (`users.create`); mistakes come back next to their field, 422."""
    kept = {
        "email": email,
        "full_name": full_name,
        "role": role,
        "district": district,
        "office": office,
        "phone": phone,
        "languages": ",".join(languages),
    }
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = _say(user, "admin_error_required")
    if role not in Role.__members__.values():
        errors["role"] = _say(user, "admin_error_choose")
    if not password:
        errors["password"] = _say(user, "admin_error_required")
    chosen = [code for code in languages if code in WORK_LANGUAGES]
    office_id = None
    if office.strip():
        try:
            office_id = users.office_id_by_code(session=session, code=office)
        except users.UserError as exc:
            errors["office"] = str(exc)
    if not errors:
        try:
            made, _ = users.create(
                session=session,
                country=get_settings().country,
                user_in=users.UserCreate(
                    email=email,
                    role=Role(role),
                    full_name=full_name.strip(),
                    district=district.strip() or None,
                    password=password,
                    office_id=office_id,
                    language=chosen[0] if chosen and "en" not in chosen else "en",
                    languages=chosen,
                    phone=phone.strip() or None,
                ),
            )
        except users.UserError as exc:
            session.rollback()
            message = str(exc)
            field = next((f for word, f in _USER_ERROR_FIELDS if word in message), "email")
            errors[field] = message
    if errors:
        return _page(
            "users", request, session, user, web, status_code=422, errors=errors, kept=kept
        )
    _record(session, user, "user_created", f"user:{made.id}", email=made.email, role=made.role)
    session.commit()
    return _done("users", "user_created")


def _person(session: Session, person_id: int) -> User:
    person = session.get(User, person_id)
    if person is None:
        raise HTTPException(status_code=404)
    return person


@router.post(PATH + "/users/{person_id}/away")
def set_away(
    session: SessionDep,
    user: CurrentUser,
    person_id: int,
    away: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Mark someone away (assignment passes them by) or back."""
    person = _person(session, person_id)
    was_away = person.away
    assignment.set_away(session=session, user=person, away=_active_flag(away))
    if person.away != was_away:  # a second click changes nothing and records nothing
        _record(session, user, "user_away" if person.away else "user_back", f"user:{person.id}")
    session.commit()
    return _done("users", "user_away" if person.away else "user_back")


@router.post(PATH + "/users/{person_id}/active")
def set_user_active(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    person_id: int,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Deactivate someone (they can no longer sign in; signed-in pages log them out)
    or activate them again. An admin cannot deactivate themselves."""
    person = _person(session, person_id)
    wanted = _active_flag(active)
    if not wanted and person.id == user.id:
        errors = {"people": _say(user, "admin_error_not_yourself")}
        return _page("users", request, session, user, web, status_code=422, errors=errors)
    action = _set_active(session, user, person, wanted, "user", f"user:{person.id}")
    session.commit()
    return _done("users", action)


# ---------------------------------------------------------------------------
# Routing rules
# ---------------------------------------------------------------------------


def _routing_context(session: Session, _query: QueryParams) -> dict[str, Any]:
    return {
        "rules": routing_service.list_rules(session=session, country=get_settings().country),
        "category_codes": _category_codes(session),
    }


def _category_codes(session: Session) -> list[str]:
    statement = select(Category.code).where(col(Category.active)).order_by(col(Category.sort_order))
    return list(session.exec(statement).all())


@router.get(PATH + "/routing", response_class=HTMLResponse)
def routing_page(
    request: Request, session: SessionDep, user: CurrentUser, web: SignedIn, done: str = ""
) -> HTMLResponse:
    """Every routing rule, and the form to add or change one."""
    return _page("routing", request, session, user, web, done=done)


@router.post(PATH + "/routing")
def save_rule(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    district: Annotated[str, Form(max_length=100)] = "",
    upazila: Annotated[str, Form(max_length=100)] = "",
    category: Annotated[str, Form(max_length=100)] = "",
    office: Annotated[str, Form(max_length=40)] = "",
    queue: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """Add the rule for (area, category), or change its office and queue (as
    `nalish routing set`)."""
    kept = {
        "district": district,
        "upazila": upazila,
        "category": category,
        "office": office,
        "queue": queue,
    }
    errors: dict[str, str] = {}
    country = get_settings().country
    area = None
    if not district.strip():
        errors["district"] = _say(user, "admin_error_required")
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
        errors["office"] = _say(user, "admin_error_required")
    else:
        try:
            office_id = users.office_id_by_code(session=session, code=office)
        except users.UserError as exc:
            errors["office"] = str(exc)
    queue_name = queue.strip() or "default"
    if len(queue_name) > 40:
        errors["queue"] = _say(user, "admin_error_too_long", n=40)
    if errors or area is None or office_id is None:
        return _page(
            "routing", request, session, user, web, status_code=422, errors=errors, kept=kept
        )
    rule = routing_service.save_rule(
        session=session,
        area_id=area.id,
        category_id=category_id,
        office_id=office_id,
        queue=queue_name,
    )
    _record(
        session,
        user,
        "routing_rule_saved",
        f"routing_rule:{rule.id}",
        area=area.name,
        category=category or None,
        office=office.strip().lower(),
        queue=queue_name,
    )
    session.commit()
    return _done("routing", "rule_saved")


@router.post(PATH + "/routing/{rule_id}/active")
def set_rule_active(
    session: SessionDep,
    user: CurrentUser,
    rule_id: int,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Deactivate a rule (routing passes it by) or activate it again."""
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise HTTPException(status_code=404)
    wanted = _active_flag(active)
    action = _set_active(session, user, rule, wanted, "rule", f"routing_rule:{rule_id}")
    session.commit()
    return _done("routing", action)


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
        "category_codes": _category_codes(session),
    }


@router.get(PATH + "/sla", response_class=HTMLResponse)
def sla_page(
    request: Request, session: SessionDep, user: CurrentUser, web: SignedIn, done: str = ""
) -> HTMLResponse:
    """The SLA policies in force, and the form to add or change one."""
    return _page("sla", request, session, user, web, done=done)


def _amount(text: str, user: User) -> tuple[int | None, str]:
    """A whole number of more than zero from `text`, or the error to show."""
    try:
        amount = int(text.strip())
    except ValueError:
        return None, _say(user, "admin_error_whole_number")
    if amount <= 0:
        return None, _say(user, "admin_error_more_than_zero")
    return amount, ""


@router.post(PATH + "/sla")
def save_sla(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    level: Annotated[str, Form(max_length=16)] = "",
    category: Annotated[str, Form(max_length=40)] = "",
    priority: Annotated[str, Form(max_length=8)] = "",
    acknowledge: Annotated[str, Form(max_length=10)] = "",
    resolve: Annotated[str, Form(max_length=10)] = "",
    unit: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Add or replace the policy for (level, category, priority): `catalogue.save_policy`.
    Zero or negative times are refused next to the field, 422."""
    kept = {
        "level": level,
        "category": category,
        "priority": priority,
        "acknowledge": acknowledge,
        "resolve": resolve,
        "unit": unit,
    }
    errors: dict[str, str] = {}
    if level not in LEVELS:
        errors["level"] = _say(user, "admin_error_choose")
    if priority and priority not in Priority.__members__.values():
        errors["priority"] = _say(user, "admin_error_choose")
    if unit not in Unit.__members__.values():
        errors["unit"] = _say(user, "admin_error_choose")
    ack_amount, problem = _amount(acknowledge, user)
    if problem:
        errors["acknowledge"] = problem
    resolve_amount, problem = _amount(resolve, user)
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
        return _page("sla", request, session, user, web, status_code=422, errors=errors, kept=kept)
    _record(
        session,
        user,
        "sla_policy_saved",
        f"sla_policy:{level}:{category or '*'}:{priority or '*'}",
        level=level,
        category=category or None,
        priority=priority or None,
        acknowledge=str(policy.acknowledge),
        resolve=str(policy.resolve),
    )
    session.commit()
    catalogue.clear_cache()
    return _done("sla", "policy_saved")


# ---------------------------------------------------------------------------
# The calendar: holidays of NALISH_COUNTRY
# ---------------------------------------------------------------------------


def _calendar_context(session: Session, _query: QueryParams) -> dict[str, Any]:
    country = get_settings().country
    rows = session.exec(
        select(Holiday).where(Holiday.country == country).order_by(col(Holiday.day))
    ).all()
    return {"holidays": rows, "country": country, "kinds": HOLIDAY_KINDS}


@router.get(PATH + "/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request, session: SessionDep, user: CurrentUser, web: SignedIn, done: str = ""
) -> HTMLResponse:
    """The country's holidays, the form to add one and the file upload."""
    return _page("calendar", request, session, user, web, done=done)


@router.post(PATH + "/calendar")
def add_holiday(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    day: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form(max_length=12)] = "holiday",
) -> Response:
    """Add a holiday (or change the one on that date)."""
    kept = {"day": day, "name": name, "kind": kind}
    errors: dict[str, str] = {}
    when = None
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        errors["day"] = _say(user, "admin_error_date")
    clean = " ".join(name.split())
    if not clean:
        errors["name"] = _say(user, "admin_error_required")
    elif len(clean) > 200:
        errors["name"] = _say(user, "admin_error_too_long", n=200)
    if kind not in HOLIDAY_KINDS:
        errors["kind"] = _say(user, "admin_error_choose")
    if errors or when is None:
        return _page(
            "calendar", request, session, user, web, status_code=422, errors=errors, kept=kept
        )
    country = get_settings().country
    row = session.exec(
        select(Holiday).where(Holiday.country == country, Holiday.day == when)
    ).first()
    if row is None:
        row = Holiday(country=country, day=when, name=clean, kind=kind)
    row.name, row.kind = clean, kind
    session.add(row)
    subject = f"holiday:{country}:{when.isoformat()}"
    _record(session, user, "holiday_saved", subject, name=clean, kind=kind)
    session.commit()
    catalogue.clear_cache()
    return _done("calendar", "holiday_saved")


@router.post(PATH + "/calendar/import")
async def import_holidays(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import a CSV (`date,name[,kind]`) or iCalendar file with
    `catalogue.import_holidays`: every line is checked first, so a bad line imports
    nothing and is named next to the field, 422."""
    errors: dict[str, str] = {}
    suffix = Path(file.filename or "").suffix.lower() if file is not None else ""
    data = await file.read(MAX_UPLOAD_BYTES + 1) if file is not None else b""
    if file is None or not data:
        errors["file"] = _say(user, "admin_error_file_required")
    elif suffix not in (".csv", ".ics"):
        errors["file"] = _say(user, "admin_error_file_type")
    elif len(data) > MAX_UPLOAD_BYTES:
        errors["file"] = _say(user, "admin_error_file_too_big")
    counts: dict[str, int] = {}
    if not errors:
        country = get_settings().country
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(data)
            try:
                counts = catalogue.import_holidays(session, path, country)
            except holiday_files.HolidayFileError as exc:
                session.rollback()
                errors["file"] = (
                    _say(user, "admin_error_file_line", line=exc.line, problem=exc.problem)
                    if exc.line is not None
                    else exc.problem
                )
    if errors:
        return _page("calendar", request, session, user, web, status_code=422, errors=errors)
    filename = file.filename if file else None
    subject = f"calendar:{get_settings().country}"
    _record(session, user, "holidays_imported", subject, file=filename, **counts)
    session.commit()
    catalogue.clear_cache()
    return _done("calendar", "holidays_imported")


# ---------------------------------------------------------------------------
# Categories and their names
# ---------------------------------------------------------------------------


def _categories_context(session: Session, _query: QueryParams) -> dict[str, Any]:
    rows = session.exec(select(Category).order_by(col(Category.sort_order), col(Category.code)))
    return {"categories": list(rows), "name_languages": NAME_LANGUAGES}


def _category(session: Session, code: str) -> Category:
    category = session.exec(select(Category).where(Category.code == code)).first()
    if category is None:
        raise HTTPException(status_code=404)
    return category


@router.get(PATH + "/categories", response_class=HTMLResponse)
def categories_page(
    request: Request, session: SessionDep, user: CurrentUser, web: SignedIn, done: str = ""
) -> HTMLResponse:
    """Every category with its names per language, each editable."""
    return _page("categories", request, session, user, web, done=done)


@router.post(PATH + "/categories/{code}")
def rename_category(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    code: str,
    name_en: Annotated[str, Form(max_length=300)] = "",
    name_bn: Annotated[str, Form(max_length=300)] = "",
    name_sw: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Change a category's names; English is required (the fallback for the others)."""
    category = _category(session, code)
    given = {"en": name_en, "bn": name_bn, "sw": name_sw}
    errors: dict[str, str] = {}
    names: dict[str, str] = {}
    for language, text in given.items():
        clean = " ".join(text.split())
        if len(clean) > MAX_NAME:
            errors[f"{code}-{language}"] = _say(user, "admin_error_too_long", n=MAX_NAME)
        elif clean:
            names[language] = clean
    if "en" not in names and f"{code}-en" not in errors:
        errors[f"{code}-en"] = _say(user, "admin_error_required")
    if errors:
        kept = {f"{code}-{language}": text for language, text in given.items()}
        return _page(
            "categories", request, session, user, web, status_code=422, errors=errors, kept=kept
        )
    before = dict(category.names)
    # other languages' names (none edited here) are kept; a new dict, so it is saved
    category.names = {
        **{k: v for k, v in before.items() if k not in given},
        **names,
    }
    session.add(category)
    subject = f"category:{code}"
    _record(session, user, "category_renamed", subject, before=before, after=category.names)
    session.commit()
    routing_service.clear_cache()
    return _done("categories", "category_renamed")


@router.post(PATH + "/categories/{code}/active")
def set_category_active(
    session: SessionDep,
    user: CurrentUser,
    code: str,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Deactivate a category (no longer offered to callers or agents) or activate it."""
    category = _category(session, code)
    wanted = _active_flag(active)
    action = _set_active(session, user, category, wanted, "category", f"category:{code}")
    session.commit()
    routing_service.clear_cache()
    catalogue.clear_cache()
    return _done("categories", action)


# ---------------------------------------------------------------------------
# Offices
# ---------------------------------------------------------------------------


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


@router.get(PATH + "/offices", response_class=HTMLResponse)
def offices_page(
    request: Request, session: SessionDep, user: CurrentUser, web: SignedIn, done: str = ""
) -> HTMLResponse:
    """The offices (by rung, or those of one district), and the form to add or change one."""
    return _page("offices", request, session, user, web, done=done)


@router.post(PATH + "/offices")
def save_office(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    code: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    level: Annotated[str, Form(max_length=16)] = "",
    area: Annotated[str, Form(max_length=100)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
    email: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add an office, or change the one with that code (`routing.offices.save_office`);
    a wrong field comes back next to it, 422."""
    change = offices.OfficeChange(
        code=code, name=name, level=level, area=area, phone=phone, email=email
    )
    try:
        office, changed = offices.save_office(
            session=session, change=change, country=get_settings().country
        )
    except offices.OfficeInputError as exc:
        session.rollback()
        kept = {"code": code, "name": name, "level": level, "area": area, "phone": phone}
        kept["email"] = email
        errors = {exc.field: str(exc)}
        return _page(
            "offices", request, session, user, web, status_code=422, errors=errors, kept=kept
        )
    if changed:
        _record(session, user, "office_saved", f"office:{office.code}", changed=changed)
    session.commit()
    routing_service.clear_cache()
    catalogue.clear_cache()
    return _done("offices", "office_saved")


@router.post(PATH + "/offices/{code}/active")
def set_office_active(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    web: SignedIn,
    code: str,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Deactivate an office (routing and escalation pass it by) or activate it; one
    that active routing rules still point to is refused, 422."""
    office = session.exec(select(Office).where(Office.code == code)).first()
    if office is None:
        raise HTTPException(status_code=404)
    wanted = _active_flag(active)
    was_active = office.active
    try:
        offices.set_active(session=session, office=office, active=wanted)
    except offices.OfficeInputError as exc:
        session.rollback()
        errors = {exc.field: f"{code}: {exc}"}
        return _page("offices", request, session, user, web, status_code=422, errors=errors)
    action = "office_activated" if wanted else "office_deactivated"
    if was_active != wanted:
        _record(session, user, action, f"office:{code}")
    session.commit()
    routing_service.clear_cache()
    catalogue.clear_cache()
    return _done("offices", action)


# ---------------------------------------------------------------------------
# The record of admin changes
# ---------------------------------------------------------------------------


def _changes_context(session: Session, query: QueryParams) -> dict[str, Any]:
    """The latest admin changes (of one `?subject=`), with who made them, and whether
    the chain is intact."""
    subject = query.get("subject", "").strip()[:120] or None
    rows = admin_log.recent(session=session, limit=CHANGES_SHOWN, subject=subject)
    actor_ids = {int(row.actor[5:]) for row in rows if row.actor[5:].isdigit()}
    emails = dict(
        session.exec(select(User.id, User.email).where(col(User.id).in_(actor_ids))).all()
    )
    actors = {row.seq: _actor_name(row.actor, emails) for row in rows}
    problems = list(admin_log.verify(session=session))
    return {
        "changes": rows,
        "actors": actors,
        "filter_subject": subject or "",
        "chain_problems": problems,
        "changes_total": admin_log.count(session=session),
    }


def _actor_name(actor: str, emails: dict[int, str]) -> str:
    kind, _, rest = actor.partition(":")
    if kind == "user" and rest.isdigit():
        return emails.get(int(rest), actor)
    return actor


@router.get(PATH + "/changes", response_class=HTMLResponse)
def changes_page(
    request: Request, session: SessionDep, user: CurrentUser, web: SignedIn
) -> HTMLResponse:
    """Who changed what, newest first, from the dashboard and the CLI."""
    return _page("changes", request, session, user, web)


_LOADERS = {
    "users": _users_context,
    "offices": _offices_context,
    "changes": _changes_context,
    "routing": _routing_context,
    "sla": _sla_context,
    "calendar": _calendar_context,
    "categories": _categories_context,
}
