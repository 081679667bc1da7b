"""`nalish db upgrade|current|history|downgrade` (migrations), `nalish seed` (a
country's reference data), and `nalish backup|restore` (nalish.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nalish.cli.common import fail, safe_url, settings

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (Alembic) up to the latest."""
    from nalish import migrate

    current = settings()
    migrate.upgrade()
    typer.echo(f"Database {safe_url(current)} is at the latest schema.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision (`(head)` when it is the latest)."""
    from alembic import command

    from nalish import migrate

    settings()
    command.current(migrate.alembic_config())


@db_app.command("history")
def db_history() -> None:
    """List the schema revisions, newest first."""
    from alembic import command

    from nalish import migrate

    settings()
    command.history(migrate.alembic_config())


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[
        str, typer.Argument(help="A revision id from `db history` (`-- -1`: one step down).")
    ],
) -> None:
    """Undo migrations down to REVISION (back up first: `nalish backup DIR`)."""
    from alembic import command

    from nalish import migrate

    current = settings()
    command.downgrade(migrate.alembic_config(), revision)
    typer.echo(f"Database {safe_url(current)} downgraded to {revision}.")


BackupDir = Annotated[Path, typer.Argument(help="The backup directory.")]


def backup(directory: BackupDir) -> None:
    """Back up the database (a consistent snapshot), the media files and the audit heads
    into DIRECTORY, a new or empty directory."""
    from nalish import backup as backups

    try:
        summary = backups.backup(settings(), directory)
    except backups.BackupError as error:
        raise fail(str(error), code=1) from None
    typer.echo(f"Backed up to {directory}: {summary.line()}")


def restore(directory: BackupDir) -> None:
    """Restore DIRECTORY (from `nalish backup`) into the configured database and media
    directory; exit 1 if the restored audit heads or row counts differ from the backup's."""
    from nalish import backup as backups

    current = settings()
    try:
        summary = backups.restore(current, directory)
    except backups.BackupError as error:
        raise fail(str(error), code=1) from None
    typer.echo(f"Restored {directory} into {safe_url(current)}: {summary.line()}; heads match")


def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Also add demo users and tickets.")] = False,
    reset_names: Annotated[
        bool,
        typer.Option(
            "--reset-names",
            help="Give seeded areas, categories and offices their seeded names again "
            "(undoes admins' renames; each one recorded as an admin change).",
        ),
    ] = False,
) -> None:
    """Add what is missing of the gazetteer, categories, offices and routing rules for
    NALISH_COUNTRY; what exists (an admin's renames included) is left as it is."""
    from escalation import catalogue
    from grievance_engine import admin_log
    from infra.db import session_scope
    from routing import seed as seeding

    country = settings().country
    with session_scope() as session:
        counts = seeding.seed(session=session, country=country)
        counts |= catalogue.seed(session, country)
    typer.echo(f"Seeded {country}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if reset_names:
        with session_scope() as session:
            restored = seeding.reset_names(
                session=session, country=country, actor=admin_log.cli_actor()
            )
        typer.echo(f"Restored the seeded name of {restored} rows (recorded as admin changes).")
    if demo:
        with session_scope() as session:
            logins = seeding.seed_demo(session=session, country=country)
        typer.echo("Demo logins:")
        for login in logins:
            password = login.get("password") or "(unchanged; set earlier)"
            typer.echo(f"  {login['role']:<10} {login['email']:<32} {password}")
