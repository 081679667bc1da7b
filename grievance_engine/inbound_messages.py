"""Inbound messages: record each one once, so a provider's retry is never acted on twice.

`record()` returns the stored message and whether it is new. A message is the same as
one we have when the provider gave the same id, or — for providers and gateways that
give none — when the same phone sent the same text within a short window. Either way
a unique constraint decides, so fifty copies posted at once are recorded once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from grievance_engine.models import InboundMessage
from infra import clock


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


def dedupe_key(sms: InboundSms) -> str:
    """The key that makes a message without a provider id the same as another: the
    provider, the phone and the text (as `text_hash` normalises it).

    Why no time in it: a gateway retry may arrive a second or a minute later, and a
    time bucket would split retries that straddle its edge. The window is applied by
    releasing the key instead (see `record`). Why not the gateway's own timestamp:
    Kannel only passes one if its get-url asks for it (`%t`), and two retries of one
    message carry the same one anyway; phone + text is what every gateway sends.
    """
    canonical = f"{sms.provider}\n{sms.from_phone}\n{text_hash(sms.text)}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    *, session: Session, sms: InboundSms, window_seconds: int
) -> tuple[InboundMessage, bool]:
    """Store `sms` unless we have it already; returns (the stored row, is_new).

    The database decides, never a read: a message with a provider id is new if its
    insert wins the unique (provider, id); one without is new if its insert wins the
    unique `dedupe_key`, which the last such message holds for `window_seconds`. A
    concurrent duplicate's insert waits for the first to commit, then loses.
    """
    digest = text_hash(sms.text)
    key = None
    if not sms.provider_message_id and window_seconds > 0:
        key = dedupe_key(sms)
        _release_stale_key(session, key, clock.now() - timedelta(seconds=window_seconds))
    existing = _find(session, sms, key)
    if existing is not None:
        return existing, False
    message = InboundMessage(
        provider=sms.provider,
        provider_message_id=sms.provider_message_id or None,
        from_phone=sms.from_phone,
        to_address=sms.to[:40],
        text=sms.text,
        text_hash=digest,
        dedupe_key=key,
        received_at=clock.now(),
    )
    try:
        with session.begin_nested():  # a concurrent retry may insert the same key first
            session.add(message)
            session.flush()
    except IntegrityError:
        existing = _find(session, sms, key)
        if existing is None:
            raise
        return existing, False
    return message, True


def _release_stale_key(session: Session, key: str, since: datetime) -> None:
    # The same text from the same phone after the window is a new message: the old row
    # gives up the key (a conditional UPDATE, so of two racing newcomers one releases
    # it and both then race on the insert, which exactly one wins).
    session.connection().execute(
        update(InboundMessage)
        .where(col(InboundMessage.dedupe_key) == key, col(InboundMessage.received_at) < since)
        .values(dedupe_key=None)
    )


def _find(session: Session, sms: InboundSms, key: str | None) -> InboundMessage | None:
    if sms.provider_message_id:
        statement = select(InboundMessage).where(
            InboundMessage.provider == sms.provider,
            InboundMessage.provider_message_id == sms.provider_message_id,
        )
        return session.exec(statement).first()
    if key is None:
        return None
    return session.exec(select(InboundMessage).where(InboundMessage.dedupe_key == key)).first()
