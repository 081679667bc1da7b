"""What every SMS answer shares: the result kept on the inbound message row, the
keyword a message starts with, the language it is answered in, and the reply itself
(through the outbox like every other SMS: durable, retried, counted)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from grievance_engine import outbox
from grievance_engine.models import Citizen
from infra.settings import get_settings
from menus.sms.classify import BANGLA, looks_banglish


@dataclass(frozen=True)
class SmsResult:
    """What we did with one SMS (kept on the inbound message row)."""

    outcome: str  # filed, asked_district, status, not_found, stop, start, help
    ticket_id: int | None = None
    # the message's words are personal data kept elsewhere (the equity answers): the
    # inbound row keeps a marker in their place
    redacted: bool = False


def first_word(words: list[str]) -> str:
    """The keyword a message starts with, as keywords are listed: upper case, without
    the punctuation people add ("Stop.", "help!")."""
    return words[0].upper().strip(".,!:") if words else ""


def message_language(session: Session, phone: str, text: str) -> str:
    """The language to answer in: the citizen's own, once known (LANG, or what they
    wrote first), so one message in another script does not flip the replies; for
    someone new, the script they wrote in, Bangla in Latin letters counting as Bangla."""
    known = session.exec(select(Citizen.language).where(Citizen.phone == phone)).first()
    if known:
        return known
    if BANGLA.search(text) or looks_banglish(text):
        return "bn"
    return get_settings().default_language


def reply(session: Session, phone: str, language: str, outcome: str, body: str) -> SmsResult:
    outbox.add(
        session=session,
        to_phone=phone,
        body=body,
        language=language,
        kind="stop" if outcome == "stop" else "reply",
    )
    return SmsResult(outcome)
