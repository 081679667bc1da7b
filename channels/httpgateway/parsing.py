"""Kannel-style gateway callbacks → Nalish's normalised messages.

Docs: https://www.kannel.org/download/1.4.5/userguide-1.4.5/userguide.html ("SMS
service configurations" for `get-url`, "Delivery reports" for `dlr-url`).

Gateways name the same thing differently, so each field has a few accepted names:
Kannel's own `get-url` examples use `from, to, text, id`; other aggregators send
`sender, receiver, message, message_id`.
"""

from __future__ import annotations

from collections.abc import Mapping

from grievance_engine.delivery import Report
from grievance_engine.inbound import InboundSms
from grievance_engine.models import NotificationStatus

PROVIDER = "http"

# Field → the names a gateway may send it under, the first one preferred.
SENDER = ("from", "sender")
RECEIVER = ("to", "receiver")
TEXT = ("text", "message")
MESSAGE_ID = ("id", "message_id")
STATUS = ("status",)

SMS_REQUIRED = (SENDER, TEXT)
DELIVERY_REQUIRED = (MESSAGE_ID, STATUS)

# Kannel DLR types (the `%d` in a dlr-url): what each means for us, and in words.
DLR_TYPES: dict[int, tuple[NotificationStatus, str]] = {
    1: (NotificationStatus.DELIVERED, "delivered to the phone"),
    2: (NotificationStatus.FAILED, "not delivered to the phone"),
    4: (NotificationStatus.SENT, "buffered at the SMSC"),
    8: (NotificationStatus.SENT, "submitted to the SMSC"),
    16: (NotificationStatus.FAILED, "rejected by the SMSC"),
}


def first(fields: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    """The value of the first of `names` present in `fields`, else None."""
    for name in names:
        if name in fields:
            return fields[name]
    return None


def missing(fields: Mapping[str, str], required: tuple[tuple[str, ...], ...]) -> list[str]:
    """The preferred name of each required field that is absent under every name."""
    return [names[0] for names in required if first(fields, names) is None]


def incoming_sms(fields: Mapping[str, str], *, from_phone: str) -> InboundSms:
    return InboundSms(
        provider=PROVIDER,
        # A gateway that gives no id is deduplicated by phone + text within a window.
        provider_message_id=(first(fields, MESSAGE_ID) or "")[:120] or None,
        from_phone=from_phone,
        to=first(fields, RECEIVER) or "",
        text=first(fields, TEXT) or "",
    )


def delivery_report(fields: Mapping[str, str]) -> Report:
    raw_status = (first(fields, STATUS) or "").strip()
    try:
        dlr_type: int | None = int(raw_status)
    except ValueError:
        dlr_type = None
    status, meaning = DLR_TYPES.get(dlr_type, (NotificationStatus.PENDING, None))
    return Report(
        provider=PROVIDER,
        provider_message_id=first(fields, MESSAGE_ID) or "",
        provider_status=raw_status,
        # An unknown type is kept raw but moves nothing: PENDING never outranks a status.
        status=status,
        # Kannel's number alone would mean nothing to the agent reading `last_error`.
        failure_reason=f"{meaning} (Kannel DLR {dlr_type})"
        if status == NotificationStatus.FAILED
        else None,
        raw=dict(fields),
    )
