"""`nalish incidents list|resolve`: mass events, many reports of one problem in one
place, resolved at once."""

from __future__ import annotations

from typing import Annotated

import typer

from nalish.cli.common import Actor, add_list_by_status, fail, settings

incidents_app = typer.Typer(
    help="Mass events: many reports of one problem in one place.", no_args_is_help=True
)


def _line(row: dict) -> str:
    place = f"{row['upazila']}, {row['district']}" if row["upazila"] else row["district"]
    return (
        f"#{row['id']:<5} {row['status']:<9} {row['category']:<18} {place:<30} "
        f"{row['ticket_count']} report(s) since {row['opened_at']}"
    )


add_list_by_status(
    incidents_app,
    "grievance_engine.incidents",
    ("open", "resolved", "all"),
    help="List mass events, newest first.",
    line=_line,
    counted="incident(s)",
)


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

    settings()
    try:
        with session_scope() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise fail(f"No incident #{incident_id} (see `nalish incidents list`).")
            count = incidents.resolve(
                session=session, incident=incident, actor=actor, what_was_done=note
            )
    except incidents.IncidentError as exc:
        raise fail(f"Cannot resolve incident #{incident_id}: {exc}") from exc
    typer.echo(f"Incident #{incident_id}: {count} ticket(s) resolved; their citizens are told.")
