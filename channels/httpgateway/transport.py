"""Outbound SMS through a Kannel-style HTTP gateway (`sendsms`).

Docs: https://www.kannel.org/download/1.4.5/userguide-1.4.5/userguide.html ("Sending
SMS": the sendsms parameters and answers; "Delivery reports": dlr-mask and dlr-url).

The request is the operator's URL template (`NALISH_HTTP_GATEWAY_SEND_URL`) with its
placeholders filled in, every value URL-encoded. `GET` requests that URL. `POST` is
Kannel's "sendsms POST": the text is the body (`Content-Type: text/plain;
charset=UTF-8`) and every other parameter of the template a header, `from` as
`X-Kannel-From`, `dlr-url` as `X-Kannel-DLR-Url` and so on; Kannel answers a form body
with "400 Invalid content-type". We generate the message id ourselves (`{id}`) and put
it in the dlr-url, because Kannel's own answer carries no id a report could quote. A
report can still reach us before the worker has saved that id (Kannel queues the
message, and the fake or a fast SMSC reports, before it answers us): see
channels.delivery.apply_waiting.

Kannel answers 202 "0: Accepted for delivery" (or "3: Queued for later delivery"),
other gateways 200 "Sent.": any 2xx is a success. A 4xx means the gateway refused this
request (403 "Authorization failed", 400 "Missing receiver") and sending it again will
be refused again: `TransportError(permanent=True)`. 5xx, timeouts and connection
errors are the gateway's trouble, worth another attempt.

The template holds the gateway's password, and the dlr-url holds our webhook secret:
every URL we log or put in an error is redacted first, and so is httpx's own
"HTTP Request: GET <url>" log line.
"""

from __future__ import annotations

import logging
import re
import uuid
from urllib.parse import quote, unquote, urlsplit

import httpx

from channels import channel_log
from grievance_engine.outbox import SendResult, TransportError
from infra import sms_encoding
from infra.log_redaction import REDACTED, redact_url
from infra.settings import Settings

log = logging.getLogger(__name__)

PLACEHOLDERS = frozenset({"to", "to_e164", "from", "text", "coding", "charset", "id", "dlr_url"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
DELIVERY_PATH = "/channels/http/delivery"
# Kannel's `coding`: 0 = 7-bit GSM, 2 = UCS-2 (any Bangla makes the whole message UCS-2).
CODING = {sms_encoding.GSM7: "0", sms_encoding.UCS2: "2"}
CHARSET = "UTF-8"  # what we send `text` in; Kannel converts it to `coding`

# Kannel's sendsms POST takes each parameter as an `X-Kannel-…` header (user guide,
# "Sending SMS": the POST variant); header names are case-insensitive, these are its
# spelling. Any other parameter becomes X-Kannel-<Name>.
KANNEL_HEADERS = {
    "username": "X-Kannel-Username",
    "password": "X-Kannel-Password",
    "from": "X-Kannel-From",
    "to": "X-Kannel-To",
    "udh": "X-Kannel-UDH",
    "smsc": "X-Kannel-SMSC",
    "mclass": "X-Kannel-MClass",
    "mwi": "X-Kannel-MWI",
    "coding": "X-Kannel-Coding",
    "validity": "X-Kannel-Validity",
    "deferred": "X-Kannel-Deferred",
    "dlr-mask": "X-Kannel-DLR-Mask",
    "dlr-url": "X-Kannel-DLR-Url",
    "pid": "X-Kannel-PID",
    "alt-dcs": "X-Kannel-Alt-DCS",
    "rpi": "X-Kannel-RPI",
    "priority": "X-Kannel-Priority",
    "meta-data": "X-Kannel-Meta-Data",
}
# 408 and 429 are 4xx but say "not now" rather than "never".
_RETRYABLE_4XX = {408, 429}


class _RedactHttpxUrls(logging.Filter):
    """Redacts the URL in httpx's INFO line "HTTP Request: GET <url> ...", which would
    otherwise print the gateway password of every GET template to the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, httpx.URL) for arg in record.args
        ):
            record.args = tuple(
                redact_url(str(arg)) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


def _install_httpx_log_filter() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactHttpxUrls) for f in httpx_log.filters):
        httpx_log.addFilter(_RedactHttpxUrls())


class HttpGatewayTransport:
    """Sends one SMS through a Kannel-style HTTP gateway and classifies any failure."""

    name = "http"

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        template = settings.http_gateway_send_url
        if not template:
            raise ValueError("the HTTP gateway needs NALISH_HTTP_GATEWAY_SEND_URL")
        _check_template(template)
        self._template = template
        self._method = settings.http_gateway_method
        self._sender = settings.http_gateway_sender or ""
        self._secret = settings.http_gateway_secret or ""
        self._public_base_url = (settings.public_base_url or "").rstrip("/")
        if "{dlr_url}" in template and self._public_base_url and not self._secret:
            log.warning(
                "delivery reports from the HTTP gateway will be refused: "
                "NALISH_HTTP_GATEWAY_SECRET is not set"
            )
        # A worker blocked on a silent socket sends nothing else, so every request
        # carries the operator's timeout, also on an injected client.
        self._timeout = httpx.Timeout(settings.http_timeout_seconds)
        self._client = client or httpx.Client(timeout=self._timeout)
        channel_log.watch_httpx_client(self._client, self.name)
        _install_httpx_log_filter()

    def send(self, *, to: str, body: str) -> SendResult:
        message_id = uuid.uuid4().hex
        url = self.url_for(to=to, body=body, message_id=message_id)
        post = (
            self.post_for(to=to, body=body, message_id=message_id)
            if self._method == "POST"
            else None
        )
        response = self._request(url, post)
        if response.is_success:
            return SendResult(provider=self.name, provider_message_id=message_id)
        raise self._error_for(response, url)

    def url_for(self, *, to: str, body: str, message_id: str) -> str:
        """The sendsms URL for one message: the template with every value URL-encoded."""
        values = self._values(to=to, body=body, message_id=message_id)
        return _PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe=""), self._template)

    def post_for(self, *, to: str, body: str, message_id: str) -> tuple[str, dict[str, str], bytes]:
        """Kannel's sendsms POST for one message: the URL's path, the template's
        parameters as X-Kannel-… headers, and the text as a UTF-8 body."""
        values = self._values(to=to, body=body, message_id=message_id)
        path, _, query = self._template.partition("?")
        headers = {"Content-Type": f"text/plain; charset={CHARSET}"}
        text = ""
        for pair in filter(None, query.split("&")):
            name, _, template_value = pair.partition("=")
            name = unquote(name)
            # literal parts as the operator URL-encoded them, placeholders filled raw
            pieces = _PLACEHOLDER.split(template_value)
            value = "".join(
                unquote(piece) if i % 2 == 0 else values[piece] for i, piece in enumerate(pieces)
            )
            if name == "text":
                text = value
            elif name != "charset":  # the body is always UTF-8, said in Content-Type
                headers[KANNEL_HEADERS.get(name.lower(), f"X-Kannel-{name.title()}")] = value
        return path, headers, text.encode("utf-8")

    def _values(self, *, to: str, body: str, message_id: str) -> dict[str, str]:
        return {
            "to": to.removeprefix("+"),
            "to_e164": to,
            "from": self._sender,
            "text": body,
            "coding": CODING[sms_encoding.encoding_of(body)],
            "charset": CHARSET,
            "id": message_id,
            "dlr_url": self._dlr_url(message_id),
        }

    def _dlr_url(self, message_id: str) -> str:
        if not self._public_base_url:
            return ""
        # `%d` stays literal: Kannel replaces it with the report type when it calls us.
        url = f"{self._public_base_url}{DELIVERY_PATH}?id={quote(message_id, safe='')}&status=%d"
        if self._secret:
            url += f"&secret={quote(self._secret, safe='')}"
        return url

    def _request(self, url: str, post: tuple[str, dict[str, str], bytes] | None) -> httpx.Response:
        """GET `url`, or POST `post`; `url` (redacted) is what errors name either way."""
        try:
            if post is not None:
                path, headers, content = post
                return self._client.post(
                    path, content=content, headers=headers, timeout=self._timeout
                )
            return self._client.get(url, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            raise TransportError(
                f"HTTP gateway timed out: {self._scrub(repr(exc))} "
                f"({self._method} {redact_url(url)})"
            ) from exc
        except httpx.TransportError as exc:  # DNS, refused connection, TLS, reset
            raise TransportError(
                f"HTTP gateway unreachable: {self._scrub(repr(exc))} "
                f"({self._method} {redact_url(url)})"
            ) from exc

    def _error_for(self, response: httpx.Response, url: str) -> TransportError:
        status = response.status_code
        # The answer first: `last_error` keeps 500 characters and the URL is long.
        detail = (
            f"HTTP gateway answered HTTP {status}: {self._scrub(_snippet(response))} "
            f"({self._method} {redact_url(url)})"
        )
        if status in (401, 403):
            log.error(
                "the HTTP gateway refused our credentials (HTTP %s): check the username "
                "and password in NALISH_HTTP_GATEWAY_SEND_URL",
                status,
            )
        if 400 <= status < 500 and status not in _RETRYABLE_4XX:
            return TransportError(detail, permanent=True)
        return TransportError(detail)  # 5xx, 408/429, or a redirect we do not follow

    def _scrub(self, text: str) -> str:
        """`text` without our webhook secret, should a gateway or library echo it."""
        return text.replace(self._secret, REDACTED) if self._secret else text


def _check_template(template: str) -> None:
    """Fail at start-up, not on the first citizen's SMS, when the template cannot work."""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"NALISH_HTTP_GATEWAY_SEND_URL must be an http:// or https:// URL, "
            f"not {redact_url(template)!r}"
        )
    names = _PLACEHOLDER.findall(template)
    unknown = sorted(set(names) - PLACEHOLDERS)
    if unknown:
        raise ValueError(
            "unknown placeholder(s) in NALISH_HTTP_GATEWAY_SEND_URL: "
            + ", ".join("{" + name + "}" for name in unknown)
            + " (known: "
            + ", ".join("{" + name + "}" for name in sorted(PLACEHOLDERS))
            + ")"
        )
    if not {"to", "to_e164"} & set(names) or "text" not in names:
        raise ValueError("NALISH_HTTP_GATEWAY_SEND_URL must contain {to} (or {to_e164}) and {text}")


def _snippet(response: httpx.Response) -> str:
    return response.text[:200].strip() or "(empty body)"
