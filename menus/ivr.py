"""IVR: run a `Flow` as a phone call, one key press (or one recording) at a time.

A call hears a prompt and answers with the keypad; each provider (Twilio TwiML, Africa's
Talking voice XML) turns a `VoiceReply` into its own XML and posts the answer back.

Keys, on every list (documented in the README, and said on every screen that needs them):

- ``1``–``8`` pick the options read out on this page (eight at most per page: a caller
  cannot keep more in mind, and one key press is all a menu waits for);
- ``9`` reads the next page ("For more choices, press 9");
- ``0`` goes back: to the previous page, else to the previous question, and from the
  first question to the language choice;
- ``*`` reaches a person (`menus.voice_agent.PERSON_KEY`), announced on the first menu:
  it dials the agents on call who speak the caller's language, and when nobody answers
  the caller may leave a message for a call-back.

A typed answer (a `Choice`'s ``on_text``, e.g. a district's name) has no keypad form:
callers pick from the list. A `Question` is answered as its ``voice`` says: "record"
(the caller speaks after the beep and presses #; the answer is a placeholder text, the
recording is attached to the filed ticket), "digits" (keypad entry ending with #), or
None (skipped to ``voice_skip``; without one the call ends politely). A missed key, a
silence or an invalid answer repeats the prompt once after "Sorry, I did not get that";
the second miss dials a person (`menus.voice_agent`) when one can be reached, else
ends the call politely. After filing, the reference is read back twice, character by
character in the caller's language, and the caller is told it comes by SMS.

Every prompt is heard in the caller's language (`menus.voice_audio`): a recording
(``menus/prompts/<language>/<key>.mp3``, see the README there), else speech rendered
offline by espeak-ng (`menus.synthesis`), else the provider's voice where it speaks the
language (English). Turning text into pieces is `menus.speech`'s.

`respond()` is pure with respect to the session store, like `menus.ussd.respond`: it
takes the stored state and returns the new one (a `menus.state.CallState`, paged by
the same `Pager` as USSD). Every reply carries a step number that the provider posts
back with the answer; an answer for a step already answered is a provider's retry and
gets the same reply again, so it never files twice.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, select

from grievance_engine import attachments, refs
from grievance_engine import languages as language_registry
from grievance_engine import service as ticket_service
from grievance_engine.models import Citizen
from infra.db import LazySession
from infra.session_store import SessionStore
from infra.settings import get_settings
from menus import flows, limits, voice_agent
from menus.engine import Choice, Conversation, Finish, Flow, Goto, Outcome, Question
from menus.i18n import CATALOGUES, t
from menus.speech import (
    Speech,
    catalogued,
    dedupe,
    english_labels,
    in_english,
    list_item,
    prompt_lines,
    spell_reference,
)
from menus.state import CallState, Pager, Pages
from menus.voice_audio import FALLBACK, Play, Say, audio_path, how_spoken, prompt_speech, utter

log = logging.getLogger("nalish.menus.ivr")

PAGER = Pager(more="9", back="0", size=8)  # a caller keeps eight options in mind
LANGUAGE_NODE = "_language"  # the language menu: not a flow node, the IVR's own
OWN_NODES = (LANGUAGE_NODE, *voice_agent.NODES)
MAX_MISSES = 2  # the prompt is repeated once; the second miss transfers or ends
RECORD_MAX_SECONDS = 120
RECORD_SILENCE_SECONDS = 10
KEY_TIMEOUT_SECONDS = 10
DIGITS_TIMEOUT_SECONDS = 15

# What a reply waits for.
KEY = "key"  # one key press (a list)
DIGITS = "digits"  # keypad entry ending with #
RECORD = "record"  # the caller speaks after the beep, # to finish
END = "end"  # nothing: the call ends after the prompt
TRANSFER = "transfer"  # the call goes to an agent after the prompt
DIAL = "dial"  # the call rings agents (`VoiceReply.dial`); the provider posts the outcome

# Catalogue keys the IVR speaks itself; with the flow's, `missing_prompts()` checks them.
IVR_KEYS = (
    "voice.hello",
    "voice.language_bn",
    "voice.language_sw",
    "voice.language_en",
    *(f"voice.press_{number}" for number in range(1, (PAGER.size or 0) + 1)),
    "voice.more",
    "voice.back",
    "voice.change_language",
    "voice.sorry",
    "voice.record_hint",
    "voice.digits_hint",
    "voice.filed",
    "voice.ref_again",
    "voice.ref_by_sms",
    "voice.not_by_voice",
    "voice.goodbye",
    "voice.transfer",
    "voice.hidden_number",
    "voice.person",
    "voice.voicemail",
    "voice.voicemail_saved",
    "restart",
    "error",
)


@dataclass(frozen=True)
class VoiceReply:
    """What the caller hears next and what the call then waits for (`expect`).

    `step` goes back to us with the answer (in the provider's action/callback URL).
    """

    items: tuple[Say | Play, ...]
    expect: str
    step: int
    transfer_to: str | None = None
    dial: tuple[str, ...] = ()  # the numbers to ring at once (`DIAL`), longest idle first

    def to_state(self) -> dict[str, Any]:
        return {
            "items": [
                {"play": item.path, "synthesized": item.synthesized}
                if isinstance(item, Play)
                else asdict(item)
                for item in self.items
            ],
            "expect": self.expect,
            "step": self.step,
            "transfer_to": self.transfer_to,
            "dial": list(self.dial),
        }

    @classmethod
    def from_state(cls, stored: dict[str, Any]) -> VoiceReply:
        items = tuple(
            Play(item["play"], bool(item.get("synthesized")))
            if "play" in item
            else Say(item["text"], item["language"])
            for item in stored["items"]
        )
        return cls(
            items,
            stored["expect"],
            stored["step"],
            stored.get("transfer_to"),
            tuple(stored.get("dial") or ()),
        )


@dataclass(frozen=True)
class VoiceRequest:
    """One request of a call, normalised by the channel.

    `call_id` names the provider and its call ("twilio:CA…"); `step` is None when the
    call starts; `digits` is None when nothing was pressed (a timeout); `phone` is None
    when the caller hid their number.
    """

    call_id: str
    phone: str | None
    step: int | None = None
    digits: str | None = None
    recording_url: str | None = None
    dial_status: str | None = None  # how a dial of agents ended ("completed", "no-answer")


@dataclass(frozen=True)
class Hop:
    reply: VoiceReply
    state: dict[str, Any]  # `CallState` as the session store holds it


@dataclass
class _Turn:
    """What applying an answer produced (something to say before the next prompt), and
    how a person is reached should the caller need one."""

    db: Session | LazySession | None = None
    fallback: str | None = None  # NALISH_VOICE_AGENT_NUMBER
    notice: list[Speech] = field(default_factory=list)


# --- the conversation ------------------------------------------------------------------


def respond(
    *,
    session: Session | LazySession | None,
    flow: Flow,
    state: dict[str, Any] | None,
    request: VoiceRequest,
    language: str | None,
    country: str,
    agent_number: str | None = None,
) -> Hop:
    """Advance the call by one request and say what comes next.

    `state` is what the session store holds (None when the call starts); the new one
    is returned in the same form. `language` is the caller's known language (None: ask
    by key). A request for a step other than the one awaited (a retry of an answered
    one, the call's first request again) gets the stored reply unchanged.
    """
    if state is not None and (request.step != state["step"] or state.get("done")):
        return Hop(VoiceReply.from_state(state["reply"]), state)
    call = CallState.from_json(state) if state is not None else None
    if call is not None and call.node not in OWN_NODES and call.node not in flow.nodes:
        call = None  # the definitions changed under this call (a campaign retired)
    if call is not None:
        conversation = _conversation(session, call)
        turn = _apply(flow, call, conversation, request, _Turn(session, agent_number))
        call.lang = conversation.language  # a language chosen in the flow takes effect
    else:
        call = _new_call(flow, request, language, country)
        turn = _Turn(session, agent_number)
        if request.phone is None:
            _finish(call, _said(call, "voice.hidden_number"))
        elif request.step is not None:  # the store forgot this call: start again
            turn.notice.append(catalogued(call.lang, "restart"))
    conversation = _conversation(session, call)
    _settle(flow, call, conversation)
    call.step += 1
    if call.done:
        speech = turn.notice + [Speech(**item) for item in call.final or []]
        expect = TRANSFER if call.transfer_to else END
    else:
        speech, expect = _prompt(flow, call, conversation)
        speech = turn.notice + speech
    reply = VoiceReply(utter(speech), expect, call.step, call.transfer_to, tuple(call.dial))
    call.reply = reply.to_state()
    return Hop(reply, call.to_json())


def _new_call(flow: Flow, request: VoiceRequest, language: str | None, country: str) -> CallState:
    """A call just answered: in the caller's known language, else at the language menu."""
    return CallState(
        phone=request.phone,
        key=request.call_id,
        country=country,
        lang=language or language_registry.native_of(country),
        node=flow.start if language else LANGUAGE_NODE,
    )


def _conversation(session: Session | LazySession | None, call: CallState) -> Conversation:
    return Conversation(
        db=session,
        phone=call.phone or "",
        channel="voice",
        language=call.lang,
        key=call.key,
        data=call.data,
    )


def _apply(
    flow: Flow, call: CallState, conversation: Conversation, request: VoiceRequest, turn: _Turn
) -> _Turn:
    """Apply the caller's answer to the state."""
    if call.node in voice_agent.NODES:
        return _after_person_key(call, request, turn)
    if voice_agent.pressed(request.digits):
        voice_agent.reach(session=turn.db, call=call, fallback=turn.fallback)
        return turn
    pressed = (request.digits or "").strip().strip("#*")
    if call.node == LANGUAGE_NODE:
        chosen = dict(_language_keys(call)).get(pressed[:1])
        if chosen is None:
            return _miss(call, turn)
        call.lang = conversation.language = chosen
        _goto(call, flow.start)
        return turn
    node = flow.node(call.node)
    if isinstance(node, Choice):
        return _pick(call, turn, node, conversation, pressed[:1])
    if node.voice == "record":
        url = (request.recording_url or "").strip()
        if not url:
            return _miss(call, turn)
        call.recordings.append(url)
        answer = t(call.lang, "voice.recorded_description")
        return _follow(call, turn, node.on_answer(conversation, answer))
    if not pressed:
        return _miss(call, turn)
    return _follow(call, turn, node.on_answer(conversation, pressed))


def _after_person_key(call: CallState, request: VoiceRequest, turn: _Turn) -> _Turn:
    """The agents' phones stopped ringing, or the caller left (or did not leave) a
    message: end the call, or offer the message, or queue the call-back."""
    if call.node == voice_agent.DIALING_NODE:
        if voice_agent.dial_ended(call, request.dial_status):
            _finish(call, [])  # a person took the call: nothing more to say
        return turn
    url = (request.recording_url or "").strip() or None
    voice_agent.take_message(session=turn.db, call=call, recording_url=url)
    _finish(call, [catalogued(call.lang, "voice.voicemail_saved")])
    return turn


def _pick(
    call: CallState, turn: _Turn, node: Choice, conversation: Conversation, key: str
) -> _Turn:
    """One key on a list: an option of this page, "More" or "Back"."""
    if key == PAGER.back:
        _go_back(call)
        return turn
    options = node.options(conversation)
    page = PAGER.window(call.pages, len(options))  # the page the caller heard
    if key == PAGER.more and PAGER.forward(call.pages):
        call.misses = 0
        return turn
    index = page.start + int(key) - 1 if key.isdigit() and key != PAGER.more else -1
    if index not in page:
        return _miss(call, turn)
    return _follow(call, turn, node.on_choose(conversation, options[index]))


def _follow(call: CallState, turn: _Turn, outcome: Outcome) -> _Turn:
    if isinstance(outcome, Goto):
        _goto(call, outcome.node, fresh=outcome.fresh)
        if outcome.notice:
            turn.notice.extend(prompt_lines(call.lang, outcome.notice, None))
        return turn
    if isinstance(outcome, Finish):
        call.finished_with = outcome.text
        return turn
    # Retry: the flow refused the answer (too short, out of range): say why, once.
    turn.notice.extend(prompt_lines(call.lang, outcome.error, None))
    return _miss(call, turn, sorry=False)


def _miss(call: CallState, turn: _Turn, *, sorry: bool = True) -> _Turn:
    """A silence or a wrong key: say sorry and ask again, once; then ring a person, or
    end politely when nobody can be rung."""
    call.misses += 1
    if call.misses < MAX_MISSES:
        if sorry:
            turn.notice[:0] = _said(call, "voice.sorry")
        return turn
    before = call.node
    voice_agent.reach(session=turn.db, call=call, fallback=turn.fallback)
    if call.node == voice_agent.VOICEMAIL_NODE:  # nobody to ring: the caller did not ask
        call.node = before
        _finish(call, _said(call, "voice.goodbye"))
    return turn


def _said(call: CallState, key: str) -> list[Speech]:
    """`key` in the caller's language; before they chose one, in the country's language
    and in English, as the language menu itself is."""
    if call.node != LANGUAGE_NODE:
        return [catalogued(call.lang, key)]
    native = language_registry.native_of(call.country)
    return dedupe([catalogued(native, key), catalogued(language_registry.SOURCE, key)])


def _goto(call: CallState, node_id: str, *, fresh: bool = False) -> None:
    """On to a node: its first page, and a fresh count of misses (a call re-reads a
    list from its start even when the flow sends it back to the same node)."""
    call.goto(node_id, fresh=fresh)
    call.pages, call.misses = Pages(), 0


def _go_back(call: CallState) -> None:
    """To the previous page, else the previous question, else the language menu."""
    call.misses = 0
    if PAGER.backward(call.pages):
        return
    if not call.step_back() and call.node != LANGUAGE_NODE:
        call.node = LANGUAGE_NODE  # from the first question


def _finish(call: CallState, speech: list[Speech], transfer_to: str | None = None) -> None:
    call.done = True
    call.final = [asdict(piece) for piece in speech]
    call.transfer_to = transfer_to


def _settle(flow: Flow, call: CallState, conversation: Conversation) -> None:
    """Move past what a call cannot ask, and wrap up a finished conversation."""
    if call.finished_with is not None:
        _wrap_up(call, conversation)
        return
    for _ in range(len(flow.nodes) + 1):
        if call.done or call.node in OWN_NODES:
            return
        node = flow.node(call.node)
        if not isinstance(node, Question) or node.voice in ("record", "digits"):
            return
        if node.voice_skip is None:
            _finish(call, [catalogued(call.lang, "voice.not_by_voice")])
            return
        call.node = node.voice_skip  # not kept in the history: "back" skips it too
    raise ValueError(f"flow {flow.name!r}: voice_skip nodes go round in a circle")


def _wrap_up(call: CallState, conversation: Conversation) -> None:
    """The flow finished: attach the recordings to what it filed, read the reference."""
    language, closing = call.lang, call.finished_with or ""
    call.finished_with = None
    ref = call.data.get("ref")
    if not ref:
        if call.data.get("kept") and call.recordings:  # over the filing limit
            limits.add_recordings(
                session=conversation.session, kept_id=call.data["kept"], urls=call.recordings
            )
        _finish(call, prompt_lines(language, closing, None))
        return
    _attach_recordings(conversation, ref, call.recordings)
    spelled = spell_reference(language, refs.display(ref))
    _finish(
        call,
        [
            catalogued(language, "voice.filed"),
            *spelled,
            catalogued(language, "voice.ref_again"),
            *spelled,
            catalogued(language, "voice.ref_by_sms"),
        ],
    )


def _attach_recordings(conversation: Conversation, ref: str, urls: list[str]) -> None:
    if not urls:
        return
    session = conversation.session
    ticket = ticket_service.get_by_ref(session=session, ref=ref)
    if ticket is None:  # the flow says it filed; nothing to attach to is a bug, not a 5xx
        log.error("voice call %s: no ticket %s to attach recordings to", conversation.key, ref)
        return
    for url in urls:
        try:
            attachments.add(
                session=session, ticket=ticket, url=url, kind="audio", actor="citizen:voice"
            )
        except attachments.AttachmentError as exc:
            # The complaint stands without it (NALISH_ATTACHMENT_HOSTS, a bad URL): log it.
            log.warning(
                "voice call %s: recording not attached to %s: %s", conversation.key, ref, exc
            )


# --- what the caller hears -------------------------------------------------------------


def _prompt(flow: Flow, call: CallState, conversation: Conversation) -> tuple[list[Speech], str]:
    """The current question, its options (one page) and how to move about."""
    language = call.lang
    if call.node == LANGUAGE_NODE:
        return _language_menu(call), KEY
    if call.node == voice_agent.DIALING_NODE:
        return [catalogued(language, "voice.transfer")], DIAL
    if call.node == voice_agent.VOICEMAIL_NODE:
        return [catalogued(language, "voice.voicemail")], RECORD
    node = flow.node(call.node)
    english = in_english(conversation)
    speech = prompt_lines(language, node.prompt(conversation), english and node.prompt(english))
    if call.node == flow.start and not call.pages.starts:  # the main menu: say the key
        speech.append(catalogued(language, "voice.person"))
    if isinstance(node, Question):
        hint = "voice.record_hint" if node.voice == "record" else "voice.digits_hint"
        return [*speech, catalogued(language, hint)], RECORD if node.voice == "record" else DIGITS
    options = node.options(conversation)
    labels = english_labels(node, options, english)
    page = PAGER.window(call.pages, len(options))
    for number, index in enumerate(page, start=1):
        speech.append(list_item(language, options[index].label, labels[index]))
        speech.append(catalogued(language, f"voice.press_{number}"))
    if call.pages.next_start is not None:
        speech.append(catalogued(language, "voice.more"))
    if call.can_go_back():
        speech.append(catalogued(language, "voice.back"))
    else:
        speech.append(catalogued(language, "voice.change_language"))
    return speech, KEY


def _language_menu(call: CallState) -> list[Speech]:
    """Welcome, then each language's key and the person key, each in its own language."""
    native = language_registry.native_of(call.country)
    speech = [
        catalogued(native, "voice.hello"),
        catalogued(language_registry.SOURCE, "voice.hello"),
    ]
    for _, choice in _language_keys(call):
        speech.append(catalogued(choice, f"voice.language_{choice}"))
    for _, choice in _language_keys(call):
        speech.append(catalogued(choice, "voice.person"))
    return dedupe(speech)


def _language_keys(call: CallState) -> list[tuple[str, str]]:
    """Key → language on the language menu: the country's language (the registry's
    `native_of`) 1, English 2 (BD 1 বাংলা, KE 1 Kiswahili: see docs/architecture.md,
    "Contracts: SMS keywords and voice keys")."""
    native = language_registry.native_of(call.country)
    source = language_registry.SOURCE
    return [("1", native), ("2", source)] if native != source else [("1", source)]


# --- how prompts are heard ----------------------------------------------------------------


def prompt_sources(
    flow: Flow,
    *,
    languages: tuple[str, ...] | None = None,
    session: Session | LazySession | None = None,
) -> list[tuple[Speech, str]]:
    """Every piece a call may speak, per language, with how it is heard
    (`menus.voice_audio.how_spoken`): `nalish menus check`, `nalish prompts render`."""
    pieces = prompt_speech(flow, IVR_KEYS, languages=languages, session=session)
    return [(piece, how_spoken(piece)) for piece in pieces]


def missing_prompts(
    flow: Flow,
    *,
    languages: tuple[str, ...] | None = None,
    session: Session | LazySession | None = None,
) -> list[tuple[str, str]]:
    """(language, key) of every prompt a call may play that has no recording yet."""
    pieces = prompt_speech(flow, IVR_KEYS, languages=languages, session=session)
    return sorted(
        (piece.language, piece.key)
        for piece in pieces
        if piece.key and audio_path(piece.language, piece.key) is None
    )


def falls_back(flow: Flow, **options: Any) -> list[tuple[str, str]]:
    """(language, text) of every piece a caller would hear in another language."""
    return [
        (piece.language, piece.key or piece.native)
        for piece, how in prompt_sources(flow, **options)
        if how == FALLBACK
    ]


# --- one request, with its state ---------------------------------------------------------


def answer(*, store: SessionStore, request: VoiceRequest, flow: Flow | None = None) -> VoiceReply:
    """Run one request of a call: read its state, respond, commit, save the state.

    Blocking (database, session store): channels run it on a worker thread. Never
    raises: a failure is logged and the caller hears an apology (a webhook never 5xx).
    """
    settings = get_settings()
    flow = flow or flows.current()
    key = f"voice:{request.call_id}"
    lazy = LazySession()
    language = settings.default_language
    try:
        state = store.get(key)
        known = None
        if state is None and request.phone:
            known = _citizen_language(lazy.get(), request.phone)
        hop = respond(
            session=lazy,
            flow=flow,
            state=state,
            request=request,
            language=known,
            country=settings.country,
            agent_number=settings.voice_agent_number,
        )
        lazy.commit()  # the ticket is durable before the caller hears its reference
        store.set(key, hop.state, settings.ussd_session_ttl_seconds)
        voice_agent.follow_ringing(store, state, hop.state, dialing=hop.reply.expect == DIAL)
        return hop.reply
    except Exception:
        log.exception("voice request failed for call %s", request.call_id)
        return VoiceReply(utter([catalogued(language, "error")]), END, request.step or 0)
    finally:
        lazy.close()


def _citizen_language(session: Session, phone: str) -> str | None:
    language = session.exec(select(Citizen.language).where(Citizen.phone == phone)).first()
    return language if language in CATALOGUES else None
