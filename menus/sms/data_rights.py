"""A citizen's rights over their data, by SMS: `MY DATA` says what is held about the
phone (grievances, their references, whether we may write), `DELETE MY DATA` asks for
a code and, once the code comes back within ten minutes, marks the citizen for
erasure (`grievance_engine.erasure`: the phone replaced everywhere by a keyed hash;
the grievances kept for statistics). Bangla and Swahili words are the `keywords.*`
phrases of the menus catalogues; a code may be sent in Bangla digits.

The code, not a bare YES, confirms: YES already means START and "send my complaint",
and an erasure cannot be undone.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session, col, func, select

from grievance_engine import erasure, languages, refs
from grievance_engine.models import Citizen, Ticket
from infra.session_store import SessionStore
from menus import i18n
from menus.i18n import t
from menus.sms.replies import SmsResult, reply

MY_DATA = i18n.words("keywords.my_data")
DELETE_MY_DATA = i18n.words("keywords.delete_my_data")
DELETE_WORDS = i18n.words("keywords.delete_confirm")
CODE_TTL_SECONDS = 600
_DIGITS = str.maketrans(
    "".join(language.digits for language in languages.REGISTRY.values()),
    "".join(languages.ASCII_DIGITS for _language in languages.REGISTRY.values()),
)


def answer(
    session: Session, store: SessionStore, phone: str, language: str, words: list[str]
) -> SmsResult | None:
    """The answer to a data-rights message; None: the message is none."""
    said = " ".join(word.strip(".,!?।") for word in words).upper()
    if said in MY_DATA:
        return _my_data(session, phone, language)
    if said in DELETE_MY_DATA:
        code = f"{secrets.randbelow(10_000):04d}"
        store.set(_key(phone), {"code": code}, CODE_TTL_SECONDS)
        word = t(language, "keywords.delete_confirm").split(",")[0]
        body = t(language, "sms.erase_ask", word=word, code=_shown(language, code))
        return reply(session, phone, language, "erase_asked", body)
    if len(words) == 2 and words[0].upper() in DELETE_WORDS:
        return _confirm(session, store, phone, language, words[1])
    return None


def _confirm(
    session: Session, store: SessionStore, phone: str, language: str, typed: str
) -> SmsResult | None:
    pending = store.get(_key(phone))
    if pending is None:
        return None  # no erasure asked: DELETE <n> means something else
    if typed.translate(_DIGITS) != pending["code"]:
        return reply(session, phone, language, "erase_wrong_code", t(language, "sms.erase_wrong"))
    store.delete(_key(phone))
    citizen = session.exec(select(Citizen).where(Citizen.phone == phone)).first()
    if citizen is not None:
        erasure.request(session=session, citizen=citizen)
    return reply(session, phone, language, "erase_confirmed", t(language, "sms.erased"))


def _my_data(session: Session, phone: str, language: str) -> SmsResult:
    citizen = session.exec(select(Citizen).where(Citizen.phone == phone)).first()
    if citizen is None:
        return reply(session, phone, language, "my_data", t(language, "sms.my_data_none"))
    count = session.exec(select(func.count()).where(Ticket.citizen_id == citizen.id)).one()
    latest = session.exec(
        select(Ticket.ref)
        .where(Ticket.citizen_id == citizen.id)
        .order_by(col(Ticket.id).desc())
        .limit(3)
    ).all()
    state = t(language, "sms.my_data_opted_out" if citizen.opted_out else "sms.my_data_writing")
    body = t(
        language,
        "sms.my_data",
        count=_shown(language, count),
        refs=", ".join(refs.display(ref) for ref in latest) or "-",
        state=state,
    )
    return reply(session, phone, language, "my_data", body)


def _key(phone: str) -> str:
    return f"erase-code:{phone}"


def _shown(language: str, value: object) -> str:
    return languages.get(language).localize_digits(str(value))
