"""A bare number (0-5, or ০-৫) answers the rating question of the resolution SMS
(`escalation.ratings`): 0 or a poor rating reopens and escalates, 3-5 closes. A draft
waiting for "1" (send) or "2" (cancel) comes first (`menus.sms.complaints`)."""

from __future__ import annotations

import re

from sqlmodel import Session

from escalation import ratings
from infra.session_store import SessionStore
from menus.i18n import t
from menus.sms.classify import BANGLA_DIGITS
from menus.sms.complaints import draft_key
from menus.sms.replies import SmsResult, reply

# A message that is only a number: a rating (Bangla digits too).
_NUMBER = re.compile(r"[0-9]{1,3}")


def bare_number(text: str) -> int | None:
    """The number a message consists of ("4", "৪", "10."), else None."""
    tidy = text.strip().strip(".!").translate(BANGLA_DIGITS)
    return int(tidy) if _NUMBER.fullmatch(tidy) else None


def rate(
    session: Session, store: SessionStore, phone: str, language: str, number: int
) -> SmsResult | None:
    """A bare number rates the citizen's resolved ticket; None: not a rating after all.

    A draft waiting for "1" (send) or "2" (cancel) keeps those answers; with no ticket
    awaiting a rating, a number while a draft waits goes to the draft as before.
    """
    draft = store.get(draft_key(phone))
    if draft is not None and (number == 2 or (number == 1 and draft.get("district"))):
        return None
    ticket = ratings.awaiting_rating(session=session, phone=phone)
    if ticket is None:
        if draft is not None:
            return None
        return reply(session, phone, language, "not_rating", t(language, "sms.rating_none"))
    if not ratings.LOWEST <= number <= ratings.HIGHEST:
        return reply(
            session, phone, ticket.language, "bad_rating", t(ticket.language, "sms.rating_range")
        )
    outcome = ratings.rate(session=session, ticket=ticket, rating=number, actor="citizen:sms")
    return SmsResult(f"rated_{outcome.outcome}", ticket.id)
