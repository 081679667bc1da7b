"""What a caller hears, as text: a prompt's lines, a list's labels and a reference
spelt out, each a `Speech` that names its recording (a catalogue key of
`menus/i18n.py`, ``label.<english-slug>``, ``char.<X>``), its text in the caller's
language (`native`, what espeak-ng speaks: `menus.synthesis`) and the text a provider's
<Say> speaks as a last resort, in a Latin-script language.

Which recordings exist, and what is played or said in the end, is `menus.voice_audio`'s.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from grievance_engine import languages as language_registry
from infra import caching
from menus.engine import Choice, Conversation, Node, Option
from menus.i18n import CATALOGUES, t

# Languages a provider's <Say> truly speaks (Twilio's and Africa's Talking's English
# voices); every other language is recorded or synthesized offline (`menus.synthesis`).
PROVIDER_SPEAKS = (language_registry.SOURCE,)
# Languages a provider's <Say> can read at all (Latin script): the last resort when
# neither a recording nor espeak-ng exists; any other is said in English then.
SAY_LANGUAGES = tuple(
    code for code, language in language_registry.REGISTRY.items() if language.script == "Latn"
)
# Ticket references use Crockford's base32 (docs/architecture.md, "Contracts: ticket
# references"): one recording per character.
REFERENCE_CHARACTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Speech:
    """One piece of a prompt: the recording `key` in `language` if there is one, else
    `native` (the text in `language`) synthesized, else `text` said in `say_language`."""

    key: str | None
    language: str
    text: str
    say_language: str
    native: str = ""


def spell_reference(language: str, shown: str) -> list[Speech]:
    """The reference character by character ("A B 1 2 - C D 3 4"), each a recording,
    spoken in `language`: its digits (৭ for a Bangla caller) and its names of the
    letters (catalogue keys ``voice.letter_<X>``: "কে" for K)."""
    speech: list[Speech] = []
    say_language = language if language in SAY_LANGUAGES else language_registry.SOURCE
    for character in shown.upper():
        if character in REFERENCE_CHARACTERS:
            native = spoken_character(language, character)
            speech.append(Speech(f"char.{character}", language, character, say_language, native))
        else:
            speech.append(Speech(None, language, character, say_language))
    return speech


def spoken_character(language: str, character: str) -> str:
    """One character of a reference as a speaker of `language` says it."""
    if character.isdigit():
        return language_registry.get(language).localize_digits(character)
    return t(language, f"voice.letter_{character}")


def in_english(conversation: Conversation) -> Conversation | None:
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


def english_labels(node: Choice, options: list[Option], english: Conversation | None) -> list[str]:
    """The options' labels in English (for <Say> and recording names), in their order."""
    if english is None:
        return [option.label for option in options]
    translated = node.options(english)
    if len(translated) == len(options):  # the same source in the same order
        return [option.label for option in translated]
    by_value = {repr(option.value): option.label for option in translated}
    return [by_value.get(repr(option.value), option.label) for option in options]


def catalogued(language: str, key: str, **values: Any) -> Speech:
    say_language = language if language in SAY_LANGUAGES else language_registry.SOURCE
    native = t(language, key, **values)
    return Speech(key, language, t(say_language, key, **values), say_language, native)


def prompt_lines(language: str, text: str, english: str | None) -> list[Speech]:
    """A prompt's lines, each a recording when the line is a catalogue entry."""
    native_lines = _split_lines(text)
    english_lines = _split_lines(english) if english else []
    if len(english_lines) != len(native_lines):
        english_lines = [""] * len(native_lines)
    say_language = language if language in SAY_LANGUAGES else language_registry.SOURCE
    speech = []
    for native, in_english in zip(native_lines, english_lines, strict=True):
        key = catalogue_key(language, native)
        said = native if say_language == language else (t("en", key) if key else in_english)
        said = _speakable(said, say_language)
        if said and not said.endswith(_PAUSES):
            said += "."  # a line of a screen is a sentence when spoken
        speech.append(Speech(key, language, said, say_language, native))
    return speech


def list_item(language: str, label: str, english: str) -> Speech:
    key = catalogue_key(language, label)
    if key is None:
        slug = _slug(english)
        key = f"label.{slug}" if slug else None
    say_language = language if language in SAY_LANGUAGES else language_registry.SOURCE
    said = label if say_language == language else english
    said = _speakable(said, say_language)
    return Speech(key, language, f"{said}," if said else "", say_language, label)


def _split_lines(text: str | None) -> list[str]:
    return [line.strip().strip('"').strip() for line in (text or "").splitlines() if line.strip()]


def dedupe(speech: list[Speech]) -> list[Speech]:
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
    """Text a <Say> voice can read: for a Latin-script voice no Bangla script (a Bangla
    name read by an English voice is noise, so it is left out)."""
    if language_registry.get(say_language).script != "Latn":
        return text
    cleaned = " ".join(_BENGALI.sub(" ", text).split())
    return cleaned if any(character.isalnum() for character in cleaned) else ""


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@caching.cached(maxsize=8)
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


def node_speech(
    node: Node, conversation: Conversation, english: Conversation | None
) -> list[Speech]:
    """The pieces a node's prompt and options speak, as far as they can be known
    without a caller: a prompt or a list made of answers is left out."""
    language = conversation.language
    try:
        prompt = node.prompt(conversation)
        english_prompt = node.prompt(english) if english else None
    except Exception:  # a summary of what the caller said: nothing to know ahead
        prompt, english_prompt = "", None
    pieces = prompt_lines(language, prompt, english_prompt)
    if not isinstance(node, Choice):
        return pieces
    try:
        options = node.options(conversation)
        labels = english_labels(node, options, english)
    except Exception:  # read from the database (without a session) or from answers
        return pieces
    for option, label in zip(options, labels, strict=True):
        pieces.append(list_item(language, option.label, label))
    return pieces
