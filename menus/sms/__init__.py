"""SMS: keywords, and a complaint in one message of free text.

- ``STOP`` (and Twilio's synonyms, ``বন্ধ``) opts the citizen out; ``START`` opts back in.
- ``HELP`` explains; ``STATUS AB12-CD34`` (or just the reference) answers with the status.
- ``LANG BN`` / ``LANG EN`` / ``LANG SW`` (or ``ভাষা বাংলা``) sets the language we write in.
- ``INFO <words>`` (``তথ্য …``, ``TAARIFA …``) answers with a knowledge-base article
  (`menus.sms.info`).
- Officers act from their registered phone (checked first): ``ACK AB12-CD34``,
  ``RESOLVE AB12-CD34 <what was done>``, ``NOTE AB12-CD34 <text>`` (also ``গ্রহণ``,
  ``সমাধান``, ``নোট``; ``POKEA``, ``TATUA``, ``MAONI``), on the tickets
  `routing.access` lets them see (an agent of the national desk: any; an officer:
  their area's and office's). Any other phone sending a command is refused.
- A number 0-5 (or ০-৫) answers the rating question of the resolution SMS
  (`escalation.ratings`): 0 or a poor rating reopens and escalates, 3-5 closes. A
  draft waiting for "1" (below) comes first.
- Three digits (or ``SKIP``) answer the optional questions sent after a filing
  (gender, age band, disability: `menus.sms.equity`), only from a phone asked them.
- Anything else is a complaint: its district is recognised by matching the words
  against the gazetteer (names, old spellings, Bangla), its category by keywords. It
  becomes a draft: without a district we ask "which district?"; with one we say what
  we understood and the citizen confirms with one reply ("1"), or corrects the
  district by sending its name. Then the ticket is filed and the acknowledgement SMS
  carries the reference.

One module per job: `respond()` tries an officer's command (`menus.sms.commands`),
a rating (`menus.sms.rating`), a keyword (`menus.sms.keywords`), else a complaint
(`menus.sms.complaints`, read by `menus.sms.classify`). Replies go through the
outbox like every other SMS: durable, retried, counted (`menus.sms.replies`).
"""

from __future__ import annotations

from sqlmodel import Session

from infra.session_store import SessionStore
from menus import limits
from menus.sms import data_rights, equity, info, keywords
from menus.sms.classify import find_category, find_district
from menus.sms.commands import OFFICER_COMMANDS, officer_by_phone, officer_command
from menus.sms.complaints import complaint
from menus.sms.keywords import over_reply_limit
from menus.sms.rating import bare_number, named_rating, rate
from menus.sms.replies import SmsResult, first_word, message_language

__all__ = ["SmsResult", "find_category", "find_district", "respond"]


def respond(*, session: Session, store: SessionStore, phone: str, text: str, key: str) -> SmsResult:
    """Act on one SMS from `phone`; `key` identifies it (for an idempotent filing)."""
    words = text.split()
    first = first_word(words)
    # Officers' commands from their registered phones are work, not traffic to cap.
    if not (first in OFFICER_COMMANDS and officer_by_phone(session, phone) is not None):
        verdict = limits.reply_verdict(phone=phone, key=key)
        if verdict is not limits.Verdict.WITHIN:
            return over_reply_limit(session, phone, text, verdict)
    if first in OFFICER_COMMANDS:
        handled = officer_command(session, phone, OFFICER_COMMANDS[first], text)
        if handled is not None:
            return handled
    language = message_language(session, phone, text)
    answered_equity = equity.answer(session, phone, language, text)
    if answered_equity is not None:
        return answered_equity
    number, named = bare_number(text), named_rating(text)
    if number is not None or named is not None:
        rating, ref = (number, None) if named is None else named
        rated = rate(session, store, phone, language, rating, ref)
        if rated is not None:
            return rated
    answered = (
        data_rights.answer(session, store, phone, language, words)
        or info.answer(session, phone, language, words)
        or keywords.answer(session, phone, language, words)
    )
    if answered is not None:
        return answered
    return complaint(session, store, phone, language, text, key)
