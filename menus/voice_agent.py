"""The person key: one key, the same on every voice menu and announced on the first,
reaches a person.

Pressing it dials the agents on call who speak the caller's language, longest idle
first (`grievance_engine.on_call`); with none, ``NALISH_VOICE_AGENT_NUMBER`` (the old
single desk number) is dialled instead. When nobody answers within
`DIAL_TIMEOUT_SECONDS` (or nobody could be dialled at all) the caller hears, in their
language, that they may leave a message after the beep; the message, or the silence,
becomes a call-back task (`grievance_engine.callbacks`) with their language and the
recording. A call is never left ringing into silence.

While agents' phones ring, each one's page shows who is calling
(`dashboards.calls`): the session store keeps `ringing_key(phone)` for the ring's length.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from grievance_engine import callbacks, on_call
from infra import clock
from infra.db import LazySession, session_scope
from infra.session_store import SessionStore
from menus.state import CallState, Pages

# `*`, not `0`: on a voice list 1-8 pick, 9 pages on and 0 goes back (menus.ivr), and
# `*` is the key every caller of a `*333#` line already knows. Said as "star" by the
# catalogue's ``voice.person``: change both together.
PERSON_KEY = "*"
DIAL_TIMEOUT_SECONDS = 20  # about four rings, then the caller may leave a message
DIALING_NODE = "_dialing"  # the IVR's own nodes, not the flow's
VOICEMAIL_NODE = "_voicemail"
NODES = (DIALING_NODE, VOICEMAIL_NODE)
# Dial outcomes that mean a person took the call (Twilio's DialCallStatus "completed";
# "answered" where a provider reports the bridge itself).
ANSWERED = frozenset({"completed", "answered"})
RINGING_PREFIX = "voice:ringing:"


def pressed(digits: str | None) -> bool:
    """Whether the caller pressed the person key (alone, maybe ended with #)."""
    return (digits or "").strip().rstrip("#") == PERSON_KEY


def reach(*, session: Session | LazySession | None, call: CallState, fallback: str | None) -> None:
    """The caller asked for a person: dial who can answer, else take a message."""
    numbers: list[str] = []
    if session is not None:
        db = session.get() if isinstance(session, LazySession) else session
        agents = on_call.agents_on_call(session=db, language=call.lang)
        numbers = [agent.phone for agent in agents if agent.phone]
    if not numbers and fallback:
        numbers = [fallback]
    call.pages, call.misses = Pages(), 0
    call.dial = numbers
    call.node = DIALING_NODE if numbers else VOICEMAIL_NODE


def dial_ended(call: CallState, status: str | None) -> bool:
    """The dial is over: True when a person took the call (the call then ends), else
    the caller is offered to leave a message."""
    call.dial = []
    if (status or "").strip().lower() in ANSWERED:
        return True
    call.node = VOICEMAIL_NODE
    return False


def take_message(
    *, session: Session | LazySession | None, call: CallState, recording_url: str | None
) -> None:
    """Queue the call-back the caller is owed, with their message if they left one.
    One task per call, whatever the provider retries."""
    if session is None or not call.phone:
        return
    db = session.get() if isinstance(session, LazySession) else session
    callbacks.request(
        session=db,
        phone=call.phone,
        language=call.lang,
        reason="voice message" if recording_url else "asked for a person by voice",
        source_key=f"voicemail:{call.key}"[:120],
        recording_url=recording_url,
    )


# --- who is ringing, for the agents' pages ----------------------------------------------


def ringing_key(phone: str) -> str:
    return f"{RINGING_PREFIX}{phone}"


def announce_ringing(store: SessionStore, call: CallState) -> None:
    """Tell each rung agent's page who is calling, for as long as the ring lasts."""
    ringing: dict[str, Any] = {
        "caller": call.phone,
        "language": call.lang,
        "call": call.key,
        "since": clock.now().isoformat(),
    }
    for number in call.dial:
        store.set(ringing_key(number), ringing, DIAL_TIMEOUT_SECONDS + 15)


def follow_ringing(
    store: SessionStore, before: dict[str, Any] | None, after: dict[str, Any], *, dialing: bool
) -> None:
    """After a request of a call (`CallState`s as stored): agents' pages show who is
    calling while their phones ring, and stop when the ring is over."""
    if before is not None and before.get("dial") and before.get("dial") != after.get("dial"):
        stop_ringing(store, before["dial"])
    if dialing:
        announce_ringing(store, CallState.from_json(after))


def stop_ringing(store: SessionStore, numbers: list[str]) -> None:
    for number in numbers:
        store.delete(ringing_key(number))


def ringing_for(store: SessionStore, phone: str | None) -> dict[str, Any] | None:
    """The call ringing on `phone` now, if any: caller, language, call, since."""
    return store.get(ringing_key(phone)) if phone else None


# --- after the call -----------------------------------------------------------------------


def agent_call_ended(phone: str) -> None:
    """An agent finished a call they took: idle from now (rung after the others).
    Blocking (database): channels run it on a worker thread."""
    with session_scope() as session:
        on_call.call_ended(session=session, phone=phone)


def call_over(*, store: SessionStore, call_id: str, answered_by: str | None) -> None:
    """A provider's end-of-call summary. A call that ended while agents rang and nobody
    answered (a provider that hangs up after an unanswered dial) still leaves the
    caller a call-back: a call for a person is never lost. Blocking."""
    stored = store.get(f"voice:{call_id}")
    if answered_by:
        agent_call_ended(answered_by)
    if stored is None or stored.get("node") != DIALING_NODE:
        return
    stop_ringing(store, list(stored.get("dial") or []))
    if answered_by:
        return
    call = CallState.from_json(stored)
    with session_scope() as session:
        take_message(session=session, call=call, recording_url=None)
