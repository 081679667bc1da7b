"""Outbound SMS through Twilio's Messages API, with the official `twilio` package.

Docs: https://www.twilio.com/docs/messaging/api/message-resource (create a Message),
https://www.twilio.com/docs/api/errors (error codes).

`messages.create(to=, from_=, body=)` answers the new Message resource; its `sid`
(`SM…`) is what status callbacks quote. A refusal raises `TwilioRestException` with
the HTTP status and Twilio's error code, which we map to "retry later" or "retrying
cannot help" (`TransportError(permanent=True)`).
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels import channel_log
from grievance_engine.outbox import SendResult, TransportError
from infra.settings import Settings

log = logging.getLogger(__name__)

# Twilio error codes where the same request would be refused the same way.
PERMANENT_ERROR_CODES = {
    21610: "recipient replied STOP",  # sending again is refused until they send START
    21211: "invalid 'To' phone number",
    21614: "'To' number is not a mobile number",
    21408: "sending to this region is not enabled on the account",
}
OPT_OUT_ERROR_CODE = 21610


class TwilioTransport:
    """Sends one SMS through Twilio and classifies any failure."""

    name = "twilio"

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        if not settings.twilio_from:
            raise ValueError("Twilio needs NALISH_TWILIO_FROM")
        self._from = settings.twilio_from
        self._client = client or _default_client(settings)

    def send(self, *, to: str, body: str) -> SendResult:
        started = time.perf_counter()
        try:
            message = self._client.messages.create(to=to, from_=self._from, body=body)
        except (TwilioRestException, TwilioServiceException) as exc:
            self._log_exchange(started, error=None)
            raise _transport_error(exc) from exc
        except requests.RequestException as exc:  # timeout, DNS, refused, TLS, reset
            self._log_exchange(started, error=repr(exc))
            raise TransportError(f"Twilio unreachable: {exc!r}") from exc
        self._log_exchange(started, error=None)
        return SendResult(provider=self.name, provider_message_id=message.sid)

    def _log_exchange(self, started: float, *, error: str | None) -> None:
        """Log the last HTTP exchange Twilio's client made (its auth header is not kept)."""
        http_client = getattr(self._client, "http_client", None)
        request = getattr(http_client, "last_request", None)
        response = getattr(http_client, "last_response", None)
        if request is None:
            return
        data = getattr(request, "data", None) or {}
        channel_log.CHANNEL_LOG.record(
            provider=self.name,
            direction="out",
            method=getattr(request, "method", "POST") or "POST",
            url=getattr(request, "url", "") or "",
            status_code=getattr(response, "status_code", None),
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            request_body=urlencode(data) if isinstance(data, dict) else str(data),
            response_body=getattr(response, "text", "") or "",
            error=error,
        )


def _default_client(settings: Settings) -> Client:
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        raise ValueError("Twilio needs NALISH_TWILIO_ACCOUNT_SID and NALISH_TWILIO_AUTH_TOKEN")
    # TwilioHttpClient's default timeout is None: a silent socket would hold a worker,
    # and every SMS queued behind it, forever.
    http_client = TwilioHttpClient(timeout=settings.http_timeout_seconds)
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)


def _transport_error(exc: TwilioRestException | TwilioServiceException) -> TransportError:
    status, code = exc.status, exc.code
    detail = f"Twilio error {code} (HTTP {status}): {_message_of(exc)}"
    if code in PERMANENT_ERROR_CODES:
        return TransportError(
            f"{detail} [{PERMANENT_ERROR_CODES[code]}]",
            permanent=True,
            opted_out=code == OPT_OUT_ERROR_CODE,
        )
    if status in (401, 403):
        # Wrong or revoked credentials fail every message alike. Failing them for good
        # would drop every citizen's SMS until someone re-queued them by hand; retrying
        # keeps them until the operator fixes the configuration.
        log.error(
            "Twilio refused our credentials (HTTP %s, error %s): check "
            "NALISH_TWILIO_ACCOUNT_SID and NALISH_TWILIO_AUTH_TOKEN",
            status,
            code,
        )
        return TransportError(detail)
    if status == 429 or status >= 500:  # rate limited, or Twilio's own trouble
        return TransportError(detail)
    return TransportError(detail, permanent=status >= 400)


def _message_of(exc: TwilioRestException | TwilioServiceException) -> str:
    # Not str(exc): TwilioRestException paints it with terminal colours on a TTY.
    if isinstance(exc, TwilioRestException):
        return exc.msg
    return exc.detail or exc.title
