"""Inbound messages: record each one once, so a provider's retry is never acted on twice.

`record()` returns the stored message and whether it is new. A message is the same as
one we have when the provider gave the same id, or — for providers and gateways that
give none — when the same phone sent the same text within a short window.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from grievance_engine import clock
from grievance_engine.models import InboundMessage


@dataclass(frozen=True)
class InboundSms:
    """An SMS as every provider's parser hands it over (phone already E.164)."""

    provider: str
    provider_message_id: str | None
    from_phone: str
    to: str
    text: str

    def __post_init__(self) -> None:
        # Cut to the columns (InboundMessage): an id no provider would send must not
        # turn a webhook into a 500. Dedupe compares the cut id, so a retry still matches.
        if self.provider_message_id and len(self.provider_message_id) > ID_SIZE:
            object.__setattr__(self, "provider_message_id", self.provider_message_id[:ID_SIZE])


ID_SIZE = 120  # InboundMessage.provider_message_id


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


def record(
    *, session: Session, sms: InboundSms, window_seconds: int
) -> tuple[InboundMessage, bool]:
    """Store `sms` unless we have it already; returns (the stored row, is_new)."""
    digest = text_hash(sms.text)
    existing = _find(session, sms, digest, window_seconds)
    if existing is not None:
        return existing, False
    message = InboundMessage(
        provider=sms.provider,
        provider_message_id=sms.provider_message_id or None,
        from_phone=sms.from_phone,
        to_address=sms.to[:40],
        text=sms.text,
        text_hash=digest,
        received_at=clock.now(),
    )
    try:
        with session.begin_nested():  # a concurrent retry may insert the same id first
            session.add(message)
            session.flush()
    except IntegrityError:
        existing = _find(session, sms, digest, window_seconds)
        if existing is None:
            raise
        return existing, False
    return message, True


def _find(
    session: Session, sms: InboundSms, digest: str, window_seconds: int
) -> InboundMessage | None:
    if sms.provider_message_id:
        statement = select(InboundMessage).where(
            InboundMessage.provider == sms.provider,
            InboundMessage.provider_message_id == sms.provider_message_id,
        )
        return session.exec(statement).first()
    if window_seconds <= 0:
        return None
    since = clock.now() - timedelta(seconds=window_seconds)
    statement = (
        select(InboundMessage)
        .where(
            InboundMessage.from_phone == sms.from_phone,
            InboundMessage.text_hash == digest,
            col(InboundMessage.received_at) >= since,
        )
        .order_by(col(InboundMessage.id).desc())
    )
    return session.exec(statement).first()
