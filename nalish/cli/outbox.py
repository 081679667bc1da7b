"""`nalish outbox list` (outbound SMS) and `nalish channels log` (every exchange with a
telecom provider)."""

from __future__ import annotations

from typing import Annotated

import typer

from nalish.cli.common import JsonFlag, e164, settings, show_rows

outbox_app = typer.Typer(help="Look at outbound SMS.", no_args_is_help=True)
channels_app = typer.Typer(help="Look at exchanges with telecom providers.", no_args_is_help=True)


@outbox_app.command("list")
def outbox_list(
    as_json: JsonFlag = False,
    to: Annotated[str | None, typer.Option("--to", help="Only messages to this phone.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 1000,
) -> None:
    """List outbound SMS, newest first."""
    from grievance_engine import service
    from infra.db import session_scope

    settings()
    to = e164(to, "--to") if to else to
    with session_scope() as session:
        rows = service.list_outbox(session=session, to_phone=to, limit=limit)
    show_rows(
        rows,
        as_json=as_json,
        line=lambda row: f"#{row['id']:<6} {row['status']:<10} {row['to']:<15} {row['body']}",
        counted="message(s)",
    )


@channels_app.command("log")
def channels_log(
    as_json: JsonFlag = False,
    provider: Annotated[
        str | None, typer.Option(help="Only this provider: africastalking, twilio, http.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """Show the channel log: every HTTP exchange with a provider, secrets redacted."""
    from channels import channel_log

    settings()
    show_rows(
        channel_log.recent(provider=provider, limit=limit),
        as_json=as_json,
        as_data=lambda row: row.model_dump(mode="json"),
        line=lambda row: (
            f"{row.at.isoformat()} {row.provider:<15} {row.direction:<3} {row.method:<6} "
            f"{row.status_code or '-':<4} {row.duration_ms or 0:8.1f} ms  {row.url}"
        ),
        counted="exchange(s)",
    )
