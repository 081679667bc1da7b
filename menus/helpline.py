"""The helpline's first menu: file a complaint, or check one by its reference.

    main ─1─► category ─► division ─► district ─► description ─► confirm ─► END ref
      │                      └─ (type a name) ─► did_you_mean ─┘
      └─2─► reference ─► END status

Kenya has no divisions: the district (county) list comes straight after the category.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlmodel import select

from grievance_engine import refs
from grievance_engine import service as ticket_service
from grievance_engine.models import AdminArea, Category, Channel, TicketCreate
from grievance_engine.settings import get_settings
from menus.engine import (
    Choice,
    Conversation,
    Finish,
    Flow,
    Goto,
    Option,
    Outcome,
    Question,
    Retry,
)
from routing import gazetteer, intake


def _unit() -> str:
    """What people call the district level here: a county in Kenya."""
    return "county" if get_settings().country == "KE" else "district"


def _area_label(conversation: Conversation, area: AdminArea) -> str:
    if conversation.language == "bn" and area.name_local:
        return area.name_local
    return area.name


def _static(conversation: Conversation) -> list[Option]:
    return [
        Option("category", conversation.t("new_complaint")),
        Option("reference", conversation.t("check_status")),
    ]


# Category and place lists change only when an admin edits them, yet every screen
# shows one: keep them per process for a minute instead of querying on every hop.
LIST_TTL_SECONDS = 60.0
_lists: dict[tuple[Any, ...], tuple[float, list[Option]]] = {}


def _memo(key: tuple[Any, ...], load: Callable[[], list[Option]]) -> list[Option]:
    key = (get_settings().database_url, *key)
    now = time.monotonic()
    hit = _lists.get(key)
    if hit is not None and now - hit[0] < LIST_TTL_SECONDS:
        return hit[1]
    options = load()
    _lists[key] = (now, options)
    return options


def _categories(conversation: Conversation) -> list[Option]:
    def load() -> list[Option]:
        statement = (
            select(Category).where(Category.active == True).order_by(Category.sort_order)  # noqa: E712
        )
        return [
            Option(category.code, category.label(conversation.language))
            for category in conversation.session.exec(statement)
        ]

    return _memo(("categories", conversation.language), load)


def _after_category(conversation: Conversation, option: Option) -> Outcome:
    conversation.data["category"] = option.value
    conversation.data["category_label"] = option.label
    has_divisions = bool(_divisions(conversation))
    return Goto("division" if has_divisions else "district")


def _divisions(conversation: Conversation) -> list[Option]:
    country = get_settings().country

    def load() -> list[Option]:
        areas = gazetteer.divisions(session=conversation.session, country=country)
        return [Option(area.id, _area_label(conversation, area)) for area in areas]

    return _memo(("divisions", country, conversation.language), load)


def _districts(conversation: Conversation) -> list[Option]:
    return _district_list(conversation, conversation.data.get("division"))


def _district_list(conversation: Conversation, division: int | None) -> list[Option]:
    """The districts of one division, or of the whole country (division None)."""
    country = get_settings().country

    def load() -> list[Option]:
        areas = gazetteer.districts(
            session=conversation.session, country=country, division_id=division
        )
        return [Option(area.id, _area_label(conversation, area)) for area in areas]

    return _memo(("districts", country, division, conversation.language), load)


def _after_division(conversation: Conversation, option: Option) -> Outcome:
    conversation.data["division"] = option.value
    return Goto("district")


def _pick_district(conversation: Conversation, option: Option) -> Outcome:
    conversation.data["district"] = option.value
    conversation.data["district_label"] = option.label
    return Goto("description")


def _typed_district(conversation: Conversation, text: str) -> Outcome:
    match = gazetteer.match_area(
        session=conversation.session, text=text, country=get_settings().country
    )
    if match.area_id is not None:
        return _pick_district(conversation, _district_option(conversation, match.area_id))
    if match.candidates:
        conversation.data["candidates"] = [area_id for area_id, _, _ in match.candidates[:4]]
        return Goto("did_you_mean")
    return Retry(conversation.t(f"{_unit()}_not_found"))


def _district_option(conversation: Conversation, area_id: int) -> Option:
    """The district's option from the cached list of all districts (no query)."""
    every = {option.value: option for option in _district_list(conversation, None)}
    return every[area_id]


def _candidates(conversation: Conversation) -> list[Option]:
    return [
        _district_option(conversation, area_id)
        for area_id in conversation.data.get("candidates", [])
    ]


def _description(conversation: Conversation, text: str) -> Outcome:
    if len(text.strip()) < 3:
        return Retry(conversation.t("description_too_short"))
    # Keep what the citizen typed: the ticket service clips it and records the cut.
    _, truncated = ticket_service.clip_description(text)
    conversation.data["description"] = text
    notice = None
    if truncated:
        notice = conversation.t("shortened", limit=get_settings().ticket_description_max_chars)
    return Goto("confirm", notice=notice)


def _confirm_prompt(conversation: Conversation) -> str:
    data = conversation.data
    excerpt = " ".join(data["description"].split())
    if len(excerpt) > 40:
        excerpt = excerpt[:37] + "..."
    return (
        f"{conversation.t('confirm_header')}\n"
        f'{data["category_label"]}, {data["district_label"]}\n"{excerpt}"'
    )


def _confirm_options(conversation: Conversation) -> list[Option]:
    return [Option(True, conversation.t("submit")), Option(False, conversation.t("cancel"))]


def _confirm(conversation: Conversation, option: Option) -> Outcome:
    if not option.value:
        return Finish(conversation.t("cancelled"))
    data = conversation.data
    ticket = intake.file_grievance(
        session=conversation.session,
        ticket_in=TicketCreate(
            phone=conversation.phone,
            category_code=data["category"],
            district_id=data["district"],
            channel=Channel(conversation.channel),
            language=conversation.language,
            description=data["description"],
            source_key=f"{conversation.channel}:{conversation.key}",
        ),
    )
    data["ref"] = ticket.ref
    return Finish(conversation.t("filed", ref=refs.display(ticket.ref)))


def _status(conversation: Conversation, text: str) -> Outcome:
    session = conversation.session
    ticket = ticket_service.get_by_ref(session=session, ref=text)
    if ticket is None:
        return Finish(conversation.t("not_found", ref=text.strip().upper()[:12]))
    category = session.get(Category, ticket.category_id)
    district = session.get(AdminArea, ticket.district_id)
    filed = ticket.created_at.astimezone(get_settings().tz)
    return Finish(
        conversation.t(
            "status_line",
            ref=refs.display(ticket.ref),
            status=conversation.t(f"status.{ticket.status}"),
            category=category.label(conversation.language),
            district=_area_label(conversation, district),
            date=filed.strftime("%d %b %Y"),
        )
    )


FLOW = Flow(
    name="helpline",
    start="main",
    nodes={
        "main": Choice(
            id="main",
            prompt=lambda c: c.t("welcome"),
            options=_static,
            on_choose=lambda c, option: Goto(option.value),
        ),
        "category": Choice(
            id="category",
            prompt=lambda c: c.t("choose_category"),
            options=_categories,
            on_choose=_after_category,
        ),
        "division": Choice(
            id="division",
            prompt=lambda c: c.t("choose_division"),
            options=_divisions,
            on_choose=_after_division,
            on_text=_typed_district,
        ),
        "district": Choice(
            id="district",
            prompt=lambda c: c.t(f"choose_{_unit()}"),
            options=_districts,
            on_choose=_pick_district,
            on_text=_typed_district,
        ),
        "did_you_mean": Choice(
            id="did_you_mean",
            prompt=lambda c: c.t("did_you_mean"),
            options=_candidates,
            on_choose=_pick_district,
            on_text=_typed_district,
        ),
        "description": Question(
            id="description",
            prompt=lambda c: c.t("ask_description"),
            on_answer=_description,
            voice="record",
        ),
        "confirm": Choice(
            id="confirm",
            prompt=_confirm_prompt,
            options=_confirm_options,
            on_choose=_confirm,
            needs_database=True,
        ),
        "reference": Question(
            id="reference",
            prompt=lambda c: c.t("ask_reference"),
            on_answer=_status,
            needs_database=True,
        ),
    },
)
