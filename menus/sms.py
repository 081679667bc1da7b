"""SMS: keywords, and a complaint in one message of free text.

- ``STOP`` (and Twilio's synonyms, ``বন্ধ``) opts the citizen out; ``START`` opts back in.
- ``HELP`` explains; ``STATUS AB12-CD34`` (or just the reference) answers with the status.
- Anything else is a complaint: its district is recognised by matching the words
  against the gazetteer (names, old spellings, Bangla), its category by keywords. With
  a district, the ticket is filed and the acknowledgement SMS carries the reference;
  without one, we ask "which district?" and the next SMS completes the complaint.

Replies go through the outbox like every other SMS: durable, retried, counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from grievance_engine import delivery, outbox, refs
from grievance_engine import service as ticket_service
from grievance_engine.models import (
    AdminArea,
    AdminLevel,
    Category,
    Channel,
    Citizen,
    TicketCreate,
)
from grievance_engine.sessions import SessionStore
from grievance_engine.settings import get_settings
from menus.i18n import t
from routing import gazetteer, intake

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "বন্ধ", "ACHA"}
START_WORDS = {"START", "UNSTOP", "YES", "চালু", "ANZA"}
HELP_WORDS = {"HELP", "INFO", "সাহায্য", "MSAADA"}
STATUS_WORDS = {"STATUS", "অবস্থা", "HALI"}

# Words that point to a category, per language; the first category with a hit wins.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "child_marriage": ("child marriage", "বাল্যবিবাহ", "বাল্য বিবাহ", "ndoa ya utotoni"),
    "vawc": ("violence", "abuse", "rape", "beating", "নির্যাতন", "ধর্ষণ", "unyanyasaji"),
    "corruption": ("bribe", "corruption", "ghush", "ঘুষ", "দুর্নীতি", "rushwa", "hongo"),
    "water": ("water", "tubewell", "tube well", "pani", "পানি", "নলকূপ", "maji"),
    "electricity": ("electricity", "power", "current", "load shedding", "বিদ্যুৎ", "umeme"),
    "health": (
        "hospital",
        "doctor",
        "clinic",
        "medicine",
        "হাসপাতাল",
        "ডাক্তার",
        "hospitali",
        "daktari",
        "dawa",
    ),
    "education": ("school", "teacher", "college", "স্কুল", "বিদ্যালয়", "শিক্ষক", "shule", "mwalimu"),
    "roads": ("road", "bridge", "culvert", "রাস্তা", "সেতু", "ব্রিজ", "barabara", "daraja"),
    "land": ("land", "khatian", "mutation", "জমি", "খতিয়ান", "ardhi", "shamba"),
    "law_and_order": ("police", "theft", "robbery", "thana", "পুলিশ", "চুরি", "polisi", "wizi"),
    "food_adulteration": ("adulterat", "formalin", "ভেজাল", "chakula kibovu"),
    "environment": ("pollution", "waste", "garbage", "smoke", "দূষণ", "ময়লা", "uchafuzi", "taka"),
    "social_protection": ("allowance", "relief", "vgf", "ভাতা", "ত্রাণ", "msaada wa chakula"),
}
_BANGLA = re.compile(r"[\u0980-\u09ff]")
# Split on spaces and punctuation, not on \w: Bangla vowel signs are not \w characters.
_WORD = re.compile(r"[^\s,.;:!?()\"।/]+")
DRAFT_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class SmsResult:
    """What we did with one SMS (kept on the inbound message row)."""

    outcome: str  # filed, asked_district, status, not_found, stop, start, help
    ticket_id: int | None = None


def respond(*, session: Session, store: SessionStore, phone: str, text: str, key: str) -> SmsResult:
    """Act on one SMS from `phone`; `key` identifies it (for an idempotent filing)."""
    language = _language(session, phone, text)
    words = text.split()
    first = words[0].upper().strip(".,!") if words else ""
    if first in STOP_WORDS and len(words) <= 2:
        delivery.opt_out(session=session, phone=phone, source="sms STOP")
        return _reply(session, phone, language, "stop", t(language, "sms.stopped"))
    if first in START_WORDS and len(words) <= 2:
        delivery.opt_in(session=session, phone=phone)
        return _reply(session, phone, language, "start", t(language, "sms.started"))
    if (first in HELP_WORDS and len(words) <= 2) or not words:
        return _reply(session, phone, language, "help", t(language, "sms.help"))
    if first in STATUS_WORDS or (len(words) <= 2 and refs.normalise("".join(words))):
        reference = "".join(words[1:] if first in STATUS_WORDS else words)
        return _status(session, phone, language, reference)
    return _complaint(session, store, phone, language, text, key)


def _language(session: Session, phone: str, text: str) -> str:
    if _BANGLA.search(text):
        return "bn"
    known = session.exec(select(Citizen.language).where(Citizen.phone == phone)).first()
    return known or get_settings().default_language


def _reply(session: Session, phone: str, language: str, outcome: str, body: str) -> SmsResult:
    outbox.add(
        session=session,
        to_phone=phone,
        body=body,
        language=language,
        kind="stop" if outcome == "stop" else "reply",
    )
    return SmsResult(outcome)


def _status(session: Session, phone: str, language: str, reference: str) -> SmsResult:
    ticket = ticket_service.get_by_ref(session=session, ref=reference)
    if ticket is None:
        shown = reference.upper()[:12] or "?"
        return _reply(
            session, phone, language, "not_found", t(language, "sms.not_found", ref=shown)
        )
    category = session.get(Category, ticket.category_id)
    district = session.get(AdminArea, ticket.district_id)
    body = t(
        language,
        "sms.status",
        ref=refs.display(ticket.ref),
        status=t(language, f"status.{ticket.status}"),
        category=category.label(language),
        district=district.name_local if language == "bn" and district.name_local else district.name,
    )
    result = _reply(session, phone, language, "status", body)
    return SmsResult(result.outcome, ticket.id)


def _complaint(
    session: Session, store: SessionStore, phone: str, language: str, text: str, key: str
) -> SmsResult:
    draft_key = f"sms-draft:{phone}"
    draft = store.get(draft_key)
    country = get_settings().country
    district_id = find_district(session, text, country)
    if draft is not None and district_id is not None:
        description, category = draft["description"], draft["category"]
    elif district_id is not None:
        description, category = text, find_category(text)
    else:
        # No place named: keep the complaint and ask where (the next SMS may be just
        # "Rangpur"). A second message without a district replaces the draft.
        store.set(
            draft_key, {"description": text, "category": find_category(text)}, DRAFT_TTL_SECONDS
        )
        return _reply(session, phone, language, "asked_district", t(language, "sms.ask_district"))
    store.delete(draft_key)
    ticket = intake.file_grievance(
        session=session,
        ticket_in=TicketCreate(
            phone=phone,
            category_code=category,
            district_id=district_id,
            channel=Channel.SMS,
            language=language,
            description=description,
            source_key=f"sms:{key}",
        ),
    )
    return SmsResult("filed", ticket.id)


def find_category(text: str) -> str:
    """The category whose keywords the text mentions first in our order, else "other"."""
    folded = text.casefold()
    for code, keywords in CATEGORY_KEYWORDS.items():
        if any(keyword in folded for keyword in keywords):
            return code
    return "other"


def find_district(session: Session, text: str, country: str) -> int | None:
    """A district named in the text: exact names first (longest phrase), then fuzzy."""
    words = _WORD.findall(text)
    phrases = [
        " ".join(words[start : start + size])
        for size in (3, 2, 1)
        for start in range(len(words) - size + 1)
    ]
    fuzzy_pick = None
    for phrase in phrases:
        if len(phrase) < 3 or phrase.isdigit():
            continue
        match = gazetteer.match_area(session=session, text=phrase, country=country)
        if match.area_id is not None and match.score == 100:
            return match.area_id
        if match.area_id is not None and fuzzy_pick is None and len(phrase) >= 5:
            fuzzy_pick = match.area_id
    return fuzzy_pick or _district_of_named_upazila(session, phrases, country)


def _district_of_named_upazila(session: Session, phrases: list[str], country: str) -> int | None:
    """People often name their upazila, not their district ("Mithapukur")."""
    for phrase in phrases:
        if len(phrase) < 4:
            continue
        match = gazetteer.match_area(
            session=session, text=phrase, country=country, level=AdminLevel.UPAZILA
        )
        if match.area_id is not None and match.score == 100:
            return session.get(AdminArea, match.area_id).parent_id
    return None
