"""CLI commands for working tickets: assign, claim, transfer, comment, merge; mass
events (`incidents`); and marking people away. Registered on `nalish.cli`'s apps.

Each command is one transaction through the same services the API and dashboards
use, so what an operator does here lands in the audit chain like any other action.
"""

from __future__ import annotations

from typing import Annotated

import typer

from nalish.cli import (
    JsonFlag,
    _no_ticket,
    _print_json,
    _settings,
    app,
    routing_app,
    tickets_app,
    users_app,
)

incidents_app = typer.Typer(
    help="Mass events: many reports of one problem in one place.", no_args_is_help=True
)
app.add_typer(incidents_app, name="incidents")

Ref = Annotated[str, typer.Argument(help="Ticket reference, e.g. ABCD-1234.")]
Actor = Annotated[str, typer.Option(help="Who is acting, recorded in the event.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _ticket(session, ref: str):
    from grievance_engine import service

    ticket = service.get_by_ref(session=session, ref=ref)
    if ticket is None:
        raise _no_ticket(ref)
    return ticket


def _user(session, email: str):
    from grievance_engine import users

    user = users.by_email(session=session, email=email)
    if user is None:
        raise _fail(f"No user {email!r} (see `nalish users create`).")
    return user


def _echo_event(ref: str, event, as_json: bool, text: str) -> None:
    if as_json:
        _print_json({"ref": ref, "type": event.type, "seq": event.seq, **event.data})
    else:
        typer.echo(text)


@tickets_app.command("assign")
def tickets_assign(
    ref: Ref,
    to: Annotated[
        str | None, typer.Option("--to", help="Email of the person; omit with --auto.")
    ] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="The least-loaded available speaker of its language.")
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why; required when taking it from someone.")
    ] = None,
    actor: Actor = "cli",
    as_json: JsonFlag = False,
) -> None:
    """Assign a ticket to a person (--to EMAIL) or automatically (--auto)."""
    from grievance_engine import refs
    from infra.db import session_scope
    from routing import assignment

    _settings()
    if bool(to) == auto:
        raise _fail("Give exactly one of --to EMAIL or --auto.")
    try:
        with session_scope() as session:
            ticket = _ticket(session, ref)
            if auto:
                chosen = assignment.auto_assign(session=session, ticket=ticket, actor=actor)
                if chosen is None:
                    raise _fail(
                        f"Nobody available in the ticket's queue speaks {ticket.language!r}; "
                        "it stays in the queue."
                    )
                email = chosen.email
            else:
                person = _user(session, to)
                assignment.assign(
                    session=session, ticket=ticket, user=person, actor=actor, reason=reason
                )
                email = person.email
            shown = refs.display(ticket.ref)
    except assignment.AssignmentError as exc:
        raise _fail(f"Cannot assign {ref}: {exc}") from exc
    if as_json:
        _print_json({"ref": shown, "assignee": email})
    else:
        typer.echo(f"{shown}: assigned to {email}")


@tickets_app.command("claim")
def tickets_claim(
    ref: Ref,
    email: Annotated[str, typer.Option("--as", help="Email of the person claiming it.")],
) -> None:
    """Take an unassigned ticket from the queue."""
    from grievance_engine import refs
    from infra.db import session_scope
    from routing import assignment

    _settings()
    try:
        with session_scope() as session:
            ticket = _ticket(session, ref)
            assignment.claim(session=session, ticket=ticket, user=_user(session, email))
            shown = refs.display(ticket.ref)
    except assignment.AssignmentError as exc:
        raise _fail(f"Cannot claim {ref}: {exc}") from exc
    typer.echo(f"{shown}: claimed by {email}")


@tickets_app.command("transfer")
def tickets_transfer(
    ref: Ref,
    reason: Annotated[str, typer.Option(help="Why it is moving (recorded in the event).")],
    to: Annotated[str | None, typer.Option("--to", help="Email of the person.")] = None,
    office: Annotated[
        str | None, typer.Option(help="Office code instead, e.g. dc-rangpur.")
    ] = None,
    actor: Actor = "cli",
) -> None:
    """Transfer a ticket to another person or office, with a reason."""
    from grievance_engine import refs, users
    from grievance_engine.models import Office
    from infra.db import session_scope
    from routing import assignment

    _settings()
    if bool(to) == bool(office):
        raise _fail("Give exactly one of --to EMAIL or --office CODE.")
    try:
        with session_scope() as session:
            ticket = _ticket(session, ref)
            if to:
                person = _user(session, to)
                assignment.assign(
                    session=session, ticket=ticket, user=person, actor=actor, reason=reason
                )
                where = person.email
            else:
                target = session.get(Office, users.office_id_by_code(session=session, code=office))
                assignment.transfer_to_office(
                    session=session, ticket=ticket, office=target, actor=actor, reason=reason
                )
                where = target.name
            shown = refs.display(ticket.ref)
    except (assignment.AssignmentError, users.UserError) as exc:
        raise _fail(f"Cannot transfer {ref}: {exc}") from exc
    typer.echo(f"{shown}: transferred to {where}")


@tickets_app.command("comment")
def tickets_comment(
    ref: Ref,
    text: Annotated[str, typer.Argument(help="The note (not sent to the citizen).")],
    actor: Actor = "cli",
    as_json: JsonFlag = False,
) -> None:
    """Add an internal note to a ticket's timeline."""
    from grievance_engine import actions, refs
    from infra.db import session_scope

    _settings()
    try:
        with session_scope() as session:
            ticket = _ticket(session, ref)
            event = actions.comment(session=session, ticket=ticket, actor=actor, text=text)
            shown = refs.display(ticket.ref)
    except ValueError as exc:
        raise _fail(f"Cannot comment on {ref}: {exc}") from exc
    _echo_event(shown, event, as_json, f"{shown}: note added (event {event.seq})")


@tickets_app.command("merge")
def tickets_merge(
    ref: Annotated[str, typer.Argument(help="The duplicate ticket's reference.")],
    into: Annotated[str, typer.Option("--into", help="The original ticket's reference.")],
    reason: Annotated[str | None, typer.Option(help="Why (default: same grievance).")] = None,
    actor: Actor = "cli",
) -> None:
    """Merge a duplicate into its original; both citizens hear when it is resolved."""
    from grievance_engine import actions, refs
    from infra.db import session_scope

    _settings()
    try:
        with session_scope() as session:
            duplicate = _ticket(session, ref)
            original = _ticket(session, into)
            actions.merge(
                session=session, duplicate=duplicate, original=original, actor=actor, reason=reason
            )
            shown = refs.display(duplicate.ref), refs.display(original.ref)
    except (actions.TransitionError, actions.MergeError) as exc:
        raise _fail(f"Cannot merge {ref}: {exc}") from exc
    typer.echo(f"{shown[0]}: merged into {shown[1]}")


@tickets_app.command("duplicates")
def tickets_duplicates(ref: Ref, as_json: JsonFlag = False) -> None:
    """List open tickets that may be the same grievance as this one."""
    from grievance_engine import duplicates
    from infra.db import session_scope

    _settings()
    with session_scope() as session:
        found = duplicates.candidates(session=session, ticket=_ticket(session, ref))
    rows = [{"ref": c.ref, "score": c.score, "why": c.why} for c in found]
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['ref']}  {row['score']:>3}  {row['why']}")
    typer.echo(f"{len(rows)} likely duplicate(s)", err=True)


@incidents_app.command("list")
def incidents_list(
    as_json: JsonFlag = False,
    status: Annotated[str, typer.Option(help="open, resolved or all.")] = "open",
) -> None:
    """List mass events, newest first."""
    from grievance_engine import incidents
    from infra.db import session_scope

    _settings()
    if status not in ("open", "resolved", "all"):
        raise _fail(f"Unknown status {status!r}; one of: open, resolved, all")
    with session_scope() as session:
        rows = incidents.list_public(session=session, status=None if status == "all" else status)
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        place = f"{row['upazila']}, {row['district']}" if row["upazila"] else row["district"]
        typer.echo(
            f"#{row['id']:<5} {row['status']:<9} {row['category']:<18} {place:<30} "
            f"{row['ticket_count']} report(s) since {row['opened_at']}"
        )
    typer.echo(f"{len(rows)} incident(s)", err=True)


@incidents_app.command("resolve")
def incidents_resolve(
    incident_id: Annotated[int, typer.Argument(help="The incident's number.")],
    note: Annotated[str, typer.Option(help="What was done; every citizen is sent it.")],
    actor: Actor = "cli",
) -> None:
    """Resolve every open ticket of a mass event at once; each citizen gets the SMS."""
    from grievance_engine import incidents
    from grievance_engine.models import Incident
    from infra.db import session_scope

    _settings()
    try:
        with session_scope() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise _fail(f"No incident #{incident_id} (see `nalish incidents list`).")
            count = incidents.resolve(
                session=session, incident=incident, actor=actor, what_was_done=note
            )
    except incidents.IncidentError as exc:
        raise _fail(f"Cannot resolve incident #{incident_id}: {exc}") from exc
    typer.echo(f"Incident #{incident_id}: {count} ticket(s) resolved; their citizens are told.")


def _set_away(email: str, away: bool) -> None:
    from grievance_engine import admin_log
    from infra.db import session_scope
    from routing import assignment

    _settings()
    with session_scope() as session:
        person = _user(session, email)
        if person.away != away:  # already so: nothing changes, nothing is recorded
            assignment.set_away(session=session, user=person, away=away)
            admin_log.record(
                session=session,
                actor=admin_log.cli_actor(),
                action="user_away" if away else "user_back",
                subject=f"user:{person.id}",
            )
    typer.echo(f"{email} is {'away' if away else 'back'}.")


@users_app.command("away")
def users_away(email: Annotated[str, typer.Argument(help="The person's login email.")]) -> None:
    """Mark someone away: automatic assignment passes them by."""
    _set_away(email, True)


@users_app.command("back")
def users_back(email: Annotated[str, typer.Argument(help="The person's login email.")]) -> None:
    """Mark someone back from away."""
    _set_away(email, False)


@routing_app.command("set")
def routing_set(
    district: Annotated[str, typer.Option(help="District (any spelling); the rule's area.")],
    office: Annotated[
        str, typer.Option(help="Office code the grievances go to, e.g. uno-bd-55-u446.")
    ],
    upazila: Annotated[str | None, typer.Option(help="Narrow the rule to one upazila.")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category (code or name).")] = None,
    queue: Annotated[str, typer.Option(help="The office's queue.")] = "default",
) -> None:
    """Add or change a routing rule (the most specific rule wins; see `routing explain`)."""

    from grievance_engine import admin_log, users
    from grievance_engine.models import AdminLevel
    from infra.db import session_scope
    from routing import service as routing_service

    settings = _settings()
    try:
        with session_scope() as session:
            area = routing_service.resolve_area(
                session, district, country=settings.country, level=AdminLevel.DISTRICT
            )
            if upazila:
                area = routing_service.resolve_area(
                    session, upazila, country=settings.country, level=AdminLevel.UPAZILA,
                    parent=area,
                )  # fmt: skip
            category_id = (
                routing_service.resolve_category(session, category).id if category else None
            )
            office_id = users.office_id_by_code(session=session, code=office)
            rule = routing_service.save_rule(
                session=session,
                area_id=area.id,
                category_id=category_id,
                office_id=office_id,
                queue=queue,
            )
            rule_id, where = rule.id, area.name
            admin_log.record(
                session=session,
                actor=admin_log.cli_actor(),
                action="routing_rule_saved",
                subject=f"routing_rule:{rule_id}",
                area=where,
                category=category,
                office=office.strip().lower(),
                queue=queue,
            )
    except (routing_service.RoutingInputError, users.UserError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Rule {rule_id}: {where}, {category or 'any category'} → {office} ({queue})")
