"""`nalish kb import FILE` and `nalish kb list [--missing]`: the knowledge base agents
and citizens search (`grievance_engine.knowledge`, `grievance_engine.knowledge_import`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nalish.cli.common import JsonFlag, fail, settings, show_rows

kb_app = typer.Typer(help="The knowledge base: import and list articles.", no_args_is_help=True)


@kb_app.command("import")
def kb_import(
    file: Annotated[Path, typer.Argument(help="A .yaml or .csv file of articles.")],
) -> None:
    """Import articles (by code: new ones added, existing ones replaced). All or nothing:
    any problem is reported by row and field, and nothing is written."""
    from grievance_engine import knowledge_import
    from infra.db import session_scope

    country = settings().country
    if not file.is_file():
        raise fail(f"No file {file}")
    try:
        with session_scope() as session:
            inserted, updated = knowledge_import.import_file(session, file, country)
    except knowledge_import.ImportError_ as error:
        for problem in error.problems:
            typer.echo(problem, err=True)
        raise fail(f"Nothing imported: {len(error.problems)} problem(s) in {file.name}") from None
    typer.echo(f"Imported {file.name}: {inserted} new, {updated} updated")


@kb_app.command("list")
def kb_list(
    as_json: JsonFlag = False,
    missing: Annotated[
        bool,
        typer.Option(
            "--missing",
            help="Only articles lacking a title or body in a language offered here "
            "(citizens are shown the fallback language), with those languages.",
        ),
    ] = False,
) -> None:
    """List the articles: code, topic, languages, districts, source, last checked."""
    from sqlmodel import col, select

    from grievance_engine import knowledge, knowledge_import, languages
    from grievance_engine.models import Article
    from infra.db import session_scope

    country = settings().country
    with session_scope() as session:
        if missing:
            pairs = knowledge_import.missing(session, country)
        else:
            offered = languages.offered_in(country)
            every = session.exec(select(Article).order_by(col(Article.sort_order)))
            pairs = [(a, knowledge.missing_languages(a, offered)) for a in every]
        rows = [_row(article, gaps) for article, gaps in pairs]
    show_rows(
        rows,
        as_json=as_json,
        line=lambda row: (
            f"{row['code']:<22} {row['topic']:<20} {','.join(row['languages']):<8} "
            + (f"missing {','.join(row['missing'])} " if row["missing"] else "")
            + row["source"]
        ),
        counted="article(s)",
    )


def _row(article, gaps: list[str]) -> dict:
    return {
        "code": article.code,
        "topic": article.topic,
        "title": article.titles.get("en", ""),
        "languages": sorted(article.bodies),
        "missing": gaps,
        "districts": article.districts or "all",
        "source": article.source_url,
        "checked": article.checked_on.isoformat(),
    }
