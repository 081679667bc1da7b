"""Twilio payloads → Nalish's normalised messages.

Docs: https://www.twilio.com/docs/messaging/guides/webhook-request (the incoming
message webhook: ``MessageSid, AccountSid, From, To, Body, NumMedia, NumSegments…``),
https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
(what each ``MessageStatus`` means), https://www.twilio.com/docs/usage/security#validating-requests
(``X-Twilio-Signature``, checked in `routes.py`), https://www.twilio.com/docs/api/errors
(``ErrorCode``), https://www.twilio.com/docs/voice/twiml (voice: <Gather>, <Record>,
<Play>, <Say>, <Dial>, <Number>; the call webhook's ``CallSid, From, To, CallStatus…``,
a Gather's ``Digits``, a Record's ``RecordingUrl, RecordingDuration``, a Dial action's
``DialCallStatus`` (https://www.twilio.com/docs/voice/twiml/dial#attributes-action)).
"""

from __future__ import annotations

import base64
import binascii
import re

from twilio.twiml.voice_response import VoiceResponse

from channels.delivery import Report
from channels.payloads import caller_phone, delivery_status, status_words
from channels.webhooks import AudioUrls
from grievance_engine.inbound_messages import InboundSms
from menus import ivr, voice_agent

PROVIDER = "twilio"

# MessageStatus → what it means for us. Queued, accepted and scheduled are Twilio's own
# queue before the carrier; sending and sent are on their way; delivered is on the
# handset (read: WhatsApp/RCS read receipts); undelivered, failed and canceled are final
# failures. Anything else (receiving/received are inbound; partially_delivered has no
# single meaning for one SMS) is kept raw and moves nothing.
STATUS_MAP = status_words(
    sent=("queued", "accepted", "scheduled", "sending", "sent"),
    delivered=("delivered", "read"),
    failed=("undelivered", "failed", "canceled"),
)

# ErrorCodes that mean the citizen blocked our messages. 21610: they replied STOP
# (https://www.twilio.com/docs/api/errors/21610). Not 30004 "Message blocked": Twilio
# lists opt-out as only one of its causes, next to an unreachable handset, a landline,
# a do-not-disturb registry and carrier filtering, and the callback does not say which
# (https://www.twilio.com/docs/api/errors/30004). Treating it as STOP would silence
# citizens who never asked; left as a plain failure, it asks an agent to call them back.
OPT_OUT_ERROR_CODES = {"21610"}

# Twilio sometimes hands over a long (concatenated) inbound SMS with its Body
# base64-encoded, and says so nowhere: no parameter, no documented flag. RapidPro's
# courier, which has received Twilio traffic at scale since 2017, detects it from the
# Body itself (nyaruka/rapidpro#1187, courier handlers.DecodePossibleBase64): at least
# 60 characters once line breaks are removed, a length divisible by 4, nothing but the
# base64 alphabet. We take that shape as the signal and decode only when the bytes are
# also valid UTF-8 (courier drops invalid bytes; we keep the text as it came instead).
# Courier's extra "half the result is ASCII" test is left out on purpose: it would
# refuse a Bangla complaint. A citizen's own words practically never take this shape
# (60+ characters without a space or any punctuation beyond + / =), and the UTF-8 and
# no-control-characters tests turn away nearly all that do.
_BASE64_BODY = re.compile(r"[A-Za-z0-9+/]+={0,2}")
BASE64_MIN_CHARS = 60


def decode_body(body: str) -> str:
    """The text of an inbound Body: base64-decoded when Twilio sent it encoded, else as is."""
    compact = body.replace("\r", "").replace("\n", "").strip()
    if len(compact) < BASE64_MIN_CHARS or len(compact) % 4 or not _BASE64_BODY.fullmatch(compact):
        return body
    try:
        text = base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return body
    if not text.strip() or any(_is_control(char) for char in text):
        return body
    return text


def _is_control(char: str) -> bool:
    return (ord(char) < 32 and char not in "\t\n\r") or ord(char) == 127


def incoming_sms(fields: dict[str, str], *, from_phone: str) -> InboundSms:
    return InboundSms(
        provider=PROVIDER,
        # Twilio's SIDs are 34 characters; a longer one is not Twilio's and is cut to
        # the column's width rather than failing the insert.
        provider_message_id=fields.get("MessageSid", "")[:120] or None,
        from_phone=from_phone,
        to=fields.get("To", ""),
        text=decode_body(fields.get("Body", "")),
    )


def status_report(fields: dict[str, str]) -> Report:
    raw_status = fields["MessageStatus"]
    error_code = fields.get("ErrorCode", "").strip()
    return Report(
        provider=PROVIDER,
        provider_message_id=fields["MessageSid"],
        provider_status=raw_status,
        status=delivery_status(raw_status, STATUS_MAP),
        failure_reason=_failure_reason(error_code, fields.get("ErrorMessage", "").strip()),
        opted_out=error_code in OPT_OUT_ERROR_CODES,
        raw=dict(fields),
    )


def _failure_reason(error_code: str, error_message: str) -> str | None:
    if error_code and error_message:
        return f"Twilio error {error_code}: {error_message}"
    if error_code:
        return f"Twilio error {error_code}"
    return error_message or None


# --- voice ---------------------------------------------------------------------------

VOICE_PATH = "/channels/twilio/voice"
# <Say> voices: Twilio's default voice for English. Bangla and Swahili are recorded or
# synthesized offline (`menus.voice_audio`); only with neither does <Say> stand in.
SAY_LANGUAGE = {"en": "en-US"}


def voice_request(fields: dict[str, str], *, step: int | None) -> ivr.VoiceRequest:
    """A call webhook, or a Gather's or Record's action, as the IVR's request.

    ``From`` is the caller; a withheld number ("anonymous", "+266696687") is None, and
    the caller is told why we cannot take the complaint. An empty recording (Twilio
    posts ``RecordingDuration`` 0 when nothing was said) counts as silence.
    """
    recording = fields.get("RecordingUrl", "").strip() or None
    if recording and fields.get("RecordingDuration", "").strip() == "0":
        recording = None
    return ivr.VoiceRequest(
        call_id=f"{PROVIDER}:{fields['CallSid'][:64]}",
        phone=caller_phone(fields.get("From", "")),
        step=step,
        digits=fields.get("Digits") or None,
        recording_url=recording,
        dial_status=fields.get("DialCallStatus", "").strip().lower() or None,
    )


def voice_twiml(reply: ivr.VoiceReply, *, audio: AudioUrls) -> VoiceResponse:
    """The IVR's reply as TwiML.

    A <Gather> or <Record> is followed by a <Redirect> to its own action: Twilio runs
    it when the caller pressed nothing (or said nothing), and the IVR hears a silence.
    Action URLs are relative (Twilio resolves them against the URL it called, which is
    also the URL it signs) and carry the step they answer.
    """
    response = VoiceResponse()
    if reply.expect in (ivr.KEY, ivr.DIGITS):
        action = f"{VOICE_PATH}/gather?step={reply.step}"
        if reply.expect == ivr.KEY:
            gather = response.gather(
                input="dtmf",
                num_digits=1,
                timeout=ivr.KEY_TIMEOUT_SECONDS,
                action=action,
                method="POST",
            )
        else:
            gather = response.gather(
                input="dtmf",
                finish_on_key="#",
                timeout=ivr.DIGITS_TIMEOUT_SECONDS,
                action=action,
                method="POST",
            )
        _speak(gather, reply.items, audio)
        response.redirect(action, method="POST")
    elif reply.expect == ivr.RECORD:
        action = f"{VOICE_PATH}/recorded?step={reply.step}"
        _speak(response, reply.items, audio)
        response.record(
            max_length=ivr.RECORD_MAX_SECONDS,
            finish_on_key="#",
            play_beep=True,
            timeout=ivr.RECORD_SILENCE_SECONDS,
            action=action,
            method="POST",
        )
        response.redirect(action, method="POST")
    elif reply.expect == ivr.DIAL and reply.dial:
        _speak(response, reply.items, audio)
        _dial(response, reply)
    elif reply.expect == ivr.TRANSFER and reply.transfer_to:
        _speak(response, reply.items, audio)
        response.dial(reply.transfer_to)
    else:
        _speak(response, reply.items, audio)
        response.hangup()
    return response


def _dial(response: VoiceResponse, reply: ivr.VoiceReply) -> None:
    """Ring every agent at once (the first to answer takes the call); the action hears
    how it ended (``DialCallStatus``), and each agent's leg reports its end to
    ``/voice/agent`` (who took a call is idle from then: rung last next time)."""
    dial = response.dial(
        action=f"{VOICE_PATH}/dialed?step={reply.step}",
        method="POST",
        timeout=voice_agent.DIAL_TIMEOUT_SECONDS,
    )
    for number in reply.dial:
        dial.number(
            number,
            status_callback=f"{VOICE_PATH}/agent",
            status_callback_event="completed",
            status_callback_method="POST",
        )


def _speak(verb, items: tuple[ivr.Say | ivr.Play, ...], audio: AudioUrls) -> None:
    for item in items:
        if isinstance(item, ivr.Play):
            verb.play(audio.of(item))
        elif item.language in SAY_LANGUAGE:
            verb.say(item.text, language=SAY_LANGUAGE[item.language])
        else:
            verb.say(item.text)
