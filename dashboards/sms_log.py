"""Every SMS of a ticket, both ways, for its page: what we sent the citizen (the outbox,
with each message's delivery status) and what they sent us about it (inbound
messages), oldest first, so the page tells the whole conversation; and how a reply
would be sent (`count_sms`: encoding and parts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from grievance_engine import outbox
from grievance_engine.models import InboundMessage, Notification, Ticket
from infra import sms_encoding

SHOWN = 50  # a ticket's conversation rarely runs longer; the CLI shows all


def messages_of(session: Session, ticket: Ticket, phone: str) -> list[dict[str, Any]]:
    """The SMS about `ticket` to and from `phone` (its citizen), oldest first. Read by
    the phone (the outbox's `ix_notification_to_phone`), then narrowed to the ticket."""
    sent = session.exec(
        select(Notification)
        .where(Notification.to_phone == phone, Notification.ticket_id == ticket.id)
        .order_by(col(Notification.id).desc())
        .limit(SHOWN)
    ).all()
    received = session.exec(
        select(InboundMessage)
        .where(InboundMessage.ticket_id == ticket.id)
        .order_by(col(InboundMessage.id).desc())
        .limit(SHOWN)
    ).all()
    rows = [
        {
            "direction": "out",
            "at": message.sent_at or message.created_at,
            "text": message.body,
            "status": message.status,
            "kind": message.kind,
        }
        for message in sent
    ] + [
        {
            "direction": "in",
            "at": message.received_at,
            "text": message.text,
            "status": "",
            "kind": "",
        }
        for message in received
    ]
    return sorted(rows, key=lambda row: row["at"])[-SHOWN:]


@dataclass(frozen=True)
class SmsCount:
    """How an SMS of `text` is sent: its encoding, length in that encoding's units, parts."""

    text: str
    encoding: str
    units: int
    parts: int


def count_sms(text: str, language: str) -> SmsCount:
    """`text` as the outbox will send it in `language` (typographic look-alikes made
    GSM-7 where the language allows), counted."""
    if language in outbox.GSM7_LANGUAGES:
        text = sms_encoding.normalise_for_gsm7(text)
    encoding, length = sms_encoding.units(text)
    return SmsCount(text, encoding, length, sms_encoding.sms_parts(text) if text else 0)
