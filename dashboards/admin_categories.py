"""The admin page of categories, `/dashboard/admin/categories`: each category with its
names per language, renaming and deactivating it. Shared parts: `dashboards.admin`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.datastructures import QueryParams

from dashboards import i18n
from dashboards.admin import PATH, AdminPage, YesNo
from dashboards.deps import Visit, dashboard_router, say
from grievance_engine.models import Category

NAME_LANGUAGES = tuple(i18n.OFFERED)  # categories are named in each; form fields name_<code>
MAX_NAME = 100

router = dashboard_router()


def _categories_context(session: Session, _query: QueryParams) -> dict[str, Any]:
    rows = session.exec(select(Category).order_by(col(Category.sort_order), col(Category.code)))
    return {"categories": list(rows), "name_languages": NAME_LANGUAGES}


def _category(session: Session, code: str) -> Category:
    category = session.exec(select(Category).where(Category.code == code)).first()
    if category is None:
        raise HTTPException(status_code=404)
    return category


# Every category with its names per language, each editable.
CATEGORIES = AdminPage("categories", _categories_context)
CATEGORIES.route(router)


async def _category_names(request: Request) -> dict[str, str]:
    """The form's `name_<code>` field of each language in `NAME_LANGUAGES` ("" if absent)."""
    form = await request.form()
    return {code: str(form.get(f"name_{code}") or "") for code in NAME_LANGUAGES}


@router.post(PATH + "/categories/{code}")
def rename_category(
    visit: Visit,
    code: str,
    given: Annotated[dict[str, str], Depends(_category_names)],
) -> Response:
    """Change a category's names; English is required (the fallback for the others)."""
    session, user = visit.session, visit.user
    category = _category(session, code)
    errors: dict[str, str] = {}
    names: dict[str, str] = {}
    for language, text in given.items():
        clean = " ".join(text.split())
        if len(clean) > MAX_NAME:
            errors[f"{code}-{language}"] = say(user, "admin_error_too_long", n=MAX_NAME)
        elif clean:
            names[language] = clean
    if i18n.DEFAULT not in names and f"{code}-{i18n.DEFAULT}" not in errors:
        errors[f"{code}-{i18n.DEFAULT}"] = say(user, "admin_error_required")
    if errors:
        kept = {f"{code}-{language}": text for language, text in given.items()}
        return CATEGORIES.invalid(visit, errors, kept)
    before = dict(category.names)
    # other languages' names (none edited here) are kept; a new dict, so it is saved
    category.names = {
        **{k: v for k, v in before.items() if k not in given},
        **names,
    }
    session.add(category)
    subject = f"category:{code}"
    return CATEGORIES.saved(visit, "category_renamed", subject, before=before, after=category.names)


@router.post(PATH + "/categories/{code}/active")
def set_category_active(visit: Visit, code: str, active: YesNo = "") -> Response:
    """Deactivate a category (no longer offered to callers or agents) or activate it."""
    category = _category(visit.session, code)
    return CATEGORIES.toggled(visit, category, active, "category", f"category:{code}")
