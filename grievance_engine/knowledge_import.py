"""Filling the knowledge base: articles from a YAML or CSV file (`nalish kb import`),
the country's seed articles (`nalish seed`, from `knowledge_data/<country>.yaml`
shipped with the package) and the articles a translator still owes
(`nalish kb list --missing`).

An import is all or nothing: every row is checked first and each problem is reported
with its row and field; only a file with none is written. Articles are matched by
`code`: an existing one is replaced by the file's version.

YAML: ``articles:`` a list of ``{code, topic, title: {lang: …}, body: {lang: …},
keywords: {lang: [...]}, districts: all | [names], source, checked}``.
CSV (UTF-8, a header row): ``code, topic, source, checked, districts`` and
``title_<lang>``, ``body_<lang>``, ``keywords_<lang>`` columns; several keywords or
districts in one cell are separated by ``;``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from grievance_engine import knowledge, languages
from grievance_engine.models import AdminArea, AdminLevel, Article
from infra import clock

SEED_DIR = Path(__file__).parent / "knowledge_data"
LIST_SEPARATOR = ";"
# Keyword languages: every registered language, and "<code>-Latn" for one written in
# another script (Bangla typed in Latin letters: Banglish).
KEYWORD_LANGUAGES = frozenset(languages.codes()) | {
    f"{code}-Latn" for code, lang in languages.REGISTRY.items() if lang.script != "Latn"
}
TEXT_LANGUAGES = frozenset(languages.codes())


class ImportError_(ValueError):
    """A file that was not imported; `problems` lists each row's problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ArticleIn(BaseModel):
    """One article as a file gives it, checked."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,58}$")
    topic: str = Field(pattern=r"^[a-z][a-z0-9_]{1,38}$")
    title: dict[str, str]
    body: dict[str, str]
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    districts: list[str] = Field(default_factory=list)
    source: str = Field(pattern=r"^https?://[^\s]+$", max_length=300)
    checked: date

    @field_validator("title", "body")
    @classmethod
    def _languages_and_source(cls, given: dict[str, str]) -> dict[str, str]:
        unknown = set(given) - TEXT_LANGUAGES
        if unknown:
            raise ValueError(f"unknown language {sorted(unknown)[0]!r}")
        kept = {code: " ".join(str(value).split()) for code, value in given.items() if value}
        if not kept.get(languages.SOURCE):
            raise ValueError(f"the {languages.SOURCE!r} text is required (the fallback)")
        return kept

    @field_validator("keywords", mode="before")
    @classmethod
    def _keyword_languages(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        unknown = set(given) - KEYWORD_LANGUAGES
        if unknown:
            raise ValueError(f"unknown language {sorted(unknown)[0]!r}")
        # YAML reads a hotline's number (999) as a number: a keyword is its text
        return {
            code: [str(word).strip() for word in words or [] if str(word).strip()]
            for code, words in given.items()
        }

    @field_validator("districts", mode="before")
    @classmethod
    def _all_is_empty(cls, given: Any) -> Any:
        return [] if given in (None, "", "all") else given


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


def read_file(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """The rows of a YAML or CSV file, each with where it is ("row 3")."""
    content = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return _csv_rows(content)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml_rows(content)
    raise ImportError_([f"{path.name}: not a .yaml, .yml or .csv file"])


def _yaml_rows(content: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        loaded = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise ImportError_([f"not valid YAML: {error}"]) from error
    items = loaded.get("articles") if isinstance(loaded, dict) else None
    if not isinstance(items, list):
        raise ImportError_(["the file needs a list under `articles:`"])
    return [
        (f"article {n}", item if isinstance(item, dict) else {}) for n, item in enumerate(items, 1)
    ]


def _csv_rows(content: str) -> list[tuple[str, dict[str, Any]]]:
    records = csv.DictReader(io.StringIO(content))
    return [(f"row {line}", from_columns(record)) for line, record in enumerate(records, start=2)]


def from_columns(record: dict[str, Any]) -> dict[str, Any]:
    """An article from flat columns (a CSV row, the admin page's form): `title_<lang>`,
    `body_<lang>`, `keywords_<lang>` and `districts` (`;`-separated), the rest as named."""
    row: dict[str, Any] = {"title": {}, "body": {}, "keywords": {}}
    for column, value in record.items():
        value = str(value or "").strip()
        prefix, _, language = (column or "").partition("_")
        if prefix in ("title", "body") and language:
            row[prefix][language] = value
        elif prefix == "keywords" and language:
            row["keywords"][language] = _split(value)
        elif column == "districts":
            row["districts"] = _split(value) if value not in ("", "all") else []
        elif value and column in ArticleIn.model_fields:
            row[column] = value
    return row


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


# ---------------------------------------------------------------------------
# Checking and writing
# ---------------------------------------------------------------------------


def check(
    session: Session, rows: list[tuple[str, dict[str, Any]]], country: str
) -> list[ArticleIn]:
    """Every row checked; raises `ImportError_` listing every problem, if any."""
    problems: list[str] = []
    checked: list[ArticleIn] = []
    districts = _district_names(session, country)
    seen: dict[str, str] = {}
    for where, row in rows:
        label = f"{where} ({row.get('code')})" if row.get("code") else where
        try:
            article = ArticleIn.model_validate(row)
        except ValidationError as error:
            for item in error.errors():
                field = ".".join(str(part) for part in item["loc"]) or "row"
                problems.append(f"{label}: {field}: {item['msg']}")
            continue
        unknown = [name for name in article.districts if name.casefold() not in districts]
        if unknown:
            problems.append(f"{label}: districts: no district {unknown[0]!r} in {country}")
        if article.code in seen:
            problems.append(f"{label}: code: {article.code!r} is also {seen[article.code]}")
        seen[article.code] = where
        article.districts = [
            districts[name.casefold()] for name in article.districts if name.casefold() in districts
        ]
        checked.append(article)
    if problems:
        raise ImportError_(problems)
    return checked


def _district_names(session: Session, country: str) -> dict[str, str]:
    """Folded English or local name → English name, of every district of `country`."""
    statement = select(AdminArea).where(
        AdminArea.country == country, AdminArea.level == AdminLevel.DISTRICT
    )
    names: dict[str, str] = {}
    for area in session.exec(statement):
        names[area.name.casefold()] = area.name
        if area.name_local:
            names[area.name_local.casefold()] = area.name
    return names


def write(
    session: Session, articles: list[ArticleIn], *, replace: bool = True, after: int | None = None
) -> tuple[int, int]:
    """Insert the new articles and (with `replace`) update those whose code exists;
    returns (inserted, updated). New articles are listed (USSD topics, the agent's
    page) in the file's order after the `after`-th place (default: after every other)."""
    if after is None:
        after = session.exec(select(func.max(Article.sort_order))).one() or 0
    codes = [article.code for article in articles]
    existing = {
        row.code: row for row in session.exec(select(Article).where(col(Article.code).in_(codes)))
    }
    inserted = updated = 0
    for position, given in enumerate(articles):
        row = existing.get(given.code)
        if row is not None and not replace:
            continue
        if row is None:
            order = after + (position + 1) * 10
            row = Article(code=given.code, sort_order=order, checked_on=given.checked)
            inserted += 1
        else:
            updated += 1
        row.topic, row.titles, row.bodies = given.topic, given.title, given.body
        row.keywords, row.districts = given.keywords, given.districts
        row.source_url, row.checked_on, row.updated_at = given.source, given.checked, clock.now()
        session.add(row)
    session.flush()
    knowledge.clear_cache()
    return inserted, updated


def import_file(session: Session, path: Path, country: str) -> tuple[int, int]:
    """`nalish kb import FILE`: all rows or none; returns (inserted, updated)."""
    return write(session, check(session, read_file(path), country))


def seed(*, session: Session, country: str) -> dict[str, int]:
    """The country's seed articles that are missing (an admin's edits survive)."""
    path = SEED_DIR / f"{country.lower()}.yaml"
    if not path.exists():
        return {"kb_articles": 0}
    articles = check(session, read_file(path), country)
    inserted, _ = write(session, articles, replace=False, after=0)  # the seed's order first
    return {"kb_articles": inserted}


def missing(session: Session, country: str) -> list[tuple[Article, list[str]]]:
    """Articles without a title or body in a language offered in `country`, with those
    languages (there, citizens read the fallback language)."""
    wanted = languages.offered_in(country)
    rows = session.exec(select(Article).order_by(col(Article.sort_order), col(Article.code)))
    found = [(article, knowledge.missing_languages(article, wanted)) for article in rows]
    return [(article, gaps) for article, gaps in found if gaps]
