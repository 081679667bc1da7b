"""The admin page of the knowledge base, `/dashboard/admin/kb`: every article with the
languages it still lacks, a form to create one or edit one (`?edit=<code>`). The
form's fields are the CSV import's columns and are checked by the same rules
(`grievance_engine.knowledge_import`); each save is recorded as an admin change.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.datastructures import QueryParams

from dashboards.admin import PATH, AdminPage
from dashboards.deps import Visit, dashboard_router
from grievance_engine import knowledge, knowledge_import, languages
from grievance_engine.models import Article
from infra.settings import get_settings

TEXT_LANGUAGES = languages.offered_in(get_settings().country)
KEYWORD_LANGUAGES = sorted(knowledge_import.KEYWORD_LANGUAGES - {"en-XA"})
FIELDS = ("code", "topic", "source", "checked", "districts")

router = dashboard_router()


def _form_values(article: Article | None) -> dict[str, str]:
    """The form's fields for `article` (empty for a new one)."""
    if article is None:
        return {}
    values = {
        "code": article.code,
        "topic": article.topic,
        "source": article.source_url,
        "checked": article.checked_on.isoformat(),
        "districts": "; ".join(article.districts),
    }
    for code in languages.codes(include_pseudo=False):
        values[f"title_{code}"] = article.titles.get(code, "")
        values[f"body_{code}"] = article.bodies.get(code, "")
    for code in KEYWORD_LANGUAGES:
        values[f"keywords_{code}"] = "; ".join(article.keywords.get(code, []))
    return values


def _kb_context(session: Session, query: QueryParams) -> dict[str, Any]:
    articles = list(session.exec(select(Article).order_by(col(Article.sort_order))))
    editing = next((a for a in articles if a.code == query.get("edit")), None)
    return {
        "articles": articles,
        "missing": {a.code: knowledge.missing_languages(a, TEXT_LANGUAGES) for a in articles},
        "form": _form_values(editing),
        "text_languages": languages.codes(include_pseudo=False),
        "keyword_languages": KEYWORD_LANGUAGES,
    }


KB = AdminPage("kb", _kb_context)
KB.route(router)


@router.post(PATH + "/kb")
async def save_article(visit: Visit, request: Request) -> Response:
    """Create or replace an article (by its code) from the form."""
    form = await request.form()
    record = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    session = visit.session
    try:
        (article,) = knowledge_import.check(
            session, [("form", knowledge_import.from_columns(record))], get_settings().country
        )
    except knowledge_import.ImportError_ as error:
        return KB.invalid(visit, {"article": "; ".join(error.problems)}, record)
    knowledge_import.write(session, [article])
    subject = f"kb:{article.code}"
    return KB.saved(visit, "kb_article_saved", subject, after=article.model_dump(mode="json"))
