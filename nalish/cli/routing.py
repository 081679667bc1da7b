"""`nalish routing list|explain|set` (where grievances go) and `nalish gazetteer
import` (the admin areas they are routed by)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from nalish.cli.common import JsonFlag, fail, print_json, record_admin, settings, show_rows

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")

routing_app = typer.Typer(help="See and explain the routing rules.", no_args_is_help=True)
gazetteer_app = typer.Typer(help="Manage the admin areas and their aliases.", no_args_is_help=True)


def _with_routing(work: Callable[[Session, str], T]) -> T:
    """`work(session, country)` in one transaction; what routing refuses (an unknown
    area, category or office) exits 2 with its message."""
    from grievance_engine import users
    from infra.db import session_scope
    from routing import service as routing_service

    country = settings().country
    try:
        with session_scope() as session:
            return work(session, country)
    except (routing_service.RoutingInputError, users.UserError) as exc:
        raise fail(str(exc)) from exc


@routing_app.command("list")
def routing_list(
    as_json: JsonFlag = False,
    district: Annotated[
        str | None,
        typer.Option(help="Only rules for this district and its upazilas, e.g. Rangpur."),
    ] = None,
) -> None:
    """List the routing rules: area, category, office, queue and whether active."""
    from routing import service as routing_service

    rows = _with_routing(
        lambda session, country: routing_service.list_rules(
            session=session, country=country, district=district
        )
    )
    show_rows(rows, as_json=as_json, line=_rule_line, counted="rule(s)")


def _rule_line(row: dict) -> str:
    where = row["area"] if row["level"] == "national" else f"{row['area']} ({row['level']})"
    return (
        f"#{row['id']:<5} {where:<32} {row['category']:<18} {row['office']:<48} "
        f"{row['queue']:<10} {'active' if row['active'] else 'inactive'}"
    )


@routing_app.command("explain")
def routing_explain(
    district: Annotated[str, typer.Option(help="District name as a person would type it.")],
    category: Annotated[
        str | None, typer.Option(help="Category code, e.g. water; default: any category.")
    ] = None,
    upazila: Annotated[str | None, typer.Option(help="Upazila name within the district.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show where a grievance would go, and every rule weighed on the way."""
    import dataclasses

    from routing import service as routing_service

    explanation = _with_routing(
        lambda session, country: routing_service.explain(
            session=session, district=district, category=category, upazila=upazila, country=country
        )
    )
    if as_json:
        print_json(dataclasses.asdict(explanation))
        return
    where = explanation.district + (f", {explanation.upazila}" if explanation.upazila else "")
    typer.echo(f"{where} — {explanation.category or 'any category'}")
    for step in explanation.steps:
        typer.echo(f"  {step.text}")
    decision = explanation.decision
    typer.echo(f"→ {explanation.office or 'not routed'} (queue {decision.queue})")
    typer.echo(f"  {decision.reason}")


@routing_app.command("set")
def routing_set(
    district: Annotated[str, typer.Option(help="District (any spelling); the rule's area.")],
    office: Annotated[
        str, typer.Option(help="Office code the grievances go to, e.g. uno-bd-55-u446.")
    ],
    upazila: Annotated[str | None, typer.Option(help="Narrow the rule to one upazila.")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category (code or name).")] = None,
    queue: Annotated[str, typer.Option(help="The office's queue.")] = "default",
) -> None:
    """Add or change a routing rule (the most specific rule wins; see `routing explain`)."""
    from grievance_engine import users
    from grievance_engine.models import AdminLevel
    from routing import service as routing_service

    def save(session: Session, country: str) -> tuple[int, str]:
        area = routing_service.resolve_area(
            session, district, country=country, level=AdminLevel.DISTRICT
        )
        if upazila:
            area = routing_service.resolve_area(
                session, upazila, country=country, level=AdminLevel.UPAZILA, parent=area
            )
        category_id = routing_service.resolve_category(session, category).id if category else None
        rule = routing_service.save_rule(
            session=session,
            area_id=area.id,
            category_id=category_id,
            office_id=users.office_id_by_code(session=session, code=office),
            queue=queue,
        )
        record_admin(
            session,
            "routing_rule_saved",
            f"routing_rule:{rule.id}",
            area=area.name,
            category=category,
            office=office.strip().lower(),
            queue=queue,
        )
        return rule.id, area.name

    rule_id, where = _with_routing(save)
    typer.echo(f"Rule {rule_id}: {where}, {category or 'any category'} → {office} ({queue})")


@gazetteer_app.command("import")
def gazetteer_import(
    file: Annotated[
        typer.FileText,
        typer.Argument(help="CSV with header code,level,name,name_local,parent_code,aliases."),
    ],
    country: Annotated[
        str | None, typer.Option(help="Country of the areas; default: NALISH_COUNTRY.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and count; write nothing.")
    ] = False,
) -> None:
    """Add or update admin areas (by code) and their aliases from a CSV file."""
    from infra.db import session_scope
    from routing import gazetteer_import as importing

    default = settings().country
    country = (country or default).upper()
    if country not in ("BD", "KE"):
        raise fail(f"--country: unknown country {country!r}; one of: BD, KE")

    def progress(done: int, total: int) -> None:
        typer.echo(f"… {done}/{total} rows", err=True)

    try:
        rows = importing.read_rows(file)
        with session_scope() as session:
            counts = importing.import_areas(
                session=session,
                rows=rows,
                country=country,
                dry_run=dry_run,
                progress=progress if len(rows) > 1000 else None,
            )
            if not dry_run:
                record_admin(
                    session,
                    "gazetteer_imported",
                    f"gazetteer:{country}",
                    file=Path(file.name).name,
                    rows=counts.rows,
                    added=counts.added,
                    updated=counts.updated,
                    aliases=counts.aliases,
                )
    except importing.GazetteerImportError as exc:
        for problem in exc.problems:
            typer.echo(f"{file.name}: {problem}", err=True)
        raise fail("Nothing was written.") from exc
    verb = "Would import" if dry_run else "Imported"
    typer.echo(
        f"{verb} {counts.rows} row(s) for {country}: added {counts.added}, "
        f"updated {counts.updated}, aliases {counts.aliases}"
        + (" (dry run: nothing written)" if dry_run else "")
    )
