"""IVR: run a `Flow` as a phone call, one key press (or one recording) at a time.

A call hears a prompt and answers with the keypad; each provider (Twilio TwiML, Africa's
Talking voice XML) turns a `VoiceReply` into its own XML and posts the answer back.

Keys, on every list (documented in the README, and said on every screen that needs them):

- ``1``–``8`` pick the options read out on this page (eight at most per page: a caller
  cannot keep more in mind, and one key press is all a menu waits for);
- ``9`` reads the next page ("For more choices, press 9");
- ``0`` goes back: to the previous page, else to the previous question, and from the
  first question to the language choice.

A typed answer (a `Choice`'s ``on_text``, e.g. a district's name) has no keypad form:
callers pick from the list. A `Question` is answered as its ``voice`` says: "record"
(the caller speaks after the beep and presses #; the answer is a placeholder text, the
recording is attached to the filed ticket), "digits" (keypad entry ending with #), or
None (skipped to ``voice_skip``; without one the call ends politely). A missed key, a
silence or an invalid answer repeats the prompt once after "Sorry, I did not get that";
the second miss transfers the call to ``NALISH_VOICE_AGENT_NUMBER`` when one is set,
else ends it politely. After filing, the reference is read back twice, character by
character, and the caller is told it comes by SMS (the intake's acknowledgement).

Prompts are recordings, ``menus/prompts/<language>/<key>.mp3`` (see the README there):
a catalogue key (`menus.po`, `menus/i18n.py`), ``label.<english-slug>`` for a list item that is not
in the catalogue (a category, a district) and ``char.<X>`` for one character of a
reference. A prompt with no recording is spoken with <Say>: in English, or in Swahili
for ``sw``; Bangla has no text-to-speech voice, so a Bangla caller hears the English
text until the Bangla recordings are made. `missing_prompts()` lists what is missing.
Turning text into those pieces is `menus.speech`'s; which recordings exist, and what
is played or said in the end, is decided here.

`respond()` is pure with respect to the session store, like `menus.ussd.respond`: it
takes the stored state and returns the new one (a `menus.state.CallState`, paged by
the same `Pager` as USSD). Every reply carries a step number
that the provider posts back with the answer; an answer for a step already answered is
a provider's retry and gets the same reply again, so it never files twice.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from grievance_engine import attachments, refs
from grievance_engine import languages as language_registry
from grievance_engine import service as ticket_service
from grievance_engine.models import Citizen
from infra import caching
from infra.db import LazySession
from infra.session_store import SessionStore
from infra.settings import get_settings
from menus import flows, limits
from menus.engine import Choice, Conversation, Finish, Flow, Goto, Outcome, Question
from menus.i18n import CATALOGUES, t
from menus.speech import (
    REFERENCE_CHARACTERS,
    SAY_LANGUAGES,
    Speech,
    catalogued,
    dedupe,
    english_labels,
    in_english,
    list_item,
    node_keys,
    prompt_lines,
    spell_reference,
)
from menus.state import CallState, Pager, Pages

log = logging.getLogger("nalish.menus.ivr")

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
PAGER = Pager(more="9", back="0", size=8)  # a caller keeps eight options in mind
LANGUAGE_NODE = "_language"  # the language menu: not a flow node, the IVR's own
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
    "restart",
    "error",
)


@dataclass(frozen=True)
class Say:
    """Text for the provider's text-to-speech, in `language` (one of `SAY_LANGUAGES`)."""

    text: str
    language: str


@dataclass(frozen=True)
class Play:
    """A recorded prompt: `path` is relative to the prompts folder ("bn/voice.hello.mp3")."""

    path: str


@dataclass(frozen=True)
class VoiceReply:
    """What the caller hears next and what the call then waits for (`expect`).

    `step` goes back to us with the answer (in the provider's action/callback URL).
    """

    items: tuple[Say | Play, ...]
    expect: str
    step: int
    transfer_to: str | None = None

    def to_state(self) -> dict[str, Any]:
        return {
            "items": [
                {"play": item.path} if isinstance(item, Play) else asdict(item)
                for item in self.items
            ],
            "expect": self.expect,
            "step": self.step,
            "transfer_to": self.transfer_to,
        }

    @classmethod
    def from_state(cls, stored: dict[str, Any]) -> VoiceReply:
        items = tuple(
            Play(item["play"]) if "play" in item else Say(item["text"], item["language"])
            for item in stored["items"]
        )
        return cls(items, stored["expect"], stored["step"], stored.get("transfer_to"))


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


@dataclass(frozen=True)
class Hop:
    reply: VoiceReply
    state: dict[str, Any]  # `CallState` as the session store holds it


@dataclass
class _Turn:
    """What applying an answer produced: something to say before the next prompt."""

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
    if call is not None and call.node != LANGUAGE_NODE and call.node not in flow.nodes:
        call = None  # the definitions changed under this call (a campaign retired)
    if call is not None:
        conversation = _conversation(session, call)
        turn = _apply(flow, call, conversation, request, agent_number)
        call.lang = conversation.language  # a language chosen in the flow takes effect
    else:
        call = _new_call(flow, request, language, country)
        turn = _Turn()
        if request.phone is None:
            _finish(call, [catalogued(call.lang, "voice.hidden_number")])
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
    reply = VoiceReply(_utter(speech), expect, call.step, call.transfer_to)
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
    flow: Flow,
    call: CallState,
    conversation: Conversation,
    request: VoiceRequest,
    agent_number: str | None,
) -> _Turn:
    """Apply the caller's answer to the state."""
    turn = _Turn()
    pressed = (request.digits or "").strip().strip("#*")
    if call.node == LANGUAGE_NODE:
        chosen = dict(_language_keys(call)).get(pressed[:1])
        if chosen is None:
            return _miss(call, turn, agent_number)
        call.lang = conversation.language = chosen
        _goto(call, flow.start)
        return turn
    node = flow.node(call.node)
    if isinstance(node, Choice):
        return _pick(call, turn, node, conversation, pressed[:1], agent_number)
    if node.voice == "record":
        url = (request.recording_url or "").strip()
        if not url:
            return _miss(call, turn, agent_number)
        call.recordings.append(url)
        answer = t(call.lang, "voice.recorded_description")
        return _follow(call, turn, node.on_answer(conversation, answer), agent_number)
    if not pressed:
        return _miss(call, turn, agent_number)
    return _follow(call, turn, node.on_answer(conversation, pressed), agent_number)


def _pick(
    call: CallState,
    turn: _Turn,
    node: Choice,
    conversation: Conversation,
    key: str,
    agent: str | None,
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
        return _miss(call, turn, agent)
    return _follow(call, turn, node.on_choose(conversation, options[index]), agent)


def _follow(call: CallState, turn: _Turn, outcome: Outcome, agent: str | None) -> _Turn:
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
    return _miss(call, turn, agent, sorry=False)


def _miss(call: CallState, turn: _Turn, agent: str | None, *, sorry: bool = True) -> _Turn:
    """A silence or a wrong key: say sorry and ask again, once; then hand over or end."""
    call.misses += 1
    if call.misses < MAX_MISSES:
        if sorry:
            turn.notice.insert(0, catalogued(call.lang, "voice.sorry"))
        return turn
    if agent:
        _finish(call, [catalogued(call.lang, "voice.transfer")], transfer_to=agent)
    else:
        _finish(call, [catalogued(call.lang, "voice.goodbye")])
    return turn


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
        if call.done or call.node == LANGUAGE_NODE:
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
        native = language_registry.native_of(call.country)
        speech = [catalogued("en", "voice.hello")]
        if native in SAY_LANGUAGES or audio_path(native, "voice.hello"):
            speech.insert(0, catalogued(native, "voice.hello"))  # else it is the English
        for _, choice in _language_keys(call):
            speech.append(catalogued(choice, f"voice.language_{choice}"))
        return dedupe(speech), KEY
    node = flow.node(call.node)
    english = in_english(conversation)
    speech = prompt_lines(language, node.prompt(conversation), english and node.prompt(english))
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


def _language_keys(call: CallState) -> list[tuple[str, str]]:
    """Key → language on the language menu: the country's language (the registry's
    `native_of`) 1, English 2 (BD 1 বাংলা, KE 1 Kiswahili: see docs/architecture.md,
    "Contracts: SMS keywords and voice keys")."""
    native = language_registry.native_of(call.country)
    source = language_registry.SOURCE
    return [("1", native), ("2", source)] if native != source else [("1", source)]


# --- recordings --------------------------------------------------------------------------


def audio_path(language: str, key: str) -> str | None:
    """Where the recording of `key` in `language` is, relative to the prompts folder."""
    if key in _recorded(language):
        return f"{language}/{key}.mp3"
    return None


def _recorded(language: str) -> frozenset[str]:
    folder = PROMPTS_DIR / language
    try:
        changed = folder.stat().st_mtime_ns
    except OSError:
        return frozenset()
    return _listing(str(folder), changed)


@caching.cached(maxsize=32)
def _listing(folder: str, changed: int) -> frozenset[str]:
    """The recorded keys in `folder`; cached until a file is added or removed."""
    return frozenset(
        path.name[: -len(".mp3")] for path in Path(folder).iterdir() if path.name.endswith(".mp3")
    )


def _utter(speech: list[Speech]) -> tuple[Say | Play, ...]:
    """Recordings where they exist, else <Say>; neighbouring texts joined into one."""
    items: list[Say | Play] = []
    for piece in speech:
        path = audio_path(piece.language, piece.key) if piece.key else None
        if path:
            items.append(Play(path))
            continue
        if not any(character.isalnum() for character in piece.text):
            if items and isinstance(items[-1], Say) and piece.text.strip():
                items[-1] = Say(f"{items[-1].text} {piece.text.strip()}", items[-1].language)
            continue
        if items and isinstance(items[-1], Say) and items[-1].language == piece.say_language:
            items[-1] = Say(f"{items[-1].text} {piece.text}", piece.say_language)
        else:
            items.append(Say(piece.text, piece.say_language))
    return tuple(items)


def missing_prompts(
    flow: Flow,
    *,
    languages: tuple[str, ...] | None = None,
    session: Session | LazySession | None = None,
) -> list[tuple[str, str]]:
    """(language, key) of every prompt a call may play that has no recording yet.

    English and Swahili fall back to <Say>; Bangla has no voice, so its list is the one
    that matters. Prompts built from what the caller said (a summary) cannot be recorded
    and are not listed. Without a `session`, lists read from the database (categories,
    districts) are left out.
    """
    languages = languages or language_registry.codes(include_pseudo=False)  # citizens' only
    wanted: set[tuple[str, str]] = set()
    for language in languages:
        wanted.update((language, key) for key in IVR_KEYS)
        wanted.update((language, f"char.{character}") for character in REFERENCE_CHARACTERS)
        conversation = Conversation(
            db=session, phone="", channel="voice", language=language, key="check", data={}
        )
        english = in_english(conversation)
        for node in flow.nodes.values():
            if not (isinstance(node, Question) and node.voice is None):
                wanted.update((language, key) for key in node_keys(node, conversation, english))
    return sorted(pair for pair in wanted if audio_path(*pair) is None)


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
        return hop.reply
    except Exception:
        log.exception("voice request failed for call %s", request.call_id)
        return VoiceReply(_utter([catalogued(language, "error")]), END, request.step or 0)
    finally:
        lazy.close()


def _citizen_language(session: Session, phone: str) -> str | None:
    language = session.exec(select(Citizen.language).where(Citizen.phone == phone)).first()
    return language if language in CATALOGUES else None
