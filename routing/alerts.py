"""Who hears of a new ticket by SMS besides the citizen: the officer it was given to,
and, for an urgent case (child marriage, violence against women and children), the
district's protection desk, at filing, day and night.

The protection desk is a named desk per district: an office with the code
`protection-<district>` (`protection-rangpur`, made by an admin like any office). Its
phone and the phones of its active people are alerted with the category, the place
and the citizen's words; the citizen's own phone never is (a shared phone must not
learn what was reported). Both kinds start with `officer_`, so quiet hours never hold
them (grievance_engine.quiet).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from grievance_engine import messages, outbox, quiet, refs
from grievance_engine.models import AdminArea, Category, Citizen, Office, Ticket, User
from grievance_engine.place_names import local_name

# Cases whose first hour counts: one set, kept where the lowest layer reads it.
URGENT_CATEGORIES = quiet.URGENT_CATEGORIES
PROTECTION_DESK_PREFIX = "protection-"
# How much of the citizen's words an alert carries: two SMS parts in Bangla at most.
WORDS_LIMIT = 70


def protection_desk_code(district_name: str) -> str:
    """`protection-rangpur`, `protection-coxs-bazar`: a district's protection desk."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in district_name.lower().replace("'", ""))
    return PROTECTION_DESK_PREFIX + "-".join(part for part in slug.split("-") if part)


def on_filing(*, session: Session, ticket: Ticket, category_code: str) -> None:
    """Alert the protection desk of an urgent case (its assignee was told on being
    given it: `routing.assignment.assign`)."""
    if category_code in URGENT_CATEGORIES:
        _alert_protection_desk(session, ticket)


def tell_assignee(*, session: Session, ticket: Ticket) -> None:
    """One SMS to the person `ticket` was just given to: what it is, where, the first
    words (a reference alone tells an officer in the field nothing). Never to the
    citizen's own phone (an officer filing for themselves, a shared phone)."""
    person = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    if person is None or not person.phone:
        return
    citizen = session.get(Citizen, ticket.citizen_id)
    if citizen is not None and citizen.phone == person.phone:
        return
    _send(session, ticket, person.phone, person.language, "officer_assigned")


def _alert_protection_desk(session: Session, ticket: Ticket) -> None:
    district = session.get(AdminArea, ticket.district_id)
    desk = session.exec(
        select(Office).where(Office.code == protection_desk_code(district.name), col(Office.active))
    ).first()
    if desk is None:
        return
    people = session.exec(
        select(User.phone, User.language).where(
            User.office_id == desk.id, col(User.active), col(User.phone).is_not(None)
        )
    ).all()
    recipients = dict(people)
    if desk.phone:
        recipients.setdefault(desk.phone, ticket.language)
    citizen_phone = session.exec(select(Citizen.phone).where(Citizen.id == ticket.citizen_id)).one()
    recipients.pop(citizen_phone, None)  # never to the citizen's own phone
    for phone, language in recipients.items():
        _send(session, ticket, phone, language, "officer_protection_alert")


_PHRASES = {"officer_protection_alert": "protection_alert", "officer_assigned": "officer_assigned"}


def _send(session: Session, ticket: Ticket, phone: str, language: str, kind: str) -> None:
    category = session.get(Category, ticket.category_id)
    district = session.get(AdminArea, ticket.district_id)
    upazila = session.get(AdminArea, ticket.upazila_id) if ticket.upazila_id else None
    place = ", ".join(local_name(area, language) for area in (upazila, district) if area)
    values = {
        "ref": refs.display(ticket.ref),
        "category": category.label(language),
        "place": place,
        "words": messages.cut_at_word(ticket.description, WORDS_LIMIT),
    }
    body = messages.render_sms(_PHRASES[kind], language, **values)
    outbox.add(session=session, to_phone=phone, body=body, language=language, kind=kind,
               ticket_id=ticket.id)  # fmt: skip
