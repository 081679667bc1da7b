"""Likely duplicates: an open ticket that seems to be the same grievance as a new one.

A new ticket is compared, at intake, with open tickets filed within
`NALISH_DUPLICATE_WINDOW_HOURS` before it that share either

- the citizen's phone and the category (people call again when nothing happens), or
  the phone and a similar description in another category; or
- the district, the category (and the upazila when both name one) and a description
  at least `NALISH_DUPLICATE_MIN_SIMILARITY` alike (rapidfuzz token-set ratio).

The best match is flagged on the ticket (`suspected_duplicate_of_id`) for an agent,
who merges it (`actions.merge`) or dismisses the flag. Nothing is merged without a
person: two neighbours with no water are two citizens to tell.

Flagging writes only the new ticket's row. Its foreign key to the original takes a
FOR KEY SHARE lock on that row, which the chain's lock (`events.lock`, FOR NO KEY
UPDATE) does not wait for: flagging never queues behind, or deadlocks with, an intake
grouping the original into a mass event.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import Row, bindparam
from sqlmodel import Session, and_, col, or_, select

from grievance_engine import events, lifecycle, refs
from grievance_engine.models import Ticket
from infra import caching
from infra.settings import get_settings

SAME_PHONE_SAME_CATEGORY = "same phone, same category"
SAME_PHONE_SIMILAR_TEXT = "same phone, similar description"
SAME_PLACE_SIMILAR_TEXT = "same place and category, similar description"
# Compare with at most this many recent tickets; in a mass event the newest matter most.
MAX_COMPARED = 200


@dataclass(frozen=True)
class Candidate:
    """An open ticket that may be the same grievance, with how alike (0–100) and why."""

    ticket_id: int
    ref: str  # as displayed
    score: int
    why: str


@caching.cached(maxsize=4096)  # intake compares one new text with the same recent ones, twice
def words(text: str) -> str:
    """`text` folded for comparison: case-folded, punctuation and symbols as spaces.

    Not `rapidfuzz.utils.default_process`, which treats Bangla vowel signs as
    punctuation and so tears Bangla words apart.
    """
    kept = (" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text.casefold())
    return " ".join("".join(kept).split())


def similarity(a: str, b: str) -> int:
    """How alike two descriptions are, 0–100: word order and repeats do not matter."""
    return round(fuzz.token_set_ratio(words(a), words(b)))


def recent_neighbours(
    *, session: Session, ticket: Ticket, hours: int, until: datetime | None = None
) -> list[Row]:
    """Open tickets filed up to `hours` before `ticket` by the same phone, or in the same
    district and category: what duplicate detection and mass events compare it with.
    One indexed query, newest first, at most `MAX_COMPARED`; each row has the columns
    they read (id, ref, citizen, category, district, upazila, description, created_at,
    incident), not a whole `Ticket`: in a mass event that is two hundred of them.

    `until` is the latest filing time to include, by default `ticket`'s own; intake
    passes the time it got its turn, since a neighbour that committed while it waited
    may have been filed a moment after it."""
    if session.autoflush:
        session.flush()  # what a query through the session would have done
    params = {
        "ticket_id": ticket.id,
        "since": ticket.created_at - timedelta(hours=hours),
        "until": until or ticket.created_at,
        "citizen_id": ticket.citizen_id,
        "district_id": ticket.district_id,
        "category_id": ticket.category_id,
    }
    return list(session.connection().execute(_RECENT_NEIGHBOURS, params))


# Built once: intake runs it for every ticket.
_RECENT_NEIGHBOURS = (
    select(
        Ticket.id,
        Ticket.ref,
        Ticket.citizen_id,
        Ticket.category_id,
        Ticket.district_id,
        Ticket.upazila_id,
        Ticket.description,
        Ticket.created_at,
        Ticket.incident_id,
    )
    .where(
        Ticket.id != bindparam("ticket_id"),
        col(Ticket.status).in_(lifecycle.OPEN),
        col(Ticket.created_at) >= bindparam("since"),
        col(Ticket.created_at) <= bindparam("until"),
        or_(
            Ticket.citizen_id == bindparam("citizen_id"),
            and_(
                Ticket.district_id == bindparam("district_id"),
                Ticket.category_id == bindparam("category_id"),
            ),
        ),
    )
    .order_by(col(Ticket.id).desc())
    .limit(MAX_COMPARED)
)


def candidates(
    *, session: Session, ticket: Ticket, limit: int = 5, recent: list[Row] | None = None
) -> list[Candidate]:
    """Open tickets that may be the same grievance as `ticket`, most likely first.

    `recent` is `recent_neighbours` over at least the duplicate window, when the caller
    has it already (intake shares it with mass-event grouping).
    """
    settings = get_settings()
    if recent is None:
        hours = settings.duplicate_window_hours
        recent = recent_neighbours(session=session, ticket=ticket, hours=hours)
    since = ticket.created_at - timedelta(hours=settings.duplicate_window_hours)
    found = [
        candidate
        for other in recent
        if other.created_at >= since
        and (candidate := _compare(ticket, other, settings.duplicate_min_similarity))
    ]
    found.sort(key=lambda c: (-c.score, -c.ticket_id))
    return found[:limit]


def _compare(ticket: Ticket, other: Row, threshold: int) -> Candidate | None:
    score = similarity(ticket.description, other.description)
    ref = refs.display(other.ref)
    if other.citizen_id == ticket.citizen_id:
        if other.category_id == ticket.category_id:
            return Candidate(other.id, ref, max(score, threshold), SAME_PHONE_SAME_CATEGORY)
        if score >= threshold:
            return Candidate(other.id, ref, score, SAME_PHONE_SIMILAR_TEXT)
        return None
    both_upazilas = ticket.upazila_id is not None and other.upazila_id is not None
    if both_upazilas and ticket.upazila_id != other.upazila_id:
        return None
    if other.category_id == ticket.category_id and score >= threshold:
        return Candidate(other.id, ref, score, SAME_PLACE_SIMILAR_TEXT)
    return None


def flag(*, session: Session, ticket: Ticket, recent: list[Row] | None = None) -> Candidate | None:
    """Flag `ticket` with its most likely original, if any, and record why."""
    found = candidates(session=session, ticket=ticket, limit=1, recent=recent)
    if not found:
        return None
    best = found[0]
    events.append(
        session=session,
        ticket=ticket,
        type="duplicate_suspected",
        actor="system",
        data={"original": best.ref, "score": best.score, "why": best.why},
        changes={"suspected_duplicate_of_id": best.ticket_id},
    )
    return best
