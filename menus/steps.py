"""The named steps menu definitions may use: where a list comes from (`SOURCES`), how a
typed answer is checked (`CHECKS`) or understood (`TEXT_HANDLERS`), what a confirmed
step does (`ACTIONS`) and when a node applies (`CONDITIONS`).

Definitions name these; `menus.definition` refuses a name that is not here. A new kind
of step is a function here and a line in its registry, nothing more. Steps read and
write `conversation.data`, so what a citizen said survives between hops and channels.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from escalation import notify
from grievance_engine import callbacks, equity_answers, knowledge, outbox, refs
from grievance_engine import languages as language_registry
from grievance_engine import service as ticket_service
from grievance_engine.models import AdminArea, Category, Channel, Ticket, TicketCreate
from grievance_engine.place_names import local_name
from infra import caching
from infra.settings import get_settings
from menus import limits, live, text
from menus.engine import Conversation, Finish, Goto, Option, Outcome, Retry
from menus.provision import provision
from menus.schema import Definition
from routing import gazetteer, intake

# Categories whose reporters may stay anonymous: officers see neither name nor number,
# and follow-up SMS still reach the citizen.
ANONYMOUS_CATEGORIES = frozenset({"corruption", "vawc", "child_marriage"})

# ---------------------------------------------------------------------------
# Sources: the options of a `choose` node
# ---------------------------------------------------------------------------

# Category and place lists change only when an admin edits them, yet every screen
# shows one: keep them per process for a minute instead of querying on every hop.
LIST_TTL_SECONDS = 60.0
_lists: dict[tuple[Any, ...], tuple[float, list[Option]]] = caching.keyed()


def _memo(key: tuple[Any, ...], load: Callable[[], list[Option]]) -> list[Option]:
    key = (get_settings().database_url, *key)
    now = time.monotonic()
    hit = _lists.get(key)
    if hit is not None and now - hit[0] < LIST_TTL_SECONDS:
        return hit[1]
    options = load()
    _lists[key] = (now, options)
    return options


def area_label(language: str, area: AdminArea) -> str:
    return local_name(area, language)


def languages(conversation: Conversation) -> list[Option]:
    """The languages people speak here, theirs first."""
    offered = language_registry.offered_in(get_settings().country)
    return [Option(code, language_registry.get(code).native_name) for code in offered]


def categories(conversation: Conversation) -> list[Option]:
    """The helpline's categories (a campaign's own category has its own menu entry)."""
    hidden = live.campaign_category_codes()

    def load() -> list[Option]:
        # Sensitive categories (corruption, violence, child marriage) lead the list, so
        # they are on the first page in every language: a reporter at risk should not
        # page through four screens to find them.
        statement = (
            select(Category)
            .where(col(Category.active))
            .order_by(col(Category.sensitive).desc(), col(Category.sort_order))
        )
        return [
            Option(category.code, category.label(conversation.language))
            for category in conversation.session.exec(statement)
        ]

    return [
        option
        for option in _memo(("categories", conversation.language), load)
        if option.value not in hidden
    ]


def divisions(conversation: Conversation) -> list[Option]:
    country = get_settings().country

    def load() -> list[Option]:
        areas = gazetteer.divisions(session=conversation.session, country=country)
        return [Option(area.id, area_label(conversation.language, area)) for area in areas]

    return _memo(("divisions", country, conversation.language), load)


def districts(conversation: Conversation) -> list[Option]:
    """The districts of the chosen division, or of the whole country."""
    return district_list(conversation, conversation.data.get("division"))


def district_list(conversation: Conversation, division: int | None) -> list[Option]:
    country = get_settings().country

    def load() -> list[Option]:
        areas = gazetteer.districts(
            session=conversation.session, country=country, division_id=division
        )
        return [Option(area.id, area_label(conversation.language, area)) for area in areas]

    return _memo(("districts", country, division, conversation.language), load)


def district_option(conversation: Conversation, area_id: int) -> Option:
    """A district's option from the cached list of all districts (no query)."""
    every = {option.value: option for option in district_list(conversation, None)}
    return every[area_id]


def district_candidates(conversation: Conversation) -> list[Option]:
    return [
        district_option(conversation, area_id)
        for area_id in conversation.data.get("candidates", [])
    ]


def upazilas(conversation: Conversation) -> list[Option]:
    """The chosen district's upazilas, and "Don't know" last (the district will do)."""
    district = conversation.data.get("district")

    def load() -> list[Option]:
        if district is None:
            return []
        areas = gazetteer.upazilas(session=conversation.session, district_id=district)
        return [Option(area.id, area_label(conversation.language, area)) for area in areas]

    listed = _memo(("upazilas", district, conversation.language), load)
    return [*listed, Option(None, conversation.t("dont_know"))] if listed else []


def yes_no(conversation: Conversation) -> list[Option]:
    return [Option(True, conversation.t("yes")), Option(False, conversation.t("no"))]


def services(conversation: Conversation) -> list[Option]:
    """The information services one can ask to be sent by SMS."""
    return [
        Option(service.code, service.label(conversation.language))
        for service in live.info_services()
    ]


def topics(conversation: Conversation) -> list[Option]:
    """The knowledge base's topics (grievance_engine.knowledge), for the Information
    menu; a deployment whose knowledge base is empty (Kenya has no seed yet) offers the
    information services instead (`send_article` sends either)."""

    def load() -> list[Option]:
        found = knowledge.topics(conversation.session, conversation.language)
        return [Option(code, label) for code, label in found]

    return _memo(("topics", conversation.language), load) or services(conversation)


SOURCES: dict[str, Callable[[Conversation], list[Option]]] = {
    "languages": languages,
    "categories": categories,
    "divisions": divisions,
    "districts": districts,
    "district_candidates": district_candidates,
    "upazilas": upazilas,
    "yes_no": yes_no,
    "services": services,
    "topics": topics,
}

# ---------------------------------------------------------------------------
# Typed text on a `choose` node: an Option picked, or an outcome
# ---------------------------------------------------------------------------


def typed_district(conversation: Conversation, text: str) -> Option | Outcome:
    """A district typed by name, in any spelling or script; unsure: "did you mean"."""
    match = gazetteer.match_area(
        session=conversation.session, text=text, country=get_settings().country
    )
    if match.area_id is not None:
        return district_option(conversation, match.area_id)
    if match.candidates:
        conversation.data["candidates"] = [area_id for area_id, _, _ in match.candidates[:4]]
        return Goto("did_you_mean")
    return Retry(conversation.t(f"{unit()}_not_found"))


def typed_reference(conversation: Conversation, text: str) -> Option | Outcome:
    """A complaint number typed on the status screen: its status, or why not found."""
    return check_status(conversation, text)


TEXT_HANDLERS: dict[str, Callable[[Conversation, str], Option | Outcome]] = {
    "district": typed_district,
    "reference": typed_reference,
}


def unit() -> str:
    """What people call the district level here: a county in Kenya."""
    return "county" if get_settings().country == "KE" else "district"


# ---------------------------------------------------------------------------
# Checks on an `ask` node: (value to keep, notice) or Retry
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    value: Any
    label: str | None = None  # how to show the value back (a district's name)
    notice: str | None = None  # shown above the next screen


def check_description(conversation: Conversation, text: str, **_: Any) -> Checked | Retry:
    if len(text.strip()) < 3:
        return Retry(conversation.t("description_too_short"))
    # Keep what the citizen typed: the ticket service clips it and records the cut.
    _, truncated = ticket_service.clip_description(text)
    limit = get_settings().ticket_description_max_chars
    notice = conversation.t("shortened", limit=limit) if truncated else None
    return Checked(text, notice=notice)


def check_number(
    conversation: Conversation, text: str, *, min: int = 0, max: int = 10**6, **_: Any
) -> Checked | Retry:
    digits = text.strip()
    if not digits.isdigit() or not (min <= int(digits) <= max):
        return Retry(conversation.t("number_between", min=min, max=max))
    return Checked(int(digits))


def check_text(
    conversation: Conversation, text: str, *, max: int = 160, **_: Any
) -> Checked | Retry:
    tidy = " ".join(text.split())
    if not tidy:
        return Retry(conversation.t("description_too_short"))
    return Checked(tidy[:max])


def check_district(conversation: Conversation, text: str, **_: Any) -> Checked | Retry:
    match = gazetteer.match_area(
        session=conversation.session, text=text, country=get_settings().country
    )
    if match.area_id is not None:
        option = district_option(conversation, match.area_id)
        return Checked(option.value, label=option.label)
    if match.candidates:
        names = ", ".join(name for _, name, _ in match.candidates[:3])
        return Retry(conversation.t("did_you_mean") + " " + names)
    return Retry(conversation.t(f"{unit()}_not_found"))


CHECKS: dict[str, Callable[..., Checked | Retry]] = {
    "description": check_description,
    "number": check_number,
    "text": check_text,
    "district": check_district,
}

# ---------------------------------------------------------------------------
# Conditions (`when`)
# ---------------------------------------------------------------------------


def has_divisions(conversation: Conversation) -> bool:
    return bool(divisions(conversation))


def anonymous_allowed(conversation: Conversation) -> bool:
    return conversation.data.get("category") in ANONYMOUS_CATEGORIES


def not_anonymous(conversation: Conversation) -> bool:
    """The reporter gave their number to officers: they may be called back."""
    return not conversation.data.get("anonymous")


def has_upazilas(conversation: Conversation) -> bool:
    return bool(upazilas(conversation))


CONDITIONS: dict[str, Callable[[Conversation], bool]] = {
    "has_divisions": has_divisions,
    "anonymous_allowed": anonymous_allowed,
    "has_upazilas": has_upazilas,
    "not_anonymous": not_anonymous,
}

# ---------------------------------------------------------------------------
# Actions: what a confirmed step does
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionContext:
    """What an action knows of where it runs: its definition (a campaign's category and
    description template) and where to go next."""

    campaign: Definition | None  # None: the helpline's own nodes
    goto: str | None


def file_grievance(conversation: Conversation, context: ActionContext) -> Outcome:
    """File what the conversation gathered; the reference is the last screen."""
    data = conversation.data
    campaign = context.campaign
    if campaign is not None:
        provision(conversation.session, campaign)
        category = campaign.category.code
        description = text.template(campaign.description).render(**data)
        earlier = _household_request(conversation, campaign)
        if earlier is not None:  # once per household: the first request's number again
            return Finish(conversation.t("already_requested", ref=refs.display(earlier)))
    else:
        category, description = data["category"], data["description"]
    verdict = limits.filing_verdict(
        phone=conversation.phone, key=f"{conversation.channel}:{conversation.key}"
    )
    if verdict is not limits.Verdict.WITHIN:
        return _over_filing_limit(conversation, category, description, verdict)
    ticket = intake.file_grievance(
        session=conversation.session,
        ticket_in=TicketCreate(
            phone=conversation.phone,
            category_code=category,
            district_id=data["district"],
            upazila_id=data.get("upazila"),
            channel=Channel(conversation.channel),
            language=conversation.language,
            description=description,
            anonymous=bool(data.get("anonymous")),
            source_key=f"{conversation.channel}:{conversation.key}",
        ),
    )
    data["ref"] = ticket.ref
    if conversation.channel == "ussd":  # the optional questions, by SMS after the ack
        equity_answers.ask(session=conversation.session, ticket=ticket, phone=conversation.phone)
    shown = refs.display(ticket.ref)
    if campaign is not None and campaign.filed is not None:
        return Finish(text.render(conversation, campaign.filed, ref=shown))
    return Finish(conversation.t("filed", ref=shown))


def _household_request(conversation: Conversation, campaign: Definition) -> str | None:
    """The reference of this household's earlier request to a once-per-household
    campaign (the phone is the household key), or None."""
    if not campaign.once_per_household:
        return None
    earlier = ticket_service.recent_for_phone(
        session=conversation.session, phone=conversation.phone, limit=50
    )
    category = conversation.session.exec(
        select(Category.id).where(Category.code == campaign.category.code)
    ).first()
    return next((t.ref for t in earlier if t.category_id == category), None)


def _over_filing_limit(
    conversation: Conversation, category: str, description: str, verdict: limits.Verdict
) -> Outcome:
    """Over the phone's filing limit: kept in full for an agent, not a ticket; the screen
    (free, unlike an SMS) says so every time."""
    data, session = conversation.data, conversation.session
    text = limits.kept_text(
        session=session,
        category=category,
        district_id=data.get("district"),
        upazila_id=data.get("upazila"),
        description=description,
    )
    kept = limits.keep(
        session=session,
        channel=conversation.channel,
        phone=conversation.phone,
        key=conversation.key,
        text=text,
    )
    data["kept"] = kept.id  # the voice line adds the recordings to it
    if verdict is limits.Verdict.NOTICE:
        limits.flag(
            session=session,
            phone=conversation.phone,
            language=conversation.language,
            scope="filings",
        )
    return Finish(conversation.t("filing_limit"))


def check_status(conversation: Conversation, text: str) -> Outcome:
    session = conversation.session
    ticket = ticket_service.get_by_ref(session=session, ref=text)
    if ticket is None:
        close = ticket_service.did_you_mean(session=session, text=text)
        mine = [ref for ref in close if _belongs(session, ref, conversation.phone)]
        if len(mine) == 1:  # one typo in their own complaint's number: show it
            ticket = ticket_service.get_by_ref(session=session, ref=mine[0])
        else:
            return Finish(conversation.t("not_found", ref=text.strip().upper()[:12]))
    return Finish(_status_line(conversation, ticket))


def _belongs(session, ref: str, phone: str) -> bool:
    ticket = ticket_service.get_by_ref(session=session, ref=ref)
    if ticket is None:
        return False
    owner = ticket_service.citizen_phone(session=session, ticket=ticket)
    return owner == phone


def _status_line(conversation: Conversation, ticket: Ticket) -> str:
    session = conversation.session
    category = session.get(Category, ticket.category_id)
    district = session.get(AdminArea, ticket.district_id)
    filed = ticket.created_at.astimezone(get_settings().tz)
    line = conversation.t(
        "status_line",
        ref=refs.display(ticket.ref),
        status=conversation.t(f"status.{ticket.status}"),
        category=category.label(conversation.language),
        district=area_label(conversation.language, district),
        date=filed.strftime("%d %b %Y"),
    )
    office = notify.office_as_read(session, ticket)
    if ticket.sla_due_at is None or not office:
        return line
    day = ticket.sla_due_at.astimezone(get_settings().tz).strftime("%d/%m/%Y")
    due = language_registry.get(conversation.language).localize_digits(day)
    return f"{line}\n{conversation.t('status_held', office=office, due=due)}"


def recent_complaints(conversation: Conversation, context: ActionContext) -> Outcome:
    """The last three complaints from this phone, newest first."""
    tickets = ticket_service.recent_for_phone(
        session=conversation.session, phone=conversation.phone, limit=3
    )
    if not tickets:
        return Finish(conversation.t("no_recent"))
    lines = [f"{refs.display(t.ref)}: {conversation.t(f'status.{t.status}')}" for t in tickets]
    return Finish("\n".join([conversation.t("recent_header"), *lines]))


def send_info(conversation: Conversation, context: ActionContext) -> Outcome:
    """SMS the chosen service's details for the chosen district."""
    return _send_service(conversation, conversation.data["service"])


def _send_service(conversation: Conversation, code: str) -> Outcome:
    data = conversation.data
    service = live.info_service(code)
    district = conversation.session.get(AdminArea, data["district"])
    body = service.sms(conversation.language, district=district)
    outbox.add(
        session=conversation.session,
        to_phone=conversation.phone,
        body=body,
        language=conversation.language,
        kind="info",  # asked for, so sent even to a citizen who sent STOP
    )
    return Finish(conversation.t("info_sent"))


def send_article(conversation: Conversation, context: ActionContext) -> Outcome:
    """SMS the chosen topic's article (the district's own, if it has one); counted as a
    contact on this channel."""
    data, session = conversation.data, conversation.session
    article = knowledge.for_district(session, data["topic"], data.get("district"))
    if article is None:
        if data["topic"] in {service.code for service in live.info_services()}:
            return _send_service(conversation, data["topic"])  # no knowledge base here
        return Finish(conversation.t("not_available"))  # removed while being chosen
    knowledge.send(
        session=session,
        article=article,
        phone=conversation.phone,
        origin=knowledge.Origin(
            channel=conversation.channel,
            language=conversation.language,
            district_id=data.get("district"),
        ),
    )
    return Finish(conversation.t("info_sent"))


def request_callback(conversation: Conversation, context: ActionContext) -> Outcome:
    """Put a call-back task in the agents' queue."""
    callbacks.request(
        session=conversation.session,
        phone=conversation.phone,
        language=conversation.language,
        reason=f"asked by {conversation.channel}",
        source_key=f"{conversation.channel}:{conversation.key}",
    )
    return Finish(conversation.t("callback_requested"))


def set_language(conversation: Conversation, context: ActionContext) -> Outcome:
    """Speak the chosen language from now on, and remember it for this phone."""
    language = conversation.data.get("language") or conversation.language
    conversation.language = language
    ticket_service.get_or_create_citizen(
        session=conversation.session, phone=conversation.phone, language=language
    )
    if context.goto is None:
        return Finish(conversation.t("language_saved"))
    return Goto(context.goto, fresh=True)  # "Back" from the menu is not the language list


ACTIONS: dict[str, Callable[[Conversation, ActionContext], Outcome]] = {
    "file_grievance": file_grievance,
    "recent_complaints": recent_complaints,
    "send_info": send_info,
    "send_article": send_article,
    "request_callback": request_callback,
    "set_language": set_language,
}

# Actions that read or write records: their node runs off the event loop.
DATABASE_ACTIONS = frozenset(ACTIONS)
DATABASE_TEXT_HANDLERS = frozenset({"reference"})
