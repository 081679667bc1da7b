"""`nalish users create|away|back|on-call|set-phone`: the people who work tickets."""

from __future__ import annotations

from typing import Annotated

import typer

from nalish.cli.common import fail, record_admin, refuse_unknown, settings, split, user

users_app = typer.Typer(help="Manage the people who work tickets.", no_args_is_help=True)

Email = Annotated[str, typer.Argument(help="The person's login email.")]
Password = Annotated[
    str | None, typer.Option(help="At least 10 characters; default: a random one, printed.")
]


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    role: Annotated[str, typer.Option(help="agent, officer, supervisor or admin.")],
    district: Annotated[
        str | None, typer.Option(help="The officer's district (English name, e.g. Rangpur).")
    ] = None,
    password: Password = None,
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    office: Annotated[
        str | None,
        typer.Option(help="Office code, e.g. national-triage (an officer: their district's)."),
    ] = None,
    language: Annotated[str, typer.Option(help="Language of their screens: bn, en or sw.")] = "en",
    languages: Annotated[
        str | None,
        typer.Option(help="Comma-separated languages they can work tickets in, e.g. bn,en."),
    ] = None,
    queues: Annotated[
        str | None, typer.Option(help="Comma-separated queues of their office; default all.")
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option(help="Their mobile (e.g. +8801712345678): ACK/RESOLVE/NOTE by SMS from it."),
    ] = None,
) -> None:
    """Create a user; prints the password once when it was generated."""
    from grievance_engine import users
    from grievance_engine.models import Role
    from infra.db import session_scope

    country = settings().country
    refuse_unknown("role", role, [r.value for r in Role])
    try:
        with session_scope() as session:
            office_id = users.office_id_by_code(session=session, code=office) if office else None
            created, clear = users.create(
                session=session,
                country=country,
                user_in=users.UserCreate(
                    email=email,
                    role=Role(role),
                    full_name=name,
                    district=district,
                    password=password,
                    office_id=office_id,
                    language=language,
                    languages=split(languages),
                    queues=split(queues),
                    phone=phone,
                ),
            )
            record_admin(
                session,
                "user_created",
                f"user:{created.id}",
                email=created.email,
                role=created.role,
            )
    except users.UserError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Created {created.role} {created.email} (id {created.id}).")
    if password is None:
        typer.echo(f"Password (shown once): {clear}")


def _set_away(email: str, away: bool) -> None:
    from infra.db import session_scope
    from routing import assignment

    settings()
    with session_scope() as session:
        person = user(session, email)
        if person.away != away:  # already so: nothing changes, nothing is recorded
            assignment.set_away(session=session, user=person, away=away)
            record_admin(session, "user_away" if away else "user_back", f"user:{person.id}")
    typer.echo(f"{email} is {'away' if away else 'back'}.")


@users_app.command("away")
def users_away(email: Email) -> None:
    """Mark someone away: automatic assignment passes them by."""
    _set_away(email, True)


@users_app.command("back")
def users_back(email: Email) -> None:
    """Mark someone back from away."""
    _set_away(email, False)


# --- taking calls (the voice line's person key: grievance_engine.on_call) ---------------


@users_app.command("on-call")
def users_on_call(
    email: Email,
    state: Annotated[str, typer.Argument(help="on: the person key rings them; off: it does not.")],
) -> None:
    """Put an agent on call (the voice line's person key rings them) or off."""
    from grievance_engine import on_call
    from grievance_engine.users import UserError
    from infra.db import session_scope

    refuse_unknown("state", state, ["on", "off"])
    settings()
    try:
        with session_scope() as session:
            person = user(session, email)
            if person.on_call != (state == "on"):  # already so: nothing is recorded
                on_call.set_on_call(session=session, user=person, on_call=state == "on")
                record_admin(session, f"user_on_call_{state}", f"user:{person.id}")
    except UserError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"{email} is {'on' if state == 'on' else 'off'} call.")


@users_app.command("set-phone")
def users_set_phone(
    email: Email,
    phone: Annotated[str, typer.Argument(help="Their mobile, e.g. +8801712345678.")],
) -> None:
    """Set the phone the voice line rings (and officers' SMS commands come from)."""
    from grievance_engine import on_call
    from grievance_engine.users import UserError
    from infra.db import session_scope

    country = settings().country
    try:
        with session_scope() as session:
            person = user(session, email)
            on_call.set_phone(session=session, user=person, raw=phone, country=country)
            record_admin(session, "user_phone_set", f"user:{person.id}", phone=person.phone)
            saved = person.phone
    except UserError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"{email}'s phone is {saved}.")


# --- keeping accounts: list, edit, set-password (issue 16) -------------------------


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array.")] = False,
) -> None:
    """Everyone who may sign in: email, name, role, office, area, phone, languages."""
    import json

    from sqlmodel import col, select

    from grievance_engine.models import AdminArea, Office, User
    from infra.db import session_scope

    settings()
    with session_scope() as session:
        offices = dict(session.exec(select(Office.id, Office.code)).all())
        areas = dict(session.exec(select(AdminArea.id, AdminArea.name)).all())
        people = [
            {
                "id": person.id,
                "email": person.email,
                "name": person.full_name,
                "role": person.role,
                "office": offices.get(person.office_id) if person.office_id else None,
                "area": areas.get(person.area_id) if person.area_id else None,
                "phone": person.phone,
                "languages": person.languages or [person.language],
                "active": person.active,
                "away": person.away,
            }
            for person in session.exec(select(User).order_by(col(User.email)))
        ]
    if as_json:
        typer.echo(json.dumps(people, ensure_ascii=False, indent=2))
        return
    for p in people:
        state = "" if p["active"] else " (inactive)"
        where = p["office"] or p["area"] or "-"
        typer.echo(f"{p['email']:<40} {p['role']:<10} {where:<24} {p['name']}{state}")


@users_app.command("edit")
def users_edit(
    email: Email,
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    phone: Annotated[str | None, typer.Option(help='Mobile, any form; "" removes it.')] = None,
    office: Annotated[str | None, typer.Option(help='Office code; "" for none.')] = None,
    area: Annotated[
        str | None,
        typer.Option(help='District by English name, or a division as "Rangpur Division".'),
    ] = None,
    languages: Annotated[
        str | None, typer.Option(help="Comma-separated languages they work in, e.g. bn,en.")
    ] = None,
) -> None:
    """Change what may change about a person; prints what changed."""
    from grievance_engine import users
    from infra.db import session_scope

    country = settings().country
    changes = users.UserUpdate(
        full_name=name,
        phone=phone,
        office_code=office,
        area=area,
        languages=split(languages) if languages is not None else None,
    )
    try:
        with session_scope() as session:
            person = user(session, email)
            changed = users.edit(session=session, user=person, changes=changes, country=country)
            if changed:
                record_admin(session, "user_edited", f"user:{person.id}", **changed)
    except users.UserError as exc:
        raise fail(str(exc)) from exc
    said = ", ".join(f"{key}={value}" for key, value in changed.items()) or "nothing changed"
    typer.echo(f"{email}: {said}.")


@users_app.command("set-password")
def users_set_password(
    email: Email,
    password: Password = None,
) -> None:
    """Give someone a new password (a random one is printed once)."""
    from grievance_engine import users
    from infra.db import session_scope

    settings()
    try:
        with session_scope() as session:
            person = user(session, email)
            clear = users.set_password(session=session, user=person, password=password)
            record_admin(session, "password_reset", f"user:{person.id}")
    except users.UserError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Password of {email} changed.")
    if password is None:
        typer.echo(f"Password (shown once): {clear}")
