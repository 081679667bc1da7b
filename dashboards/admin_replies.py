"""The admin page of canned replies, `/dashboard/admin/replies`: every reply by
language and category with the SMS parts it takes, a form to add one or edit one
(`?edit=<id>`), and deactivating one. The rules are `grievance_engine.canned_replies`;
a ticket's page offers the active ones (`dashboards.workspace`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.datastructures import QueryParams

from dashboards import i18n
from dashboards.admin import PATH, AdminPage, YesNo
from dashboards.deps import Visit, dashboard_router
from grievance_engine import canned_replies
from grievance_engine.errors import DomainError
from grievance_engine.models import CannedReply, Category

router = dashboard_router()
# A DomainError's subject (`canned_replies._checked`) and the form field it is about.
FIELD_OF = {"language": "language", "category": "category", "title": "title", "text": "body"}


class ReplyForm(BaseModel):
    """The reply form as typed; `canned_replies` checks it. `category` is a category's
    code, "" for a reply offered on every ticket."""

    language: str = Field("", max_length=5)
    category: str = Field("", max_length=40)
    title: str = Field("", max_length=200)
    body: str = Field("", max_length=2000)


def _replies_context(session: Session, query: QueryParams) -> dict[str, Any]:
    """The replies by language, each with its category and SMS parts; the form's values
    of the reply being edited (`?edit=<id>`)."""
    categories = list(session.exec(select(Category).order_by(col(Category.sort_order))))
    codes = {category.id: category.code for category in categories}
    replies = canned_replies.list_replies(session=session)
    by_language: dict[str, list[CannedReply]] = {code: [] for code in i18n.OFFERED}
    for reply in replies:
        by_language.setdefault(reply.language, []).append(reply)
    edit = query.get("edit", "")
    editing = next((r for r in replies if edit.isdigit() and r.id == int(edit)), None)
    form: dict[str, Any] = {}
    if editing is not None:
        form = {
            "id": editing.id,
            "language": editing.language,
            "category": codes.get(editing.category_id, ""),
            "title": editing.title,
            "body": editing.body,
        }
    return {
        "by_language": by_language,
        "categories": {category.id: category for category in categories},
        "category_codes": [c.code for c in categories],
        "parts": {reply.id: canned_replies.parts(reply.body, reply.language) for reply in replies},
        "form": form,
        "reply_languages": list(i18n.OFFERED),
        "max_parts": canned_replies.MAX_PARTS,
    }


REPLIES = AdminPage("replies", _replies_context)
REPLIES.route(router)


def _reply(session: Session, reply_id: int) -> CannedReply:
    reply = canned_replies.get(session=session, reply_id=reply_id)
    if reply is None:
        raise HTTPException(status_code=404)
    return reply


def _reply_in(form: ReplyForm) -> canned_replies.ReplyIn:
    return canned_replies.ReplyIn(
        language=form.language, category=form.category, title=form.title, body=form.body
    )


def _refused(visit: Visit, problem: DomainError, kept: dict[str, Any]) -> Response:
    return REPLIES.refused(visit, FIELD_OF.get(problem.subject, "body"), problem, kept)


def _recorded(reply: CannedReply, category: str) -> dict[str, Any]:
    return {"language": reply.language, "category": category, "title": reply.title,
            "body": reply.body}  # fmt: skip


@router.post(PATH + "/replies")
def add_reply(visit: Visit, form: Annotated[ReplyForm, Form()]) -> Response:
    """Add a canned reply; a wrong field comes back next to it, 422."""
    kept = form.model_dump()
    try:
        reply = canned_replies.add(session=visit.session, reply_in=_reply_in(form))
    except DomainError as problem:
        return _refused(visit, problem, kept)
    after = _recorded(reply, form.category.strip())
    return REPLIES.saved(visit, "reply_added", f"reply:{reply.id}", after=after)


@router.post(PATH + "/replies/{reply_id}")
def edit_reply(visit: Visit, reply_id: int, form: Annotated[ReplyForm, Form()]) -> Response:
    """Rewrite a canned reply; a wrong field comes back next to it, 422."""
    session = visit.session
    reply = _reply(session, reply_id)
    before = _recorded(reply, canned_replies.category_code(session=session, reply=reply))
    kept = {**form.model_dump(), "id": reply_id}
    try:
        canned_replies.edit(session=session, reply=reply, reply_in=_reply_in(form))
    except DomainError as problem:
        return _refused(visit, problem, kept)
    after = _recorded(reply, form.category.strip())
    return REPLIES.saved(visit, "reply_edited", f"reply:{reply_id}", before=before, after=after)


@router.post(PATH + "/replies/{reply_id}/active")
def set_reply_active(visit: Visit, reply_id: int, active: YesNo = "") -> Response:
    """Deactivate a canned reply (no longer offered; kept on record) or activate it."""
    reply = _reply(visit.session, reply_id)
    return REPLIES.toggled(visit, reply, active, "reply", f"reply:{reply_id}")
