"""The reply to the optional equity questions (`grievance_engine.equity_answers`):
three digits (gender, age band, disability; 0 a question skipped) or SKIP (বাদ, RUKA).

Only a phone that was asked, recently, and has not answered yet is read this way, so
three digits from anyone else stay what they were (a rating, a complaint)."""

from __future__ import annotations

from sqlmodel import Session

from grievance_engine import equity_answers
from menus.i18n import t
from menus.sms.classify import BANGLA_DIGITS
from menus.sms.replies import SmsResult, reply


def answer(session: Session, phone: str, language: str, text: str) -> SmsResult | None:
    """Keep the citizen's answers and thank them; None: not an answer to the questions."""
    said = equity_answers.parse(text.translate(BANGLA_DIGITS))
    if said is None:
        return None
    ticket = equity_answers.waiting(session=session, phone=phone)
    if ticket is None:
        return None
    gender, age_band, disability = said
    equity_answers.record(
        session=session, ticket=ticket, gender=gender, age_band=age_band, disability=disability
    )
    skipped = said == (None, None, None)
    phrase = "sms.equity_skipped" if skipped else "sms.equity_thanks"
    result = reply(session, phone, ticket.language, "equity_answer", t(ticket.language, phrase))
    # Not linked to the ticket, and its words not kept: the answers are only ever shown as
    # groups of at least k (escalation.equity), never on a ticket's conversation.
    return SmsResult(result.outcome, redacted=True)
