"""When SMS cannot reach a citizen: a failed message flagged for an agent's call-back,
and a citizen's opt-out (STOP, a provider's blacklist) and opt-in.

Ticket rules, so they live here: the outbox calls `flag_undeliverable` when a send
fails for good, `channels.delivery` when a provider reports a failure, and the SMS
menu `opt_out`/`opt_in` on STOP and START.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from grievance_engine import callbacks, events
from grievance_engine.models import Citizen, Notification, Ticket
from infra import clock

log = logging.getLogger(__name__)


def flag_undeliverable(*, session: Session, notification: Notification, opted_out: bool) -> None:
    """A message will not reach the citizen: ask an agent to call, and say so on the ticket."""
    notification.needs_callback = not opted_out
    if opted_out:
        opt_out(session=session, phone=notification.to_phone, source=notification.provider or "")
    ticket = session.get(Ticket, notification.ticket_id) if notification.ticket_id else None
    if ticket is not None:
        events.append(
            session=session,
            ticket=ticket,
            type="sms_failed",
            actor=f"provider:{notification.provider or 'unknown'}",
            data={
                "notification_id": notification.id,
                "kind": notification.kind,
                "reason": notification.last_error,
                "needs_callback": notification.needs_callback,
            },
        )
    if notification.needs_callback:
        callbacks.request(
            session=session,
            phone=notification.to_phone,
            language=notification.language,
            reason=f"SMS ({notification.kind}) not delivered: {notification.last_error or '?'}",
            source_key=f"notification:{notification.id}",
            ticket_id=notification.ticket_id,
            notification_id=notification.id,
        )


def opt_out(*, session: Session, phone: str, source: str) -> Citizen:
    """Mark the citizen with `phone` opted out of non-essential SMS (STOP, blacklist)."""
    citizen = session.exec(select(Citizen).where(Citizen.phone == phone)).first()
    if citizen is None:
        citizen = Citizen(phone=phone)
        session.add(citizen)
    if not citizen.opted_out:
        citizen.opted_out, citizen.opted_out_at = True, clock.now()
        log.info("citizen %s opted out (%s)", phone, source)
    session.flush()
    return citizen


def opt_in(*, session: Session, phone: str) -> None:
    citizen = session.exec(select(Citizen).where(Citizen.phone == phone)).first()
    if citizen is not None and citizen.opted_out:
        citizen.opted_out, citizen.opted_out_at = False, None
        session.flush()
