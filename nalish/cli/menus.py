"""`nalish menus check|sync` (the conversations) and `nalish callbacks list|done` (the
calls they leave for agents)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nalish.cli.common import (
    JsonFlag,
    add_list_by_status,
    fail,
    print_json,
    record_admin,
    settings,
)

menus_app = typer.Typer(
    help="Check and load the menu definitions (USSD, IVR) and campaigns.", no_args_is_help=True
)
callbacks_app = typer.Typer(help="Calls agents owe citizens.", no_args_is_help=True)


@menus_app.command("check")
def menus_check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Extra definition files to check (e.g. a campaign before adding it)."),
    ] = None,
    mermaid: Annotated[
        bool, typer.Option("--mermaid", help="Print the flow as a mermaid flowchart.")
    ] = False,
    voice: Annotated[
        bool,
        typer.Option(
            "--voice", help="List every voice prompt per language: recorded, synthesized…"
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Validate every definition (exit 2 naming the file and node), list missing
    translations (warnings: English stands in), and say how each voice prompt is heard
    per language (exit 1 when one would fall back to another language)."""
    from menus import check, registry

    settings()
    report = check.run(list(files or []))
    if mermaid and report.ok:
        typer.echo(check.mermaid([*registry.definition_files(), *(files or [])]))
        return
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "files": report.files,
                "campaigns": report.campaigns,
                "errors": report.errors,
                "warnings": report.warnings,
                "voice": [
                    {"language": language, "prompt": prompt, "source": how}
                    for language, prompt, how in report.voice
                ],
                "voice_fallbacks": report.voice_fallbacks,
            }
        )
    else:
        for line in report.errors:
            typer.echo(f"ERROR   {line}", err=True)
        for line in report.warnings:
            typer.echo(f"warning {line}", err=True)
        if voice:
            for language, prompt, how in report.voice:
                typer.echo(f"{language:<3} {how:<22} {prompt}")
        for line in check.voice_summary(report):
            typer.echo(line)
        for line in report.voice_fallbacks:
            typer.echo(f"ERROR   {line}", err=True)
        campaigns = ", ".join(report.campaigns) or "none"
        verdict = "OK" if report.ok else f"{len(report.errors)} error(s)"
        if report.ok and report.voice_fallbacks:
            verdict = f"{len(report.voice_fallbacks)} voice prompt error(s)"
        typer.echo(
            f"{verdict}: {len(report.files)} file(s), campaigns: {campaigns}, "
            f"{len(report.warnings)} warning(s)"
        )
    if not report.ok:
        raise typer.Exit(2)
    if report.voice_fallbacks:
        raise typer.Exit(1)


@menus_app.command("sync")
def menus_sync() -> None:
    """Give active campaigns their category and routing rule now; deactivate the
    categories of retired ones (their tickets stay)."""
    from infra.db import session_scope
    from menus import registry
    from menus.definition import DefinitionError

    settings()
    try:
        with session_scope() as session:
            done = registry.sync(session)
            if done["active"] or done["retired"]:
                record_admin(
                    session,
                    "menus_synced",
                    "menus",
                    active=list(done["active"]),
                    retired=list(done["retired"]),
                )
    except DefinitionError as exc:
        raise fail(f"ERROR {exc}") from exc
    typer.echo(
        f"active: {', '.join(done['active']) or 'none'}; "
        f"retired: {', '.join(done['retired']) or 'none'}"
    )


def _callback_line(row: dict) -> str:
    ref = row["ticket_ref"] or "-"
    return (
        f"#{row['id']:<5} {row['status']:<5} {row['phone']:<15} {row['language']:<3} "
        f"{ref:<10} {row['reason']}"
    )


add_list_by_status(
    callbacks_app,
    "grievance_engine.callbacks",
    ("open", "done", "all"),
    help="Call-backs, oldest first: who to call, in which language, and why.",
    line=_callback_line,
    counted="call-back(s)",
)


@callbacks_app.command("done")
def callbacks_done(
    task_id: Annotated[int, typer.Argument(help="The call-back's number.")],
    outcome: Annotated[str, typer.Option(help="How the call went (reached, no answer…).")],
    actor: Annotated[str, typer.Option(help="Who called, recorded on the task.")] = "cli",
) -> None:
    """Mark a call-back made."""
    from grievance_engine import callbacks
    from infra.db import session_scope

    settings()
    try:
        with session_scope() as session:
            callbacks.complete(session=session, task_id=task_id, actor=actor, outcome=outcome)
    except callbacks.CallbackError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Call-back #{task_id} done.")
