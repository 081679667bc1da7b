"""A feature phone in the terminal: `nalish simulate ussd|sms|voice --phone P`.

Each simulator posts what a citizen does in the provider's own format (Africa's
Talking's USSD and SMS forms; Twilio's or Africa's Talking's voice callbacks), either
to a running app (`--url`) or to an in-process app, so anyone can try the menus with no
telco. The loops take `post`, `ask` and `show` callables so tests can drive them
without a terminal.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from infra.settings import Settings

Post = Callable[[dict[str, str]], httpx.Response]
Ask = Callable[[str], str]
Show = Callable[[str], None]


def ussd_session(
    post: Post,
    *,
    phone: str,
    service_code: str,
    ask: Ask,
    show: Show,
) -> str:
    """Run one USSD session; returns the final screen."""
    session_id = f"ATUid_sim_{uuid.uuid4().hex[:16]}"
    typed: list[str] = []
    while True:
        form = {
            "sessionId": session_id,
            "serviceCode": service_code,
            "phoneNumber": phone,
            "networkCode": "47001",
            "text": "*".join(typed),
        }
        response = post(form)
        if response.status_code != 200:
            show(f"[HTTP {response.status_code}] {response.text}")
            return response.text
        body = response.text
        screen = body[4:] if body.startswith(("CON ", "END ")) else body
        show(_phone_frame(screen))
        if body.startswith("END "):
            return screen
        typed.append(ask("> "))


def _phone_frame(screen: str) -> str:
    width = max(20, *(len(line) for line in screen.splitlines()))
    border = "+" + "-" * (width + 2) + "+"
    lines = [f"| {line.ljust(width)} |" for line in screen.splitlines()]
    return "\n".join([border, *lines, border])


# --- SMS -------------------------------------------------------------------------------


def sms_conversation(
    post: Post,
    *,
    phone: str,
    shortcode: str,
    ask: Ask,
    show: Show,
    replies: Callable[[], list[str]] | None,
) -> int:
    """Text the helpline line by line until an empty line or end of input (Ctrl-D).

    Each line is posted as an Africa's Talking incoming SMS; then `replies()` gives the
    messages the helpline has queued for this phone since the last call, oldest first.
    With no `replies` (a remote app, whose outbox we cannot read), nothing is shown.
    Returns how many messages were sent.
    """
    from infra import clock

    sent = 0
    while True:
        try:
            text = ask("sms> ")
        except EOFError:
            show("")
            break
        if not text.strip():
            break
        form = {
            "from": phone,
            "to": shortcode,
            "text": text,
            "date": clock.now().strftime("%Y-%m-%d %H:%M:%S"),
            "id": f"ATXid_sim_{uuid.uuid4().hex}",  # unique: each line is a new message
            "linkId": f"sim{uuid.uuid4().hex[:12]}",
            "networkCode": "47001",
        }
        response = post(form)
        if response.status_code != 200:
            show(f"[HTTP {response.status_code}] {response.text}")
            continue
        sent += 1
        if replies is None:
            continue
        received = replies()
        if not received:
            show("  [no reply]")
        for body in received:
            show(_sms_bubble(shortcode, body))
    return sent


def outbox_replies(phone: str) -> Callable[[], list[str]]:
    """A reader of the SMS queued for `phone` in this process's database: each call
    returns those created since the previous call (at first: since now), oldest first."""
    from grievance_engine import service
    from infra.db import session_scope

    def newest(after: int) -> list[dict]:
        with session_scope() as session:
            rows = service.list_outbox(session=session, to_phone=phone, limit=100)
        return sorted((row for row in rows if row["id"] > after), key=lambda row: row["id"])

    seen = max((row["id"] for row in newest(0)), default=0)

    def read() -> list[str]:
        nonlocal seen
        rows = newest(seen)
        if rows:
            seen = rows[-1]["id"]
        return [row["body"] for row in rows]

    return read


def _sms_bubble(sender: str, body: str) -> str:
    lines = body.splitlines() or [""]
    return "\n".join(
        [f"  [{sender}] {lines[0]}", *(f"  {' ' * (len(sender) + 2)} {line}" for line in lines[1:])]
    )


# --- voice -----------------------------------------------------------------------------


def voice_call(
    client: httpx.Client, settings: Settings, *, phone: str, provider: str, ask: Ask, show: Show
) -> None:
    """One call: post as the provider would, speak its XML, and answer as the caller."""
    import xml.etree.ElementTree as ET
    from urllib.parse import urlsplit

    from twilio.request_validator import RequestValidator

    call = uuid.uuid4().hex
    twilio = provider == "twilio"
    if twilio:
        base = {
            "CallSid": f"CA{call}",
            "AccountSid": "AC" + "0" * 32,
            "From": phone,
            "To": settings.twilio_from or "+15005550006",
            "CallStatus": "in-progress",
            "Direction": "inbound",
        }
        url = "/channels/twilio/voice"
    else:
        base = {
            "sessionId": f"ATVId_sim_{call[:16]}",
            "callerNumber": phone,
            "destinationNumber": "+254711082333",
            "direction": "Inbound",
            "isActive": "1",
        }
        url = "/channels/africastalking/voice"
        if settings.at_webhook_token:
            url += f"?token={settings.at_webhook_token}"

    def post(target: str, extra: dict[str, str]) -> httpx.Response:
        parts = urlsplit(target)  # the app's own absolute or relative URL
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        form = {**base, **extra}
        headers = {}
        if twilio and settings.twilio_auth_token:
            signed = (settings.public_base_url or "http://testserver").rstrip("/") + path
            signature = RequestValidator(settings.twilio_auth_token).compute_signature(signed, form)
            headers["X-Twilio-Signature"] = signature
        return client.post(path, data=form, headers=headers)

    def hear(element) -> None:
        for child in element:
            if child.tag == "Say" and (child.text or "").strip():
                show(f"  « {child.text.strip()} »")
            elif child.tag == "Play":
                show(_played(child.get("url") or child.text or ""))

    extra: dict[str, str] = {}
    while url:
        response = post(url, extra)
        if response.status_code != 200:
            show(f"[HTTP {response.status_code}] {response.text}")
            return
        url, extra = "", {}
        for element in ET.fromstring(response.text):  # noqa: S314  (our own app's XML)
            if element.tag in ("Say", "Play"):
                hear([element])
            elif element.tag in ("Gather", "GetDigits"):
                hear(element)
                keys = ask("keys> ").strip()
                if keys:
                    url = element.get("action") or element.get("callbackUrl") or ""
                    extra = {"Digits" if twilio else "dtmfDigits": keys}
                    break
                show("  [you pressed nothing]")
            elif element.tag == "Record":
                hear(element)
                show("  [beep: speak, then press #]")
                given = ask("recording URL (Enter: a made-up one, '-': say nothing)> ").strip()
                if given == "-" and twilio:
                    continue  # Twilio calls no action for silence: its <Redirect> follows
                recording = "" if given == "-" else given or f"https://rec.invalid/{call}.mp3"
                url = element.get("action") or element.get("callbackUrl") or ""
                if twilio:
                    extra = {"RecordingUrl": recording, "RecordingDuration": "12"}
                else:
                    extra = {"recordingUrl": recording, "durationInSeconds": "12"}
                break
            elif element.tag == "Redirect":
                url = (element.text or "").strip()
                break
            elif element.tag == "Dial":
                numbers = [n.text or "" for n in element.iter("Number")]
                number = element.get("phoneNumbers") or ",".join(numbers) or element.text or ""
                show(f"  [ringing agents at {number.strip()}]")
                answered = ask("did an agent answer? (y/N)> ").strip().lower() == "y"
                if answered:
                    show("  [an agent takes the call]")
                    if not twilio:
                        break
                if twilio and element.get("action"):  # the <Dial>'s action hears how it ended
                    url = element.get("action") or ""
                    extra = {"DialCallStatus": "completed" if answered else "no-answer"}
                    break
                # Africa's Talking goes on to the <Redirect> after an unanswered <Dial>
            elif element.tag == "Hangup":
                break
    if not twilio:  # Africa's Talking's end-of-call summary
        post(
            f"/channels/africastalking/voice?token={settings.at_webhook_token or ''}",
            {"isActive": "0", "durationInSeconds": "60"},
        )
    show("[call ended]")


def _played(url: str) -> str:
    """What a <Play> says: a synthesized prompt's text (menus.synthesis), else its URL."""
    from urllib.parse import urlsplit

    from menus import synthesis

    path = urlsplit(url).path
    if path.startswith("/media/speech/"):
        text = synthesis.text_of(path.removeprefix("/media/speech/"))
        if text:
            return f"  « {text} » (espeak-ng)"
    return f"  [plays {url}]"


@contextmanager
def client_for(url: str | None) -> Iterator[httpx.Client]:
    """An HTTP client for a running app at `url`, or for the app served in this process
    on a free loopback port (real HTTP through uvicorn, lifespan and all)."""
    if url:
        with httpx.Client(base_url=url, timeout=15) as client:
            yield client
        return
    with _served_here() as here, httpx.Client(base_url=here, timeout=15) as client:
        yield client


@contextmanager
def _served_here() -> Iterator[str]:
    """The app under uvicorn in a thread of this process, until the block ends."""
    import socket
    import threading
    import time

    import uvicorn

    from nalish.app import create_app

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listening]}, name="simulate-app", daemon=True
    )
    thread.start()
    while not server.started:  # start-up migrates and checks the menus: a second or two
        if not thread.is_alive():
            raise RuntimeError("the app did not start (its log says why)")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listening.close()
