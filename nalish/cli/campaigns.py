"""`nalish campaigns broadcast`: one SMS from an admin to a campaign's requesters."""

from __future__ import annotations

from typing import Annotated

import typer

from nalish.cli.common import JsonFlag, fail, print_json, record_admin, settings

campaigns_app = typer.Typer(help="Campaigns' requesters (define campaigns: `nalish menus`).",
                            no_args_is_help=True)  # fmt: skip


def _text(language: str) -> object:
    return typer.Option(f"--text-{language}", help=f"The SMS for requesters writing in {language}.")


@campaigns_app.command("broadcast")
def campaigns_broadcast(
    campaign: Annotated[str, typer.Argument(help="The active campaign's code, e.g. food_relief.")],
    text_bn: Annotated[str | None, _text("bn")] = None,
    text_en: Annotated[str | None, _text("en")] = None,
    text_sw: Annotated[str | None, _text("sw")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count who would get it; send nothing.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Send one SMS to everyone who asked through CAMPAIGN ("distribution at the union
    parishad on Sunday at 10"), in each one's language, recorded on their tickets.
    Phones that sent STOP, anonymous requesters and languages without a text are
    skipped and counted."""
    from infra.db import session_scope
    from menus import broadcast
    from menus.definition import DefinitionError

    settings()
    texts = {"bn": text_bn, "en": text_en, "sw": text_sw}
    try:
        with session_scope() as session:
            done = broadcast.broadcast(session=session, campaign=campaign, texts=texts,
                                       actor="cli", dry_run=dry_run)  # fmt: skip
            if not dry_run:
                record_admin(session, "campaign_broadcast", campaign, sent=done.sent,
                             tickets=done.tickets)  # fmt: skip
    except (DefinitionError, ValueError) as exc:
        raise fail(f"ERROR {exc}") from exc
    if as_json:
        print_json({"campaign": campaign, "dry_run": dry_run, "sent": done.sent,
                    "tickets": done.tickets, "skipped_opted_out": done.opted_out,
                    "skipped_anonymous": done.anonymous,
                    "skipped_no_text": done.no_text})  # fmt: skip
        return
    verb = "would send" if dry_run else "sent"
    no_text = ", ".join(f"{n} in {lang}" for lang, n in sorted(done.no_text.items())) or "0"
    typer.echo(
        f"{campaign}: {verb} {done.sent} SMS ({done.tickets} ticket(s)); skipped: "
        f"{done.opted_out} opted out (STOP), {done.anonymous} anonymous, no text: {no_text}"
    )
