"""Africa's Talking payloads → Nalish's normalised messages, and voice XML out.

Docs: https://developers.africastalking.com/docs/sms/notifications (incoming SMS and
delivery reports), https://developers.africastalking.com/docs/voice/actions (XML).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from grievance_engine.delivery import Report
from grievance_engine.inbound import InboundSms
from grievance_engine.models import NotificationStatus

PROVIDER = "africastalking"

# Delivery statuses: Sent, Submitted and Buffered are on their way; Success is final
# (on the handset); Rejected, Failed and Expired are final failures.
STATUS_MAP = {
    "sent": NotificationStatus.SENT,
    "submitted": NotificationStatus.SENT,
    "buffered": NotificationStatus.SENT,
    "success": NotificationStatus.DELIVERED,
    "rejected": NotificationStatus.FAILED,
    "failed": NotificationStatus.FAILED,
    "expired": NotificationStatus.FAILED,
}
# failureReason values that mean the citizen blocked messages from us.
OPT_OUT_REASONS = {"userinblacklist", "userinblocklist", "dndreject"}


def incoming_sms(fields: dict[str, str], *, from_phone: str) -> InboundSms:
    return InboundSms(
        provider=PROVIDER,
        provider_message_id=fields.get("id") or None,
        from_phone=from_phone,
        to=fields.get("to", ""),
        text=fields.get("text", ""),
    )


def delivery_report(fields: dict[str, str]) -> Report:
    raw_status = fields["status"]
    reason = fields.get("failureReason") or None
    mapped = STATUS_MAP.get(raw_status.strip().lower())
    return Report(
        provider=PROVIDER,
        provider_message_id=fields["id"],
        provider_status=raw_status,
        # An unknown word is kept raw but moves nothing: PENDING never outranks a status.
        status=mapped or NotificationStatus.PENDING,
        failure_reason=reason,
        opted_out=(reason or "").replace(" ", "").lower() in OPT_OUT_REASONS,
        raw=dict(fields),
    )


def voice_xml(text: str) -> str:
    """An AT voice response that says `text` and ends the call."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Response><Say voice="en-US-Standard-C" playBeep="false">{escape(text)}</Say></Response>'
    )
