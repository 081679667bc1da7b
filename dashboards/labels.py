"""Names the pages show for codes: categories, districts, event types and channels in
the reader's language, and the event fields worth a line in a ticket's timeline."""

from __future__ import annotations

from sqlmodel import Session, col, select

from dashboards import i18n
from grievance_engine.models import AdminArea, AdminLevel, Category, Office, User
from grievance_engine.place_names import local_name
from infra.settings import get_settings

# Event fields worth a line in the timeline; the rest (hashes, ids) stay in the audit.
EVENT_FIELDS = ("from", "to", "reason", "text", "what", "original", "duplicate", "rating")


def categories(session: Session, language: str) -> dict[str, str]:
    """Active categories' codes → their names in `language`, in menu order."""
    statement = select(Category).where(col(Category.active)).order_by(col(Category.sort_order))
    return {c.code: c.label(language) for c in session.exec(statement)}


def districts(session: Session, language: str) -> dict[str, str]:
    """The country's districts' English names → their names in `language`."""
    statement = (
        select(AdminArea)
        .where(AdminArea.country == get_settings().country, AdminArea.level == AdminLevel.DISTRICT)
        .order_by(col(AdminArea.name))
    )
    return {d.name: local_name(d, language) for d in session.exec(statement)}


def event_type(language: str, code: str) -> str:
    """An event type ("status_changed") as the reader's words, or the code itself for a
    type the catalogue does not name yet (nothing is hidden for want of a phrase)."""
    key = f"event_{code}"
    return i18n.translate(language, key) if i18n.has(key) else code


def channel(language: str, code: str) -> str:
    """A channel ("ussd", "agent") as the reader's words, or the code itself."""
    key = f"channel_{code}"
    return i18n.translate(language, key) if i18n.has(key) else code


def office(language: str, office: Office | None, area: AdminArea | None) -> str:
    """An office's name for a reader of `language`. An office named as the seed names
    them ("Deputy Commissioner's Office, Kurigram") is named in the reader's words with
    its place's name as they write it ("জেলা প্রশাসকের কার্যালয়, কুড়িগ্রাম"); an office
    an admin named otherwise keeps that name."""
    if office is None:
        return ""
    key = f"office_{office.level}"
    if area is None or not i18n.has(key):
        return office.name
    if office.name != i18n.translate(i18n.DEFAULT, key, place=area.name):
        return office.name
    return i18n.translate(language, key, place=local_name(area, language))


def offices(session: Session, language: str) -> dict[int, str]:
    """Every office's id → its name for a reader of `language` (`office`)."""
    statement = select(Office, AdminArea).outerjoin(AdminArea, col(AdminArea.id) == Office.area_id)
    return {found.id: office(language, found, area) for found, area in session.exec(statement)}


def place(session: Session, language: str, area_id: int | None) -> str:
    """An admin area's name for a reader of `language` ("" for none)."""
    area = session.get(AdminArea, area_id) if area_id is not None else None
    return local_name(area, language) if area is not None else ""


def named(session: Session, language: str, rows: list[dict], tickets: list) -> list[dict]:
    """`rows` (as_public dicts of `tickets`, in the same order) with what they name in
    the reader's words: `category_label`, `district_label`, `office_label`,
    `upazila_label`."""
    category_names = categories(session, language)
    district_names = districts(session, language)
    office_names = offices(session, language)
    return [
        {
            **row,
            "category_label": category_names.get(row["category"], row["category"]),
            "district_label": district_names.get(row["district"], row["district"]),
            "office_label": office_names.get(ticket.office_id, row["office"] or ""),
            "upazila_label": place(session, language, ticket.upazila_id),
        }
        for row, ticket in zip(rows, tickets, strict=True)
    ]


def person_name(session: Session, user_id: int | None) -> str:
    """A colleague's name (their email when they gave none); "" for nobody."""
    person = session.get(User, user_id) if user_id is not None else None
    return (person.full_name or person.email) if person is not None else ""


def actor_name(session: Session, actor_ref: str) -> str:
    """Who did something, as the timeline says it: "user:12" is a person's name; the
    citizen and the system keep their own words."""
    kind, _, ident = actor_ref.partition(":")
    if kind == "user" and ident.isdigit():
        return person_name(session, int(ident)) or actor_ref
    return actor_ref
