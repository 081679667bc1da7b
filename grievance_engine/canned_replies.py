"""Canned replies: the SMS texts admins write per language and category
(`/dashboard/admin/replies`) and a ticket's page offers in its reply box, those of
the ticket's category and the general ones, in the citizen's language.

A reply's body may say `{ref}`, the ticket's reference. A reply longer than one SMS is
accepted (the admin page says how many parts it takes); one over `MAX_PARTS` is refused,
since the reply box would refuse to send it. Services flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from grievance_engine import languages, outbox
from grievance_engine.errors import DomainError
from grievance_engine.models import CannedReply, Category
from infra import clock, sms_encoding

# The most SMS parts a reply from a ticket's page may take (the reply box's limit too).
MAX_PARTS = 4
MAX_TITLE = 80
MAX_BODY = 640  # the column's length; four UCS-2 parts are 268 characters, GSM-7 612
# What `{ref}` is counted as: a reference as shown, "XXXX-XXXX".
SAMPLE_REF = "ABCD-EFGH"


@dataclass(frozen=True)
class ReplyIn:
    """A canned reply as an admin gives it: a category's code ("" for any category)."""

    language: str
    category: str
    title: str
    body: str


def filled(reply: CannedReply, ref: str) -> str:
    """`reply`'s body for the ticket with reference `ref` (as shown, "XXXX-XXXX")."""
    # replace, not str.format: an admin's stray brace must not break the page
    return reply.body.replace("{ref}", ref)


def parts(body: str, language: str) -> int:
    """How many SMS parts `body` takes when sent in `language` (with a reference in it),
    counted as the outbox sends it: look-alikes made GSM-7 where the language allows."""
    text = body.replace("{ref}", SAMPLE_REF)
    if language in outbox.GSM7_LANGUAGES:
        text = sms_encoding.normalise_for_gsm7(text)
    return sms_encoding.sms_parts(text) if text else 0


def list_replies(
    *, session: Session, language: str | None = None, include_inactive: bool = True
) -> list[CannedReply]:
    """Every canned reply (of `language`), by language, category (general first), order."""
    statement = select(CannedReply)
    if language is not None:
        statement = statement.where(CannedReply.language == language)
    if not include_inactive:
        statement = statement.where(col(CannedReply.active))
    statement = statement.order_by(
        col(CannedReply.language),
        col(CannedReply.category_id).is_not(None),
        col(CannedReply.category_id),
        col(CannedReply.sort_order),
        col(CannedReply.id),
    )
    return list(session.exec(statement))


def offered(*, session: Session, language: str, category_id: int | None) -> list[CannedReply]:
    """The active replies a ticket's page offers: in the citizen's `language`, of the
    ticket's category first, then the general ones."""
    statement = (
        select(CannedReply)
        .where(
            CannedReply.language == language,
            col(CannedReply.active),
            or_(col(CannedReply.category_id).is_(None), CannedReply.category_id == category_id),
        )
        .order_by(
            col(CannedReply.category_id).is_(None),
            col(CannedReply.sort_order),
            col(CannedReply.id),
        )
    )
    return list(session.exec(statement))


def get(*, session: Session, reply_id: int) -> CannedReply | None:
    return session.get(CannedReply, reply_id)


def add(*, session: Session, reply_in: ReplyIn) -> CannedReply:
    """A new canned reply, last of its language and category."""
    reply = CannedReply(**_checked(session, reply_in))
    siblings = session.exec(
        select(col(CannedReply.sort_order)).where(
            CannedReply.language == reply.language, CannedReply.category_id == reply.category_id
        )
    ).all()
    reply.sort_order = max(siblings, default=0) + 1
    session.add(reply)
    session.flush()
    return reply


def edit(*, session: Session, reply: CannedReply, reply_in: ReplyIn) -> CannedReply:
    """`reply` rewritten: its language, category, title and body."""
    for field, value in _checked(session, reply_in).items():
        setattr(reply, field, value)
    reply.updated_at = clock.now()
    session.add(reply)
    session.flush()
    return reply


def category_code(*, session: Session, reply: CannedReply) -> str:
    """The code of `reply`'s category, "" for a general reply."""
    if reply.category_id is None:
        return ""
    category = session.get(Category, reply.category_id)
    return category.code if category is not None else ""


def _checked(session: Session, reply_in: ReplyIn) -> dict[str, object]:
    """`reply_in` as columns, or a DomainError naming the field at fault."""
    language = reply_in.language.strip()
    if language not in languages.codes(include_pseudo=False):
        raise DomainError("language_unknown")
    category_id = None
    if reply_in.category.strip():
        category_id = session.exec(
            select(Category.id).where(Category.code == reply_in.category.strip())
        ).first()
        if category_id is None:
            raise DomainError("category_unknown")
    title = " ".join(reply_in.title.split())
    body = reply_in.body.strip()
    if not title:
        raise DomainError("title_empty")
    if len(title) > MAX_TITLE:
        raise DomainError("title_too_long", n=MAX_TITLE)
    if not body:
        raise DomainError("text_empty")
    if len(body) > MAX_BODY or parts(body, language) > MAX_PARTS:
        raise DomainError("text_too_long", n=MAX_PARTS)
    return {
        "language": language,
        "category_id": category_id,
        "title": title,
        "body": body,
    }
