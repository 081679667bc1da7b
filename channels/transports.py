"""The outbound SMS transport chosen by `NALISH_SMS_TRANSPORT`.

The composition root calls `make_transport(settings)` once at start-up and hands the
result to `grievance_engine.outbox.set_transport`; the outbox never knows which
provider it is talking to. To add a provider, copy a provider folder and add a line
to `_TRANSPORTS`.
"""

from __future__ import annotations

from collections.abc import Callable

from channels.africastalking.transport import AfricasTalkingTransport
from channels.console.transport import ConsoleTransport
from channels.httpgateway.transport import HttpGatewayTransport
from channels.twilio.transport import TwilioTransport
from grievance_engine.outbox import Transport
from infra.settings import Settings

_TRANSPORTS: dict[str, Callable[[Settings], Transport]] = {
    "console": lambda settings: ConsoleTransport(),
    "africastalking": AfricasTalkingTransport,
    "twilio": TwilioTransport,
    "http": HttpGatewayTransport,
}


def make_transport(settings: Settings) -> Transport:
    """The transport named by `settings.sms_transport`, built from `settings`."""
    try:
        factory = _TRANSPORTS[settings.sms_transport]
    except KeyError:
        raise ValueError(f"unknown SMS transport {settings.sms_transport!r}") from None
    return factory(settings)
