"""What a caller hears in the end: for each piece of a prompt (`menus.speech.Speech`),
a recording, else speech synthesized offline in the caller's language
(`menus.synthesis`), else the provider's own voice where it truly speaks the language
(English), and only when none of these exists the provider's English as a last resort.

Recordings are ``menus/prompts/<language>/<key>.mp3`` (see the README there).
`prompt_speech()` lists every piece a call may speak, per language; `how_spoken()`
says how each will be heard (`nalish menus check`, `nalish prompts render`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from grievance_engine import languages as language_registry
from infra import caching
from infra.db import LazySession
from menus import synthesis
from menus.engine import Conversation, Flow, Question
from menus.speech import (
    PROVIDER_SPEAKS,
    REFERENCE_CHARACTERS,
    Speech,
    catalogued,
    in_english,
    node_speech,
    spell_reference,
)

log = logging.getLogger("nalish.menus.voice_audio")

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"

# How a piece is heard (`how_spoken`).
RECORDED = "recorded"
SYNTHESIZED = "synthesized"  # rendered by espeak-ng, ahead of time
ON_DEMAND = "synthesized on demand"  # espeak-ng renders it on the first call that needs it
PROVIDER = "provider speech"
FALLBACK = "falls back to English"  # nothing speaks this language: never acceptable


@dataclass(frozen=True)
class Say:
    """Text for the provider's text-to-speech, in `language` (English, or, as a last
    resort, a Latin-script language it reads with its English voice)."""

    text: str
    language: str


@dataclass(frozen=True)
class Play:
    """Audio to play: a recording (`path` relative to the prompts folder,
    "bn/voice.hello.mp3") or, when `synthesized`, a file espeak-ng rendered (relative to
    `menus.synthesis.speech_dir()`, "bn/<hash>.wav")."""

    path: str
    synthesized: bool = False


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


# --- one piece ---------------------------------------------------------------------------


def _voice(language: str) -> str | None:
    return language_registry.get(language).tts_voice


def _speakable(text: str) -> bool:
    return any(character.isalnum() for character in text)


def how_spoken(piece: Speech) -> str:
    """How `piece` will be heard, without rendering anything."""
    if piece.key and audio_path(piece.language, piece.key):
        return RECORDED
    if piece.language in PROVIDER_SPEAKS:
        return PROVIDER
    voice = _voice(piece.language)
    if voice and synthesis.rendered(voice, piece.native):
        return SYNTHESIZED
    if voice and synthesis.engine():
        return ON_DEMAND
    return FALLBACK


def _audio(piece: Speech) -> Play | None:
    """The recording of `piece`, else its synthesized speech (rendered now if need be),
    else None: the provider speaks it."""
    path = audio_path(piece.language, piece.key) if piece.key else None
    if path:
        return Play(path)
    voice = _voice(piece.language)
    if piece.language in PROVIDER_SPEAKS or not voice or not _speakable(piece.native):
        return None
    rendered = synthesis.render(voice, piece.native)
    if rendered is None:
        log.warning("no %s speech for %r: espeak-ng missing or failing", voice, piece.native[:40])
        return None
    return Play(rendered, synthesized=True)


def utter(speech: list[Speech]) -> tuple[Say | Play, ...]:
    """Audio where there is some, else <Say>; neighbouring texts joined into one."""
    items: list[Say | Play] = []
    for piece in speech:
        audio = _audio(piece)
        if audio is not None:
            items.append(audio)
            continue
        if not _speakable(piece.text):
            if items and isinstance(items[-1], Say) and piece.text.strip():
                items[-1] = Say(f"{items[-1].text} {piece.text.strip()}", items[-1].language)
            continue
        if items and isinstance(items[-1], Say) and items[-1].language == piece.say_language:
            items[-1] = Say(f"{items[-1].text} {piece.text}", piece.say_language)
        else:
            items.append(Say(piece.text, piece.say_language))
    return tuple(items)


# --- every piece a call may speak ----------------------------------------------------------


def prompt_speech(
    flow: Flow,
    own_keys: tuple[str, ...],
    *,
    languages: tuple[str, ...] | None = None,
    session: Session | LazySession | None = None,
) -> list[Speech]:
    """Every piece a call may speak, in each of `languages` (the citizens' by default):
    the IVR's own phrases (`own_keys`), each character of a reference, and the flow's
    prompts and list items. Prompts built from what the caller said (a summary) cannot
    be known ahead and are left out (they are synthesized during the call). Without a
    `session`, lists read from the database (categories, districts) are left out."""
    languages = languages or language_registry.codes(include_pseudo=False)
    pieces: dict[tuple[str, str], Speech] = {}
    for language in languages:
        for key in own_keys:
            pieces.setdefault((language, key), catalogued(language, key))
        for piece in spell_reference(language, REFERENCE_CHARACTERS):
            pieces.setdefault((language, piece.key or ""), piece)
        conversation = Conversation(
            db=session, phone="", channel="voice", language=language, key="check", data={}
        )
        english = in_english(conversation)
        for node in flow.nodes.values():
            if isinstance(node, Question) and node.voice is None:
                continue
            for piece in node_speech(node, conversation, english):
                if _speakable(piece.native or piece.text):  # not a blank line
                    pieces.setdefault((language, piece.key or piece.native), piece)
    return [pieces[pair] for pair in sorted(pieces)]
