"""SMS: keywords, and a complaint in one message of free text.

- ``STOP`` (and Twilio's synonyms, ``বন্ধ``) opts the citizen out; ``START`` opts back in.
- ``HELP`` explains; ``STATUS AB12-CD34`` (or just the reference) answers with the status.
- ``LANG BN`` / ``LANG EN`` / ``LANG SW`` (or ``ভাষা বাংলা``) sets the language we write in.
- Officers act from their registered phone (checked first): ``ACK AB12-CD34``,
  ``RESOLVE AB12-CD34 <what was done>``, ``NOTE AB12-CD34 <text>`` (also ``গ্রহণ``,
  ``সমাধান``, ``নোট``; ``POKEA``, ``TATUA``, ``MAONI``), on the tickets
  `routing.access` lets them see (an agent of the national desk: any; an officer:
  their area's and office's). Any other phone sending a command is refused.
- A number 0-5 (or ০-৫) answers the rating question of the resolution SMS
  (`escalation.ratings`): 0 or a poor rating reopens and escalates, 3-5 closes. A
  draft waiting for "1" (below) comes first.
- Anything else is a complaint: its district is recognised by matching the words
  against the gazetteer (names, old spellings, Bangla), its category by keywords. It
  becomes a draft: without a district we ask "which district?"; with one we say what
  we understood and the citizen confirms with one reply ("1"), or corrects the
  district by sending its name. Then the ticket is filed and the acknowledgement SMS
  carries the reference.

Replies go through the outbox like every other SMS: durable, retried, counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from escalation import deadlines, ratings
from escalation.notify import OFFICER_ROLES
from grievance_engine import actions, events, lifecycle, outbox, refs, undelivered
from grievance_engine import service as ticket_service
from grievance_engine.lifecycle import TransitionError
from grievance_engine.models import (
    AdminArea,
    AdminLevel,
    Category,
    Channel,
    Citizen,
    Ticket,
    TicketCreate,
    User,
)
from infra.session_store import SessionStore
from infra.settings import get_settings
from menus import limits
from menus.i18n import t
from routing import access, gazetteer, intake

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "বন্ধ", "ACHA"}
START_WORDS = {"START", "UNSTOP", "YES", "চালু", "ANZA"}
HELP_WORDS = {"HELP", "INFO", "সাহায্য", "MSAADA"}
STATUS_WORDS = {"STATUS", "অবস্থা", "HALI"}
LANG_WORDS = {"LANG", "LANGUAGE", "ভাষা", "LUGHA"}
# What people write after LANG: a code, or the language's name in any of ours.
LANGUAGE_NAMES = {
    "BN": "bn", "BANGLA": "bn", "BENGALI": "bn", "বাংলা": "bn",
    "EN": "en", "ENGLISH": "en", "ইংরেজি": "en", "KIINGEREZA": "en",
    "SW": "sw", "SWAHILI": "sw", "KISWAHILI": "sw",
}  # fmt: skip

# Words that point to a category, per language (English, Banglish, Bangla, Swahili);
# the first category with a hit wins, so the urgent ones come first. A keyword matches
# whole words only ("rape" is not in "grapes", "road" not in "abroad"): an English one
# also with a plural "s", a Bangla one also with a case ending ("পানির"), one ending
# in "*" as a prefix ("adulterat*"), and one with a space as a phrase.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "child_marriage": ("child marriage", "balyabibaho", "বাল্যবিবাহ", "বাল্য বিবাহ",
                       "ndoa ya utotoni"),
    "vawc": ("violence", "abuse", "rape", "beating", "nirjaton", "নির্যাতন", "ধর্ষণ",
             "unyanyasaji", "ubakaji"),
    "corruption": ("bribe", "corruption", "ghush", "ghus", "ঘুষ", "দুর্নীতি", "rushwa",
                   "hongo"),
    "water": ("water", "tubewell", "tube well", "pani", "পানি", "নলকূপ", "maji"),
    "electricity": ("electricity", "power", "current", "load shedding", "bidyut", "biddut",
                    "বিদ্যুৎ", "কারেন্ট", "umeme", "stima"),
    "health": ("hospital", "doctor", "clinic", "medicine", "daktar", "হাসপাতাল", "ডাক্তার",
               "hospitali", "daktari", "dawa", "zahanati"),
    "education": ("school", "teacher", "college", "স্কুল", "বিদ্যালয়", "শিক্ষক", "shule",
                  "mwalimu", "walimu"),
    "roads": ("road", "bridge", "culvert", "rasta", "রাস্তা", "সেতু", "ব্রিজ", "barabara",
              "daraja"),
    "land": ("land", "khatian", "mutation", "jomi", "জমি", "খতিয়ান", "ardhi", "shamba"),
    "law_and_order": ("police", "theft", "robbery", "thana", "পুলিশ", "চুরি", "polisi",
                      "wizi"),
    "food_adulteration": ("adulterat*", "formalin", "ভেজাল", "chakula kibovu"),
    "environment": ("pollution", "waste", "garbage", "smoke", "দূষণ", "ময়লা", "uchafuzi",
                    "takataka"),  # not "taka": Swahili for rubbish, Bangladesh's currency
    "social_protection": ("allowance", "relief", "vgf", "bhata", "ভাতা", "ত্রাণ",
                          "msaada wa chakula"),
}  # fmt: skip
# Words whose meaning depends on the country: in Kenya "taka" is rubbish.
COUNTRY_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "KE": {"environment": ("taka",)},
}
_BANGLA = re.compile(r"[\u0980-\u09ff]")
# Split on spaces and punctuation, not on \w: Bangla vowel signs are not \w characters.
_WORD = re.compile(r"[^\s,.;:!?()\"।/]+")
DRAFT_TTL_SECONDS = 24 * 3600
CONFIRM_WORDS = {"1", "YES", "Y", "OK", "SEND", "হ্যাঁ", "হা", "জি", "NDIYO", "SAWA", "TUMA"}
DECLINE_WORDS = {"2", "NO", "N", "না", "HAPANA"}
# Officers' commands, in English, Bangla and Swahili.
OFFICER_COMMANDS = {
    "ACK": "ack", "ACKNOWLEDGE": "ack", "গ্রহণ": "ack", "POKEA": "ack",
    "RESOLVE": "resolve", "RESOLVED": "resolve", "সমাধান": "resolve", "TATUA": "resolve",
    "NOTE": "note", "নোট": "note", "MAONI": "note",
}  # fmt: skip
# What each command does, as `routing.access` names it.
_COMMAND_ACTIONS = {
    "ack": access.Action.ACK,
    "resolve": access.Action.RESOLVE,
    "note": access.Action.NOTE,
}
# "<command> <ref> [text]"; a reference may be typed with a space ("AB12 CD34").
_COMMAND = re.compile(r"\s*(\S+)(?:\s+(\S+))?(?:\s+(.*))?", re.DOTALL)
_REF_LIKE = re.compile(r"[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}")
# A message that is only a number: a rating (Bangla digits too).
_NUMBER = re.compile(r"[0-9]{1,3}")
_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


@dataclass(frozen=True)
class SmsResult:
    """What we did with one SMS (kept on the inbound message row)."""

    outcome: str  # filed, asked_district, status, not_found, stop, start, help
    ticket_id: int | None = None


def respond(*, session: Session, store: SessionStore, phone: str, text: str, key: str) -> SmsResult:
    """Act on one SMS from `phone`; `key` identifies it (for an idempotent filing)."""
    words = text.split()
    first = words[0].upper().strip(".,!:") if words else ""
    # Officers' commands from their registered phones are work, not traffic to cap.
    if not (first in OFFICER_COMMANDS and _officer_by_phone(session, phone) is not None):
        verdict = limits.reply_verdict(phone=phone, key=key)
        if verdict is not limits.Verdict.WITHIN:
            return _over_reply_limit(session, phone, text, verdict)
    if first in OFFICER_COMMANDS:
        handled = _officer_command(session, phone, OFFICER_COMMANDS[first], text)
        if handled is not None:
            return handled
    language = _language(session, phone, text)
    number = _number(text)
    if number is not None:
        rated = _rating(session, store, phone, language, number)
        if rated is not None:
            return rated
    if first in STOP_WORDS and len(words) <= 2:
        undelivered.opt_out(session=session, phone=phone, source="sms STOP")
        return _reply(session, phone, language, "stop", t(language, "sms.stopped"))
    if first in START_WORDS and len(words) <= 2:
        undelivered.opt_in(session=session, phone=phone)
        return _reply(session, phone, language, "start", t(language, "sms.started"))
    if (first in HELP_WORDS and len(words) <= 2) or not words:
        return _reply(session, phone, language, "help", t(language, "sms.help"))
    if first in LANG_WORDS and len(words) <= 2:
        return _set_language(session, phone, language, words[1:])
    if first in STATUS_WORDS or (len(words) <= 2 and refs.normalise("".join(words))):
        reference = "".join(words[1:] if first in STATUS_WORDS else words)
        return _status(session, phone, language, reference)
    return _complaint(session, store, phone, language, text, key)


def _over_reply_limit(
    session: Session, phone: str, text: str, verdict: limits.Verdict
) -> SmsResult:
    """Over the reply limit: the message stays recorded (its outcome says so) and is not
    acted on, except STOP, which is always honoured. The first one gets one notice and
    leaves an agent a call-back task."""
    words = text.split()
    language = _language(session, phone, text)
    if words and words[0].upper().strip(".,!:") in STOP_WORDS and len(words) <= 2:
        undelivered.opt_out(session=session, phone=phone, source="sms STOP")
    if verdict is limits.Verdict.QUIET:
        return SmsResult(limits.OVER_LIMIT)
    limits.flag(session=session, phone=phone, language=language, scope="replies")
    return _reply(session, phone, language, limits.OVER_LIMIT, t(language, "sms.reply_limit"))


def _number(text: str) -> int | None:
    """The number a message consists of ("4", "৪", "10."), else None."""
    tidy = text.strip().strip(".!").translate(_BANGLA_DIGITS)
    return int(tidy) if _NUMBER.fullmatch(tidy) else None


def _rating(
    session: Session, store: SessionStore, phone: str, language: str, number: int
) -> SmsResult | None:
    """A bare number rates the citizen's resolved ticket; None: not a rating after all.

    A draft waiting for "1" (send) or "2" (cancel) keeps those answers; with no ticket
    awaiting a rating, a number while a draft waits goes to the draft as before.
    """
    draft = store.get(f"sms-draft:{phone}")
    if draft is not None and (number == 2 or (number == 1 and draft.get("district"))):
        return None
    ticket = ratings.awaiting_rating(session=session, phone=phone)
    if ticket is None:
        if draft is not None:
            return None
        return _reply(session, phone, language, "not_rating", t(language, "sms.rating_none"))
    if not ratings.LOWEST <= number <= ratings.HIGHEST:
        return _reply(
            session, phone, ticket.language, "bad_rating", t(ticket.language, "sms.rating_range")
        )
    outcome = ratings.rate(session=session, ticket=ticket, rating=number, actor="citizen:sms")
    return SmsResult(f"rated_{outcome.outcome}", ticket.id)


def _officer_command(session: Session, phone: str, command: str, text: str) -> SmsResult | None:
    """ACK, RESOLVE or NOTE from an officer's phone; a refusal from anyone else's.

    None: not a command after all (a citizen writing "Note: no water in Rangpur…"
    without a reference is filing a complaint, not trying to act on one).
    """
    _, ref_text, rest = _COMMAND.fullmatch(text).groups()
    user = _officer_by_phone(session, phone)
    if user is None:
        if ref_text is not None and not _REF_LIKE.fullmatch(ref_text.strip(".,!:")):
            return None
        language = _language(session, phone, text)
        return _reply(session, phone, language, "officer_refused", t(language, "sms.officer_only"))
    language = user.language
    usage = t(language, f"sms.officer_usage_{command}")
    if ref_text is None:
        return _officer_reply(session, user, "officer_usage", usage)
    if refs.normalise(ref_text) is None and rest:  # "AB12 CD34 text": a ref with a space
        joined, _, after = rest.partition(" ")
        if refs.normalise(ref_text + joined) is not None:
            ref_text, rest = ref_text + joined, after
    ticket = ticket_service.get_by_ref(session=session, ref=ref_text)
    shown = ref_text.upper()[:12]
    who = access.actor_for_user(session=session, user=user)
    action = _COMMAND_ACTIONS[command]
    if ticket is None:
        near = [
            each
            for each in ticket_service.did_you_mean(session=session, text=ref_text)
            if access.may(who, ticket_service.get_by_ref(session=session, ref=each), action)
        ]
        if near:
            body = t(language, "sms.officer_did_you_mean", ref=shown, refs=", ".join(near))
        else:
            body = t(language, "sms.officer_not_found", ref=shown)
        return _officer_reply(session, user, "officer_not_found", body)
    ref = refs.display(ticket.ref)
    if not access.may(who, ticket, action):
        return _officer_reply(
            session, user, "officer_not_yours", t(language, "sms.officer_not_yours", ref=ref)
        )
    rest = (rest or "").strip()
    if command in ("resolve", "note") and not rest:
        return _officer_reply(session, user, "officer_usage", usage)
    actor = f"user:{user.id}"
    if command == "note":
        try:
            actions.comment(session=session, ticket=ticket, actor=actor, text=rest)
        except ValueError as exc:
            return _officer_reply(session, user, "officer_refused", f"Nalish 333: {ref}: {exc}.")
        return _officer_reply(
            session, user, "officer_noted", t(language, "sms.officer_noted", ref=ref), ticket
        )
    events.lock(session=session, ticket=ticket)  # read its status afresh, hold it
    if ticket.status not in lifecycle.OPEN:
        status = t(language, f"status.{ticket.status}")
        body = t(language, "sms.officer_not_open", ref=ref, status=status)
        return _officer_reply(session, user, "officer_not_open", body, ticket)
    if command == "resolve":
        try:
            actions.resolve(session=session, ticket=ticket, actor=actor, what_was_done=rest)
        except TransitionError as exc:
            return _officer_reply(session, user, "officer_refused", f"Nalish 333: {ref}: {exc}.")
        body = t(language, "sms.officer_resolved", ref=ref)
        return _officer_reply(session, user, "officer_resolved", body, ticket)
    return _acknowledge(session, user, ticket, actor)


def _acknowledge(session: Session, user: User, ticket: Ticket, actor: str) -> SmsResult:
    """ACK: the resolve deadline replaces the acknowledge one, and work has started."""
    ref = refs.display(ticket.ref)
    if not deadlines.take_up(session, ticket, actor=actor, via="sms", by=user):
        body = t(user.language, "sms.officer_already_acked", ref=ref)
        return _officer_reply(session, user, "officer_acked", body, ticket)
    due = (
        ticket.sla_due_at.astimezone(get_settings().tz).strftime("%d/%m %H:%M")
        if ticket.sla_due_at
        else ""
    )
    key = "sms.officer_acked_due" if due else "sms.officer_acked"
    return _officer_reply(
        session, user, "officer_acked", t(user.language, key, ref=ref, due=due), ticket
    )


def _officer_by_phone(session: Session, phone: str) -> User | None:
    """The registered, active officer, agent or supervisor whose phone this is."""
    return session.exec(
        select(User).where(User.phone == phone, col(User.active), col(User.role).in_(OFFICER_ROLES))
    ).first()


def _officer_reply(
    session: Session, user: User, outcome: str, body: str, ticket: Ticket | None = None
) -> SmsResult:
    # An answer to the officer's own command: sent even if this phone once sent STOP
    # as a citizen, and never held for quiet hours (the "officer_" kind).
    outbox.add(
        session=session,
        to_phone=user.phone,
        body=body,
        language=user.language,
        kind="officer_reply",
        opted_out=False,
    )
    return SmsResult(outcome, ticket.id if ticket is not None else None)


def _set_language(session: Session, phone: str, language: str, rest: list[str]) -> SmsResult:
    """`LANG BN`: write to this phone in Bangla from now on (menus too)."""
    chosen = LANGUAGE_NAMES.get(rest[0].upper().strip(".,!")) if rest else None
    if chosen is None:
        return _reply(session, phone, language, "help", t(language, "sms.language_help"))
    ticket_service.get_or_create_citizen(session=session, phone=phone, language=chosen)
    return _reply(session, phone, chosen, "language", t(chosen, "sms.language_set"))


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
    """Free text becomes a draft; what is missing is asked for; a "1" files it.

    The draft (description, category, district, language) waits in the session store
    for a day. A message naming only a district fills in or corrects the district of
    the waiting draft; "1" (or YES) files it, "2" (or NO) drops it; anything else is
    a new complaint that replaces it.
    """
    draft_key = f"sms-draft:{phone}"
    draft = store.get(draft_key)
    # "১" sends it as "1" does: a Bangla keypad types Bangla digits
    answer = text.strip().upper().strip(".!").translate(_BANGLA_DIGITS)
    if draft is not None and draft.get("district") and answer in CONFIRM_WORDS:
        store.delete(draft_key)
        return _file(session, phone, draft, key)
    if draft is not None and answer in DECLINE_WORDS:
        store.delete(draft_key)
        return _reply(session, phone, language, "cancelled", t(language, "sms.cancelled"))
    country = get_settings().country
    district_id = find_district(session, text, country)
    # A short message naming a place answers "which district?" (or corrects it).
    short = len(text.split()) <= (3 if draft and draft.get("district") else 6)
    if draft is not None and district_id is not None and short:
        draft = {**draft, "district": district_id}
    elif district_id is not None or draft is None or len(text.split()) > 3:
        draft = {
            "description": text,
            "category": find_category(text),
            "district": district_id,
            "language": language,
        }
    store.set(draft_key, draft, DRAFT_TTL_SECONDS)
    language = draft.get("language", language)
    if draft["district"] is None:
        return _reply(session, phone, language, "asked_district", t(language, "sms.ask_district"))
    return _reply(session, phone, language, "asked_confirm", _confirm_text(session, draft))


def _confirm_text(session: Session, draft: dict) -> str:
    language = draft["language"]
    category = session.exec(select(Category).where(Category.code == draft["category"])).first()
    district = session.get(AdminArea, draft["district"])
    tidy = " ".join(draft["description"].split())
    limit = 25 if language == "bn" else 60  # two SMS parts at most, Bangla's are short
    excerpt = tidy if len(tidy) <= limit else tidy[: limit - 3] + "..."
    return t(
        language,
        "sms.confirm",
        category=category.label(language) if category else draft["category"],
        district=district.name_local if language == "bn" and district.name_local else district.name,
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
        return _reply(session, phone, language, limits.OVER_LIMIT, t(language, "sms.filing_limit"))
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


def find_category(text: str, country: str | None = None) -> str:
    """The category whose keywords the text mentions first in our order, else "other"."""
    words = [word.casefold() for word in _WORD.findall(text)]
    phrase = f" {' '.join(words)} "
    extra = COUNTRY_KEYWORDS.get(country or get_settings().country, {})
    for code, keywords in CATEGORY_KEYWORDS.items():
        every = (*keywords, *extra.get(code, ()))
        if any(_mentions(keyword, words, phrase) for keyword in every):
            return code
    return "other"


def _mentions(keyword: str, words: list[str], phrase: str) -> bool:
    if " " in keyword:
        return f" {keyword} " in phrase
    if keyword.endswith("*"):
        return any(word.startswith(keyword[:-1]) for word in words)
    if _BANGLA.search(keyword):
        return any(word.startswith(keyword) for word in words)  # পানির, রাস্তায়
    return keyword in words or f"{keyword}s" in words


# Free text is full of ordinary words; a misspelt place must be closer than on a
# screen that asked for one ("nature" is not Natore).
FREE_TEXT_FUZZY_SCORE = 85
# Bangla case endings people attach to a place: রংপুরে, কুমিল্লায়, পাবনার, ঢাকাতে.
_BANGLA_ENDINGS = ("য়ে", "তে", "ের", "এর", "ে", "য়", "র", "কে")


def find_district(session: Session, text: str, country: str) -> int | None:
    """A district named in the text: an exact district name or alias (the longest phrase
    first), else an exact upazila name (its district), else a close misspelling."""
    words = _WORD.findall(text)
    phrases = [
        " ".join(words[start : start + size])
        for size in (3, 2, 1)
        for start in range(len(words) - size + 1)
    ]
    phrases = [p for p in phrases if len(p) >= 3 and not p.isdigit()]
    for phrase in phrases:
        for form in _forms(phrase):
            ids = gazetteer.exact_ids(
                session=session, text=form, country=country, level=AdminLevel.DISTRICT
            )
            if len(ids) == 1:
                return ids[0]
    district = _district_of_named_upazila(session, phrases, country)
    if district is not None:
        return district
    for phrase in phrases:
        if len(phrase) >= 5 and phrase.count(" ") < 2:
            area_id = gazetteer.close_id(
                session=session,
                text=phrase,
                country=country,
                level=AdminLevel.DISTRICT,
                score_cutoff=FREE_TEXT_FUZZY_SCORE,
            )
            if area_id is not None:
                return area_id
    return None


def _forms(phrase: str) -> list[str]:
    """The phrase, and for Bangla, the phrase without a case ending."""
    if not _BANGLA.search(phrase):
        return [phrase]
    return [phrase, *(phrase[: -len(end)] for end in _BANGLA_ENDINGS if phrase.endswith(end))]


def _district_of_named_upazila(session: Session, phrases: list[str], country: str) -> int | None:
    """People often name their upazila, not their district ("Mithapukur")."""
    for phrase in phrases:
        if len(phrase) < 4:
            continue
        for form in _forms(phrase):
            ids = gazetteer.exact_ids(
                session=session, text=form, country=country, level=AdminLevel.UPAZILA
            )
            districts = {
                gazetteer.parent_id(
                    session=session, area_id=area_id, country=country, level=AdminLevel.UPAZILA
                )
                for area_id in ids
            }
            if len(districts) == 1:  # not a name four upazilas share, like Kaliganj
                return districts.pop()
    return None
