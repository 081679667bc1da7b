"""Per-phone limits: how many SMS replies one phone gets in an hour, and how many
complaints it files (SMS, USSD and voice together) in a day.

One phone sending 500 SMS must not cost the state 500 replies, nor 200 USSD sessions
bury the queue under 200 tickets. Beyond a limit:

- the citizen is told once, politely, in their language (the first message over it);
  a USSD or voice filing over it is told on its own screen, which costs nothing;
- nothing is lost: every message is still recorded, and a filing over the limit is kept
  in full as an inbound message marked `over_limit` (`keep()`), not as a ticket;
- an agent sees it: the first message over a limit leaves one call-back task for that
  phone and window (`grievance_engine.callbacks`, the agents' /dashboard/callbacks).

Counting is atomic across processes (`infra.ratelimit.phone_counter()`:
Redis, or the one process's memory in embedded mode) and keyed by the message or
session, so a provider's retry is judged as the first attempt was; if Redis cannot be
reached, nothing is limited (a limit must never cost a grievance). Officers' commands
from their registered phones, the API and agents' intake are not limited.
"""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session, col, select

from grievance_engine import callbacks, inbound_messages
from grievance_engine.inbound_messages import InboundSms
from grievance_engine.models import AdminArea, CallbackTask, InboundMessage
from infra import clock
from infra.ratelimit import phone_counter, window_of
from infra.settings import get_settings

OVER_LIMIT = "over_limit"  # the inbound outcome agents and `inbound_message` queries see
_FLAG = "limit:"  # the source key of a call-back task `flag()` left
HOUR, DAY = 3600, 24 * 3600


class Verdict(StrEnum):
    WITHIN = "within"  # act as usual
    NOTICE = "notice"  # the first one over: tell the citizen, flag it for an agent
    QUIET = "quiet"  # over, and already told: record only


def reply_verdict(*, phone: str, key: str) -> Verdict:
    """May the SMS `key` from `phone` be answered?"""
    return _verdict("replies", phone, key, get_settings().sms_reply_limit_per_hour, HOUR)


def filing_verdict(*, phone: str, key: str) -> Verdict:
    """May the filing `key` (a channel's session or message) from `phone` become a ticket?"""
    return _verdict("filings", phone, key, get_settings().filing_limit_per_day, DAY)


def _verdict(scope: str, phone: str, key: str, limit: int, window_seconds: int) -> Verdict:
    if limit <= 0:
        return Verdict.WITHIN
    rank = phone_counter().rank(
        f"{scope}:{phone}", key, window_seconds=window_seconds, remember=limit + 1
    )
    if rank <= limit:
        return Verdict.WITHIN
    return Verdict.NOTICE if rank == limit + 1 else Verdict.QUIET


def flag(*, session: Session, phone: str, language: str, scope: str) -> CallbackTask:
    """One call-back task per phone and window: "this number went over a limit"."""
    settings = get_settings()
    if scope == "replies":
        window, reason = (
            HOUR,
            (
                f"Sent more than {settings.sms_reply_limit_per_hour} SMS in an hour; later ones "
                "are kept unanswered (inbound messages marked over_limit). Call to see what "
                "they need."
            ),
        )
    else:
        window, reason = (
            DAY,
            (
                f"Filed more than {settings.filing_limit_per_day} complaints today; later ones "
                "are kept unfiled (inbound messages marked over_limit). Call, and file what "
                "is real."
            ),
        )
    return callbacks.request(
        session=session,
        phone=phone,
        language=language,
        reason=reason,
        source_key=f"{_FLAG}{scope}:{phone}:{window_of(window)}",
    )


def is_flag(source_key: str | None) -> bool:
    """Is this call-back task one `flag()` left?"""
    return bool(source_key) and source_key.startswith(_FLAG)


def kept_for(*, session: Session, phone: str, limit: int = 20) -> list[InboundMessage]:
    """What `phone` sent over a limit, newest first: what an agent reads before calling."""
    statement = (
        select(InboundMessage)
        .where(InboundMessage.from_phone == phone, InboundMessage.outcome == OVER_LIMIT)
        .order_by(col(InboundMessage.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def kept_text(
    *,
    session: Session,
    category: str,
    district_id: int | None,
    description: str,
    upazila_id: int | None = None,
) -> str:
    """What a kept filing says, for the agent who reads it: where, what, and the words."""
    places = [session.get(AdminArea, area) for area in (upazila_id, district_id) if area]
    where = ", ".join(place.name for place in places if place is not None)
    return f"[{category}; {where or 'no district'}] {description}"


def keep(*, session: Session, channel: str, phone: str, key: str, text: str) -> InboundMessage:
    """Record a filing over the limit in full, as an inbound message an agent can read
    (idempotent on `key`: a retried final hop keeps it once)."""
    kept, is_new = inbound_messages.record(
        session=session,
        sms=InboundSms(
            provider="kept",
            provider_message_id=f"{channel}:{key}"[:120],
            from_phone=phone,
            to="",
            text=text,
        ),
        window_seconds=0,
    )
    if is_new:
        # processed at once: the inbound sweep must not take it for an unread SMS
        kept.channel, kept.outcome, kept.processed_at = channel[:10], OVER_LIMIT, clock.now()
        session.add(kept)
        session.flush()
    return kept


def add_recordings(*, session: Session, kept_id: int, urls: list[str]) -> None:
    """A kept voice complaint's recordings, by URL: the agent can listen before calling."""
    kept = session.get(InboundMessage, kept_id)
    missing = [url for url in urls if url not in kept.text]
    if missing:
        kept.text = "\n".join([kept.text, *missing])
        session.add(kept)
        session.flush()
