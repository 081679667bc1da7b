"""`nalish db upgrade` (migrations) and `nalish seed` (a country's reference data)."""

from __future__ import annotations

from typing import Annotated

import typer

from nalish.cli.common import safe_url, settings

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (Alembic) up to the latest."""
    from nalish import migrate

    current = settings()
    migrate.upgrade()
    typer.echo(f"Database {safe_url(current)} is at the latest schema.")


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
