"""The admin page of people, `/dashboard/admin/users`: everyone who may sign in, adding
someone (`grievance_engine.users.create`), marking them away or back
(`routing.assignment.set_away`) and deactivating them. Shared parts: `dashboards.admin`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.datastructures import QueryParams

from dashboards import i18n
from dashboards.admin import PATH, AdminPage, YesNo, active_flag
from dashboards.deps import (
    Visit,
    dashboard_router,
    say,
    ui_language,
    user_ref,
)
from dashboards.forms import AreaName, Email, OfficeCode, Phone
from grievance_engine import users
from grievance_engine.models import AdminArea, Office, Role, User
from infra.settings import get_settings
from routing import assignment

WORK_LANGUAGES = tuple(i18n.OFFERED)  # the registry's, pseudo-locales aside

router = dashboard_router()


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


# Everyone who may sign in, and the form to add someone.
USERS = AdminPage("users", _users_context)
USERS.route(router)


class PersonForm(BaseModel):
    """The form to add someone, as typed (`users.create` checks it)."""

    email: Email = ""
    full_name: str = Field("", max_length=200)
    role: str = Field("", max_length=16)
    district: AreaName = ""
    office: OfficeCode = ""
    languages: list[str] = []
    phone: Phone = ""
    password: str = Field("", max_length=200)

    def kept(self) -> dict[str, str]:
        """What the form shows again after a mistake (never the password)."""
        return self.model_dump(exclude={"password"}) | {"languages": ",".join(self.languages)}


@router.post(PATH + "/users")
def add_user(visit: Visit, form: Annotated[PersonForm, Form()]) -> Response:
    """Add a person (`users.create`); mistakes come back next to their field, 422."""
    session, user = visit.session, visit.user
    errors: dict[str, str] = {}
    if not form.email.strip():
        errors["email"] = say(user, "admin_error_required")
    if form.role not in Role.__members__.values():
        errors["role"] = say(user, "admin_error_choose")
    if not form.password:
        errors["password"] = say(user, "admin_error_required")
    chosen = [code for code in form.languages if code in WORK_LANGUAGES]
    office_id = None
    if form.office.strip():
        try:
            office_id = users.office_id_by_code(session=session, code=form.office)
        except users.UserError as exc:
            errors["office"] = i18n.error(ui_language(user), exc)
    if errors:
        return USERS.invalid(visit, errors, form.kept())
    try:
        made, _ = users.create(
            session=session,
            country=get_settings().country,
            user_in=users.UserCreate(
                email=form.email,
                role=Role(form.role),
                full_name=form.full_name.strip(),
                district=form.district.strip() or None,
                password=form.password,
                office_id=office_id,
                language=chosen[0] if chosen and i18n.DEFAULT not in chosen else i18n.DEFAULT,
                languages=chosen,
                phone=form.phone.strip() or None,
            ),
        )
    except users.UserError as exc:
        return USERS.refused(visit, exc.subject, exc, form.kept())
    return USERS.saved(visit, "user_created", user_ref(made), email=made.email, role=made.role)


def _person(session: Session, person_id: int) -> User:
    person = session.get(User, person_id)
    if person is None:
        raise HTTPException(status_code=404)
    return person


@router.post(PATH + "/users/{person_id}/away")
def set_away(visit: Visit, person_id: int, away: YesNo = "") -> Response:
    """Mark someone away (assignment passes them by) or back."""
    session = visit.session
    person = _person(session, person_id)
    was_away = person.away
    assignment.set_away(session=session, user=person, away=active_flag(away))
    action = "user_away" if person.away else "user_back"
    if person.away == was_away:  # a second click changes nothing and records nothing
        return USERS.committed(session, action)
    return USERS.saved(visit, action, user_ref(person))


@router.post(PATH + "/users/{person_id}/active")
def set_user_active(visit: Visit, person_id: int, active: YesNo = "") -> Response:
    """Deactivate someone (they can no longer sign in; signed-in pages log them out)
    or activate them again. An admin cannot deactivate themselves."""
    session, user = visit.session, visit.user
    person = _person(session, person_id)
    if not active_flag(active) and person.id == user.id:
        errors = {"people": say(user, "admin_error_not_yourself")}
        return USERS.invalid(visit, errors)
    return USERS.toggled(visit, person, active, "user", user_ref(person))
