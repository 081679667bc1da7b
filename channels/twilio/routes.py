"""Twilio webhooks: incoming SMS, message status callbacks, and voice.

Incoming message webhook (https://www.twilio.com/docs/messaging/guides/webhook-request):
a form POST with ``MessageSid, AccountSid, From, To, Body…``; we answer empty TwiML.
Replies go out through our outbox rather than in the TwiML, so that they are durable,
retried and counted like every other SMS. Status callbacks
(https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks)
arrive out of order and repeat; `channels.delivery` keeps each one and never
moves a status backwards.

Voice (https://www.twilio.com/docs/voice/twiml): ``/voice`` starts the IVR
(`menus.ivr`); its <Gather> and <Record> post their answers to ``/voice/gather`` and
``/voice/recorded`` with the step they answer (``?step=``), which makes a retried
request get the same TwiML again instead of acting twice. The person key's <Dial>
posts how it ended to ``/voice/dialed``, and each agent's leg its end to
``/voice/agent`` (`menus.voice_agent`).

Every request is signed (https://www.twilio.com/docs/usage/security#validating-requests):
when ``NALISH_TWILIO_AUTH_TOKEN`` is set, ``X-Twilio-Signature`` must be the HMAC-SHA1
of the URL Twilio called and the sorted form fields, checked with Twilio's own
`RequestValidator`.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from channels import webhooks
from channels.deps import LocksDep, SessionStoreDep, SettingsDep
from channels.twilio import parsing
from infra.session_store import SessionStore
from infra.settings import Settings
from menus import ivr, voice_agent

log = logging.getLogger("nalish.channels.twilio")

router = APIRouter(prefix="/channels/twilio", tags=["Twilio"])

SIGNATURE_HEADER = "X-Twilio-Signature"
SMS_FIELDS = ("MessageSid", "From", "Body")
STATUS_FIELDS = ("MessageSid", "MessageStatus")
VOICE_FIELDS = ("CallSid",)
# CallStatus values that mean the call is over: a summary, not a caller waiting.
CALL_ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
TWIML = "application/xml"


def _signed_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: the public one when we sit behind a proxy or TLS terminator
    (the Host, scheme and port we see are not the ones Twilio called), else our own."""
    if not settings.public_base_url:
        return str(request.url.replace(query=webhooks.signed_query(request)))
    query = f"?{webhooks.signed_query(request)}" if webhooks.signed_query(request) else ""
    return f"{settings.public_base_url.rstrip('/')}{request.url.path}{query}"


def _verify(request: Request, settings: Settings, params: dict[str, str]) -> None:
    """Refuse a request Twilio did not sign with our auth token (when one is configured)."""
    if not settings.twilio_auth_token:
        if settings.env == "production":  # never open in production
            log.error("refused %s: NALISH_TWILIO_AUTH_TOKEN is not set", request.url.path)
            raise HTTPException(403, "forbidden")
        return
    url = _signed_url(request, settings)
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        reason = "missing signature"
    elif not RequestValidator(settings.twilio_auth_token).validate(url, params, signature):
        reason = "bad signature"
    else:
        return
    log.warning("refused %s: %s (URL checked: %s)", request.url.path, reason, url)
    raise HTTPException(403, "forbidden")


async def _verified_form(
    request: Request, settings: Settings, *, required: tuple[str, ...]
) -> dict[str, str]:
    """The form, once its signature checks out, with every `required` field present.

    The signature covers every field, so the form is read before anything is refused
    for a missing field: an unsigned request learns nothing but 403. Starlette keeps
    the parsed form, so the second `read_form` only checks the required fields.
    """
    fields = await webhooks.read_form(request, required=())
    _verify(request, settings, webhooks.signed_fields(request, fields))
    return await webhooks.read_form(request, required=required)


def _twiml(response: MessagingResponse | VoiceResponse) -> Response:
    return Response(response.to_xml(), media_type=TWIML)


@router.post("/sms")
async def incoming_sms(
    request: Request, settings: SettingsDep, store: SessionStoreDep, locks: LocksDep
) -> Response:
    """An SMS to our number: recorded, deduplicated by MessageSid, acted on."""
    fields = await _verified_form(request, settings, required=SMS_FIELDS)
    sms = parsing.incoming_sms(fields, from_phone=webhooks.phone_field(fields["From"], "From"))
    await webhooks.receive_sms(sms, store=store, locks=locks, label="Twilio", provider_log=log)
    # Empty on purpose, and the same for a retry: the reply is already in the outbox.
    return _twiml(MessagingResponse())


@router.post("/status")
async def status_callback(request: Request, settings: SettingsDep) -> Response:
    """A message status callback: form ``MessageSid, MessageStatus, ErrorCode, To…``.
    Unknown MessageSids and unknown statuses answer 200 and are kept raw."""
    fields = await _verified_form(request, settings, required=STATUS_FIELDS)
    report = parsing.status_report(fields)
    await webhooks.apply_delivery_report(report)
    return Response(status_code=200)


@router.post("/voice")
async def voice(request: Request, settings: SettingsDep, store: SessionStoreDep) -> Response:
    """A call to our number starts the IVR (`menus.ivr`); a status callback pointed here
    (the call ended) gets empty TwiML."""
    fields = await _verified_form(request, settings, required=VOICE_FIELDS)
    call_status = fields.get("CallStatus", "").strip().lower()
    if call_status in CALL_ENDED:  # a status callback pointed here: nothing to say
        log.info(
            "Twilio call %s ended: %s, %s s",
            fields["CallSid"][:64],
            call_status,
            fields.get("CallDuration", "?"),
        )
        return _twiml(VoiceResponse())
    return await _voice_hop(request, settings, store, fields, step=None)


@router.post("/voice/gather")
async def voice_gather(request: Request, settings: SettingsDep, store: SessionStoreDep) -> Response:
    """A <Gather>'s answer (``Digits``), or its <Redirect> when nothing was pressed."""
    fields = await _verified_form(request, settings, required=VOICE_FIELDS)
    return await _voice_hop(request, settings, store, fields, step=_answered_step(request))


@router.post("/voice/recorded")
async def voice_recorded(
    request: Request, settings: SettingsDep, store: SessionStoreDep
) -> Response:
    """A <Record>'s answer (``RecordingUrl``), or its <Redirect> when nothing was said."""
    fields = await _verified_form(request, settings, required=VOICE_FIELDS)
    return await _voice_hop(request, settings, store, fields, step=_answered_step(request))


@router.post("/voice/dialed")
async def voice_dialed(request: Request, settings: SettingsDep, store: SessionStoreDep) -> Response:
    """The person key's <Dial> is over (``DialCallStatus``): end the call after an agent
    took it, else offer the caller to leave a message."""
    fields = await _verified_form(request, settings, required=VOICE_FIELDS)
    return await _voice_hop(request, settings, store, fields, step=_answered_step(request))


@router.post("/voice/agent")
async def voice_agent_leg(request: Request, settings: SettingsDep) -> Response:
    """An agent's leg of a <Dial> ended (a <Number>'s status callback: ``To, CallStatus,
    CallDuration``): after a call they took, they are idle from now."""
    fields = await _verified_form(request, settings, required=VOICE_FIELDS)
    duration = fields.get("CallDuration", "0").strip()
    if fields.get("CallStatus", "").strip().lower() == "completed" and duration not in ("", "0"):
        agent = webhooks.phone_field(fields.get("To", ""), "To")
        await run_in_threadpool(voice_agent.agent_call_ended, agent)
    return Response(status_code=204)


def _answered_step(request: Request) -> int:
    """The step a Gather or Record answers, from its action URL (0: none, or not ours)."""
    return webhooks.answered_step(request) or 0


async def _voice_hop(
    request: Request,
    settings: Settings,
    store: SessionStore,
    fields: dict[str, str],
    *,
    step: int | None,
) -> Response:
    hop = parsing.voice_request(fields, step=step)
    # The IVR reads the session store and, to file, the database: off the event loop.
    reply = await run_in_threadpool(ivr.answer, store=store, request=hop)
    return _twiml(parsing.voice_twiml(reply, audio=webhooks.audio_urls(request, settings)))
