"""A bare number (0-5, or ০-৫) answers the rating question of the resolution SMS
(`escalation.ratings`): 0 or a poor rating reopens and escalates, 3-5 closes. A draft
waiting for "1" (send) or "2" (cancel) comes first (`menus.sms.complaints`).

When more than one ticket waits for a rating, a bare number would guess: the citizen
is asked to name it ("5 AB12"), and a number followed by the start of a reference
rates that ticket."""

from __future__ import annotations

import re

from sqlmodel import Session

from escalation import ratings
from grievance_engine import refs
from infra.session_store import SessionStore
from menus.i18n import t
from menus.sms.classify import BANGLA_DIGITS
from menus.sms.complaints import draft_key
from menus.sms.replies import SmsResult, reply

# A message that is only a number: a rating (Bangla digits too).
_NUMBER = re.compile(r"[0-9]{1,3}")
# A rating that names its ticket: "5 AB12", "৫ ab12-cd34".
_NAMED = re.compile(r"([0-9])\s+([0-9A-Za-z-]{4,9})")


def bare_number(text: str) -> int | None:
    """The number a message consists of ("4", "৪", "10."), else None."""
    tidy = text.strip().strip(".!").translate(BANGLA_DIGITS)
    return int(tidy) if _NUMBER.fullmatch(tidy) else None


def named_rating(text: str) -> tuple[int, str] | None:
    """A rating that names its ticket ("5 AB12") as (5, "AB12"), else None."""
    match = _NAMED.fullmatch(text.strip().strip(".!").translate(BANGLA_DIGITS))
    if match is None:
        return None
    return int(match.group(1)), match.group(2).upper().replace("-", "")


def rate(
    session: Session,
    store: SessionStore,
    phone: str,
    language: str,
    number: int,
    named: str | None = None,
) -> SmsResult | None:
    """A bare number rates the citizen's resolved ticket; None: not a rating after all.

    A draft waiting for "1" (send) or "2" (cancel) keeps those answers; with no ticket
    awaiting a rating, a number while a draft waits goes to the draft as before.
    """
    draft = store.get(draft_key(phone))
    if draft is not None and (
        number == 2
        or (number == 1 and draft.get("district"))
        or (number == 3 and draft.get("newer"))
    ):
        return None  # the draft's own answers: send, cancel, keep the newer one
    waiting = ratings.all_awaiting_rating(session=session, phone=phone)
    if named is not None:
        waiting = [ticket for ticket in waiting if ticket.ref.startswith(named)]
        if not waiting:
            return None  # not a rating after all: perhaps a complaint
    elif len(waiting) > 1:
        listed = ", ".join(refs.display(ticket.ref)[:4] for ticket in waiting)
        body = t(language, "sms.rating_which", refs=listed, example=waiting[0].ref[:4])
        return reply(session, phone, language, "rating_which", body)
    ticket = waiting[0] if waiting else None
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
