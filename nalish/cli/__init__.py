"""`nalish`: the operator's command line, one module per command group
(docs/architecture.md, "Contracts: CLI", lists the contract).

This module only assembles: the groups are added in the order `nalish --help` has
always listed them, and `main` (the console script) sets up logging and the hooks
every process needs before running a command.
"""

from __future__ import annotations

import logging
from importlib.metadata import version as package_version
from typing import Annotated

import typer

from nalish.cli import (
    audit,
    campaigns,
    db,
    incidents,
    kb,
    menus,
    open_data,
    outbox,
    prompts,
    routing,
    serve,
    simulate,
    sla,
    tickets,
    tokens,
    users,
    webhooks,
)
from nalish.cli.common import log_to_stderr

app = typer.Typer(
    help="Nalish helpline: serve the web app, run workers, migrate, seed and inspect tickets.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(asked: bool) -> None:
    if asked:
        typer.echo(f"nalish {package_version('nalish')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Nalish helpline: serve the web app, run workers, migrate, seed and inspect tickets."""


app.command()(serve.serve)
app.command()(serve.worker)
app.command()(db.seed)
app.command()(db.backup)
app.command()(db.restore)
for group, name in (
    (db.db_app, "db"),
    (tickets.tickets_app, "tickets"),
    (outbox.outbox_app, "outbox"),
    (simulate.simulate_app, "simulate"),
    (users.users_app, "users"),
    (outbox.channels_app, "channels"),
    (audit.audit_app, "audit"),
    (routing.routing_app, "routing"),
    (routing.gazetteer_app, "gazetteer"),
    (tokens.tokens_app, "tokens"),
    (menus.menus_app, "menus"),
    (menus.callbacks_app, "callbacks"),
    (campaigns.campaigns_app, "campaigns"),
    (sla.sla_app, "sla"),
    (sla.calendar_app, "calendar"),
    (incidents.incidents_app, "incidents"),
    (kb.kb_app, "kb"),
    (prompts.prompts_app, "prompts"),
    (webhooks.webhooks_app, "webhooks"),
    (open_data.open_data_app, "open-data"),
    (open_data.equity_app, "equity"),
):
    app.add_typer(group, name=name)


def main() -> None:
    from nalish import wiring

    log_to_stderr(logging.WARNING)
    wiring.install_hooks()  # tickets changed by any command keep their SLA clock
    app()
