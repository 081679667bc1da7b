"""Outbound SMS through Africa's Talking's bulk messaging REST API.

Docs: https://developers.africastalking.com/docs/sms/sending/bulk

One POST to `{base}/version1/messaging` per message, form-encoded (`username`, `to`,
`message`, and `from` when a sender id or shortcode is configured), authenticated by
the `apiKey` header. The base is the sandbox host for the `sandbox` username, the live
host otherwise, or `NALISH_AT_API_BASE_URL` when set (a proxy, a regional endpoint,
a test double).

Africa's Talking answers 200/201 even when the message was refused for the recipient,
so the outcome is read from `SMSMessageData.Recipients[0].statusCode`, not from the
HTTP status. Each code is mapped to "sent", "retry later" or "retrying cannot help"
(`TransportError(permanent=True)`) so the outbox neither gives up on a message that a
top-up would deliver nor keeps paying to send to a number that has blocked us.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import httpx

from channels import channel_log
from grievance_engine.outbox import SendResult, TransportError
from infra.settings import Settings

log = logging.getLogger(__name__)

LIVE_BASE_URL = "https://api.africastalking.com"
SANDBOX_BASE_URL = "https://api.sandbox.africastalking.com"
SEND_PATH = "/version1/messaging"

# Recipient statusCode → meaning, from the bulk SMS docs above.
SENT_CODES = {
    100: "Processed",
    101: "Sent",
    102: "Queued",
}
# Worth another attempt: our account or AT's gateways, not the citizen's number.
RETRYABLE_CODES = {
    401: "RiskHold",
    405: "InsufficientBalance",  # an operator top-up delivers it
    407: "CouldNotRoute",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}
# Retrying cannot help: the same request would be refused the same way.
PERMANENT_CODES = {
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    406: "UserInBlacklist",  # the citizen has blocked messages from this sender at AT
    409: "DoNotDisturbRejection",
}
# The citizen blocked us (AT blacklist) or is on a do-not-disturb register: opt them out.
OPT_OUT_CODES = {406, 409}


def base_url(settings: Settings) -> str:
    """The API host for these settings: an explicit override, else sandbox or live."""
    if settings.at_api_base_url:
        return settings.at_api_base_url.rstrip("/")
    return SANDBOX_BASE_URL if settings.at_username == "sandbox" else LIVE_BASE_URL


class AfricasTalkingTransport:
    """Sends one SMS through Africa's Talking and classifies any failure."""

    name = "africastalking"

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        if not settings.at_api_key:
            raise ValueError("Africa's Talking needs NALISH_AT_API_KEY")
        self._username = settings.at_username
        self._api_key = settings.at_api_key
        self._sender_id = settings.at_sender_id
        self._url = base_url(settings) + SEND_PATH
        # We call the REST API with our own client rather than the official SDK: the
        # SDK hard-codes its timeout ((3.05, 9.05) s in africastalking 2.0.3), opens a
        # new connection per call, and raises one exception type that hides the HTTP
        # status we need to tell "retry" from "give up". A worker blocked on a silent
        # socket sends nothing else, so every request carries the operator's timeout,
        # also on an injected client.
        self._timeout = httpx.Timeout(settings.http_timeout_seconds)
        self._client = client or httpx.Client(timeout=self._timeout)
        channel_log.watch_httpx_client(self._client, self.name)

    def send(self, *, to: str, body: str) -> SendResult:
        response = self._post(to=to, body=body)
        _raise_for_http_status(response, username=self._username)
        return _result_from(_json(response))

    def _post(self, *, to: str, body: str) -> httpx.Response:
        form = {"username": self._username, "to": to, "message": body}
        if self._sender_id:
            form["from"] = self._sender_id
        headers = {"apiKey": self._api_key, "Accept": "application/json"}
        try:
            return self._client.post(self._url, data=form, headers=headers, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            _log_no_answer(self._url, form, exc)
            raise TransportError(f"Africa's Talking timed out: {exc!r}") from exc
        except httpx.TransportError as exc:  # DNS, refused connection, TLS, reset
            _log_no_answer(self._url, form, exc)
            raise TransportError(f"Africa's Talking unreachable: {exc!r}") from exc


def _log_no_answer(url: str, form: dict[str, str], exc: Exception) -> None:
    channel_log.CHANNEL_LOG.record(
        provider=AfricasTalkingTransport.name,
        direction="out",
        method="POST",
        url=url,
        status_code=None,
        duration_ms=None,
        request_body=urlencode(form),
        error=repr(exc),
    )


def _raise_for_http_status(response: httpx.Response, *, username: str) -> None:
    status = response.status_code
    if response.is_success:
        return
    detail = f"Africa's Talking answered HTTP {status}: {_snippet(response)}"
    if status in (401, 403):
        # A wrong or revoked API key (or username) fails every message alike. Failing
        # them for good would drop every citizen's SMS until someone re-queued them by
        # hand; retrying keeps them until the operator fixes the configuration.
        log.error(
            "Africa's Talking refused our credentials (HTTP %s) for username %r: "
            "check NALISH_AT_USERNAME and NALISH_AT_API_KEY",
            status,
            username,
        )
        raise TransportError(detail)
    if status == 429:  # rate limited during a burst: later will work
        raise TransportError(detail)
    if 400 <= status < 500:
        raise TransportError(detail, permanent=True)
    raise TransportError(detail)  # 5xx, or a redirect we do not follow


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError as exc:
        # A 2xx we cannot read: AT may or may not have queued it. Retrying risks a
        # duplicate SMS; not retrying risks the citizen hearing nothing. We retry.
        raise TransportError(
            f"Africa's Talking answered unreadable JSON: {_snippet(response)}"
        ) from exc
    if not isinstance(payload, dict):
        raise TransportError(f"Africa's Talking answered unexpected JSON: {_snippet(response)}")
    return payload


def _result_from(payload: dict[str, Any]) -> SendResult:
    data = payload.get("SMSMessageData")
    if not isinstance(data, dict):  # not the shape AT documents: a proxy, an outage page
        raise TransportError(f"Africa's Talking answered without SMSMessageData: {payload!r:.200}")
    recipients = data.get("Recipients") or []
    if not recipients:
        # Refused before any recipient was tried, e.g. Message "InvalidSenderId".
        message = data.get("Message") or "no recipients in the answer"
        raise TransportError(f"Africa's Talking refused the message: {message}", permanent=True)
    recipient = recipients[0]
    code = _int_or_none(recipient.get("statusCode"))
    status = recipient.get("status") or "unknown status"
    if code in SENT_CODES:
        return SendResult(provider="africastalking", provider_message_id=recipient.get("messageId"))
    detail = f"Africa's Talking: {status} (statusCode {code})"
    if code in PERMANENT_CODES:
        raise TransportError(detail, permanent=True, opted_out=code in OPT_OUT_CODES)
    if code not in RETRYABLE_CODES:
        log.warning("Africa's Talking returned an unknown statusCode %r (%s)", code, status)
    raise TransportError(detail)  # retryable, and unknown codes too: the outbox caps attempts


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _snippet(response: httpx.Response) -> str:
    return response.text[:200].strip() or "(empty body)"
