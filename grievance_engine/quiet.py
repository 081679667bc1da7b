"""Quiet hours: non-urgent SMS to citizens wait until morning.

`NALISH_QUIET_HOURS` ("21:00-08:00", in `NALISH_TIMEZONE`; "" for none) is when a
citizen is not woken by news that can wait — an update, a resolution, an escalation.
Such a message is written at once (its transaction is the change that caused it) but
its `next_attempt_at` is the end of the quiet period: the outbox's claim skips it
until then, and the outbox sweep sends it then.

Never held: answers to something the citizen just did (they are awake: the ack of a
complaint, a reply, a status, STOP, information they asked for, the answer to their
rating), anything to officers (they are on duty: alerts, answers to their SMS
commands), and every message about an urgent ticket (child marriage, violence).

`outbox.add` calls `hold_until`; this module knows nothing of sending.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from grievance_engine.models import Category, Ticket
from infra.settings import Settings

# Direct answers to something the citizen just did, sent whatever the hour.
IMMEDIATE_KINDS = frozenset(
    {"ack", "reply", "status", "stop", "info", "rating_thanks", "rating_reopened"}
)
# Messages to officers (alerts, digests, answers to ACK/RESOLVE/NOTE) start with this.
OFFICER_KIND_PREFIX = "officer_"
# Child marriage and violence against women and children: urgent day and night (never
# held for quiet hours; hours-long ladders in escalation.policies; the protection desk
# alerted in routing.alerts). The one definition: the layers above import it.
URGENT_CATEGORIES = frozenset({"child_marriage", "vawc"})


def _window(settings: Settings) -> tuple[time, time] | None:
    text = (settings.quiet_hours or "").strip()
    if not text:
        return None
    start, end = (time.fromisoformat(part) for part in text.split("-"))
    return None if start == end else (start, end)


def release_time(now: datetime, settings: Settings) -> datetime | None:
    """The end of the quiet period `now` falls in (aware, UTC like `now`), or None when
    `now` is not in quiet hours (or there are none). The period may cross midnight."""
    window = _window(settings)
    if window is None:
        return None
    start, end = window
    local = now.astimezone(settings.tz)
    wall = local.time().replace(tzinfo=None)
    if start < end:  # e.g. 13:00-15:00, within one day
        quiet = start <= wall < end
        end_day = local.date()
    else:  # e.g. 21:00-08:00: evening to the next morning
        quiet = wall >= start or wall < end
        end_day = local.date() + timedelta(days=1) if wall >= start else local.date()
    if not quiet:
        return None
    release = datetime.combine(end_day, end, tzinfo=settings.tz)
    return release.astimezone(now.tzinfo)


def is_urgent(session: Session, ticket_id: int | None) -> bool:
    """Whether the ticket a message is about is urgent (by priority or category)."""
    if ticket_id is None:
        return False
    row = session.exec(
        select(Ticket.priority, Category.code)
        .join(Category, Category.id == Ticket.category_id)
        .where(Ticket.id == ticket_id)
    ).first()
    return row is not None and (row[0] == "urgent" or row[1] in URGENT_CATEGORIES)


def hold_until(
    *, session: Session, kind: str, ticket_id: int | None, now: datetime, settings: Settings
) -> datetime | None:
    """When a message of `kind` written `now` may first be sent, if that is later than
    now (quiet hours); None: send it at once."""
    if kind in IMMEDIATE_KINDS or kind.startswith(OFFICER_KIND_PREFIX):
        return None
    release = release_time(now, settings)
    if release is None or is_urgent(session, ticket_id):
        return None
    return release
