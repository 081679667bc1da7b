"""The inbound SMS pipeline every provider's webhook shares.

1. Record the message (committed at once: from here on it cannot be lost). Only if
   this fails (the database is down) does the webhook fail, so the telco retries.
2. Under a per-phone lock (messages from one phone are handled in order), act on it
   through the SMS menu and mark it processed, in one transaction.

A provider retry finds the recorded message: if it was processed, nothing happens
again; if processing had failed, it is processed now. Messages still unprocessed a
minute later (a crash between 1 and 2) are picked up by `process_stragglers()`,
which runs as a periodic job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from grievance_engine import inbound_messages
from grievance_engine.inbound_messages import InboundSms
from grievance_engine.models import InboundMessage
from infra import clock
from infra.db import get_engine
from infra.locks import Locks
from infra.session_store import SessionStore
from infra.settings import get_settings
from menus import sms as sms_menu

log = logging.getLogger("nalish.channels.inbound")
# What an inbound row keeps of a message whose words are personal data kept elsewhere
# (`SmsResult.redacted`); its text_hash still recognises a provider's retry.
REDACTED = "[answer kept apart]"

__all__ = ["InboundOutcome", "InboundSms", "handle_sms", "process_stragglers"]


@dataclass(frozen=True)
class InboundOutcome:
    message_id: int
    duplicate: bool  # we had this message already
    outcome: str | None  # what the SMS menu did: filed, asked_district, status, stop…


def handle_sms(sms: InboundSms, *, store: SessionStore, locks: Locks) -> InboundOutcome:
    """Record and act on one inbound SMS (idempotent; call from a thread, not the loop)."""
    window = get_settings().inbound_dedupe_window_seconds
    with Session(get_engine(), expire_on_commit=False) as session:
        message, is_new = inbound_messages.record(session=session, sms=sms, window_seconds=window)
        session.commit()
    if message.processed_at is not None:
        return InboundOutcome(message.id, duplicate=not is_new, outcome=message.outcome)
    try:
        outcome = _process(message.id, store=store, locks=locks)
    except Exception:
        # The message is recorded, so it is not lost: answer the telco normally (a 5xx
        # would only make it retry) and let the inbound sweep act on it shortly.
        log.exception("inbound message %s recorded but not processed; the sweep will", message.id)
        outcome = "deferred"
    return InboundOutcome(message.id, duplicate=not is_new, outcome=outcome)


def _process(message_id: int, *, store: SessionStore, locks: Locks) -> str | None:
    with Session(get_engine(), expire_on_commit=False) as session:
        phone = session.get(InboundMessage, message_id).from_phone
    with (
        locks.hold(f"phone:{phone}", wait_seconds=15, ttl_seconds=60),
        Session(get_engine(), expire_on_commit=False) as session,
    ):
        message = session.get(InboundMessage, message_id)
        if message.processed_at is not None:  # a concurrent retry got here first
            return message.outcome
        result = sms_menu.respond(
            session=session,
            store=store,
            phone=message.from_phone,
            text=message.text,
            key=f"{message.provider}:{message.id}",
        )
        message.processed_at = clock.now()
        message.outcome = result.outcome
        message.ticket_id = result.ticket_id
        if result.redacted:
            message.text = REDACTED
        session.add(message)
        session.commit()
        return result.outcome


def process_stragglers(*, store: SessionStore, locks: Locks, older_than_seconds: int = 60) -> int:
    """Process inbound messages recorded but never processed (a crash mid-way)."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    with Session(get_engine()) as session:
        ids = session.exec(
            select(InboundMessage.id)
            .where(
                col(InboundMessage.processed_at).is_(None), col(InboundMessage.received_at) < cutoff
            )
            .order_by(col(InboundMessage.id))
            .limit(500)
        ).all()
    for message_id in ids:
        try:
            _process(message_id, store=store, locks=locks)
        except Exception:
            log.exception("inbound message %s still cannot be processed", message_id)
    return len(ids)
