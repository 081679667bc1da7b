"""The development transport: writes each outbound SMS to the log instead of sending it.

Nothing leaves the machine, so a newcomer can run the whole flow (intake, routing,
escalation, the citizen's SMS) with no telco account. The log line shows the encoding
and the number of parts, which is what a real telco would bill, so a template that
strays into UCS-2 or a third part is visible during development.
"""

from __future__ import annotations

import logging
import uuid

from grievance_engine.outbox import SendResult
from infra import sms_encoding

log = logging.getLogger(__name__)


class ConsoleTransport:
    """A transport that logs each SMS at INFO and reports it sent."""

    name = "console"

    def send(self, *, to: str, body: str) -> SendResult:
        message_id = f"console-{uuid.uuid4().hex}"
        encoding, _ = sms_encoding.units(body)
        log.info(
            "SMS to %s (%s, %d part(s), id %s):\n%s",
            to,
            encoding,
            sms_encoding.sms_parts(body),
            message_id,
            body,
        )
        return SendResult(provider=self.name, provider_message_id=message_id)
