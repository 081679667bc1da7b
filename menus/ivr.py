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
a catalogue key (`menus/i18n.py`), ``label.<english-slug>`` for a list item that is not
in the catalogue (a category, a district) and ``char.<X>`` for one character of a
reference. A prompt with no recording is spoken with <Say>: in English, or in Swahili
for ``sw``; Bangla has no text-to-speech voice, so a Bangla caller hears the English
text until the Bangla recordings are made. `missing_prompts()` lists what is missing.

`respond()` is pure with respect to the session store, like `menus.ussd.respond`: it
takes the stored state and returns the new one. Every reply carries a step number
that the provider posts back with the answer; an answer for a step already answered is
a provider's retry and gets the same reply again, so it never files twice.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from grievance_engine import attachments, refs
from grievance_engine import service as ticket_service
from grievance_engine.models import Citizen
from infra.db import LazySession
from infra.session_store import SessionStore
from infra.settings import get_settings
from menus import flows, limits
from menus.engine import Choice, Conversation, Finish, Flow, Goto, Option, Outcome, Question
from menus.i18n import CATALOGUES, t

log = logging.getLogger("nalish.menus.ivr")

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
PAGE_SIZE = 8
MORE = "9"
BACK = "0"
LANGUAGE_NODE = "_language"  # the language menu: not a flow node, the IVR's own
MAX_MISSES = 2  # the prompt is repeated once; the second miss transfers or ends
RECORD_MAX_SECONDS = 120
RECORD_SILENCE_SECONDS = 10
KEY_TIMEOUT_SECONDS = 10
DIGITS_TIMEOUT_SECONDS = 15
# Languages a provider's <Say> can speak; any other is said in English.
SAY_LANGUAGES = ("en", "sw")
# The country's own language is key 1, English key 2 (BD 1 বাংলা, KE 1 Kiswahili: see
# docs/architecture.md, "Contracts: SMS keywords and voice keys").
NATIVE_LANGUAGE = {"BD": "bn", "KE": "sw"}
# Ticket references use Crockford's base32 (docs/architecture.md, "Contracts: ticket
# references"): one recording per character.
REFERENCE_CHARACTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

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
    *(f"voice.press_{number}" for number in range(1, PAGE_SIZE + 1)),
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
    """Text for the provider's text-to-speech, in `language` ("en" or "sw")."""

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
    state: dict[str, Any]


@dataclass(frozen=True)
class _Speech:
    """One piece of a prompt: the recording `key` in `language` if there is one, else
    `text` said in `say_language`."""

    key: str | None
    language: str
    text: str
    say_language: str


@dataclass
class _Turn:
    """What applying an answer produced: something to say before the next prompt."""

    notice: list[_Speech] = field(default_factory=list)


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

    `language` is the caller's known language (None: ask by key). A request for a step
    other than the one awaited (a retry of an answered one, the call's first request
    again) gets the stored reply unchanged.
    """
    if state is not None:
        if request.step != state["step"] or state.get("done"):
            return Hop(VoiceReply.from_state(state["reply"]), state)
        if state["node"] != LANGUAGE_NODE and state["node"] not in flow.nodes:
            state = None  # the definitions changed under this call (a campaign retired)
    if state is not None:
        conversation = _conversation(session, state)
        turn = _apply(flow, state, conversation, request, agent_number)
        state["lang"] = conversation.language  # a language chosen in the flow takes effect
    else:
        native = NATIVE_LANGUAGE.get(country, "en")
        state = {
            "phone": request.phone,
            "key": request.call_id,
            "country": country,
            "lang": language or native,
            "node": flow.start if language else LANGUAGE_NODE,
            "history": [],
            "data": {},
            "start": 0,
            "starts": [],
            "misses": 0,
            "step": 0,
            "recordings": [],
        }
        turn = _Turn()
        if request.phone is None:
            _finish(state, [_catalogued(state["lang"], "voice.hidden_number")])
        elif request.step is not None:  # the store forgot this call: start again
            turn.notice.append(_catalogued(state["lang"], "restart"))
    conversation = _conversation(session, state)
    _settle(flow, state, conversation)
    state["step"] += 1
    if state.get("done"):
        speech = turn.notice + [_Speech(**item) for item in state["final"]]
        expect = TRANSFER if state.get("transfer_to") else END
    else:
        speech, expect = _prompt(flow, state, conversation)
        speech = turn.notice + speech
    reply = VoiceReply(_utter(speech), expect, state["step"], state.get("transfer_to"))
    state["reply"] = reply.to_state()
    return Hop(reply, state)


def _conversation(session: Session | LazySession | None, state: dict[str, Any]) -> Conversation:
    return Conversation(
        db=session,
        phone=state["phone"] or "",
        channel="voice",
        language=state["lang"],
        key=state["key"],
        data=state["data"],
    )


def _apply(
    flow: Flow,
    state: dict[str, Any],
    conversation: Conversation,
    request: VoiceRequest,
    agent_number: str | None,
) -> _Turn:
    """Apply the caller's answer to the state."""
    turn = _Turn()
    language = state["lang"]
    node_id = state["node"]
    pressed = (request.digits or "").strip().strip("#*")
    if node_id == LANGUAGE_NODE:
        chosen = dict(_language_keys(state)).get(pressed[:1])
        if chosen is None:
            return _miss(state, turn, agent_number)
        state["lang"] = conversation.language = chosen
        _goto(state, flow.start)
        return turn
    node = flow.node(node_id)
    if isinstance(node, Choice):
        key = pressed[:1]
        if key == BACK:
            _go_back(state)
            return turn
        start = state["start"]
        options = node.options(conversation)
        if key == MORE and start + PAGE_SIZE < len(options):
            state["starts"].append(start)
            state["start"] = start + PAGE_SIZE
            state["misses"] = 0
            return turn
        index = start + int(key) - 1 if key.isdigit() and key not in (BACK, MORE) else -1
        if not start <= index < min(start + PAGE_SIZE, len(options)):
            return _miss(state, turn, agent_number)
        return _follow(state, turn, node.on_choose(conversation, options[index]), agent_number)
    if node.voice == "record":
        url = (request.recording_url or "").strip()
        if not url:
            return _miss(state, turn, agent_number)
        state["recordings"].append(url)
        answer = t(language, "voice.recorded_description")
        return _follow(state, turn, node.on_answer(conversation, answer), agent_number)
    if not pressed:
        return _miss(state, turn, agent_number)
    return _follow(state, turn, node.on_answer(conversation, pressed), agent_number)


def _follow(state: dict[str, Any], turn: _Turn, outcome: Outcome, agent: str | None) -> _Turn:
    language = state["lang"]
    if isinstance(outcome, Goto):
        _goto(state, outcome.node)
        if getattr(outcome, "fresh", False):  # "back" should not lead before this node
            state["history"] = []
        if outcome.notice:
            turn.notice.extend(_lines(language, outcome.notice, None))
        return turn
    if isinstance(outcome, Finish):
        state["final_text"] = outcome.text
        state["finished"] = True
        return turn
    # Retry: the flow refused the answer (too short, out of range): say why, once.
    turn.notice.extend(_lines(language, outcome.error, None))
    return _miss(state, turn, agent, sorry=False)


def _miss(state: dict[str, Any], turn: _Turn, agent: str | None, *, sorry: bool = True) -> _Turn:
    """A silence or a wrong key: say sorry and ask again, once; then hand over or end."""
    state["misses"] += 1
    language = state["lang"]
    if state["misses"] < MAX_MISSES:
        if sorry:
            turn.notice.insert(0, _catalogued(language, "voice.sorry"))
        return turn
    if agent:
        _finish(state, [_catalogued(language, "voice.transfer")], transfer_to=agent)
    else:
        _finish(state, [_catalogued(language, "voice.goodbye")])
    return turn


def _goto(state: dict[str, Any], node_id: str) -> None:
    if node_id != state["node"]:
        state["history"].append(state["node"])
    state["node"] = node_id
    state["start"], state["starts"], state["misses"] = 0, [], 0


def _go_back(state: dict[str, Any]) -> None:
    state["misses"] = 0
    if state["starts"]:
        state["start"] = state["starts"].pop()
        return
    state["start"], state["starts"] = 0, []
    if state["history"]:
        state["node"] = state["history"].pop()
    elif state["node"] != LANGUAGE_NODE:  # from the first question: the language menu
        state["node"] = LANGUAGE_NODE


def _finish(state: dict[str, Any], speech: list[_Speech], transfer_to: str | None = None) -> None:
    state["done"] = True
    state["final"] = [asdict(piece) for piece in speech]
    state["transfer_to"] = transfer_to


def _settle(flow: Flow, state: dict[str, Any], conversation: Conversation) -> None:
    """Move past what a call cannot ask, and wrap up a finished conversation."""
    if state.pop("finished", False):
        _wrap_up(state, conversation)
        return
    for _ in range(len(flow.nodes) + 1):
        if state.get("done") or state["node"] == LANGUAGE_NODE:
            return
        node = flow.node(state["node"])
        if not isinstance(node, Question) or node.voice in ("record", "digits"):
            return
        if node.voice_skip is None:
            _finish(state, [_catalogued(state["lang"], "voice.not_by_voice")])
            return
        state["node"] = node.voice_skip  # not kept in the history: "back" skips it too
    raise ValueError(f"flow {flow.name!r}: voice_skip nodes go round in a circle")


def _wrap_up(state: dict[str, Any], conversation: Conversation) -> None:
    """The flow finished: attach the recordings to what it filed, read the reference."""
    language = state["lang"]
    ref = state["data"].get("ref")
    if not ref:
        if state["data"].get("kept") and state["recordings"]:  # over the filing limit
            limits.add_recordings(
                session=conversation.session,
                kept_id=state["data"]["kept"],
                urls=state["recordings"],
            )
        _finish(state, _lines(language, state.pop("final_text"), None))
        return
    state.pop("final_text", None)
    _attach_recordings(conversation, ref, state["recordings"])
    spelled = spell_reference(language, refs.display(ref))
    _finish(
        state,
        [
            _catalogued(language, "voice.filed"),
            *spelled,
            _catalogued(language, "voice.ref_again"),
            *spelled,
            _catalogued(language, "voice.ref_by_sms"),
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


def spell_reference(language: str, shown: str) -> list[_Speech]:
    """The reference character by character ("A B 1 2 - C D 3 4"), each a recording."""
    speech: list[_Speech] = []
    say_language = language if language in SAY_LANGUAGES else "en"
    for character in shown.upper():
        if character in REFERENCE_CHARACTERS:
            speech.append(_Speech(f"char.{character}", language, character, say_language))
        else:
            speech.append(_Speech(None, language, character, say_language))
    return speech


# --- what the caller hears -------------------------------------------------------------


def _prompt(
    flow: Flow, state: dict[str, Any], conversation: Conversation
) -> tuple[list[_Speech], str]:
    """The current question, its options (one page) and how to move about."""
    language = state["lang"]
    if state["node"] == LANGUAGE_NODE:
        native = NATIVE_LANGUAGE.get(state["country"], "en")
        speech = [_catalogued("en", "voice.hello")]
        if native in SAY_LANGUAGES or audio_path(native, "voice.hello"):
            speech.insert(0, _catalogued(native, "voice.hello"))  # else it is the English
        for _, choice in _language_keys(state):
            speech.append(_catalogued(choice, f"voice.language_{choice}"))
        return _dedupe(speech), KEY
    node = flow.node(state["node"])
    english = _in_english(conversation)
    speech = _lines(language, node.prompt(conversation), english and node.prompt(english))
    if isinstance(node, Question):
        hint = "voice.record_hint" if node.voice == "record" else "voice.digits_hint"
        return [*speech, _catalogued(language, hint)], RECORD if node.voice == "record" else DIGITS
    options = node.options(conversation)
    labels = _english_labels(node, options, english)
    start = state["start"]
    for number, option in enumerate(options[start : start + PAGE_SIZE], start=1):
        speech.append(_label(language, option.label, labels[start + number - 1]))
        speech.append(_catalogued(language, f"voice.press_{number}"))
    if start + PAGE_SIZE < len(options):
        speech.append(_catalogued(language, "voice.more"))
    if state["history"] or state["starts"]:
        speech.append(_catalogued(language, "voice.back"))
    else:
        speech.append(_catalogued(language, "voice.change_language"))
    return speech, KEY


def _language_keys(state: dict[str, Any]) -> list[tuple[str, str]]:
    """Key → language on the language menu: the country's language 1, English 2."""
    native = NATIVE_LANGUAGE.get(state["country"], "en")
    return [("1", native), ("2", "en")] if native != "en" else [("1", "en")]


def _in_english(conversation: Conversation) -> Conversation | None:
    """The same conversation in English, for what <Say> must speak instead of Bangla."""
    if conversation.language in SAY_LANGUAGES:
        return None
    return Conversation(
        db=conversation.db,
        phone=conversation.phone,
        channel=conversation.channel,
        language="en",
        key=conversation.key,
        data=dict(conversation.data),
    )


def _english_labels(node: Choice, options: list[Option], english: Conversation | None) -> list[str]:
    if english is None:
        return [option.label for option in options]
    in_english = node.options(english)
    if len(in_english) == len(options):  # the same source in the same order
        return [option.label for option in in_english]
    by_value = {repr(option.value): option.label for option in in_english}
    return [by_value.get(repr(option.value), option.label) for option in options]


def _catalogued(language: str, key: str, **values: Any) -> _Speech:
    say_language = language if language in SAY_LANGUAGES else "en"
    return _Speech(key, language, t(say_language, key, **values), say_language)


def _lines(language: str, text: str, english: str | None) -> list[_Speech]:
    """A prompt's lines, each a recording when the line is a catalogue entry."""
    native_lines = _split_lines(text)
    english_lines = _split_lines(english) if english else []
    if len(english_lines) != len(native_lines):
        english_lines = [""] * len(native_lines)
    say_language = language if language in SAY_LANGUAGES else "en"
    speech = []
    for native, in_english in zip(native_lines, english_lines, strict=True):
        key = catalogue_key(language, native)
        said = native if say_language == language else (t("en", key) if key else in_english)
        said = _speakable(said, say_language)
        if said and not said.endswith(_PAUSES):
            said += "."  # a line of a screen is a sentence when spoken
        speech.append(_Speech(key, language, said, say_language))
    return speech


def _label(language: str, label: str, english: str) -> _Speech:
    key = catalogue_key(language, label)
    if key is None:
        slug = _slug(english)
        key = f"label.{slug}" if slug else None
    say_language = language if language in SAY_LANGUAGES else "en"
    said = label if say_language == language else english
    said = _speakable(said, say_language)
    return _Speech(key, language, f"{said}," if said else "", say_language)


def _split_lines(text: str | None) -> list[str]:
    return [line.strip().strip('"').strip() for line in (text or "").splitlines() if line.strip()]


def _dedupe(speech: list[_Speech]) -> list[_Speech]:
    seen: set[tuple[str | None, str]] = set()
    kept = []
    for piece in speech:
        if (piece.key, piece.language) not in seen:
            seen.add((piece.key, piece.language))
            kept.append(piece)
    return kept


_BENGALI = re.compile(r"[\u0980-\u09FF]+")
_PAUSES = (".", "?", "!", ":", ",", ";", "\u0964")  # \u0964: the Bangla full stop


def _speakable(text: str, say_language: str) -> str:
    """Text a <Say> voice can read: no Bangla script (no provider has a Bangla voice;
    a Bangla name read by an English voice is noise, so it is left out)."""
    if say_language == "bn":
        return text
    cleaned = " ".join(_BENGALI.sub(" ", text).split())
    return cleaned if any(character.isalnum() for character in cleaned) else ""


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@lru_cache(maxsize=8)
def _reverse_catalogue(language: str, size: int) -> dict[str, str]:
    """Catalogue text → key for `language` (`size` makes an edited catalogue re-read)."""
    index: dict[str, str] = {}
    for key, text in CATALOGUES.get(language, {}).items():
        if "{" not in text:
            index.setdefault(_normal(text), key)
    return index


def _normal(text: str) -> str:
    return " ".join(text.split()).strip('"').casefold()


def catalogue_key(language: str, text: str) -> str | None:
    """The catalogue key whose `language` text is `text`, if any: its recording's name."""
    return _reverse_catalogue(language, len(CATALOGUES.get(language, {}))).get(_normal(text))


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


@lru_cache(maxsize=32)
def _listing(folder: str, changed: int) -> frozenset[str]:
    """The recorded keys in `folder`; cached until a file is added or removed."""
    return frozenset(
        path.name[: -len(".mp3")] for path in Path(folder).iterdir() if path.name.endswith(".mp3")
    )


def _utter(speech: list[_Speech]) -> tuple[Say | Play, ...]:
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
    languages = languages or tuple(CATALOGUES)
    wanted: set[tuple[str, str]] = set()
    for language in languages:
        wanted.update((language, key) for key in IVR_KEYS)
        wanted.update((language, f"char.{character}") for character in REFERENCE_CHARACTERS)
        conversation = Conversation(
            db=session, phone="", channel="voice", language=language, key="check", data={}
        )
        english = _in_english(conversation)
        for node in flow.nodes.values():
            if not (isinstance(node, Question) and node.voice is None):
                wanted.update((language, key) for key in _node_keys(node, conversation, english))
    return sorted(pair for pair in wanted if audio_path(*pair) is None)


def _node_keys(
    node: Choice | Question, conversation: Conversation, english: Conversation | None
) -> set[str]:
    """The recording keys a node's prompt and options use, as far as they can be known
    without a caller: a prompt or a list made of answers is left out."""
    language = conversation.language
    keys: set[str] = set()
    try:
        prompt = node.prompt(conversation)
    except Exception:  # a summary of what the caller said: nothing to record
        prompt = ""
    keys.update(piece.key for piece in _lines(language, prompt, None) if piece.key)
    if not isinstance(node, Choice):
        return keys
    try:
        options = node.options(conversation)
        labels = _english_labels(node, options, english)
    except Exception:  # read from the database (without a session) or from answers
        return keys
    for option, label in zip(options, labels, strict=True):
        piece = _label(language, option.label, label)
        if piece.key:
            keys.add(piece.key)
    return keys


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
        return VoiceReply(_utter([_catalogued(language, "error")]), END, request.step or 0)
    finally:
        lazy.close()


def _citizen_language(session: Session, phone: str) -> str | None:
    language = session.exec(select(Citizen.language).where(Citizen.phone == phone)).first()
    return language if language in CATALOGUES else None
