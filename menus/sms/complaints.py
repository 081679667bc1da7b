"""A complaint in one SMS of free text becomes a draft: without a district we ask
"which district?"; with one we say what we understood and the citizen confirms with
one reply ("1"), or corrects the district by sending its name. Then the ticket is
filed and the acknowledgement SMS carries the reference."""

from __future__ import annotations

from sqlmodel import Session, select

from grievance_engine import languages, messages
from grievance_engine.models import AdminArea, Category, Channel, TicketCreate
from grievance_engine.place_names import local_name
from infra.session_store import SessionStore
from infra.settings import get_settings
from menus import i18n, limits
from menus.i18n import t
from menus.sms.classify import BANGLA_DIGITS, find_category, find_district
from menus.sms.replies import SmsResult, reply
from routing import intake

DRAFT_TTL_SECONDS = 24 * 3600
CONFIRM_WORDS = {"1", *i18n.words("keywords.confirm")}
DECLINE_WORDS = {"2", *i18n.words("keywords.decline")}
KEEP_NEWER_WORDS = {"3"}  # "keep the newer complaint", when two wait


def draft_key(phone: str) -> str:
    """Where the phone's draft waits in the session store."""
    return f"sms-draft:{phone}"


def complaint(
    session: Session, store: SessionStore, phone: str, language: str, text: str, key: str
) -> SmsResult:
    """Free text becomes a draft; what is missing is asked for; a "1" files it.

    The draft (description, category, district, language) waits in the session store
    for a day. A message naming only a district fills in or corrects the district of
    the waiting draft; "1" (or YES) files it, "2" (or NO) drops it; anything else is
    a new complaint that replaces it.
    """
    waiting = draft_key(phone)
    draft = store.get(waiting)
    # "১" sends it as "1" does: a Bangla keypad types Bangla digits
    answer = text.strip().upper().strip(".!").translate(BANGLA_DIGITS)
    if draft is not None and draft.get("district") and answer in CONFIRM_WORDS:
        store.delete(waiting)
        return _file(session, phone, draft, key)
    if draft is not None and answer in DECLINE_WORDS:
        store.delete(waiting)
        return reply(session, phone, language, "cancelled", t(language, "sms.cancelled"))
    if draft is not None and draft.get("newer") and answer in KEEP_NEWER_WORDS:
        draft = draft["newer"]  # the citizen keeps the newer complaint; the older is dropped
        store.set(waiting, draft, DRAFT_TTL_SECONDS)
        return _ask_next(session, phone, draft)
    country = get_settings().country
    district_id = find_district(session, text, country)
    # A short message naming a place answers "which district?" (or corrects it).
    short = len(text.split()) <= (3 if draft and draft.get("district") else 6)
    if draft is not None and district_id is not None and short:
        draft = {**draft, "district": district_id, "newer": None}
    elif district_id is not None or draft is None or len(text.split()) > 3:
        newer = {
            "description": text,
            "category": find_category(text),
            "district": district_id,
            "language": language,
        }
        if draft is not None and draft.get("district"):
            # A new complaint while one waits for "1": never drop either silently.
            store.set(waiting, {**draft, "newer": newer}, DRAFT_TTL_SECONDS)
            return _ask_which(session, phone, draft, newer)
        draft = newer
    store.set(waiting, draft, DRAFT_TTL_SECONDS)
    return _ask_next(session, phone, draft)


def _ask_next(session: Session, phone: str, draft: dict) -> SmsResult:
    """What the draft still needs: its district, or the citizen's "1"."""
    language = draft["language"]
    if draft["district"] is None:
        return reply(session, phone, language, "asked_district", t(language, "sms.ask_district"))
    return reply(session, phone, language, "asked_confirm", _confirm_text(session, draft))


def _ask_which(session: Session, phone: str, older: dict, newer: dict) -> SmsResult:
    """Two complaints, one waiting to be sent: the citizen chooses which to keep."""
    language = newer["language"]
    body = t(
        language,
        "sms.draft_which",
        older=messages.cut_at_word(older["description"], 30),
        newer=messages.cut_at_word(newer["description"], 30),
    )
    return reply(session, phone, language, "asked_which", body)


def _confirm_text(session: Session, draft: dict) -> str:
    language = draft["language"]
    category = session.exec(select(Category).where(Category.code == draft["category"])).first()
    district = session.get(AdminArea, draft["district"])
    limit = 60 if languages.get(language).gsm7 else 25  # two SMS parts at most; UCS-2's are short
    excerpt = messages.cut_at_word(draft["description"], limit)
    return t(
        language,
        "sms.confirm",
        category=messages.category_for_citizen(category, language) if category else "",
        district=local_name(district, language),
        excerpt=excerpt,
    )


def _file(session: Session, phone: str, draft: dict, key: str) -> SmsResult:
    verdict = limits.filing_verdict(phone=phone, key=f"sms:{key}")
    if verdict is not limits.Verdict.WITHIN:
        language = draft["language"]
        text = limits.kept_text(
            session=session,
            category=draft["category"],
            district_id=draft["district"],
            description=draft["description"],
        )
        limits.keep(session=session, channel="sms", phone=phone, key=key, text=text)
        if verdict is limits.Verdict.NOTICE:
            limits.flag(session=session, phone=phone, language=language, scope="filings")
        return reply(session, phone, language, limits.OVER_LIMIT, t(language, "sms.filing_limit"))
    ticket = intake.file_grievance(
        session=session,
        ticket_in=TicketCreate(
            phone=phone,
            category_code=draft["category"],
            district_id=draft["district"],
            channel=Channel.SMS,
            language=draft["language"],
            description=draft["description"],
            source_key=f"sms:{key}",
        ),
    )
    return SmsResult("filed", ticket.id)
