"""Africa's Talking webhooks: the USSD callback and its end-of-session notification.

USSD callback (https://developers.africastalking.com/docs/ussd/handle_sessions): a form
POST with ``sessionId, serviceCode, phoneNumber, networkCode, text``; we answer
``text/plain`` starting ``CON `` (more to come) or ``END `` (session over), within the
telco's ~10 s budget, so a hop does a session-store read, a few indexed queries and a
write, and nothing slow.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from sqlmodel import Session, select

from channels.deps import SessionStoreDep, SettingsDep
from channels.webhooks import check_token, read_form
from grievance_engine.db import get_engine
from grievance_engine.models import Citizen
from grievance_engine.phones import InvalidPhoneNumber, to_e164
from grievance_engine.sessions import SessionStore
from grievance_engine.settings import Settings
from menus import helpline, ussd
from menus.i18n import t

log = logging.getLogger("nalish.channels.africastalking")

router = APIRouter(prefix="/channels/africastalking", tags=["Africa's Talking"])

USSD_FIELDS = ("sessionId", "serviceCode", "phoneNumber", "text")


@router.post("/ussd", response_class=PlainTextResponse)
async def ussd_callback(
    request: Request, settings: SettingsDep, store: SessionStoreDep
) -> PlainTextResponse:
    check_token(request, settings.at_webhook_token)
    fields = await read_form(request, required=USSD_FIELDS)
    try:
        phone = to_e164(fields["phoneNumber"])
    except InvalidPhoneNumber as exc:
        log.warning("USSD session %s refused: phone number %s", fields["sessionId"][:64], exc)
        raise HTTPException(400, f"invalid phoneNumber: {exc}") from exc
    hop = ussd.UssdRequest(
        session_id=fields["sessionId"][:128],
        phone=phone,
        text=fields["text"],
        service_code=fields["serviceCode"],
        network_code=fields.get("networkCode", ""),
    )
    body = await run_in_threadpool(_answer, hop, store, settings)
    return PlainTextResponse(body)


def _answer(hop: ussd.UssdRequest, store: SessionStore, settings: Settings) -> str:
    key = f"ussd:{hop.session_id}"
    language = settings.default_language
    try:
        state = store.get(key)
        with Session(get_engine(), expire_on_commit=False) as session:
            if state is None:
                language = _citizen_language(session, hop.phone) or language
            result = ussd.respond(
                session=session, flow=helpline.FLOW, state=state, request=hop, language=language
            )
            session.commit()  # the ticket is durable before the citizen sees its reference
        store.set(key, result.state, settings.ussd_session_ttl_seconds)
    except Exception:
        # Never a 5xx for a hop we could parse: the telco would show the citizen a
        # network error. Nothing is half-filed: the transaction rolled back.
        log.exception("USSD hop failed for session %s", hop.session_id)
        return ussd.UssdReply(t(language, "error"), end=True).wire()
    return result.reply.wire()


def _citizen_language(session: Session, phone: str) -> str | None:
    return session.exec(select(Citizen.language).where(Citizen.phone == phone)).first()


@router.post("/ussd/events", response_class=PlainTextResponse)
async def ussd_session_ended(request: Request, settings: SettingsDep) -> PlainTextResponse:
    """Africa's Talking tells us a session ended (status Success, Incomplete or Failed)."""
    check_token(request, settings.at_webhook_token)
    fields = await read_form(request, required=("sessionId",))
    log.info(
        "USSD session %s ended: status=%s hops=%s duration_ms=%s error=%s",
        fields["sessionId"][:128],
        fields.get("status", "?"),
        fields.get("hopsCount", "?"),
        fields.get("durationInMillis", "?"),
        fields.get("errorMessage", "")[:200],
    )
    return PlainTextResponse("OK")
