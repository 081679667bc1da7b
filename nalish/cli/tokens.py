"""`nalish tokens create|list|revoke`: the bearer tokens of the JSON API."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from nalish.cli.common import fail, print_json, record_admin, settings, show_rows

tokens_app = typer.Typer(
    help="Manage JSON API tokens (Authorization: Bearer <token>).", no_args_is_help=True
)

# These commands' text output is not a table, and their help has always said so.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@tokens_app.command("create")
def tokens_create(
    name: Annotated[
        str, typer.Option(help="Who or what uses the token, e.g. 'crm-sync' or a person.")
    ],
    role: Annotated[
        str,
        typer.Option(
            help="agent, officer, supervisor or admin: what the token may do. An officer's "
            "token sees only its district and may not file, merge or assign others."
        ),
    ],
    district: Annotated[
        str | None,
        typer.Option(help="Required for an officer: the district it sees, e.g. Rangpur."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            help="Email of the person the token acts for (events then name them); "
            "their role must match --role."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Make a token and print it once: only its hash is kept, so copy it now."""
    from grievance_engine import tokens
    from grievance_engine.models import AdminLevel, Role
    from infra.db import session_scope
    from routing import service as routing_service

    country = settings().country
    if role not in Role.__members__.values():
        raise fail(f"--role: unknown role {role!r}; one of: {', '.join(r.value for r in Role)}")
    try:
        with session_scope() as session:
            area = None
            if district:
                area = routing_service.resolve_area(
                    session, district, country=country, level=AdminLevel.DISTRICT
                )
            token, clear = tokens.create(
                session=session,
                name=name,
                role=Role(role),
                area_id=area.id if area else None,
                user_id=_user_id(session, user) if user else None,
            )
            shown = _row(token, area.name if area else None, user)
            record_admin(
                session,
                "token_created",
                f"token:{token.id}",
                name=token.name,
                role=token.role,
                district=shown["district"],
                user=user,
                prefix=token.prefix,
            )
    except routing_service.RoutingInputError as exc:
        raise fail(f"--district: {exc}") from exc
    except tokens.TokenError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json({**shown, "token": clear})
        return
    where = f" for {shown['district']}" if shown["district"] else ""
    # The token alone on stdout, so `TOKEN=$(nalish tokens create …)` captures it.
    typer.echo(f"Created {token.role} token #{token.id} {token.name!r}{where}.", err=True)
    typer.echo("Token (shown once; only its hash is kept):", err=True)
    typer.echo(clear)


def _user_id(session, email: str) -> int:
    """The id of the person with this email (as typed, any case), or exit 2."""
    from sqlmodel import select

    from grievance_engine.models import User

    person = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if person is None:
        raise fail(f"--user: no user {email!r}")
    return person.id


@tokens_app.command("list")
def tokens_list(
    as_json: JsonFlag = False,
    include_revoked: Annotated[
        bool, typer.Option("--all/--live", help="Also list revoked tokens (default), or not.")
    ] = True,
) -> None:
    """List tokens: id, name, role, district, the first characters, last use, revoked."""
    from sqlmodel import select

    from grievance_engine import tokens
    from grievance_engine.models import AdminArea, User
    from infra.db import session_scope

    settings()
    with session_scope() as session:
        rows = tokens.list_tokens(session=session, include_revoked=include_revoked)
        areas = dict(session.exec(select(AdminArea.id, AdminArea.name)).all()) if rows else {}
        emails = dict(session.exec(select(User.id, User.email)).all()) if rows else {}
        shown = [_row(t, areas.get(t.area_id), emails.get(t.user_id)) for t in rows]
    show_rows(shown, as_json=as_json, line=_line, counted="token(s)")


def _line(row: dict[str, Any]) -> str:
    state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "live"
    used = row["last_used_at"] or "never used"
    return (
        f"#{row['id']:<5} {row['prefix']}…  {row['role']:<10} {row['district'] or '-':<14} "
        f"{row['name']:<24} {used:<32} {state}"
    )


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id (tokens list).")],
) -> None:
    """Revoke a token: it stops working at once. Revoking twice is harmless."""
    from grievance_engine import tokens
    from grievance_engine.models import ApiToken
    from infra.db import session_scope

    settings()
    try:
        with session_scope() as session:
            found = session.get(ApiToken, token_id)
            live = found is not None and found.revoked_at is None
            token = tokens.revoke(session=session, token_id=token_id)
            when = token.revoked_at.isoformat() if token.revoked_at else ""
            if live:  # revoking twice changes nothing and records nothing
                record_admin(session, "token_revoked", f"token:{token_id}")
    except tokens.TokenError as exc:
        raise fail(str(exc), 1) from exc
    typer.echo(f"Revoked token #{token_id} {token.name!r} ({when}).")


def _row(token: Any, district: str | None, user: str | None) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role,
        "district": district,
        "user": user,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }
