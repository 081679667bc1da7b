"""`nalish audit verify|changes`: the tamper-evident ticket chains and the chain of
admin changes."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from nalish.cli.common import JsonFlag, no_ticket, print_json, settings, show_rows

audit_app = typer.Typer(help="Check the tamper-evident ticket audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    ref: Annotated[str | None, typer.Option(help="Check only this ticket.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check every ticket's event chain, and the chain of admin changes; exit 1 naming
    each altered or removed event."""
    from grievance_engine import audit
    from infra.db import session_scope

    settings()
    tickets = events = 0
    problems: list[audit.Problem] = []
    admin: dict = {}
    with session_scope() as session:
        for check in audit.scan(session=session, ref=ref):
            tickets += 1
            events += check.events
            problems.extend(check.problems)
            if tickets % 10_000 == 0:
                typer.echo(f"… {tickets} tickets, {events} events checked", err=True)
        if ref is None:
            admin = _admin_chain(session)
    if ref is not None and tickets == 0:
        raise no_ticket(ref)
    broken = sorted({p.ref for p in problems})
    if as_json:
        print_json(
            {
                "tickets": tickets,
                "events": events,
                "intact": not problems,
                "broken_tickets": broken,
                "problems": [{"ref": p.ref, "seq": p.seq, "problem": p.problem} for p in problems],
                **admin,
            }
        )
    else:
        # The admin chain first: the last line stays the tickets' verdict.
        if admin:
            for p in admin["admin_problems"]:
                typer.echo(f"admin change {p['seq']}: {p['problem']}")
            state = "chain intact" if admin["admin_intact"] else "chain BROKEN"
            head = admin["admin_head"]
            head_note = f" (head {head})" if head else ""
            typer.echo(f"{admin['admin_changes']} admin changes{head_note}: {state}")
        for p in problems:
            typer.echo(f"{p.ref}  seq {p.seq if p.seq is not None else '-'}: {p.problem}")
        verdict = f"{len(broken)} ticket(s) with a broken chain" if problems else "chain intact"
        typer.echo(f"{tickets} tickets, {events} events: {verdict}")
    if problems or (admin and not admin["admin_intact"]):
        raise typer.Exit(1)


def _admin_chain(session) -> dict:
    """The admin changes' chain: how many, whether intact, its head and its problems."""
    from grievance_engine import admin_log

    problems = list(admin_log.verify(session=session))
    head = admin_log.recent(session=session, limit=1)
    return {
        "admin_changes": admin_log.count(session=session),
        "admin_intact": not problems,
        "admin_head": head[0].hash if head else None,
        "admin_problems": [{"seq": p.seq, "problem": p.problem} for p in problems],
    }


@audit_app.command("heads")
def audit_heads(as_json: JsonFlag = False) -> None:
    """Print the audit chains' latest hashes: keep a copy off-site, and compare it with
    a restored or suspect database's (grievance_engine.audit.heads)."""
    from grievance_engine import audit
    from infra import clock
    from infra.db import session_scope

    settings()
    with session_scope() as session:
        heads = {"at": clock.now().isoformat(), **audit.heads(session=session)}
    if as_json:
        print_json(heads)
        return
    for key, value in heads.items():
        typer.echo(f"{key:<15} {value}")


@audit_app.command("changes")
def audit_changes(
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    subject: Annotated[
        str | None, typer.Option(help="Only this subject, e.g. office:dc-rangpur or user:12.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List admin changes (users, offices, routing, SLA, holidays, categories, tokens),
    from the dashboard and this CLI, newest first."""
    from grievance_engine import admin_log
    from infra.db import session_scope

    settings()
    with session_scope() as session:
        rows = admin_log.recent(session=session, limit=limit, subject=subject)
        shown = [row.model_dump(mode="json", exclude={"id"}) for row in rows]
    show_rows(shown, as_json=as_json, line=_change_line, counted="change(s)")


def _change_line(row: dict) -> str:
    details = json.dumps(row["data"], ensure_ascii=False, sort_keys=True)
    return (
        f"#{row['seq']:<5} {row['at']}  {row['actor']:<16} {row['action']:<22} "
        f"{row['subject']:<28} {details}"
    )


@audit_app.command("views")
def audit_views(
    ref: Annotated[str, typer.Option("--ref", help="The ticket's reference.")],
    as_json: JsonFlag = False,
) -> None:
    """Who on the staff was shown this ticket's citizen's phone in full, or offered
    their recordings, and when (oldest first)."""
    from grievance_engine import data_views
    from infra.db import session_scope
    from nalish.cli.common import ticket as ticket_named

    settings()
    with session_scope() as session:
        found = ticket_named(session, ref)
        rows = data_views.of_ticket(session=session, ticket_id=found.id)
    show_rows(
        rows,
        as_json=as_json,
        line=lambda row: f"{row['at']}\t{row['user']}\t{row['role']}\t{row['what']}",
        counted="view(s)",
    )
