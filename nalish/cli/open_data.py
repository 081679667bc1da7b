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
