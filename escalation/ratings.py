"""Closing the loop: the citizen's rating of a resolved ticket, and what it sets off.

The resolution SMS asks "Reply 1-5 to rate it, or 0 if the problem is not solved".
`rate` takes that answer, from the SMS menu or a dashboard:

- 0, or a rating at or below `NALISH_REOPEN_RATING_AT_OR_BELOW` (default 2): the
  citizen says it is not solved. The ticket is reopened and escalated one rung up the
  ladder (CPGRAMS' appeal on a poor rating) with a new clock there; the new owner is
  alerted and the citizen told where it went (`rating_reopened`).
- Otherwise (3-5 by default): the ticket is closed and the citizen thanked
  (`rating_thanks`).

Either way the rating is kept on the ticket (`rating`, `rated_at`) and as a `rated`
event, and `satisfaction_by_office` turns them into figures per office. A resolved
ticket nobody rates is closed by the SLA sweep after `NALISH_RATING_WAIT_DAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from escalation import ladder, notify
from grievance_engine import actions, events, lifecycle, refs
from grievance_engine.models import Citizen, Office, Ticket, TicketEvent, TicketStatus
from infra import clock
from infra.settings import get_settings

S = TicketStatus
LOWEST, HIGHEST = 0, 5


class RatingError(ValueError):
    """A rating that cannot be taken as given (out of range, or a ticket that is not
    waiting for one); the message says why."""


@dataclass(frozen=True)
class RatingOutcome:
    """What a rating did: `reopened` (and escalated to `office`, if there was a rung
    above) or `closed`."""

    outcome: str
    rating: int
    office: Office | None = None


def awaiting(ticket: Ticket) -> bool:
    """Whether `ticket` is resolved and waiting for its citizen's rating."""
    return (
        ticket.status == S.RESOLVED and ticket.rating_due_at is not None and ticket.rating is None
    )


def awaiting_rating(*, session: Session, phone: str) -> Ticket | None:
    """The ticket of `phone`'s citizen that a bare "4" rates: the one resolved last of
    those still waiting for a rating (by the rating-due index), or None."""
    waiting = all_awaiting_rating(session=session, phone=phone, limit=1)
    return waiting[0] if waiting else None


def all_awaiting_rating(*, session: Session, phone: str, limit: int = 5) -> list[Ticket]:
    """The tickets of `phone`'s citizen waiting for a rating, resolved last first."""
    statement = (
        select(Ticket)
        .join(Citizen, col(Citizen.id) == Ticket.citizen_id)
        .where(
            Citizen.phone == phone,
            Ticket.status == S.RESOLVED,
            col(Ticket.rating_due_at).is_not(None),
            col(Ticket.rating).is_(None),
        )
        .order_by(col(Ticket.resolved_at).desc(), col(Ticket.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def reopens(rating: int) -> bool:
    """Whether this rating says the problem is not solved."""
    return rating == 0 or rating <= get_settings().reopen_rating_at_or_below


def rate(*, session: Session, ticket: Ticket, rating: int, actor: str) -> RatingOutcome:
    """Record the citizen's `rating` (0-5) of resolved `ticket` and act on it: reopen
    and escalate one rung, or close; the citizen gets one SMS saying which.

    Raises `RatingError` for a rating outside 0-5 or a ticket not awaiting one.
    Flushes; the caller commits.
    """
    if not isinstance(rating, int) or not LOWEST <= rating <= HIGHEST:
        raise RatingError(f"a rating is a whole number from {LOWEST} to {HIGHEST}, not {rating!r}")
    events.lock(session=session, ticket=ticket)  # the sweep may be closing it right now
    if not awaiting(ticket):
        raise RatingError(f"complaint {refs.display(ticket.ref)} is not waiting for a rating")
    ticket.rating, ticket.rated_at, ticket.rating_due_at = rating, clock.now(), None
    office = session.get(Office, ticket.office_id) if ticket.office_id else None
    events.append(
        session=session,
        ticket=ticket,
        type="rated",
        actor=actor,
        # the office that resolved it and the verdict, for satisfaction_by_office
        data={"rating": rating, "office": office.code if office else None,
              "reopened": reopens(rating)},
    )  # fmt: skip
    if not reopens(rating):
        lifecycle.transition(
            session=session, ticket=ticket, to=S.CLOSED, actor=actor, reason=f"rated {rating}"
        )
        actions.tell_citizen(session=session, ticket=ticket, answering=True, kind="rating_thanks")
        return RatingOutcome("closed", rating)
    reason = "citizen says not solved" if rating == 0 else f"rated {rating}"
    lifecycle.transition(session=session, ticket=ticket, to=S.REOPENED, actor=actor, reason=reason)
    above = ladder.escalate(session, ticket, actor=actor, reason=f"reopened: {reason}")
    if above is not None:
        digest = notify.Digest()
        digest.escalated_to(session, ticket)
        digest.send(session)
    actions.tell_citizen(
        session=session,
        ticket=ticket,
        answering=True,
        kind="rating_reopened",
        office=notify.office_as_read(session, ticket),
    )
    return RatingOutcome("reopened", rating, above)


def satisfaction_by_office(*, session: Session) -> list[dict]:
    """Citizens' ratings per office that resolved the ticket, most rated first: how
    many, their average (of 1-5: a 0 says "not solved", it is not a score) and the
    share that reopened the ticket. A ticket rated twice (reopened, resolved again)
    counts twice, once for each office that resolved it."""
    rated = session.exec(select(TicketEvent.data).where(TicketEvent.type == "rated")).all()
    by_office: dict[str, list[tuple[int, bool]]] = {}
    for data in rated:
        by_office.setdefault(data.get("office") or "", []).append(
            (int(data["rating"]), bool(data.get("reopened")))
        )
    names = dict(session.exec(select(Office.code, Office.name)).all())
    rows = []
    for code, ratings in by_office.items():
        scores = [rating for rating, _ in ratings if rating > 0]
        reopened = sum(1 for _, again in ratings if again)
        rows.append(
            {
                "office": names.get(code, code or "(none)"),
                "office_code": code or None,
                "count": len(ratings),
                "average": round(sum(scores) / len(scores), 2) if scores else None,
                "reopened": reopened,
                "share_reopened": round(reopened / len(ratings), 3),
            }
        )
    return sorted(rows, key=lambda row: (-row["count"], row["office"]))
