"""`nalish open-data publish`: write the open-data CSV and JSON now (the periodic job
`open-data-publish` does it daily); README "Open data"."""

from __future__ import annotations

import typer

open_data_app = typer.Typer(help="Open data: publish the suppressed statistics.")


@open_data_app.command("publish")
def open_data_publish() -> None:
    """Write grievances.csv and grievances.json to NALISH_OPEN_DATA_DIR."""
    from infra.db import session_scope
    from infra.settings import get_settings
    from public import open_data

    with session_scope() as session:
        written = open_data.publish(session=session, directory=get_settings().open_data_dir)
    for path in written:
        typer.echo(path)


equity_app = typer.Typer(help="The equity monitor: groups served worse than the rest.")


@equity_app.command("show")
def equity_show(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Each channel's and language's grievances, median days to resolve and reopen rate
    over 90 days; flags a group slower or reopened more than the rest (blank under k)."""
    import dataclasses

    from escalation import equity
    from infra.db import session_scope
    from nalish.cli.common import show_rows

    with session_scope() as session:
        rows = [dataclasses.asdict(f) for f in equity.monitor(session=session)]
    show_rows(
        rows,
        as_json=as_json,
        line=lambda r: (
            f"{r['dimension']}\t{r['value']}\t{r['received']}\t"
            f"{r['median_days']}\t{r['reopen_rate']}\t{','.join(r['flags']) or '-'}"
        ),
    )
