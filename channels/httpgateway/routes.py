"""Kannel-style gateway webhooks: incoming SMS (Kannel's `get-url`) and delivery reports
(the `dlr-url` our transport hands the gateway).

Kannel calls both with GET and the fields in the query; other aggregators POST a form.
Both are accepted with the same field names. Every call must carry the shared secret
(`?secret=` or a form field `secret`): a gateway signs nothing, and without the secret
anyone could file grievances in any citizen's name.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse

from channels import webhooks
from channels.deps import LocksDep, SessionStoreDep, SettingsDep
from channels.httpgateway import parsing

log = logging.getLogger("nalish.channels.httpgateway")

router = APIRouter(prefix="/channels/http", tags=["HTTP gateway"])


async def _read(
    request: Request, secret: str | None, *, required: tuple[tuple[str, ...], ...]
) -> dict[str, str]:
    """The callback's fields (query, and for POST the form over it), once the secret is
    checked; a 400 names the first missing field. The secret is not among them.
    The query is read from its bytes as sent, before nalish.guard removed control
    characters: Kannel's raw UCS-2 has a NUL in every ASCII character (parsing.query_fields
    decodes it, then strips controls from what it decoded)."""
    query = request.scope.get(webhooks.RAW_QUERY, request.scope.get("query_string", b""))
    fields = parsing.query_fields(query)
    if request.method == "POST":
        fields.update(await webhooks.read_form(request, required=()))  # 413 / 400 on a bad body
    _check_secret(request, fields.pop("secret", ""), secret)
    webhooks.refuse_missing(request, parsing.missing(fields, required))
    return fields


def _check_secret(request: Request, given: str, expected: str | None) -> None:
    client = request.client.host if request.client else "unknown"
    if not expected:
        log.error(
            "refused %s from %s: NALISH_HTTP_GATEWAY_SECRET must be set before the HTTP "
            "gateway's webhooks accept anything",
            request.url.path,
            client,
        )
        raise HTTPException(403, "forbidden")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        reason = "missing secret" if not given else "wrong secret"
        log.warning("refused %s from %s: %s", request.url.path, client, reason)
        raise HTTPException(403, "forbidden")


# A gateway calls back by GET or POST (Kannel's get-url / post-url). One decorator per
# method, so each has its own operation id in /openapi.json (one route with both
# methods would name two operations the same).
@router.get("/sms", response_class=PlainTextResponse, operation_id="http_gateway_sms_get")
@router.post("/sms", response_class=PlainTextResponse, operation_id="http_gateway_sms_post")
async def incoming_sms(
    request: Request, settings: SettingsDep, store: SessionStoreDep, locks: LocksDep
) -> PlainTextResponse:
    """An SMS to our shortcode: ``from`` (or ``sender``), ``text`` (or ``message``), and
    optionally ``to`` (or ``receiver``) and ``id`` (or ``message_id``)."""
    fields = await _read(request, settings.http_gateway_secret, required=parsing.SMS_REQUIRED)
    sender = parsing.first(fields, parsing.SENDER) or ""
    sms = parsing.incoming_sms(fields, from_phone=webhooks.phone_field(sender, parsing.SENDER[0]))
    await webhooks.receive_sms(
        sms, store=store, locks=locks, label="HTTP gateway", provider_log=log
    )
    return PlainTextResponse("OK")


@router.get("/delivery", response_class=PlainTextResponse, operation_id="http_gateway_delivery_get")
@router.post(
    "/delivery", response_class=PlainTextResponse, operation_id="http_gateway_delivery_post"
)
async def delivery_report(request: Request, settings: SettingsDep) -> PlainTextResponse:
    """A delivery report: ``id`` (ours, from the dlr-url) and ``status`` (Kannel's DLR
    type). Unknown ids and unknown types answer 200 and are kept raw."""
    fields = await _read(request, settings.http_gateway_secret, required=parsing.DELIVERY_REQUIRED)
    report = parsing.delivery_report(fields)
    await webhooks.apply_delivery_report(report)
    return PlainTextResponse("OK")
