"""Africa's Talking webhooks: USSD (+ end of session), incoming SMS, delivery reports,
and voice.

USSD callback (https://developers.africastalking.com/docs/ussd/handle_sessions): a form
POST with ``sessionId, serviceCode, phoneNumber, networkCode, text``; we answer
``text/plain`` starting ``CON `` (more to come) or ``END `` (session over), within the
telco's ~10 s budget: a hop is a session-store read and write, and only filing or a
status look-up touches the database (see `_answer`).
"""

from __future__ import annotations

import functools
import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import bindparam
from sqlmodel import select

from channels import webhooks
from channels.africastalking import parsing
from channels.deps import LocksDep, SessionStoreDep, SettingsDep
from grievance_engine.models import Citizen
from infra.db import get_engine
from infra.session_store import AsyncSessionStore
from infra.settings import Settings, get_settings
from menus import flows, ivr, ussd, ussd_replay, voice_agent
from menus.engine import Flow
from menus.i18n import t

log = logging.getLogger("nalish.channels.africastalking")

router = APIRouter(prefix="/channels/africastalking", tags=["Africa's Talking"])

USSD_FIELDS = ("sessionId", "serviceCode", "phoneNumber", "text")
USSD_PATH = f"{router.prefix}/ussd"  # `nalish.ussd_fast_path` serves it past the router


def _verify(request: Request, settings: Settings) -> None:
    """Africa's Talking signs nothing: a shared token and, optionally, its addresses."""
    webhooks.check_token(request, settings.at_webhook_token)
    webhooks.check_source(request, settings.at_networks)


async def ussd_callback(request: Request) -> PlainTextResponse:
    """The USSD hop, as a plain Starlette route (added below): no dependency solving,
    no response model; the app's middleware (guards, channel log, headers) and error
    handlers apply as to every route."""
    settings = get_settings()  # read directly, not as a dependency: no thread hop
    _verify(request, settings)
    fields = await webhooks.read_form(request, required=USSD_FIELDS)
    hop = ussd.UssdRequest(
        session_id=fields["sessionId"][:128],
        phone=_caller(fields["phoneNumber"], settings.country),
        text=fields["text"],
        service_code=fields["serviceCode"],
        network_code=fields.get("networkCode", ""),
    )
    return PlainTextResponse(await _answer(hop, request.app.state.ussd_store, settings))


@functools.lru_cache(maxsize=65_536)
def _caller(raw: str, country: str) -> str:
    """The caller's number in E.164, parsed once per phone (a national number is read
    as `country`'s, the deployment's), not at each of a session's hops. A refused
    number raises, and an exception is never cached."""
    return webhooks.phone_field(raw, "phoneNumber")


# The hop is served by a plain Starlette route, put first so it matches first (a plain
# route names its path whole: the router's prefix applies to FastAPI routes only). The
# FastAPI route behind it, the same handler, is never reached: it puts the callback and
# its form in the OpenAPI document.
router.add_api_route(
    "/ussd",
    ussd_callback,
    methods=["POST"],
    response_class=PlainTextResponse,
    summary="A USSD hop (Africa's Talking's callback): the next screen, CON… or END…",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": list(USSD_FIELDS),
                        "properties": {
                            name: {"type": "string"} for name in (*USSD_FIELDS, "networkCode")
                        },
                    }
                }
            },
        }
    },
)
router.add_route(USSD_PATH, ussd_callback, methods=["POST"], name="ussd_callback")
router.routes.insert(0, router.routes.pop())


async def _answer(hop: ussd.UssdRequest, store: AsyncSessionStore, settings: Settings) -> str:
    """One hop, worked out from the answers in `text` (`menus.ussd_replay`): most hops
    touch neither the session store nor the database and run right here on the event
    loop; a session's first hop (the citizen's language, a dropped complaint to offer
    back) and hops that file or look up a ticket run on a worker thread, and commit
    before the citizen sees a reference.
    """
    language = settings.default_language
    flow = flows.current()
    # A session is kept long enough to be offered back if the network drops it.
    ttl = max(settings.ussd_session_ttl_seconds, settings.ussd_resume_minutes * 60)

    async def first_hop(previous: dict | None) -> ussd.Hop:
        return await run_in_threadpool(_respond_with_database, flow, hop, language, previous)

    try:
        result = await ussd_replay.answer(
            hop,
            store,
            flow=flow,
            language=language,
            ttl_seconds=ttl,
            resume_minutes=settings.ussd_resume_minutes,
            first_hop=first_hop,
        )
    except Exception:
        # Never a 5xx for a hop we could parse: the telco would show the citizen a
        # network error. Nothing is half-filed: the transaction rolled back.
        log.exception("USSD hop failed for session %s", hop.session_id)
        return ussd.UssdReply(t(language, "error"), end=True).wire()
    return result.reply.wire()


def _respond_with_database(
    flow: Flow, hop: ussd.UssdRequest, language: str, previous: dict | None
) -> ussd.Hop:
    """A session's first hop: someone we have not met chooses their language first."""
    known = _citizen_language(hop.phone)
    start = None if known else "language"
    return ussd_replay.respond_once(
        flow, hop, None, known or language, start=start, previous=previous
    )


_LANGUAGE_OF = select(Citizen.language).where(Citizen.phone == bindparam("phone")).limit(1)


def _citizen_language(phone: str) -> str | None:
    # On a Core connection, not an ORM session: a quarter of the CPU for this one read,
    # which every session's first hop makes.
    with get_engine().connect() as connection:
        return connection.execute(_LANGUAGE_OF, {"phone": phone}).scalar()


@router.post("/ussd/events", response_class=PlainTextResponse)
async def ussd_session_ended(request: Request, settings: SettingsDep) -> PlainTextResponse:
    """Africa's Talking tells us a session ended (status Success, Incomplete or Failed)."""
    _verify(request, settings)
    fields = await webhooks.read_form(request, required=("sessionId",))
    log.info(
        "USSD session %s ended: status=%s hops=%s duration_ms=%s error=%s",
        fields["sessionId"][:128],
        fields.get("status", "?"),
        fields.get("hopsCount", "?"),
        fields.get("durationInMillis", "?"),
        fields.get("errorMessage", "")[:200],
    )
    return PlainTextResponse("OK")


@router.post("/sms", response_class=PlainTextResponse)
async def incoming_sms(
    request: Request, settings: SettingsDep, store: SessionStoreDep, locks: LocksDep
) -> PlainTextResponse:
    """An SMS to our shortcode: form ``from, to, text, date, id, linkId, networkCode``."""
    _verify(request, settings)
    fields = await webhooks.read_form(request, required=("from", "to", "text"))
    sms = parsing.incoming_sms(fields, from_phone=webhooks.phone_field(fields["from"], "from"))
    await webhooks.receive_sms(sms, store=store, locks=locks, label="AT", provider_log=log)
    return PlainTextResponse("OK")


@router.post("/delivery", response_class=PlainTextResponse)
async def delivery_report(request: Request, settings: SettingsDep) -> PlainTextResponse:
    """A delivery report: form ``id, status, phoneNumber, networkCode, failureReason,
    retryCount``. Unknown ids and unknown statuses answer 200 and are kept raw."""
    _verify(request, settings)
    fields = await webhooks.read_form(request, required=("id", "status"))
    report = parsing.delivery_report(fields)
    await webhooks.apply_delivery_report(report)
    return PlainTextResponse("OK")


@router.post("/voice")
async def voice(request: Request, settings: SettingsDep, store: SessionStoreDep) -> Response:
    """A call to our number, and every answer in it (the IVR, `menus.ivr`): the first
    request starts the call; each <GetDigits> and <Record> calls back here with the
    ``step`` it answers in the query. The last request (``isActive=0``) is a summary."""
    _verify(request, settings)
    fields = await webhooks.read_form(request, required=("sessionId",))
    if fields.get("isActive", "1") == "0":  # the call ended: a summary, not a question
        log.info(
            "AT call %s ended: %s s, %s",
            fields["sessionId"][:128],
            fields.get("durationInSeconds", "?"),
            fields.get("hangupCause", "?"),
        )
        await run_in_threadpool(
            voice_agent.call_over,
            store=store,
            call_id=parsing.voice_request(fields, step=None).call_id,
            answered_by=parsing.dial_outcome(fields),
        )
        return Response(status_code=200)
    hop = parsing.voice_request(fields, step=webhooks.answered_step(request))
    reply = await run_in_threadpool(ivr.answer, store=store, request=hop)
    xml = parsing.voice_reply_xml(
        reply,
        base_url=settings.public_base_url or str(request.base_url),
        audio=webhooks.audio_urls(request, settings),
        token=settings.at_webhook_token,
    )
    return Response(xml, media_type="application/xml")
