"""`nalish sla sweep|restamp|policies|set-policy|satisfaction` (deadlines and what
citizens think of the result) and `nalish calendar import|list` (the days deadlines
skip)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from nalish.cli.common import JsonFlag, fail, print_json, record_admin, settings, show_rows

sla_app = typer.Typer(help="SLA deadlines, escalation sweeps and policies.", no_args_is_help=True)
calendar_app = typer.Typer(help="Public holidays the deadlines skip.", no_args_is_help=True)


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"--at {text!r} is not ISO 8601 (e.g. 2026-12-01T10:00:00+06:00)") from exc
    if moment.tzinfo is None:
        raise fail("--at needs an offset (e.g. +06:00 or Z): a time without one is ambiguous")
    return moment


@sla_app.command("sweep")
def sla_sweep(
    at: Annotated[
        str | None, typer.Option("--at", help="Sweep as if the clock read this (ISO 8601).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Escalate every ticket past its deadline, remind owners, close unrated ones."""
    from escalation import sweep

    settings()
    result = sweep.run(now=_when(at))
    if as_json:
        print_json(result.__dict__)
        return
    typer.echo(
        f"escalated {result.escalated} ticket(s) ({result.rungs} level(s)), "
        f"{result.breached_at_top} past the top, reminded {result.reminded}, "
        f"closed {result.closed}, {result.officer_messages} officer SMS"
    )


@sla_app.command("restamp")
def sla_restamp() -> None:
    """Give every open ticket without a running clock its deadline (after an upgrade)."""
    from escalation import sweep

    settings()
    typer.echo(f"{sweep.restamp()} ticket(s) given a deadline")


@sla_app.command("policies")
def sla_policies(as_json: JsonFlag = False) -> None:
    """The SLA policies in force: per level, category and priority."""
    from escalation import catalogue
    from infra.db import session_scope

    settings()
    with session_scope() as session:
        rows = [
            {
                "level": p.level,
                "category": p.category,
                "priority": p.priority,
                "acknowledge": str(p.acknowledge),
                "resolve": str(p.resolve),
            }
            for p in catalogue.policies(session)
        ]
    show_rows(
        rows,
        as_json=as_json,
        line=lambda row: (
            f"{row['level']:<9} {row['category'] or 'any':<20} {row['priority'] or 'any':<7} "
            f"acknowledge {row['acknowledge']:<18} resolve {row['resolve']}"
        ),
    )


@sla_app.command("set-policy")
def sla_set_policy(
    level: Annotated[str, typer.Option(help="upazila, district, division or national.")],
    acknowledge: Annotated[int, typer.Option(help="Time to acknowledge (a positive number).")],
    resolve: Annotated[int, typer.Option(help="Time to resolve (a positive number).")],
    unit: Annotated[str, typer.Option(help="working_hours, working_days or hours (24x7).")],
    category: Annotated[str | None, typer.Option(help="Only this category code.")] = None,
    priority: Annotated[
        str | None, typer.Option(help="Only this priority: normal, urgent.")
    ] = None,
) -> None:
    """Add or change one policy; zero or negative times are refused."""
    from escalation import catalogue
    from escalation.policies import PolicyError, SlaPolicy, SlaTarget, Unit
    from infra.db import session_scope

    settings()
    try:
        if unit not in Unit.__members__.values():
            raise PolicyError(f"unit must be one of {', '.join(Unit)}, got {unit!r}")
        policy = SlaPolicy(
            level=level,
            acknowledge=SlaTarget(acknowledge, Unit(unit)),
            resolve=SlaTarget(resolve, Unit(unit)),
            category=category,
            priority=priority,
        )
        with session_scope() as session:
            catalogue.save_policy(session, policy)
            record_admin(
                session,
                "sla_policy_saved",
                f"sla_policy:{level}:{category or '*'}:{priority or '*'}",
                level=level,
                category=category,
                priority=priority,
                acknowledge=str(policy.acknowledge),
                resolve=str(policy.resolve),
            )
    except (PolicyError, ValueError) as exc:
        raise fail(f"Refused: {exc}") from exc
    typer.echo(f"Saved: {level} {category or 'any'} {priority or 'any'}: {policy.resolve}")


@calendar_app.command("import")
def calendar_import(
    file: Annotated[Path, typer.Argument(help="CSV (date,name[,kind]) or iCalendar (.ics).")],
    country: Annotated[str | None, typer.Option(help="Default: NALISH_COUNTRY.")] = None,
) -> None:
    """Add or update public holidays; every line is checked before anything is saved."""
    from escalation import catalogue
    from escalation.holidays import HolidayFileError
    from infra.db import session_scope

    default = settings().country
    country = (country or default).upper()
    try:
        with session_scope() as session:
            counts = catalogue.import_holidays(session, file, country)
            record_admin(
                session,
                "holidays_imported",
                f"calendar:{country}",
                file=file.name,
                **counts,
            )
    except (HolidayFileError, OSError) as exc:
        raise fail(f"Nothing imported: {exc}") from exc
    typer.echo(f"holidays added {counts['added']}, updated {counts['updated']}")


@calendar_app.command("list")
def calendar_list(
    year: Annotated[int | None, typer.Option(help="Only this year.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The public holidays of NALISH_COUNTRY."""
    from sqlmodel import col, select

    from escalation.models import Holiday
    from infra.db import session_scope

    country = settings().country
    with session_scope() as session:
        rows = session.exec(
            select(Holiday).where(Holiday.country == country).order_by(col(Holiday.day))
        ).all()
        listed = [
            {"day": r.day.isoformat(), "name": r.name, "kind": r.kind}
            for r in rows
            if year is None or r.day.year == year
        ]
    show_rows(
        listed, as_json=as_json, line=lambda row: f"{row['day']}  {row['kind']:<11} {row['name']}"
    )


@sla_app.command("satisfaction")
def sla_satisfaction(as_json: JsonFlag = False) -> None:
    """Citizens' ratings per office: how many, the average (1-5), the share reopened."""
    from escalation import ratings
    from infra.db import session_scope

    settings()
    with session_scope() as session:
        rows = ratings.satisfaction_by_office(session=session)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("no ratings yet")
        return
    for row in rows:
        average = "-" if row["average"] is None else f"{row['average']:.2f}"
        typer.echo(
            f"{row['office']:<50} {row['count']:>5} rated  average {average:>4}  "
            f"reopened {row['share_reopened']:.0%}"
        )
