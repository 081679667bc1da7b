"""A citizen's keywords: ``STOP`` (and Twilio's synonyms, ``বন্ধ``) opts the citizen
out, ``START`` opts back in, ``HELP`` explains, ``LANG BN`` / ``LANG EN`` / ``LANG SW``
(or ``ভাষা বাংলা``) sets the language we write in, ``STATUS AB12-CD34`` (or just the
reference) answers with the status, ``APPEAL AB12-CD34`` (``আপিল``, ``RUFAA``) appeals a
rejection or a resolution one level up (`escalation.appeals`). Over the reply limit,
only STOP is acted on."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from escalation import appeals, notify
from grievance_engine import languages, messages, refs, undelivered
from grievance_engine import service as ticket_service
from grievance_engine.models import AdminArea, Category
from grievance_engine.place_names import local_name
from infra.settings import get_settings
from menus import i18n, limits
from menus.i18n import t
from menus.sms.replies import SmsResult, first_word, message_language, reply

# Keywords in every offered language: the `keywords.*` phrases of the menus catalogues.
STOP_WORDS = i18n.words("keywords.stop")  # with Twilio's synonyms
START_WORDS = i18n.words("keywords.start")
HELP_WORDS = i18n.words("keywords.help")
STATUS_WORDS = i18n.words("keywords.status")
LANG_WORDS = i18n.words("keywords.language")
APPEAL_WORDS = i18n.words("keywords.appeal")
# What people write after LANG: a code, or the language's name in any of ours.
LANGUAGE_NAMES = i18n.language_names()


def answer(session: Session, phone: str, language: str, words: list[str]) -> SmsResult | None:
    """The answer to a keyword message; None: the message is no keyword."""
    first = first_word(words)
    if first in STOP_WORDS and len(words) <= 2:
        undelivered.opt_out(session=session, phone=phone, source="sms STOP")
        return reply(session, phone, language, "stop", t(language, "sms.stopped"))
    if first in START_WORDS and len(words) <= 2:
        undelivered.opt_in(session=session, phone=phone)
        return reply(session, phone, language, "start", t(language, "sms.started"))
    if (first in HELP_WORDS and len(words) <= 2) or not words:
        return reply(session, phone, language, "help", t(language, "sms.help"))
    if first in LANG_WORDS and len(words) <= 2:
        return set_language(session, phone, language, words[1:])
    if first in APPEAL_WORDS and len(words) >= 2:
        return answer_appeal(session, phone, language, "".join(words[1:]))
    if first in STATUS_WORDS and len(words) == 1:
        return answer_open_refs(session, phone, language)
    if first in STATUS_WORDS or (len(words) <= 2 and refs.normalise("".join(words))):
        reference = "".join(words[1:] if first in STATUS_WORDS else words)
        return answer_status(session, phone, language, reference)
    return None


def over_reply_limit(session: Session, phone: str, text: str, verdict: limits.Verdict) -> SmsResult:
    """Over the reply limit: the message stays recorded (its outcome says so) and is not
    acted on, except STOP, which is always honoured. The first one gets one notice and
    leaves an agent a call-back task."""
    words = text.split()
    language = message_language(session, phone, text)
    if first_word(words) in STOP_WORDS and len(words) <= 2:
        undelivered.opt_out(session=session, phone=phone, source="sms STOP")
    if verdict is limits.Verdict.QUIET:
        return SmsResult(limits.OVER_LIMIT)
    limits.flag(session=session, phone=phone, language=language, scope="replies")
    return reply(session, phone, language, limits.OVER_LIMIT, t(language, "sms.reply_limit"))


def set_language(session: Session, phone: str, language: str, rest: list[str]) -> SmsResult:
    """`LANG BN`: write to this phone in Bangla from now on (menus too)."""
    chosen = LANGUAGE_NAMES.get(rest[0].upper().strip(".,!")) if rest else None
    country = get_settings().country
    if chosen is None or chosen not in languages.offered_in(country):
        # only the languages of this country (no Kiswahili in Bangladesh), each by its
        # own name: "LANG BN (বাংলা), LANG EN (English)"
        choices = ", ".join(
            f"LANG {code.upper()} ({languages.get(code).native_name})"
            for code in languages.offered_in(country)
        )
        body = t(language, "sms.language_help", choices=choices)
        return reply(session, phone, language, "help", body)
    ticket_service.get_or_create_citizen(session=session, phone=phone, language=chosen)
    return reply(session, phone, chosen, "language", t(chosen, "sms.language_set"))


def answer_status(session: Session, phone: str, language: str, reference: str) -> SmsResult:
    ticket = ticket_service.get_by_ref(session=session, ref=reference)
    if ticket is None:
        shown = reference.upper()[:12] or "?"
        return reply(session, phone, language, "not_found", t(language, "sms.not_found", ref=shown))
    category = session.get(Category, ticket.category_id)
    district = session.get(AdminArea, ticket.district_id)
    values = dict(
        ref=refs.display(ticket.ref),
        status=t(language, f"status.{ticket.status}"),
        category=messages.category_for_citizen(category, language),
        district=local_name(district, language),
    )
    office = notify.office_as_read(session, ticket)
    if ticket.sla_due_at is not None and office:  # which office holds it, and by when
        body = t(language, "sms.status_held", office=office,
                 date=_local_date(ticket.sla_due_at, language), **values)  # fmt: skip
    else:
        body = t(language, "sms.status", **values)
    result = reply(session, phone, language, "status", body)
    return SmsResult(result.outcome, ticket.id)


def answer_appeal(session: Session, phone: str, language: str, reference: str) -> SmsResult:
    """`APPEAL <ref>`: the citizen's own rejected or resolved ticket goes one level up
    with the appeal's 20 working days; the reply names the office and the date."""
    ticket = ticket_service.get_by_ref(session=session, ref=reference)
    if ticket is None or ticket_service.citizen_phone(session=session, ticket=ticket) != phone:
        shown = reference.upper()[:12] or "?"
        return reply(session, phone, language, "not_found", t(language, "sms.not_found", ref=shown))
    shown = refs.display(ticket.ref)
    try:
        appealed = appeals.appeal(session=session, ticket=ticket, actor="citizen:sms")
    except appeals.AppealError:
        return reply(
            session, phone, language, "appeal", t(language, "sms.appeal_refused", ref=shown)
        )
    body = messages.render_sms(
        "appealed",
        language,
        ref=shown,
        office=notify.office_as_read(session, ticket),
        date=_local_date(appealed.due_at, language),
    )
    result = reply(session, phone, language, "appeal", body)
    return SmsResult(result.outcome, ticket.id)


def answer_open_refs(session: Session, phone: str, language: str) -> SmsResult:
    """A bare `STATUS`: the phone's open references, newest first."""
    open_refs = ticket_service.open_refs_for_phone(session=session, phone=phone)
    if not open_refs:
        return reply(session, phone, language, "status", t(language, "sms.no_open_refs"))
    shown = ", ".join(refs.display(ref) for ref in open_refs)
    return reply(session, phone, language, "status", t(language, "sms.open_refs", refs=shown))


def _local_date(moment: datetime, language: str) -> str:
    """A deadline's day as the reader writes it: 27/03/2026, ২৭/০৩/২০২৬."""
    day = moment.astimezone(get_settings().tz).strftime("%d/%m/%Y")
    return languages.get(language).localize_digits(day)
