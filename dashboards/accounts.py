"""Keeping accounts: everyone changes their own password at `/dashboard/account`; an
admin opens a person at `/dashboard/admin/users/{id}`, edits what may change (name,
phone, office, languages, role area: a divisional officer works at a division) and
resets their password to a temporary one, shown once on the answer and never stored
in clear or put in a URL. The services are `grievance_engine.users`; every admin
change is recorded in the admin chain (`dashboards.admin.record`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from dashboards import admin, i18n
from dashboards.deps import Visit, dashboard_router, page_for, say, ui_language, user_ref
from grievance_engine import users
from grievance_engine.models import AdminArea, AdminLevel, Office, User
from infra.settings import get_settings

ACCOUNT = "/dashboard/account"
PERSON = admin.PATH + "/users/{person_id}"
Secret = Annotated[str, Form(max_length=1024)]
Field = Annotated[str, Form(max_length=200)]
WORK_LANGUAGES = i18n.OFFERED  # code → name, pseudo-locales aside

router = dashboard_router()


@router.get(ACCOUNT, response_class=HTMLResponse)
def account(visit: Visit, done: str = "") -> HTMLResponse:
    """The signed-in person's account: who they are, and the form to change their password."""
    return page_for("account.html.j2", visit, done=done == "password", errors={})


@router.post(ACCOUNT + "/password")
def change_password(
    visit: Visit, current: Secret = "", new: Secret = "", confirm: Secret = ""
) -> Response:
    """Change one's own password: the current one, then the new one twice."""
    session, user = visit.session, visit.user
    errors: dict[str, str] = {}
    if new != confirm:
        errors["confirm"] = say(user, "error_passwords_differ")
    else:
        try:
            users.change_own_password(session=session, user=user, current=current, new=new)
        except users.UserError as exc:
            field = "current" if exc.code == "password_wrong" else "new"
            errors[field] = i18n.error(ui_language(user), exc)
    if errors:
        session.rollback()
        return page_for("account.html.j2", visit, done=False, errors=errors, status_code=422)
    session.commit()
    return RedirectResponse(ACCOUNT + "?done=password", status_code=303)


def _person(visit: Visit, person_id: int) -> User:
    person = visit.session.get(User, person_id)
    if person is None:
        raise HTTPException(status_code=404)
    return person


def _person_page(
    visit: Visit,
    person: User,
    *,
    errors: dict[str, str] | None = None,
    done: str = "",
    temporary: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    session = visit.session
    office = session.get(Office, person.office_id) if person.office_id else None
    area = session.get(AdminArea, person.area_id) if person.area_id else None
    answer = page_for(
        "admin_person.html.j2",
        visit,
        person=person,
        office_code=office.code if office else "",
        area_name=_area_label(area.name, area.level) if area else "",
        area_names=_role_areas(visit),
        office_codes=list(
            session.exec(select(Office.code).where(col(Office.active)).order_by(col(Office.code)))
        ),
        work_languages=WORK_LANGUAGES,
        errors=errors or {},
        done=done,
        temporary=temporary,
        status_code=status_code,
    )
    if temporary:  # shown once: no cache may keep it
        answer.headers["Cache-Control"] = "no-store"
    return answer


def _role_areas(visit: Visit) -> list[str]:
    """What a role area may be: the districts' English names, and the divisions'
    with "Division" (`users.edit`)."""
    statement = (
        select(AdminArea.name, AdminArea.level)
        .where(
            AdminArea.country == get_settings().country,
            col(AdminArea.level).in_((AdminLevel.DISTRICT, AdminLevel.DIVISION)),
        )
        .order_by(col(AdminArea.level), col(AdminArea.name))
    )
    return [_area_label(name, level) for name, level in visit.session.exec(statement)]


def _area_label(name: str, level: str) -> str:
    return f"{name} Division" if level == AdminLevel.DIVISION else name


@router.get(PERSON, response_class=HTMLResponse)
def person_page(visit: Visit, person_id: int, done: str = "") -> HTMLResponse:
    """One person: what may be changed, and a password reset."""
    return _person_page(visit, _person(visit, person_id), done=done)


@router.post(PERSON + "/edit")
def edit_person(
    visit: Visit,
    person_id: int,
    full_name: Field = "",
    phone: Field = "",
    office: Field = "",
    area: Field = "",
    languages: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies it)
) -> Response:
    """Change a person's name, phone, office, role area or languages."""
    session, user = visit.session, visit.user
    person = _person(visit, person_id)
    changes = users.UserUpdate(
        full_name=full_name,
        phone=phone,
        office_code=office,
        area=area,
        languages=[code for code in languages if code in WORK_LANGUAGES],
    )
    try:
        changed = users.edit(
            session=session, user=person, changes=changes, country=get_settings().country
        )
    except users.UserError as exc:
        session.rollback()
        field = {"district": "area"}.get(exc.subject, exc.subject)
        errors = {field: i18n.error(ui_language(user), exc)}
        return _person_page(visit, _person(visit, person_id), errors=errors, status_code=422)
    if changed:
        admin.record(session, user, "user_edited", user_ref(person), **changed)
    session.commit()
    return RedirectResponse(f"{admin.PATH}/users/{person.id}?done=edited", status_code=303)


@router.post(PERSON + "/password")
def reset_password(visit: Visit, person_id: int) -> Response:
    """Give a person a temporary password, shown once on this answer (they change it
    at their account page after signing in with it)."""
    session, user = visit.session, visit.user
    person = _person(visit, person_id)
    temporary = users.set_password(session=session, user=person)
    admin.record(session, user, "password_reset", user_ref(person))
    session.commit()
    return _person_page(visit, person, temporary=temporary)
