"""Africa's Talking payloads → Nalish's normalised messages, and voice XML out.

Docs: https://developers.africastalking.com/docs/sms/notifications (incoming SMS and
delivery reports), https://developers.africastalking.com/docs/voice/actions (XML:
<Say>, <Play url>, <GetDigits timeout finishOnKey numDigits callbackUrl>, <Record
finishOnKey maxLength trimSilence playBeep callbackUrl>, <Dial phoneNumbers
ringbackTone sequential>, <Redirect>),
https://developers.africastalking.com/docs/voice/handle_calls (the callback's
``isActive, sessionId, direction, callerNumber, destinationNumber, dtmfDigits,
recordingUrl, durationInSeconds, currencyCode, amount``; after a <Dial>, the last
notification's ``dialDestinationNumber, dialDurationInSeconds``).
"""

from __future__ import annotations

from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from channels.delivery import Report
from channels.payloads import caller_phone, delivery_status, status_words
from channels.webhooks import AudioUrls
from grievance_engine.inbound_messages import InboundSms
from menus import ivr

PROVIDER = "africastalking"

# Delivery statuses: Sent, Submitted and Buffered are on their way; Success is final
# (on the handset); Rejected, Failed and Expired are final failures.
STATUS_MAP = status_words(
    sent=("sent", "submitted", "buffered"),
    delivered=("success",),
    failed=("rejected", "failed", "expired"),
)
# failureReason values that mean the citizen blocked messages from us.
OPT_OUT_REASONS = {"userinblacklist", "userinblocklist", "dndreject"}


def incoming_sms(fields: dict[str, str], *, from_phone: str) -> InboundSms:
    return InboundSms(
        provider=PROVIDER,
        provider_message_id=fields.get("id") or None,
        from_phone=from_phone,
        to=fields.get("to", ""),
        text=fields.get("text", ""),
    )


def delivery_report(fields: dict[str, str]) -> Report:
    raw_status = fields["status"]
    reason = fields.get("failureReason") or None
    return Report(
        provider=PROVIDER,
        provider_message_id=fields["id"],
        provider_status=raw_status,
        status=delivery_status(raw_status, STATUS_MAP),
        failure_reason=reason,
        opted_out=(reason or "").replace(" ", "").lower() in OPT_OUT_REASONS,
        raw=dict(fields),
    )


def voice_xml(text: str) -> str:
    """An AT voice response that says `text` and ends the call."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Response><Say voice="en-US-Standard-C" playBeep="false">{escape(text)}</Say></Response>'
    )


# --- the IVR ---------------------------------------------------------------------------

VOICE_PATH = "/channels/africastalking/voice"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# <Say> voices: Africa's Talking's English voice. Bangla and Swahili are recorded or
# synthesized offline (`menus.voice_audio`); only with neither does <Say> stand in.
SAY_VOICE = {"en": "en-US-Standard-C"}


def voice_request(fields: dict[str, str], *, step: int | None) -> ivr.VoiceRequest:
    """A voice callback as the IVR's request: ``dtmfDigits`` after a <GetDigits>,
    ``recordingUrl`` after a <Record> (empty when nothing was recorded), neither after
    the <Redirect> that follows a <GetDigits> nobody answered."""
    return ivr.VoiceRequest(
        call_id=f"{PROVIDER}:{fields['sessionId'][:100]}",
        phone=caller_phone(fields.get("callerNumber", "")),
        step=step,
        digits=fields.get("dtmfDigits") or None,
        recording_url=fields.get("recordingUrl", "").strip() or None,
        dial_status="completed" if dial_outcome(fields) else None,
    )


def callback_url(base_url: str, *, step: int, token: str | None) -> str:
    """Where Africa's Talking posts the answer to `step` (absolute, with our token)."""
    query = {"step": str(step)}
    if token:
        query["token"] = token
    return f"{base_url.rstrip('/')}{VOICE_PATH}?{urlencode(query)}"


def voice_reply_xml(
    reply: ivr.VoiceReply, *, base_url: str, audio: AudioUrls, token: str | None
) -> str:
    """The IVR's reply as Africa's Talking voice XML.

    A <GetDigits> nobody answers moves on to the next action without a callback, so a
    <Redirect> to the same callback follows it: the IVR hears a silence. A <Record>
    always calls back (``recordingUrl`` empty when nothing was said).
    """
    callback = callback_url(base_url, step=reply.step, token=token)
    spoken = "".join(_speak(item, audio) for item in reply.items)
    if reply.expect == ivr.KEY:
        body = (
            f'<GetDigits timeout="{ivr.KEY_TIMEOUT_SECONDS}" finishOnKey="#" numDigits="1" '
            f"callbackUrl={quoteattr(callback)}>{spoken}</GetDigits>"
            f"<Redirect>{escape(callback)}</Redirect>"
        )
    elif reply.expect == ivr.DIGITS:
        body = (
            f'<GetDigits timeout="{ivr.DIGITS_TIMEOUT_SECONDS}" finishOnKey="#" '
            f"callbackUrl={quoteattr(callback)}>{spoken}</GetDigits>"
            f"<Redirect>{escape(callback)}</Redirect>"
        )
    elif reply.expect == ivr.RECORD:
        body = (
            f'<Record finishOnKey="#" maxLength="{ivr.RECORD_MAX_SECONDS}" trimSilence="true" '
            f'playBeep="true" callbackUrl={quoteattr(callback)}>{spoken}</Record>'
        )
    elif reply.expect == ivr.DIAL and reply.dial:
        body = f"{spoken}{_dial(reply, audio)}<Redirect>{escape(callback)}</Redirect>"
    elif reply.expect == ivr.TRANSFER and reply.transfer_to:
        body = f"{spoken}<Dial phoneNumbers={quoteattr(reply.transfer_to)}/>"
    else:
        body = spoken  # nothing after it: the call ends
    return f"{XML_DECLARATION}<Response>{body}</Response>"


def _dial(reply: ivr.VoiceReply, audio: AudioUrls) -> str:
    """Ring the agents, longest idle first, one after another (``sequential``); the
    caller hears the "connecting you" prompt in their language as the ringback. The
    <Redirect> after it brings an unanswered dial back to the IVR (a message, then a
    call-back); a provider that hangs up instead still leaves the call-back
    (`menus.voice_agent.call_over`)."""
    played = [item for item in reply.items if isinstance(item, ivr.Play)]
    ringback = f" ringbackTone={quoteattr(audio.of(played[0]))}" if played else ""
    numbers = ",".join(reply.dial)
    return f'<Dial phoneNumbers={quoteattr(numbers)} sequential="true"{ringback}/>'


def dial_outcome(fields: dict[str, str]) -> str | None:
    """The agent who took the call, from the last notification after a <Dial> (None:
    nobody answered, or no dial)."""
    destination = fields.get("dialDestinationNumber", "").strip()
    seconds = fields.get("dialDurationInSeconds", "").strip()
    if destination and seconds.isdigit() and int(seconds) > 0:
        return caller_phone(destination)
    return None


def _speak(item: ivr.Say | ivr.Play, audio: AudioUrls) -> str:
    if isinstance(item, ivr.Play):
        return f"<Play url={quoteattr(audio.of(item))}/>"
    voice = SAY_VOICE.get(item.language)
    attributes = f' voice="{voice}"' if voice else ""
    return f'<Say{attributes} playBeep="false">{escape(item.text)}</Say>'
