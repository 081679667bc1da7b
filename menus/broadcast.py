"""One SMS from an admin to everyone who asked through a campaign ("distribution at the
union parishad on Sunday at 10"), in each requester's language, in the words the admin
wrote for it; recorded on each of their tickets as a `broadcast` event (the timeline
and `tickets show --json` show it).

One SMS per phone, however many requests it made. Skipped, and counted: phones that
sent STOP, anonymous requesters (nobody contacts them unasked), requesters whose
language the admin wrote no text for (never another language's words instead), and
requests rejected or merged as duplicates. Through the outbox, as every SMS.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from grievance_engine import events, messages, outbox
from grievance_engine.models import Category, Citizen, Ticket, TicketStatus
from menus import registry
from menus.schema import DefinitionError

KIND = "broadcast"
EVENT = "broadcast"
NOT_REQUESTS = (TicketStatus.REJECTED, TicketStatus.DUPLICATE)


@dataclass
class BroadcastResult:
    campaign: str
    sent: int = 0  # phones written to (or that would be, on a dry run)
    tickets: int = 0  # tickets the broadcast is recorded on
    opted_out: int = 0
    anonymous: int = 0
    no_text: dict[str, int] = field(default_factory=dict)  # language -> phones skipped


def broadcast(
    *, session: Session, campaign: str, texts: dict[str, str], actor: str, dry_run: bool = False
) -> BroadcastResult:
    """Send `texts` (language -> the admin's words) to the requesters of `campaign`
    (an active campaign's code). Raises `DefinitionError` for an unknown campaign and
    `ValueError` when no text is given."""
    texts = {language: text.strip() for language, text in texts.items() if text and text.strip()}
    if not texts:
        raise ValueError("give the text in at least one language")
    category_code = _category_code(campaign)
    result = BroadcastResult(campaign)
    for citizen, tickets in _requesters(session, category_code):
        if citizen.opted_out:
            result.opted_out += 1
            continue
        if all(ticket.anonymous for ticket in tickets):
            result.anonymous += 1
            continue
        language = tickets[-1].language  # the language of their latest request
        if language not in texts:
            result.no_text[language] = result.no_text.get(language, 0) + 1
            continue
        result.sent += 1
        result.tickets += len(tickets)
        if not dry_run:
            _send(session, citizen, tickets, language, texts[language], campaign, actor)
    return result


def _category_code(campaign: str) -> str:
    for definition in registry.campaigns():
        if definition.campaign == campaign:
            return definition.category.code
    raise DefinitionError(f"campaign {campaign}", "no active campaign has this code")


def _requesters(session: Session, category_code: str) -> list[tuple[Citizen, list[Ticket]]]:
    """Each requester (citizen) with their requests of the campaign, oldest first."""
    rows = session.exec(
        select(Citizen, Ticket)
        .join(Ticket, col(Ticket.citizen_id) == col(Citizen.id))
        .join(Category, col(Category.id) == col(Ticket.category_id))
        .where(Category.code == category_code, col(Ticket.status).not_in(NOT_REQUESTS))
        .order_by(col(Ticket.id))
    ).all()
    citizens: dict[int, Citizen] = {}
    requests: dict[int, list[Ticket]] = defaultdict(list)
    for citizen, ticket in rows:
        citizens[citizen.id] = citizen
        requests[citizen.id].append(ticket)
    return [(citizens[key], requests[key]) for key in citizens]


def _send(
    session: Session,
    citizen: Citizen,
    tickets: list[Ticket],
    language: str,
    text: str,
    campaign: str,
    actor: str,
) -> None:
    body = messages.render_sms("broadcast", language, text=text)
    outbox.add(session=session, to_phone=citizen.phone, body=body, language=language,
                     kind=KIND, ticket_id=tickets[-1].id, opted_out=False)  # fmt: skip
    for ticket in tickets:
        events.append(session=session, ticket=ticket, type=EVENT, actor=actor,
                      data={"campaign": campaign, "language": language,
                            "text": body})  # fmt: skip
