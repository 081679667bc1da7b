"""`nalish tickets …`: look at tickets (show, list, duplicates) and work them
(transition, assign, claim, transfer, comment, merge).

Each change is one transaction through the same services the API and dashboards use,
so what an operator does here lands in the audit chain like any other action.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from nalish.cli.common import (
    Actor,
    JsonFlag,
    Ref,
    fail,
    no_ticket,
    print_json,
    refuse_unknown,
    settings,
    show_rows,
    ticket,
    user,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from grievance_engine.models import Ticket

tickets_app = typer.Typer(help="Look at tickets.", no_args_is_help=True)

# The fields `tickets show` prints without --json, in this order.
SHOWN_FIELDS = (
    "ref",
    "status",
    "category",
    "district",
    "upazila",
    "office",
    "priority",
    "due_at",
    "channel",
    "phone",
    "language",
    "escalation_level",
    "created_at",
    "description",
)


def _statuses() -> list[str]:
    from grievance_engine.models import TicketStatus

    return [status.value for status in TicketStatus]


@contextmanager
def _changing(ref: str, verb: str, *refusals: type[Exception]) -> Iterator[tuple[Session, Ticket]]:
    """One change to the ticket `ref`, in one transaction: the session and the ticket
    (exit 1 when there is none); what the domain refuses (`refusals`) exits 2 with
    `Cannot <verb> <ref>: <why>`."""
    from infra.db import session_scope

    try:
        with session_scope() as session:
            yield session, ticket(session, ref)
    except refusals as exc:
        raise fail(f"Cannot {verb} {ref}: {exc}") from exc


@tickets_app.command("show")
def tickets_show(ref: Ref, as_json: JsonFlag = False) -> None:
    """Show one ticket with its events."""
    from grievance_engine import service
    from infra.db import session_scope

    settings()
    with session_scope() as session:
        shown = service.show(session=session, ref=ref)
    if shown is None:
        raise no_ticket(ref)
    if as_json:
        print_json(shown)
        return
    for key in SHOWN_FIELDS:
        value = shown[key]
        if key == "office" and value:  # "Upazila Nirbahi Officer, Kaunia (uno-bd-55-u446)"
            value = f"{value['name']} ({value['code']})"
        typer.echo(f"{key:>17}: {value if value is not None else '-'}")
    for event in shown["events"]:
        typer.echo(f"{'event':>17}: {event['at']} {event['type']} by {event['actor']}")


@tickets_app.command("list")
def tickets_list(
    as_json: JsonFlag = False,
    status: Annotated[str | None, typer.Option(help="Only this status, e.g. new.")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district, e.g. Rangpur.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 1000,
) -> None:
    """List tickets, newest first."""
    from grievance_engine import service
    from infra.db import session_scope

    settings()
    refuse_unknown("status", status or None, _statuses())  # an empty --status: no filter
    with session_scope() as session:
        rows = service.list_public(session=session, status=status, district=district, limit=limit)
    show_rows(
        rows,
        as_json=as_json,
        line=lambda row: (
            f"{row['ref']}  {row['status']:<12} {row['category']:<18} "
            f"{row['district']:<16} {row['created_at']}"
        ),
        counted="ticket(s)",
    )


@tickets_app.command("transition")
def tickets_transition(
    ref: Ref,
    to: Annotated[str, typer.Option("--to", help="The new status, e.g. in_progress.")],
    reason: Annotated[
        str | None, typer.Option(help="Why; required for rejected and duplicate.")
    ] = None,
    actor: Actor = "cli",
    original: Annotated[
        str | None, typer.Option(help="For duplicate: the reference of the original ticket.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Move a ticket to another status, as the lifecycle allows; recorded as an event.

    Resolving sends the citizen the --reason as what was done; rejecting tells them
    the --reason; duplicate merges the ticket into --original.
    """
    from grievance_engine import actions, lifecycle, refs
    from grievance_engine.models import TicketStatus

    settings()
    refuse_unknown("status", to, _statuses())
    with _changing(ref, "change", lifecycle.TransitionError) as (session, moved):
        event = actions.change_status(
            session=session,
            ticket=moved,
            to=TicketStatus(to),
            actor=actor,
            reason=reason,
            original=ticket(session, original) if original else None,
        )
    shown = refs.display(moved.ref)
    if as_json:
        print_json({"ref": shown, **event.data, "seq": event.seq, "hash": event.hash})
        return
    typer.echo(f"{shown}: {event.data['from']} → {event.data['to']}")


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
    from routing import assignment

    settings()
    if bool(to) == auto:
        raise fail("Give exactly one of --to EMAIL or --auto.")
    with _changing(ref, "assign", assignment.AssignmentError) as (session, assigned):
        if auto:
            chosen = assignment.auto_assign(session=session, ticket=assigned, actor=actor)
            if chosen is None:
                raise fail(
                    f"Nobody available in the ticket's queue speaks {assigned.language!r}; "
                    "it stays in the queue."
                )
            email = chosen.email
        else:
            email = _assign_to_person(session, assigned, to, actor=actor, reason=reason)
    shown = refs.display(assigned.ref)
    if as_json:
        print_json({"ref": shown, "assignee": email})
    else:
        typer.echo(f"{shown}: assigned to {email}")


def _assign_to_person(session, assigned, email: str, *, actor: str, reason: str | None) -> str:
    """Assign (or transfer) to the person with this email; their email, as stored."""
    from routing import assignment

    person = user(session, email)
    assignment.assign(session=session, ticket=assigned, user=person, actor=actor, reason=reason)
    return person.email


@tickets_app.command("claim")
def tickets_claim(
    ref: Ref,
    email: Annotated[str, typer.Option("--as", help="Email of the person claiming it.")],
) -> None:
    """Take an unassigned ticket from the queue."""
    from grievance_engine import refs
    from routing import assignment

    settings()
    with _changing(ref, "claim", assignment.AssignmentError) as (session, claimed):
        assignment.claim(session=session, ticket=claimed, user=user(session, email))
    typer.echo(f"{refs.display(claimed.ref)}: claimed by {email}")


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
    from routing import assignment

    settings()
    if bool(to) == bool(office):
        raise fail("Give exactly one of --to EMAIL or --office CODE.")
    refusals = (assignment.AssignmentError, users.UserError)
    with _changing(ref, "transfer", *refusals) as (session, moved):
        if to:
            where = _assign_to_person(session, moved, to, actor=actor, reason=reason)
        else:
            target = session.get(Office, users.office_id_by_code(session=session, code=office))
            assignment.transfer_to_office(
                session=session, ticket=moved, office=target, actor=actor, reason=reason
            )
            where = target.name
    typer.echo(f"{refs.display(moved.ref)}: transferred to {where}")


@tickets_app.command("comment")
def tickets_comment(
    ref: Ref,
    text: Annotated[str, typer.Argument(help="The note (not sent to the citizen).")],
    actor: Actor = "cli",
    as_json: JsonFlag = False,
) -> None:
    """Add an internal note to a ticket's timeline."""
    from grievance_engine import actions, refs

    settings()
    with _changing(ref, "comment on", ValueError) as (session, noted):
        event = actions.comment(session=session, ticket=noted, actor=actor, text=text)
    shown = refs.display(noted.ref)
    if as_json:
        print_json({"ref": shown, "type": event.type, "seq": event.seq, **event.data})
    else:
        typer.echo(f"{shown}: note added (event {event.seq})")


@tickets_app.command("merge")
def tickets_merge(
    ref: Annotated[str, typer.Argument(help="The duplicate ticket's reference.")],
    into: Annotated[str, typer.Option("--into", help="The original ticket's reference.")],
    reason: Annotated[str | None, typer.Option(help="Why (default: same grievance).")] = None,
    actor: Actor = "cli",
) -> None:
    """Merge a duplicate into its original; both citizens hear when it is resolved."""
    from grievance_engine import actions, refs

    settings()
    refusals = (actions.TransitionError, actions.MergeError)
    with _changing(ref, "merge", *refusals) as (session, duplicate):
        original = ticket(session, into)
        actions.merge(
            session=session, duplicate=duplicate, original=original, actor=actor, reason=reason
        )
    typer.echo(f"{refs.display(duplicate.ref)}: merged into {refs.display(original.ref)}")


@tickets_app.command("duplicates")
def tickets_duplicates(ref: Ref, as_json: JsonFlag = False) -> None:
    """List open tickets that may be the same grievance as this one."""
    from grievance_engine import duplicates
    from infra.db import session_scope

    settings()
    with session_scope() as session:
        found = duplicates.candidates(session=session, ticket=ticket(session, ref))
    show_rows(
        [{"ref": c.ref, "score": c.score, "why": c.why} for c in found],
        as_json=as_json,
        line=lambda row: f"{row['ref']}  {row['score']:>3}  {row['why']}",
        counted="likely duplicate(s)",
    )
